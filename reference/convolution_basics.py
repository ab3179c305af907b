"""Reference solutions for 06_convolution_basics: cross-correlation, padding and stride, channels, pooling, LeNet."""

import time

import torch
from torch import nn

from reference.softmax_regression import evaluate_accuracy


def corr2d(X, K):
    """2-D cross-correlation (the kernel is not flipped), no padding, stride 1.

    X: (h, w), K: (kh, kw) -> Y: (h - kh + 1, w - kw + 1) with
    Y[i, j] = (X[i:i + kh, j:j + kw] * K).sum(). Differentiable in X and K.
    """
    ### BEGIN SOLUTION
    h, w = K.shape
    Y = torch.zeros((X.shape[0] - h + 1, X.shape[1] - w + 1), dtype=X.dtype)
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i : i + h, j : j + w] * K).sum()
    return Y
    ### END SOLUTION


class Conv2D(nn.Module):
    """A 2-D convolutional layer built on corr2d: one input and one output channel.

    Parameters: weight (kh, kw) = kernel_size, bias (1,). forward: X (h, w) -> corr2d(X, weight) + bias.
    """

    def __init__(self, kernel_size):
        super().__init__()
        ### BEGIN SOLUTION
        self.weight = nn.Parameter(torch.randn(kernel_size))
        self.bias = nn.Parameter(torch.randn(1))
        ### END SOLUTION

    def forward(self, x):
        ### BEGIN SOLUTION
        return corr2d(x, self.weight) + self.bias
        ### END SOLUTION


def conv_output_shape(in_hw, kernel, padding=0, stride=1):
    """Output height and width of a convolution or pooling window.

    Each argument is an int (the same for height and width) or a pair (height, width).
    Per dimension: floor((n - k + 2 * p) / s) + 1. Returns a tuple (h, w) of ints.
    """

    ### BEGIN SOLUTION
    def pair(value):
        return (value, value) if isinstance(value, int) else tuple(value)

    (n_h, n_w), (k_h, k_w), (p_h, p_w), (s_h, s_w) = pair(in_hw), pair(kernel), pair(padding), pair(stride)
    return ((n_h - k_h + 2 * p_h) // s_h + 1, (n_w - k_w + 2 * p_w) // s_w + 1)
    ### END SOLUTION


def corr2d_multi_in(X, K):
    """Cross-correlation over several input channels, summed.

    X: (c_i, h, w), K: (c_i, kh, kw) -> (h - kh + 1, w - kw + 1).
    """
    ### BEGIN SOLUTION
    res = corr2d(X[0], K[0])
    for i in range(1, X.shape[0]):
        res = res + corr2d(X[i], K[i])
    return res
    ### END SOLUTION


def corr2d_multi_in_out(X, K):
    """One corr2d_multi_in per output channel, stacked.

    X: (c_i, h, w), K: (c_o, c_i, kh, kw) -> (c_o, h - kh + 1, w - kw + 1).
    """
    ### BEGIN SOLUTION
    return torch.stack([corr2d_multi_in(X, k) for k in K])
    ### END SOLUTION


def corr2d_multi_in_out_1x1(X, K):
    """A 1 x 1 convolution as one matrix product (channels are features, pixels are examples).

    X: (c_i, h, w), K: (c_o, c_i, 1, 1) -> (c_o, h, w), equal to corr2d_multi_in_out(X, K).
    """
    ### BEGIN SOLUTION
    c_i, h, w = X.shape
    c_o = K.shape[0]
    X = X.reshape(c_i, h * w)
    K = K.reshape(c_o, c_i)
    Y = torch.mm(K, X)
    return Y.reshape(c_o, h, w)
    ### END SOLUTION


def pool2d(X, pool_size, mode="max"):
    """2-D pooling with stride 1 and no padding.

    X: (h, w), pool_size: (p_h, p_w), mode: 'max' or 'avg' -> (h - p_h + 1, w - p_w + 1),
    each entry the maximum ('max') or mean ('avg') of its p_h x p_w window.
    """
    ### BEGIN SOLUTION
    p_h, p_w = pool_size
    Y = torch.zeros((X.shape[0] - p_h + 1, X.shape[1] - p_w + 1), dtype=X.dtype)
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            window = X[i : i + p_h, j : j + p_w]
            if mode == "max":
                Y[i, j] = window.max()
            elif mode == "avg":
                Y[i, j] = window.mean()
            else:
                raise ValueError(f"unknown pooling mode {mode!r}")
    return Y
    ### END SOLUTION


class LeNet(nn.Module):
    """The notes' LeNet for 28 x 28 grey images: (n, 1, 28, 28) -> scores (n, 10).

    conv: Conv2d(1, 6, 5), Sigmoid, MaxPool2d(2, 2), Conv2d(6, 16, 5), Sigmoid, MaxPool2d(2, 2);
    fc: Linear(16 * 4 * 4, 120), Sigmoid, Linear(120, 84), Sigmoid, Linear(84, 10).
    44,426 parameters.
    """

    def __init__(self):
        super().__init__()
        ### BEGIN SOLUTION
        self.conv = nn.Sequential(
            nn.Conv2d(1, 6, 5),
            nn.Sigmoid(),
            nn.MaxPool2d(2, 2),
            nn.Conv2d(6, 16, 5),
            nn.Sigmoid(),
            nn.MaxPool2d(2, 2),
        )
        self.fc = nn.Sequential(
            nn.Linear(16 * 4 * 4, 120),
            nn.Sigmoid(),
            nn.Linear(120, 84),
            nn.Sigmoid(),
            nn.Linear(84, 10),
        )
        ### END SOLUTION

    def forward(self, img):
        ### BEGIN SOLUTION
        feature = self.conv(img)
        return self.fc(feature.view(img.shape[0], -1))
        ### END SOLUTION


def lenet_shapes(size):
    """Per-block output shapes of LeNet for a (1, size, size) image, computed with conv_output_shape only.

    Returns a list of 8 tuples (batch dimension left out): after the first convolution
    (6, h, w), the first pooling (6, h, w), the second convolution (16, h, w), the second
    pooling (16, h, w), the flattening (16 * h * w,), then (120,), (84,), (10,).
    At size 28: (6, 24, 24), (6, 12, 12), (16, 8, 8), (16, 4, 4), (256,), (120,), (84,), (10,).
    """
    ### BEGIN SOLUTION
    shapes = []
    hw = conv_output_shape(size, 5)
    shapes.append((6, *hw))
    hw = conv_output_shape(hw, 2, stride=2)
    shapes.append((6, *hw))
    hw = conv_output_shape(hw, 5)
    shapes.append((16, *hw))
    hw = conv_output_shape(hw, 2, stride=2)
    shapes.append((16, *hw))
    shapes.append((16 * hw[0] * hw[1],))
    shapes += [(120,), (84,), (10,)]
    return shapes
    ### END SOLUTION


def train_ch5(net, train_iter, test_iter, batch_size, optimizer, device, num_epochs):
    """Train a classifier on `device` with cross-entropy and `optimizer`; print per-epoch figures.

    Moves net and every batch to device; per batch: forward, mean cross-entropy,
    optimizer.zero_grad(), backward, optimizer.step(). After each epoch prints the mean
    loss, the training accuracy and evaluate_accuracy(test_iter, net). Returns None.
    """
    ### BEGIN SOLUTION
    net = net.to(device)
    print("training on", device)
    loss = torch.nn.CrossEntropyLoss()
    for epoch in range(num_epochs):
        train_l_sum, train_acc_sum, n, batch_count, start = 0.0, 0.0, 0, 0, time.time()
        for X, y in train_iter:
            X = X.to(device)
            y = y.to(device)
            y_hat = net(X)
            batch_loss = loss(y_hat, y)
            optimizer.zero_grad()
            batch_loss.backward()
            optimizer.step()
            train_l_sum += batch_loss.cpu().item()
            train_acc_sum += (y_hat.argmax(dim=1) == y).sum().cpu().item()
            n += y.shape[0]
            batch_count += 1
        test_acc = evaluate_accuracy(test_iter, net)
        print(
            f"epoch {epoch + 1}, loss {train_l_sum / batch_count:.4f}, train acc {train_acc_sum / n:.3f}, "
            f"test acc {test_acc:.3f}, time {time.time() - start:.1f} sec"
        )
    ### END SOLUTION
