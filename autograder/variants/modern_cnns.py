"""Sample submissions for 07_modern_cnns: real bugs and correct alternatives."""

from autograder.variants import Alternative, Bug

BUGS = {
    # AlexNet
    "alexnet-sigmoid": Bug(
        "AlexNet",
        "nn.Conv2d(1, 96, 11, 4),\n            nn.ReLU(),",
        "nn.Conv2d(1, 96, 11, 4),\n            nn.Sigmoid(),",
        ("test_alexnet_values",),
        "LeNet's activation kept",
    ),
    "alexnet-conv2-unpadded": Bug(
        "AlexNet",
        "nn.Conv2d(96, 256, 5, 1, 2),",
        "nn.Conv2d(96, 256, 5, 1),",
        ("test_alexnet_layer_shapes", "test_alexnet_values"),
        "same parameter count, wrong sizes",
    ),
    "alexnet-torchvision-fc": Bug(
        "AlexNet",
        "nn.Linear(256 * 5 * 5, 4096),",
        "nn.Linear(256 * 6 * 6, 4096),",
        ("test_alexnet_structure", "test_alexnet_layer_shapes", "test_alexnet_values"),
        "torchvision's 6 x 6 features, not the notes' 5 x 5",
    ),
    "alexnet-shapes-memorised": Bug(
        "alexnet_shapes",
        "    shapes = []\n",
        "    return [(96, 54, 54), (96, 26, 26), (256, 26, 26), (256, 12, 12), (384, 12, 12), (384, 12, 12),\n"
        "            (256, 12, 12), (256, 5, 5), (6400,), (4096,), (4096,), (10,)]\n",
        ("test_alexnet_shapes", "test_alexnet_shapes_from_formula"),
    ),
    "alexnet-shapes-padding-forgotten": Bug(
        "alexnet_shapes",
        "hw = conv_output_shape(hw, 5, padding=2)",
        "hw = conv_output_shape(hw, 5)",
        ("test_alexnet_shapes", "test_alexnet_shapes_from_formula"),
    ),
    # VGG
    "vgg-block-in-channels-everywhere": Bug(
        "vgg_block",
        "blk.append(nn.Conv2d(out_channels, out_channels, kernel_size=3, padding=1))",
        "blk.append(nn.Conv2d(in_channels, out_channels, kernel_size=3, padding=1))",
        ("test_vgg_block_values",),
    ),
    "vgg-block-unpadded": Bug(
        "vgg_block",
        "blk.append(nn.Conv2d(in_channels, out_channels, kernel_size=3, padding=1))",
        "blk.append(nn.Conv2d(in_channels, out_channels, kernel_size=3))",
        ("test_vgg_block_values",),
    ),
    "vgg-block-no-relu": Bug("vgg_block", "        blk.append(nn.ReLU())\n", "", ("test_vgg_block_values",)),
    "vgg-hidden-width-ignored": Bug(
        "vgg",
        "    net = nn.Sequential()\n",
        "    fc_hidden_units = 4096\n    net = nn.Sequential()\n",
        ("test_vgg_values",),
        "fc_hidden_units ignored: only the full-width VGG-11 is right",
    ),
    "vgg-unnamed-blocks": Bug(
        "vgg",
        '"vgg_block_" + str(i + 1)',
        '"block" + str(i)',
        ("test_vgg11_structure",),
        "not the notes' names",
    ),
    "vgg-fc-no-relu": Bug(
        "vgg",
        "nn.Linear(fc_features, fc_hidden_units),\n            nn.ReLU(),",
        "nn.Linear(fc_features, fc_hidden_units),",
        ("test_vgg_values",),
    ),
    "vgg-shapes-memorised": Bug(
        "vgg_shapes",
        "    shapes, hw = [], (size, size)\n",
        "    return [(64, 112, 112), (128, 56, 56), (256, 28, 28), (512, 14, 14), (512, 7, 7)]\n",
        ("test_vgg_shapes", "test_vgg_shapes_from_formula"),
    ),
    "vgg-shapes-arch-ignored": Bug(
        "vgg_shapes",
        "for num_convs, _, out_channels in conv_arch:",
        "for num_convs, _, out_channels in VGG11_ARCH:",
        ("test_vgg_shapes",),
    ),
    # NiN
    "nin-block-stride-padding-swapped": Bug(
        "nin_block",
        "nn.Conv2d(in_channels, out_channels, kernel_size, stride, padding)",
        "nn.Conv2d(in_channels, out_channels, kernel_size, padding, stride)",
        ("test_nin_block_values",),
    ),
    "nin-block-last-relu-missing": Bug("nin_block", "        nn.ReLU(),\n    )", "    )", ("test_nin_block_values",)),
    "gap-square-window": Bug(
        "GlobalAvgPool2d",
        "kernel_size=x.size()[2:]",
        "kernel_size=x.size()[2]",
        ("test_global_avg_pool",),
        "silent for square feature maps",
    ),
    "gap-no-keepdim": Bug(
        "GlobalAvgPool2d",
        "return F.avg_pool2d(x, kernel_size=x.size()[2:])",
        "return x.mean(dim=(2, 3))",
        ("test_global_avg_pool",),
    ),
    "nin-pool-default-stride": Bug(
        "nin",
        "nn.MaxPool2d(kernel_size=3, stride=2),\n        nin_block(96, 256",
        "nn.MaxPool2d(kernel_size=3),\n        nin_block(96, 256",
        ("test_nin_block_shapes", "test_nin_values"),
    ),
    "nin-last-block-unpadded": Bug(
        "nin",
        "nin_block(384, 10, kernel_size=3, stride=1, padding=1)",
        "nin_block(384, 10, kernel_size=3, stride=1, padding=0)",
        ("test_nin_block_shapes", "test_nin_values"),
        "same parameters, smaller maps before the global pooling",
    ),
    "nin-shapes-memorised": Bug(
        "nin_shapes",
        "    shapes = []\n",
        "    return [(96, 54, 54), (96, 26, 26), (256, 26, 26), (256, 12, 12), (384, 12, 12), (384, 5, 5),\n"
        "            (10, 5, 5), (10, 1, 1), (10,)]\n",
        ("test_nin_shapes", "test_nin_shapes_from_formula"),
    ),
    "nin-shapes-with-dropout": Bug(
        "nin_shapes",
        "    shapes.append((384, *hw))\n    hw = conv_output_shape(hw, 3, padding=1)\n",
        "    shapes.append((384, *hw))\n    shapes.append((384, *hw))\n    hw = conv_output_shape(hw, 3, padding=1)\n",
        ("test_nin_shapes", "test_nin_shapes_from_formula"),
    ),
    # GoogLeNet
    "inception-cat-batch-axis": Bug(
        "Inception",
        "torch.cat((p1, p2, p3, p4), dim=1)",
        "torch.cat((p1, p2, p3, p4), dim=0)",
        ("test_inception_values",),
        "concatenation on the wrong axis",
    ),
    "inception-chained-paths": Bug(
        "Inception",
        "p3 = F.relu(self.p3_2(F.relu(self.p3_1(x))))",
        "p3 = F.relu(self.p3_2(F.relu(self.p3_1(p2))))",
        ("test_inception_values",),
        "paths fed from each other instead of from x",
    ),
    "inception-p4-no-relu": Bug(
        "Inception",
        "p4 = F.relu(self.p4_2(self.p4_1(x)))",
        "p4 = self.p4_2(self.p4_1(x))",
        ("test_inception_values",),
    ),
    "inception-renamed": Bug(
        "Inception",
        "self.p1_1 = nn.Conv2d(in_c, c1, kernel_size=1)",
        "self.path1 = nn.Conv2d(in_c, c1, kernel_size=1)",
        ("test_inception_parts", "test_inception_values"),
    ),
    "googlenet-b2-relu": Bug(
        "googlenet",
        "nn.Conv2d(64, 64, kernel_size=1),\n        nn.Conv2d(64, 192",
        "nn.Conv2d(64, 64, kernel_size=1),\n        nn.ReLU(),\n        nn.Conv2d(64, 192",
        ("test_googlenet_values",),
        "the later d2l edition, not the notes",
    ),
    "googlenet-b3-no-pool": Bug(
        "googlenet",
        "Inception(256, 128, (128, 192), (32, 96), 64),\n        nn.MaxPool2d(kernel_size=3, stride=2, padding=1),",
        "Inception(256, 128, (128, 192), (32, 96), 64),",
        ("test_googlenet_block_shapes", "test_googlenet_values"),
    ),
    "googlenet-unnamed-blocks": Bug(
        "googlenet",
        "    net = nn.Sequential()\n",
        "    return nn.Sequential(b1, b2, b3, b4, b5, nn.Linear(1024, 10))\n",
        ("test_googlenet_structure",),
        "the network is right, the names are not",
    ),
    "googlenet-shapes-memorised": Bug(
        "googlenet_shapes",
        "    shapes = []\n",
        "    return [(64, 24, 24), (192, 12, 12), (480, 6, 6), (832, 3, 3), (1024,), (10,)]\n",
        ("test_googlenet_shapes", "test_googlenet_shapes_from_formula"),
    ),
    "googlenet-shapes-b1-pool-forgotten": Bug(
        "googlenet_shapes",
        "    hw = conv_output_shape(hw, 3, padding=1, stride=2)\n    shapes.append((64, *hw))",
        "    shapes.append((64, *hw))",
        ("test_googlenet_shapes", "test_googlenet_shapes_from_formula"),
    ),
    # batch normalisation
    "bn-unbiased-variance": Bug(
        "batch_norm",
        "var = ((X - mean) ** 2).mean(dim=0)",
        "var = X.var(dim=0)",
        ("test_batch_norm_training_2d", "test_batch_norm_from_scratch"),
    ),
    "bn-4d-per-pixel": Bug(
        "batch_norm",
        "            mean = X.mean(dim=0, keepdim=True).mean(dim=2, keepdim=True).mean(dim=3, keepdim=True)\n"
        "            var = ((X - mean) ** 2).mean(dim=0, keepdim=True).mean(dim=2, keepdim=True).mean(dim=3, keepdim=True)\n",
        "            mean = X.mean(dim=0, keepdim=True)\n            var = ((X - mean) ** 2).mean(dim=0, keepdim=True)\n",
        ("test_batch_norm_training_4d", "test_batch_norm_gradient"),
        "batch norm over the wrong axes",
    ),
    "bn-momentum-swapped": Bug(
        "batch_norm",
        "moving_mean = momentum * moving_mean + (1.0 - momentum) * mean.detach()",
        "moving_mean = (1.0 - momentum) * moving_mean + momentum * mean.detach()",
        ("test_batch_norm_training_2d", "test_batch_norm_training_4d"),
        "PyTorch's momentum convention",
    ),
    "bn-batch-stats-at-eval": Bug(
        "batch_norm", "    if not is_training:", "    if False:", ("test_batch_norm_prediction",), "batch statistics at eval"
    ),
    "bn-eps-outside-sqrt": Bug(
        "batch_norm",
        "X_hat = (X - mean) / torch.sqrt(var + eps)",
        "X_hat = (X - mean) / (torch.sqrt(var) + eps)",
        ("test_batch_norm_training_2d", "test_batch_norm_training_4d"),
    ),
    "bn-statistics-detached": Bug(
        "batch_norm",
        "X_hat = (X - mean) / torch.sqrt(var + eps)",
        "X_hat = (X - mean.detach()) / torch.sqrt(var.detach() + eps)",
        ("test_batch_norm_gradient",),
        "right values, wrong gradients",
    ),
    "bn-layer-always-training": Bug(
        "BatchNorm", "            self.training,", "            True,", ("test_batchnorm_layer_modes",), "batch stats at eval"
    ),
    "bn-layer-statistics-dropped": Bug(
        "BatchNorm",
        "Y, self.moving_mean, self.moving_var = batch_norm(",
        "Y, _, _ = batch_norm(",
        ("test_batchnorm_layer_modes",),
    ),
    "bn-layer-gamma-not-a-parameter": Bug(
        "BatchNorm",
        "self.gamma = nn.Parameter(torch.ones(shape))",
        "self.gamma = torch.ones(shape)",
        ("test_batchnorm_layer_modes", "test_batchnorm_layer_gradients"),
    ),
    # ResNet
    "residual-relu-before-sum": Bug(
        "Residual",
        "return F.relu(Y + X)",
        "return F.relu(Y) + X",
        ("test_residual_values", "test_resnet_block_values", "test_resnet18_values"),
        "ReLU after instead of before the residual sum",
    ),
    "residual-conv3-without-stride": Bug(
        "Residual",
        "self.conv3 = nn.Conv2d(in_channels, out_channels, kernel_size=1, stride=stride)",
        "self.conv3 = nn.Conv2d(in_channels, out_channels, kernel_size=1)",
        ("test_residual_values",),
    ),
    "residual-no-bn2": Bug("Residual", "Y = self.bn2(self.conv2(Y))", "Y = self.conv2(Y)", ("test_residual_values",)),
    "residual-always-1x1": Bug(
        "Residual", "        if use_1x1conv:\n", "        if True:\n", ("test_residual_parts", "test_residual_values")
    ),
    "resnet-block-no-downsampling": Bug(
        "resnet_block",
        "Residual(in_channels, out_channels, use_1x1conv=True, stride=2)",
        "Residual(in_channels, out_channels, use_1x1conv=True)",
        ("test_resnet_block_values",),
    ),
    "resnet-block-first-halves": Bug(
        "resnet_block", "if i == 0 and not first_block:", "if i == 0:", ("test_resnet_block_values",)
    ),
    "resnet18-stem-no-bn": Bug(
        "resnet18",
        "        nn.BatchNorm2d(64),\n",
        "",
        ("test_resnet18_structure", "test_resnet18_block_shapes", "test_resnet18_values"),
    ),
    "resnet18-stem-no-pool": Bug(
        "resnet18",
        "        nn.MaxPool2d(kernel_size=3, stride=2, padding=1),\n",
        "",
        ("test_resnet18_block_shapes", "test_resnet18_values"),
    ),
    "resnet18-shapes-memorised": Bug(
        "resnet18_shapes",
        "    hw = conv_output_shape(size, 7, padding=3, stride=2)\n",
        "    return [(64, 56, 56), (64, 56, 56), (128, 28, 28), (256, 14, 14), (512, 7, 7)]\n",
        ("test_resnet18_shapes", "test_resnet18_shapes_from_formula"),
    ),
    "resnet18-shapes-halving-by-two": Bug(
        "resnet18_shapes",
        "        hw = conv_output_shape(hw, 3, padding=1, stride=2)\n",
        "        hw = (hw[0] // 2, hw[1] // 2)\n",
        ("test_resnet18_shapes", "test_resnet18_shapes_from_formula"),
        "floor(n / 2) is not the stride-2 formula for odd sizes",
    ),
    # DenseNet
    "conv-block-conv-first": Bug(
        "conv_block",
        "        nn.BatchNorm2d(in_channels),\n        nn.ReLU(),\n"
        "        nn.Conv2d(in_channels, out_channels, kernel_size=3, padding=1),\n",
        "        nn.Conv2d(in_channels, out_channels, kernel_size=3, padding=1),\n"
        "        nn.BatchNorm2d(out_channels),\n        nn.ReLU(),\n",
        ("test_conv_block_values",),
        "the ResNet order, not DenseNet's",
    ),
    "conv-block-unpadded": Bug(
        "conv_block",
        "kernel_size=3, padding=1)",
        "kernel_size=3)",
        ("test_conv_block_values",),
    ),
    "dense-cat-batch-axis": Bug(
        "DenseBlock",
        "X = torch.cat((X, Y), dim=1)",
        "X = torch.cat((X, Y), dim=0)",
        ("test_dense_block_values",),
        "concatenation on the wrong axis",
    ),
    "dense-cat-order": Bug(
        "DenseBlock", "X = torch.cat((X, Y), dim=1)", "X = torch.cat((Y, X), dim=1)", ("test_dense_block_values",)
    ),
    "dense-out-channels": Bug(
        "DenseBlock",
        "self.out_channels = in_channels + num_convs * out_channels",
        "self.out_channels = num_convs * out_channels",
        ("test_dense_block_attributes",),
    ),
    "transition-max-pool": Bug(
        "transition_block",
        "nn.AvgPool2d(kernel_size=2, stride=2)",
        "nn.MaxPool2d(kernel_size=2, stride=2)",
        ("test_transition_block_values",),
    ),
    "transition-no-bn": Bug(
        "transition_block", "        nn.BatchNorm2d(in_channels),\n", "", ("test_transition_block_values",)
    ),
    "densenet-channels-not-halved": Bug(
        "densenet",
        "            num_channels = num_channels // 2\n",
        "",
        ("test_densenet_structure", "test_densenet_values"),
    ),
    "densenet-no-final-bn": Bug(
        "densenet",
        '    net.add_module("BN", nn.BatchNorm2d(num_channels))\n',
        "",
        ("test_densenet_structure", "test_densenet_block_shapes", "test_densenet_values"),
    ),
    "densenet-shapes-memorised": Bug(
        "densenet_shapes",
        "    channels = 64\n",
        "    return [(64, 24, 24), (192, 24, 24), (96, 12, 12), (224, 12, 12), (112, 6, 6), (240, 6, 6), (120, 3, 3),\n"
        "            (248, 3, 3), (10,)]\n",
        ("test_densenet_shapes", "test_densenet_shapes_from_formula"),
    ),
    "densenet-shapes-no-halving": Bug(
        "densenet_shapes",
        "            channels //= 2\n",
        "",
        ("test_densenet_shapes", "test_densenet_shapes_from_formula"),
    ),
    # what a module holds beyond its parameters, what it leaves behind, what it does to its input, its dtype
    "bn-float32": Bug(
        cell="batch_norm",
        old="    if not is_training:\n        X_hat",
        new="    X = X.float()\n    if not is_training:\n        X_hat",
        loses=(
            "test_batch_norm_training_2d",
            "test_batch_norm_training_4d",
            "test_batch_norm_prediction",
            "test_batch_norm_from_scratch",
        ),
        why="X cast to float32: gamma promotes Y back to float64, with float32's precision, which TOL64 sees",
    ),
    "bn-layer-moving-mean-ones": Bug(
        cell="BatchNorm",
        old='self.register_buffer("moving_mean", torch.zeros(shape))',
        new='self.register_buffer("moving_mean", torch.ones(shape))',
        loses=("test_batchnorm_layer_modes",),
        why="a buffer initialised wrong (the moving_var line copied): invisible while the checks assign every statistic",
    ),
    "residual-bn-momentum-notes-convention": Bug(
        cell="Residual",
        old="self.bn1 = nn.BatchNorm2d(out_channels)",
        new="self.bn1 = nn.BatchNorm2d(out_channels, momentum=0.9)",
        loses=("test_residual_values",),
        why="the notes' momentum in PyTorch's convention: training outputs right, running statistics wrong",
    ),
    "conv-block-bn-momentum-notes-convention": Bug(
        cell="conv_block",
        old="        nn.BatchNorm2d(in_channels),",
        new="        nn.BatchNorm2d(in_channels, momentum=0.9),",
        loses=("test_conv_block_values",),
        why="the running statistics move nine times too fast; only an eval forward after training shows it",
    ),
    "residual-sum-in-place": Bug(
        cell="Residual",
        old="        return F.relu(Y + X)",
        new="        X += Y\n        return F.relu(X)",
        loses=("test_residual_values", "test_resnet_block_values"),
        why="without conv3 the block adds into its caller's tensor: right outputs, broken backpropagation in a network",
    ),
    "gap-window-of-first-input": Bug(
        cell="GlobalAvgPool2d",
        old="        return F.avg_pool2d(x, kernel_size=x.size()[2:])",
        new=(
            "        if not hasattr(self, 'window'):\n"
            "            self.window = x.size()[2:]\n"
            "        return F.avg_pool2d(x, kernel_size=self.window)"
        ),
        loses=("test_global_avg_pool",),
        why="the window of the first input it saw: right only until the input size changes",
    ),
    "dense-block-keeps-outputs": Bug(
        cell="DenseBlock",
        old=(
            "        for blk in self.net:\n            Y = blk(X)\n            X = torch.cat((X, Y), dim=1)\n        return X"
        ),
        new=(
            "        self.outputs = getattr(self, 'outputs', []) + [X]\n"
            "        for blk in self.net:\n"
            "            self.outputs.append(blk(torch.cat(self.outputs, dim=1)))\n"
            "        return torch.cat(self.outputs, dim=1)"
        ),
        loses=("test_dense_block_values", "test_densenet_values"),
        why="outputs kept on self: right on the first forward only",
    ),
}

ALTERNATIVES = {
    "alexnet-flatten-module": Alternative(
        "AlexNet",
        "class AlexNet(nn.Module):\n"
        "    def __init__(self):\n"
        "        super().__init__()\n"
        "        self.conv = nn.Sequential(\n"
        "            nn.Conv2d(1, 96, kernel_size=11, stride=4), nn.ReLU(inplace=True), nn.MaxPool2d(3, stride=2),\n"
        "            nn.Conv2d(96, 256, kernel_size=5, padding=2), nn.ReLU(inplace=True), nn.MaxPool2d(3, stride=2),\n"
        "            nn.Conv2d(256, 384, kernel_size=3, padding=1), nn.ReLU(inplace=True),\n"
        "            nn.Conv2d(384, 384, kernel_size=3, padding=1), nn.ReLU(inplace=True),\n"
        "            nn.Conv2d(384, 256, kernel_size=3, padding=1), nn.ReLU(inplace=True), nn.MaxPool2d(3, stride=2))\n"
        "        self.fc = nn.Sequential(\n"
        "            nn.Flatten(), nn.Linear(6400, 4096), nn.ReLU(inplace=True), nn.Dropout(p=0.5),\n"
        "            nn.Linear(4096, 4096), nn.ReLU(inplace=True), nn.Dropout(p=0.5), nn.Linear(4096, 10))\n\n"
        "    def forward(self, img):\n"
        "        return self.fc(self.conv(img))",
        "Flatten inside fc shifts the parameter names: weights are paired in order",
    ),
    "alexnet-shapes-table": Alternative(
        "alexnet_shapes",
        "def alexnet_shapes(size):\n"
        "    layers = [(96, 11, 0, 4), (96, 3, 0, 2), (256, 5, 2, 1), (256, 3, 0, 2), (384, 3, 1, 1), (384, 3, 1, 1),\n"
        "              (256, 3, 1, 1), (256, 3, 0, 2)]\n"
        "    hw, out = size, []\n"
        "    for channels, k, p, s in layers:\n"
        "        hw = conv_output_shape(hw, k, p, s)\n"
        "        out.append((channels, hw[0], hw[1]))\n"
        "    c, h, w = out[-1]\n"
        "    return out + [(c * h * w,), (4096,), (4096,), (10,)]",
    ),
    "vgg-block-comprehension": Alternative(
        "vgg_block",
        "def vgg_block(num_convs, in_channels, out_channels):\n"
        "    layers = []\n"
        "    for i in range(num_convs):\n"
        "        layers += [nn.Conv2d(in_channels if i == 0 else out_channels, out_channels, 3, padding=1), nn.ReLU()]\n"
        "    return nn.Sequential(*layers, nn.MaxPool2d(2))",
    ),
    "vgg-ordered-dict": Alternative(
        "vgg",
        "from collections import OrderedDict\n\n\n"
        "def vgg(conv_arch, fc_features, fc_hidden_units=4096):\n"
        "    blocks = [(f'vgg_block_{i}', vgg_block(*arch)) for i, arch in enumerate(conv_arch, start=1)]\n"
        "    head = nn.Sequential(FlattenLayer(), nn.Linear(fc_features, fc_hidden_units), nn.ReLU(), nn.Dropout(0.5),\n"
        "                         nn.Linear(fc_hidden_units, fc_hidden_units), nn.ReLU(), nn.Dropout(0.5),\n"
        "                         nn.Linear(fc_hidden_units, 10))\n"
        "    return nn.Sequential(OrderedDict(blocks + [('fc', head)]))",
    ),
    "gap-mean": Alternative(
        "GlobalAvgPool2d",
        "class GlobalAvgPool2d(nn.Module):\n    def forward(self, x):\n        return x.mean(dim=(2, 3), keepdim=True)",
    ),
    "gap-adaptive": Alternative(
        "GlobalAvgPool2d",
        "class GlobalAvgPool2d(nn.Module):\n    def forward(self, x):\n        return F.adaptive_avg_pool2d(x, (1, 1))",
    ),
    "inception-registered-out-of-order": Alternative(
        "Inception",
        "class Inception(nn.Module):\n"
        "    def __init__(self, in_c, c1, c2, c3, c4):\n"
        "        super().__init__()\n"
        "        self.p4_2 = nn.Conv2d(in_c, c4, 1)\n"
        "        self.p4_1 = nn.MaxPool2d(3, 1, 1)\n"
        "        self.p3_1, self.p3_2 = nn.Conv2d(in_c, c3[0], 1), nn.Conv2d(c3[0], c3[1], 5, padding=2)\n"
        "        self.p2_1, self.p2_2 = nn.Conv2d(in_c, c2[0], 1), nn.Conv2d(c2[0], c2[1], 3, padding=1)\n"
        "        self.p1_1 = nn.Conv2d(in_c, c1, 1)\n"
        "        self.relu = nn.ReLU()\n\n"
        "    def forward(self, x):\n"
        "        r = self.relu\n"
        "        paths = [r(self.p1_1(x)), r(self.p2_2(r(self.p2_1(x)))), r(self.p3_2(r(self.p3_1(x)))),\n"
        "                 r(self.p4_2(self.p4_1(x)))]\n"
        "        return torch.cat(paths, 1)",
        "parts registered in another order: weights are paired by name",
    ),
    "batch-norm-var-mean": Alternative(
        "batch_norm",
        "def batch_norm(is_training, X, gamma, beta, moving_mean, moving_var, eps, momentum):\n"
        "    if is_training:\n"
        "        dims = (0,) if X.dim() == 2 else (0, 2, 3)\n"
        "        var, mean = torch.var_mean(X, dim=dims, keepdim=True, unbiased=False)\n"
        "        with torch.no_grad():\n"
        "            moving_mean = momentum * moving_mean + (1 - momentum) * mean\n"
        "            moving_var = momentum * moving_var + (1 - momentum) * var\n"
        "    else:\n"
        "        mean, var = moving_mean, moving_var\n"
        "    return gamma * (X - mean) / torch.sqrt(var + eps) + beta, moving_mean, moving_var",
    ),
    "batch-norm-d2l-original": Alternative(
        "batch_norm",
        "def batch_norm(is_training, X, gamma, beta, moving_mean, moving_var, eps, momentum):\n"
        "    if not is_training:\n"
        "        X_hat = (X - moving_mean) / torch.sqrt(moving_var + eps)\n"
        "    else:\n"
        "        assert len(X.shape) in (2, 4)\n"
        "        if len(X.shape) == 2:\n"
        "            mean = X.mean(dim=0)\n"
        "            var = ((X - mean) ** 2).mean(dim=0)\n"
        "        else:\n"
        "            mean = X.mean(dim=(0, 2, 3), keepdim=True)\n"
        "            var = ((X - mean) ** 2).mean(dim=(0, 2, 3), keepdim=True)\n"
        "        X_hat = (X - mean) / torch.sqrt(var + eps)\n"
        "        moving_mean = momentum * moving_mean + (1.0 - momentum) * mean\n"
        "        moving_var = momentum * moving_var + (1.0 - momentum) * var\n"
        "    Y = gamma * X_hat + beta\n"
        "    return Y, moving_mean, moving_var",
        "the book's version: moving statistics not detached",
    ),
    "batchnorm-plain-attributes": Alternative(
        "BatchNorm",
        "class BatchNorm(nn.Module):\n"
        "    def __init__(self, num_features, num_dims):\n"
        "        super(BatchNorm, self).__init__()\n"
        "        if num_dims == 2:\n"
        "            shape = (1, num_features)\n"
        "        else:\n"
        "            shape = (1, num_features, 1, 1)\n"
        "        self.gamma = nn.Parameter(torch.ones(shape))\n"
        "        self.beta = nn.Parameter(torch.zeros(shape))\n"
        "        self.moving_mean = torch.zeros(shape)\n"
        "        self.moving_var = torch.zeros(shape)\n\n"
        "    def forward(self, X):\n"
        "        if self.moving_mean.device != X.device:\n"
        "            self.moving_mean = self.moving_mean.to(X.device)\n"
        "            self.moving_var = self.moving_var.to(X.device)\n"
        "        Y, self.moving_mean, self.moving_var = batch_norm(self.training, X, self.gamma, self.beta,\n"
        "                                                          self.moving_mean, self.moving_var, eps=1e-5, momentum=0.9)\n"
        "        return Y",
        "the book's layer: plain tensor attributes, moving_var starting at zeros",
    ),
    "residual-relu-modules": Alternative(
        "Residual",
        "class Residual(nn.Module):\n"
        "    def __init__(self, in_channels, out_channels, use_1x1conv=False, stride=1):\n"
        "        super().__init__()\n"
        "        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, stride=stride, padding=1)\n"
        "        self.bn1 = nn.BatchNorm2d(out_channels)\n"
        "        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, padding=1)\n"
        "        self.bn2 = nn.BatchNorm2d(out_channels)\n"
        "        self.conv3 = nn.Conv2d(in_channels, out_channels, 1, stride=stride) if use_1x1conv else None\n"
        "        self.relu = nn.ReLU()\n\n"
        "    def forward(self, X):\n"
        "        shortcut = X if self.conv3 is None else self.conv3(X)\n"
        "        return self.relu(self.bn2(self.conv2(self.relu(self.bn1(self.conv1(X))))) + shortcut)",
        "layers registered in another order (bn1 before conv2): paired by name",
    ),
    "resnet-block-comprehension": Alternative(
        "resnet_block",
        "def resnet_block(in_channels, out_channels, num_residuals, first_block=False):\n"
        "    first = Residual(out_channels, out_channels) if first_block else Residual(in_channels, out_channels, True, 2)\n"
        "    return nn.Sequential(first, *[Residual(out_channels, out_channels) for _ in range(num_residuals - 1)])",
    ),
    "dense-block-list-cat": Alternative(
        "DenseBlock",
        "class DenseBlock(nn.Module):\n"
        "    def __init__(self, num_convs, in_channels, out_channels):\n"
        "        super().__init__()\n"
        "        self.net = nn.ModuleList([conv_block(in_channels + i * out_channels, out_channels) for i in range(num_convs)])\n"
        "        self.out_channels = in_channels + num_convs * out_channels\n\n"
        "    def forward(self, X):\n"
        "        features = [X]\n"
        "        for blk in self.net:\n"
        "            features.append(blk(torch.cat(features, 1)))\n"
        "        return torch.cat(features, 1)",
    ),
    "densenet-shapes-loop": Alternative(
        "densenet_shapes",
        "def densenet_shapes(size):\n"
        "    hw = conv_output_shape(conv_output_shape(size, 7, 3, 2), 3, 1, 2)\n"
        "    c, out = 64, [(64,) + hw]\n"
        "    for i in range(4):\n"
        "        c += 128\n"
        "        out.append((c,) + hw)\n"
        "        if i < 3:\n"
        "            c, hw = c // 2, conv_output_shape(hw, kernel=2, stride=2)\n"
        "            out.append((c,) + hw)\n"
        "    return out + [(10,)]",
    ),
}
