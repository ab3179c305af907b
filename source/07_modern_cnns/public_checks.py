"""Public checks for 07_modern_cnns: run them in the notebook with check("Residual") or check().

A quick, visible sample: the grade comes from hidden checks on other inputs.
Whole networks are run on PyTorch's 'meta' device, which computes shapes
without data, so these checks take no time even for VGG-11.
"""

import copy

import torch
import torch.nn.functional as F
from torch import nn

from kitcheck import close, public, randint, tensor


def _count(net):
    return sum(p.numel() for p in net.parameters())


def _kinds(modules):
    return [type(m).__name__ for m in modules]


def _meta(net):
    return copy.deepcopy(net).to("meta")


def _trace(net, size, keep):
    """Run the children of net (on 'meta') on a (1, 1, size, size) input; the shapes after the children keep(name) picks."""
    x, shapes = torch.empty(1, 1, size, size, device="meta"), []
    for name, child in _meta(net).named_children():
        x = child(x)
        if keep(name):
            shapes.append(tuple(x.shape[1:]))
    return shapes


def _same_shapes(got, want, what, size):
    got = [tuple(s) for s in got]
    assert got == want, (
        f"{what}({size}) differs from the shapes your own network gives at size {size}: "
        "if the network passes its checks, follow each layer's conv_output_shape"
    )


# --- AlexNet --------------------------------------------------------------------------------


@public("AlexNet")
def alexnet_layers(student, rng):
    """The notes' layers (ReLU, the documented padding), 46,764,746 parameters, (n, 1, 224, 224) -> (n, 10)."""
    net = student.AlexNet()
    assert _kinds(net.conv) == ["Conv2d", "ReLU", "MaxPool2d"] * 2 + ["Conv2d", "ReLU"] * 3 + ["MaxPool2d"], (
        "conv should hold the notes' Conv2d, ReLU and MaxPool2d layers in order (ReLU, not Sigmoid)"
    )
    assert [m.padding for m in net.conv if isinstance(m, nn.Conv2d)] == [(0, 0), (2, 2), (1, 1), (1, 1), (1, 1)], (
        "the convolutions' padding should be 0, 2, 1, 1, 1"
    )
    assert _count(net) == 46764746, "the notes' AlexNet has 46,764,746 parameters (fc starts with Linear(256 * 5 * 5, 4096))"
    assert tuple(_meta(net)(torch.empty(2, 1, 224, 224, device="meta")).shape) == (2, 10), "the output should be (n, 10)"


@public("alexnet_shapes")
def alexnet_shapes_at_another_size(student, rng):
    """The 12 shapes at a size other than 224 agree with the network."""
    size = 2 * randint(rng, 105, 125) + 1
    net = student.AlexNet()
    x, want = torch.empty(1, 1, size, size, device="meta"), []
    for layer in _meta(net.conv):
        x = layer(x)
        if isinstance(layer, (nn.Conv2d, nn.MaxPool2d)):
            want.append(tuple(x.shape[1:]))
    want += [(x[0].numel(),), (4096,), (4096,), (10,)]
    _same_shapes(student.alexnet_shapes(size), want, "alexnet_shapes", size)


# --- VGG ------------------------------------------------------------------------------------


@public("vgg_block")
def vgg_block_values(student, rng):
    """num_convs x (3 x 3 conv, padding 1, ReLU), then 2 x 2 max pooling: values from its own layers."""
    c_in, c_out = randint(rng, 2, 4), randint(rng, 3, 6)
    blk = student.vgg_block(2, c_in, c_out)
    assert _kinds(blk) == ["Conv2d", "ReLU", "Conv2d", "ReLU", "MaxPool2d"], "a block is (Conv2d, ReLU) x num_convs, then MaxPool2d"
    X = torch.randn(2, c_in, 10, 7, generator=rng)
    Y = X
    for conv in (blk[0], blk[2]):
        Y = F.relu(F.conv2d(Y, conv.weight, conv.bias, padding=1))
    out = tensor(blk(X), "vgg_block(2, c_in, c_out)(X)", (2, c_out, 5, 3))
    close(out, F.max_pool2d(Y, 2, 2), "each convolution is 3 x 3 with padding 1 (from the previous layer's channels)", atol=1e-5)


@public("vgg")
def vgg_small(student, rng):
    """Children vgg_block_1, vgg_block_2, ..., fc; fc uses fc_hidden_units with ReLU and Dropout."""
    hidden = randint(rng, 16, 40)
    net = student.vgg(((1, 1, 4), (2, 4, 8)), 8 * 7 * 7, hidden)
    assert [name for name, _ in net.named_children()] == ["vgg_block_1", "vgg_block_2", "fc"], (
        "the children should be named vgg_block_1, vgg_block_2, ... and fc"
    )
    linears = [m for m in net.fc.modules() if isinstance(m, nn.Linear)]
    assert [(m.in_features, m.out_features) for m in linears] == [(392, hidden), (hidden, hidden), (hidden, 10)], (
        "fc should be Linear(fc_features, fc_hidden_units), Linear(fc_hidden_units, fc_hidden_units), Linear(fc_hidden_units, 10)"
    )
    assert sum(isinstance(m, nn.ReLU) for m in net.fc.modules()) == 2, "fc needs a ReLU after each hidden Linear"
    net.eval()
    tensor(net(torch.rand(2, 1, 28, 28, generator=rng)), "vgg(...)(X)", (2, 10))


@public("vgg_shapes")
def vgg_shapes_other_arch(student, rng):
    """One (out_channels, h, w) per block for another size and another conv_arch: each block halves h and w."""
    size = randint(rng, 40, 120)
    arch = ((1, 1, randint(rng, 4, 9)), (2, 8, randint(rng, 10, 20)), (1, 20, randint(rng, 21, 30)))
    want, hw = [], size
    for _, _, out_channels in arch:
        hw //= 2
        want.append((out_channels, hw, hw))
    got = [tuple(s) for s in student.vgg_shapes(size, arch)]
    assert got == want, "each block keeps h and w through its 3 x 3 padded convolutions, then the 2 x 2 pooling halves them"


# --- NiN ------------------------------------------------------------------------------------


@public("nin_block")
def nin_block_layers(student, rng):
    """Conv2d(in, out, k, stride, padding), ReLU, then two 1 x 1 (Conv2d, ReLU)."""
    blk = student.nin_block(3, 5, 3, 2, 1)
    assert _kinds(blk) == ["Conv2d", "ReLU"] * 3, "a NiN block is Conv2d, ReLU, then twice a 1 x 1 Conv2d and ReLU"
    assert (blk[0].stride, blk[0].padding, blk[2].kernel_size) == ((2, 2), (1, 1), (1, 1)), "mind the order: stride, then padding"
    tensor(blk(torch.rand(2, 3, 9, 8, generator=rng)), "nin_block(3, 5, 3, 2, 1)(X)", (2, 5, 5, 4))


@public("GlobalAvgPool2d")
def global_avg_pool_values(student, rng):
    """The mean over the whole height and width of a non-square map, (n, c, 1, 1)."""
    X = torch.randn(2, 3, randint(rng, 2, 5), randint(rng, 6, 9), generator=rng)
    out = tensor(student.GlobalAvgPool2d()(X), "GlobalAvgPool2d()(X)", (2, 3, 1, 1))
    close(out, X.mean(dim=(2, 3), keepdim=True), "average over all of h and w (the window is the whole map)")


NIN_AT_224 = [(96, 54, 54), (96, 26, 26), (256, 26, 26), (256, 12, 12), (384, 12, 12), (384, 5, 5), (10, 5, 5), (10, 1, 1), (10,)]


@public("nin")
def nin_structure(student, rng):
    """10 children, 1,992,166 parameters, and the documented shapes at 224."""
    net = student.nin()
    assert len(list(net.children())) == 10, "NiN is an nn.Sequential of 10 children"
    assert _count(net) == 1992166, "the notes' NiN has 1,992,166 parameters"
    kinds = _kinds(net.children())
    shapes = _trace(net, 224, lambda name: kinds[int(name)] != "Dropout")
    assert shapes == NIN_AT_224, "the children's output shapes at 224 should be those of nin_shapes's docstring (MaxPool2d(3, 2))"


@public("nin_shapes")
def nin_shapes_at_another_size(student, rng):
    """The 9 shapes at a size other than 224 agree with the network."""
    size = randint(rng, 200, 260)
    net = student.nin()
    kinds = _kinds(net.children())
    _same_shapes(student.nin_shapes(size), _trace(net, size, lambda name: kinds[int(name)] != "Dropout"), "nin_shapes", size)


# --- GoogLeNet ------------------------------------------------------------------------------


@public("Inception")
def inception_values(student, rng):
    """Four paths from x, each convolution followed by ReLU, concatenated on the channel axis."""
    blk = student.Inception(3, randint(rng, 2, 5), (2, randint(rng, 2, 5)), (2, randint(rng, 2, 5)), randint(rng, 2, 5))
    X = torch.randn(2, 3, 6, 7, generator=rng)
    r = F.relu
    want = torch.cat(
        [r(blk.p1_1(X)), r(blk.p2_2(r(blk.p2_1(X)))), r(blk.p3_2(r(blk.p3_1(X)))), r(blk.p4_2(blk.p4_1(X)))], dim=1
    )
    close(blk(X), want, "each path starts from x, every convolution is followed by ReLU, and torch.cat joins them on dim 1")


GOOGLENET_AT_96 = [(64, 24, 24), (192, 12, 12), (480, 6, 6), (832, 3, 3), (1024,), (10,)]


@public("googlenet")
def googlenet_structure(student, rng):
    """Children b1..b5 and fc, 5,977,530 parameters, no ReLU in b2, the documented shapes at 96."""
    net = student.googlenet()
    assert [name for name, _ in net.named_children()] == ["b1", "b2", "b3", "b4", "b5", "fc"], "children b1, b2, b3, b4, b5, fc"
    assert not any(isinstance(m, nn.ReLU) for m in net.b2.modules()), "b2 has no ReLU in the notes"
    assert _count(net) == 5977530, "the notes' GoogLeNet has 5,977,530 parameters"
    assert _trace(net, 96, lambda name: True) == GOOGLENET_AT_96, "the blocks' output shapes at 96 should be the documented ones"


@public("googlenet_shapes")
def googlenet_shapes_at_another_size(student, rng):
    """The 6 shapes at a size other than 96 agree with the network."""
    size = randint(rng, 100, 230)
    _same_shapes(student.googlenet_shapes(size), _trace(student.googlenet(), size, lambda name: True), "googlenet_shapes", size)


# --- batch normalisation ----------------------------------------------------------------------


def _bn_oracle(X, gamma, beta, mean, var, eps, momentum):
    dims = (0,) if X.dim() == 2 else (0, 2, 3)
    batch_mean = X.mean(dim=dims, keepdim=True)
    batch_var = ((X - batch_mean) ** 2).mean(dim=dims, keepdim=True)
    Y = gamma * (X - batch_mean) / torch.sqrt(batch_var + eps) + beta
    return Y, momentum * mean + (1 - momentum) * batch_mean, momentum * var + (1 - momentum) * batch_var


@public("batch_norm")
def batch_norm_training_and_prediction(student, rng):
    """Batch statistics (biased variance) in training, moving ones in prediction; the notes' momentum."""
    for shape, stat in (((6, 3), (1, 3)), ((4, 3, 2, 5), (1, 3, 1, 1))):
        X = torch.randn(*shape, generator=rng) * 2 + 1
        gamma, beta = torch.rand(stat, generator=rng) + 0.5, torch.randn(stat, generator=rng)
        mean, var = torch.randn(stat, generator=rng), torch.rand(stat, generator=rng) + 0.5
        eps, momentum = 1e-5, 0.9
        Y, new_mean, new_var = student.batch_norm(True, X, gamma, beta, mean, var, eps, momentum)
        want = _bn_oracle(X, gamma, beta, mean, var, eps, momentum)
        close(Y, want[0], f"training output wrong for {len(shape)}-D input: biased variance, per feature or channel", atol=1e-5)
        close(new_mean, want[1], "moving = momentum * moving + (1 - momentum) * batch statistic", atol=1e-5)
        close(new_var, want[2], "moving = momentum * moving + (1 - momentum) * batch statistic", atol=1e-5)
        Y, _, _ = student.batch_norm(False, X, gamma, beta, mean, var, eps, momentum)
        close(Y, gamma * (X - mean) / torch.sqrt(var + eps) + beta, "prediction should use the moving statistics", atol=1e-5)


@public("BatchNorm")
def batchnorm_layer_modes(student, rng):
    """gamma and beta are parameters; training updates the moving statistics; eval mode uses them."""
    c = randint(rng, 2, 5)
    bn = student.BatchNorm(c, num_dims=4)
    assert len(list(bn.parameters())) == 2, "gamma and beta should be nn.Parameter (and nothing else)"
    X = torch.rand(4, c, 3, 5, generator=rng) * 4 + 2
    Y = bn(X)
    close(Y.mean(dim=(0, 2, 3)), torch.zeros(c), "in training mode each channel is normalised with the batch statistics", atol=1e-4)
    assert float(bn.moving_mean.abs().sum()) > 0, "a training step should update moving_mean (keep what batch_norm returns)"
    bn.eval()
    assert not torch.allclose(bn(X), Y, atol=1e-3), "in eval mode the layer should use the moving statistics"


# --- ResNet ---------------------------------------------------------------------------------


@public("Residual")
def residual_values(student, rng):
    """relu(bn2(conv2(relu(bn1(conv1(X))))) + shortcut), the shortcut through conv3 only with use_1x1conv."""
    plain = student.Residual(3, 3)
    assert plain.conv3 is None, "without use_1x1conv, conv3 should be None (the input is added as it is)"
    for blk, X in ((plain, torch.randn(4, 3, 6, 6, generator=rng)), (student.Residual(3, 6, True, 2), torch.randn(4, 3, 6, 5, generator=rng))):
        Y = blk.bn2(blk.conv2(F.relu(blk.bn1(blk.conv1(X)))))
        shortcut = X if blk.conv3 is None else blk.conv3(X)
        close(blk(X), F.relu(Y + shortcut), "add the shortcut before the final ReLU (and after bn2)", atol=1e-5)


@public("resnet_block")
def resnet_block_shapes(student, rng):
    """The first block halves h and w and changes the channels unless first_block."""
    c = randint(rng, 2, 5)
    blk = student.resnet_block(c, 2 * c, 2)
    tensor(blk(torch.rand(2, c, 8, 8, generator=rng)), "resnet_block(c, 2c, 2)(X)", (2, 2 * c, 4, 4))
    assert blk[0].conv3 is not None, "the first Residual of a block should use the 1 x 1 convolution (and stride 2)"
    first = student.resnet_block(c, c, 2, first_block=True)
    tensor(first(torch.rand(2, c, 8, 8, generator=rng)), "resnet_block(c, c, 2, first_block=True)(X)", (2, c, 8, 8))


RESNET18_AT_224 = [(64, 56, 56), (64, 56, 56), (128, 28, 28), (256, 14, 14), (512, 7, 7)]


def _resnet_keep(name):
    return name == "3" or name.startswith("resnet_block")


@public("resnet18")
def resnet18_structure(student, rng):
    """11,178,378 parameters, the stem's BatchNorm and pooling, the documented shapes at 224."""
    net = student.resnet18()
    assert _count(net) == 11178378, "the notes' ResNet-18 has 11,178,378 parameters"
    assert _trace(net, 224, _resnet_keep) == RESNET18_AT_224, (
        "the stem (children 0-3) and resnet_block1..4 should give the documented shapes at 224"
    )


@public("resnet18_shapes")
def resnet18_shapes_at_another_size(student, rng):
    """The 5 shapes at an odd size agree with the network."""
    size = 2 * randint(rng, 40, 110) + 1
    _same_shapes(student.resnet18_shapes(size), _trace(student.resnet18(), size, _resnet_keep), "resnet18_shapes", size)


# --- DenseNet -------------------------------------------------------------------------------


@public("conv_block")
def conv_block_layers(student, rng):
    """BatchNorm2d, ReLU, then a 3 x 3 convolution with padding 1."""
    blk = student.conv_block(3, 5)
    assert _kinds(blk) == ["BatchNorm2d", "ReLU", "Conv2d"], "DenseNet's order: BatchNorm2d, ReLU, Conv2d"
    tensor(blk(torch.rand(2, 3, 4, 6, generator=rng)), "conv_block(3, 5)(X)", (2, 5, 4, 6))


@public("DenseBlock")
def dense_block_values(student, rng):
    """Each conv_block sees the concatenation of the input and the earlier outputs, input channels first."""
    c, growth = randint(rng, 2, 4), randint(rng, 3, 6)
    blk = student.DenseBlock(2, c, growth)
    assert blk.out_channels == c + 2 * growth, "out_channels should be in_channels + num_convs * out_channels"
    X = torch.randn(3, c, 5, 4, generator=rng)
    want = X
    for layer in blk.net:
        want = torch.cat((want, layer(want)), dim=1)
    close(blk(X), want, "concatenate on the channel axis (dim 1), the input's channels first", atol=1e-5)


@public("transition_block")
def transition_block_layers(student, rng):
    """BatchNorm2d, ReLU, 1 x 1 Conv2d, AvgPool2d(2, 2)."""
    blk = student.transition_block(6, 3)
    assert _kinds(blk) == ["BatchNorm2d", "ReLU", "Conv2d", "AvgPool2d"], "BatchNorm2d, ReLU, 1 x 1 Conv2d, AvgPool2d (average)"
    tensor(blk(torch.rand(2, 6, 8, 7, generator=rng)), "transition_block(6, 3)(X)", (2, 3, 4, 3))


DENSENET_AT_96 = [(64, 24, 24), (192, 24, 24), (96, 12, 12), (224, 12, 12), (112, 6, 6), (240, 6, 6), (120, 3, 3), (248, 3, 3), (10,)]


def _densenet_keep(name):
    return name == "3" or name.startswith(("DenseBlock", "transition_block")) or name == "fc"


@public("densenet")
def densenet_structure(student, rng):
    """758,226 parameters and the documented shapes at 96."""
    net = student.densenet()
    assert _count(net) == 758226, "the notes' DenseNet has 758,226 parameters"
    assert _trace(net, 96, _densenet_keep) == DENSENET_AT_96, "the blocks' output shapes at 96 should be the documented ones"


@public("densenet_shapes")
def densenet_shapes_at_another_size(student, rng):
    """The 9 shapes at another size agree with the network."""
    size = randint(rng, 100, 230)
    _same_shapes(student.densenet_shapes(size), _trace(student.densenet(), size, _densenet_keep), "densenet_shapes", size)
