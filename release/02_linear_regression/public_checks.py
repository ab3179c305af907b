"""Public checks for 02_linear_regression: run them in the notebook with check("linreg") or check().

A quick, visible sample: the grade comes from hidden checks on other inputs.
"""

import torch

from kitcheck import close, is_instance, public, randint, tensor


@public("data_iter")
def data_iter_covers_every_example(student, rng):
    """One pass yields every example once, in batches of batch_size (the last may be smaller), shuffled."""
    n, batch_size = randint(rng, 40, 60), randint(rng, 6, 9)
    features, labels = torch.arange(2.0 * n).view(n, 2), torch.arange(float(n))
    batches = list(student.data_iter(batch_size, features, labels))
    lengths = [len(y) for _, y in batches]
    assert lengths and all(s == batch_size for s in lengths[:-1]) and 0 < lengths[-1] <= batch_size, (
        "batches should hold batch_size examples, only the last one fewer (and none empty)"
    )
    seen = torch.cat([y for _, y in batches])
    assert sorted(seen.tolist()) == labels.tolist(), "one pass should yield every example exactly once"
    for X, y in batches:
        assert torch.equal(X[:, 0], 2 * y), "X and y of a batch no longer belong together: shuffle them together"
    assert not torch.equal(seen, labels), "the examples come in file order: shuffle the indices"


@public("linreg")
def linreg_values(student, rng):
    """X @ w + b, shape (n, 1)."""
    n, d = randint(rng, 3, 8), randint(rng, 2, 5)
    X, w, b = torch.randn(n, d, generator=rng), torch.randn(d, 1, generator=rng), torch.randn(1, generator=rng)
    out = tensor(student.linreg(X, w, b), "linreg(X, w, b)", (n, 1))
    close(out, X @ w + b, "linreg should be X @ w + b")


@public("squared_loss")
def squared_loss_values(student, rng):
    """(y_hat - y)^2 / 2 per example, shape (n, 1), for y of shape (n,)."""
    n = randint(rng, 3, 8)
    y_hat, y = torch.randn(n, 1, generator=rng), torch.randn(n, generator=rng)
    loss = tensor(student.squared_loss(y_hat, y), "squared_loss(y_hat, y)", (n, 1))
    close(loss, (y_hat - y.view(n, 1)) ** 2 / 2, "the loss per example should be (y_hat - y) ** 2 / 2")


@public("sgd")
def sgd_steps_in_place(student, rng):
    """p.data -= lr * p.grad / batch_size; p stays the same leaf tensor."""
    p = torch.randn(randint(rng, 2, 5), generator=rng).requires_grad_()
    p.grad = torch.randn(p.shape, generator=rng)
    before, lr, batch_size = p.detach().clone(), 0.1, randint(rng, 2, 9)
    assert student.sgd([p], lr, batch_size) is None, "sgd should update the parameters and return nothing"
    close(p.detach(), before - lr * p.grad / batch_size, "each parameter should move by lr * grad / batch_size")
    assert p.is_leaf and p.requires_grad, "the parameter should stay a leaf that requires grad (update p.data)"


@public("LinearNet")
def linear_net_shape(student, rng):
    """LinearNet(d) has an nn.Linear `linear` and maps (n, d) to (n, 1)."""
    n, d = randint(rng, 2, 6), randint(rng, 2, 5)
    net = student.LinearNet(d)
    assert is_instance(getattr(net, "linear", None), "torch.nn.modules.linear.Linear"), (
        "LinearNet should keep an nn.Linear in the attribute `linear`"
    )
    X = torch.randn(n, d, generator=rng)
    out = tensor(net(X), "LinearNet(d)(X)", (n, 1))
    close(out, net.linear(X), "forward should return self.linear(x)")
