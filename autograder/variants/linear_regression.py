"""Sample submissions for 02_linear_regression: real bugs and correct alternatives."""

from autograder.variants import Alternative, Bug, dedent

BUGS = {
    "not-shuffled": Bug(
        cell="data_iter",
        old="    random.shuffle(indices)\n",
        new="",
        loses=("test_data_iter_shuffles",),
        why="always in file order",
    ),
    "last-batch-dropped": Bug(
        cell="data_iter",
        old="for i in range(0, num_examples, batch_size):",
        new="for i in range(0, num_examples - batch_size + 1, batch_size):",
        loses=("test_data_iter_covers_every_example_once",),
        why="only full batches",
    ),
    "empty-last-batch": Bug(
        cell="data_iter",
        old="for i in range(0, num_examples, batch_size):",
        new="for i in range(0, (num_examples // batch_size + 1) * batch_size, batch_size):",
        loses=("test_data_iter_covers_every_example_once",),
        why="one batch too many when batch_size divides the data",
    ),
    "with-replacement": Bug(
        cell="data_iter",
        old="j = torch.tensor(indices[i : min(i + batch_size, num_examples)])",
        new="j = torch.randint(0, num_examples, (min(batch_size, num_examples - i),))",
        loses=("test_data_iter_covers_every_example_once",),
        why="random batches drawn with replacement",
    ),
    "labels-not-shuffled": Bug(
        cell="data_iter",
        old="labels.index_select(0, j)",
        new="labels[i : i + batch_size]",
        loses=("test_data_iter_covers_every_example_once", "test_data_iter_shuffles"),
        why="features shuffled, labels in file order",
    ),
    "shuffled-in-place": Bug(
        cell="data_iter",
        old=dedent(
            """\
            indices = list(range(num_examples))
            random.shuffle(indices)
            for i in range(0, num_examples, batch_size):
                j = torch.tensor(indices[i : min(i + batch_size, num_examples)])
                yield features.index_select(0, j), labels.index_select(0, j)
        """,
            indent=4,
        ).rstrip("\n"),
        new=dedent(
            """\
            order = torch.randperm(num_examples)
            features[:], labels[:] = features[order], labels[order]
            for i in range(0, num_examples, batch_size):
                yield features[i : i + batch_size].clone(), labels[i : i + batch_size].clone()
        """,
            indent=4,
        ).rstrip("\n"),
        loses=("test_data_iter_covers_every_example_once",),
        why="shuffles the caller's features and labels in place: right batches, but the data set is reordered",
    ),
    "linreg-float64": Bug(
        cell="linreg",
        old="return torch.mm(X, w) + b",
        new="return torch.mm(X.double(), w.double()) + b",
        loses=("test_linreg_values",),
        why="float64 result where float32 is documented; old checks drew float64 inputs only",
    ),
    "no-bias": Bug(
        cell="linreg",
        old="torch.mm(X, w) + b",
        new="torch.mm(X, w)",
        loses=("test_linreg_values", "test_linreg_gradient"),
        why="linreg leaves out the bias",
    ),
    "flat-output": Bug(
        cell="linreg",
        old="torch.mm(X, w) + b",
        new="torch.mv(X, w.view(-1)) + b",
        loses=("test_linreg_values", "test_linreg_gradient"),
        why="shape (n,) instead of (n, 1)",
    ),
    "y-not-reshaped": Bug(
        cell="squared_loss",
        old="(y_hat - y.view(y_hat.shape)) ** 2 / 2",
        new="(y_hat - y) ** 2 / 2",
        loses=("test_squared_loss_values", "test_squared_loss_gradient"),
        why="broadcasts to n x n",
    ),
    "no-half": Bug(
        cell="squared_loss",
        old="(y_hat - y.view(y_hat.shape)) ** 2 / 2",
        new="(y_hat - y.view(y_hat.shape)) ** 2",
        loses=("test_squared_loss_values", "test_squared_loss_gradient"),
        why="squared loss without the factor 1/2",
    ),
    "loss-reduced": Bug(
        cell="squared_loss",
        old="(y_hat - y.view(y_hat.shape)) ** 2 / 2",
        new="((y_hat - y.view(y_hat.shape)) ** 2 / 2).mean()",
        loses=("test_squared_loss_values",),
        why="mean over the batch: not per example",
    ),
    "sgd-not-divided": Bug(
        cell="sgd",
        old="param.data -= lr * param.grad / batch_size",
        new="param.data -= lr * param.grad",
        loses=("test_sgd_updates_in_place", "test_two_epochs_step_by_step"),
        why="trains fine on this data: only the exact checks see it",
    ),
    "sgd-divided-twice": Bug(
        cell="sgd",
        old="param.data -= lr * param.grad / batch_size",
        new="param.data -= lr * param.grad / batch_size / batch_size",
        loses=("test_sgd_updates_in_place", "test_two_epochs_step_by_step", "test_training_recovers_true_parameters"),
        why="the gradient divided by batch_size twice",
    ),
    "sgd-rebinds": Bug(
        cell="sgd",
        old="param.data -= lr * param.grad / batch_size",
        new="param = param - lr * param.grad / batch_size",
        loses=("test_sgd_updates_in_place", "test_two_epochs_step_by_step", "test_training_recovers_true_parameters"),
        why="the parameters never change",
    ),
    "sgd-leaf-in-place": Bug(
        cell="sgd",
        old="param.data -= lr * param.grad / batch_size",
        new="param -= lr * param.grad / batch_size",
        loses=("test_sgd_updates_in_place",),
        why="in-place change of a leaf that requires grad",
    ),
    "attribute-renamed": Bug(
        cell="LinearNet",
        old=dedent(
            """\
                self.linear = nn.Linear(n_feature, 1)

            def forward(self, x):
                return self.linear(x)""",
            indent=4,
        ),
        new=dedent(
            """\
                self.fc = nn.Linear(n_feature, 1)

            def forward(self, x):
                return self.fc(x)""",
            indent=4,
        ),
        loses=("test_linear_net_outputs", "test_linear_net_gradient"),
        why="the contract's attribute is `linear`",
    ),
    "no-bias-layer": Bug(
        cell="LinearNet",
        old="nn.Linear(n_feature, 1)",
        new="nn.Linear(n_feature, 1, bias=False)",
        loses=("test_linear_net_outputs", "test_linear_net_gradient"),
        why="the linear layer built without a bias",
    ),
    "flattened-output": Bug(
        cell="LinearNet",
        old="return self.linear(x)",
        new="return self.linear(x).view(-1)",
        loses=("test_linear_net_outputs", "test_linear_net_gradient"),
        why="shape (n,) instead of (n, 1)",
    ),
}

ALTERNATIVES = {
    "randperm-slices": Alternative(
        cell="data_iter",
        code=dedent("""\
            def data_iter(batch_size, features, labels):
                order = torch.randperm(len(features))
                for start in range(0, len(order), batch_size):
                    chosen = order[start : start + batch_size]
                    yield features[chosen], labels[chosen]"""),
        why="shuffles with torch.randperm and slices the permutation",
    ),
    "dataloader": Alternative(
        cell="data_iter",
        code=dedent("""\
            def data_iter(batch_size, features, labels):
                dataset = torch.utils.data.TensorDataset(features, labels)
                yield from torch.utils.data.DataLoader(dataset, batch_size=batch_size, shuffle=True)"""),
        why="the library's loader: yields lists [X, y]",
    ),
    "matmul-operator": Alternative(
        cell="linreg",
        code=dedent("""\
            def linreg(X, w, b):
                return X @ w + b"""),
        why="X @ w instead of torch.mm",
    ),
    "sum-of-products": Alternative(
        cell="linreg",
        code=dedent("""\
            def linreg(X, w, b):
                return (X * w.t()).sum(dim=1, keepdim=True) + b"""),
        why="broadcasting, then a row sum",
    ),
    "reshape-minus-one": Alternative(
        cell="squared_loss",
        code=dedent("""\
            def squared_loss(y_hat, y):
                diff = y_hat - y.reshape(-1, 1)
                return 0.5 * diff * diff"""),
        why="reshape(-1, 1) and a product instead of view and ** 2",
    ),
    "no-grad-update": Alternative(
        cell="sgd",
        code=dedent("""\
            def sgd(params, lr, batch_size):
                with torch.no_grad():
                    for p in params:
                        p -= lr / batch_size * p.grad"""),
        why="updates in place under torch.no_grad() instead of through .data",
    ),
    "data-sub": Alternative(
        cell="sgd",
        code=dedent("""\
            def sgd(params, lr, batch_size):
                for p in params:
                    p.data.sub_(p.grad.data * lr / batch_size)"""),
        why="updates with param.data.sub_ instead of -=",
    ),
    "functional-forward": Alternative(
        cell="LinearNet",
        code=dedent("""\
            class LinearNet(nn.Module):
                def __init__(self, n_feature):
                    super(LinearNet, self).__init__()
                    self.linear = nn.Linear(in_features=n_feature, out_features=1)

                def forward(self, x):
                    return x @ self.linear.weight.t() + self.linear.bias"""),
        why="forward computes x @ weight.T + bias by hand from the layer's parameters",
    ),
}
