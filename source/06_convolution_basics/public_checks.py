"""Public checks for 06_convolution_basics: run them in the notebook with check("corr2d") or check().

A quick, visible sample: the grade comes from hidden checks on other inputs.
"""

import torch
import torch.nn.functional as F
from torch import nn

from kitcheck import close, public, randint, tensor


def _oracle(X, K):
    """Cross-correlation of one 2-D channel (PyTorch's conv2d does not flip the kernel)."""
    return F.conv2d(X[None, None], K[None, None])[0, 0]


def _image(rng, h, w):
    return torch.randn(h, w, generator=rng)


@public("corr2d")
def corr2d_values(student, rng):
    """Output (h - kh + 1, w - kw + 1), the kernel not flipped, for a non-square kernel."""
    X, K = _image(rng, randint(rng, 5, 8), randint(rng, 6, 9)), _image(rng, 2, 3)
    out = tensor(student.corr2d(X, K), "corr2d(X, K)", (X.shape[0] - 1, X.shape[1] - 2))
    close(out, _oracle(X, K), "corr2d is wrong: Y[i, j] = (X[i:i + kh, j:j + kw] * K).sum(), kernel not flipped", atol=1e-5)


@public("Conv2D")
def conv2d_layer(student, rng):
    """Registered parameters `weight` (kernel_size) and `bias` (1,); forward = corr2d(x, weight) + bias."""
    kernel = (randint(rng, 1, 3), randint(rng, 2, 4))
    layer = student.Conv2D(kernel)
    params = dict(layer.named_parameters())
    assert set(params) == {"weight", "bias"}, "weight and bias should be nn.Parameter attributes (so that they train)"
    tensor(params["weight"], "weight", kernel)
    X = _image(rng, 6, 7)
    close(layer(X), _oracle(X, layer.weight.detach()) + layer.bias.detach(), "forward should be corr2d(x, weight) + bias", atol=1e-5)


@public("conv_output_shape")
def conv_output_shape_formula(student, rng):
    """floor((n - k + 2p) / s) + 1 per dimension, ints or pairs, as ints."""
    h, w = randint(rng, 20, 40), randint(rng, 41, 60)
    k, p, s = randint(rng, 2, 6), randint(rng, 0, 3), randint(rng, 2, 4)
    got = student.conv_output_shape((h, w), (k, k + 1), padding=(p, p + 1), stride=(s, s))
    want = ((h - k + 2 * p) // s + 1, (w - k - 1 + 2 * p + 2) // s + 1)
    assert tuple(got) == want and all(type(v) is int for v in got), (
        "the shape should be floor((n - k + 2p) / s) + 1 for height and width separately, as ints"
    )
    assert tuple(student.conv_output_shape(h, k)) == (h - k + 1, h - k + 1), "an int size means a square"


@public("corr2d_multi_in")
def corr2d_multi_in_sums_channels(student, rng):
    """The sum over input channels of corr2d(X[i], K[i])."""
    c = randint(rng, 2, 4)
    X, K = torch.randn(c, 5, 6, generator=rng), torch.randn(c, 2, 2, generator=rng)
    close(student.corr2d_multi_in(X, K), F.conv2d(X[None], K[None])[0, 0], "sum corr2d(X[i], K[i]) over every channel i", atol=1e-5)


@public("corr2d_multi_in_out")
def corr2d_multi_in_out_stacks(student, rng):
    """One output channel per kernel K[o], stacked: (c_o, h', w')."""
    c_i, c_o = randint(rng, 2, 4), randint(rng, 2, 4)
    X, K = torch.randn(c_i, 5, 6, generator=rng), torch.randn(c_o, c_i, 2, 2, generator=rng)
    out = tensor(student.corr2d_multi_in_out(X, K), "corr2d_multi_in_out(X, K)", (c_o, 4, 5))
    close(out, F.conv2d(X[None], K)[0], "stack corr2d_multi_in(X, k) for every k in K (torch.stack, not cat)", atol=1e-5)


@public("corr2d_multi_in_out_1x1")
def one_by_one_convolution(student, rng):
    """A 1 x 1 kernel (c_o, c_i, 1, 1) on a non-square image."""
    c_i, c_o = randint(rng, 2, 4), randint(rng, 2, 5)
    X, K = torch.randn(c_i, 3, 5, generator=rng), torch.randn(c_o, c_i, 1, 1, generator=rng)
    out = tensor(student.corr2d_multi_in_out_1x1(X, K), "corr2d_multi_in_out_1x1(X, K)", (c_o, 3, 5))
    close(out, F.conv2d(X[None], K)[0], "a 1 x 1 convolution is K (c_o, c_i) @ X (c_i, h * w), reshaped", atol=1e-5)


@public("pool2d")
def pool2d_modes(student, rng):
    """Max and average pooling with a non-square window, stride 1."""
    X = _image(rng, randint(rng, 4, 7), randint(rng, 5, 8))
    window = (2, 3)
    want_max = F.max_pool2d(X[None, None], window, stride=1)[0, 0]
    want_avg = F.avg_pool2d(X[None, None], window, stride=1)[0, 0]
    close(student.pool2d(X, window), want_max, "max pooling is wrong: window (p_h, p_w) over rows and columns", atol=1e-6)
    close(student.pool2d(X, window, "avg"), want_avg, "mode='avg' should average each window", atol=1e-6)


@public("LeNet")
def lenet_layers(student, rng):
    """The notes' LeNet: Conv, Sigmoid, MaxPool twice in `conv`; 44,426 parameters; (n, 1, 28, 28) -> (n, 10)."""
    net = student.LeNet()
    kinds = [type(m).__name__ for m in net.conv]
    assert kinds == ["Conv2d", "Sigmoid", "MaxPool2d", "Conv2d", "Sigmoid", "MaxPool2d"], (
        "conv should be Conv2d(1, 6, 5), Sigmoid, MaxPool2d(2, 2), Conv2d(6, 16, 5), Sigmoid, MaxPool2d(2, 2)"
    )
    assert sum(p.numel() for p in net.parameters()) == 44426, "the notes' LeNet (no padding) has 44,426 parameters"
    tensor(net(torch.rand(randint(rng, 2, 5), 1, 28, 28, generator=rng)), "LeNet()(X)", None)


@public("lenet_shapes")
def lenet_shapes_at_another_size(student, rng):
    """The per-block shapes at a size other than 28, from conv_output_shape."""
    size = 4 * randint(rng, 9, 14)
    hw = size - 4
    hw2 = hw // 2
    hw3 = hw2 - 4
    hw4 = hw3 // 2
    want = [(6, hw, hw), (6, hw2, hw2), (16, hw3, hw3), (16, hw4, hw4), (16 * hw4 * hw4,), (120,), (84,), (10,)]
    got = student.lenet_shapes(size)
    assert [tuple(s) for s in got] == want, "the shapes should follow the size given (conv 5: n - 4; pool 2, stride 2: n // 2)"


@public("train_ch5")
def train_ch5_one_step(student, rng):
    """Two epochs on one batch take two optimizer steps on the mean cross-entropy, gradients zeroed in between."""
    net = nn.Sequential(nn.Flatten(), nn.Linear(16, 3))
    X, y = torch.randn(8, 1, 4, 4, generator=rng), torch.randint(0, 3, (8,), generator=rng)
    mine = nn.Sequential(nn.Flatten(), nn.Linear(16, 3))
    mine.load_state_dict(net.state_dict())
    student.train_ch5(net, [(X, y)], [(X, y)], 8, torch.optim.SGD(net.parameters(), lr=0.5), torch.device("cpu"), 2)
    for _ in range(2):
        mine.zero_grad()
        F.cross_entropy(mine(X), y).backward()
        with torch.no_grad():
            for p in mine.parameters():
                p -= 0.5 * p.grad
    close(
        net[1].weight.detach(),
        mine[1].weight.detach(),
        "each step should follow the mean cross-entropy of the batch, with the gradients zeroed before backward",
        atol=1e-6,
    )
