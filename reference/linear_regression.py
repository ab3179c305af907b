"""Reference solutions for 02_linear_regression: linear regression from scratch and concisely."""

import random

import torch
from torch import nn


def data_iter(batch_size, features, labels):
    """Yield shuffled minibatches (X, y), each example exactly once per pass.

    features: (n, d), labels: (n,) -> X: (b, d), y: (b,) with b <= batch_size
    (only the last batch may be smaller).
    """
    ### BEGIN SOLUTION
    num_examples = len(features)
    indices = list(range(num_examples))
    random.shuffle(indices)
    for i in range(0, num_examples, batch_size):
        j = torch.tensor(indices[i : min(i + batch_size, num_examples)])
        yield features.index_select(0, j), labels.index_select(0, j)
    ### END SOLUTION


def linreg(X, w, b):
    """The linear model: X (n, d), w (d, 1), b (1,) -> (n, 1)."""
    ### BEGIN SOLUTION
    return torch.mm(X, w) + b
    ### END SOLUTION


def squared_loss(y_hat, y):
    """Half squared error per example, not reduced: y_hat (n, 1), y (n,) or (n, 1) -> (n, 1).

    Built from differentiable tensor operations in both arguments: gradients
    reach y_hat and the labels y alike (do not detach y or convert it).
    """
    ### BEGIN SOLUTION
    return (y_hat - y.view(y_hat.shape)) ** 2 / 2
    ### END SOLUTION


def sgd(params, lr, batch_size):
    """Minibatch SGD in place on param.data: p -= lr * p.grad / batch_size. Returns None.

    Each param stays the same leaf tensor that requires grad (the caller keeps
    using it); batch_size divides the gradient of the summed loss exactly once.
    """
    ### BEGIN SOLUTION
    for param in params:
        param.data -= lr * param.grad / batch_size
    ### END SOLUTION


class LinearNet(nn.Module):
    """Concise linear regression: (n, n_feature) -> (n, 1) through the attribute `linear`."""

    def __init__(self, n_feature):
        super().__init__()
        ### BEGIN SOLUTION
        self.linear = nn.Linear(n_feature, 1)
        ### END SOLUTION

    def forward(self, x):
        ### BEGIN SOLUTION
        return self.linear(x)
        ### END SOLUTION
