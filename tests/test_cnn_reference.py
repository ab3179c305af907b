"""The reference CNNs of 06_convolution_basics and 07_modern_cnns match EXERCISES.md: parameter counts, block shapes.

Networks are built on the meta device (no memory, no arithmetic), so the big ones cost nothing.
"""

import pytest
import torch
import torch.nn.functional as F

from autograder.worker import harness
from reference import convolution_basics as conv
from reference import modern_cnns as cnn

NETWORKS = {
    "LeNet": (conv.LeNet, 44426),
    "AlexNet": (cnn.AlexNet, 46764746),
    "VGG-11": (lambda: cnn.vgg(cnn.VGG11_ARCH, 512 * 7 * 7, 4096), 128806154),
    "NiN": (cnn.nin, 1992166),
    "GoogLeNet": (cnn.googlenet, 5977530),
    "ResNet-18": (cnn.resnet18, 11178378),
    "DenseNet": (cnn.densenet, 758226),
}


def meta(factory):
    with torch.device("meta"):
        return factory()


def children(net, size):
    """{child name: output shape without the batch} for a (2, 1, size, size) input run child by child."""
    return dict((name, shape[1:]) for name, shape in harness.child_shapes(net, (2, 1, size, size)))


@pytest.mark.parametrize("name", NETWORKS)
def test_parameter_counts(name):
    factory, expected = NETWORKS[name]
    assert harness.count_parameters(meta(factory)) == expected


def test_lenet_shapes_match_the_notes_and_the_network():
    notes = [(6, 24, 24), (6, 12, 12), (16, 8, 8), (16, 4, 4), (256,), (120,), (84,), (10,)]
    assert conv.lenet_shapes(28) == notes
    layers = harness.layer_shapes(meta(conv.LeNet), (1, 1, 28, 28))
    assert [s[1:] for s in layers] == [notes[i] for i in (0, 1, 2, 3, 5, 6, 7)]


def test_alexnet_shapes_match_the_notes_and_the_network():
    notes = [(96, 54, 54), (96, 26, 26), (256, 26, 26), (256, 12, 12), (384, 12, 12), (384, 12, 12), (256, 12, 12)]
    notes += [(256, 5, 5), (6400,), (4096,), (4096,), (10,)]
    assert cnn.alexnet_shapes(224) == notes
    layers = [s[1:] for s in harness.layer_shapes(meta(cnn.AlexNet), (1, 1, 224, 224))]
    assert layers == notes[:8] + notes[9:]


def test_vgg_shapes_match_the_notes_and_the_network():
    notes = [(64, 112, 112), (128, 56, 56), (256, 28, 28), (512, 14, 14), (512, 7, 7)]
    assert cnn.vgg_shapes(224) == notes
    net = meta(lambda: cnn.vgg(cnn.VGG11_ARCH, 512 * 7 * 7, 4096))
    assert list(children(net, 224).values()) == notes + [(10,)]


def test_nin_shapes_match_the_notes_and_the_network():
    notes = [(96, 54, 54), (96, 26, 26), (256, 26, 26), (256, 12, 12), (384, 12, 12), (384, 5, 5), (10, 5, 5)]
    notes += [(10, 1, 1), (10,)]
    assert cnn.nin_shapes(224) == notes
    shapes = children(meta(cnn.nin), 224)
    assert [s for name, s in shapes.items() if name != "6"] == notes


def test_googlenet_shapes_match_the_notes_and_the_network():
    notes = [(64, 24, 24), (192, 12, 12), (480, 6, 6), (832, 3, 3), (1024,), (10,)]
    assert cnn.googlenet_shapes(96) == notes
    assert children(meta(cnn.googlenet), 96) == dict(zip(["b1", "b2", "b3", "b4", "b5", "fc"], notes))


def test_resnet18_shapes_match_the_notes_and_the_network():
    notes = [(64, 56, 56), (64, 56, 56), (128, 28, 28), (256, 14, 14), (512, 7, 7)]
    assert cnn.resnet18_shapes(224) == notes
    assert [s[1] for s in cnn.resnet18_shapes(96)] == [24, 24, 12, 6, 3]
    shapes = children(meta(cnn.resnet18), 224)
    assert [shapes[k] for k in ("3", "resnet_block1", "resnet_block2", "resnet_block3", "resnet_block4")] == notes


def test_densenet_shapes_match_the_notes_and_the_network():
    notes = [(64, 24, 24), (192, 24, 24), (96, 12, 12), (224, 12, 12), (112, 6, 6), (240, 6, 6), (120, 3, 3)]
    notes += [(248, 3, 3), (10,)]
    assert cnn.densenet_shapes(96) == notes
    shapes = children(meta(cnn.densenet), 96)
    keep = [k for k in shapes if k == "3" or k.startswith(("DenseBlock", "transition_block", "fc"))]
    assert [shapes[k] for k in keep] == notes


@pytest.mark.parametrize("size", [30, 57, 101, 150, 227, 299])
def test_shape_functions_agree_with_the_networks_at_other_sizes(size):
    assert cnn.googlenet_shapes(size)[:4] == list(children(meta(cnn.googlenet), size).values())[:4]
    resnet = children(meta(cnn.resnet18), size)
    assert cnn.resnet18_shapes(size)[1:] == [resnet[f"resnet_block{i}"] for i in range(1, 5)]
    if size >= 67:
        assert cnn.nin_shapes(size)[:6] == list(children(meta(cnn.nin), size).values())[:6]


def test_corr2d_family_against_conv2d():
    g = torch.Generator().manual_seed(0)
    X, K = torch.randn(6, 9, generator=g), torch.randn(2, 3, generator=g)
    torch.testing.assert_close(conv.corr2d(X, K), F.conv2d(X[None, None], K[None, None])[0, 0])
    X3, K3 = torch.randn(3, 5, 7, generator=g), torch.randn(4, 3, 2, 3, generator=g)
    torch.testing.assert_close(conv.corr2d_multi_in_out(X3, K3), F.conv2d(X3[None], K3)[0], rtol=1e-5, atol=1e-5)
    K1 = torch.randn(4, 3, 1, 1, generator=g)
    torch.testing.assert_close(conv.corr2d_multi_in_out_1x1(X3, K1), conv.corr2d_multi_in_out(X3, K1), rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(conv.pool2d(X, (2, 3), "avg"), F.avg_pool2d(X[None, None], (2, 3), stride=1)[0, 0])
    torch.testing.assert_close(conv.pool2d(X, (3, 2)), F.max_pool2d(X[None, None], (3, 2), stride=1)[0, 0])


@pytest.mark.parametrize("args", [(9, 3), ((9, 12), (3, 4), (1, 0), (2, 3)), (224, 11, 0, 4), ((31, 17), 5, 2, (3, 2))])
def test_conv_output_shape_against_conv2d(args):
    in_hw, kernel, padding, stride = (list(args) + [0, 1])[:4] if len(args) == 2 else args
    pair = lambda v: v if isinstance(v, tuple) else (v, v)  # noqa: E731
    out = F.conv2d(torch.zeros(1, 1, *pair(in_hw)), torch.zeros(1, 1, *pair(kernel)), padding=padding, stride=stride)
    assert conv.conv_output_shape(in_hw, kernel, padding, stride) == tuple(out.shape[2:])


def test_batch_norm_matches_torch_with_the_notes_momentum():
    g = torch.Generator().manual_seed(1)
    X = torch.randn(5, 3, 4, 6, generator=g, dtype=torch.float64) * 2 + 1
    gamma, beta = torch.rand(1, 3, 1, 1, dtype=torch.float64), torch.rand(1, 3, 1, 1, dtype=torch.float64)
    mean, var = torch.zeros(1, 3, 1, 1, dtype=torch.float64), torch.ones(1, 3, 1, 1, dtype=torch.float64)
    Y, new_mean, new_var = cnn.batch_norm(True, X, gamma, beta, mean, var, 1e-5, 0.9)
    running_mean, running_var = mean.flatten().clone(), var.flatten().clone()
    want = F.batch_norm(X, running_mean, running_var, gamma.flatten(), beta.flatten(), True, 0.1, 1e-5)
    torch.testing.assert_close(Y, want)
    torch.testing.assert_close(new_mean.flatten(), running_mean)
    n = X.numel() / 3  # torch keeps the unbiased variance in its running average; the notes keep the biased one
    torch.testing.assert_close(new_var.flatten(), 0.9 + 0.1 * (running_var - 0.9) / 0.1 * (n - 1) / n)
