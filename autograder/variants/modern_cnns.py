"""Sample submissions for 07_modern_cnns: real bugs and correct alternatives."""

from autograder.variants import Alternative, Bug, dedent

BUGS = {
    # AlexNet
    "alexnet-sigmoid": Bug(
        cell="AlexNet",
        old=dedent("""\
            nn.Conv2d(1, 96, 11, 4),
                        nn.ReLU(),"""),
        new=dedent("""\
            nn.Conv2d(1, 96, 11, 4),
                        nn.Sigmoid(),"""),
        loses=("test_alexnet_values",),
        why="LeNet's activation kept",
    ),
    "alexnet-conv2-unpadded": Bug(
        cell="AlexNet",
        old="nn.Conv2d(96, 256, 5, 1, 2),",
        new="nn.Conv2d(96, 256, 5, 1),",
        loses=("test_alexnet_layer_shapes", "test_alexnet_values"),
        why="same parameter count, wrong sizes",
    ),
    "alexnet-torchvision-fc": Bug(
        cell="AlexNet",
        old="nn.Linear(256 * 5 * 5, 4096),",
        new="nn.Linear(256 * 6 * 6, 4096),",
        loses=("test_alexnet_structure", "test_alexnet_layer_shapes", "test_alexnet_values"),
        why="torchvision's 6 x 6 features, not the notes' 5 x 5",
    ),
    "alexnet-shapes-memorised": Bug(
        cell="alexnet_shapes",
        old="    shapes = []\n",
        new=dedent(
            """\
            return [(96, 54, 54), (96, 26, 26), (256, 26, 26), (256, 12, 12), (384, 12, 12), (384, 12, 12),
                    (256, 12, 12), (256, 5, 5), (6400,), (4096,), (4096,), (10,)]
            """,
            indent=4,
        ),
        loses=("test_alexnet_shapes", "test_alexnet_shapes_from_formula"),
        why="returns the shapes for a 224 input written out, ignoring size",
    ),
    "alexnet-shapes-padding-forgotten": Bug(
        cell="alexnet_shapes",
        old="hw = conv_output_shape(hw, 5, padding=2)",
        new="hw = conv_output_shape(hw, 5)",
        loses=("test_alexnet_shapes", "test_alexnet_shapes_from_formula"),
        why="the 5 x 5 convolution's padding of 2 left out of the shape formula",
    ),
    # VGG
    "vgg-block-in-channels-everywhere": Bug(
        cell="vgg_block",
        old="blk.append(nn.Conv2d(out_channels, out_channels, kernel_size=3, padding=1))",
        new="blk.append(nn.Conv2d(in_channels, out_channels, kernel_size=3, padding=1))",
        loses=("test_vgg_block_values",),
        why="every convolution of the block takes in_channels, not only the first",
    ),
    "vgg-block-unpadded": Bug(
        cell="vgg_block",
        old="blk.append(nn.Conv2d(in_channels, out_channels, kernel_size=3, padding=1))",
        new="blk.append(nn.Conv2d(in_channels, out_channels, kernel_size=3))",
        loses=("test_vgg_block_values",),
        why="convolutions without padding=1 shrink the feature map",
    ),
    "vgg-block-no-relu": Bug(
        cell="vgg_block",
        old="        blk.append(nn.ReLU())\n",
        new="",
        loses=("test_vgg_block_values",),
        why="no ReLU after the block's convolutions",
    ),
    "vgg-hidden-width-ignored": Bug(
        cell="vgg",
        old="    net = nn.Sequential()\n",
        new=dedent(
            """\
            fc_hidden_units = 4096
            net = nn.Sequential()
            """,
            indent=4,
        ),
        loses=("test_vgg_values",),
        why="fc_hidden_units ignored: only the full-width VGG-11 is right",
    ),
    "vgg-unnamed-blocks": Bug(
        cell="vgg",
        old='"vgg_block_" + str(i + 1)',
        new='"block" + str(i)',
        loses=("test_vgg11_structure",),
        why="not the notes' names",
    ),
    "vgg-fc-no-relu": Bug(
        cell="vgg",
        old=dedent("""\
            nn.Linear(fc_features, fc_hidden_units),
                        nn.ReLU(),"""),
        new="nn.Linear(fc_features, fc_hidden_units),",
        loses=("test_vgg_values",),
        why="no ReLU after the first fully connected layer",
    ),
    "vgg-shapes-memorised": Bug(
        cell="vgg_shapes",
        old="    shapes, hw = [], (size, size)\n",
        new="    return [(64, 112, 112), (128, 56, 56), (256, 28, 28), (512, 14, 14), (512, 7, 7)]\n",
        loses=("test_vgg_shapes", "test_vgg_shapes_from_formula"),
        why="returns the VGG-11 shapes for a 224 input written out, ignoring size and conv_arch",
    ),
    "vgg-shapes-arch-ignored": Bug(
        cell="vgg_shapes",
        old="for num_convs, _, out_channels in conv_arch:",
        new="for num_convs, _, out_channels in VGG11_ARCH:",
        loses=("test_vgg_shapes",),
        why="always uses VGG11_ARCH instead of the conv_arch given",
    ),
    # NiN
    "nin-block-stride-padding-swapped": Bug(
        cell="nin_block",
        old="nn.Conv2d(in_channels, out_channels, kernel_size, stride, padding)",
        new="nn.Conv2d(in_channels, out_channels, kernel_size, padding, stride)",
        loses=("test_nin_block_values",),
        why="stride and padding passed to Conv2d in the wrong order",
    ),
    "nin-block-last-relu-missing": Bug(
        cell="nin_block",
        old=dedent(
            """\
                nn.ReLU(),
            )""",
            indent=4,
        ),
        new="    )",
        loses=("test_nin_block_values",),
        why="no ReLU after the block's last 1 x 1 convolution",
    ),
    "gap-square-window": Bug(
        cell="GlobalAvgPool2d",
        old="kernel_size=x.size()[2:]",
        new="kernel_size=x.size()[2]",
        loses=("test_global_avg_pool",),
        why="silent for square feature maps",
    ),
    "gap-no-keepdim": Bug(
        cell="GlobalAvgPool2d",
        old="return F.avg_pool2d(x, kernel_size=x.size()[2:])",
        new="return x.mean(dim=(2, 3))",
        loses=("test_global_avg_pool",),
        why="the mean over height and width drops those dimensions instead of keeping them as 1 x 1",
    ),
    "nin-pool-default-stride": Bug(
        cell="nin",
        old=dedent("""\
            nn.MaxPool2d(kernel_size=3, stride=2),
                    nin_block(96, 256"""),
        new=dedent("""\
            nn.MaxPool2d(kernel_size=3),
                    nin_block(96, 256"""),
        loses=("test_nin_block_shapes", "test_nin_values"),
        why="max pooling with the default stride 3 instead of 2",
    ),
    "nin-last-block-unpadded": Bug(
        cell="nin",
        old="nin_block(384, 10, kernel_size=3, stride=1, padding=1)",
        new="nin_block(384, 10, kernel_size=3, stride=1, padding=0)",
        loses=("test_nin_block_shapes", "test_nin_values"),
        why="same parameters, smaller maps before the global pooling",
    ),
    "nin-shapes-memorised": Bug(
        cell="nin_shapes",
        old="    shapes = []\n",
        new=dedent(
            """\
            return [(96, 54, 54), (96, 26, 26), (256, 26, 26), (256, 12, 12), (384, 12, 12), (384, 5, 5),
                    (10, 5, 5), (10, 1, 1), (10,)]
            """,
            indent=4,
        ),
        loses=("test_nin_shapes", "test_nin_shapes_from_formula"),
        why="returns the NiN shapes for a 224 input written out, ignoring size",
    ),
    "nin-shapes-with-dropout": Bug(
        cell="nin_shapes",
        old=dedent(
            """\
            shapes.append((384, *hw))
            hw = conv_output_shape(hw, 3, padding=1)
            """,
            indent=4,
        ),
        new=dedent(
            """\
            shapes.append((384, *hw))
            shapes.append((384, *hw))
            hw = conv_output_shape(hw, 3, padding=1)
            """,
            indent=4,
        ),
        loses=("test_nin_shapes", "test_nin_shapes_from_formula"),
        why="lists the dropout layer as a shape of its own",
    ),
    # GoogLeNet
    "inception-cat-batch-axis": Bug(
        cell="Inception",
        old="torch.cat((p1, p2, p3, p4), dim=1)",
        new="torch.cat((p1, p2, p3, p4), dim=0)",
        loses=("test_inception_values",),
        why="concatenation on the wrong axis",
    ),
    "inception-chained-paths": Bug(
        cell="Inception",
        old="p3 = F.relu(self.p3_2(F.relu(self.p3_1(x))))",
        new="p3 = F.relu(self.p3_2(F.relu(self.p3_1(p2))))",
        loses=("test_inception_values",),
        why="paths fed from each other instead of from x",
    ),
    "inception-p4-no-relu": Bug(
        cell="Inception",
        old="p4 = F.relu(self.p4_2(self.p4_1(x)))",
        new="p4 = self.p4_2(self.p4_1(x))",
        loses=("test_inception_values",),
        why="no ReLU on the fourth path",
    ),
    "inception-renamed": Bug(
        cell="Inception",
        old="self.p1_1 = nn.Conv2d(in_c, c1, kernel_size=1)",
        new="self.path1 = nn.Conv2d(in_c, c1, kernel_size=1)",
        loses=("test_inception_parts", "test_inception_values"),
        why="the first path's layer renamed, so the notes' names no longer match",
    ),
    "googlenet-b2-relu": Bug(
        cell="googlenet",
        old=dedent("""\
            nn.Conv2d(64, 64, kernel_size=1),
                    nn.Conv2d(64, 192"""),
        new=dedent("""\
            nn.Conv2d(64, 64, kernel_size=1),
                    nn.ReLU(),
                    nn.Conv2d(64, 192"""),
        loses=("test_googlenet_values",),
        why="the later d2l edition, not the notes",
    ),
    "googlenet-b3-no-pool": Bug(
        cell="googlenet",
        old=dedent("""\
            Inception(256, 128, (128, 192), (32, 96), 64),
                    nn.MaxPool2d(kernel_size=3, stride=2, padding=1),"""),
        new="Inception(256, 128, (128, 192), (32, 96), 64),",
        loses=("test_googlenet_block_shapes", "test_googlenet_values"),
        why="no max pooling after the third block",
    ),
    "googlenet-unnamed-blocks": Bug(
        cell="googlenet",
        old="    net = nn.Sequential()\n",
        new="    return nn.Sequential(b1, b2, b3, b4, b5, nn.Linear(1024, 10))\n",
        loses=("test_googlenet_structure",),
        why="the network is right, the names are not",
    ),
    "googlenet-shapes-memorised": Bug(
        cell="googlenet_shapes",
        old="    shapes = []\n",
        new="    return [(64, 24, 24), (192, 12, 12), (480, 6, 6), (832, 3, 3), (1024,), (10,)]\n",
        loses=("test_googlenet_shapes", "test_googlenet_shapes_from_formula"),
        why="returns the GoogLeNet shapes for a 96 input written out, ignoring size",
    ),
    "googlenet-shapes-b1-pool-forgotten": Bug(
        cell="googlenet_shapes",
        old=dedent(
            """\
            hw = conv_output_shape(hw, 3, padding=1, stride=2)
            shapes.append((64, *hw))""",
            indent=4,
        ),
        new="    shapes.append((64, *hw))",
        loses=("test_googlenet_shapes", "test_googlenet_shapes_from_formula"),
        why="the first block's max pooling left out of the shape formula",
    ),
    # batch normalisation
    "bn-unbiased-variance": Bug(
        cell="batch_norm",
        old="var = ((X - mean) ** 2).mean(dim=0)",
        new="var = X.var(dim=0)",
        loses=("test_batch_norm_training_2d", "test_batch_norm_from_scratch"),
        why="X.var() is the unbiased variance; batch norm divides by n",
    ),
    "bn-4d-per-pixel": Bug(
        cell="batch_norm",
        old=dedent(
            """\
            mean = X.mean(dim=0, keepdim=True).mean(dim=2, keepdim=True).mean(dim=3, keepdim=True)
            var = ((X - mean) ** 2).mean(dim=0, keepdim=True).mean(dim=2, keepdim=True).mean(dim=3, keepdim=True)
            """,
            indent=12,
        ),
        new=dedent(
            """\
            mean = X.mean(dim=0, keepdim=True)
            var = ((X - mean) ** 2).mean(dim=0, keepdim=True)
            """,
            indent=12,
        ),
        loses=("test_batch_norm_training_4d", "test_batch_norm_gradient"),
        why="batch norm over the wrong axes",
    ),
    "bn-momentum-swapped": Bug(
        cell="batch_norm",
        old="moving_mean = momentum * moving_mean + (1.0 - momentum) * mean.detach()",
        new="moving_mean = (1.0 - momentum) * moving_mean + momentum * mean.detach()",
        loses=("test_batch_norm_training_2d", "test_batch_norm_training_4d"),
        why="PyTorch's momentum convention",
    ),
    "bn-batch-stats-at-eval": Bug(
        cell="batch_norm",
        old="    if not is_training:",
        new="    if False:",
        loses=("test_batch_norm_prediction",),
        why="batch statistics at eval",
    ),
    "bn-eps-outside-sqrt": Bug(
        cell="batch_norm",
        old="X_hat = (X - mean) / torch.sqrt(var + eps)",
        new="X_hat = (X - mean) / (torch.sqrt(var) + eps)",
        loses=("test_batch_norm_training_2d", "test_batch_norm_training_4d"),
        why="eps added after the square root instead of under it",
    ),
    "bn-statistics-detached": Bug(
        cell="batch_norm",
        old="X_hat = (X - mean) / torch.sqrt(var + eps)",
        new="X_hat = (X - mean.detach()) / torch.sqrt(var.detach() + eps)",
        loses=("test_batch_norm_gradient",),
        why="right values, wrong gradients",
    ),
    "bn-layer-always-training": Bug(
        cell="BatchNorm",
        old="            self.training,",
        new="            True,",
        loses=("test_batchnorm_layer_modes",),
        why="batch stats at eval",
    ),
    "bn-layer-statistics-dropped": Bug(
        cell="BatchNorm",
        old="Y, self.moving_mean, self.moving_var = batch_norm(",
        new="Y, _, _ = batch_norm(",
        loses=("test_batchnorm_layer_modes",),
        why="the updated moving statistics are thrown away instead of kept",
    ),
    "bn-layer-gamma-not-a-parameter": Bug(
        cell="BatchNorm",
        old="self.gamma = nn.Parameter(torch.ones(shape))",
        new="self.gamma = torch.ones(shape)",
        loses=("test_batchnorm_layer_modes", "test_batchnorm_layer_gradients"),
        why="gamma a plain tensor, not an nn.Parameter: not registered or trained",
    ),
    # ResNet
    "residual-relu-before-sum": Bug(
        cell="Residual",
        old="return F.relu(Y + X)",
        new="return F.relu(Y) + X",
        loses=("test_residual_values", "test_resnet_block_values", "test_resnet18_values"),
        why="ReLU after instead of before the residual sum",
    ),
    "residual-conv3-without-stride": Bug(
        cell="Residual",
        old="self.conv3 = nn.Conv2d(in_channels, out_channels, kernel_size=1, stride=stride)",
        new="self.conv3 = nn.Conv2d(in_channels, out_channels, kernel_size=1)",
        loses=("test_residual_values",),
        why="the 1 x 1 shortcut convolution ignores stride, so shapes no longer add up",
    ),
    "residual-no-bn2": Bug(
        cell="Residual",
        old="Y = self.bn2(self.conv2(Y))",
        new="Y = self.conv2(Y)",
        loses=("test_residual_values",),
        why="no batch norm after the second convolution",
    ),
    "residual-always-1x1": Bug(
        cell="Residual",
        old="        if use_1x1conv:\n",
        new="        if True:\n",
        loses=("test_residual_parts", "test_residual_values"),
        why="builds the 1 x 1 shortcut convolution even when use_1x1conv is False",
    ),
    "resnet-block-no-downsampling": Bug(
        cell="resnet_block",
        old="Residual(in_channels, out_channels, use_1x1conv=True, stride=2)",
        new="Residual(in_channels, out_channels, use_1x1conv=True)",
        loses=("test_resnet_block_values",),
        why="the block's first residual does not halve height and width (stride 2 missing)",
    ),
    "resnet-block-first-halves": Bug(
        cell="resnet_block",
        old="if i == 0 and not first_block:",
        new="if i == 0:",
        loses=("test_resnet_block_values",),
        why="the first block halves too, though first_block asks it not to",
    ),
    "resnet18-stem-no-bn": Bug(
        cell="resnet18",
        old="        nn.BatchNorm2d(64),\n",
        new="",
        loses=("test_resnet18_structure", "test_resnet18_block_shapes", "test_resnet18_values"),
        why="no batch norm after the stem's convolution",
    ),
    "resnet18-stem-no-pool": Bug(
        cell="resnet18",
        old="        nn.MaxPool2d(kernel_size=3, stride=2, padding=1),\n",
        new="",
        loses=("test_resnet18_block_shapes", "test_resnet18_values"),
        why="no max pooling after the stem",
    ),
    "resnet18-shapes-memorised": Bug(
        cell="resnet18_shapes",
        old="    hw = conv_output_shape(size, 7, padding=3, stride=2)\n",
        new="    return [(64, 56, 56), (64, 56, 56), (128, 28, 28), (256, 14, 14), (512, 7, 7)]\n",
        loses=("test_resnet18_shapes", "test_resnet18_shapes_from_formula"),
        why="returns the ResNet-18 shapes for a 224 input written out, ignoring size",
    ),
    "resnet18-shapes-halving-by-two": Bug(
        cell="resnet18_shapes",
        old="        hw = conv_output_shape(hw, 3, padding=1, stride=2)\n",
        new="        hw = (hw[0] // 2, hw[1] // 2)\n",
        loses=("test_resnet18_shapes", "test_resnet18_shapes_from_formula"),
        why="floor(n / 2) is not the stride-2 formula for odd sizes",
    ),
    # DenseNet
    "conv-block-conv-first": Bug(
        cell="conv_block",
        old=dedent(
            """\
            nn.BatchNorm2d(in_channels),
            nn.ReLU(),
            nn.Conv2d(in_channels, out_channels, kernel_size=3, padding=1),
            """,
            indent=8,
        ),
        new=dedent(
            """\
            nn.Conv2d(in_channels, out_channels, kernel_size=3, padding=1),
            nn.BatchNorm2d(out_channels),
            nn.ReLU(),
            """,
            indent=8,
        ),
        loses=("test_conv_block_values",),
        why="the ResNet order, not DenseNet's",
    ),
    "conv-block-unpadded": Bug(
        cell="conv_block",
        old="kernel_size=3, padding=1)",
        new="kernel_size=3)",
        loses=("test_conv_block_values",),
        why="the 3 x 3 convolution without padding=1 shrinks the feature map",
    ),
    "dense-cat-batch-axis": Bug(
        cell="DenseBlock",
        old="X = torch.cat((X, Y), dim=1)",
        new="X = torch.cat((X, Y), dim=0)",
        loses=("test_dense_block_values",),
        why="concatenation on the wrong axis",
    ),
    "dense-cat-order": Bug(
        cell="DenseBlock",
        old="X = torch.cat((X, Y), dim=1)",
        new="X = torch.cat((Y, X), dim=1)",
        loses=("test_dense_block_values",),
        why="concatenates the new features before the input instead of after it",
    ),
    "dense-out-channels": Bug(
        cell="DenseBlock",
        old="self.out_channels = in_channels + num_convs * out_channels",
        new="self.out_channels = num_convs * out_channels",
        loses=("test_dense_block_attributes",),
        why="out_channels leaves out the block's input channels",
    ),
    "transition-max-pool": Bug(
        cell="transition_block",
        old="nn.AvgPool2d(kernel_size=2, stride=2)",
        new="nn.MaxPool2d(kernel_size=2, stride=2)",
        loses=("test_transition_block_values",),
        why="max pooling where the transition block averages",
    ),
    "transition-no-bn": Bug(
        cell="transition_block",
        old="        nn.BatchNorm2d(in_channels),\n",
        new="",
        loses=("test_transition_block_values",),
        why="no batch norm at the start of the transition block",
    ),
    "densenet-channels-not-halved": Bug(
        cell="densenet",
        old="            num_channels = num_channels // 2\n",
        new="",
        loses=("test_densenet_structure", "test_densenet_values"),
        why="transition blocks keep the channel count instead of halving it",
    ),
    "densenet-no-final-bn": Bug(
        cell="densenet",
        old='    net.add_module("BN", nn.BatchNorm2d(num_channels))\n',
        new="",
        loses=("test_densenet_structure", "test_densenet_block_shapes", "test_densenet_values"),
        why="no batch norm before the final ReLU and pooling",
    ),
    "densenet-shapes-memorised": Bug(
        cell="densenet_shapes",
        old="    channels = 64\n",
        new=dedent(
            """\
            return [(64, 24, 24), (192, 24, 24), (96, 12, 12), (224, 12, 12), (112, 6, 6), (240, 6, 6), (120, 3, 3),
                    (248, 3, 3), (10,)]
            """,
            indent=4,
        ),
        loses=("test_densenet_shapes", "test_densenet_shapes_from_formula"),
        why="returns the DenseNet shapes for a 96 input written out, ignoring size",
    ),
    "densenet-shapes-no-halving": Bug(
        cell="densenet_shapes",
        old="            channels //= 2\n",
        new="",
        loses=("test_densenet_shapes", "test_densenet_shapes_from_formula"),
        why="the shape formula forgets that transition blocks halve the channels",
    ),
    # what a module holds beyond its parameters, what it leaves behind, what it does to its input, its dtype
    "bn-float32": Bug(
        cell="batch_norm",
        old=dedent(
            """\
            if not is_training:
                X_hat""",
            indent=4,
        ),
        new=dedent(
            """\
            X = X.float()
            if not is_training:
                X_hat""",
            indent=4,
        ),
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
        new=dedent(
            """\
            X += Y
            return F.relu(X)""",
            indent=8,
        ),
        loses=("test_residual_values", "test_resnet_block_values"),
        why="without conv3 the block adds into its caller's tensor: right outputs, broken backpropagation in a network",
    ),
    "gap-window-of-first-input": Bug(
        cell="GlobalAvgPool2d",
        old="        return F.avg_pool2d(x, kernel_size=x.size()[2:])",
        new=dedent(
            """\
            if not hasattr(self, 'window'):
                self.window = x.size()[2:]
            return F.avg_pool2d(x, kernel_size=self.window)""",
            indent=8,
        ),
        loses=("test_global_avg_pool",),
        why="the window of the first input it saw: right only until the input size changes",
    ),
    "dense-block-keeps-outputs": Bug(
        cell="DenseBlock",
        old=dedent(
            """\
            for blk in self.net:
                Y = blk(X)
                X = torch.cat((X, Y), dim=1)
            return X""",
            indent=8,
        ),
        new=dedent(
            """\
            self.outputs = getattr(self, 'outputs', []) + [X]
            for blk in self.net:
                self.outputs.append(blk(torch.cat(self.outputs, dim=1)))
            return torch.cat(self.outputs, dim=1)""",
            indent=8,
        ),
        loses=("test_dense_block_values", "test_densenet_values"),
        why="outputs kept on self: right on the first forward only",
    ),
    # found by mutation testing: sizes of one parity, and a last pooling that only large inputs show
    "resnet18-shapes-kernel-8": Bug(
        cell="resnet18_shapes",
        old="hw = conv_output_shape(size, 7, padding=3, stride=2)",
        new="hw = conv_output_shape(size, 8, padding=3, stride=2)",
        loses=("test_resnet18_shapes",),
        why="the first convolution taken as 8 x 8: the same shapes at every even size, one row short at odd ones",
    ),
    "nin-last-pool-stride-3": Bug(
        cell="nin",
        old=dedent(
            """\
            nin_block(256, 384, kernel_size=3, stride=1, padding=1),
            nn.MaxPool2d(kernel_size=3, stride=2),""",
            indent=8,
        ),
        new=dedent(
            """\
            nin_block(256, 384, kernel_size=3, stride=1, padding=1),
            nn.MaxPool2d(kernel_size=3, stride=3),""",
            indent=8,
        ),
        loses=("test_nin_block_shapes",),
        why="the last pooling strides by 3: small inputs still reach a 1 x 1 map, larger ones are cut short",
    ),
    "alexnet-without-dropout": Bug(
        cell="AlexNet",
        old=dedent(
            """\
            nn.Linear(256 * 5 * 5, 4096),
            nn.ReLU(),
            nn.Dropout(0.5),
            nn.Linear(4096, 4096),
            nn.ReLU(),
            nn.Dropout(0.5),""",
            indent=12,
        ),
        new=dedent(
            """\
            nn.Linear(256 * 5 * 5, 4096),
            nn.ReLU(),
            nn.Linear(4096, 4096),
            nn.ReLU(),""",
            indent=12,
        ),
        loses=("test_alexnet_values",),
        why="leaves out both Dropout layers: the same scores in eval mode, no regularisation in training",
    ),
    "vgg-without-dropout": Bug(
        cell="vgg",
        old=dedent(
            """\
            nn.Linear(fc_features, fc_hidden_units),
            nn.ReLU(),
            nn.Dropout(0.5),
            nn.Linear(fc_hidden_units, fc_hidden_units),
            nn.ReLU(),
            nn.Dropout(0.5),""",
            indent=12,
        ),
        new=dedent(
            """\
            nn.Linear(fc_features, fc_hidden_units),
            nn.ReLU(),
            nn.Linear(fc_hidden_units, fc_hidden_units),
            nn.ReLU(),""",
            indent=12,
        ),
        loses=("test_vgg_values",),
        why="leaves out both Dropout layers of the fc block: the same scores in eval mode, no regularisation in training",
    ),
}

ALTERNATIVES = {
    "alexnet-flatten-module": Alternative(
        cell="AlexNet",
        code=dedent("""\
            class AlexNet(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.conv = nn.Sequential(
                        nn.Conv2d(1, 96, kernel_size=11, stride=4), nn.ReLU(inplace=True), nn.MaxPool2d(3, stride=2),
                        nn.Conv2d(96, 256, kernel_size=5, padding=2), nn.ReLU(inplace=True), nn.MaxPool2d(3, stride=2),
                        nn.Conv2d(256, 384, kernel_size=3, padding=1), nn.ReLU(inplace=True),
                        nn.Conv2d(384, 384, kernel_size=3, padding=1), nn.ReLU(inplace=True),
                        nn.Conv2d(384, 256, kernel_size=3, padding=1), nn.ReLU(inplace=True), nn.MaxPool2d(3, stride=2))
                    self.fc = nn.Sequential(
                        nn.Flatten(), nn.Linear(6400, 4096), nn.ReLU(inplace=True), nn.Dropout(p=0.5),
                        nn.Linear(4096, 4096), nn.ReLU(inplace=True), nn.Dropout(p=0.5), nn.Linear(4096, 10))

                def forward(self, img):
                    return self.fc(self.conv(img))"""),
        why="Flatten inside fc shifts the parameter names: weights are paired in order",
    ),
    "alexnet-shapes-table": Alternative(
        cell="alexnet_shapes",
        code=dedent("""\
            def alexnet_shapes(size):
                layers = [(96, 11, 0, 4), (96, 3, 0, 2), (256, 5, 2, 1), (256, 3, 0, 2), (384, 3, 1, 1), (384, 3, 1, 1),
                          (256, 3, 1, 1), (256, 3, 0, 2)]
                hw, out = size, []
                for channels, k, p, s in layers:
                    hw = conv_output_shape(hw, k, p, s)
                    out.append((channels, hw[0], hw[1]))
                c, h, w = out[-1]
                return out + [(c * h * w,), (4096,), (4096,), (10,)]"""),
        why="one table of (channels, kernel, padding, stride) walked in a loop",
    ),
    "vgg-block-comprehension": Alternative(
        cell="vgg_block",
        code=dedent("""\
            def vgg_block(num_convs, in_channels, out_channels):
                layers = []
                for i in range(num_convs):
                    layers += [nn.Conv2d(in_channels if i == 0 else out_channels, out_channels, 3, padding=1), nn.ReLU()]
                return nn.Sequential(*layers, nn.MaxPool2d(2))"""),
        why="layers gathered in a list with the in-channel chosen per convolution",
    ),
    "vgg-ordered-dict": Alternative(
        cell="vgg",
        code=dedent("""\
            from collections import OrderedDict


            def vgg(conv_arch, fc_features, fc_hidden_units=4096):
                blocks = [(f'vgg_block_{i}', vgg_block(*arch)) for i, arch in enumerate(conv_arch, start=1)]
                head = nn.Sequential(FlattenLayer(), nn.Linear(fc_features, fc_hidden_units), nn.ReLU(), nn.Dropout(0.5),
                                     nn.Linear(fc_hidden_units, fc_hidden_units), nn.ReLU(), nn.Dropout(0.5),
                                     nn.Linear(fc_hidden_units, 10))
                return nn.Sequential(OrderedDict(blocks + [('fc', head)]))"""),
        why="blocks and head named through an OrderedDict",
    ),
    "gap-mean": Alternative(
        cell="GlobalAvgPool2d",
        code=dedent("""\
            class GlobalAvgPool2d(nn.Module):
                def forward(self, x):
                    return x.mean(dim=(2, 3), keepdim=True)"""),
        why="x.mean over height and width with keepdim instead of avg_pool2d",
    ),
    "gap-adaptive": Alternative(
        cell="GlobalAvgPool2d",
        code=dedent("""\
            class GlobalAvgPool2d(nn.Module):
                def forward(self, x):
                    return F.adaptive_avg_pool2d(x, (1, 1))"""),
        why="F.adaptive_avg_pool2d to 1 x 1",
    ),
    "inception-registered-out-of-order": Alternative(
        cell="Inception",
        code=dedent("""\
            class Inception(nn.Module):
                def __init__(self, in_c, c1, c2, c3, c4):
                    super().__init__()
                    self.p4_2 = nn.Conv2d(in_c, c4, 1)
                    self.p4_1 = nn.MaxPool2d(3, 1, 1)
                    self.p3_1, self.p3_2 = nn.Conv2d(in_c, c3[0], 1), nn.Conv2d(c3[0], c3[1], 5, padding=2)
                    self.p2_1, self.p2_2 = nn.Conv2d(in_c, c2[0], 1), nn.Conv2d(c2[0], c2[1], 3, padding=1)
                    self.p1_1 = nn.Conv2d(in_c, c1, 1)
                    self.relu = nn.ReLU()

                def forward(self, x):
                    r = self.relu
                    paths = [r(self.p1_1(x)), r(self.p2_2(r(self.p2_1(x)))), r(self.p3_2(r(self.p3_1(x)))),
                             r(self.p4_2(self.p4_1(x)))]
                    return torch.cat(paths, 1)"""),
        why="parts registered in another order: weights are paired by name",
    ),
    "batch-norm-var-mean": Alternative(
        cell="batch_norm",
        code=dedent("""\
            def batch_norm(is_training, X, gamma, beta, moving_mean, moving_var, eps, momentum):
                if is_training:
                    dims = (0,) if X.dim() == 2 else (0, 2, 3)
                    var, mean = torch.var_mean(X, dim=dims, keepdim=True, unbiased=False)
                    with torch.no_grad():
                        moving_mean = momentum * moving_mean + (1 - momentum) * mean
                        moving_var = momentum * moving_var + (1 - momentum) * var
                else:
                    mean, var = moving_mean, moving_var
                return gamma * (X - mean) / torch.sqrt(var + eps) + beta, moving_mean, moving_var"""),
        why="torch.var_mean with unbiased=False over the right dimensions",
    ),
    "batch-norm-d2l-original": Alternative(
        cell="batch_norm",
        code=dedent("""\
            def batch_norm(is_training, X, gamma, beta, moving_mean, moving_var, eps, momentum):
                if not is_training:
                    X_hat = (X - moving_mean) / torch.sqrt(moving_var + eps)
                else:
                    assert len(X.shape) in (2, 4)
                    if len(X.shape) == 2:
                        mean = X.mean(dim=0)
                        var = ((X - mean) ** 2).mean(dim=0)
                    else:
                        mean = X.mean(dim=(0, 2, 3), keepdim=True)
                        var = ((X - mean) ** 2).mean(dim=(0, 2, 3), keepdim=True)
                    X_hat = (X - mean) / torch.sqrt(var + eps)
                    moving_mean = momentum * moving_mean + (1.0 - momentum) * mean
                    moving_var = momentum * moving_var + (1.0 - momentum) * var
                Y = gamma * X_hat + beta
                return Y, moving_mean, moving_var"""),
        why="the book's version: moving statistics not detached",
    ),
    "batchnorm-plain-attributes": Alternative(
        cell="BatchNorm",
        code=dedent("""\
            class BatchNorm(nn.Module):
                def __init__(self, num_features, num_dims):
                    super(BatchNorm, self).__init__()
                    if num_dims == 2:
                        shape = (1, num_features)
                    else:
                        shape = (1, num_features, 1, 1)
                    self.gamma = nn.Parameter(torch.ones(shape))
                    self.beta = nn.Parameter(torch.zeros(shape))
                    self.moving_mean = torch.zeros(shape)
                    self.moving_var = torch.zeros(shape)

                def forward(self, X):
                    if self.moving_mean.device != X.device:
                        self.moving_mean = self.moving_mean.to(X.device)
                        self.moving_var = self.moving_var.to(X.device)
                    Y, self.moving_mean, self.moving_var = batch_norm(self.training, X, self.gamma, self.beta,
                                                                      self.moving_mean, self.moving_var, eps=1e-5, momentum=0.9)
                    return Y"""),
        why="the book's layer: plain tensor attributes, moving_var starting at zeros",
    ),
    "residual-relu-modules": Alternative(
        cell="Residual",
        code=dedent("""\
            class Residual(nn.Module):
                def __init__(self, in_channels, out_channels, use_1x1conv=False, stride=1):
                    super().__init__()
                    self.conv1 = nn.Conv2d(in_channels, out_channels, 3, stride=stride, padding=1)
                    self.bn1 = nn.BatchNorm2d(out_channels)
                    self.conv2 = nn.Conv2d(out_channels, out_channels, 3, padding=1)
                    self.bn2 = nn.BatchNorm2d(out_channels)
                    self.conv3 = nn.Conv2d(in_channels, out_channels, 1, stride=stride) if use_1x1conv else None
                    self.relu = nn.ReLU()

                def forward(self, X):
                    shortcut = X if self.conv3 is None else self.conv3(X)
                    return self.relu(self.bn2(self.conv2(self.relu(self.bn1(self.conv1(X))))) + shortcut)"""),
        why="layers registered in another order (bn1 before conv2): paired by name",
    ),
    "resnet-block-comprehension": Alternative(
        cell="resnet_block",
        code=dedent("""\
            def resnet_block(in_channels, out_channels, num_residuals, first_block=False):
                first = Residual(out_channels, out_channels) if first_block else Residual(in_channels, out_channels, True, 2)
                return nn.Sequential(first, *[Residual(out_channels, out_channels) for _ in range(num_residuals - 1)])"""),
        why="the first residual chosen up front, the rest from a comprehension",
    ),
    "dense-block-list-cat": Alternative(
        cell="DenseBlock",
        code=dedent("""\
            class DenseBlock(nn.Module):
                def __init__(self, num_convs, in_channels, out_channels):
                    super().__init__()
                    self.net = nn.ModuleList([conv_block(in_channels + i * out_channels, out_channels) for i in range(num_convs)])
                    self.out_channels = in_channels + num_convs * out_channels

                def forward(self, X):
                    features = [X]
                    for blk in self.net:
                        features.append(blk(torch.cat(features, 1)))
                    return torch.cat(features, 1)"""),
        why="keeps every block's output in a list and concatenates them all",
    ),
    "densenet-shapes-loop": Alternative(
        cell="densenet_shapes",
        code=dedent("""\
            def densenet_shapes(size):
                hw = conv_output_shape(conv_output_shape(size, 7, 3, 2), 3, 1, 2)
                c, out = 64, [(64,) + hw]
                for i in range(4):
                    c += 128
                    out.append((c,) + hw)
                    if i < 3:
                        c, hw = c // 2, conv_output_shape(hw, kernel=2, stride=2)
                        out.append((c,) + hw)
                return out + [(10,)]"""),
        why="one loop that halves channels and size after each block but the last",
    ),
}
