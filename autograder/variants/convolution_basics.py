"""Sample submissions for 06_convolution_basics: real bugs and correct alternatives."""

from autograder.variants import Alternative, Bug

BUGS = {
    "corr2d-flipped-kernel": Bug(
        "corr2d",
        "(X[i : i + h, j : j + w] * K).sum()",
        "(X[i : i + h, j : j + w] * torch.flip(K, (0, 1))).sum()",
        ("test_corr2d_values", "test_corr2d_gradient", "test_corr2d_from_scratch"),
        "a true convolution: the kernel flipped",
    ),
    "corr2d-off-by-one": Bug(
        "corr2d",
        "(X.shape[0] - h + 1, X.shape[1] - w + 1)",
        "(X.shape[0] - h, X.shape[1] - w)",
        ("test_corr2d_values", "test_corr2d_from_scratch"),
        "output one row and column short",
    ),
    "corr2d-kernel-dims-swapped": Bug(
        "corr2d", "h, w = K.shape", "w, h = K.shape", ("test_corr2d_values",), "silent for square kernels"
    ),
    "corr2d-library": Bug(
        "corr2d",
        "    h, w = K.shape\n",
        "    return torch.nn.functional.conv2d(X[None, None], K[None, None])[0, 0]\n",
        ("test_corr2d_from_scratch",),
        "calls the library",
    ),
    "conv2d-unregistered-weight": Bug(
        "Conv2D",
        "self.weight = nn.Parameter(torch.randn(kernel_size))",
        "self.weight = torch.randn(kernel_size, requires_grad=True)",
        ("test_conv2d_layer_values", "test_conv2d_layer_gradients"),
        "a plain tensor is not registered as a parameter",
    ),
    "conv2d-no-bias": Bug(
        "Conv2D",
        "return corr2d(x, self.weight) + self.bias",
        "return corr2d(x, self.weight)",
        ("test_conv2d_layer_values", "test_conv2d_layer_gradients"),
    ),
    "shape-padding-once": Bug(
        "conv_output_shape",
        "((n_h - k_h + 2 * p_h) // s_h + 1, (n_w - k_w + 2 * p_w) // s_w + 1)",
        "((n_h - k_h + p_h) // s_h + 1, (n_w - k_w + p_w) // s_w + 1)",
        ("test_conv_output_shape_ints", "test_conv_output_shape_pairs"),
        "padding counted on one side only",
    ),
    "shape-ceil": Bug(
        "conv_output_shape",
        "((n_h - k_h + 2 * p_h) // s_h + 1, (n_w - k_w + 2 * p_w) // s_w + 1)",
        "(-(-(n_h - k_h + 2 * p_h) // s_h) + 1, -(-(n_w - k_w + 2 * p_w) // s_w) + 1)",
        ("test_conv_output_shape_ints", "test_conv_output_shape_pairs"),
        "rounds partial windows up",
    ),
    "shape-true-division": Bug(
        "conv_output_shape",
        "((n_h - k_h + 2 * p_h) // s_h + 1, (n_w - k_w + 2 * p_w) // s_w + 1)",
        "((n_h - k_h + 2 * p_h) / s_h + 1, (n_w - k_w + 2 * p_w) / s_w + 1)",
        ("test_conv_output_shape_ints", "test_conv_output_shape_pairs"),
        "floats instead of floored ints",
    ),
    "shape-no-plus-one": Bug(
        "conv_output_shape",
        "((n_h - k_h + 2 * p_h) // s_h + 1, (n_w - k_w + 2 * p_w) // s_w + 1)",
        "((n_h - k_h + 2 * p_h) // s_h, (n_w - k_w + 2 * p_w) // s_w)",
        ("test_conv_output_shape_ints", "test_conv_output_shape_pairs"),
        "off by one",
    ),
    "shape-square-only": Bug(
        "conv_output_shape",
        "((n_h - k_h + 2 * p_h) // s_h + 1, (n_w - k_w + 2 * p_w) // s_w + 1)",
        "((n_h - k_h + 2 * p_h) // s_h + 1, (n_h - k_h + 2 * p_h) // s_h + 1)",
        ("test_conv_output_shape_pairs",),
        "height used for the width: silent for square inputs",
    ),
    "multi-in-first-channel": Bug(
        "corr2d_multi_in", "for i in range(1, X.shape[0]):", "for i in range(1, 1):", ("test_corr2d_multi_in",)
    ),
    "multi-in-one-kernel": Bug(
        "corr2d_multi_in", "res = res + corr2d(X[i], K[i])", "res = res + corr2d(X[i], K[0])", ("test_corr2d_multi_in",)
    ),
    "multi-out-cat": Bug(
        "corr2d_multi_in_out", "torch.stack(", "torch.cat(", ("test_corr2d_multi_in_out",), "concatenated, not stacked"
    ),
    "multi-out-summed": Bug(
        "corr2d_multi_in_out",
        "torch.stack([corr2d_multi_in(X, k) for k in K])",
        "sum(corr2d_multi_in(X, k) for k in K)",
        ("test_corr2d_multi_in_out",),
    ),
    "1x1-kernel-transposed": Bug(
        "corr2d_multi_in_out_1x1",
        "K = K.reshape(c_o, c_i)",
        "K = K.reshape(c_i, c_o).t()",
        ("test_1x1_equals_general", "test_1x1_is_a_matrix_product"),
        "input and output channels mixed up",
    ),
    "1x1-pixels-transposed": Bug(
        "corr2d_multi_in_out_1x1",
        "X = X.reshape(c_i, h * w)",
        "X = X.transpose(1, 2).reshape(c_i, h * w)",
        ("test_1x1_equals_general", "test_1x1_is_a_matrix_product"),
        "height and width swapped: silent for square images",
    ),
    "1x1-calls-general": Bug(
        "corr2d_multi_in_out_1x1",
        "    c_i, h, w = X.shape\n",
        "    return corr2d_multi_in_out(X, K)\n",
        ("test_1x1_is_a_matrix_product",),
        "not a matrix product",
    ),
    "pool-ignores-mode": Bug(
        "pool2d", 'if mode == "max":', "if True:", ("test_pool2d_avg", "test_pool2d_from_scratch"), "always max"
    ),
    "pool-off-by-one": Bug(
        "pool2d",
        "(X.shape[0] - p_h + 1, X.shape[1] - p_w + 1)",
        "(X.shape[0] - p_h, X.shape[1] - p_w)",
        ("test_pool2d_max", "test_pool2d_avg", "test_pool2d_from_scratch"),
    ),
    "pool-window-swapped": Bug(
        "pool2d", "p_h, p_w = pool_size", "p_w, p_h = pool_size", ("test_pool2d_max", "test_pool2d_avg"), "silent when square"
    ),
    "pool-library": Bug(
        "pool2d",
        "    p_h, p_w = pool_size\n",
        "    pool = torch.nn.functional.max_pool2d if mode == 'max' else torch.nn.functional.avg_pool2d\n"
        "    return pool(X[None, None], pool_size, stride=1)[0, 0]\n",
        ("test_pool2d_from_scratch",),
    ),
    "lenet-relu": Bug(
        "LeNet",
        "nn.Conv2d(1, 6, 5),\n            nn.Sigmoid(),",
        "nn.Conv2d(1, 6, 5),\n            nn.ReLU(),",
        ("test_lenet_values",),
        "the modern activation, not the notes'",
    ),
    "lenet-avg-pooling": Bug(
        "LeNet",
        "nn.Sigmoid(),\n            nn.MaxPool2d(2, 2),\n            nn.Conv2d(6, 16, 5),",
        "nn.Sigmoid(),\n            nn.AvgPool2d(2, 2),\n            nn.Conv2d(6, 16, 5),",
        ("test_lenet_values",),
    ),
    "lenet-padded": Bug(
        "LeNet",
        "nn.Conv2d(1, 6, 5),",
        "nn.Conv2d(1, 6, 5, padding=2),",
        ("test_lenet_block_shapes", "test_lenet_values", "test_lenet_learns_digits"),
        "the 32 x 32 LeNet: the flattened size no longer fits",
    ),
    "lenet-shapes-memorised": Bug(
        "lenet_shapes",
        "    shapes = []\n",
        "    return [(6, 24, 24), (6, 12, 12), (16, 8, 8), (16, 4, 4), (256,), (120,), (84,), (10,)]\n",
        ("test_lenet_shapes", "test_lenet_shapes_from_formula"),
        "the notes' numbers, whatever the size",
    ),
    "lenet-shapes-pool-stride": Bug(
        "lenet_shapes",
        "    hw = conv_output_shape(hw, 2, stride=2)\n    shapes.append((6, *hw))",
        "    hw = conv_output_shape(hw, 2)\n    shapes.append((6, *hw))",
        ("test_lenet_shapes", "test_lenet_shapes_from_formula"),
        "pooling stride forgotten",
    ),
    "lenet-shapes-runs-the-net": Bug(
        "lenet_shapes",
        "    shapes = []\n",
        "    net, X, out = LeNet(), torch.zeros(1, 1, size, size), []\n"
        "    for i, layer in enumerate(net.conv):\n"
        "        X = layer(X)\n"
        "        if i in (1, 2, 4, 5):\n"
        "            out.append(tuple(X.shape[1:]))\n"
        "    return out + [(X.numel(),), (120,), (84,), (10,)]\n",
        ("test_lenet_shapes_from_formula",),
        "runs the network instead of computing",
    ),
    "train-no-zero-grad": Bug(
        "train_ch5", "            optimizer.zero_grad()\n", "", ("test_train_ch5_steps",), "gradients accumulate"
    ),
    "train-summed-loss": Bug(
        "train_ch5",
        "loss = torch.nn.CrossEntropyLoss()",
        'loss = torch.nn.CrossEntropyLoss(reduction="sum")',
        ("test_train_ch5_steps",),
        "loss not divided by the batch size",
    ),
    "train-zero-grad-after-step": Bug(
        cell="train_ch5",
        old="            optimizer.zero_grad()\n            batch_loss.backward()\n            optimizer.step()\n",
        new="            batch_loss.backward()\n            optimizer.step()\n            optimizer.zero_grad()\n",
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
        "corr2d",
        "def corr2d(X, K):\n"
        "    kh, kw = K.shape\n"
        "    windows = X.unfold(0, kh, 1).unfold(1, kw, 1)\n"
        "    return torch.einsum('ijab,ab->ij', windows, K)",
        "sliding windows as a view, one einsum",
    ),
    "corr2d-stack": Alternative(
        "corr2d",
        "def corr2d(X, K):\n"
        "    kh, kw = K.shape\n"
        "    rows = []\n"
        "    for i in range(X.shape[0] - kh + 1):\n"
        "        rows.append(torch.stack([torch.sum(X[i:i + kh, j:j + kw] * K) for j in range(X.shape[1] - kw + 1)]))\n"
        "    return torch.stack(rows)",
    ),
    "conv2d-zero-bias": Alternative(
        "Conv2D",
        "class Conv2D(nn.Module):\n"
        "    def __init__(self, kernel_size):\n"
        "        super().__init__()\n"
        "        self.weight = nn.Parameter(torch.rand(kernel_size) - 0.5)\n"
        "        self.bias = nn.Parameter(torch.zeros(1))\n\n"
        "    def forward(self, x):\n"
        "        return self.bias + corr2d(x, self.weight)",
    ),
    "shape-helper": Alternative(
        "conv_output_shape",
        "import math\n\n\n"
        "def _two(v):\n"
        "    return list(v) if isinstance(v, (tuple, list)) else [v, v]\n\n\n"
        "def conv_output_shape(in_hw, kernel, padding=0, stride=1):\n"
        "    out = []\n"
        "    for n, k, p, s in zip(_two(in_hw), _two(kernel), _two(padding), _two(stride)):\n"
        "        out.append(math.floor((n - k + 2 * p) / s) + 1)\n"
        "    return tuple(out)",
    ),
    "multi-in-zip": Alternative(
        "corr2d_multi_in", "def corr2d_multi_in(X, K):\n    return sum(corr2d(x, k) for x, k in zip(X, K))", "the notes' form"
    ),
    "multi-out-loop": Alternative(
        "corr2d_multi_in_out",
        "def corr2d_multi_in_out(X, K):\n"
        "    outs = []\n"
        "    for o in range(K.shape[0]):\n"
        "        outs.append(corr2d_multi_in(X, K[o]))\n"
        "    return torch.stack(outs, dim=0)",
    ),
    "1x1-einsum": Alternative(
        "corr2d_multi_in_out_1x1",
        "def corr2d_multi_in_out_1x1(X, K):\n    return torch.einsum('oi,ihw->ohw', K[:, :, 0, 0], X)",
    ),
    "1x1-matmul": Alternative(
        "corr2d_multi_in_out_1x1",
        "def corr2d_multi_in_out_1x1(X, K):\n"
        "    c_i, h, w = X.shape\n"
        "    return (K.view(K.shape[0], c_i) @ X.view(c_i, -1)).view(-1, h, w)",
    ),
    "pool-unfold": Alternative(
        "pool2d",
        "def pool2d(X, pool_size, mode='max'):\n"
        "    p_h, p_w = pool_size\n"
        "    windows = X.unfold(0, p_h, 1).unfold(1, p_w, 1)\n"
        "    if mode == 'avg':\n"
        "        return windows.mean(dim=(-2, -1))\n"
        "    return windows.amax(dim=(-2, -1))",
    ),
    "lenet-flatten-layer": Alternative(
        "LeNet",
        "class LeNet(nn.Module):\n"
        "    def __init__(self):\n"
        "        super().__init__()\n"
        "        self.conv = nn.Sequential(nn.Conv2d(1, 6, kernel_size=5), nn.Sigmoid(), nn.MaxPool2d(kernel_size=2),\n"
        "                                  nn.Conv2d(6, 16, kernel_size=5), nn.Sigmoid(), nn.MaxPool2d(kernel_size=2))\n"
        "        self.fc = nn.Sequential(nn.Flatten(), nn.Linear(256, 120), nn.Sigmoid(), nn.Linear(120, 84), nn.Sigmoid(),\n"
        "                                nn.Linear(84, 10))\n\n"
        "    def forward(self, img):\n"
        "        return self.fc(self.conv(img))",
        "Flatten inside fc: the parameter names shift, the network is the same",
    ),
    "lenet-shapes-loop": Alternative(
        "lenet_shapes",
        "def lenet_shapes(size):\n"
        "    out, hw = [], (size, size)\n"
        "    for channels in (6, 16):\n"
        "        hw = conv_output_shape(hw, kernel=5)\n"
        "        out.append((channels,) + hw)\n"
        "        hw = conv_output_shape(hw, kernel=(2, 2), stride=(2, 2))\n"
        "        out.append((channels,) + hw)\n"
        "    out.append((16 * hw[0] * hw[1],))\n"
        "    return out + [(n,) for n in (120, 84, 10)]",
    ),
    "train-with-running-means": Alternative(
        "train_ch5",
        "def train_ch5(net, train_iter, test_iter, batch_size, optimizer, device, num_epochs):\n"
        "    net.to(device)\n"
        "    criterion = nn.CrossEntropyLoss()\n"
        "    for epoch in range(num_epochs):\n"
        "        net.train()\n"
        "        total, correct, loss_sum, batches = 0, 0, 0.0, 0\n"
        "        for X, y in train_iter:\n"
        "            X, y = X.to(device), y.to(device)\n"
        "            optimizer.zero_grad()\n"
        "            out = net(X)\n"
        "            l = criterion(out, y)\n"
        "            l.backward()\n"
        "            optimizer.step()\n"
        "            loss_sum += l.item()\n"
        "            batches += 1\n"
        "            correct += (out.argmax(1) == y).sum().item()\n"
        "            total += len(y)\n"
        "        print(f'epoch {epoch + 1}: loss {loss_sum / batches:.3f}, train acc {correct / total:.3f}, '\n"
        "              f'test acc {evaluate_accuracy(test_iter, net, device):.3f}')",
        "zero_grad before the forward pass",
    ),
}
