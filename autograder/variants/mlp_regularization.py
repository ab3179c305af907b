"""Sample submissions for 04_mlp_regularization: real bugs and correct alternatives."""

from autograder.variants import Alternative, Bug

BUGS = {
    "relu-library": Bug(
        "relu",
        "return torch.max(X, torch.zeros_like(X))",
        "return torch.relu(X)",
        ("test_relu_from_scratch",),
        "calls the library",
    ),
    "relu-max-reduces": Bug(
        "relu",
        "return torch.max(X, torch.zeros_like(X))",
        "return torch.max(X, 0)[0]",
        ("test_relu_values", "test_relu_gradient"),
        "torch.max(X, 0) reduces over dimension 0 instead of comparing with 0",
    ),
    "init-zero-weights": Bug(
        "init_mlp_params",
        "W1 = torch.normal(0, 0.01, (num_inputs, num_hiddens))\n    b1 = torch.zeros(num_hiddens)\n"
        "    W2 = torch.normal(0, 0.01, (num_hiddens, num_outputs))",
        "W1 = torch.zeros(num_inputs, num_hiddens)\n    b1 = torch.zeros(num_hiddens)\n"
        "    W2 = torch.zeros(num_hiddens, num_outputs)",
        ("test_init_mlp_params_distribution", "test_mlp_learns_digits"),
        "zero weights: the hidden units never break their symmetry",
    ),
    "init-std-1": Bug(
        "init_mlp_params",
        "W2 = torch.normal(0, 0.01, (num_hiddens, num_outputs))",
        "W2 = torch.randn(num_hiddens, num_outputs)",
        ("test_init_mlp_params_distribution",),
        "standard normal instead of std 0.01",
    ),
    "init-no-grad": Bug(
        "init_mlp_params",
        "    for param in params:\n        param.requires_grad_(True)\n",
        "",
        ("test_init_mlp_params_shapes", "test_mlp_learns_digits"),
        "parameters without requires_grad",
    ),
    "mlp-no-activation": Bug(
        "mlp",
        "H = relu(torch.matmul(X, W1) + b1)",
        "H = torch.matmul(X, W1) + b1",
        ("test_mlp_values", "test_mlp_gradient"),
        "two affine maps make one affine map",
    ),
    "mlp-library-relu": Bug(
        "mlp",
        "H = relu(torch.matmul(X, W1) + b1)",
        "H = torch.relu(torch.matmul(X, W1) + b1)",
        ("test_mlp_from_scratch",),
        "the library's ReLU instead of the student's own",
    ),
    "mlp-softmax-output": Bug(
        "mlp",
        "return torch.matmul(H, W2) + b2",
        "return torch.softmax(torch.matmul(H, W2) + b2, dim=1)",
        ("test_mlp_values", "test_mlp_gradient"),
        "softmax before nn.CrossEntropyLoss, which applies its own",
    ),
    "l2-no-half": Bug(
        "l2_penalty", "return (w**2).sum() / 2", "return (w**2).sum()", ("test_l2_penalty_values", "test_l2_penalty_gradient")
    ),
    "l2-norm": Bug(
        "l2_penalty",
        "return (w**2).sum() / 2",
        "return w.norm() / 2",
        ("test_l2_penalty_values", "test_l2_penalty_gradient"),
        "the norm, not its square",
    ),
    "l2-mean": Bug("l2_penalty", "return (w**2).sum() / 2", "return (w**2).mean() / 2", ("test_l2_penalty_values",)),
    "wd-all-parameters": Bug(
        "weight_decay_optimizers",
        "    optimizer_w = torch.optim.SGD(weights, lr=lr, weight_decay=wd)\n"
        "    optimizer_b = torch.optim.SGD(biases, lr=lr)\n"
        "    return [optimizer_w, optimizer_b]",
        "    return [torch.optim.SGD(net.parameters(), lr=lr, weight_decay=wd)]",
        ("test_weight_decay_groups", "test_weight_decay_step"),
        "PyTorch's default: biases decayed too",
    ),
    "wd-swapped": Bug(
        "weight_decay_optimizers",
        "    optimizer_w = torch.optim.SGD(weights, lr=lr, weight_decay=wd)\n    optimizer_b = torch.optim.SGD(biases, lr=lr)\n",
        "    optimizer_w = torch.optim.SGD(weights, lr=lr)\n    optimizer_b = torch.optim.SGD(biases, lr=lr, weight_decay=wd)\n",
        ("test_weight_decay_groups", "test_weight_decay_step"),
        "decays the biases instead of the weights",
    ),
    "wd-biases-forgotten": Bug(
        "weight_decay_optimizers",
        "    return [optimizer_w, optimizer_b]",
        "    return [optimizer_w]",
        ("test_weight_decay_groups", "test_weight_decay_step"),
        "biases never trained",
    ),
    "dropout-not-rescaled": Bug(
        "dropout",
        "return mask * X / keep_prob",
        "return mask * X",
        ("test_dropout_rescaling", "test_dropout_gradient"),
        "the expectation shrinks",
    ),
    "dropout-rescaled-by-p": Bug(
        "dropout",
        "return mask * X / keep_prob",
        "return mask * X / drop_prob",
        ("test_dropout_rescaling", "test_dropout_gradient"),
        "divides by the drop probability",
    ),
    "dropout-mask-inverted": Bug(
        "dropout",
        "mask = (torch.rand(X.shape, device=X.device) < keep_prob).to(X.dtype)",
        "mask = (torch.rand(X.shape, device=X.device) < drop_prob).to(X.dtype)",
        ("test_dropout_fraction",),
        "keeps with probability drop_prob",
    ),
    "dropout-nan-at-one": Bug(
        "dropout",
        "    if keep_prob == 0:\n        return torch.zeros_like(X)\n",
        "",
        ("test_dropout_extremes",),
        "0 * X / 0 is NaN",
    ),
    "dropout-shared-mask": Bug(
        "dropout",
        "mask = (torch.rand(X.shape, device=X.device) < keep_prob).to(X.dtype)",
        "mask = (torch.rand(X.shape[-1], device=X.device) < keep_prob).to(X.dtype)",
        ("test_dropout_fraction",),
        "one mask broadcast over the rows",
    ),
    "dropout-library": Bug(
        "dropout",
        "    mask = (torch.rand(X.shape, device=X.device) < keep_prob).to(X.dtype)\n    return mask * X / keep_prob",
        "    return torch.nn.functional.dropout(X, drop_prob)",
        ("test_dropout_from_scratch",),
        "calls the library",
    ),
    "dropout-mlp-always": Bug(
        "dropout_mlp",
        "    if is_training:\n        H2 = dropout(H2, drop_prob2)",
        "    H2 = dropout(H2, drop_prob2)",
        ("test_dropout_mlp_eval",),
        "dropout at test time",
    ),
    "dropout-mlp-swapped": Bug(
        "dropout_mlp",
        "H1 = dropout(H1, drop_prob1)",
        "H1 = dropout(H1, drop_prob2)",
        ("test_dropout_mlp_placement",),
        "the second probability on the first layer",
    ),
    "dropout-mlp-on-output": Bug(
        "dropout_mlp",
        "    if is_training:\n        H2 = dropout(H2, drop_prob2)\n    return torch.matmul(H2, W3) + b3",
        "    out = torch.matmul(H2, W3) + b3\n    if is_training:\n        out = dropout(out, drop_prob2)\n    return out",
        ("test_dropout_mlp_placement",),
        "dropout on the output layer",
    ),
    "dropout-net-swapped": Bug(
        "dropout_net",
        "nn.Dropout(drop_prob1),",
        "nn.Dropout(drop_prob2),",
        ("test_dropout_net_layers", "test_dropout_net_train_mode"),
    ),
    "dropout-net-missing-second": Bug(
        "dropout_net",
        "        nn.Dropout(drop_prob2),\n",
        "",
        ("test_dropout_net_layers", "test_dropout_net_train_mode"),
        "only one dropout layer",
    ),
    "dropout-net-no-activation": Bug(
        "dropout_net",
        "        nn.Linear(num_hiddens1, num_hiddens2),\n        nn.ReLU(),\n",
        "        nn.Linear(num_hiddens1, num_hiddens2),\n",
        ("test_dropout_net_eval",),
        "second ReLU missing",
    ),
    "xavier-no-no-grad": Bug(
        "xavier_uniform_",
        "    with torch.no_grad():\n        tensor.uniform_(-bound, bound)",
        "    tensor.uniform_(-bound, bound)",
        ("test_xavier_in_place",),
        "in-place change of a leaf that requires grad",
    ),
    "xavier-not-in-place": Bug(
        "xavier_uniform_",
        "    with torch.no_grad():\n        tensor.uniform_(-bound, bound)\n    return tensor",
        "    return torch.empty(tensor.shape).uniform_(-bound, bound)",
        ("test_xavier_in_place",),
        "makes a new tensor",
    ),
    "xavier-std-as-bound": Bug(
        "xavier_uniform_",
        "bound = math.sqrt(6.0 / (fan_in + fan_out))",
        "bound = math.sqrt(2.0 / (fan_in + fan_out))",
        ("test_xavier_linear_weight", "test_xavier_conv_weight"),
        "the standard deviation used as the bound",
    ),
    "xavier-fan-in-only": Bug(
        "xavier_uniform_",
        "bound = math.sqrt(6.0 / (fan_in + fan_out))",
        "bound = math.sqrt(6.0 / fan_in)",
        ("test_xavier_linear_weight",),
        "Kaiming-style bound",
    ),
    "xavier-no-receptive-field": Bug(
        "xavier_uniform_",
        "receptive_field = math.prod(tensor.shape[2:])",
        "receptive_field = 1",
        ("test_xavier_conv_weight",),
        "conv fans without the kernel size",
    ),
    "xavier-square-kernel": Bug(
        cell="xavier_uniform_",
        old="receptive_field = math.prod(tensor.shape[2:])",
        new="receptive_field = tensor.shape[2] ** 2 if tensor.dim() > 2 else 1",
        loses=("test_xavier_conv_weight",),
        why="assumes a square kernel: right for k x k, wrong for a k1 x k2 kernel, which the checks never drew",
    ),
    "xavier-normal": Bug(
        "xavier_uniform_",
        "tensor.uniform_(-bound, bound)",
        "tensor.normal_(0, bound / math.sqrt(3))",
        ("test_xavier_linear_weight", "test_xavier_conv_weight"),
        "normal instead of uniform",
    ),
    "xavier-library": Bug(
        "xavier_uniform_",
        "    with torch.no_grad():\n        tensor.uniform_(-bound, bound)\n    return tensor",
        "    return nn.init.xavier_uniform_(tensor)",
        ("test_xavier_from_scratch",),
        "calls the library",
    ),
}

ALTERNATIVES = {
    "relu-mask": Alternative("relu", "def relu(X):\n    return X * (X > 0)"),
    "relu-where": Alternative(
        "relu",
        "def relu(X):\n    zero = torch.tensor(0.0, dtype=X.dtype)\n    return torch.where(X > zero, X, zero)",
    ),
    "relu-notes": Alternative(
        "relu", "def relu(X):\n    return torch.max(input=X, other=torch.tensor(0.0))", "the notes' version"
    ),
    "init-numpy": Alternative(
        "init_mlp_params",
        "def init_mlp_params(num_inputs=784, num_hiddens=256, num_outputs=10):\n"
        "    W1 = torch.tensor(np.random.normal(0, 0.01, (num_inputs, num_hiddens)), dtype=torch.float)\n"
        "    b1 = torch.zeros(num_hiddens, dtype=torch.float)\n"
        "    W2 = torch.tensor(np.random.normal(0, 0.01, (num_hiddens, num_outputs)), dtype=torch.float)\n"
        "    b2 = torch.zeros(num_outputs, dtype=torch.float)\n"
        "    params = [W1, b1, W2, b2]\n"
        "    for param in params:\n"
        "        param.requires_grad_(requires_grad=True)\n"
        "    return params",
        "the notes' NumPy version",
    ),
    "mlp-view-mm": Alternative(
        "mlp",
        "def mlp(X, params):\n"
        "    W1, b1, W2, b2 = params\n"
        "    X = X.view((-1, W1.shape[0]))\n"
        "    H = relu(torch.mm(X, W1) + b1)\n"
        "    return torch.mm(H, W2) + b2",
    ),
    "mlp-flatten-matmul": Alternative(
        "mlp",
        "def mlp(X, params):\n    H = relu(X.flatten(1) @ params[0] + params[1])\n    return H @ params[2] + params[3]",
    ),
    "l2-pow-half": Alternative("l2_penalty", "def l2_penalty(w):\n    return 0.5 * torch.sum(w.pow(2))"),
    "l2-norm-squared": Alternative("l2_penalty", "def l2_penalty(w):\n    return torch.norm(w) ** 2 / 2"),
    "wd-param-groups": Alternative(
        "weight_decay_optimizers",
        "def weight_decay_optimizers(net, lr, wd):\n"
        "    decay = [p for n, p in net.named_parameters() if 'weight' in n]\n"
        "    no_decay = [p for n, p in net.named_parameters() if 'weight' not in n]\n"
        "    return [torch.optim.SGD([{'params': decay, 'weight_decay': wd}, {'params': no_decay}], lr=lr)]",
        "one optimizer with two parameter groups",
    ),
    "dropout-notes": Alternative(
        "dropout",
        "def dropout(X, drop_prob):\n"
        "    X = X.float()\n"
        "    assert 0 <= drop_prob <= 1\n"
        "    keep_prob = 1 - drop_prob\n"
        "    if keep_prob == 0:\n"
        "        return torch.zeros_like(X)\n"
        "    mask = (torch.rand(X.shape) < keep_prob).float()\n"
        "    return mask * X / keep_prob",
        "the notes' version",
    ),
    "dropout-bernoulli": Alternative(
        "dropout",
        "def dropout(X, drop_prob):\n"
        "    if drop_prob == 1:\n"
        "        return torch.zeros_like(X)\n"
        "    mask = torch.bernoulli(torch.full_like(X, 1 - drop_prob))\n"
        "    return X * mask / (1 - drop_prob)",
    ),
    "dropout-mlp-notes": Alternative(
        "dropout_mlp",
        "def dropout_mlp(X, params, drop_prob1, drop_prob2, is_training=True):\n"
        "    W1, b1, W2, b2, W3, b3 = params\n"
        "    X = X.view(-1, W1.shape[0])\n"
        "    H1 = (torch.matmul(X, W1) + b1).relu()\n"
        "    if is_training:\n"
        "        H1 = dropout(H1, drop_prob1)\n"
        "    H2 = (torch.matmul(H1, W2) + b2).relu()\n"
        "    if is_training:\n"
        "        H2 = dropout(H2, drop_prob2)\n"
        "    return torch.matmul(H2, W3) + b3",
        "the notes' version with Tensor.relu()",
    ),
    "dropout-mlp-before-relu": Alternative(
        "dropout_mlp",
        "def dropout_mlp(X, params, drop_prob1, drop_prob2, is_training=True):\n"
        "    W1, b1, W2, b2, W3, b3 = params\n"
        "    Z1 = X.reshape(len(X), -1) @ W1 + b1\n"
        "    H1 = relu(dropout(Z1, drop_prob1) if is_training else Z1)\n"
        "    Z2 = H1 @ W2 + b2\n"
        "    H2 = relu(dropout(Z2, drop_prob2) if is_training else Z2)\n"
        "    return H2 @ W3 + b3",
        "dropout before ReLU gives the same result",
    ),
    "dropout-net-named": Alternative(
        "dropout_net",
        "from collections import OrderedDict\n\n\n"
        "def dropout_net(num_inputs=784, num_hiddens1=256, num_hiddens2=256, num_outputs=10, drop_prob1=0.2, drop_prob2=0.5):\n"
        "    return nn.Sequential(OrderedDict([\n"
        "        ('flatten', nn.Flatten()),\n"
        "        ('hidden1', nn.Linear(num_inputs, num_hiddens1)), ('act1', nn.ReLU()), ('drop1', nn.Dropout(drop_prob1)),\n"
        "        ('hidden2', nn.Linear(num_hiddens1, num_hiddens2)), ('act2', nn.ReLU()), ('drop2', nn.Dropout(drop_prob2)),\n"
        "        ('output', nn.Linear(num_hiddens2, num_outputs)),\n"
        "    ]))",
        "nn.Flatten and named layers",
    ),
    "xavier-data": Alternative(
        "xavier_uniform_",
        "def xavier_uniform_(tensor):\n"
        "    fan_in = tensor[0].numel()\n"
        "    fan_out = tensor.shape[0] * tensor[0][0].numel()\n"
        "    a = (6 / (fan_in + fan_out)) ** 0.5\n"
        "    tensor.data.uniform_(-a, a)\n"
        "    return tensor",
        "through .data, which records no graph either",
    ),
    "xavier-copy": Alternative(
        "xavier_uniform_",
        "def xavier_uniform_(tensor):\n"
        "    rf = 1\n"
        "    for k in tensor.shape[2:]:\n"
        "        rf *= k\n"
        "    a = math.sqrt(6.0 / ((tensor.shape[0] + tensor.shape[1]) * rf))\n"
        "    with torch.no_grad():\n"
        "        tensor.copy_((torch.rand(tensor.shape) * 2 - 1) * a)\n"
        "    return tensor",
    ),
}
