"""Reference solutions for 07_modern_cnns: AlexNet, VGG, NiN, GoogLeNet, batch normalisation, ResNet, DenseNet.

Every network takes 1-channel images and gives 10 class scores. Each has a shape function
``<net>_shapes(size)`` that lists its per-block output shapes for a (1, size, size) image,
computed with conv_output_shape alone (batch dimension left out).
"""

import torch
import torch.nn.functional as F
from torch import nn

from reference.convolution_basics import conv_output_shape
from reference.softmax_regression import FlattenLayer

VGG11_ARCH = ((1, 1, 64), (1, 64, 128), (2, 128, 256), (2, 256, 512), (2, 512, 512))


# --- AlexNet ---------------------------------------------------------------------------


class AlexNet(nn.Module):
    """The notes' AlexNet for 1 x 224 x 224 images: (n, 1, 224, 224) -> (n, 10); 46,764,746 parameters.

    conv: Conv2d(1, 96, 11, 4), ReLU, MaxPool2d(3, 2), Conv2d(96, 256, 5, 1, 2), ReLU, MaxPool2d(3, 2),
          Conv2d(256, 384, 3, 1, 1), ReLU, Conv2d(384, 384, 3, 1, 1), ReLU, Conv2d(384, 256, 3, 1, 1), ReLU,
          MaxPool2d(3, 2)
    fc: Linear(256 * 5 * 5, 4096), ReLU, Dropout(0.5), Linear(4096, 4096), ReLU, Dropout(0.5), Linear(4096, 10)
    """

    def __init__(self):
        super().__init__()
        ### BEGIN SOLUTION
        self.conv = nn.Sequential(
            nn.Conv2d(1, 96, 11, 4),
            nn.ReLU(),
            nn.MaxPool2d(3, 2),
            nn.Conv2d(96, 256, 5, 1, 2),
            nn.ReLU(),
            nn.MaxPool2d(3, 2),
            nn.Conv2d(256, 384, 3, 1, 1),
            nn.ReLU(),
            nn.Conv2d(384, 384, 3, 1, 1),
            nn.ReLU(),
            nn.Conv2d(384, 256, 3, 1, 1),
            nn.ReLU(),
            nn.MaxPool2d(3, 2),
        )
        self.fc = nn.Sequential(
            nn.Linear(256 * 5 * 5, 4096),
            nn.ReLU(),
            nn.Dropout(0.5),
            nn.Linear(4096, 4096),
            nn.ReLU(),
            nn.Dropout(0.5),
            nn.Linear(4096, 10),
        )
        ### END SOLUTION

    def forward(self, img):
        ### BEGIN SOLUTION
        feature = self.conv(img)
        return self.fc(feature.view(img.shape[0], -1))
        ### END SOLUTION


def alexnet_shapes(size):
    """AlexNet's 12 per-block output shapes for a (1, size, size) image, from conv_output_shape only.

    After each convolution (with its ReLU) and each pooling layer, then the flattened
    features and the three fully connected layers. At 224: (96, 54, 54), (96, 26, 26),
    (256, 26, 26), (256, 12, 12), (384, 12, 12), (384, 12, 12), (256, 12, 12), (256, 5, 5),
    (6400,), (4096,), (4096,), (10,).
    """
    ### BEGIN SOLUTION
    shapes = []
    hw = conv_output_shape(size, 11, stride=4)
    shapes.append((96, *hw))
    hw = conv_output_shape(hw, 3, stride=2)
    shapes.append((96, *hw))
    hw = conv_output_shape(hw, 5, padding=2)
    shapes.append((256, *hw))
    hw = conv_output_shape(hw, 3, stride=2)
    shapes.append((256, *hw))
    for channels in (384, 384, 256):
        hw = conv_output_shape(hw, 3, padding=1)
        shapes.append((channels, *hw))
    hw = conv_output_shape(hw, 3, stride=2)
    shapes.append((256, *hw))
    shapes += [(256 * hw[0] * hw[1],), (4096,), (4096,), (10,)]
    return shapes
    ### END SOLUTION


# --- VGG -------------------------------------------------------------------------------


def vgg_block(num_convs, in_channels, out_channels):
    """num_convs x (3 x 3 convolution with padding 1, ReLU), then 2 x 2 max pooling with stride 2.

    (n, in_channels, h, w) -> (n, out_channels, h // 2, w // 2), as an nn.Sequential.
    """
    ### BEGIN SOLUTION
    blk = []
    for i in range(num_convs):
        if i == 0:
            blk.append(nn.Conv2d(in_channels, out_channels, kernel_size=3, padding=1))
        else:
            blk.append(nn.Conv2d(out_channels, out_channels, kernel_size=3, padding=1))
        blk.append(nn.ReLU())
    blk.append(nn.MaxPool2d(kernel_size=2, stride=2))
    return nn.Sequential(*blk)
    ### END SOLUTION


def vgg(conv_arch, fc_features, fc_hidden_units=4096):
    """A VGG network: one vgg_block per (num_convs, in_channels, out_channels) of conv_arch, then fc.

    Children vgg_block_1, vgg_block_2, ... and fc = Sequential(FlattenLayer(), Linear(fc_features,
    fc_hidden_units), ReLU, Dropout(0.5), Linear(fc_hidden_units, fc_hidden_units), ReLU, Dropout(0.5),
    Linear(fc_hidden_units, 10)). VGG-11 (VGG11_ARCH, 512 * 7 * 7, 4096) has 128,806,154 parameters.
    """
    ### BEGIN SOLUTION
    net = nn.Sequential()
    for i, (num_convs, in_channels, out_channels) in enumerate(conv_arch):
        net.add_module("vgg_block_" + str(i + 1), vgg_block(num_convs, in_channels, out_channels))
    net.add_module(
        "fc",
        nn.Sequential(
            FlattenLayer(),
            nn.Linear(fc_features, fc_hidden_units),
            nn.ReLU(),
            nn.Dropout(0.5),
            nn.Linear(fc_hidden_units, fc_hidden_units),
            nn.ReLU(),
            nn.Dropout(0.5),
            nn.Linear(fc_hidden_units, 10),
        ),
    )
    return net
    ### END SOLUTION


def vgg_shapes(size, conv_arch=VGG11_ARCH):
    """The output shape of each vgg_block for a (1, size, size) image, from conv_output_shape only.

    One (out_channels, h, w) per entry of conv_arch; for VGG-11 at 224: (64, 112, 112),
    (128, 56, 56), (256, 28, 28), (512, 14, 14), (512, 7, 7).
    """
    ### BEGIN SOLUTION
    shapes, hw = [], (size, size)
    for num_convs, _, out_channels in conv_arch:
        for _ in range(num_convs):
            hw = conv_output_shape(hw, 3, padding=1)
        hw = conv_output_shape(hw, 2, stride=2)
        shapes.append((out_channels, *hw))
    return shapes
    ### END SOLUTION


# --- NiN -------------------------------------------------------------------------------


def nin_block(in_channels, out_channels, kernel_size, stride, padding):
    """Conv2d(in, out, kernel_size, stride, padding), ReLU, then two (1 x 1 Conv2d(out, out), ReLU), as a Sequential."""
    ### BEGIN SOLUTION
    return nn.Sequential(
        nn.Conv2d(in_channels, out_channels, kernel_size, stride, padding),
        nn.ReLU(),
        nn.Conv2d(out_channels, out_channels, kernel_size=1),
        nn.ReLU(),
        nn.Conv2d(out_channels, out_channels, kernel_size=1),
        nn.ReLU(),
    )
    ### END SOLUTION


class GlobalAvgPool2d(nn.Module):
    """Average over the whole height and width: (n, c, h, w) -> (n, c, 1, 1)."""

    def forward(self, x):
        ### BEGIN SOLUTION
        return F.avg_pool2d(x, kernel_size=x.size()[2:])
        ### END SOLUTION


def nin():
    """The notes' NiN as an nn.Sequential of 10 children: (n, 1, 224, 224) -> (n, 10); 1,992,166 parameters.

    nin_block(1, 96, 11, 4, 0), MaxPool2d(3, 2), nin_block(96, 256, 5, 1, 2), MaxPool2d(3, 2),
    nin_block(256, 384, 3, 1, 1), MaxPool2d(3, 2), Dropout(0.5), nin_block(384, 10, 3, 1, 1),
    GlobalAvgPool2d(), FlattenLayer().
    """
    ### BEGIN SOLUTION
    return nn.Sequential(
        nin_block(1, 96, kernel_size=11, stride=4, padding=0),
        nn.MaxPool2d(kernel_size=3, stride=2),
        nin_block(96, 256, kernel_size=5, stride=1, padding=2),
        nn.MaxPool2d(kernel_size=3, stride=2),
        nin_block(256, 384, kernel_size=3, stride=1, padding=1),
        nn.MaxPool2d(kernel_size=3, stride=2),
        nn.Dropout(0.5),
        nin_block(384, 10, kernel_size=3, stride=1, padding=1),
        GlobalAvgPool2d(),
        FlattenLayer(),
    )
    ### END SOLUTION


def nin_shapes(size):
    """NiN's 9 per-block output shapes (every child but the Dropout) for a (1, size, size) image.

    At 224: (96, 54, 54), (96, 26, 26), (256, 26, 26), (256, 12, 12), (384, 12, 12), (384, 5, 5),
    (10, 5, 5), (10, 1, 1), (10,).
    """
    ### BEGIN SOLUTION
    shapes = []
    hw = conv_output_shape(size, 11, stride=4)
    shapes.append((96, *hw))
    hw = conv_output_shape(hw, 3, stride=2)
    shapes.append((96, *hw))
    hw = conv_output_shape(hw, 5, padding=2)
    shapes.append((256, *hw))
    hw = conv_output_shape(hw, 3, stride=2)
    shapes.append((256, *hw))
    hw = conv_output_shape(hw, 3, padding=1)
    shapes.append((384, *hw))
    hw = conv_output_shape(hw, 3, stride=2)
    shapes.append((384, *hw))
    hw = conv_output_shape(hw, 3, padding=1)
    shapes.append((10, *hw))
    shapes += [(10, 1, 1), (10,)]
    return shapes
    ### END SOLUTION


# --- GoogLeNet -------------------------------------------------------------------------


class Inception(nn.Module):
    """Four parallel paths concatenated on the channel axis: (n, in_c, h, w) -> (n, c1 + c2[1] + c3[1] + c4, h, w).

    p1_1: 1x1 conv to c1; p2_1: 1x1 conv to c2[0], p2_2: 3x3 conv (padding 1) to c2[1];
    p3_1: 1x1 conv to c3[0], p3_2: 5x5 conv (padding 2) to c3[1]; p4_1: 3x3 max pooling
    (stride 1, padding 1), p4_2: 1x1 conv to c4. Every convolution is followed by ReLU.
    """

    def __init__(self, in_c, c1, c2, c3, c4):
        super().__init__()
        ### BEGIN SOLUTION
        self.p1_1 = nn.Conv2d(in_c, c1, kernel_size=1)
        self.p2_1 = nn.Conv2d(in_c, c2[0], kernel_size=1)
        self.p2_2 = nn.Conv2d(c2[0], c2[1], kernel_size=3, padding=1)
        self.p3_1 = nn.Conv2d(in_c, c3[0], kernel_size=1)
        self.p3_2 = nn.Conv2d(c3[0], c3[1], kernel_size=5, padding=2)
        self.p4_1 = nn.MaxPool2d(kernel_size=3, stride=1, padding=1)
        self.p4_2 = nn.Conv2d(in_c, c4, kernel_size=1)
        ### END SOLUTION

    def forward(self, x):
        ### BEGIN SOLUTION
        p1 = F.relu(self.p1_1(x))
        p2 = F.relu(self.p2_2(F.relu(self.p2_1(x))))
        p3 = F.relu(self.p3_2(F.relu(self.p3_1(x))))
        p4 = F.relu(self.p4_2(self.p4_1(x)))
        return torch.cat((p1, p2, p3, p4), dim=1)
        ### END SOLUTION


def googlenet():
    """The notes' GoogLeNet: children b1, b2, b3, b4, b5, fc; (n, 1, 96, 96) -> (n, 10); 5,977,530 parameters.

    b1: Conv2d(1, 64, 7, stride 2, padding 3), ReLU, MaxPool2d(3, 2, padding 1)
    b2: Conv2d(64, 64, 1), Conv2d(64, 192, 3, padding 1), MaxPool2d(3, 2, padding 1)  (no ReLU, as in the notes)
    b3: Inception(192, 64, (96, 128), (16, 32), 32), Inception(256, 128, (128, 192), (32, 96), 64), MaxPool2d(3, 2, 1)
    b4: Inception(480, 192, (96, 208), (16, 48), 64), Inception(512, 160, (112, 224), (24, 64), 64),
        Inception(512, 128, (128, 256), (24, 64), 64), Inception(512, 112, (144, 288), (32, 64), 64),
        Inception(528, 256, (160, 320), (32, 128), 128), MaxPool2d(3, 2, 1)
    b5: Inception(832, 256, (160, 320), (32, 128), 128), Inception(832, 384, (192, 384), (48, 128), 128),
        GlobalAvgPool2d(), FlattenLayer()
    fc: Linear(1024, 10)
    """
    ### BEGIN SOLUTION
    b1 = nn.Sequential(
        nn.Conv2d(1, 64, kernel_size=7, stride=2, padding=3),
        nn.ReLU(),
        nn.MaxPool2d(kernel_size=3, stride=2, padding=1),
    )
    b2 = nn.Sequential(
        nn.Conv2d(64, 64, kernel_size=1),
        nn.Conv2d(64, 192, kernel_size=3, padding=1),
        nn.MaxPool2d(kernel_size=3, stride=2, padding=1),
    )
    b3 = nn.Sequential(
        Inception(192, 64, (96, 128), (16, 32), 32),
        Inception(256, 128, (128, 192), (32, 96), 64),
        nn.MaxPool2d(kernel_size=3, stride=2, padding=1),
    )
    b4 = nn.Sequential(
        Inception(480, 192, (96, 208), (16, 48), 64),
        Inception(512, 160, (112, 224), (24, 64), 64),
        Inception(512, 128, (128, 256), (24, 64), 64),
        Inception(512, 112, (144, 288), (32, 64), 64),
        Inception(528, 256, (160, 320), (32, 128), 128),
        nn.MaxPool2d(kernel_size=3, stride=2, padding=1),
    )
    b5 = nn.Sequential(
        Inception(832, 256, (160, 320), (32, 128), 128),
        Inception(832, 384, (192, 384), (48, 128), 128),
        GlobalAvgPool2d(),
        FlattenLayer(),
    )
    net = nn.Sequential()
    for name, block in (("b1", b1), ("b2", b2), ("b3", b3), ("b4", b4), ("b5", b5), ("fc", nn.Linear(1024, 10))):
        net.add_module(name, block)
    return net
    ### END SOLUTION


def googlenet_shapes(size):
    """The output shapes of b1, b2, b3, b4, b5 and fc for a (1, size, size) image, from conv_output_shape only.

    At 96: (64, 24, 24), (192, 12, 12), (480, 6, 6), (832, 3, 3), (1024,), (10,).
    """
    ### BEGIN SOLUTION
    shapes = []
    hw = conv_output_shape(size, 7, padding=3, stride=2)
    hw = conv_output_shape(hw, 3, padding=1, stride=2)
    shapes.append((64, *hw))
    hw = conv_output_shape(hw, 3, padding=1)
    hw = conv_output_shape(hw, 3, padding=1, stride=2)
    shapes.append((192, *hw))
    for channels in (480, 832):
        hw = conv_output_shape(hw, 3, padding=1, stride=2)  # the Inception blocks keep h and w
        shapes.append((channels, *hw))
    shapes += [(1024,), (10,)]
    return shapes
    ### END SOLUTION


# --- Batch normalisation ---------------------------------------------------------------


def batch_norm(is_training, X, gamma, beta, moving_mean, moving_var, eps, momentum):
    """Batch normalisation from scratch for fully connected (2-D) or convolutional (4-D) input.

    X: (n, d) with gamma, beta, moving_mean, moving_var of shape (1, d); or X: (n, c, h, w) with
    those of shape (1, c, 1, 1). Training: normalise with the batch mean and biased variance (per
    feature; per channel over n, h and w for 4-D input) and update
    moving = momentum * moving + (1 - momentum) * batch statistic. Prediction: normalise with the
    moving statistics and leave them unchanged. Y = gamma * X_hat + beta, X_hat = (X - mean) / sqrt(var + eps).
    Returns (Y, moving_mean, moving_var); Y has X's shape.
    """
    ### BEGIN SOLUTION
    if not is_training:
        X_hat = (X - moving_mean) / torch.sqrt(moving_var + eps)
    else:
        assert len(X.shape) in (2, 4)
        if len(X.shape) == 2:
            mean = X.mean(dim=0)
            var = ((X - mean) ** 2).mean(dim=0)
        else:
            mean = X.mean(dim=0, keepdim=True).mean(dim=2, keepdim=True).mean(dim=3, keepdim=True)
            var = ((X - mean) ** 2).mean(dim=0, keepdim=True).mean(dim=2, keepdim=True).mean(dim=3, keepdim=True)
        X_hat = (X - mean) / torch.sqrt(var + eps)
        moving_mean = momentum * moving_mean + (1.0 - momentum) * mean.detach()
        moving_var = momentum * moving_var + (1.0 - momentum) * var.detach()
    Y = gamma * X_hat + beta
    return Y, moving_mean, moving_var
    ### END SOLUTION


class BatchNorm(nn.Module):
    """A batch normalisation layer on batch_norm: num_dims 2 (fully connected) or 4 (convolutional).

    Parameters gamma (ones) and beta (zeros); moving_mean (zeros) and moving_var (ones); all of shape
    (1, num_features) or (1, num_features, 1, 1). eps = 1e-5, momentum = 0.9; uses batch statistics in
    training mode and the moving ones in eval mode. forward: X -> same shape.
    """

    def __init__(self, num_features, num_dims):
        super().__init__()
        ### BEGIN SOLUTION
        shape = (1, num_features) if num_dims == 2 else (1, num_features, 1, 1)
        self.gamma = nn.Parameter(torch.ones(shape))
        self.beta = nn.Parameter(torch.zeros(shape))
        self.register_buffer("moving_mean", torch.zeros(shape))
        self.register_buffer("moving_var", torch.ones(shape))
        ### END SOLUTION

    def forward(self, X):
        ### BEGIN SOLUTION
        if self.moving_mean.device != X.device:
            self.moving_mean = self.moving_mean.to(X.device)
            self.moving_var = self.moving_var.to(X.device)
        Y, self.moving_mean, self.moving_var = batch_norm(
            self.training, X, self.gamma, self.beta, self.moving_mean, self.moving_var, eps=1e-5, momentum=0.9
        )
        return Y
        ### END SOLUTION


# --- ResNet ----------------------------------------------------------------------------


class Residual(nn.Module):
    """The residual block: (n, in_channels, h, w) -> (n, out_channels, h', w'), h' = floor((h - 1) / stride) + 1.

    conv1: 3x3 (padding 1, stride), bn1, ReLU, conv2: 3x3 (padding 1), bn2; the input, through
    conv3 (1x1, stride) when use_1x1conv (else conv3 is None), is added before the final ReLU.
    """

    def __init__(self, in_channels, out_channels, use_1x1conv=False, stride=1):
        super().__init__()
        ### BEGIN SOLUTION
        self.conv1 = nn.Conv2d(in_channels, out_channels, kernel_size=3, padding=1, stride=stride)
        self.conv2 = nn.Conv2d(out_channels, out_channels, kernel_size=3, padding=1)
        if use_1x1conv:
            self.conv3 = nn.Conv2d(in_channels, out_channels, kernel_size=1, stride=stride)
        else:
            self.conv3 = None
        self.bn1 = nn.BatchNorm2d(out_channels)
        self.bn2 = nn.BatchNorm2d(out_channels)
        ### END SOLUTION

    def forward(self, X):
        ### BEGIN SOLUTION
        Y = F.relu(self.bn1(self.conv1(X)))
        Y = self.bn2(self.conv2(Y))
        if self.conv3 is not None:
            X = self.conv3(X)
        return F.relu(Y + X)
        ### END SOLUTION


def resnet_block(in_channels, out_channels, num_residuals, first_block=False):
    """num_residuals Residual blocks as an nn.Sequential.

    Unless first_block, the first one changes the channels and halves h and w
    (use_1x1conv=True, stride=2); the others keep out_channels and the size.
    """
    ### BEGIN SOLUTION
    if first_block:
        assert in_channels == out_channels
    blk = []
    for i in range(num_residuals):
        if i == 0 and not first_block:
            blk.append(Residual(in_channels, out_channels, use_1x1conv=True, stride=2))
        else:
            blk.append(Residual(out_channels, out_channels))
    return nn.Sequential(*blk)
    ### END SOLUTION


def resnet18():
    """The notes' ResNet-18: (n, 1, h, w) -> (n, 10); 11,178,378 parameters.

    Children 0-3: Conv2d(1, 64, 7, stride 2, padding 3), BatchNorm2d(64), ReLU, MaxPool2d(3, 2, padding 1);
    resnet_block1..4: resnet_block(64, 64, 2, first_block=True), (64, 128, 2), (128, 256, 2), (256, 512, 2);
    global_avg_pool: GlobalAvgPool2d(); fc: Sequential(FlattenLayer(), Linear(512, 10)).
    """
    ### BEGIN SOLUTION
    net = nn.Sequential(
        nn.Conv2d(1, 64, kernel_size=7, stride=2, padding=3),
        nn.BatchNorm2d(64),
        nn.ReLU(),
        nn.MaxPool2d(kernel_size=3, stride=2, padding=1),
    )
    net.add_module("resnet_block1", resnet_block(64, 64, 2, first_block=True))
    net.add_module("resnet_block2", resnet_block(64, 128, 2))
    net.add_module("resnet_block3", resnet_block(128, 256, 2))
    net.add_module("resnet_block4", resnet_block(256, 512, 2))
    net.add_module("global_avg_pool", GlobalAvgPool2d())
    net.add_module("fc", nn.Sequential(FlattenLayer(), nn.Linear(512, 10)))
    return net
    ### END SOLUTION


def resnet18_shapes(size):
    """The output shapes of the first four layers together and of resnet_block1..4, from conv_output_shape only.

    At 224: (64, 56, 56), (64, 56, 56), (128, 28, 28), (256, 14, 14), (512, 7, 7); at 96: sizes 24, 24, 12, 6, 3.
    """
    ### BEGIN SOLUTION
    hw = conv_output_shape(size, 7, padding=3, stride=2)
    hw = conv_output_shape(hw, 3, padding=1, stride=2)
    shapes = [(64, *hw), (64, *hw)]
    for channels in (128, 256, 512):
        hw = conv_output_shape(hw, 3, padding=1, stride=2)
        shapes.append((channels, *hw))
    return shapes
    ### END SOLUTION


# --- DenseNet --------------------------------------------------------------------------


def conv_block(in_channels, out_channels):
    """BatchNorm2d(in_channels), ReLU, Conv2d(in_channels, out_channels, 3, padding 1), as a Sequential."""
    ### BEGIN SOLUTION
    return nn.Sequential(
        nn.BatchNorm2d(in_channels),
        nn.ReLU(),
        nn.Conv2d(in_channels, out_channels, kernel_size=3, padding=1),
    )
    ### END SOLUTION


class DenseBlock(nn.Module):
    """num_convs conv_blocks, each fed the channel-wise concatenation of the input and all earlier outputs.

    net: nn.ModuleList of conv_block(in_channels + i * out_channels, out_channels);
    out_channels: in_channels + num_convs * out_channels. (n, in_channels, h, w) -> (n, self.out_channels, h, w),
    the input's channels first.
    """

    def __init__(self, num_convs, in_channels, out_channels):
        super().__init__()
        ### BEGIN SOLUTION
        net = []
        for i in range(num_convs):
            net.append(conv_block(in_channels + i * out_channels, out_channels))
        self.net = nn.ModuleList(net)
        self.out_channels = in_channels + num_convs * out_channels
        ### END SOLUTION

    def forward(self, X):
        ### BEGIN SOLUTION
        for blk in self.net:
            Y = blk(X)
            X = torch.cat((X, Y), dim=1)
        return X
        ### END SOLUTION


def transition_block(in_channels, out_channels):
    """BatchNorm2d(in_channels), ReLU, 1x1 Conv2d(in_channels, out_channels), AvgPool2d(2, stride 2), as a Sequential."""
    ### BEGIN SOLUTION
    return nn.Sequential(
        nn.BatchNorm2d(in_channels),
        nn.ReLU(),
        nn.Conv2d(in_channels, out_channels, kernel_size=1),
        nn.AvgPool2d(kernel_size=2, stride=2),
    )
    ### END SOLUTION


def densenet():
    """The notes' DenseNet: (n, 1, h, w) -> (n, 10); 758,226 parameters.

    Children 0-3 as in resnet18; DenseBlock_0..3: DenseBlock(4, channels, 32), with
    transition_block_0..2 halving the channels between them; then BN (BatchNorm2d), relu,
    global_avg_pool (GlobalAvgPool2d) and fc: Sequential(FlattenLayer(), Linear(248, 10)).
    """
    ### BEGIN SOLUTION
    net = nn.Sequential(
        nn.Conv2d(1, 64, kernel_size=7, stride=2, padding=3),
        nn.BatchNorm2d(64),
        nn.ReLU(),
        nn.MaxPool2d(kernel_size=3, stride=2, padding=1),
    )
    num_channels, growth_rate = 64, 32
    num_convs_in_dense_blocks = [4, 4, 4, 4]
    for i, num_convs in enumerate(num_convs_in_dense_blocks):
        block = DenseBlock(num_convs, num_channels, growth_rate)
        net.add_module(f"DenseBlock_{i}", block)
        num_channels = block.out_channels
        if i != len(num_convs_in_dense_blocks) - 1:
            net.add_module(f"transition_block_{i}", transition_block(num_channels, num_channels // 2))
            num_channels = num_channels // 2
    net.add_module("BN", nn.BatchNorm2d(num_channels))
    net.add_module("relu", nn.ReLU())
    net.add_module("global_avg_pool", GlobalAvgPool2d())
    net.add_module("fc", nn.Sequential(FlattenLayer(), nn.Linear(num_channels, 10)))
    return net
    ### END SOLUTION


def densenet_shapes(size):
    """The output shapes of the first four layers together, each dense and transition block, and fc.

    From conv_output_shape only. At 96: (64, 24, 24), (192, 24, 24), (96, 12, 12), (224, 12, 12),
    (112, 6, 6), (240, 6, 6), (120, 3, 3), (248, 3, 3), (10,).
    """
    ### BEGIN SOLUTION
    hw = conv_output_shape(size, 7, padding=3, stride=2)
    hw = conv_output_shape(hw, 3, padding=1, stride=2)
    channels = 64
    shapes = [(channels, *hw)]
    for i in range(4):
        channels += 4 * 32
        shapes.append((channels, *hw))
        if i != 3:
            channels //= 2
            hw = conv_output_shape(hw, 2, stride=2)
            shapes.append((channels, *hw))
    shapes.append((10,))
    return shapes
    ### END SOLUTION
