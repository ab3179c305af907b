"""Public helpers the grader calls inside the worker to wire student code together.

They hold no solution and no expected value: only glue, such as running a
backward pass or batching data that the grader sent.
"""

import torch


def vjp(fn, args, grad_output=None):
    """Call fn(*args), backpropagate grad_output (or a scalar's 1), return (out, grads).

    grads lists the .grad of each tensor argument that requires grad, in order
    (None where no gradient reached it).
    """
    out = fn(*args)
    if not isinstance(out, torch.Tensor):
        raise TypeError(f"expected a tensor result, got {type(out).__name__}")
    out.backward(grad_output)
    grads = [a.grad for a in args if isinstance(a, torch.Tensor) and a.requires_grad]
    return out.detach(), grads


def batches(features, labels, batch_size):
    """Split tensors into a list of (X, y) minibatches, in order; the list is reusable."""
    return [(features[i : i + batch_size], labels[i : i + batch_size]) for i in range(0, len(features), batch_size)]


def grads_of(params):
    """The .grad of each tensor in params (None where absent)."""
    return [p.grad for p in params]


def collect(iterable, limit=100_000):
    """Materialise up to limit items of an iterable (a generator stays here until asked)."""
    items = []
    for item in iterable:
        items.append(item)
        if len(items) >= limit:
            break
    return items


def fresh_dir(prefix="data-"):
    """A new empty folder in the worker's private temporary space."""
    import tempfile

    return tempfile.mkdtemp(prefix=prefix)


def write_idx(path, array):
    """Write a uint8 array in the IDX format of (Fashion-)MNIST: magic, sizes, then the bytes."""
    import struct

    import numpy

    array = numpy.ascontiguousarray(array, dtype=numpy.uint8)
    with open(path, "wb") as handle:
        handle.write(struct.pack(">HBB", 0, 0x08, array.ndim))
        handle.write(struct.pack(f">{array.ndim}I", *array.shape))
        handle.write(array.tobytes())


def write_fashion_mnist(root, train_images, train_labels, test_images, test_labels):
    """Lay out root/FashionMNIST/raw as torchvision expects, with uncompressed IDX files."""
    import os

    raw = os.path.join(root, "FashionMNIST", "raw")
    os.makedirs(raw, exist_ok=True)
    for name, array in (
        ("train-images-idx3-ubyte", train_images),
        ("train-labels-idx1-ubyte", train_labels),
        ("t10k-images-idx3-ubyte", test_images),
        ("t10k-labels-idx1-ubyte", test_labels),
    ):
        write_idx(os.path.join(raw, name), array.numpy() if hasattr(array, "numpy") else array)
    return root


def softmax_regression(W, b, softmax=None):
    """A from-scratch net: X (n, ...) -> softmax(X.reshape(n, -1) @ W + b); torch's softmax unless one is given."""

    def net(X):
        scores = X.reshape(len(X), -1) @ W + b
        return softmax(scores) if softmax is not None else torch.softmax(scores, dim=1)

    return net


def nll_rows(y_hat, y):
    """Negative log-likelihood per example from probabilities y_hat (n, q) and labels y (n,) -> (n,)."""
    return torch.nn.functional.nll_loss(torch.log(y_hat), y, reduction="none")


# --- 01_preliminaries and 02_linear_regression ---------------------------------------


def add_(obj, value):
    """obj += value in place, for a tensor (outside autograd) or a NumPy array; returns None."""
    if isinstance(obj, torch.Tensor):
        with torch.no_grad():
            obj.add_(value)
    else:
        obj += value


def device_of(tensor):
    """The device a tensor lives on, as a string such as 'cpu', 'cuda:0' or 'meta'."""
    return str(tensor.device)


def in_order(batch_size, features, labels):
    """A stand-in for data_iter that yields the minibatches in order, without shuffling."""
    yield from batches(features, labels, batch_size)


def train_linreg(data_iter, net, loss, sgd, features, labels, w, b, lr, num_epochs, batch_size):
    """The notes' training loop for linear regression from scratch, with the given pieces.

    Per minibatch: loss(net(X, w, b), y).sum(), backward, sgd([w, b], lr, batch_size),
    zero both gradients. Updates w and b in place; returns detached copies [w, b].
    """
    for _ in range(num_epochs):
        for X, y in data_iter(batch_size, features, labels):
            batch_loss = loss(net(X, w, b), y).sum()
            batch_loss.backward()
            sgd([w, b], lr, batch_size)
            for param in (w, b):
                if param.grad is not None:
                    param.grad.data.zero_()
    return [w.detach().clone(), b.detach().clone()]
