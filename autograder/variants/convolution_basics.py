"""Sample submissions for 06_convolution_basics: real bugs and correct alternatives."""

from autograder.variants import Alternative, Bug, dedent

BUGS = {
    "corr2d-flipped-kernel": Bug(
        cell="corr2d",
        old="(X[i : i + h, j : j + w] * K).sum()",
        new="(X[i : i + h, j : j + w] * torch.flip(K, (0, 1))).sum()",
        loses=("test_corr2d_values", "test_corr2d_gradient", "test_corr2d_from_scratch"),
        why="a true convolution: the kernel flipped",
    ),
    "corr2d-off-by-one": Bug(
        cell="corr2d",
        old="(X.shape[0] - h + 1, X.shape[1] - w + 1)",
        new="(X.shape[0] - h, X.shape[1] - w)",
        loses=("test_corr2d_values", "test_corr2d_from_scratch"),
        why="output one row and column short",
    ),
    "corr2d-kernel-dims-swapped": Bug(
        cell="corr2d",
        old="h, w = K.shape",
        new="w, h = K.shape",
        loses=("test_corr2d_values",),
        why="silent for square kernels",
    ),
    "corr2d-library": Bug(
        cell="corr2d",
        old="    h, w = K.shape\n",
        new="    return torch.nn.functional.conv2d(X[None, None], K[None, None])[0, 0]\n",
        loses=("test_corr2d_from_scratch",),
        why="calls the library",
    ),
    "conv2d-unregistered-weight": Bug(
        cell="Conv2D",
        old="self.weight = nn.Parameter(torch.randn(kernel_size))",
        new="self.weight = torch.randn(kernel_size, requires_grad=True)",
        loses=("test_conv2d_layer_values", "test_conv2d_layer_gradients"),
        why="a plain tensor is not registered as a parameter",
    ),
    "conv2d-no-bias": Bug(
        cell="Conv2D",
        old="return corr2d(x, self.weight) + self.bias",
        new="return corr2d(x, self.weight)",
        loses=("test_conv2d_layer_values", "test_conv2d_layer_gradients"),
        why="forward leaves out the bias",
    ),
    "shape-padding-once": Bug(
        cell="conv_output_shape",
        old="((n_h - k_h + 2 * p_h) // s_h + 1, (n_w - k_w + 2 * p_w) // s_w + 1)",
        new="((n_h - k_h + p_h) // s_h + 1, (n_w - k_w + p_w) // s_w + 1)",
        loses=("test_conv_output_shape_ints", "test_conv_output_shape_pairs"),
        why="padding counted on one side only",
    ),
    "shape-ceil": Bug(
        cell="conv_output_shape",
        old="((n_h - k_h + 2 * p_h) // s_h + 1, (n_w - k_w + 2 * p_w) // s_w + 1)",
        new="(-(-(n_h - k_h + 2 * p_h) // s_h) + 1, -(-(n_w - k_w + 2 * p_w) // s_w) + 1)",
        loses=("test_conv_output_shape_ints", "test_conv_output_shape_pairs"),
        why="rounds partial windows up",
    ),
    "shape-true-division": Bug(
        cell="conv_output_shape",
        old="((n_h - k_h + 2 * p_h) // s_h + 1, (n_w - k_w + 2 * p_w) // s_w + 1)",
        new="((n_h - k_h + 2 * p_h) / s_h + 1, (n_w - k_w + 2 * p_w) / s_w + 1)",
        loses=("test_conv_output_shape_ints", "test_conv_output_shape_pairs"),
        why="floats instead of floored ints",
    ),
    "shape-no-plus-one": Bug(
        cell="conv_output_shape",
        old="((n_h - k_h + 2 * p_h) // s_h + 1, (n_w - k_w + 2 * p_w) // s_w + 1)",
        new="((n_h - k_h + 2 * p_h) // s_h, (n_w - k_w + 2 * p_w) // s_w)",
        loses=("test_conv_output_shape_ints", "test_conv_output_shape_pairs"),
        why="off by one",
    ),
    "shape-square-only": Bug(
        cell="conv_output_shape",
        old="((n_h - k_h + 2 * p_h) // s_h + 1, (n_w - k_w + 2 * p_w) // s_w + 1)",
        new="((n_h - k_h + 2 * p_h) // s_h + 1, (n_h - k_h + 2 * p_h) // s_h + 1)",
        loses=("test_conv_output_shape_pairs",),
        why="height used for the width: silent for square inputs",
    ),
    "multi-in-first-channel": Bug(
        cell="corr2d_multi_in",
        old="for i in range(1, X.shape[0]):",
        new="for i in range(1, 1):",
        loses=("test_corr2d_multi_in",),
        why="only the first input channel is correlated: the loop over the rest never runs",
    ),
    "multi-in-one-kernel": Bug(
        cell="corr2d_multi_in",
        old="res = res + corr2d(X[i], K[i])",
        new="res = res + corr2d(X[i], K[0])",
        loses=("test_corr2d_multi_in",),
        why="every input channel is correlated with the first kernel channel",
    ),
    "multi-out-cat": Bug(
        cell="corr2d_multi_in_out",
        old="torch.stack(",
        new="torch.cat(",
        loses=("test_corr2d_multi_in_out",),
        why="concatenated, not stacked",
    ),
    "multi-out-summed": Bug(
        cell="corr2d_multi_in_out",
        old="torch.stack([corr2d_multi_in(X, k) for k in K])",
        new="sum(corr2d_multi_in(X, k) for k in K)",
        loses=("test_corr2d_multi_in_out",),
        why="output channels summed into one instead of stacked",
    ),
    "1x1-kernel-transposed": Bug(
        cell="corr2d_multi_in_out_1x1",
        old="K = K.reshape(c_o, c_i)",
        new="K = K.reshape(c_i, c_o).t()",
        loses=("test_1x1_equals_general", "test_1x1_is_a_matrix_product"),
        why="input and output channels mixed up",
    ),
    "1x1-pixels-transposed": Bug(
        cell="corr2d_multi_in_out_1x1",
        old="X = X.reshape(c_i, h * w)",
        new="X = X.transpose(1, 2).reshape(c_i, h * w)",
        loses=("test_1x1_equals_general", "test_1x1_is_a_matrix_product"),
        why="height and width swapped: silent for square images",
    ),
    "1x1-calls-general": Bug(
        cell="corr2d_multi_in_out_1x1",
        old="    c_i, h, w = X.shape\n",
        new="    return corr2d_multi_in_out(X, K)\n",
        loses=("test_1x1_is_a_matrix_product",),
        why="not a matrix product",
    ),
    "pool-ignores-mode": Bug(
        cell="pool2d",
        old='if mode == "max":',
        new="if True:",
        loses=("test_pool2d_avg", "test_pool2d_from_scratch"),
        why="always max",
    ),
    "pool-off-by-one": Bug(
        cell="pool2d",
        old="(X.shape[0] - p_h + 1, X.shape[1] - p_w + 1)",
        new="(X.shape[0] - p_h, X.shape[1] - p_w)",
        loses=("test_pool2d_max", "test_pool2d_avg", "test_pool2d_from_scratch"),
        why="output size h - p_h instead of h - p_h + 1: the last window is dropped",
    ),
    "pool-window-swapped": Bug(
        cell="pool2d",
        old="p_h, p_w = pool_size",
        new="p_w, p_h = pool_size",
        loses=("test_pool2d_max", "test_pool2d_avg"),
        why="silent when square",
    ),
    "pool-library": Bug(
        cell="pool2d",
        old="    p_h, p_w = pool_size\n",
        new=dedent(
            """\
            pool = torch.nn.functional.max_pool2d if mode == 'max' else torch.nn.functional.avg_pool2d
            return pool(X[None, None], pool_size, stride=1)[0, 0]
            """,
            indent=4,
        ),
        loses=("test_pool2d_from_scratch",),
        why="calls torch's max_pool2d/avg_pool2d instead of pooling from scratch",
    ),
    "lenet-relu": Bug(
        cell="LeNet",
        old=dedent("""\
            nn.Conv2d(1, 6, 5),
                        nn.Sigmoid(),"""),
        new=dedent("""\
            nn.Conv2d(1, 6, 5),
                        nn.ReLU(),"""),
        loses=("test_lenet_values",),
        why="the modern activation, not the notes'",
    ),
    "lenet-avg-pooling": Bug(
        cell="LeNet",
        old=dedent("""\
            nn.Sigmoid(),
                        nn.MaxPool2d(2, 2),
                        nn.Conv2d(6, 16, 5),"""),
        new=dedent("""\
            nn.Sigmoid(),
                        nn.AvgPool2d(2, 2),
                        nn.Conv2d(6, 16, 5),"""),
        loses=("test_lenet_values",),
        why="first pooling layer averages where the notes' LeNet takes the maximum",
    ),
    "lenet-padded": Bug(
        cell="LeNet",
        old="nn.Conv2d(1, 6, 5),",
        new="nn.Conv2d(1, 6, 5, padding=2),",
        loses=("test_lenet_block_shapes", "test_lenet_values", "test_lenet_learns_digits"),
        why="the 32 x 32 LeNet: the flattened size no longer fits",
    ),
    "lenet-shapes-memorised": Bug(
        cell="lenet_shapes",
        old="    shapes = []\n",
        new="    return [(6, 24, 24), (6, 12, 12), (16, 8, 8), (16, 4, 4), (256,), (120,), (84,), (10,)]\n",
        loses=("test_lenet_shapes", "test_lenet_shapes_from_formula"),
        why="the notes' numbers, whatever the size",
    ),
    "lenet-shapes-pool-stride": Bug(
        cell="lenet_shapes",
        old=dedent(
            """\
            hw = conv_output_shape(hw, 2, stride=2)
            shapes.append((6, *hw))""",
            indent=4,
        ),
        new=dedent(
            """\
            hw = conv_output_shape(hw, 2)
            shapes.append((6, *hw))""",
            indent=4,
        ),
        loses=("test_lenet_shapes", "test_lenet_shapes_from_formula"),
        why="pooling stride forgotten",
    ),
    "lenet-shapes-runs-the-net": Bug(
        cell="lenet_shapes",
        old="    shapes = []\n",
        new=dedent(
            """\
            net, X, out = LeNet(), torch.zeros(1, 1, size, size), []
            for i, layer in enumerate(net.conv):
                X = layer(X)
                if i in (1, 2, 4, 5):
                    out.append(tuple(X.shape[1:]))
            return out + [(X.numel(),), (120,), (84,), (10,)]
            """,
            indent=4,
        ),
        loses=("test_lenet_shapes_from_formula",),
        why="runs the network instead of computing",
    ),
    "train-no-zero-grad": Bug(
        cell="train_ch5",
        old="            optimizer.zero_grad()\n",
        new="",
        loses=("test_train_ch5_steps",),
        why="gradients accumulate",
    ),
    "train-summed-loss": Bug(
        cell="train_ch5",
        old="loss = torch.nn.CrossEntropyLoss()",
        new='loss = torch.nn.CrossEntropyLoss(reduction="sum")',
        loses=("test_train_ch5_steps",),
        why="loss not divided by the batch size",
    ),
    "train-zero-grad-after-step": Bug(
        cell="train_ch5",
        old=dedent(
            """\
            optimizer.zero_grad()
            batch_loss.backward()
            optimizer.step()
            """,
            indent=12,
        ),
        new=dedent(
            """\
            batch_loss.backward()
            optimizer.step()
            optimizer.zero_grad()
            """,
            indent=12,
        ),
        loses=("test_train_ch5_steps",),
        why="zeroes after the step: right on a fresh net, wrong on the first step of one that already carries gradients",
    ),
    "1x1-kernel-squeezed": Bug(
        cell="corr2d_multi_in_out_1x1",
        old="K = K.reshape(c_o, c_i)",
        new="K = K.squeeze()",
        loses=("test_1x1_equals_general",),
        why="squeeze() also drops the channel axis when c_i or c_o is 1: the boundary the draws now reach on purpose",
    ),
}

ALTERNATIVES = {
    "corr2d-unfold": Alternative(
        cell="corr2d",
        code=dedent("""\
            def corr2d(X, K):
                kh, kw = K.shape
                windows = X.unfold(0, kh, 1).unfold(1, kw, 1)
                return torch.einsum('ijab,ab->ij', windows, K)"""),
        why="sliding windows as a view, one einsum",
    ),
    "corr2d-stack": Alternative(
        cell="corr2d",
        code=dedent("""\
            def corr2d(X, K):
                kh, kw = K.shape
                rows = []
                for i in range(X.shape[0] - kh + 1):
                    rows.append(torch.stack([torch.sum(X[i:i + kh, j:j + kw] * K) for j in range(X.shape[1] - kw + 1)]))
                return torch.stack(rows)"""),
        why="builds the output row by row with torch.stack instead of filling a zeros tensor",
    ),
    "conv2d-zero-bias": Alternative(
        cell="Conv2D",
        code=dedent("""\
            class Conv2D(nn.Module):
                def __init__(self, kernel_size):
                    super().__init__()
                    self.weight = nn.Parameter(torch.rand(kernel_size) - 0.5)
                    self.bias = nn.Parameter(torch.zeros(1))

                def forward(self, x):
                    return self.bias + corr2d(x, self.weight)"""),
        why="bias starts at zero and is added before the correlation",
    ),
    "shape-helper": Alternative(
        cell="conv_output_shape",
        code=dedent("""\
            import math


            def _two(v):
                return list(v) if isinstance(v, (tuple, list)) else [v, v]


            def conv_output_shape(in_hw, kernel, padding=0, stride=1):
                out = []
                for n, k, p, s in zip(_two(in_hw), _two(kernel), _two(padding), _two(stride)):
                    out.append(math.floor((n - k + 2 * p) / s) + 1)
                return tuple(out)"""),
        why="one helper turns ints into pairs and the formula runs per dimension",
    ),
    "multi-in-zip": Alternative(
        cell="corr2d_multi_in",
        code=dedent("""\
            def corr2d_multi_in(X, K):
                return sum(corr2d(x, k) for x, k in zip(X, K))"""),
        why="the notes' form",
    ),
    "multi-out-loop": Alternative(
        cell="corr2d_multi_in_out",
        code=dedent("""\
            def corr2d_multi_in_out(X, K):
                outs = []
                for o in range(K.shape[0]):
                    outs.append(corr2d_multi_in(X, K[o]))
                return torch.stack(outs, dim=0)"""),
        why="an explicit loop over output channels, then torch.stack",
    ),
    "1x1-einsum": Alternative(
        cell="corr2d_multi_in_out_1x1",
        code=dedent("""\
            def corr2d_multi_in_out_1x1(X, K):
                return torch.einsum('oi,ihw->ohw', K[:, :, 0, 0], X)"""),
        why="the 1x1 convolution as one einsum",
    ),
    "1x1-matmul": Alternative(
        cell="corr2d_multi_in_out_1x1",
        code=dedent("""\
            def corr2d_multi_in_out_1x1(X, K):
                c_i, h, w = X.shape
                return (K.view(K.shape[0], c_i) @ X.view(c_i, -1)).view(-1, h, w)"""),
        why="the 1x1 convolution with view and @ instead of reshape and torch.mm",
    ),
    "pool-unfold": Alternative(
        cell="pool2d",
        code=dedent("""\
            def pool2d(X, pool_size, mode='max'):
                p_h, p_w = pool_size
                windows = X.unfold(0, p_h, 1).unfold(1, p_w, 1)
                if mode == 'avg':
                    return windows.mean(dim=(-2, -1))
                return windows.amax(dim=(-2, -1))"""),
        why="pooling windows from Tensor.unfold, reduced with amax or mean",
    ),
    "lenet-flatten-layer": Alternative(
        cell="LeNet",
        code=dedent("""\
            class LeNet(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.conv = nn.Sequential(nn.Conv2d(1, 6, kernel_size=5), nn.Sigmoid(), nn.MaxPool2d(kernel_size=2),
                                              nn.Conv2d(6, 16, kernel_size=5), nn.Sigmoid(), nn.MaxPool2d(kernel_size=2))
                    self.fc = nn.Sequential(nn.Flatten(), nn.Linear(256, 120), nn.Sigmoid(), nn.Linear(120, 84), nn.Sigmoid(),
                                            nn.Linear(84, 10))

                def forward(self, img):
                    return self.fc(self.conv(img))"""),
        why="Flatten inside fc: the parameter names shift, the network is the same",
    ),
    "lenet-shapes-loop": Alternative(
        cell="lenet_shapes",
        code=dedent("""\
            def lenet_shapes(size):
                out, hw = [], (size, size)
                for channels in (6, 16):
                    hw = conv_output_shape(hw, kernel=5)
                    out.append((channels,) + hw)
                    hw = conv_output_shape(hw, kernel=(2, 2), stride=(2, 2))
                    out.append((channels,) + hw)
                out.append((16 * hw[0] * hw[1],))
                return out + [(n,) for n in (120, 84, 10)]"""),
        why="one loop over the two convolution blocks instead of writing each out",
    ),
    "train-with-running-means": Alternative(
        cell="train_ch5",
        code=dedent("""\
            def train_ch5(net, train_iter, test_iter, batch_size, optimizer, device, num_epochs):
                net.to(device)
                criterion = nn.CrossEntropyLoss()
                for epoch in range(num_epochs):
                    net.train()
                    total, correct, loss_sum, batches = 0, 0, 0.0, 0
                    for X, y in train_iter:
                        X, y = X.to(device), y.to(device)
                        optimizer.zero_grad()
                        out = net(X)
                        l = criterion(out, y)
                        l.backward()
                        optimizer.step()
                        loss_sum += l.item()
                        batches += 1
                        correct += (out.argmax(1) == y).sum().item()
                        total += len(y)
                    print(f'epoch {epoch + 1}: loss {loss_sum / batches:.3f}, train acc {correct / total:.3f}, '
                          f'test acc {evaluate_accuracy(test_iter, net, device):.3f}')"""),
        why="zero_grad before the forward pass",
    ),
}
