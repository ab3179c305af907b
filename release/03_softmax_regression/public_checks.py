"""Public checks for 03_softmax_regression: run them in the notebook with check("softmax") or check().

A quick, visible sample: the grade comes from hidden checks on other inputs.
"""

import os
import struct
import tempfile

import numpy as np
import torch

from kitcheck import close, public, python_float, randint, tensor

NAMES = ["t-shirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "ankle boot"]


@public("get_fashion_mnist_labels")
def label_names(student, rng):
    """Indices map to the ten class names, in order."""
    labels = torch.randperm(10, generator=rng)[: randint(rng, 3, 8)]
    got = student.get_fashion_mnist_labels(labels.tolist())
    assert got == [NAMES[i] for i in labels], "wrong names: check the order and spelling of the ten classes"


@public("image_to_tensor")
def image_to_tensor_scales(student, rng):
    """uint8 and int64 images of 0..255 become (C, H, W) float32 in [0, 1]."""
    h, w = randint(rng, 4, 8), randint(rng, 9, 13)
    pixels = torch.randint(0, 256, (h, w, 3), generator=rng)
    pixels[0, 0, 0] = 255
    for dtype in (np.uint8, np.int64):
        image = pixels.numpy().astype(dtype)
        what = f"image_to_tensor({np.dtype(dtype).name} image)"
        got = tensor(student.image_to_tensor(image), what, (3, h, w), torch.float32)
        close(got, pixels.permute(2, 0, 1) / 255.0, f"a {np.dtype(dtype).name} image of 0..255 values must be scaled to [0, 1]")


def _idx(path, array):
    array = np.asarray(array, dtype=np.uint8)
    code = 0x0800 | array.ndim
    with open(path, "wb") as f:
        f.write(struct.pack(">I", code) + b"".join(struct.pack(">I", n) for n in array.shape) + array.tobytes())


@public("load_data_fashion_mnist")
def loads_idx_files(student, rng):
    """Reads root/FashionMNIST/raw; test batches in file order as floats in [0, 1]; resize works."""
    n = randint(rng, 8, 14)
    images = torch.randint(0, 256, (2, n, 28, 28), generator=rng, dtype=torch.uint8).numpy()
    labels = torch.randint(0, 10, (2, n), generator=rng, dtype=torch.uint8).numpy()
    with tempfile.TemporaryDirectory() as root:
        raw = os.path.join(root, "FashionMNIST", "raw")
        os.makedirs(raw)
        for i, prefix in enumerate(("train", "t10k")):
            _idx(os.path.join(raw, f"{prefix}-images-idx3-ubyte"), images[i])
            _idx(os.path.join(raw, f"{prefix}-labels-idx1-ubyte"), labels[i])
        train_iter, test_iter = student.load_data_fashion_mnist(n, root=root)
        X, y = next(iter(test_iter))
        tensor(X, "a test batch X", (n, 1, 28, 28), torch.float32)
        close(X[:, 0], torch.from_numpy(images[1]) / 255.0, "test images should come in file order, scaled to [0, 1]")
        assert y.tolist() == labels[1].tolist(), "test labels should come in file order"
        size = randint(rng, 10, 20)
        _, test_iter = student.load_data_fashion_mnist(n, resize=size, root=root)
        tensor(next(iter(test_iter))[0], f"a batch with resize={size}", (n, 1, size, size))


@public("softmax")
def softmax_values(student, rng):
    """Each row of softmax(X) is positive, sums to 1 and is exp(X) / sum(exp(X)) of that row."""
    n, q = randint(rng, 2, 6), randint(rng, 3, 9)
    X = torch.randn(n, q, generator=rng)
    P = tensor(student.softmax(X), "softmax(X)", (n, q))
    close(P.sum(dim=1), torch.ones(n), "rows of softmax do not sum to 1: which dimension did you sum over (keepdim)?")
    close(P, X.exp() / X.exp().sum(dim=1, keepdim=True), "softmax values are wrong: exp(X) / row sums of exp(X)")


@public("cross_entropy")
def cross_entropy_values(student, rng):
    """-log of the probability of the true class, shape (n, 1)."""
    n, q = randint(rng, 3, 7), randint(rng, 3, 6)
    y_hat = torch.rand(n, q, generator=rng) + 0.1
    y_hat = y_hat / y_hat.sum(dim=1, keepdim=True)
    y = torch.randint(0, q, (n,), generator=rng)
    loss = tensor(student.cross_entropy(y_hat, y), "cross_entropy(y_hat, y)", (n, 1))
    close(loss, -y_hat[torch.arange(n), y].log().view(n, 1), "pick the true class's probability of each row (gather on dim 1)")


@public("accuracy")
def accuracy_fraction(student, rng):
    """The fraction of rows whose largest entry is at the label, as a Python float."""
    n, q = randint(rng, 5, 12), randint(rng, 3, 6)
    y_hat, y = torch.randn(n, q, generator=rng), torch.randint(0, q, (n,), generator=rng)
    got = python_float(student.accuracy(y_hat, y), "accuracy(y_hat, y)")
    assert abs(got - (y_hat.argmax(dim=1) == y).float().mean().item()) < 1e-6, "accuracy should be the fraction correct"


@public("evaluate_accuracy")
def evaluate_accuracy_over_batches(student, rng):
    """Accuracy over every example of uneven batches, for a function and for a module (in eval mode)."""
    sizes = [randint(rng, 4, 8), randint(rng, 1, 4)]
    batches = [(torch.randn(s, 4, generator=rng), torch.randint(0, 4, (s,), generator=rng)) for s in sizes]
    X = torch.cat([b[0] for b in batches])
    y = torch.cat([b[1] for b in batches])
    expected = (X.argmax(dim=1) == y).float().mean().item()
    got = python_float(student.evaluate_accuracy(batches, lambda X: X), "evaluate_accuracy(data, net)")
    assert abs(got - expected) < 1e-6, "evaluate_accuracy should count correct examples and divide by the number of examples"
    net = torch.nn.Sequential(torch.nn.Dropout(0.9), torch.nn.Linear(4, 4))
    with torch.no_grad():
        net[1].weight.copy_(torch.eye(4))
        net[1].bias.zero_()
    got = python_float(student.evaluate_accuracy(batches, net), "evaluate_accuracy(data, module)")
    assert abs(got - expected) < 1e-6, "a module should be evaluated in eval mode (dropout off): call net.eval()"
    assert net.training, "put the module back in train mode afterwards"


@public("train_ch3")
def train_ch3_steps_with_sgd(student, rng):
    """Three epochs on one batch take the three sgd steps of the summed loss, gradients zeroed in between."""
    n = randint(rng, 6, 12)
    X, y = torch.randn(n, 4, generator=rng), torch.randint(0, 3, (n,), generator=rng)
    start = torch.randn(4, 3, generator=rng) * 0.1

    def model(W):
        return lambda X: torch.softmax(X @ W, dim=1)

    def loss(y_hat, y):
        return -y_hat.gather(1, y.view(-1, 1)).log()

    W = start.clone().requires_grad_()
    student.train_ch3(model(W), [(X, y)], [(X, y)], loss, 3, n, [W], 0.5)
    mine = start.clone().requires_grad_()
    for _ in range(3):
        loss(model(mine)(X), y).sum().backward()
        mine.data -= 0.5 * mine.grad / n
        mine.grad.zero_()
    close(W.detach(), mine.detach(), "the parameters after three epochs are wrong: zero the gradients before each backward")


@public("FlattenLayer")
def flatten_layer_shape(student, rng):
    """(n, ...) becomes (n, -1) with the values in order."""
    n, c, h = randint(rng, 2, 5), randint(rng, 1, 3), randint(rng, 2, 6)
    x = torch.randn(n, c, h, h + 1, generator=rng)
    out = tensor(student.FlattenLayer()(x), "FlattenLayer()(x)", (n, c * h * (h + 1)))
    close(out, x.reshape(n, -1), "each example should become one row, values in order")
