"""Hidden checks for 07_modern_cnns.

Blocks and networks are judged by values: the student's module and the reference
module get the same seeded weights (autograder.nets; no state_dict crosses the
protocol) and are compared on random input in eval mode, block by block so that
feedback names the broken block. Parameter counts and full-size per-block shapes
are measured on the meta device (no memory, no arithmetic); the big networks run
on one small batch at the smallest input size their architecture allows, VGG-11 at
a reduced fully connected width. Shape functions are compared with the real
reference network's shapes at sizes the notes never use.
"""

import pytest
import torch

from autograder import draw, expect, nets
from autograder.student import is_instance
from reference import modern_cnns as ref

points, exercise = pytest.mark.points, pytest.mark.exercise
NORMS = set("batch_norm BatchNorm1d BatchNorm2d BatchNorm3d instance_norm layer_norm group_norm LazyBatchNorm2d".split())
NOTES_SIZES = {28, 96, 224}


def sizes(rng, low, high, count=3):
    """Distinct sorted sizes in [low, high] that the notes never use.

    With count > 1, low (where the smallest map is 1 x 1) and low + 1 on purpose: one even and one odd size,
    since a stride-2 layer rounds odd sizes down and a wrong kernel or padding may show only at one parity.
    """
    found = {s for s in (low, low + 1) if s not in NOTES_SIZES} if count > 1 else set()
    while len(found) < count:
        size = draw.randint(rng, low, high + 1)
        if size not in NOTES_SIZES:
            found.add(size)
    return sorted(found)


# --- AlexNet ---------------------------------------------------------------------------


def shape_function_agrees(student, name, trace, at, labels=None):
    """The student's shape function `name`(size) lists the reference network's shapes (trace(size)) at each size in `at`."""
    for size in at:
        nets.shapes(getattr(student, name)(size), trace(size), f"{name}(size)", labels)


def block_shapes_at(student, name, size, what):
    """Each child of the student's `name`() (built on meta) outputs the reference's shape for a (2, 1, size, size) input."""
    net = nets.build(student, getattr(student, name), (), what)
    nets.block_shapes_match(student, net, nets.on_meta(getattr(ref, name)), (2, 1, size, size), what)


def network_values(student, name, size, what, hint, rng):
    """With the same weights, the student's `name`() gives the reference's scores on a (2, 1) batch of `size` (h, w), eval mode."""
    X = draw.rand(rng, 2, 1, *size, dtype=torch.float32)
    nets.judge(student, nets.returns_module(getattr(student, name)(), name), getattr(ref, name)(), X, what, hint, rng)


def block_values(student, name, args, X, hint, rng, modes=(False,)):
    """With the same weights, the student's block `name`(*args) gives the reference block's output on X, in each mode of `modes` (training or not)."""
    remote = nets.returns_module(getattr(student, name)(*args), name)
    local = getattr(ref, name)(*args)
    for training in modes:
        nets.judge(student, remote, local, X, name, hint, rng, training)


def small_size(rng):
    """(h, w), h in [32, 40] < w in [41, 56]: a non-square input the smallest networks' strides still allow."""
    return draw.randint(rng, 32, 41), draw.randint(rng, 41, 57)


def alexnet_trace(size):
    """The reference AlexNet's shapes (batch left out) at each block of ALEXNET_BLOCKS for a (1, 1, size, size) input, on meta."""
    net = nets.on_meta(ref.AlexNet)
    with torch.device("meta"):
        X = torch.zeros(1, 1, size, size)
    shapes = []
    for i, layer in enumerate(net.conv):
        X = layer(X)
        if i in (1, 2, 4, 5, 7, 9, 11, 12):
            shapes.append(tuple(X.shape[1:]))
    shapes.append((X[0].numel(),))
    return shapes + [(layer.out_features,) for layer in net.fc if isinstance(layer, torch.nn.Linear)]


ALEXNET_BLOCKS = ["conv 1", "pool 1", "conv 2", "pool 2", "conv 3", "conv 4", "conv 5", "pool 3", "flattened"] + [
    "dense 1",
    "dense 2",
    "output",
]


@exercise("AlexNet")
@points(1)
def test_alexnet_structure(student, rng):
    """AlexNet has conv and fc blocks and the notes' 46,764,746 parameters (counted on the meta device)."""
    net = nets.count_is(student, student.AlexNet, (), 46764746, "AlexNet")
    for name in ("conv", "fc"):
        assert nets.has_module(net, name), f"AlexNet should have a module `{name}`"


@exercise("AlexNet")
@points(1)
def test_alexnet_layer_shapes(student, rng):
    """Every convolution, pooling and dense layer of AlexNet outputs the reference's shape."""
    net = nets.build(student, student.AlexNet, (), "AlexNet")
    size = draw.randint(rng, 195, 224)
    nets.layer_shapes_match(student, net, nets.on_meta(ref.AlexNet), (2, 1, size, size), "AlexNet")


@exercise("AlexNet")
@points(2)
def test_alexnet_values(student, rng):
    """With the same weights, AlexNet gives the reference's scores (eval mode, one small batch)."""
    size = draw.randint(rng, 195, 224)
    X = draw.rand(rng, 2, 1, size, size, dtype=torch.float32)
    hint = (
        "follow the notes' layers: kernel sizes, strides and paddings, ReLU after every convolution and hidden dense "
        "layer, Dropout(0.5) after the hidden dense layers"
    )
    net = student.AlexNet()
    nets.judge(student, net, ref.AlexNet(), X, "AlexNet", hint, rng)
    nets.drops_out(student, net, X, "AlexNet", hint)  # eval mode hides dropout: a net without it gives the same scores


@exercise("alexnet_shapes")
@points(2)
def test_alexnet_shapes(student, rng):
    """alexnet_shapes(size) at sizes the notes never use equals the real network's shapes."""
    shape_function_agrees(student, "alexnet_shapes", alexnet_trace, sizes(rng, 67, 320), labels=ALEXNET_BLOCKS)


@exercise("alexnet_shapes")
@points(1)
def test_alexnet_shapes_from_formula(student, rng):
    """alexnet_shapes works and uses conv_output_shape alone."""
    shape_function_agrees(student, "alexnet_shapes", alexnet_trace, sizes(rng, 100, 300, 1), labels=ALEXNET_BLOCKS)
    nets.formula_only(student.source("alexnet_shapes"), "alexnet_shapes")


# --- VGG -------------------------------------------------------------------------------


@exercise("vgg_block")
@points(2)
def test_vgg_block_values(student, rng):
    """vgg_block(num_convs, in, out) on odd and even, non-square inputs."""
    for low in (2, 1):
        num_convs, c_in, c_out = draw.randint(rng, low, 4), draw.randint(rng, 1, 5), draw.randint(rng, 5, 9)
        X = nets.images(rng, 2, c_in, draw.randint(rng, 6, 10), draw.randint(rng, 10, 14))
        block = nets.returns_module(student.vgg_block(num_convs, c_in, c_out), "vgg_block")
        nets.judge(
            student,
            block,
            ref.vgg_block(num_convs, c_in, c_out),
            X,
            "vgg_block",
            "num_convs 3 x 3 convolutions with padding 1 (the first from in_channels), each followed by ReLU, "
            "then MaxPool2d(kernel_size=2, stride=2)",
            rng,
        )


@exercise("vgg")
@points(1)
def test_vgg11_structure(student, rng):
    """VGG-11 from vgg(conv_arch, 512 * 7 * 7, 4096) has the notes' 128,806,154 parameters (meta device)."""
    net = nets.count_is(student, student.vgg, (ref.VGG11_ARCH, 512 * 7 * 7, 4096), 128806154, "VGG-11")
    names = [name for name, _ in nets.child_shapes(student, net, (1, 1, 224, 224), "VGG-11")]
    expected = [f"vgg_block_{i}" for i in range(1, 6)] + ["fc"]
    assert names == expected, "vgg should name its children vgg_block_1, vgg_block_2, ... and fc, as in the notes"


@exercise("vgg")
@points(1)
def test_vgg11_block_shapes(student, rng):
    """Each block of a full-width VGG-11 outputs the reference's shape (meta device, any size)."""
    size = draw.randint(rng, 192, 261)
    args = (ref.VGG11_ARCH, 512 * (size // 32) ** 2, 4096)
    net = nets.build(student, student.vgg, args, "VGG-11")
    nets.block_shapes_match(student, net, nets.on_meta(ref.vgg, *args), (2, 1, size, size), "VGG-11")


@exercise("vgg")
@points(2)
def test_vgg_values(student, rng):
    """VGG-11's convolutions with a narrow fc (small input), and a random small arch on non-square input."""
    hint = "one vgg_block per (num_convs, in_channels, out_channels) of conv_arch, then fc: FlattenLayer, " + (
        "Linear(fc_features, fc_hidden_units), ReLU, Dropout, Linear(fc_hidden_units, fc_hidden_units), ReLU, Dropout, "
        "Linear(fc_hidden_units, 10)"
    )
    size, hidden = draw.randint(rng, 32, 41), draw.randint(rng, 16, 49)
    args = (ref.VGG11_ARCH, 512, hidden)
    X = draw.rand(rng, 2, 1, size, size, dtype=torch.float32)
    net = nets.returns_module(student.vgg(*args), "vgg")
    nets.judge(student, net, ref.vgg(*args), X, "VGG-11 (narrow fc)", hint, rng)
    nets.drops_out(student, net, X, "VGG-11 (narrow fc)", hint)  # eval mode hides dropout
    c1, c2 = draw.randint(rng, 2, 6), draw.randint(rng, 3, 9)
    arch = ((draw.randint(rng, 1, 3), 1, c1), (draw.randint(rng, 1, 4), c1, c2))
    h, w = draw.randint(rng, 8, 16), draw.randint(rng, 16, 24)
    args = (arch, c2 * (h // 4) * (w // 4), draw.randint(rng, 8, 17))
    X = nets.images(rng, 2, 1, h, w)
    nets.judge(student, nets.returns_module(student.vgg(*args), "vgg"), ref.vgg(*args), X, "VGG", hint, rng)


def vgg_trace(size, arch):
    """The output shapes (batch left out) of each vgg_block of vgg(arch) for a (1, 1, size, size) input, on meta."""
    net = nets.on_meta(ref.vgg, arch, 1, 1)
    del net.fc  # the blocks only: fc_features here fits no input
    return nets.trace(net, size, lambda *_: True)


@exercise("vgg_shapes")
@points(2)
def test_vgg_shapes(student, rng):
    """vgg_shapes(size) for VGG-11 at new sizes, and for a random conv_arch."""
    for size in sizes(rng, 32, 300, 2):
        nets.shapes(student.vgg_shapes(size), vgg_trace(size, ref.VGG11_ARCH), "vgg_shapes(size)")
    channels = [1] + [draw.randint(rng, 2, 65) for _ in range(draw.randint(rng, 2, 5))]
    arch = tuple((draw.randint(rng, 1, 4), channels[i], channels[i + 1]) for i in range(len(channels) - 1))
    size = sizes(rng, 2 ** len(arch), 150, 1)[0]
    nets.shapes(student.vgg_shapes(size, arch), vgg_trace(size, arch), "vgg_shapes(size, conv_arch)")


@exercise("vgg_shapes")
@points(1)
def test_vgg_shapes_from_formula(student, rng):
    """vgg_shapes works and uses conv_output_shape alone."""
    size = sizes(rng, 33, 300, 1)[0]
    nets.shapes(student.vgg_shapes(size), vgg_trace(size, ref.VGG11_ARCH), "vgg_shapes(size)")
    nets.formula_only(student.source("vgg_shapes"), "vgg_shapes")


# --- NiN -------------------------------------------------------------------------------


@exercise("nin_block")
@points(2)
def test_nin_block_values(student, rng):
    """nin_block with random kernel size, stride and padding, on non-square inputs."""
    for first in (True, False):
        c_in, c_out = draw.randint(rng, 1, 5), draw.randint(rng, 2, 7)
        kernel = draw.randint(rng, 3, 6) if first else draw.randint(rng, 1, 6)
        stride, padding = (
            (draw.randint(rng, 2, 4), draw.randint(rng, 0, 2)) if first else (draw.randint(rng, 1, 4), draw.randint(rng, 0, 3))
        )
        X = nets.images(rng, 2, c_in, draw.randint(rng, 7, 11), draw.randint(rng, 11, 15))
        args = (c_in, c_out, kernel, stride, padding)
        nets.judge(
            student,
            nets.returns_module(student.nin_block(*args), "nin_block"),
            ref.nin_block(*args),
            X,
            "nin_block",
            "Conv2d(in_channels, out_channels, kernel_size, stride, padding), ReLU, then two 1 x 1 convolutions "
            "(out_channels to out_channels), each followed by ReLU",
            rng,
        )


@exercise("GlobalAvgPool2d")
@points(1)
def test_global_avg_pool(student, rng):
    """GlobalAvgPool2d averages each channel over its whole (non-square) height and width."""
    layer = student.GlobalAvgPool2d()
    assert is_instance(layer, expect.MODULE), "GlobalAvgPool2d should subclass nn.Module"
    n, c = draw.randint(rng, 2, 5), draw.randint(rng, 2, 6)
    # one layer, two sizes: a layer that keeps its window from the first input it saw is wrong on the second
    for h, w in ((draw.randint(rng, 2, 7), draw.randint(rng, 7, 12)), (draw.randint(rng, 7, 12), draw.randint(rng, 2, 7))):
        X = nets.images(rng, n, c, h, w)
        got = student.call(student.harness.forward, [layer, X], label="GlobalAvgPool2d()(X)")
        got = expect.tensor(got, "GlobalAvgPool2d()(X)")
        assert tuple(got.shape) == (n, c, 1, 1), (
            "GlobalAvgPool2d should output (n, c, 1, 1) for every input size, the window being each input's whole height and width"
        )
        expect.close(
            got,
            X.mean(dim=(2, 3), keepdim=True),
            "GlobalAvgPool2d should average over the whole height and width",
            **expect.TOL32,
        )


NIN_HINT = (
    "nin_block(1, 96, 11, 4, 0), MaxPool2d(3, 2), nin_block(96, 256, 5, 1, 2), MaxPool2d(3, 2), nin_block(256, 384, 3, 1, 1), "
    "MaxPool2d(3, 2), Dropout(0.5), nin_block(384, 10, 3, 1, 1), GlobalAvgPool2d(), FlattenLayer()"
)


@exercise("nin")
@points(1)
def test_nin_structure(student, rng):
    """nin() has the notes' 1,992,166 parameters (meta device)."""
    nets.count_is(student, student.nin, (), 1992166, "NiN")


@exercise("nin")
@points(1)
def test_nin_block_shapes(student, rng):
    """Each child of NiN outputs the reference's shape at a new input size (meta device)."""
    # 200 or more on purpose: below that the last 3 x 3 pooling meets a map of 3 or 4, where strides 2 and 3 agree
    block_shapes_at(student, "nin", sizes(rng, 200, 300, 1)[0], "NiN")


@exercise("nin")
@points(2)
def test_nin_values(student, rng):
    """With the same weights, NiN gives the reference's scores on a small non-square batch (eval mode)."""
    network_values(student, "nin", (draw.randint(rng, 67, 81), draw.randint(rng, 81, 96)), "NiN", NIN_HINT, rng)


def nin_trace(size):
    """The reference NiN's child output shapes (batch left out) for a (1, 1, size, size) input, the Dropout left out."""
    return nets.trace(nets.on_meta(ref.nin), size, lambda _, child: not isinstance(child, torch.nn.Dropout))


@exercise("nin_shapes")
@points(2)
def test_nin_shapes(student, rng):
    """nin_shapes(size) at new sizes equals the real network's shapes (every child but the Dropout)."""
    shape_function_agrees(student, "nin_shapes", nin_trace, sizes(rng, 67, 320))


@exercise("nin_shapes")
@points(1)
def test_nin_shapes_from_formula(student, rng):
    """nin_shapes works and uses conv_output_shape alone."""
    shape_function_agrees(student, "nin_shapes", nin_trace, sizes(rng, 100, 300, 1))
    nets.formula_only(student.source("nin_shapes"), "nin_shapes")


# --- GoogLeNet -------------------------------------------------------------------------

INCEPTION_PARTS = ("p1_1", "p2_1", "p2_2", "p3_1", "p3_2", "p4_1", "p4_2")


def inception_args(rng):
    """Drawn (in_channels, c1, (c2a, c2b), (c3a, c3b), c4) for an Inception block."""
    return (
        draw.randint(rng, 2, 6),
        draw.randint(rng, 1, 5),
        (draw.randint(rng, 1, 5), draw.randint(rng, 2, 6)),
        (draw.randint(rng, 1, 4), draw.randint(rng, 2, 5)),
        draw.randint(rng, 1, 4),
    )


@exercise("Inception")
@points(1)
def test_inception_parts(student, rng):
    """Inception registers the seven parts p1_1 ... p4_2 of the notes."""
    block = student.Inception(*inception_args(rng))
    assert is_instance(block, expect.MODULE), "Inception should subclass nn.Module"
    for part in INCEPTION_PARTS:
        assert nets.has_module(block, part), (
            f"Inception should have the parts {', '.join(INCEPTION_PARTS)} as in the notes; `{part}` is missing"
        )


@exercise("Inception")
@points(2)
def test_inception_values(student, rng):
    """Four paths from the same input, concatenated on the channel axis (non-square input)."""
    for _ in range(2):
        args = inception_args(rng)
        X = nets.images(rng, 2, args[0], draw.randint(rng, 5, 9), draw.randint(rng, 9, 13))
        nets.judge(
            student,
            student.Inception(*args),
            ref.Inception(*args),
            X,
            "Inception block",
            "every path starts from the block's input x, every convolution is followed by ReLU (p4: pool, then 1 x 1 "
            "convolution, then ReLU), and the four results are concatenated along the channel axis (dim=1) in the "
            "order p1, p2, p3, p4",
            rng,
        )


@exercise("googlenet")
@points(1)
def test_googlenet_structure(student, rng):
    """googlenet() has children b1 ... b5 and fc, and the notes' 5,977,530 parameters (meta device)."""
    net = nets.count_is(student, student.googlenet, (), 5977530, "GoogLeNet")
    names = [name for name, _ in nets.child_shapes(student, net, (1, 1, 96, 96), "GoogLeNet")]
    assert names[:5] == ["b1", "b2", "b3", "b4", "b5"], "googlenet() should have the children b1, b2, b3, b4, b5, then fc"


@exercise("googlenet")
@points(1)
def test_googlenet_block_shapes(student, rng):
    """Each block of GoogLeNet outputs the reference's shape at a new input size (meta device)."""
    block_shapes_at(student, "googlenet", sizes(rng, 40, 300, 1)[0], "GoogLeNet")


@exercise("googlenet")
@points(2)
def test_googlenet_values(student, rng):
    """With the same weights, GoogLeNet gives the reference's scores on a small non-square batch (eval mode)."""
    hint = "check each block against the notes: b2 has no ReLU, the Inception channel numbers, the pooling layers " + (
        "between blocks, and b5's global average pooling and flattening (fix any failing Inception check first)"
    )
    network_values(student, "googlenet", small_size(rng), "GoogLeNet", hint, rng)


def googlenet_trace(size):
    """The reference GoogLeNet's child output shapes (batch left out) for a (1, 1, size, size) input."""
    return nets.trace(nets.on_meta(ref.googlenet), size, lambda *_: True)


@exercise("googlenet_shapes")
@points(2)
def test_googlenet_shapes(student, rng):
    """googlenet_shapes(size) at new sizes equals the real network's block shapes."""
    shape_function_agrees(student, "googlenet_shapes", googlenet_trace, sizes(rng, 20, 320))


@exercise("googlenet_shapes")
@points(1)
def test_googlenet_shapes_from_formula(student, rng):
    """googlenet_shapes works and uses conv_output_shape alone."""
    shape_function_agrees(student, "googlenet_shapes", googlenet_trace, sizes(rng, 50, 300, 1))
    nets.formula_only(student.source("googlenet_shapes"), "googlenet_shapes")


# --- batch normalisation ---------------------------------------------------------------


def bn_inputs(rng, four_d):
    """X (float64, shifted and scaled per feature) and per-feature gamma, beta, moving statistics."""
    n = draw.randint(rng, 3, 7)
    if four_d:
        c = draw.randint(rng, 2, 5)
        h, w = draw.randint(rng, 2, 5), c + draw.randint(rng, 1, 4)
        shape, stat = (n, c, h, w), (1, c, 1, 1)
    else:
        d = n + draw.randint(rng, 1, 5)
        shape, stat = (n, d), (1, d)

    def per_feature(low=-1.0, high=1.0):
        return low + (high - low) * draw.rand(rng, *stat)

    X = draw.randn(rng, *shape) * per_feature(0.5, 3.0) + per_feature(-2.0, 2.0)
    return X, per_feature(0.5, 2.0), per_feature(), per_feature(), per_feature(0.5, 2.0)


def bn_call(student, is_training, X, gamma, beta, mean, var, eps, momentum):
    """batch_norm(...) in the worker, its answer checked for form: -> (Y with X's shape and dtype, moving_mean, moving_var)."""
    out = student.batch_norm(is_training, X, gamma, beta, mean, var, eps, momentum)
    if type(out) is not tuple or len(out) != 3:
        raise AssertionError("batch_norm should return a tuple (Y, moving_mean, moving_var)")
    Y = expect.tensor(out[0], "Y from batch_norm", dtype=X.dtype)
    if Y.shape != X.shape:
        raise AssertionError("Y from batch_norm should have X's shape: do the statistics broadcast against X (keepdim)?")
    moving = [expect.tensor(t, name, dtype=mean.dtype) for t, name in zip(out[1:], ("moving_mean", "moving_var"))]
    if any(t.shape != mean.shape for t in moving):
        axes = "over dims 0, 2 and 3 with keepdim=True" if X.dim() == 4 else "over dim 0"
        unit = "channel" if X.dim() == 4 else "feature"
        raise AssertionError(
            f"the new moving statistics should keep the shape of the ones passed in: average {axes}, one value per {unit}"
        )
    return Y, *moving


def unbiased_variance_used(Y, X, gamma, beta, eps, four_d):
    """Whether Y equals batch normalisation of X with the unbiased batch variance (a common slip)."""
    dims = (0, 2, 3) if four_d else (0,)
    mean = X.mean(dim=dims, keepdim=True)
    var = X.var(dim=dims, keepdim=True, unbiased=True)
    return nets.is_close(Y, gamma * (X - mean) / torch.sqrt(var + eps) + beta)


def check_training(student, rng, four_d):
    """Training-mode batch_norm on drawn 2-D or 4-D float64 input: Y and both moving statistics."""
    X, gamma, beta, mean, var = bn_inputs(rng, four_d)
    eps, momentum = draw.uniform(rng, 1e-3, 0.051), 0.9
    Y, new_mean, new_var = bn_call(student, True, X, gamma, beta, mean, var, eps, momentum)
    want = ref.batch_norm(True, X, gamma, beta, mean, var, eps, momentum)
    axes = "over the batch, height and width (dims 0, 2, 3) for each channel" if four_d else "over the batch (dim 0)"
    if not nets.is_close(Y, want[0]):
        if unbiased_variance_used(Y, X, gamma, beta, eps, four_d):
            raise AssertionError("use the biased batch variance (divide by the number of values), not the unbiased one")
        raise AssertionError(
            f"Y is wrong in training mode: normalise with the batch mean and variance {axes}, "
            "X_hat = (X - mean) / sqrt(var + eps), then Y = gamma * X_hat + beta"
        )
    expect.close(Y, want[0], "Y is wrong in training mode", **expect.TOL64)
    swapped = (1 - momentum) * mean + momentum * (want[1] - momentum * mean) / (1 - momentum)
    if nets.is_close(new_mean, swapped) and not nets.is_close(new_mean, want[1]):
        raise AssertionError("the moving mean should be momentum * moving_mean + (1 - momentum) * batch mean")
    message = "the moving statistics are wrong: moving = momentum * moving + (1 - momentum) * batch statistic"
    expect.close(new_mean, want[1], message, **expect.TOL64)
    expect.close(new_var, want[2], message + " (with the biased batch variance)", **expect.TOL64)


@exercise("batch_norm")
@points(2)
def test_batch_norm_training_2d(student, rng):
    """Training mode, fully connected input: batch statistics per feature, moving averages updated."""
    check_training(student, rng, four_d=False)


@exercise("batch_norm")
@points(2)
def test_batch_norm_training_4d(student, rng):
    """Training mode, convolutional input: statistics per channel over (N, H, W)."""
    check_training(student, rng, four_d=True)


@exercise("batch_norm")
@points(2)
def test_batch_norm_prediction(student, rng):
    """Prediction mode normalises with the moving statistics and leaves them unchanged (2-D and 4-D)."""
    for four_d in (False, True):
        X, gamma, beta, mean, var = bn_inputs(rng, four_d)
        eps = draw.uniform(rng, 1e-3, 0.051)
        Y, new_mean, new_var = bn_call(student, False, X, gamma, beta, mean, var, eps, 0.9)
        want = ref.batch_norm(False, X, gamma, beta, mean, var, eps, 0.9)
        batch_stats = ref.batch_norm(True, X, gamma, beta, mean, var, eps, 0.9)[0]
        if nets.is_close(Y, batch_stats):
            raise AssertionError("in prediction mode (is_training False) use the moving statistics, not the batch's")
        expect.close(
            Y,
            want[0],
            "Y is wrong in prediction mode: gamma * (X - moving_mean) / sqrt(moving_var + eps) + beta",
            **expect.TOL64,
        )
        expect.close(new_mean, mean, "prediction mode must not change moving_mean", **expect.TOL64)
        expect.close(new_var, var, "prediction mode must not change moving_var", **expect.TOL64)


@exercise("batch_norm")
@points(1)
def test_batch_norm_gradient(student, rng):
    """Gradients through training-mode batch norm reach X, gamma and beta (float64)."""
    X, gamma, beta, mean, var = bn_inputs(rng, four_d=True)
    v = draw.randn(rng, *X.shape)
    mine = [t.clone().requires_grad_() for t in (X, gamma, beta)]
    ref.batch_norm(True, mine[0], mine[1], mine[2], mean, var, 1e-5, 0.9)[0].backward(v)
    args = [t.clone().requires_grad_() for t in (X, gamma, beta)] + [mean, var, 1e-5, 0.9]
    _, grads = student.call(
        student.harness.vjp, [student.batch_norm, [True, *args], v, 0], label="backpropagating through batch_norm"
    )
    assert type(grads) is list and len(grads) == 3 and all(g is not None for g in grads), (
        "no gradient reached X, gamma or beta through batch_norm: build Y from differentiable operations"
    )
    for got, want, name in zip(grads, [t.grad for t in mine], ("X", "gamma", "beta")):
        expect.close(
            got,
            want,
            f"the gradient with respect to {name} is wrong: the batch statistics are part of the graph",
            **expect.TOL64,
        )


@exercise("batch_norm")
@points(1)
def test_batch_norm_from_scratch(student, rng):
    """batch_norm works and does not call a library normalisation."""
    X, gamma, beta, mean, var = bn_inputs(rng, four_d=False)
    Y, _, _ = bn_call(student, True, X, gamma, beta, mean, var, 1e-5, 0.9)
    expect.close(Y, ref.batch_norm(True, X, gamma, beta, mean, var, 1e-5, 0.9)[0], "batch_norm is wrong", **expect.TOL64)
    expect.from_scratch(student, "batch_norm", NORMS, "batch_norm")


def batchnorm_layer(student, rng, num_dims):
    """A student BatchNorm(c, num_dims) with drawn gamma, beta and moving statistics -> (layer, X, {name: value})."""
    c = draw.randint(rng, 2, 6)
    layer = student.BatchNorm(c, num_dims)
    assert is_instance(layer, expect.MODULE), "BatchNorm should subclass nn.Module"
    stat = (1, c) if num_dims == 2 else (1, c, 1, 1)
    params = dict(nets.entries(student.harness.state_shapes(layer, buffers=False), "BatchNorm"))
    for name in ("gamma", "beta"):
        assert params.get(name) == stat, f"BatchNorm should register `{name}` as a parameter of shape {stat}"
    values = {
        "gamma": 0.5 + draw.rand(rng, stat, dtype=torch.float32),
        "beta": draw.rand(rng, stat, dtype=torch.float32) - 0.5,
        "moving_mean": draw.randn(rng, stat, dtype=torch.float32),
        "moving_var": 0.5 + draw.rand(rng, stat, dtype=torch.float32),
    }
    for name, value in values.items():
        student.harness.assign(layer, name, value)
    if num_dims == 2:
        X = draw.randn(rng, c + draw.randint(rng, 1, 4), c, dtype=torch.float32) * 2 + 1
    else:
        X = (
            draw.randn(
                rng, draw.randint(rng, 2, 5), c, draw.randint(rng, 2, 5), c + draw.randint(rng, 1, 4), dtype=torch.float32
            )
            * 2
            + 1
        )
    return layer, X, values


def fresh_starts(student, rng):
    """A new BatchNorm (nothing assigned) starts at gamma 1, beta 0 and moving_mean 0: judged by one training step.

    moving_var's start is not judged: the notes start it at ones, the book's original code at zeros.
    """
    c = draw.randint(rng, 2, 6)
    layer = student.BatchNorm(c, 4)
    X = draw.randn(rng, draw.randint(rng, 2, 5), c, draw.randint(rng, 2, 5), c + 1, dtype=torch.float32) * 2 + 1
    ones, zeros = torch.ones(1, c, 1, 1), torch.zeros(1, c, 1, 1)
    want = ref.batch_norm(True, X, ones, zeros, zeros, ones, 1e-5, 0.9)
    got = student.call(student.harness.forward, [layer, X, True], label="a new BatchNorm in training mode")
    expect.close(
        expect.tensor(got, "the output of a new BatchNorm", X.shape),
        want[0],
        "a new BatchNorm should start with gamma = 1 and beta = 0: in training mode it then only normalises X",
        **expect.TOL32,
    )
    expect.close(
        layer.moving_mean,
        want[1],
        "after one training step a new BatchNorm's moving_mean is wrong: it should start at zeros and move with momentum 0.9",
        **expect.TOL32,
    )


@exercise("BatchNorm")
@points(2)
def test_batchnorm_layer_modes(student, rng):
    """BatchNorm starts at gamma 1, beta 0, moving mean 0; normalises with batch statistics and updates the moving ones in training mode, and uses the moving ones in eval mode."""
    fresh_starts(student, rng)
    for num_dims in (2, 4):
        layer, X, v = batchnorm_layer(student, rng, num_dims)
        want = ref.batch_norm(True, X, v["gamma"], v["beta"], v["moving_mean"], v["moving_var"], 1e-5, 0.9)
        got = student.call(student.harness.forward, [layer, X, True], label="BatchNorm in training mode")
        got = expect.tensor(got, "BatchNorm's output", X.shape)
        expect.close(
            got, want[0], f"BatchNorm({num_dims}-D) in training mode should normalise with batch statistics", **expect.TOL32
        )
        for name, value in zip(("moving_mean", "moving_var"), want[1:]):
            expect.close(
                getattr(layer, name),
                value,
                f"BatchNorm should keep the updated {name} after a training step (assign batch_norm's results; "
                "if a batch_norm check fails too, fix batch_norm first)",
                **expect.TOL32,
            )
        eval_want = ref.batch_norm(False, X, v["gamma"], v["beta"], want[1], want[2], 1e-5, 0.9)[0]
        got = student.call(student.harness.forward, [layer, X, False], label="BatchNorm in eval mode")
        got = expect.tensor(got, "BatchNorm's output", X.shape)
        expect.close(got, eval_want, "BatchNorm in eval mode should use the moving statistics (self.training)", **expect.TOL32)


@exercise("BatchNorm")
@points(1)
def test_batchnorm_layer_gradients(student, rng):
    """Backpropagation reaches BatchNorm's gamma and beta."""
    layer, X, v = batchnorm_layer(student, rng, 4)
    g = draw.randn(rng, *X.shape, dtype=torch.float32)
    gamma, beta = v["gamma"].clone().requires_grad_(), v["beta"].clone().requires_grad_()
    ref.batch_norm(True, X, gamma, beta, v["moving_mean"], v["moving_var"], 1e-5, 0.9)[0].backward(g)
    student.call(student.harness.vjp, [layer, [X], g], label="backpropagating through BatchNorm")
    grads = student.harness.grads_of(layer)
    assert type(grads) is dict, "the grader could not read BatchNorm's gradients"
    for name, want in (("gamma", gamma.grad), ("beta", beta.grad)):
        assert grads.get(name) is not None, f"no gradient reached BatchNorm's {name}: is it an nn.Parameter?"
        expect.close(grads[name], want, f"the gradient of BatchNorm's {name} is wrong", **expect.TOL32)


# --- ResNet ----------------------------------------------------------------------------

RESIDUAL_HINT = (
    "Y = relu(bn1(conv1(X))), Y = bn2(conv2(Y)); add the input (through conv3 when there is one) and apply ReLU "
    "to the sum: relu(Y + X), not relu(Y) + X"
)


@exercise("Residual")
@points(1)
def test_residual_parts(student, rng):
    """Residual has conv1, conv2, bn1, bn2, and conv3 only with use_1x1conv."""
    c = draw.randint(rng, 2, 5)
    with_1x1, plain = student.Residual(c, c + 1, True, 2), student.Residual(c, c)
    for name in ("conv1", "conv2", "bn1", "bn2", "conv3"):
        assert nets.has_module(with_1x1, name), f"Residual(..., use_1x1conv=True) should have a module `{name}`"
    assert plain.conv3 is None, "without use_1x1conv, Residual's conv3 should be None"


@exercise("Residual")
@points(2)
def test_residual_values(student, rng):
    """Residual blocks with and without the 1 x 1 convolution and stride 2, eval and training mode."""
    c_in = draw.randint(rng, 2, 5)
    c_out = c_in + draw.randint(rng, 1, 4)
    X = nets.images(rng, 2, c_in, draw.randint(rng, 5, 9), draw.randint(rng, 9, 13))
    nets.judge(
        student, student.Residual(c_in, c_out, True, 2), ref.Residual(c_in, c_out, True, 2), X, "Residual", RESIDUAL_HINT, rng
    )
    X = nets.images(rng, 2, c_in, draw.randint(rng, 5, 9), draw.randint(rng, 9, 13))
    for training in (False, True):
        nets.judge(
            student, student.Residual(c_in, c_in), ref.Residual(c_in, c_in), X, "Residual", RESIDUAL_HINT, rng, training
        )


@exercise("resnet_block")
@points(2)
def test_resnet_block_values(student, rng):
    """resnet_block, first in the network or not, on non-square inputs."""
    c = draw.randint(rng, 2, 5)
    X = nets.images(rng, 2, c, draw.randint(rng, 6, 9), draw.randint(rng, 9, 13))
    n = draw.randint(rng, 2, 4)
    hint = (
        "the first Residual of a block that is not the first one uses use_1x1conv=True and stride=2; the others keep the size "
        "(if a Residual check fails too, fix Residual first)"
    )
    for args in ((c, c, n, True), (c, c + draw.randint(rng, 1, 4), n, False)):
        block = nets.returns_module(student.resnet_block(*args), "resnet_block")
        nets.judge(student, block, ref.resnet_block(*args), X, "resnet_block", hint, rng)


@exercise("resnet18")
@points(1)
def test_resnet18_structure(student, rng):
    """resnet18() has the notes' 11,178,378 parameters (meta device)."""
    nets.count_is(student, student.resnet18, (), 11178378, "ResNet-18")


@exercise("resnet18")
@points(1)
def test_resnet18_block_shapes(student, rng):
    """Each child of ResNet-18 outputs the reference's shape at a new input size (meta device)."""
    block_shapes_at(student, "resnet18", sizes(rng, 40, 300, 1)[0], "ResNet-18")


@exercise("resnet18")
@points(2)
def test_resnet18_values(student, rng):
    """With the same weights, ResNet-18 gives the reference's scores on a small non-square batch (eval mode)."""
    size = small_size(rng)
    hint = "the first four layers (7 x 7 convolution with stride 2 and padding 3, BatchNorm2d, ReLU, 3 x 3 max pooling " + (
        "with stride 2 and padding 1), four resnet_blocks of two Residuals each, global average pooling, flattening, Linear "
        "(fix any failing block check first)"
    )
    network_values(student, "resnet18", size, "ResNet-18", hint, rng)


def resnet18_trace(size):
    """The reference ResNet-18's shapes (batch left out) after its stem's pooling and each resnet_block, for (1, 1, size, size)."""
    net = nets.on_meta(ref.resnet18)
    return nets.trace(net, size, lambda name, _: name == "3" or name.startswith("resnet_block"))


@exercise("resnet18_shapes")
@points(2)
def test_resnet18_shapes(student, rng):
    """resnet18_shapes(size) at new sizes equals the real network's shapes."""
    shape_function_agrees(student, "resnet18_shapes", resnet18_trace, sizes(rng, 20, 320))


@exercise("resnet18_shapes")
@points(1)
def test_resnet18_shapes_from_formula(student, rng):
    """resnet18_shapes works and uses conv_output_shape alone."""
    shape_function_agrees(student, "resnet18_shapes", resnet18_trace, sizes(rng, 50, 300, 1))
    nets.formula_only(student.source("resnet18_shapes"), "resnet18_shapes")


# --- DenseNet --------------------------------------------------------------------------


@exercise("conv_block")
@points(1)
def test_conv_block_values(student, rng):
    """conv_block: batch norm, ReLU, then a 3 x 3 convolution with padding 1 (eval mode, and training mode with its running statistics)."""
    c_in, c_out = draw.randint(rng, 2, 6), draw.randint(rng, 2, 6)
    X = nets.images(rng, 2, c_in, draw.randint(rng, 4, 8), draw.randint(rng, 8, 11))
    hint = "BatchNorm2d(in_channels), ReLU, Conv2d(in_channels, out_channels, kernel_size=3, padding=1), in this order"
    block_values(student, "conv_block", (c_in, c_out), X, hint, rng, modes=(False, True))


@exercise("DenseBlock")
@points(1)
def test_dense_block_attributes(student, rng):
    """DenseBlock keeps its conv_blocks in `net` and its output channel count in `out_channels`."""
    num_convs, c_in, growth = draw.randint(rng, 2, 5), draw.randint(rng, 2, 6), draw.randint(rng, 2, 6)
    block = student.DenseBlock(num_convs, c_in, growth)
    assert is_instance(block, expect.MODULE), "DenseBlock should subclass nn.Module"
    assert is_instance(block.net, "torch.nn.modules.container.ModuleList"), "DenseBlock.net should be an nn.ModuleList"
    assert len(block.net) == num_convs, "DenseBlock.net should hold num_convs conv_blocks"
    assert block.out_channels == c_in + num_convs * growth, (
        "DenseBlock.out_channels should be in_channels + num_convs * out_channels"
    )


@exercise("DenseBlock")
@points(2)
def test_dense_block_values(student, rng):
    """Each conv_block sees the concatenation of the input and all earlier outputs, on the channel axis."""
    for _ in range(2):
        args = (draw.randint(rng, 2, 4), draw.randint(rng, 2, 5), draw.randint(rng, 2, 6))
        X = nets.images(rng, 2, args[1], draw.randint(rng, 4, 7), draw.randint(rng, 7, 10))
        nets.judge(
            student,
            student.DenseBlock(*args),
            ref.DenseBlock(*args),
            X,
            "DenseBlock",
            "for each conv_block: Y = blk(X), then X = torch.cat((X, Y), dim=1) (input first, on the channel axis)",
            rng,
        )


@exercise("transition_block")
@points(1)
def test_transition_block_values(student, rng):
    """transition_block: batch norm, ReLU, 1 x 1 convolution, 2 x 2 average pooling (odd and even sizes, eval and training mode)."""
    c_in, c_out = draw.randint(rng, 3, 7), draw.randint(rng, 1, 4)
    X = nets.images(rng, 2, c_in, draw.randint(rng, 5, 9), draw.randint(rng, 9, 13))
    hint = (
        "BatchNorm2d(in_channels), ReLU, Conv2d(in_channels, out_channels, kernel_size=1), AvgPool2d(kernel_size=2, stride=2)"
    )
    block_values(student, "transition_block", (c_in, c_out), X, hint, rng, modes=(False, True))


@exercise("densenet")
@points(1)
def test_densenet_structure(student, rng):
    """densenet() has the notes' 758,226 parameters (meta device)."""
    nets.count_is(student, student.densenet, (), 758226, "DenseNet")


@exercise("densenet")
@points(1)
def test_densenet_block_shapes(student, rng):
    """Each child of DenseNet outputs the reference's shape at a new input size (meta device)."""
    block_shapes_at(student, "densenet", sizes(rng, 40, 300, 1)[0], "DenseNet")


@exercise("densenet")
@points(2)
def test_densenet_values(student, rng):
    """With the same weights, DenseNet gives the reference's scores on a small non-square batch (eval mode)."""
    size = small_size(rng)
    hint = "four DenseBlock(4, channels, 32) with a transition_block halving the channels between them, then BatchNorm2d, " + (
        "ReLU, global average pooling, flattening and Linear (fix any failing block check first)"
    )
    network_values(student, "densenet", size, "DenseNet", hint, rng)


def densenet_trace(size):
    """The reference DenseNet's shapes (batch left out) after its stem, each DenseBlock and transition_block, and fc."""
    keep = ("3", "DenseBlock", "transition_block", "fc")
    return nets.trace(nets.on_meta(ref.densenet), size, lambda name, _: name.startswith(keep))


@exercise("densenet_shapes")
@points(2)
def test_densenet_shapes(student, rng):
    """densenet_shapes(size) at new sizes equals the real network's shapes."""
    shape_function_agrees(student, "densenet_shapes", densenet_trace, sizes(rng, 32, 320))


@exercise("densenet_shapes")
@points(1)
def test_densenet_shapes_from_formula(student, rng):
    """densenet_shapes works and uses conv_output_shape alone."""
    shape_function_agrees(student, "densenet_shapes", densenet_trace, sizes(rng, 50, 300, 1))
    nets.formula_only(student.source("densenet_shapes"), "densenet_shapes")
