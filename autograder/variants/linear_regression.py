"""Sample submissions for 02_linear_regression: real bugs and correct alternatives."""

import textwrap

from autograder.variants import Alternative, Bug


def _body(text):
    """A function body's lines: dedented, indented one level, without the last newline (a cell ends without one)."""
    return textwrap.indent(textwrap.dedent(text), "    ").rstrip("\n")


BUGS = {
    "not-shuffled": Bug(
        "data_iter", "    random.shuffle(indices)\n", "", ("test_data_iter_shuffles",), "always in file order"
    ),
    "last-batch-dropped": Bug(
        "data_iter",
        "for i in range(0, num_examples, batch_size):",
        "for i in range(0, num_examples - batch_size + 1, batch_size):",
        ("test_data_iter_covers_every_example_once",),
        "only full batches",
    ),
    "empty-last-batch": Bug(
        "data_iter",
        "for i in range(0, num_examples, batch_size):",
        "for i in range(0, (num_examples // batch_size + 1) * batch_size, batch_size):",
        ("test_data_iter_covers_every_example_once",),
        "one batch too many when batch_size divides the data",
    ),
    "with-replacement": Bug(
        "data_iter",
        "j = torch.tensor(indices[i : min(i + batch_size, num_examples)])",
        "j = torch.randint(0, num_examples, (min(batch_size, num_examples - i),))",
        ("test_data_iter_covers_every_example_once",),
        "random batches drawn with replacement",
    ),
    "labels-not-shuffled": Bug(
        "data_iter",
        "labels.index_select(0, j)",
        "labels[i : i + batch_size]",
        ("test_data_iter_covers_every_example_once", "test_data_iter_shuffles"),
        "features shuffled, labels in file order",
    ),
    "shuffled-in-place": Bug(
        cell="data_iter",
        old=_body("""\
            indices = list(range(num_examples))
            random.shuffle(indices)
            for i in range(0, num_examples, batch_size):
                j = torch.tensor(indices[i : min(i + batch_size, num_examples)])
                yield features.index_select(0, j), labels.index_select(0, j)
        """),
        new=_body("""\
            order = torch.randperm(num_examples)
            features[:], labels[:] = features[order], labels[order]
            for i in range(0, num_examples, batch_size):
                yield features[i : i + batch_size].clone(), labels[i : i + batch_size].clone()
        """),
        loses=("test_data_iter_covers_every_example_once",),
        why="shuffles the caller's features and labels in place: right batches, but the data set is reordered",
    ),
    "linreg-float64": Bug(
        "linreg",
        "return torch.mm(X, w) + b",
        "return torch.mm(X.double(), w.double()) + b",
        ("test_linreg_values",),
        "float64 result where float32 is documented; old checks drew float64 inputs only",
    ),
    "no-bias": Bug("linreg", "torch.mm(X, w) + b", "torch.mm(X, w)", ("test_linreg_values", "test_linreg_gradient")),
    "flat-output": Bug(
        "linreg",
        "torch.mm(X, w) + b",
        "torch.mv(X, w.view(-1)) + b",
        ("test_linreg_values", "test_linreg_gradient"),
        "shape (n,) instead of (n, 1)",
    ),
    "y-not-reshaped": Bug(
        "squared_loss",
        "(y_hat - y.view(y_hat.shape)) ** 2 / 2",
        "(y_hat - y) ** 2 / 2",
        ("test_squared_loss_values", "test_squared_loss_gradient"),
        "broadcasts to n x n",
    ),
    "no-half": Bug(
        "squared_loss",
        "(y_hat - y.view(y_hat.shape)) ** 2 / 2",
        "(y_hat - y.view(y_hat.shape)) ** 2",
        ("test_squared_loss_values", "test_squared_loss_gradient"),
    ),
    "loss-reduced": Bug(
        "squared_loss",
        "(y_hat - y.view(y_hat.shape)) ** 2 / 2",
        "((y_hat - y.view(y_hat.shape)) ** 2 / 2).mean()",
        ("test_squared_loss_values",),
        "mean over the batch: not per example",
    ),
    "sgd-not-divided": Bug(
        "sgd",
        "param.data -= lr * param.grad / batch_size",
        "param.data -= lr * param.grad",
        ("test_sgd_updates_in_place", "test_two_epochs_step_by_step"),
        "trains fine on this data: only the exact checks see it",
    ),
    "sgd-divided-twice": Bug(
        "sgd",
        "param.data -= lr * param.grad / batch_size",
        "param.data -= lr * param.grad / batch_size / batch_size",
        ("test_sgd_updates_in_place", "test_two_epochs_step_by_step", "test_training_recovers_true_parameters"),
    ),
    "sgd-rebinds": Bug(
        "sgd",
        "param.data -= lr * param.grad / batch_size",
        "param = param - lr * param.grad / batch_size",
        ("test_sgd_updates_in_place", "test_two_epochs_step_by_step", "test_training_recovers_true_parameters"),
        "the parameters never change",
    ),
    "sgd-leaf-in-place": Bug(
        "sgd",
        "param.data -= lr * param.grad / batch_size",
        "param -= lr * param.grad / batch_size",
        ("test_sgd_updates_in_place",),
        "in-place change of a leaf that requires grad",
    ),
    "attribute-renamed": Bug(
        "LinearNet",
        "        self.linear = nn.Linear(n_feature, 1)\n\n    def forward(self, x):\n        return self.linear(x)",
        "        self.fc = nn.Linear(n_feature, 1)\n\n    def forward(self, x):\n        return self.fc(x)",
        ("test_linear_net_outputs", "test_linear_net_gradient"),
        "the contract's attribute is `linear`",
    ),
    "no-bias-layer": Bug(
        "LinearNet",
        "nn.Linear(n_feature, 1)",
        "nn.Linear(n_feature, 1, bias=False)",
        ("test_linear_net_outputs", "test_linear_net_gradient"),
    ),
    "flattened-output": Bug(
        "LinearNet",
        "return self.linear(x)",
        "return self.linear(x).view(-1)",
        ("test_linear_net_outputs", "test_linear_net_gradient"),
        "shape (n,) instead of (n, 1)",
    ),
}

ALTERNATIVES = {
    "randperm-slices": Alternative(
        "data_iter",
        "def data_iter(batch_size, features, labels):\n"
        "    order = torch.randperm(len(features))\n"
        "    for start in range(0, len(order), batch_size):\n"
        "        chosen = order[start : start + batch_size]\n"
        "        yield features[chosen], labels[chosen]",
    ),
    "dataloader": Alternative(
        "data_iter",
        "def data_iter(batch_size, features, labels):\n"
        "    dataset = torch.utils.data.TensorDataset(features, labels)\n"
        "    yield from torch.utils.data.DataLoader(dataset, batch_size=batch_size, shuffle=True)",
        "the library's loader: yields lists [X, y]",
    ),
    "matmul-operator": Alternative("linreg", "def linreg(X, w, b):\n    return X @ w + b"),
    "sum-of-products": Alternative(
        "linreg", "def linreg(X, w, b):\n    return (X * w.t()).sum(dim=1, keepdim=True) + b", "broadcasting, then a row sum"
    ),
    "reshape-minus-one": Alternative(
        "squared_loss", "def squared_loss(y_hat, y):\n    diff = y_hat - y.reshape(-1, 1)\n    return 0.5 * diff * diff"
    ),
    "no-grad-update": Alternative(
        "sgd",
        "def sgd(params, lr, batch_size):\n    with torch.no_grad():\n        for p in params:\n"
        "            p -= lr / batch_size * p.grad",
    ),
    "data-sub": Alternative(
        "sgd",
        "def sgd(params, lr, batch_size):\n    for p in params:\n        p.data.sub_(p.grad.data * lr / batch_size)",
    ),
    "functional-forward": Alternative(
        "LinearNet",
        "class LinearNet(nn.Module):\n"
        "    def __init__(self, n_feature):\n"
        "        super(LinearNet, self).__init__()\n"
        "        self.linear = nn.Linear(in_features=n_feature, out_features=1)\n\n"
        "    def forward(self, x):\n"
        "        return x @ self.linear.weight.t() + self.linear.bias",
    ),
}
