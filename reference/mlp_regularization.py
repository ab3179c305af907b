"""Reference solutions for 04_mlp_regularization: MLPs from scratch and concise, weight decay, dropout, Xavier init."""

import math

import torch
from torch import nn

from reference.softmax_regression import FlattenLayer


def relu(X):
    """ReLU from scratch, elementwise max(x, 0): X of any shape -> same shape and dtype."""
    ### BEGIN SOLUTION
    return torch.max(X, torch.zeros_like(X))
    ### END SOLUTION


def init_mlp_params(num_inputs=784, num_hiddens=256, num_outputs=10):
    """Parameters [W1, b1, W2, b2] of a one-hidden-layer MLP, float32, all with requires_grad.

    W1 (num_inputs, num_hiddens) and W2 (num_hiddens, num_outputs) drawn from
    N(0, 0.01^2); b1 (num_hiddens,) and b2 (num_outputs,) zero.
    """
    ### BEGIN SOLUTION
    W1 = torch.normal(0, 0.01, (num_inputs, num_hiddens))
    b1 = torch.zeros(num_hiddens)
    W2 = torch.normal(0, 0.01, (num_hiddens, num_outputs))
    b2 = torch.zeros(num_outputs)
    params = [W1, b1, W2, b2]
    for param in params:
        param.requires_grad_(True)
    return params
    ### END SOLUTION


def mlp(X, params):
    """The MLP from scratch: X (n, ...) flattened to (n, d), params [W1, b1, W2, b2] -> scores (n, q).

    relu(X @ W1 + b1) @ W2 + b2, with the relu above; no softmax (the loss applies it).
    """
    ### BEGIN SOLUTION
    W1, b1, W2, b2 = params
    X = X.reshape(-1, W1.shape[0])
    H = relu(torch.matmul(X, W1) + b1)
    return torch.matmul(H, W2) + b2
    ### END SOLUTION


def l2_penalty(w):
    """The L2 norm penalty of a tensor of any shape: sum of squares / 2 -> 0-dim tensor."""
    ### BEGIN SOLUTION
    return (w**2).sum() / 2
    ### END SOLUTION


def weight_decay_optimizers(net, lr, wd):
    """SGD that decays weights only: returns [optimizer_w, optimizer_b].

    optimizer_w: torch.optim.SGD over the parameters of net whose name ends in
    'weight', with learning rate lr and weight_decay wd. optimizer_b: SGD over
    all other parameters (the biases) with learning rate lr and no decay.
    """
    ### BEGIN SOLUTION
    weights = [p for name, p in net.named_parameters() if name.endswith("weight")]
    biases = [p for name, p in net.named_parameters() if not name.endswith("weight")]
    optimizer_w = torch.optim.SGD(weights, lr=lr, weight_decay=wd)
    optimizer_b = torch.optim.SGD(biases, lr=lr)
    return [optimizer_w, optimizer_b]
    ### END SOLUTION


def dropout(X, drop_prob):
    """Inverted dropout from scratch: X of any shape, 0 <= drop_prob <= 1 -> same shape.

    Each element is kept independently with probability 1 - drop_prob and kept
    elements are divided by 1 - drop_prob, so the expectation is unchanged;
    drop_prob == 1 gives all zeros.
    """
    ### BEGIN SOLUTION
    assert 0 <= drop_prob <= 1
    keep_prob = 1 - drop_prob
    if keep_prob == 0:
        return torch.zeros_like(X)
    mask = (torch.rand(X.shape, device=X.device) < keep_prob).to(X.dtype)
    return mask * X / keep_prob
    ### END SOLUTION


def dropout_mlp(X, params, drop_prob1, drop_prob2, is_training=True):
    """Two hidden layers with dropout, from scratch: X (n, ...) -> scores (n, q).

    params [W1, b1, W2, b2, W3, b3] (W1 (d, h1), W2 (h1, h2), W3 (h2, q)).
    H1 = relu(X @ W1 + b1), H2 = relu(H1 @ W2 + b2), output H2 @ W3 + b3; when
    is_training, dropout(H1, drop_prob1) and dropout(H2, drop_prob2) replace
    H1 and H2 (after the activation). No dropout when not training.
    """
    ### BEGIN SOLUTION
    W1, b1, W2, b2, W3, b3 = params
    X = X.reshape(-1, W1.shape[0])
    H1 = relu(torch.matmul(X, W1) + b1)
    if is_training:
        H1 = dropout(H1, drop_prob1)
    H2 = relu(torch.matmul(H1, W2) + b2)
    if is_training:
        H2 = dropout(H2, drop_prob2)
    return torch.matmul(H2, W3) + b3
    ### END SOLUTION


def dropout_net(num_inputs=784, num_hiddens1=256, num_hiddens2=256, num_outputs=10, drop_prob1=0.2, drop_prob2=0.5):
    """The concise dropout MLP: nn.Sequential (n, ...) -> (n, num_outputs).

    Flatten, Linear(num_inputs, num_hiddens1), ReLU, Dropout(drop_prob1),
    Linear(num_hiddens1, num_hiddens2), ReLU, Dropout(drop_prob2),
    Linear(num_hiddens2, num_outputs). Dropout acts in train mode only.
    """
    ### BEGIN SOLUTION
    return nn.Sequential(
        FlattenLayer(),
        nn.Linear(num_inputs, num_hiddens1),
        nn.ReLU(),
        nn.Dropout(drop_prob1),
        nn.Linear(num_hiddens1, num_hiddens2),
        nn.ReLU(),
        nn.Dropout(drop_prob2),
        nn.Linear(num_hiddens2, num_outputs),
    )
    ### END SOLUTION


def xavier_uniform_(tensor):
    """Xavier (Glorot) uniform initialisation from scratch, in place; returns tensor.

    tensor: at least 2-D, shaped like nn.Linear's weight (fan_out, fan_in) or a
    convolution's (out_channels, in_channels, *kernel), where each fan is
    multiplied by the kernel size. Fills it with U(-a, a),
    a = sqrt(6 / (fan_in + fan_out)), without recording a graph.
    """
    ### BEGIN SOLUTION
    receptive_field = math.prod(tensor.shape[2:])
    fan_in = tensor.shape[1] * receptive_field
    fan_out = tensor.shape[0] * receptive_field
    bound = math.sqrt(6.0 / (fan_in + fan_out))
    with torch.no_grad():
        tensor.uniform_(-bound, bound)
    return tensor
    ### END SOLUTION
