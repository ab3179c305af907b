"""Hidden checks for 02_linear_regression.

Each check draws fresh inputs from `rng` and computes the expected values here,
with the reference module or PyTorch; gradients and sgd steps in float64.
Training from scratch runs the notes' loop in the worker (harness.train_linreg)
with the student's pieces, on data generated here, and is judged here.
"""

import pytest
import torch

from autograder import expect
from autograder.draw import randint, randn, uniform
from autograder.student import StudentError, is_instance
from autograder.worker import harness
from reference import linear_regression as ref

points, exercise = pytest.mark.points, pytest.mark.exercise
F32 = torch.float32
TRUE_W, TRUE_B = torch.tensor([[2.0], [-3.4]]), 4.2


# --- data_iter -------------------------------------------------------------------------


def _passes(student, batch_size, features, labels, count=1):
    """The batches of `count` passes over data_iter, as lists of (X, y)."""
    passes = []
    for _ in range(count):
        batches = student.harness.collect(student.data_iter(batch_size, features, labels))
        if type(batches) is not list or not all(type(b) in (tuple, list) and len(b) == 2 for b in batches):
            raise AssertionError("data_iter should yield pairs (X, y)")
        passes.append(batches)
    return passes


def _rows(features, labels, batches):
    """The index in `features` of every example yielded, in order; checks that labels stay with their features."""
    found = []
    for X, y in batches:
        X = expect.tensor(X, "a batch X from data_iter")
        y = expect.tensor(y, "a batch y from data_iter")
        if X.dim() != 2 or X.shape[1] != features.shape[1] or tuple(y.shape) != (len(X),):
            raise AssertionError("each batch should be X of shape (b, num_inputs) and y of shape (b,)")
        same = (X[:, None, :] == features[None, :, :]).all(dim=2)
        if not bool((same.sum(dim=1) == 1).all()):
            raise AssertionError("data_iter yields feature rows that are not rows of `features`")
        index = same.float().argmax(dim=1)
        expect.close(y, labels[index], "each label should stay with its own features: select both with the same indices")
        found.append(index)
    return torch.cat(found) if found else torch.zeros(0, dtype=torch.long)


@exercise("data_iter")
@points(2)
def test_data_iter_covers_every_example_once(student, rng):
    """Every example exactly once per pass, in batches of batch_size; only the last one may be smaller."""
    for leftover in (True, False):
        batch_size = randint(rng, 3, 8)
        n = batch_size * randint(rng, 3, 7) + (randint(rng, 1, batch_size) if leftover else 0)
        features, labels = randn(rng, n, randint(rng, 2, 5), dtype=F32), randn(rng, n, dtype=F32)
        # the caller's tensors, kept in the worker to see whether the pass changes them
        remote_features, remote_labels = student.put(features.clone()), student.put(labels.clone())
        (batches,) = _passes(student, batch_size, remote_features, remote_labels)
        index = _rows(features, labels, batches)
        assert torch.equal(student.fetch(remote_features), features) and torch.equal(student.fetch(remote_labels), labels), (
            "data_iter changed the caller's features or labels (shuffled them in place?): shuffle a list of indices "
            "and select each batch with them, leaving the data as it was"
        )
        assert len(index) == n and torch.equal(torch.sort(index).values, torch.arange(n)), (
            "every example should appear exactly once per pass, the last (smaller) batch included: "
            "shuffle the indices, then walk through all of them batch by batch"
        )
        sizes = [len(y) for _, y in batches]
        expected = [batch_size] * (n // batch_size) + ([n % batch_size] if n % batch_size else [])
        assert sizes == expected, (
            "batches should hold batch_size examples each, except the last, which holds what is left (and is never empty)"
        )


@exercise("data_iter")
@points(1)
def test_data_iter_shuffles(student, rng):
    """The order is shuffled, and differs from one pass to the next."""
    batch_size = randint(rng, 4, 9)
    n = batch_size * randint(rng, 5, 8) + randint(rng, 0, batch_size)
    features, labels = randn(rng, n, 2, dtype=F32), randn(rng, n, dtype=F32)
    first, second = (_rows(features, labels, batches) for batches in _passes(student, batch_size, features, labels, 2))
    assert len(first) == len(second) == n, "every example should appear exactly once per pass"
    assert not torch.equal(first, torch.arange(n)) and not torch.equal(first, second), (
        "data_iter should shuffle the examples, anew on every pass (random.shuffle on the list of indices)"
    )


# --- linreg -----------------------------------------------------------------------------


def _linreg_problem(rng):
    d = randint(rng, 2, 6)
    n = d + randint(rng, 3, 8)
    return randn(rng, n, d), randn(rng, d, 1), randn(rng, 1)


@exercise("linreg")
@points(2)
def test_linreg_values(student, rng):
    """X w + b, shape (n, 1) (float64)."""
    X, w, b = _linreg_problem(rng)
    got = expect.tensor(student.linreg(X, w, b), "linreg(X, w, b)", (len(X), 1))
    expect.close(got, X @ w + b, "linreg(X, w, b) should be the matrix product of X and w, plus b", **expect.TOL64)
    # the dtype contract: float32 in, float32 out (training runs in float32)
    X, w, b = (t.float() for t in (X, w, b))
    got = expect.tensor(student.linreg(X, w, b), "linreg(X, w, b) for float32 inputs", (len(X), 1), torch.float32)
    expect.close(got, X @ w + b, "linreg(X, w, b) should be the matrix product of X and w, plus b")


@exercise("linreg")
@points(1)
def test_linreg_gradient(student, rng):
    """Gradients with respect to X, w and b (float64)."""
    X, w, b = _linreg_problem(rng)
    v = randn(rng, len(X), 1)
    mine = [t.clone().requires_grad_() for t in (X, w, b)]
    ref.linreg(*mine).backward(v)
    expect.gradients(
        student, student.linreg, [t.clone().requires_grad_() for t in (X, w, b)], v, [t.grad for t in mine], "linreg"
    )


# --- squared_loss --------------------------------------------------------------------------


@exercise("squared_loss")
@points(2)
def test_squared_loss_values(student, rng):
    """(y_hat - y)^2 / 2 per example, shape (n, 1), for labels of shape (n,) and (n, 1)."""
    n = randint(rng, 4, 12)
    y_hat = randn(rng, n, 1)
    for y in (randn(rng, n), randn(rng, n, 1)):
        got = expect.tensor(student.squared_loss(y_hat, y), "squared_loss(y_hat, y)", (n, 1), torch.float64)
        expect.close(
            got,
            ref.squared_loss(y_hat, y),
            "squared_loss should be (y_hat - y)^2 / 2 for each example, not reduced, with y reshaped like y_hat",
            **expect.TOL64,
        )


@exercise("squared_loss")
@points(1)
def test_squared_loss_gradient(student, rng):
    """Gradients with respect to y_hat and y (float64)."""
    n = randint(rng, 4, 12)
    y_hat, y, v = randn(rng, n, 1), randn(rng, n), randn(rng, n, 1)
    mine = [y_hat.clone().requires_grad_(), y.clone().requires_grad_()]
    ref.squared_loss(*mine).backward(v)
    expect.gradients(
        student, student.squared_loss, [y_hat.requires_grad_(), y.requires_grad_()], v, [t.grad for t in mine], "squared_loss"
    )


# --- sgd --------------------------------------------------------------------------------


@exercise("sgd")
@points(3)
def test_sgd_updates_in_place(student, rng):
    """One step on parameters held in the worker: p.data -= lr * p.grad / batch_size (float64)."""
    d = randint(rng, 2, 6)
    params = [randn(rng, d, 1), randn(rng, 1)]
    grads = [randn(rng, d, 1), randn(rng, 1)]
    lr, batch_size = uniform(rng, 0.05, 0.5), randint(rng, 3, 20)
    remotes = []
    for p, g in zip(params, grads):
        remote = student.put(p.clone().requires_grad_())
        remote.grad = g
        remotes.append(remote)
    student.sgd(remotes, lr, batch_size)
    mine = [p.clone().requires_grad_() for p in params]
    for p, g in zip(mine, grads):
        p.grad = g.clone()
    ref.sgd(mine, lr, batch_size)
    for remote, expected in zip(remotes, mine):
        expect.close(
            student.fetch(remote),
            expected.detach(),
            "the parameters did not move by lr * grad / batch_size: the summed loss's gradient is divided by the "
            "batch size exactly once, and the update must change the parameter itself (param.data -= ...)",
            **expect.TOL64,
        )
        assert remote.is_leaf is True and remote.requires_grad is True, (
            "the parameters should stay leaf tensors that require grad: update param.data in place"
        )


@exercise("sgd")
@points(2)
def test_two_epochs_step_by_step(student, rng):
    """Two epochs of the notes' loop with your linreg, squared_loss and sgd (batches in order) match the reference exactly."""
    n, batch_size = randint(rng, 30, 50), randint(rng, 4, 9)
    features = randn(rng, n, 2)
    labels = (features @ TRUE_W.double()).view(-1) + TRUE_B + 0.01 * randn(rng, n)
    w0, b0, lr = 0.01 * randn(rng, 2, 1), torch.zeros(1, dtype=torch.float64), 0.03
    rw, rb = student.put(w0.clone().requires_grad_()), student.put(b0.clone().requires_grad_())
    got = student.harness.train_linreg(
        student.harness.in_order,
        student.linreg,
        student.squared_loss,
        student.sgd,
        features,
        labels,
        rw,
        rb,
        lr,
        2,
        batch_size,
    )
    mw, mb = w0.clone().requires_grad_(), b0.clone().requires_grad_()
    expected = harness.train_linreg(
        harness.in_order, ref.linreg, ref.squared_loss, ref.sgd, features, labels, mw, mb, lr, 2, batch_size
    )
    assert type(got) is list and len(got) == 2, "training did not return the parameters"
    for value, want in zip(got, expected):
        expect.close(
            value,
            want,
            "after two epochs of the training loop with your linreg, squared_loss and sgd the parameters are not where "
            "they should be: the loss is (y_hat - y)^2 / 2 per example, summed over the batch, so sgd divides "
            "the gradient by batch_size exactly once",
            **expect.TOL64,
        )


@exercise("sgd")
@points(2)
def test_training_recovers_true_parameters(student, rng, settings, assignment):
    """Training from scratch with your data_iter, linreg, squared_loss and sgd recovers w = [2, -3.4], b = 4.2."""
    n = 1000
    features = randn(rng, n, 2, dtype=F32)
    labels = (features @ TRUE_W).view(-1) + TRUE_B + 0.01 * randn(rng, n, dtype=F32)
    rw = student.put((0.01 * randn(rng, 2, 1, dtype=F32)).requires_grad_())
    rb = student.put(torch.zeros(1, requires_grad=True))
    got = student.harness.train_linreg(
        student.data_iter, student.linreg, student.squared_loss, student.sgd, features, labels, rw, rb, 0.03, 3, 10
    )
    assert type(got) is list and len(got) == 2, "training did not return the parameters"
    w = expect.tensor(got[0], "the trained w", (2, 1))
    b = expect.tensor(got[1], "the trained b", (1,))
    error = max((w.double() - TRUE_W.double()).abs().max().item(), abs(b.double().item() - TRUE_B))
    threshold = settings.threshold(assignment.id, "weight_error")
    assert error < threshold, (
        f"after 3 epochs (lr 0.03, batch size 10) a parameter is off by {error:.3f}, more than the {threshold:g} "
        "this check allows"
    )


# --- LinearNet --------------------------------------------------------------------------------


def _linear_net(student, rng, dtype=torch.float32):
    n_feature = randint(rng, 2, 7)
    net = student.LinearNet(n_feature)
    assert is_instance(net, expect.MODULE), "LinearNet should subclass nn.Module"
    local = ref.LinearNet(n_feature).to(dtype)
    weights = {"linear.weight": randn(rng, 1, n_feature, dtype=F32), "linear.bias": randn(rng, 1, dtype=F32)}
    local.load_state_dict(weights)
    if dtype != torch.float32:
        net.to(dtype)
    try:
        net.load_state_dict(weights)
    except StudentError:
        raise AssertionError(
            "LinearNet's parameters should be those of one nn.Linear(n_feature, 1) kept in the attribute `linear`"
        ) from None
    net.eval()
    local.eval()
    return net, local, n_feature


@exercise("LinearNet")
@points(2)
def test_linear_net_outputs(student, rng):
    """Outputs (n, 1) with the same weights loaded into yours and the reference."""
    net, local, n_feature = _linear_net(student, rng)
    X = randn(rng, randint(rng, 3, 12), n_feature, dtype=F32)
    got = expect.tensor(net(X), "LinearNet(n_feature)(X)", (len(X), 1))
    expect.close(got, local(X).detach(), "LinearNet should return self.linear(x), of shape (n, 1)")


@exercise("LinearNet")
@points(1)
def test_linear_net_gradient(student, rng):
    """Gradients reach the input through LinearNet (float64)."""
    net, local, n_feature = _linear_net(student, rng, torch.float64)
    X = randn(rng, randint(rng, 3, 8), n_feature)
    v = randn(rng, len(X), 1)
    mine = X.clone().requires_grad_()
    local(mine).backward(v)
    expect.gradients(student, net, [X.requires_grad_()], v, [mine.grad], "LinearNet")
