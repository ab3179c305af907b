"""Hidden checks for 06_convolution_basics.

Every input (sizes included) is drawn from `rng`; expected values come from
torch.nn.functional (conv2d, max_pool2d, avg_pool2d) or the reference module,
computed here. Networks get the same seeded weights on both sides (autograder.nets).
"""

import pytest
import torch
import torch.nn.functional as F

from autograder import data, draw, expect, nets
from autograder.student import is_instance
from autograder.worker import harness
from reference import convolution_basics as ref

points, exercise = pytest.mark.points, pytest.mark.exercise
CONVOLUTIONS = {"conv2d", "Conv2d", "conv1d", "conv_transpose2d", "correlate", "correlate2d", "convolve", "convolve2d"}
POOLINGS = {
    "max_pool2d",
    "avg_pool2d",
    "MaxPool2d",
    "AvgPool2d",
    "adaptive_max_pool2d",
    "adaptive_avg_pool2d",
    "AdaptiveMaxPool2d",
    "AdaptiveAvgPool2d",
    "max_pool1d",
    "avg_pool1d",
    "lp_pool2d",
    "fractional_max_pool2d",
}

LENET_TRIES = 2  # fresh starts of the digits training before the check gives up


def correlate(X, K):
    """The oracle: PyTorch's cross-correlation of a 2-D X and K."""
    return F.conv2d(X[None, None], K[None, None])[0, 0]


def image_and_kernel(rng):
    """A non-square X (h != w) and a non-square K (kh != kw)."""
    h, w = draw.randint(rng, 5, 9), draw.randint(rng, 9, 14)
    kh = draw.randint(rng, 1, 4)
    kw = kh + draw.randint(rng, 1, 3)
    if draw.randint(rng, 0, 2):
        kh, kw = kw, kh
    return draw.randn(rng, h, w, dtype=torch.float32), draw.randn(rng, kh, kw, dtype=torch.float32)


def check_corr2d_result(got, X, K, what):
    """corr2d's result on X (h, w) and K (kh, kw): a (h - kh + 1, w - kw + 1) tensor equal to PyTorch's cross-correlation."""
    want_shape = (X.shape[0] - K.shape[0] + 1, X.shape[1] - K.shape[1] + 1)
    got = expect.tensor(got, what)
    if tuple(got.shape) != want_shape:
        raise AssertionError(f"{what} has shape {tuple(got.shape)}: the output should be (h - kh + 1, w - kw + 1)")
    if nets.is_close(got, correlate(X, torch.flip(K, (0, 1)))) and not nets.is_close(got, correlate(X, K)):
        raise AssertionError(f"{what} flips the kernel: cross-correlation slides K as it is, without flipping it")
    expect.close(got, correlate(X, K), f"{what} is wrong: Y[i, j] is the sum of X[i:i + kh, j:j + kw] * K", **expect.TOL32)


# --- corr2d ----------------------------------------------------------------------------


@exercise("corr2d")
@points(2)
def test_corr2d_values(student, rng):
    """corr2d on non-square inputs and kernels matches PyTorch's cross-correlation."""
    for _ in range(2):
        X, K = image_and_kernel(rng)
        check_corr2d_result(student.corr2d(X, K), X, K, "corr2d(X, K)")


@exercise("corr2d")
@points(1)
def test_corr2d_gradient(student, rng):
    """Gradients flow through corr2d to both X and K."""
    X, K = image_and_kernel(rng)
    v = draw.randn(rng, X.shape[0] - K.shape[0] + 1, X.shape[1] - K.shape[1] + 1, dtype=torch.float32)
    mine_X, mine_K = X.clone().requires_grad_(), K.clone().requires_grad_()
    correlate(mine_X, mine_K).backward(v)
    expect.gradients(
        student,
        student.corr2d,
        [X.clone().requires_grad_(), K.clone().requires_grad_()],
        v,
        [mine_X.grad, mine_K.grad],
        "corr2d",
        **expect.TOL32,
    )


@exercise("corr2d")
@points(1)
def test_corr2d_from_scratch(student, rng):
    """corr2d works and is written with loops or tensor slices, not a library convolution."""
    X, K = image_and_kernel(rng)
    check_corr2d_result(student.corr2d(X, K), X, K, "corr2d(X, K)")
    expect.from_scratch(student, "corr2d", CONVOLUTIONS, "corr2d")


# --- Conv2D ----------------------------------------------------------------------------


def conv2d_layer(student, rng):
    """A student Conv2D of a drawn kernel size, loaded with drawn weight and bias -> (layer, X (h, w), K (kh, kw), b (1,))."""
    X, K = image_and_kernel(rng)
    b = draw.randn(rng, 1, dtype=torch.float32)
    layer = student.Conv2D(tuple(K.shape))
    assert is_instance(layer, expect.MODULE), "Conv2D should subclass nn.Module"
    entries = dict(nets.entries(student.harness.state_shapes(layer), "Conv2D"))
    assert set(entries) == {"weight", "bias"}, "Conv2D should register exactly two parameters: weight and bias"
    assert entries["weight"] == tuple(K.shape), "Conv2D's weight should have the shape kernel_size"
    assert len(entries["bias"]) <= 1 and (not entries["bias"] or entries["bias"][0] == 1), "Conv2D's bias is one number"
    layer.load_state_dict({"weight": K, "bias": b.reshape(entries["bias"])})
    return layer, X, K, b


@exercise("Conv2D")
@points(2)
def test_conv2d_layer_values(student, rng):
    """Conv2D registers weight and bias and computes corr2d(X, weight) + bias."""
    layer, X, K, b = conv2d_layer(student, rng)
    got = expect.tensor(
        student.call(student.harness.forward, [layer, X], label="Conv2D(kernel_size)(X)"), "Conv2D(kernel_size)(X)"
    )
    expect.close(
        got,
        correlate(X, K) + b,
        "Conv2D's output is wrong: corr2d(X, self.weight) + self.bias (if a corr2d check fails too, fix corr2d first)",
        **expect.TOL32,
    )


@exercise("Conv2D")
@points(1)
def test_conv2d_layer_gradients(student, rng):
    """Backpropagation reaches Conv2D's weight and bias."""
    layer, X, K, b = conv2d_layer(student, rng)
    v = draw.randn(rng, X.shape[0] - K.shape[0] + 1, X.shape[1] - K.shape[1] + 1, dtype=torch.float32)
    mine_K, mine_b = K.clone().requires_grad_(), b.clone().requires_grad_()
    (correlate(X, mine_K) + mine_b).backward(v)
    student.call(student.harness.vjp, [layer, [X], v], label="backpropagating through Conv2D")
    grads = student.harness.grads_of(layer)
    assert type(grads) is dict and grads.get("weight") is not None, "no gradient reached Conv2D's weight"
    expect.close(
        grads["weight"],
        mine_K.grad,
        "the gradient of Conv2D's weight is wrong (if a corr2d check fails too, fix corr2d first)",
        **expect.TOL32,
    )
    bias = grads.get("bias")
    assert type(bias) is torch.Tensor and bias.numel() == 1, "no gradient reached Conv2D's bias"
    expect.close(bias.reshape(1), mine_b.grad, "the gradient of Conv2D's bias is wrong", **expect.TOL32)


# --- conv_output_shape -----------------------------------------------------------------


def output_shape(student, args, what):
    """conv_output_shape(*args), which must be a pair of Python ints -> (h, w)."""
    got = student.conv_output_shape(*args)
    if type(got) not in (tuple, list) or len(got) != 2 or not all(type(n) is int for n in got):
        raise AssertionError(f"{what} should return a pair (h, w) of Python ints (use // for floor division)")
    return tuple(got)


def shape_cases(rng, pairs):
    """24 drawn (size, kernel, padding, stride) cases with a non-negative n - k + 2p; with pairs, some arguments (h, w) pairs."""
    cases = []
    while len(cases) < 24:
        n = (draw.randint(rng, 5, 61), draw.randint(rng, 5, 61))
        k = (draw.randint(rng, 1, 12), draw.randint(rng, 1, 12))
        p = (draw.randint(rng, 0, 4), draw.randint(rng, 0, 4))
        s = (draw.randint(rng, 1, 5), draw.randint(rng, 1, 5))
        if any(n[i] - k[i] + 2 * p[i] < 0 for i in range(2)):
            continue
        if not pairs:
            cases.append((n[0], k[0], p[0], s[0]))
            continue
        mixed = [v if draw.randint(rng, 0, 3) else v[0] for v in (n, k, p, s)]
        cases.append(tuple(mixed))
    return cases


@exercise("conv_output_shape")
@points(2)
def test_conv_output_shape_ints(student, rng):
    """Output sizes for many random (size, kernel, padding, stride), all ints."""
    for args in shape_cases(rng, pairs=False):
        kwargs_form = draw.randint(rng, 0, 2)
        if kwargs_form:
            got = student.conv_output_shape(args[0], args[1], padding=args[2], stride=args[3])
            if type(got) not in (tuple, list) or len(got) != 2 or not all(type(n) is int for n in got):
                raise AssertionError("conv_output_shape should return a pair (h, w) of Python ints (use // to floor)")
            got = tuple(got)
        else:
            got = output_shape(student, args, "conv_output_shape(n, k, p, s)")
        if got != ref.conv_output_shape(*args):
            raise AssertionError(
                "conv_output_shape is wrong for some (size, kernel, padding, stride): per dimension it is "
                "floor((n - k + 2p) / s) + 1 (padding on both sides, floor when the stride does not divide)"
            )
    for args in [(draw.randint(rng, 8, 41), draw.randint(rng, 1, 6))]:
        if output_shape(student, args, "conv_output_shape(n, k)") != ref.conv_output_shape(*args):
            raise AssertionError("conv_output_shape's defaults should be padding=0 and stride=1")


@exercise("conv_output_shape")
@points(2)
def test_conv_output_shape_pairs(student, rng):
    """Pairs (height, width) for any argument, non-square everywhere, mixed with ints."""
    for args in shape_cases(rng, pairs=True):
        if output_shape(student, args, "conv_output_shape with pairs") != ref.conv_output_shape(*args):
            raise AssertionError(
                "conv_output_shape is wrong when some arguments are (height, width) pairs: treat the two dimensions "
                "separately (an int means the same value for both)"
            )


# --- multiple channels -----------------------------------------------------------------


def check_channels(got, expected, what, shape_message, message):
    """A multi-channel result: a tensor of expected's shape (shape_message otherwise) and values (message otherwise)."""
    got = expect.tensor(got, what)
    if tuple(got.shape) != tuple(expected.shape):
        raise AssertionError(shape_message)
    expect.close(got, expected, message, **expect.TOL32)


def from_scratch_channels(student, name, X, K, expected, shape_message, message):
    """The student's `name`(X, K) equals expected (see check_channels), and its cell uses no library convolution."""
    check_channels(getattr(student, name)(X, K), expected, f"{name}(X, K)", shape_message, message)
    expect.from_scratch(student, name, CONVOLUTIONS, name)


def channels_input(rng, c_i):
    """X (c_i, h, w), h in [5, 8] < w in [9, 12], float32."""
    h, w = draw.randint(rng, 5, 9), draw.randint(rng, 9, 13)
    return draw.randn(rng, c_i, h, w, dtype=torch.float32)


@exercise("corr2d_multi_in")
@points(2)
def test_corr2d_multi_in(student, rng):
    """Cross-correlation summed over input channels matches conv2d with one output channel."""
    c_i = draw.randint(rng, 2, 5)
    X = channels_input(rng, c_i)
    K = draw.randn(rng, c_i, draw.randint(rng, 1, 3), draw.randint(rng, 3, 5), dtype=torch.float32)
    shape_message = "corr2d_multi_in should return one 2-D map: the per-channel results summed, not stacked"
    message = (
        "corr2d_multi_in is wrong: correlate each channel with its own kernel, then sum (fix any failing corr2d check first)"
    )
    from_scratch_channels(student, "corr2d_multi_in", X, K, F.conv2d(X[None], K[None])[0, 0], shape_message, message)


@exercise("corr2d_multi_in_out")
@points(2)
def test_corr2d_multi_in_out(student, rng):
    """One output channel per kernel, stacked: matches conv2d."""
    c_i = draw.randint(rng, 2, 4)
    c_o = c_i + draw.randint(rng, 1, 3)
    X = channels_input(rng, c_i)
    K = draw.randn(rng, c_o, c_i, draw.randint(rng, 2, 4), draw.randint(rng, 1, 3), dtype=torch.float32)
    shape_message = "corr2d_multi_in_out should return (c_o, h', w'): stack the outputs along a new first axis"
    message = "corr2d_multi_in_out is wrong: output channel i uses kernel K[i] over all input channels (fix any " + (
        "failing corr2d_multi_in check first)"
    )
    from_scratch_channels(student, "corr2d_multi_in_out", X, K, F.conv2d(X[None], K)[0], shape_message, message)


@exercise("corr2d_multi_in_out_1x1")
@points(2)
def test_1x1_equals_general(student, rng):
    """The 1 x 1 version equals conv2d and the general corr2d_multi_in_out, also with one input or one output channel."""
    many = draw.randint(rng, 2, 5)
    # the boundaries on purpose: one input channel, one output channel (where squeeze() drops an axis)
    for c_i, c_o in ((many, many + draw.randint(rng, 1, 3)), (1, draw.randint(rng, 2, 5)), (many, 1)):
        X = channels_input(rng, c_i)
        K = draw.randn(rng, c_o, c_i, 1, 1, dtype=torch.float32)
        check_channels(
            student.corr2d_multi_in_out_1x1(X, K),
            F.conv2d(X[None], K)[0],
            "corr2d_multi_in_out_1x1(X, K)",
            "corr2d_multi_in_out_1x1 should return (c_o, h, w), for one input or output channel too: "
            "reshape (not squeeze) K to (c_o, c_i)",
            "corr2d_multi_in_out_1x1 differs from the general version: reshape X to (c_i, h * w) and K to (c_o, c_i), "
            "then multiply K by X",
        )


@exercise("corr2d_multi_in_out_1x1")
@points(1)
def test_1x1_is_a_matrix_product(student, rng):
    """The 1 x 1 version works and is one matrix product: no loops, no corr2d, no library convolution."""
    c_i = draw.randint(rng, 2, 4)
    X, K = channels_input(rng, c_i), draw.randn(rng, c_i + 1, c_i, 1, 1, dtype=torch.float32)
    expect.close(
        student.corr2d_multi_in_out_1x1(X, K), F.conv2d(X[None], K)[0], "corr2d_multi_in_out_1x1 is wrong", **expect.TOL32
    )
    source = student.source("corr2d_multi_in_out_1x1")
    called = expect.called_names(source, "corr2d_multi_in_out_1x1")
    used = called & ({"corr2d", "corr2d_multi_in", "corr2d_multi_in_out"} | CONVOLUTIONS)
    assert not used, f"corr2d_multi_in_out_1x1 should be a matrix product, not a call of {sorted(used)[0]}"
    expect.no_loops(
        source,
        "corr2d_multi_in_out_1x1",
        "corr2d_multi_in_out_1x1 should need no loop: one matrix product handles every pixel and channel",
    )


# --- pool2d ----------------------------------------------------------------------------


def pooling_input(rng):
    """X (h, w), h in [5, 8] < w in [9, 12], and a non-square pooling window (p_h, p_w)."""
    X = draw.randn(rng, draw.randint(rng, 5, 9), draw.randint(rng, 9, 13), dtype=torch.float32)
    p_h = draw.randint(rng, 1, 4)
    p_w = p_h + draw.randint(rng, 1, 3)
    if draw.randint(rng, 0, 2):
        p_h, p_w = p_w, p_h
    return X, (p_h, p_w)


def check_pooling(got, X, size, mode, what):
    """pool2d's result on X (h, w): stride-1 pooling of `mode` ('max' or 'avg') over size, (h - p_h + 1, w - p_w + 1)."""
    pool = F.max_pool2d if mode == "max" else F.avg_pool2d
    expected = pool(X[None, None], size, stride=1)[0, 0]
    got = expect.tensor(got, what)
    if tuple(got.shape) != tuple(expected.shape):
        raise AssertionError(f"{what} has shape {tuple(got.shape)}: stride 1 gives (h - p_h + 1, w - p_w + 1)")
    other = (F.avg_pool2d if mode == "max" else F.max_pool2d)(X[None, None], size, stride=1)[0, 0]
    if nets.is_close(got, other):
        raise AssertionError(f"{what} computed the other kind of pooling: does pool2d look at `mode`?")
    expect.close(got, expected, f"{what} is wrong: each entry is the {mode} of one p_h x p_w window", **expect.TOL32)


@exercise("pool2d")
@points(2)
def test_pool2d_max(student, rng):
    """Max pooling (the default mode) over non-square windows."""
    X, size = pooling_input(rng)
    check_pooling(student.pool2d(X, size), X, size, "max", "pool2d(X, pool_size)")
    X, size = pooling_input(rng)
    check_pooling(student.pool2d(X, size, "max"), X, size, "max", "pool2d(X, pool_size, 'max')")


@exercise("pool2d")
@points(2)
def test_pool2d_avg(student, rng):
    """Average pooling when mode='avg'."""
    for _ in range(2):
        X, size = pooling_input(rng)
        check_pooling(student.pool2d(X, size, mode="avg"), X, size, "avg", "pool2d(X, pool_size, mode='avg')")


@exercise("pool2d")
@points(1)
def test_pool2d_from_scratch(student, rng):
    """pool2d works in both modes and uses no library pooling."""
    X, size = pooling_input(rng)
    check_pooling(student.pool2d(X, size, "avg"), X, size, "avg", "pool2d(X, pool_size, 'avg')")
    check_pooling(student.pool2d(X, size, "max"), X, size, "max", "pool2d(X, pool_size, 'max')")
    expect.from_scratch(student, "pool2d", POOLINGS | CONVOLUTIONS, "pool2d")


# --- LeNet -----------------------------------------------------------------------------


def lenet_trace(size):
    """The reference LeNet's per-block output shapes at this size, by running it on the meta device."""
    with torch.device("meta"):
        net = ref.LeNet()
        X = torch.zeros(1, 1, size, size)
    shapes = []
    for i, layer in enumerate(net.conv):
        X = layer(X)
        if i in (1, 2, 4, 5):
            shapes.append(tuple(X.shape[1:]))
    shapes.append((X[0].numel(),))
    shapes += [(layer.out_features,) for layer in net.fc if isinstance(layer, torch.nn.Linear)]
    return shapes


FORMULA_FIRST = " (if a conv_output_shape check fails too, fix conv_output_shape first)"
LAYERS = ["conv", "pool", "conv", "pool", "dense", "dense", "dense"]
LENET_BLOCKS = [
    "first convolution",
    "first pooling",
    "second convolution",
    "second pooling",
    "flattened",
    "first dense layer",
    "second dense layer",
    "output layer",
]


@exercise("LeNet")
@points(1)
def test_lenet_structure(student, rng):
    """LeNet is an nn.Module with conv and fc blocks and the notes' 44,426 parameters."""
    net = student.LeNet()
    assert is_instance(net, expect.MODULE), "LeNet should subclass nn.Module"
    for name in ("conv", "fc"):
        assert is_instance(getattr(net, name), expect.MODULE), f"LeNet should have a module `{name}`"
    count = student.harness.count_parameters(net)
    assert count == 44426, f"your LeNet has {count} parameters; the notes' LeNet has 44,426: compare the layers"


@exercise("LeNet")
@points(1)
def test_lenet_block_shapes(student, rng):
    """Each convolution, pooling and dense layer of LeNet outputs the notes' shape."""
    net = nets.build(student, student.LeNet, (), "LeNet")
    shape = (draw.randint(rng, 2, 5), 1, 28, 28)
    nets.layer_shapes_match(student, net, nets.on_meta(ref.LeNet), shape, "LeNet", LAYERS)


@exercise("LeNet")
@points(2)
def test_lenet_values(student, rng):
    """With the same weights, LeNet gives the reference's scores (eval mode)."""
    seed = draw.seed(rng)
    net, mine = student.LeNet(), ref.LeNet()
    nets.same_weights(student, net, mine, seed, "LeNet")
    X = draw.rand(rng, draw.randint(rng, 2, 6), 1, 28, 28, dtype=torch.float32)
    nets.compare_outputs(
        student, net, mine, X, "LeNet", "use Sigmoid activations, max pooling with stride 2, and flatten each example"
    )


@exercise("lenet_shapes")
@points(2)
def test_lenet_shapes(student, rng):
    """lenet_shapes(size) at sizes other than 28 equals the real network's shapes."""
    sizes = set()
    while len(sizes) < 3:
        size = draw.randint(rng, 16, 65)
        if size != 28:
            sizes.add(size)
    for size in sorted(sizes):
        nets.shapes(student.lenet_shapes(size), lenet_trace(size), "lenet_shapes(size)", LENET_BLOCKS, FORMULA_FIRST)


@exercise("lenet_shapes")
@points(1)
def test_lenet_shapes_from_formula(student, rng):
    """lenet_shapes works and uses conv_output_shape alone."""
    size = draw.randint(rng, 29, 65)
    nets.shapes(student.lenet_shapes(size), lenet_trace(size), "lenet_shapes(size)", LENET_BLOCKS, FORMULA_FIRST)
    nets.formula_only(student.source("lenet_shapes"), "lenet_shapes")


# --- train_ch5 -------------------------------------------------------------------------


def small_cnn(nn):
    """A small CNN (n, 1, 8, 8) -> (n, 4) built from the torch.nn module given (the worker's or the grader's)."""
    return nn.Sequential(nn.Conv2d(1, 3, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(3 * 3 * 3, 4))


def labelled_batches(rng, sizes, q=4):
    """[(X (n, 1, 8, 8) float32, y (n,) int64 in [0, q))] for each n of sizes."""
    return [(draw.randn(rng, n, 1, 8, 8, dtype=torch.float32), draw.integers(rng, 0, q, n)) for n in sizes]


@exercise("train_ch5")
@points(3)
def test_train_ch5_steps(student, rng):
    """Two epochs with SGD on a net that already carries gradients: the weights match the reference loop step for step."""
    remote, local = small_cnn(student.lib("torch.nn")), small_cnn(torch.nn)
    nets.same_weights(student, remote, local, draw.seed(rng), "the test network")
    # gradients left behind by an earlier backward, on purpose: every step must start from zeroed ones
    X, v = draw.randn(rng, 3, 1, 8, 8, dtype=torch.float32), draw.randn(rng, 3, 4, dtype=torch.float32)
    student.call(student.harness.vjp, [remote, [X], v], label="backpropagating through the test network")
    local(X).backward(v)
    train, test = labelled_batches(rng, (6, 6, 4)), labelled_batches(rng, (5,))
    lr = draw.uniform(rng, 0.1, 0.3)
    optimizer = student.lib("torch.optim").SGD(remote.parameters(), lr=lr)
    student.train_ch5(remote, train, test, 6, optimizer, torch.device("cpu"), 2)
    ref.train_ch5(local, train, test, 6, torch.optim.SGD(local.parameters(), lr=lr), torch.device("cpu"), 2)
    nets.same_state(
        remote.state_dict(),
        local,
        "after train_ch5 the weights differ from the expected updates: per batch use the mean cross-entropy "
        "(nn.CrossEntropyLoss()), then optimizer.zero_grad() (the net may come in carrying gradients), backward(), "
        "optimizer.step()",
        **expect.TOL32,
    )
    assert remote.training is True, "the network should be in training mode when train_ch5 returns"


@exercise("train_ch5")
@points(2)
@pytest.mark.timeout(150)
def test_lenet_learns_digits(student, rng, settings, assignment):
    """Your LeNet and train_ch5 (Adam) learn real handwritten digits."""
    seed = draw.seed(rng)
    train_X, train_y, test_X, test_y = data.digits_split(seed)
    train = student.put(harness.batches(train_X, train_y, 16))
    test = student.put(harness.batches(test_X[:64], test_y[:64], 64))
    worker_torch = student.lib("torch")
    threads = worker_torch.get_num_threads()
    worker_torch.set_num_threads(1)  # batches of 16 gain nothing from threads, and lose much on a busy machine
    accuracy = 0.0
    try:
        # a sigmoid LeNet now and then starts saturated and stays at chance: a second fresh start keeps
        # a correct net from losing points by bad luck, while a net that cannot learn fails both
        for _ in range(LENET_TRIES):
            net = student.LeNet()
            optimizer = student.lib("torch.optim").Adam(net.parameters(), lr=0.003)
            student.train_ch5(net, train, test, 16, optimizer, torch.device("cpu"), 6)
            scores = student.call(student.harness.forward, [net, test_X], label="running your trained LeNet")
            scores = expect.tensor(scores, "LeNet's scores", (len(test_X), 10))
            accuracy = max(accuracy, (scores.argmax(dim=1) == test_y).float().mean().item())
            if accuracy >= settings.threshold(assignment.id, "lenet_digits_accuracy"):
                break
    finally:
        worker_torch.set_num_threads(threads)
    threshold = settings.threshold(assignment.id, "lenet_digits_accuracy")
    assert accuracy >= threshold, (
        f"after 6 epochs the best test accuracy of {LENET_TRIES} fresh starts is {accuracy:.3f}, below the {threshold:g} this check needs"
    )
