"""Hidden checks for 03_softmax_regression.

Each check draws fresh inputs from `rng`, computes the expected values here
with the reference or PyTorch, and asks the student's code through `student`.
"""

import tempfile

import numpy as np
import pytest
import torch

from autograder import data, expect, nets
from autograder.draw import randint, randn, seed
from autograder.student import is_instance
from autograder.worker import harness
from reference import softmax_regression as ref

points, exercise = pytest.mark.points, pytest.mark.exercise
SOFTMAXES = {"softmax", "log_softmax", "Softmax", "LogSoftmax", "softmin", "Softmin", "gumbel_softmax"}
LOSSES = {"cross_entropy", "nll_loss", "CrossEntropyLoss", "NLLLoss", "binary_cross_entropy"}
F32 = torch.float32
RESIZED = {"atol": 1e-4}  # a Resize on a tensor rather than a PIL image may round a little differently


# --- get_fashion_mnist_labels ---------------------------------------------------------


@exercise("get_fashion_mnist_labels")
@points(1)
def test_label_names(student, rng):
    """Label indices map to the ten class names in order."""
    labels = torch.cat([torch.randperm(10, generator=rng), torch.randint(0, 10, (5,), generator=rng)])
    got = student.get_fashion_mnist_labels(labels.tolist())
    assert got == ref.get_fashion_mnist_labels(labels), "wrong names: check the order and spelling of the ten classes"
    got = student.get_fashion_mnist_labels(labels)
    assert got == ref.get_fashion_mnist_labels(labels), "a 1-D tensor of labels should give the same names as a list"


# --- image_to_tensor ---------------------------------------------------------------------


@exercise("image_to_tensor")
@points(1)
def test_uint8_image(student, rng):
    """A uint8 (H, W, C) image becomes (C, H, W) float32 in [0, 1]."""
    h, w = randint(rng, 3, 9), randint(rng, 10, 16)
    image = torch.randint(0, 256, (h, w, 3), generator=rng, dtype=torch.uint8).numpy()
    got = expect.tensor(student.image_to_tensor(image), "image_to_tensor(uint8 image)", (3, h, w), torch.float32)
    expect.close(got, ref.image_to_tensor(image), "uint8 pixels should be divided by 255, channels moved first")


@exercise("image_to_tensor")
@points(2)
def test_non_uint8_images_are_scaled(student, rng):
    """int64 and float images of 0..255 values are scaled too (the ToTensor pitfall), float ones in [0, 1] kept as they are.

    Results are float32, and the caller's array is left as it was.
    """
    h, w = randint(rng, 4, 9), randint(rng, 10, 14)
    pixels = torch.randint(0, 256, (h, w, 1), generator=rng)
    pixels[0, 0, 0] = 255
    for dtype in (np.int64, np.float64):
        image, name = pixels.numpy().astype(dtype), np.dtype(dtype).name
        remote = student.put(image.copy())  # the caller's array, kept in the worker to see whether the call changes it
        got = expect.tensor(student.image_to_tensor(remote), f"image_to_tensor({name} image)", (1, h, w), torch.float32)
        expect.close(got, ref.image_to_tensor(image), f"a {name} image of 0..255 values must be scaled to [0, 1]")
        assert np.array_equal(student.fetch(remote), image), (
            f"image_to_tensor changed the caller's {name} array: scale a copy (image = image / 255), not the array itself"
        )
    # a float image already in [0, 1], with a pixel exactly 1.0 and one exactly 0.0 on purpose (the boundary)
    image = torch.rand(h, w, 1, generator=rng, dtype=torch.float64).numpy()
    image[0, 0, 0], image[-1, -1, 0] = 1.0, 0.0
    got = expect.tensor(student.image_to_tensor(image), "image_to_tensor(float image in [0, 1])", (1, h, w), torch.float32)
    expect.close(
        got,
        ref.image_to_tensor(image),
        "a float image already in [0, 1] (white is exactly 1.0) must be kept as it is, not divided by 255 again",
    )
    # the rest of the scaling rule at its edges, on purpose: integers always scale (even a 0/1 image), floats with
    # any value above 1 (here at most exactly 2.0) scale
    binary = (pixels % 2).numpy().astype(np.int64)
    binary[0, 0, 0] = 1
    dark = np.clip(pixels.numpy() / 127.5, 0.0, 2.0)
    dark[0, 0, 0] = 2.0
    edges = [
        (binary, "an int64 image of 0s and 1s is still 0..255 pixel values: integer images are always divided by 255"),
        (dark, "a float image with values above 1 (here up to 2.0) holds 0..255 pixel values: divide it by 255"),
    ]
    for image, message in edges:
        expected = ref.image_to_tensor(image.copy())
        got = expect.tensor(student.image_to_tensor(image), "image_to_tensor(image)", (1, h, w), torch.float32)
        expect.close(got, expected, message)


@exercise("image_to_tensor")
@points(1)
def test_grey_and_bad_images(student, rng):
    """(H, W) arrays gain a channel; values outside [0, 255] (above or below) raise ValueError."""
    h, w = randint(rng, 3, 7), randint(rng, 8, 12)
    image = torch.randint(0, 256, (h, w), generator=rng, dtype=torch.uint8).numpy()
    got = expect.tensor(student.image_to_tensor(image), "image_to_tensor((H, W) image)", (1, h, w))
    expect.close(got, ref.image_to_tensor(image), "a grey (H, W) image should become (1, H, W)")
    grey = image.astype(np.float64)  # a grey image that is not uint8 takes the scaling path, and gains a channel too
    got = expect.tensor(student.image_to_tensor(grey), "image_to_tensor((H, W) float image)", (1, h, w))
    expect.close(got, ref.image_to_tensor(grey.copy()), "a grey (H, W) float image should become (1, H, W)")
    for value, where in ((300.0, "above 255"), (-1.0, "below 0")):
        bad = np.full((h, w, 1), value)
        expect.raises("ValueError", lambda bad=bad: student.image_to_tensor(bad), f"image_to_tensor(values {where})")
    for value in (256, -1):  # the first integers outside [0, 255], on purpose
        edge = np.zeros((h, w), dtype=np.int64)
        edge[0, 0] = value
        expect.raises(
            "ValueError", lambda edge=edge: student.image_to_tensor(edge), f"image_to_tensor(an int64 image holding {value})"
        )


# --- load_data_fashion_mnist -------------------------------------------------------------


def _fake_fashion_mnist(rng, n_train, n_test):
    arrays = (
        torch.randint(0, 256, (n_train, 28, 28), generator=rng, dtype=torch.uint8),
        torch.randint(0, 10, (n_train,), generator=rng, dtype=torch.uint8),
        torch.randint(0, 256, (n_test, 28, 28), generator=rng, dtype=torch.uint8),
        torch.randint(0, 10, (n_test,), generator=rng, dtype=torch.uint8),
    )
    return arrays


def _load_both(student, arrays, batch_size, resize=None):
    root = student.harness.write_fashion_mnist(student.harness.fresh_dir(), *arrays)
    kwargs = {"root": root} if resize is None else {"resize": resize, "root": root}
    pair = student.load_data_fashion_mnist(batch_size, **kwargs)
    assert type(pair) is tuple and len(pair) == 2, "load_data_fashion_mnist should return (train_iter, test_iter)"
    with tempfile.TemporaryDirectory() as mine:
        harness.write_fashion_mnist(mine, *arrays)
        expected = [list(it) for it in ref.load_data_fashion_mnist(batch_size, resize=resize, root=mine)]
    return pair, expected


@exercise("load_data_fashion_mnist")
@points(2)
def test_reads_idx_files(student, rng):
    """Test batches come in file order, scaled to [0, 1]; training batches cover every example, a smaller last one too."""
    batch_size = randint(rng, 5, 9)
    # sizes that leave a smaller last batch on purpose (a dropped one shows), not by chance
    n_train, n_test = (batch_size * randint(rng, k, k + 2) + randint(rng, 1, batch_size) for k in (4, 3))
    arrays = _fake_fashion_mnist(rng, n_train, n_test)
    (train_iter, test_iter), (_, expected_test) = _load_both(student, arrays, batch_size)
    got_test = list(test_iter)
    assert len(got_test) == len(expected_test), "test_iter should yield ceil(n / batch_size) batches"
    for (X, y), (eX, ey) in zip(got_test, expected_test):
        expect.tensor(X, "a test batch X", eX.shape, torch.float32)
        expect.close(X, eX, "test images should come in file order, as ToTensor makes them (float in [0, 1])")
        expect.tensor(y, "a test batch y", ey.shape, torch.int64)
        expect.close(y, ey, "test labels should come in file order as int64")
    train_batches = list(train_iter)
    sizes = [len(y) for _, y in train_batches]
    full, rest = divmod(n_train, batch_size)
    assert sizes == [batch_size] * full + [rest], (
        "train_iter should yield batches of batch_size examples (a smaller last one): pass batch_size to its DataLoader"
    )
    train_labels = torch.cat([y for _, y in train_batches])
    expect.close(
        torch.sort(train_labels).values,
        torch.sort(arrays[1].long()).values,
        "train_iter should yield every training example once per pass",
    )


@exercise("load_data_fashion_mnist")
@points(1)
def test_shuffles_training_data(student, rng):
    """Two passes over train_iter come in different orders."""
    arrays = _fake_fashion_mnist(rng, 60, 10)
    (train_iter, _), _ = _load_both(student, arrays, 60)
    in_file_order = arrays[1].long()
    passes = [torch.cat([y for _, y in train_iter]) for _ in range(2)]
    assert not all(torch.equal(p, in_file_order) for p in passes), "the training data should be shuffled (shuffle=True)"


@exercise("load_data_fashion_mnist")
@points(1)
def test_resize(student, rng):
    """resize=k resizes images before ToTensor."""
    arrays = _fake_fashion_mnist(rng, 12, 12)
    size = randint(rng, 10, 20)
    (_, test_iter), (_, expected_test) = _load_both(student, arrays, 6, resize=size)
    for (X, _), (eX, _) in zip(test_iter, expected_test):
        expect.tensor(X, f"a batch with resize={size}", eX.shape)
        expect.close(X, eX, "resized images differ: apply transforms.Resize before ToTensor", **RESIZED)


# --- softmax ------------------------------------------------------------------------


@exercise("softmax")
@points(2)
def test_softmax_values(student, rng):
    """Softmax of a non-square batch matches torch.softmax over rows."""
    X = randn(rng, randint(rng, 5, 9), randint(rng, 10, 14)) * 3
    got = expect.tensor(student.softmax(X), "softmax(X)", X.shape)
    expect.close(got, torch.softmax(X, dim=1), "rows of softmax(X) are wrong: exponentiate, then divide each row by its sum")


@exercise("softmax")
@points(1)
def test_softmax_square_batch(student, rng):
    """A square batch too: summing over the wrong dimension or without keepdim shows here."""
    n = randint(rng, 4, 9)
    X = randn(rng, n, n)
    got = expect.tensor(student.softmax(X), "softmax(X) for a square X", X.shape)
    expect.close(
        got, torch.softmax(X, dim=1), "rows of softmax do not sum to 1: which dimension did you sum over, and did you keepdim?"
    )


@exercise("softmax")
@points(1)
def test_softmax_gradient(student, rng):
    """Gradients through softmax (float64) match autograd on the formula."""
    X = randn(rng, 6, 4)
    v = randn(rng, 6, 4)
    mine = X.clone().requires_grad_()
    torch.softmax(mine, dim=1).backward(v)
    expect.gradients(student, student.softmax, [X.clone().requires_grad_()], v, [mine.grad], "softmax")


@exercise("softmax")
@points(1)
def test_softmax_from_scratch(student, rng):
    """softmax works and is written from scratch."""
    X = randn(rng, 3, 5)
    expect.close(student.softmax(X), torch.softmax(X, dim=1), "softmax(X) is wrong")
    expect.from_scratch(student, "softmax", SOFTMAXES, "softmax")


# --- cross_entropy -------------------------------------------------------------------


@exercise("cross_entropy")
@points(2)
def test_cross_entropy_values(student, rng):
    """Per-example cross-entropy, shape (n, 1), leaving the caller's labels as they were."""
    n, q = randint(rng, 6, 11), randint(rng, 3, 6)
    y_hat = torch.softmax(randn(rng, n, q), dim=1)
    y = torch.randint(0, q, (n,), generator=rng)
    remote = student.put(y.clone())  # the caller's labels, kept in the worker to see whether the call changes them
    got = expect.tensor(student.cross_entropy(y_hat, remote), "cross_entropy(y_hat, y)", (n, 1))
    expect.close(got, ref.cross_entropy(y_hat, y), "cross-entropy values are wrong: -log of the probability of the true class")
    after = student.fetch(remote)
    assert tuple(after.shape) == (n,) and torch.equal(after, y), (
        "cross_entropy changed the caller's labels y (an in-place unsqueeze_ or view_?): reshape a view, y.view(-1, 1)"
    )


@exercise("cross_entropy")
@points(1)
def test_cross_entropy_gradient(student, rng):
    """Gradient with respect to y_hat (float64)."""
    n, q = 5, 4
    y_hat = torch.softmax(randn(rng, n, q), dim=1)
    y = torch.randint(0, q, (n,), generator=rng)
    v = randn(rng, n, 1)
    mine = y_hat.clone().requires_grad_()
    ref.cross_entropy(mine, y).backward(v)
    expect.gradients(student, student.cross_entropy, [y_hat.clone().requires_grad_(), y], v, [mine.grad], "cross_entropy")


@exercise("cross_entropy")
@points(1)
def test_cross_entropy_from_scratch(student, rng):
    """cross_entropy works and is written from scratch."""
    y_hat = torch.softmax(randn(rng, 4, 3), dim=1)
    y = torch.randint(0, 3, (4,), generator=rng)
    expect.close(student.cross_entropy(y_hat, y), ref.cross_entropy(y_hat, y), "cross_entropy(y_hat, y) is wrong")
    expect.from_scratch(student, "cross_entropy", LOSSES | SOFTMAXES, "cross_entropy")


# --- accuracy and evaluate_accuracy -----------------------------------------------------


@exercise("accuracy")
@points(2)
def test_accuracy(student, rng):
    """The fraction of correct predictions, as a Python float."""
    n = randint(rng, 15, 30)
    y_hat = torch.rand(n, 5, generator=rng)
    y = torch.randint(0, 5, (n,), generator=rng)
    got = expect.python_float(student.accuracy(y_hat, y), "accuracy(y_hat, y)")
    expect.scalar_close(
        got, ref.accuracy(y_hat, y), "accuracy should be the fraction (not the count) of rows whose argmax is the label"
    )


def _batches(rng, d, q, sizes):
    return [(randn(rng, n, d, dtype=F32), torch.randint(0, q, (n,), generator=rng)) for n in sizes]


@exercise("evaluate_accuracy")
@points(1)
def test_evaluate_accuracy_function(student, rng):
    """A plain function net over uneven batches: correct / total examples."""
    remote, local = nets.linear_pair(student, rng, 6, 4)
    batches = _batches(rng, 6, 4, [7, 7, 3])
    got = expect.python_float(student.evaluate_accuracy(batches, remote.forward), "evaluate_accuracy(...)")
    with torch.no_grad():
        expected = ref.evaluate_accuracy(batches, local.forward)
    expect.scalar_close(got, expected, "evaluate_accuracy should divide the number correct by the number of examples")


@exercise("evaluate_accuracy")
@points(2)
def test_evaluate_accuracy_eval_mode(student, rng):
    """Modules are evaluated in eval mode (dropout off) and left in train mode."""
    nn = student.lib("torch.nn")
    linear, local = nets.linear_pair(student, rng, 8, 3)
    net = nn.Sequential(nn.Dropout(0.5), linear)
    batches = _batches(rng, 8, 3, [40, 40, 40])
    got = expect.python_float(student.evaluate_accuracy(batches, net), "evaluate_accuracy(data, net)")
    with torch.no_grad():
        expected = ref.evaluate_accuracy(batches, torch.nn.Sequential(torch.nn.Dropout(0.5), local))
    expect.scalar_close(got, expected, "dropout was active: evaluate a Module in eval mode (net.eval())")
    assert net.training is True, "the net should be back in train mode after evaluate_accuracy"
    got = expect.python_float(student.evaluate_accuracy(batches, net, "cpu"), "evaluate_accuracy(data, net, device)")
    expect.scalar_close(got, expected, "evaluate_accuracy(data, net, device) should accept a device")


# --- train_ch3 -----------------------------------------------------------------------


def _scratch_problem(rng, d=12, q=3, sizes=(5, 5, 4)):
    W = randn(rng, d, q, dtype=F32) * 0.1
    b = torch.zeros(q)
    return W, b, _batches(rng, d, q, sizes), _batches(rng, d, q, (6,))


@exercise("train_ch3")
@points(3)
def test_train_ch3_with_sgd(student, rng):
    """Two epochs with params and lr: the parameters match the reference loop step for step.

    The parameters come in carrying gradients from earlier work, on purpose: zero before backward, not after the step.
    """
    W, b, train, test = _scratch_problem(rng)
    stale = [randn(rng, W.shape, dtype=F32), randn(rng, b.shape, dtype=F32)]
    lr, batch_size = 0.5, 5
    rW, rb = student.put(W.clone().requires_grad_()), student.put(b.clone().requires_grad_())
    rW.grad, rb.grad = stale
    net, loss = student.harness.softmax_regression(rW, rb), student.harness.nll_rows
    student.train_ch3(net, train, test, loss, 2, batch_size, [rW, rb], lr)
    mW, mb = W.clone().requires_grad_(), b.clone().requires_grad_()
    mW.grad, mb.grad = (g.clone() for g in stale)
    ref.train_ch3(harness.softmax_regression(mW, mb), train, test, harness.nll_rows, 2, batch_size, [mW, mb], lr)
    message = (
        "parameters after training differ from the expected updates: zero the gradients every batch before backward "
        "(they may hold old gradients when train_ch3 starts), sum the loss, step with sgd(params, lr, batch_size)"
    )
    expect.close(student.fetch(rW), mW.detach(), message)
    expect.close(student.fetch(rb), mb.detach(), message)


@exercise("train_ch3")
@points(2)
def test_train_ch3_with_optimizer(student, rng):
    """With an optimizer: zero_grad, backward, step every batch, starting from a net that carries old gradients."""
    d, q = 10, 4
    remote, local = nets.linear_pair(student, rng, d, q)
    earlier, v = randn(rng, 3, d, dtype=F32), randn(rng, 3, q, dtype=F32)
    student.call(remote, (earlier,), as_handle=True).backward(v)  # gradients left by earlier work, on purpose
    local(earlier).backward(v)
    train, test = _batches(rng, d, q, (6, 6, 6)), _batches(rng, d, q, (5,))
    optimizer = student.lib("torch.optim").SGD(remote.parameters(), lr=0.3)
    loss = student.lib("torch.nn").CrossEntropyLoss()
    student.train_ch3(remote, train, test, loss, 2, 6, None, None, optimizer)
    ref.train_ch3(
        local, train, test, torch.nn.CrossEntropyLoss(), 2, 6, None, None, torch.optim.SGD(local.parameters(), lr=0.3)
    )
    got = remote.state_dict()
    for name, value in local.state_dict().items():
        expect.close(
            got[name],
            value,
            "with an optimizer, call optimizer.zero_grad() before backward (the net may carry old gradients) "
            "and optimizer.step() after",
        )


@exercise("train_ch3")
@points(2)
@pytest.mark.timeout(120)
def test_softmax_regression_learns_digits(student, rng, settings, assignment):
    """Your softmax, cross_entropy and train_ch3 train softmax regression on real digits."""
    train_X, train_y, test_X, test_y = data.digits_split(seed(rng))
    W = randn(rng, 784, 10, dtype=F32) * 0.01
    rW, rb = student.put(W.requires_grad_()), student.put(torch.zeros(10, requires_grad=True))
    train = student.put(harness.batches(train_X, train_y, 64))
    test = student.put(harness.batches(test_X[:64], test_y[:64], 64))
    net = student.harness.softmax_regression(rW, rb, student.softmax)
    student.train_ch3(net, train, test, student.cross_entropy, 5, 64, [rW, rb], 0.1)
    scores = test_X.reshape(len(test_X), -1) @ student.fetch(rW) + student.fetch(rb)
    accuracy = (scores.argmax(dim=1) == test_y).float().mean().item()
    threshold = settings.threshold(assignment.id, "digits_accuracy")
    assert accuracy >= threshold, (
        f"after 5 epochs the test accuracy is {accuracy:.3f}, below the {threshold:g} this check needs"
    )


# --- FlattenLayer ---------------------------------------------------------------------


@exercise("FlattenLayer")
@points(2)
def test_flatten_layer(student, rng):
    """(n, ...) -> (n, -1), keeping the batch dimension, as an nn.Module."""
    layer = student.FlattenLayer()
    assert is_instance(layer, expect.MODULE), "FlattenLayer should subclass nn.Module"
    for shape in [(randint(rng, 2, 6), 2, 3, randint(rng, 4, 7)), (1, 3, 5)]:
        x = randn(rng, shape, dtype=F32)
        got = expect.tensor(layer(x), f"FlattenLayer()(x) for x of shape {shape}", (shape[0], x[0].numel()))
        expect.close(got, x.reshape(shape[0], -1), "FlattenLayer should keep each example's values in order")


@exercise("FlattenLayer")
@points(1)
def test_flatten_layer_in_a_network(student, rng):
    """Gradients flow through FlattenLayer inside nn.Sequential."""
    nn = student.lib("torch.nn")
    remote, local = nets.linear_pair(student, rng, 12, 2)
    net = nn.Sequential(student.FlattenLayer(), remote)
    x = randn(rng, 3, 1, 3, 4, dtype=F32)
    expect.close(net(x), local(x.reshape(3, -1)).detach(), "Sequential(FlattenLayer(), Linear) gives wrong outputs")
    mine = x.clone().requires_grad_()
    local(torch.flatten(mine, 1)).backward(torch.ones(3, 2))
    expect.gradients(student, net, [x.clone().requires_grad_()], torch.ones(3, 2), [mine.grad], "FlattenLayer", **expect.TOL32)
