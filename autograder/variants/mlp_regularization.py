"""Sample submissions for 04_mlp_regularization: real bugs and correct alternatives."""

from autograder.variants import Alternative, Bug, dedent

BUGS = {
    "relu-library": Bug(
        cell="relu",
        old="return torch.max(X, torch.zeros_like(X))",
        new="return torch.relu(X)",
        loses=("test_relu_from_scratch",),
        why="calls the library",
    ),
    "relu-max-reduces": Bug(
        cell="relu",
        old="return torch.max(X, torch.zeros_like(X))",
        new="return torch.max(X, 0)[0]",
        loses=("test_relu_values", "test_relu_gradient"),
        why="torch.max(X, 0) reduces over dimension 0 instead of comparing with 0",
    ),
    "init-zero-weights": Bug(
        cell="init_mlp_params",
        old=dedent("""\
            W1 = torch.normal(0, 0.01, (num_inputs, num_hiddens))
                b1 = torch.zeros(num_hiddens)
                W2 = torch.normal(0, 0.01, (num_hiddens, num_outputs))"""),
        new=dedent("""\
            W1 = torch.zeros(num_inputs, num_hiddens)
                b1 = torch.zeros(num_hiddens)
                W2 = torch.zeros(num_hiddens, num_outputs)"""),
        loses=("test_init_mlp_params_distribution", "test_mlp_learns_digits"),
        why="zero weights: the hidden units never break their symmetry",
    ),
    "init-std-1": Bug(
        cell="init_mlp_params",
        old="W2 = torch.normal(0, 0.01, (num_hiddens, num_outputs))",
        new="W2 = torch.randn(num_hiddens, num_outputs)",
        loses=("test_init_mlp_params_distribution",),
        why="standard normal instead of std 0.01",
    ),
    "init-no-grad": Bug(
        cell="init_mlp_params",
        old=dedent(
            """\
            for param in params:
                param.requires_grad_(True)
            """,
            indent=4,
        ),
        new="",
        loses=("test_init_mlp_params_shapes", "test_mlp_learns_digits"),
        why="parameters without requires_grad",
    ),
    "mlp-no-activation": Bug(
        cell="mlp",
        old="H = relu(torch.matmul(X, W1) + b1)",
        new="H = torch.matmul(X, W1) + b1",
        loses=("test_mlp_values", "test_mlp_gradient"),
        why="two affine maps make one affine map",
    ),
    "mlp-library-relu": Bug(
        cell="mlp",
        old="H = relu(torch.matmul(X, W1) + b1)",
        new="H = torch.relu(torch.matmul(X, W1) + b1)",
        loses=("test_mlp_from_scratch",),
        why="the library's ReLU instead of the student's own",
    ),
    "mlp-softmax-output": Bug(
        cell="mlp",
        old="return torch.matmul(H, W2) + b2",
        new="return torch.softmax(torch.matmul(H, W2) + b2, dim=1)",
        loses=("test_mlp_values", "test_mlp_gradient"),
        why="softmax before nn.CrossEntropyLoss, which applies its own",
    ),
    "l2-no-half": Bug(
        cell="l2_penalty",
        old="return (w**2).sum() / 2",
        new="return (w**2).sum()",
        loses=("test_l2_penalty_values", "test_l2_penalty_gradient"),
        why="the penalty without the factor 1/2",
    ),
    "l2-norm": Bug(
        cell="l2_penalty",
        old="return (w**2).sum() / 2",
        new="return w.norm() / 2",
        loses=("test_l2_penalty_values", "test_l2_penalty_gradient"),
        why="the norm, not its square",
    ),
    "l2-mean": Bug(
        cell="l2_penalty",
        old="return (w**2).sum() / 2",
        new="return (w**2).mean() / 2",
        loses=("test_l2_penalty_values",),
        why="averages the squares instead of summing them",
    ),
    "wd-all-parameters": Bug(
        cell="weight_decay_optimizers",
        old=dedent(
            """\
            optimizer_w = torch.optim.SGD(weights, lr=lr, weight_decay=wd)
            optimizer_b = torch.optim.SGD(biases, lr=lr)
            return [optimizer_w, optimizer_b]""",
            indent=4,
        ),
        new="    return [torch.optim.SGD(net.parameters(), lr=lr, weight_decay=wd)]",
        loses=("test_weight_decay_groups", "test_weight_decay_step"),
        why="PyTorch's default: biases decayed too",
    ),
    "wd-swapped": Bug(
        cell="weight_decay_optimizers",
        old=dedent(
            """\
            optimizer_w = torch.optim.SGD(weights, lr=lr, weight_decay=wd)
            optimizer_b = torch.optim.SGD(biases, lr=lr)
            """,
            indent=4,
        ),
        new=dedent(
            """\
            optimizer_w = torch.optim.SGD(weights, lr=lr)
            optimizer_b = torch.optim.SGD(biases, lr=lr, weight_decay=wd)
            """,
            indent=4,
        ),
        loses=("test_weight_decay_groups", "test_weight_decay_step"),
        why="decays the biases instead of the weights",
    ),
    "wd-biases-forgotten": Bug(
        cell="weight_decay_optimizers",
        old="    return [optimizer_w, optimizer_b]",
        new="    return [optimizer_w]",
        loses=("test_weight_decay_groups", "test_weight_decay_step"),
        why="biases never trained",
    ),
    "dropout-not-rescaled": Bug(
        cell="dropout",
        old="return mask * X / keep_prob",
        new="return mask * X",
        loses=("test_dropout_rescaling", "test_dropout_gradient"),
        why="the expectation shrinks",
    ),
    "dropout-rescaled-by-p": Bug(
        cell="dropout",
        old="return mask * X / keep_prob",
        new="return mask * X / drop_prob",
        loses=("test_dropout_rescaling", "test_dropout_gradient"),
        why="divides by the drop probability",
    ),
    "dropout-mask-inverted": Bug(
        cell="dropout",
        old="mask = (torch.rand(X.shape, device=X.device) < keep_prob).to(X.dtype)",
        new="mask = (torch.rand(X.shape, device=X.device) < drop_prob).to(X.dtype)",
        loses=("test_dropout_fraction",),
        why="keeps with probability drop_prob",
    ),
    "dropout-nan-at-one": Bug(
        cell="dropout",
        old=dedent(
            """\
            if keep_prob == 0:
                return torch.zeros_like(X)
            """,
            indent=4,
        ),
        new="",
        loses=("test_dropout_extremes",),
        why="0 * X / 0 is NaN",
    ),
    "dropout-shared-mask": Bug(
        cell="dropout",
        old="mask = (torch.rand(X.shape, device=X.device) < keep_prob).to(X.dtype)",
        new="mask = (torch.rand(X.shape[-1], device=X.device) < keep_prob).to(X.dtype)",
        loses=("test_dropout_fraction",),
        why="one mask broadcast over the rows",
    ),
    "dropout-library": Bug(
        cell="dropout",
        old=dedent(
            """\
            mask = (torch.rand(X.shape, device=X.device) < keep_prob).to(X.dtype)
            return mask * X / keep_prob""",
            indent=4,
        ),
        new="    return torch.nn.functional.dropout(X, drop_prob)",
        loses=("test_dropout_from_scratch",),
        why="calls the library",
    ),
    "dropout-mlp-always": Bug(
        cell="dropout_mlp",
        old=dedent(
            """\
            if is_training:
                H2 = dropout(H2, drop_prob2)""",
            indent=4,
        ),
        new="    H2 = dropout(H2, drop_prob2)",
        loses=("test_dropout_mlp_eval",),
        why="dropout at test time",
    ),
    "dropout-mlp-swapped": Bug(
        cell="dropout_mlp",
        old="H1 = dropout(H1, drop_prob1)",
        new="H1 = dropout(H1, drop_prob2)",
        loses=("test_dropout_mlp_placement",),
        why="the second probability on the first layer",
    ),
    "dropout-mlp-on-output": Bug(
        cell="dropout_mlp",
        old=dedent(
            """\
            if is_training:
                H2 = dropout(H2, drop_prob2)
            return torch.matmul(H2, W3) + b3""",
            indent=4,
        ),
        new=dedent(
            """\
            out = torch.matmul(H2, W3) + b3
            if is_training:
                out = dropout(out, drop_prob2)
            return out""",
            indent=4,
        ),
        loses=("test_dropout_mlp_placement",),
        why="dropout on the output layer",
    ),
    "dropout-net-swapped": Bug(
        cell="dropout_net",
        old="nn.Dropout(drop_prob1),",
        new="nn.Dropout(drop_prob2),",
        loses=("test_dropout_net_layers", "test_dropout_net_train_mode"),
        why="the first dropout layer uses the second layer's probability",
    ),
    "dropout-net-missing-second": Bug(
        cell="dropout_net",
        old="        nn.Dropout(drop_prob2),\n",
        new="",
        loses=("test_dropout_net_layers", "test_dropout_net_train_mode"),
        why="only one dropout layer",
    ),
    "dropout-net-no-activation": Bug(
        cell="dropout_net",
        old=dedent(
            """\
            nn.Linear(num_hiddens1, num_hiddens2),
            nn.ReLU(),
            """,
            indent=8,
        ),
        new="        nn.Linear(num_hiddens1, num_hiddens2),\n",
        loses=("test_dropout_net_eval",),
        why="second ReLU missing",
    ),
    "xavier-no-no-grad": Bug(
        cell="xavier_uniform_",
        old=dedent(
            """\
            with torch.no_grad():
                tensor.uniform_(-bound, bound)""",
            indent=4,
        ),
        new="    tensor.uniform_(-bound, bound)",
        loses=("test_xavier_in_place",),
        why="in-place change of a leaf that requires grad",
    ),
    "xavier-not-in-place": Bug(
        cell="xavier_uniform_",
        old=dedent(
            """\
            with torch.no_grad():
                tensor.uniform_(-bound, bound)
            return tensor""",
            indent=4,
        ),
        new="    return torch.empty(tensor.shape).uniform_(-bound, bound)",
        loses=("test_xavier_in_place",),
        why="makes a new tensor",
    ),
    "xavier-std-as-bound": Bug(
        cell="xavier_uniform_",
        old="bound = math.sqrt(6.0 / (fan_in + fan_out))",
        new="bound = math.sqrt(2.0 / (fan_in + fan_out))",
        loses=("test_xavier_linear_weight", "test_xavier_conv_weight"),
        why="the standard deviation used as the bound",
    ),
    "xavier-fan-in-only": Bug(
        cell="xavier_uniform_",
        old="bound = math.sqrt(6.0 / (fan_in + fan_out))",
        new="bound = math.sqrt(6.0 / fan_in)",
        loses=("test_xavier_linear_weight",),
        why="Kaiming-style bound",
    ),
    "xavier-no-receptive-field": Bug(
        cell="xavier_uniform_",
        old="receptive_field = math.prod(tensor.shape[2:])",
        new="receptive_field = 1",
        loses=("test_xavier_conv_weight",),
        why="conv fans without the kernel size",
    ),
    "xavier-square-kernel": Bug(
        cell="xavier_uniform_",
        old="receptive_field = math.prod(tensor.shape[2:])",
        new="receptive_field = tensor.shape[2] ** 2 if tensor.dim() > 2 else 1",
        loses=("test_xavier_conv_weight",),
        why="assumes a square kernel: right for k x k, wrong for a k1 x k2 kernel, which the checks never drew",
    ),
    "xavier-normal": Bug(
        cell="xavier_uniform_",
        old="tensor.uniform_(-bound, bound)",
        new="tensor.normal_(0, bound / math.sqrt(3))",
        loses=("test_xavier_linear_weight", "test_xavier_conv_weight"),
        why="normal instead of uniform",
    ),
    "xavier-library": Bug(
        cell="xavier_uniform_",
        old=dedent(
            """\
            with torch.no_grad():
                tensor.uniform_(-bound, bound)
            return tensor""",
            indent=4,
        ),
        new="    return nn.init.xavier_uniform_(tensor)",
        loses=("test_xavier_from_scratch",),
        why="calls the library",
    ),
}

ALTERNATIVES = {
    "relu-mask": Alternative(
        cell="relu",
        code=dedent("""\
            def relu(X):
                return X * (X > 0)"""),
        why="multiplies X by the boolean mask X > 0",
    ),
    "relu-where": Alternative(
        cell="relu",
        code=dedent("""\
            def relu(X):
                zero = torch.tensor(0.0, dtype=X.dtype)
                return torch.where(X > zero, X, zero)"""),
        why="torch.where against a zero scalar of X's dtype",
    ),
    "relu-notes": Alternative(
        cell="relu",
        code=dedent("""\
            def relu(X):
                return torch.max(input=X, other=torch.tensor(0.0))"""),
        why="the notes' version",
    ),
    "init-numpy": Alternative(
        cell="init_mlp_params",
        code=dedent("""\
            def init_mlp_params(num_inputs=784, num_hiddens=256, num_outputs=10):
                W1 = torch.tensor(np.random.normal(0, 0.01, (num_inputs, num_hiddens)), dtype=torch.float)
                b1 = torch.zeros(num_hiddens, dtype=torch.float)
                W2 = torch.tensor(np.random.normal(0, 0.01, (num_hiddens, num_outputs)), dtype=torch.float)
                b2 = torch.zeros(num_outputs, dtype=torch.float)
                params = [W1, b1, W2, b2]
                for param in params:
                    param.requires_grad_(requires_grad=True)
                return params"""),
        why="the notes' NumPy version",
    ),
    "mlp-view-mm": Alternative(
        cell="mlp",
        code=dedent("""\
            def mlp(X, params):
                W1, b1, W2, b2 = params
                X = X.view((-1, W1.shape[0]))
                H = relu(torch.mm(X, W1) + b1)
                return torch.mm(H, W2) + b2"""),
        why="view and torch.mm instead of reshape and torch.matmul",
    ),
    "mlp-flatten-matmul": Alternative(
        cell="mlp",
        code=dedent("""\
            def mlp(X, params):
                H = relu(X.flatten(1) @ params[0] + params[1])
                return H @ params[2] + params[3]"""),
        why="flatten(1) and @ with the params indexed in place",
    ),
    "l2-pow-half": Alternative(
        cell="l2_penalty",
        code=dedent("""\
            def l2_penalty(w):
                return 0.5 * torch.sum(w.pow(2))"""),
        why="0.5 * torch.sum(w.pow(2))",
    ),
    "l2-norm-squared": Alternative(
        cell="l2_penalty",
        code=dedent("""\
            def l2_penalty(w):
                return torch.norm(w) ** 2 / 2"""),
        why="the squared norm halved: torch.norm(w) ** 2 / 2",
    ),
    "wd-param-groups": Alternative(
        cell="weight_decay_optimizers",
        code=dedent("""\
            def weight_decay_optimizers(net, lr, wd):
                decay = [p for n, p in net.named_parameters() if 'weight' in n]
                no_decay = [p for n, p in net.named_parameters() if 'weight' not in n]
                return [torch.optim.SGD([{'params': decay, 'weight_decay': wd}, {'params': no_decay}], lr=lr)]"""),
        why="one optimizer with two parameter groups",
    ),
    "dropout-notes": Alternative(
        cell="dropout",
        code=dedent("""\
            def dropout(X, drop_prob):
                X = X.float()
                assert 0 <= drop_prob <= 1
                keep_prob = 1 - drop_prob
                if keep_prob == 0:
                    return torch.zeros_like(X)
                mask = (torch.rand(X.shape) < keep_prob).float()
                return mask * X / keep_prob"""),
        why="the notes' version",
    ),
    "dropout-bernoulli": Alternative(
        cell="dropout",
        code=dedent("""\
            def dropout(X, drop_prob):
                if drop_prob == 1:
                    return torch.zeros_like(X)
                mask = torch.bernoulli(torch.full_like(X, 1 - drop_prob))
                return X * mask / (1 - drop_prob)"""),
        why="draws the keep mask with torch.bernoulli",
    ),
    "dropout-mlp-notes": Alternative(
        cell="dropout_mlp",
        code=dedent("""\
            def dropout_mlp(X, params, drop_prob1, drop_prob2, is_training=True):
                W1, b1, W2, b2, W3, b3 = params
                X = X.view(-1, W1.shape[0])
                H1 = (torch.matmul(X, W1) + b1).relu()
                if is_training:
                    H1 = dropout(H1, drop_prob1)
                H2 = (torch.matmul(H1, W2) + b2).relu()
                if is_training:
                    H2 = dropout(H2, drop_prob2)
                return torch.matmul(H2, W3) + b3"""),
        why="the notes' version with Tensor.relu()",
    ),
    "dropout-mlp-before-relu": Alternative(
        cell="dropout_mlp",
        code=dedent("""\
            def dropout_mlp(X, params, drop_prob1, drop_prob2, is_training=True):
                W1, b1, W2, b2, W3, b3 = params
                Z1 = X.reshape(len(X), -1) @ W1 + b1
                H1 = relu(dropout(Z1, drop_prob1) if is_training else Z1)
                Z2 = H1 @ W2 + b2
                H2 = relu(dropout(Z2, drop_prob2) if is_training else Z2)
                return H2 @ W3 + b3"""),
        why="dropout before ReLU gives the same result",
    ),
    "dropout-net-named": Alternative(
        cell="dropout_net",
        code=dedent("""\
            from collections import OrderedDict


            def dropout_net(num_inputs=784, num_hiddens1=256, num_hiddens2=256, num_outputs=10, drop_prob1=0.2, drop_prob2=0.5):
                return nn.Sequential(OrderedDict([
                    ('flatten', nn.Flatten()),
                    ('hidden1', nn.Linear(num_inputs, num_hiddens1)), ('act1', nn.ReLU()), ('drop1', nn.Dropout(drop_prob1)),
                    ('hidden2', nn.Linear(num_hiddens1, num_hiddens2)), ('act2', nn.ReLU()), ('drop2', nn.Dropout(drop_prob2)),
                    ('output', nn.Linear(num_hiddens2, num_outputs)),
                ]))"""),
        why="nn.Flatten and named layers",
    ),
    "xavier-data": Alternative(
        cell="xavier_uniform_",
        code=dedent("""\
            def xavier_uniform_(tensor):
                fan_in = tensor[0].numel()
                fan_out = tensor.shape[0] * tensor[0][0].numel()
                a = (6 / (fan_in + fan_out)) ** 0.5
                tensor.data.uniform_(-a, a)
                return tensor"""),
        why="through .data, which records no graph either",
    ),
    "xavier-copy": Alternative(
        cell="xavier_uniform_",
        code=dedent("""\
            def xavier_uniform_(tensor):
                rf = 1
                for k in tensor.shape[2:]:
                    rf *= k
                a = math.sqrt(6.0 / ((tensor.shape[0] + tensor.shape[1]) * rf))
                with torch.no_grad():
                    tensor.copy_((torch.rand(tensor.shape) * 2 - 1) * a)
                return tensor"""),
        why="computes the bound by hand and copies a scaled uniform draw into the tensor",
    ),
}
