"""Hidden checks for 04_mlp_regularization.

Each check draws fresh inputs from `rng`, computes the expected values here
with the reference or PyTorch, and asks the student's code through `student`.
Random functions (dropout, initialisers) are judged by exact special cases and
by statistics over many draws, with tolerances far wider than sampling noise.
"""

import math

import pytest
import torch

from autograder import data, expect
from autograder.draw import randint, randn, seed, uniform
from autograder.student import is_instance
from autograder.worker import harness
from reference import mlp_regularization as ref

points, exercise = pytest.mark.points, pytest.mark.exercise
F32 = torch.float32
RELUS = {"relu", "relu_", "ReLU", "relu6", "ReLU6", "threshold", "threshold_", "Threshold", "hardtanh", "Hardtanh"}
LAYERS = {"linear", "Linear", "Sequential", "bilinear", "Bilinear"}
DROPOUTS = {
    "dropout",
    "dropout_",
    "Dropout",
    "dropout1d",
    "dropout2d",
    "dropout3d",
    "Dropout1d",
    "Dropout2d",
    "Dropout3d",
    "alpha_dropout",
    "AlphaDropout",
    "feature_alpha_dropout",
    "FeatureAlphaDropout",
    "native_dropout",
}
INITIALISERS = {
    "xavier_uniform_",
    "xavier_uniform",
    "xavier_normal_",
    "xavier_normal",
    "kaiming_uniform_",
    "kaiming_normal_",
    "_calculate_fan_in_and_fan_out",
    "_calculate_correct_fan",
}


def away_from_half(rng):
    """A drop probability in [0.2, 0.4] or [0.6, 0.8]: 1/p and 1/(1-p) differ, and so do p and 1-p."""
    p = uniform(rng, 0.2, 0.4)
    return round(1 - p if randint(rng, 0, 2) else p, 4)


def _mlp_params(rng, sizes, scale=0.5, dtype=torch.float64):
    params = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        params.append(randn(rng, fan_in, fan_out, dtype=dtype) * scale)
        params.append(randn(rng, fan_out, dtype=dtype) * scale)
    return params


def _digits(rng):
    train_X, train_y, test_X, test_y = data.digits_split(seed(rng))
    return harness.batches(train_X, train_y, 64), harness.batches(test_X[:64], test_y[:64], 64), test_X, test_y


# --- relu ------------------------------------------------------------------------------


@exercise("relu")
@points(2)
def test_relu_values(student, rng):
    """relu matches max(x, 0) elementwise and keeps shape and dtype."""
    shape = (randint(rng, 2, 5), randint(rng, 6, 9), randint(rng, 3, 6))
    X = randn(rng, shape)
    X[0, 0, 0] = 0.0
    got = expect.tensor(student.relu(X), "relu(X) for a float64 X", shape, torch.float64)
    expect.close(got, torch.relu(X), "relu(X) should keep positive entries and replace the others by 0")
    X32 = randn(rng, randint(rng, 5, 9), randint(rng, 10, 14), dtype=F32)
    got = expect.tensor(student.relu(X32), "relu(X) for a float32 X", X32.shape, torch.float32)
    expect.close(got, torch.relu(X32), "relu(X) should keep positive entries and replace the others by 0")


@exercise("relu")
@points(1)
def test_relu_gradient(student, rng):
    """The gradient through relu is 1 for positive inputs and 0 for negative ones (float64)."""
    n, m = randint(rng, 4, 8), randint(rng, 9, 12)
    sign = torch.randint(0, 2, (n, m), generator=rng, dtype=torch.float64) * 2 - 1
    X = sign * (0.1 + torch.rand(n, m, generator=rng, dtype=torch.float64))
    v = randn(rng, n, m)
    expect.gradients(student, student.relu, [X.clone().requires_grad_()], v, [v * (X > 0)], "relu")


@exercise("relu")
@points(1)
def test_relu_from_scratch(student, rng):
    """relu works and is written from scratch."""
    X = randn(rng, 4, 7)
    expect.close(student.relu(X), torch.relu(X), "relu(X) is wrong")
    expect.from_scratch(student, "relu", RELUS, "relu")


# --- init_mlp_params -----------------------------------------------------------------------


@exercise("init_mlp_params")
@points(1)
def test_init_mlp_params_shapes(student, rng):
    """Four float32 leaf tensors with requires_grad, shaped by the arguments; biases zero."""
    sizes = (randint(rng, 20, 60), randint(rng, 10, 40), randint(rng, 3, 9))
    params = student.call(student.init_mlp_params, list(sizes), as_handle=True, label="init_mlp_params(...)")
    values = student.fetch(params)
    assert type(values) in (list, tuple) and len(values) == 4, "init_mlp_params should return the list [W1, b1, W2, b2]"
    shapes = [(sizes[0], sizes[1]), (sizes[1],), (sizes[1], sizes[2]), (sizes[2],)]
    for name, value, shape in zip(("W1", "b1", "W2", "b2"), values, shapes):
        expect.tensor(value, name, shape, torch.float32)
    for name in ("b1", "b2"):
        assert not values[("W1", "b1", "W2", "b2").index(name)].any(), f"{name} should start at zero"
    states = student.harness.graph_state(params)
    assert all(s["requires_grad"] and s["is_leaf"] for s in states), (
        "every parameter must be a leaf tensor with requires_grad=True, so that backward() fills its .grad"
    )


@exercise("init_mlp_params")
@points(1)
def test_init_mlp_params_distribution(student):
    """With the default sizes, the weights look like N(0, 0.01^2)."""
    values = student.init_mlp_params()
    assert type(values) in (list, tuple) and len(values) == 4, "init_mlp_params should return the list [W1, b1, W2, b2]"
    W1 = expect.tensor(values[0], "W1", (784, 256))
    W2 = expect.tensor(values[2], "W2", (256, 10))
    for name, W, tolerance in (("W1", W1, 0.05), ("W2", W2, 0.1)):
        expect.scalar_close(
            W.double().std().item(),
            0.01,
            f"{name} should be drawn from a normal distribution with standard deviation 0.01 (zeros or equal "
            "values cannot break the symmetry between hidden units)",
            rtol=tolerance,
            atol=0,
        )
        expect.scalar_close(W.double().mean().item(), 0.0, f"{name} should have mean 0", rtol=0, atol=0.002)


# --- mlp ------------------------------------------------------------------------------------


@exercise("mlp")
@points(2)
def test_mlp_values(student, rng):
    """Scores for image batches and for flat batches match relu(X W1 + b1) W2 + b2."""
    h, w = randint(rng, 3, 6), randint(rng, 4, 7)
    sizes = [h * w, randint(rng, 8, 15), randint(rng, 3, 7)]
    params = _mlp_params(rng, sizes)
    n = randint(rng, 16, 24)
    X = randn(rng, n, 1, h, w)
    got = expect.tensor(student.mlp(X, params), "mlp(X, params) for images X", (n, sizes[2]))
    message = "mlp scores are wrong: flatten X, then relu(X W1 + b1) W2 + b2 (no softmax on the output)"
    expect.close(got, ref.mlp(X, params), message)
    flat = X.reshape(n, -1)[: n - 3]
    got = expect.tensor(student.mlp(flat, params), "mlp(X, params) for flat X", (n - 3, sizes[2]))
    expect.close(got, ref.mlp(flat, params), message)


@exercise("mlp")
@points(1)
def test_mlp_gradient(student, rng):
    """Gradients reach W1, b1, W2 and b2 as autograd computes them (float64)."""
    sizes = [randint(rng, 10, 16), randint(rng, 6, 10), randint(rng, 3, 5)]
    params = _mlp_params(rng, sizes)
    X = randn(rng, randint(rng, 5, 9), sizes[0])
    v = randn(rng, len(X), sizes[2])
    remote = [student.put(p.clone().requires_grad_()) for p in params]
    student.call(student.harness.vjp, [student.mlp, [X, remote], v], label="backpropagating through mlp")
    grads = student.harness.grads_of(remote)
    mine = [p.clone().requires_grad_() for p in params]
    ref.mlp(X, mine).backward(v)
    for name, got, param in zip(("W1", "b1", "W2", "b2"), grads, mine):
        if got is None:
            raise AssertionError(f"no gradient reached {name}: build the output from params with tensor operations")
        expect.close(got, param.grad, f"the gradient with respect to {name} is wrong", **expect.TOL64)


@exercise("mlp")
@points(1)
def test_mlp_from_scratch(student, rng):
    """mlp works and is built from your relu and tensor operations, without library layers or activations."""
    sizes = [randint(rng, 6, 10), randint(rng, 4, 8), 3]
    params = _mlp_params(rng, sizes)
    X = randn(rng, 4, sizes[0])
    expect.close(student.mlp(X, params), ref.mlp(X, params), "mlp(X, params) is wrong")
    expect.from_scratch(student, "mlp", RELUS | LAYERS, "mlp (use your relu)")


@exercise("mlp")
@points(2)
@pytest.mark.timeout(120)
def test_mlp_learns_digits(student, rng, settings, assignment):
    """init_mlp_params, relu and mlp, trained with train_ch3, classify real digits."""
    train, test, test_X, test_y = _digits(rng)
    params = student.call(student.init_mlp_params, [], as_handle=True, label="init_mlp_params()")
    net = student.harness.bind(student.mlp, params)
    loss = student.lib("torch.nn").CrossEntropyLoss(reduction="none")
    student.train_ch3(net, student.put(train), student.put(test), loss, 10, 64, params, 0.1)
    trained = student.fetch(params)
    with torch.no_grad():
        accuracy = (ref.mlp(test_X, trained).argmax(dim=1) == test_y).float().mean().item()
    threshold = settings.threshold(assignment.id, "mlp_digits_accuracy")
    assert accuracy >= threshold, (
        f"after 10 epochs the test accuracy is {accuracy:.3f}, below the {threshold:g} this check needs "
        "(check the initialisation and the model)"
    )


# --- l2_penalty ---------------------------------------------------------------------------


@exercise("l2_penalty")
@points(2)
def test_l2_penalty_values(student, rng):
    """Half the sum of squares, as a 0-dim tensor, for a matrix and a 3-D tensor."""
    for shape in ((randint(rng, 5, 9), randint(rng, 10, 14)), (2, randint(rng, 3, 6), 4)):
        w = randn(rng, shape) * 2
        got = expect.tensor(student.l2_penalty(w), f"l2_penalty(w) for w of shape {shape}", ())
        expect.close(got, (w**2).sum() / 2, "l2_penalty should be half the sum of the squares (not the mean, not the norm)")


@exercise("l2_penalty")
@points(1)
def test_l2_penalty_gradient(student, rng):
    """The gradient of the penalty with respect to w is w itself."""
    w = randn(rng, randint(rng, 4, 8), 3)
    one = torch.tensor(1.0, dtype=torch.float64)
    expect.gradients(student, student.l2_penalty, [w.clone().requires_grad_()], one, [w], "l2_penalty")


# --- weight_decay_optimizers ------------------------------------------------------------


def _two_layer(student, rng):
    d, h, q = randint(rng, 5, 9), randint(rng, 4, 8), randint(rng, 2, 4)
    nn = student.lib("torch.nn")
    remote = nn.Sequential(nn.Linear(d, h), nn.ReLU(), nn.Linear(h, q))
    local = torch.nn.Sequential(torch.nn.Linear(d, h), torch.nn.ReLU(), torch.nn.Linear(h, q))
    weights = {name: randn(rng, value.shape, dtype=F32) for name, value in local.state_dict().items()}
    local.load_state_dict(weights)
    remote.load_state_dict(weights)
    return remote, local


def _optimizers(student, net, lr, wd):
    optimizers = student.weight_decay_optimizers(net, lr, wd)
    if is_instance(optimizers, "torch.optim.optimizer.Optimizer"):
        optimizers = [optimizers]
    assert type(optimizers) in (list, tuple) and optimizers, "weight_decay_optimizers should return [optimizer_w, optimizer_b]"
    for optimizer in optimizers:
        assert is_instance(optimizer, "torch.optim.optimizer.Optimizer"), (
            f"weight_decay_optimizers should return torch.optim optimizers, but one item is {expect.kind(optimizer)}"
        )
    return optimizers


@exercise("weight_decay_optimizers")
@points(2)
def test_weight_decay_groups(student, rng):
    """Weights are decayed with weight_decay=wd, biases are not; every parameter is stepped exactly once."""
    net, local = _two_layer(student, rng)
    lr, wd = round(uniform(rng, 0.05, 0.3), 3), round(uniform(rng, 0.5, 4.0), 3)
    seen = {}
    for optimizer in _optimizers(student, net, lr, wd):
        for group in student.harness.param_groups(optimizer, net):
            for name in group["names"]:
                seen.setdefault(name, []).append(group)
    names = [name for name, _ in local.named_parameters()]
    assert "?" not in seen, "the optimizers hold tensors that are not parameters of net"
    for name in names:
        assert name in seen, "some parameters of net are in no optimizer: they would never be trained"
        assert len(seen[name]) == 1, "a parameter is in more than one optimizer: it would be stepped twice"
    for name in names:
        group = seen[name][0]
        expect.scalar_close(group["lr"], lr, "every optimizer should use the learning rate lr", rtol=0, atol=1e-12)
        if name.endswith("weight"):
            expect.scalar_close(
                group.get("weight_decay", 0.0), wd, "the weights should be decayed with weight_decay=wd", rtol=0, atol=1e-12
            )
        else:
            assert group.get("weight_decay", 0.0) == 0, (
                "the biases are decayed too: SGD decays every parameter it is given, so give the biases to an "
                "optimizer without weight_decay"
            )


@exercise("weight_decay_optimizers")
@points(2)
def test_weight_decay_step(student, rng):
    """One step of the returned optimizers equals SGD with decay on the weights only."""
    net, local = _two_layer(student, rng)
    lr, wd = round(uniform(rng, 0.05, 0.3), 3), round(uniform(rng, 0.5, 4.0), 3)
    grads = {name: randn(rng, p.shape, dtype=F32) for name, p in local.named_parameters()}
    optimizers = _optimizers(student, net, lr, wd)
    student.harness.set_grads(net, grads)
    for optimizer in optimizers:
        optimizer.step()
    weights = [p for name, p in local.named_parameters() if name.endswith("weight")]
    biases = [p for name, p in local.named_parameters() if not name.endswith("weight")]
    mine = torch.optim.SGD([{"params": weights, "weight_decay": wd}, {"params": biases}], lr=lr)
    for name, p in local.named_parameters():
        p.grad = grads[name].clone()
    mine.step()
    got = net.state_dict()
    message = "after one step the parameters are wrong: weights take w - lr * (grad + wd * w), biases b - lr * grad"
    for name, value in local.state_dict().items():
        expect.close(got[name], value, message)


# --- dropout --------------------------------------------------------------------------------


@exercise("dropout")
@points(2)
def test_dropout_extremes(student, rng):
    """drop_prob = 0 returns X unchanged; drop_prob = 1 returns exact zeros."""
    shape = (randint(rng, 3, 6), randint(rng, 7, 11), randint(rng, 2, 5))
    X = randn(rng, shape, dtype=F32)
    got = expect.tensor(student.dropout(X, 0.0), "dropout(X, 0.0)", shape)
    expect.close(got, X, "with drop_prob = 0 nothing is dropped and nothing is rescaled: dropout should return X")
    got = expect.tensor(student.dropout(X, 1.0), "dropout(X, 1.0)", shape)
    assert not got.isnan().any(), "dropout(X, 1.0) contains NaN: with drop_prob = 1, return zeros instead of dividing by 0"
    assert torch.equal(got, torch.zeros(shape)), "with drop_prob = 1 every element is dropped: the result should be all zeros"


@exercise("dropout")
@points(2)
def test_dropout_fraction(student, rng):
    """Over many elements, a fraction drop_prob is dropped, independently per element and per call."""
    p = away_from_half(rng)
    shape = (randint(rng, 250, 300), randint(rng, 350, 400))
    X = torch.ones(shape)
    first = expect.tensor(student.dropout(X, p), "dropout(X, drop_prob)", shape)
    dropped = (first == 0).double().mean().item()
    expect.scalar_close(
        dropped,
        p,
        "the fraction of dropped elements is not drop_prob: keep each element with probability 1 - drop_prob "
        "(torch.rand(X.shape) < 1 - drop_prob)",
        rtol=0,
        atol=0.01,
    )
    kept = first != 0
    same_as_first_row = (kept == kept[0]).all(dim=1).double().mean().item()
    assert same_as_first_row < 0.5, "every row has the same mask: draw one random number per element of X"
    second = expect.tensor(student.dropout(X, p), "dropout(X, drop_prob)", shape)
    assert not torch.equal(first != 0, second != 0), "two calls dropped the same elements: draw a fresh mask on every call"


@exercise("dropout")
@points(2)
def test_dropout_rescaling(student, rng):
    """Kept elements are divided by 1 - drop_prob, so the expectation is unchanged."""
    p = away_from_half(rng)
    shape = (randint(rng, 200, 250), randint(rng, 250, 300))
    X = torch.rand(shape, generator=rng) + 0.5
    got = expect.tensor(student.dropout(X, p), "dropout(X, drop_prob)", shape)
    kept = got != 0
    assert kept.any(), "dropout dropped every element"
    expect.close(
        got[kept],
        X[kept] / (1 - p),
        "kept elements should be divided by 1 - drop_prob (the keep probability), not left as they are and not "
        "divided by drop_prob",
    )
    expect.scalar_close(
        got.double().mean().item() / X.double().mean().item(),
        1.0,
        "dropout should not change the expected value of X",
        rtol=0,
        atol=0.05,
    )


@exercise("dropout")
@points(1)
def test_dropout_gradient(student, rng):
    """The gradient is the mask divided by 1 - drop_prob."""
    p = away_from_half(rng)
    X = randn(rng, randint(rng, 20, 30), randint(rng, 30, 40), dtype=F32)
    v = randn(rng, X.shape, dtype=F32)
    out, grads = student.call(
        student.harness.vjp, [student.dropout, [X.clone().requires_grad_(), p], v], label="backpropagating through dropout"
    )
    out = expect.tensor(out, "dropout(X, drop_prob)", X.shape)
    assert type(grads) is list and len(grads) == 1 and grads[0] is not None, (
        "no gradient reached X through dropout: build the result from X with tensor operations"
    )
    expect.close(grads[0], v * (out != 0) / (1 - p), "the gradient through dropout is wrong")


@exercise("dropout")
@points(1)
def test_dropout_from_scratch(student, rng):
    """dropout works and is written from scratch."""
    X = randn(rng, 5, 6, dtype=F32)
    expect.close(student.dropout(X, 0.0), X, "dropout(X, 0.0) should return X")
    expect.from_scratch(student, "dropout", DROPOUTS, "dropout")


# --- dropout_mlp ------------------------------------------------------------------------


def _dropout_mlp_problem(rng):
    """float32, as the notes' dropout returns X.float()."""
    h, w = randint(rng, 3, 5), randint(rng, 3, 6)
    sizes = [h * w, randint(rng, 10, 16), randint(rng, 6, 10), randint(rng, 3, 5)]
    params = _mlp_params(rng, sizes, dtype=torch.float32)
    X = randn(rng, randint(rng, 6, 10), 1, h, w, dtype=F32)
    return params, X


@exercise("dropout_mlp")
@points(2)
def test_dropout_mlp_eval(student, rng):
    """With is_training=False no dropout: the output is the plain two-hidden-layer MLP, every time."""
    params, X = _dropout_mlp_problem(rng)
    p1, p2 = away_from_half(rng), away_from_half(rng)
    expected = ref.dropout_mlp(X, params, p1, p2, False)
    first = expect.tensor(student.dropout_mlp(X, params, p1, p2, False), "dropout_mlp(..., is_training=False)", expected.shape)
    message = "with is_training=False nothing may be dropped: relu(X W1 + b1), relu(H1 W2 + b2), then H2 W3 + b3"
    expect.close(first, expected, message, **expect.TOL32)
    second = student.dropout_mlp(X, params, p1, p2, is_training=False)
    expect.close(second, expected, message, **expect.TOL32)


@exercise("dropout_mlp")
@points(2)
def test_dropout_mlp_placement(student, rng):
    """While training, dropout(H1, drop_prob1) and dropout(H2, drop_prob2) follow the two hidden layers."""
    params, X = _dropout_mlp_problem(rng)
    W1, b1, W2, b2, W3, b3 = params
    n, q = len(X), W3.shape[1]
    got = expect.tensor(student.dropout_mlp(X, params, 0.0, 0.0), "dropout_mlp(X, params, 0.0, 0.0)", (n, q))
    expect.close(
        got,
        ref.dropout_mlp(X, params, 0.0, 0.0, False),
        "with both drop probabilities 0 nothing may change",
        **expect.TOL32,
    )
    got = expect.tensor(student.dropout_mlp(X, params, 1.0, 0.0), "dropout_mlp(X, params, 1.0, 0.0)", (n, q))
    expect.close(
        got,
        (torch.relu(b2) @ W3 + b3).expand(n, q),
        "with drop_prob1 = 1 the whole first hidden layer should be dropped: apply dropout(H1, drop_prob1) to the "
        "output of the first hidden layer, during training only",
        **expect.TOL32,
    )
    got = expect.tensor(student.dropout_mlp(X, params, 0.0, 1.0, True), "dropout_mlp(X, params, 0.0, 1.0, True)", (n, q))
    expect.close(
        got,
        b3.expand(n, q),
        "with drop_prob2 = 1 the whole second hidden layer should be dropped: apply dropout(H2, drop_prob2) to the "
        "output of the second hidden layer, not to the output layer",
        **expect.TOL32,
    )


# --- dropout_net ----------------------------------------------------------------------------


def _state_in_order(remote, local):
    """The student's module's floating-point state, in order, checked against the local module's shapes (names may differ)."""
    got = remote.state_dict()
    assert type(got) is dict, "net.state_dict() is not a dict of tensors"
    state = [(k, v) for k, v in got.items() if type(v) is torch.Tensor and v.is_floating_point()]
    values = [v for v in local.state_dict().values() if v.is_floating_point()]
    assert [tuple(v.shape) for _, v in state] == [tuple(v.shape) for v in values], (
        "the layers or their sizes differ from Flatten, Linear(num_inputs, num_hiddens1), ReLU, Dropout, "
        "Linear(num_hiddens1, num_hiddens2), ReLU, Dropout, Linear(num_hiddens2, num_outputs)"
    )
    return state


def _load_in_order(remote, local):
    """Give the student's module the local module's state, matched in order."""
    state = _state_in_order(remote, local)
    values = [v for v in local.state_dict().values() if v.is_floating_point()]
    remote.load_state_dict({k: v for (k, _), v in zip(state, values)}, strict=False)


def _dropout_net_pair(student, rng, p1, p2):
    h, w = randint(rng, 3, 6), randint(rng, 3, 6)
    sizes = (h * w, randint(rng, 10, 16), randint(rng, 6, 10), randint(rng, 3, 5))
    remote = student.dropout_net(*sizes, p1, p2)
    assert is_instance(remote, expect.MODULE), "dropout_net should return an nn.Module (nn.Sequential)"
    local = ref.dropout_net(*sizes, p1, p2)
    with torch.no_grad():
        for param in local.parameters():
            param.copy_(randn(rng, param.shape, dtype=F32) * 0.5)
    _load_in_order(remote, local)
    X = randn(rng, randint(rng, 6, 10), 1, h, w, dtype=F32)
    return remote, local, X


@exercise("dropout_net")
@points(1)
def test_dropout_net_layers(student, rng):
    """Two Dropout layers with drop_prob1 then drop_prob2, and three Linear layers."""
    p1, p2 = away_from_half(rng), away_from_half(rng)
    remote, _, _ = _dropout_net_pair(student, rng, p1, p2)
    types = [(name, kind.rsplit(".", 1)[-1]) for name, kind in student.harness.module_types(remote) if name]
    dropouts = [name for name, kind in types if kind == "Dropout"]
    assert len(dropouts) == 2, "the net should hold two nn.Dropout layers"
    probs = [student.harness.module_attr(remote, name, "p") for name in dropouts]
    assert probs == [p1, p2], "the first Dropout should use drop_prob1 and the second drop_prob2"
    assert sum(kind == "Linear" for _, kind in types) == 3, "the net should hold three nn.Linear layers"


@exercise("dropout_net")
@points(2)
def test_dropout_net_eval(student, rng):
    """In eval mode the net is deterministic and equals the MLP without dropout."""
    remote, local, X = _dropout_net_pair(student, rng, away_from_half(rng), away_from_half(rng))
    remote.eval()
    local.eval()
    expected = local(X).detach()
    for _ in range(2):
        got = expect.tensor(remote(X), "net(X) in eval mode", expected.shape)
        expect.close(got, expected, "in eval mode the net should be the MLP without dropout: check the layers and their order")


@exercise("dropout_net")
@points(2)
def test_dropout_net_train_mode(student, rng):
    """In train mode each Dropout acts on the output of its hidden layer."""
    remote, local, X = _dropout_net_pair(student, rng, 1.0, 0.0)
    remote.train()
    last, second = local[7], local[4]
    with torch.no_grad():
        expected = last(torch.relu(second.bias)).expand(len(X), -1)
    got = expect.tensor(remote(X), "net(X) in train mode", expected.shape)
    expect.close(got, expected, "with drop_prob1 = 1 the first hidden layer should be dropped entirely, after its ReLU")
    remote, local, X = _dropout_net_pair(student, rng, 0.0, 1.0)
    remote.train()
    expected = local[7].bias.detach().expand(len(X), -1)
    got = expect.tensor(remote(X), "net(X) in train mode", expected.shape)
    expect.close(got, expected, "with drop_prob2 = 1 the second hidden layer should be dropped entirely, before the output")


@exercise("dropout_net")
@points(2)
@pytest.mark.timeout(120)
def test_dropout_net_learns_digits(student, rng, settings, assignment):
    """dropout_net(), trained with SGD and momentum through train_ch3, classifies real digits in eval mode."""
    train, test, test_X, test_y = _digits(rng)
    net = student.dropout_net()
    assert is_instance(net, expect.MODULE), "dropout_net should return an nn.Module (nn.Sequential)"
    optimizer = student.lib("torch.optim").SGD(net.parameters(), lr=0.02, momentum=0.9)
    loss = student.lib("torch.nn").CrossEntropyLoss()
    student.train_ch3(net, student.put(train), student.put(test), loss, 12, 64, None, None, optimizer)
    local = ref.dropout_net()
    trained = _state_in_order(net, local)
    with torch.no_grad():
        for param, (_, value) in zip(local.state_dict().values(), trained):
            param.copy_(value)
    local.eval()
    with torch.no_grad():
        accuracy = (local(test_X).argmax(dim=1) == test_y).float().mean().item()
    threshold = settings.threshold(assignment.id, "dropout_digits_accuracy")
    assert accuracy >= threshold, (
        f"after 12 epochs the test accuracy in eval mode is {accuracy:.3f}, below the {threshold:g} this check needs"
    )


# --- xavier_uniform_ ----------------------------------------------------------------------


def _xavier(student, shape):
    """Fill a zero tensor in the worker; judge the returned tensor, or the filled one when nothing usable came back."""
    remote = student.put(torch.zeros(shape))
    result = student.xavier_uniform_(remote)
    if type(result) is torch.Tensor and tuple(result.shape) == tuple(shape):
        return result
    return student.fetch(remote)


def _judge_uniform(values, bound):
    """U(-bound, bound) judged with tolerances of six standard errors for this many values (false alarms < 1e-8)."""
    values = values.double().flatten()
    sigmas = 6 / math.sqrt(len(values))
    assert values.abs().max().item() <= bound * (1 + 1e-6), (
        "values lie beyond the bound: draw from U(-a, a) with a = sqrt(6 / (fan_in + fan_out)), not from a normal "
        "distribution; and check how you compute the fans"
    )
    assert values.abs().max().item() >= 0.99 * bound, (
        "the values never come near the bound a = sqrt(6 / (fan_in + fan_out)): is your a too small?"
    )
    expect.scalar_close(
        values.var().item() / (bound**2 / 3),
        1.0,
        "the spread of the values is wrong for U(-a, a), a = sqrt(6 / (fan_in + fan_out))",
        rtol=0,
        atol=0.9 * sigmas,
    )
    expect.scalar_close(
        (values.abs() < bound / 2).double().mean().item(),
        0.5,
        "the values are not uniformly spread over [-a, a]",
        rtol=0,
        atol=0.5 * sigmas,
    )
    expect.scalar_close(
        values.mean().item(), 0.0, "the values should be centred on 0", rtol=0, atol=bound / math.sqrt(3) * sigmas
    )


@exercise("xavier_uniform_")
@points(2)
def test_xavier_in_place(student, rng):
    """A parameter is filled in place (same storage), stays a leaf, records no graph, and is returned."""
    fan_out, fan_in = randint(rng, 30, 60), randint(rng, 80, 120)
    Parameter = student.lib("torch.nn").Parameter
    param = student.call(Parameter, [torch.zeros(fan_out, fan_in)], as_handle=True, label="nn.Parameter(...)")
    before = student.harness.graph_state(param)
    result = student.call(student.xavier_uniform_, [param], as_handle=True, label="xavier_uniform_(weight)")
    after = student.harness.graph_state(param)
    assert after["data_ptr"] == before["data_ptr"], "xavier_uniform_ should fill the given tensor in place"
    assert after["is_leaf"] and after["requires_grad"] and after["grad_fn"] is None, (
        "the parameter is no longer a leaf or has a grad_fn: fill it under torch.no_grad()"
    )
    values = student.fetch(param)
    assert values.ne(0).any(), "the tensor is still all zeros: fill it in place (tensor.uniform_) instead of making a new one"
    bound = math.sqrt(6 / (fan_in + fan_out))
    assert values.abs().max().item() <= bound * (1 + 1e-6), "values lie beyond a = sqrt(6 / (fan_in + fan_out))"
    assert is_instance(result, "torch.Tensor") and student.harness.graph_state(result)["data_ptr"] == before["data_ptr"], (
        "xavier_uniform_ should return the tensor it filled, as torch.nn.init's functions do"
    )


@exercise("xavier_uniform_")
@points(2)
def test_xavier_linear_weight(student, rng):
    """A Linear-shaped (fan_out, fan_in) weight follows U(-a, a), a = sqrt(6 / (fan_in + fan_out))."""
    fan_out, fan_in = randint(rng, 100, 150), randint(rng, 400, 600)
    values = _xavier(student, (fan_out, fan_in))
    _judge_uniform(values, math.sqrt(6 / (fan_in + fan_out)))


@exercise("xavier_uniform_")
@points(1)
def test_xavier_conv_weight(student, rng):
    """A convolution weight (out, in, k1, k2), a non-square kernel on purpose: both fans are multiplied by k1 * k2."""
    out_channels, in_channels = randint(rng, 48, 64), randint(rng, 24, 32)
    k1 = randint(rng, 2, 4)
    k2 = k1 + randint(rng, 1, 3)  # never square: a k1 ** 2 kernel size shows
    values = _xavier(student, (out_channels, in_channels, k1, k2))
    _judge_uniform(values, math.sqrt(6 / ((in_channels + out_channels) * k1 * k2)))


@exercise("xavier_uniform_")
@points(1)
def test_xavier_from_scratch(student, rng):
    """xavier_uniform_ works and is written from scratch."""
    shape = (randint(rng, 5, 10), randint(rng, 12, 20))
    values = _xavier(student, shape)
    assert values.abs().max().item() <= math.sqrt(6 / sum(shape)) * (1 + 1e-6), "xavier_uniform_ gives values out of bounds"
    assert values.ne(0).any(), "xavier_uniform_ left the tensor at zero"
    expect.from_scratch(student, "xavier_uniform_", INITIALISERS, "xavier_uniform_")
