"""Reference solutions for 08_optimization: 2-D traces of gradient methods and optimizers from scratch.

Hyperparameters of the 2-D trainers are keyword arguments whose defaults are the
notes' values (gd η=0.4; momentum η=0.6, β=0.5; AdaGrad η=0.4; RMSProp η=0.4,
γ=0.9), so `train_2d(gd_2d)` reproduces the notes' traces and
`train_2d(rmsprop_2d, eta=0.3, gamma=0.8)` tries others (train_2d passes extra
keyword arguments on to the trainer). The d2l optimizers take
`(params, states, hyperparams)` and update `p.data` and the states in place.
"""

import math
import time

import numpy as np
import torch

from reference.linear_regression import linreg, squared_loss


def f_2d(x1, x2):
    """The objective of the 2-D experiments: f(x1, x2) = 0.1 x1² + 2 x2² (gradient (0.2 x1, 4 x2))."""
    return 0.1 * x1**2 + 2 * x2**2


def train_2d(trainer, x1=-5.0, x2=-2.0, num_steps=20, **hyperparams):
    """Run num_steps steps of trainer from (x1, x2) with zero states.

    trainer(x1, x2, s1, s2, **hyperparams) -> (x1, x2, s1, s2), all Python floats;
    each step gets the states the previous step returned. Returns the list of
    num_steps + 1 points (x1, x2), the start point first, and prints the last one.
    """
    ### BEGIN SOLUTION
    s1, s2 = 0.0, 0.0
    results = [(x1, x2)]
    for _ in range(num_steps):
        x1, x2, s1, s2 = trainer(x1, x2, s1, s2, **hyperparams)
        results.append((x1, x2))
    print(f"epoch {num_steps}, x1 {x1:f}, x2 {x2:f}")
    return results
    ### END SOLUTION


def gd_2d(x1, x2, s1, s2, eta=0.4):
    """One gradient-descent step on f_2d: returns (x1, x2, 0, 0) after x -= eta * grad f(x)."""
    ### BEGIN SOLUTION
    return x1 - eta * 0.2 * x1, x2 - eta * 4 * x2, 0, 0
    ### END SOLUTION


def momentum_2d(x1, x2, v1, v2, eta=0.6, beta=0.5):
    """One momentum step on f_2d: v = beta * v + eta * grad, x -= v. Returns (x1, x2, v1, v2)."""
    ### BEGIN SOLUTION
    v1 = beta * v1 + eta * 0.2 * x1
    v2 = beta * v2 + eta * 4 * x2
    return x1 - v1, x2 - v2, v1, v2
    ### END SOLUTION


def adagrad_2d(x1, x2, s1, s2, eta=0.4):
    """One AdaGrad step on f_2d: s += g², x -= eta * g / sqrt(s + 1e-6). Returns (x1, x2, s1, s2)."""
    ### BEGIN SOLUTION
    g1, g2, eps = 0.2 * x1, 4 * x2, 1e-6
    s1 += g1**2
    s2 += g2**2
    x1 -= eta / math.sqrt(s1 + eps) * g1
    x2 -= eta / math.sqrt(s2 + eps) * g2
    return x1, x2, s1, s2
    ### END SOLUTION


def rmsprop_2d(x1, x2, s1, s2, eta=0.4, gamma=0.9):
    """One RMSProp step on f_2d: s = gamma * s + (1 - gamma) * g², x -= eta * g / sqrt(s + 1e-6)."""
    ### BEGIN SOLUTION
    g1, g2, eps = 0.2 * x1, 4 * x2, 1e-6
    s1 = gamma * s1 + (1 - gamma) * g1**2
    s2 = gamma * s2 + (1 - gamma) * g2**2
    x1 -= eta / math.sqrt(s1 + eps) * g1
    x2 -= eta / math.sqrt(s2 + eps) * g2
    return x1, x2, s1, s2
    ### END SOLUTION


def init_sgd_momentum_states(params):
    """Zero velocities: list of tensors -> list of one zeros_like(p) per parameter."""
    ### BEGIN SOLUTION
    return [torch.zeros_like(p.data) for p in params]
    ### END SOLUTION


def sgd_momentum(params, states, hyperparams):
    """Momentum SGD in place: v = momentum * v + lr * grad; p -= v (hyperparams 'lr', 'momentum'). Returns None."""
    ### BEGIN SOLUTION
    for p, v in zip(params, states):
        v.data = hyperparams["momentum"] * v.data + hyperparams["lr"] * p.grad.data
        p.data -= v.data
    ### END SOLUTION


def init_adagrad_states(params):
    """Zero sums of squared gradients: one zeros_like(p) per parameter, in a list."""
    ### BEGIN SOLUTION
    return [torch.zeros_like(p.data) for p in params]
    ### END SOLUTION


def adagrad(params, states, hyperparams):
    """AdaGrad in place: s += grad²; p -= lr * grad / sqrt(s + 1e-6) (hyperparams 'lr'). Returns None."""
    ### BEGIN SOLUTION
    eps = 1e-6
    for p, s in zip(params, states):
        s.data += p.grad.data**2
        p.data -= hyperparams["lr"] * p.grad.data / torch.sqrt(s + eps)
    ### END SOLUTION


def init_rmsprop_states(params):
    """Zero moving averages of squared gradients: one zeros_like(p) per parameter, in a list."""
    ### BEGIN SOLUTION
    return [torch.zeros_like(p.data) for p in params]
    ### END SOLUTION


def rmsprop(params, states, hyperparams):
    """RMSProp in place: s = gamma * s + (1 - gamma) * grad²; p -= lr * grad / sqrt(s + 1e-6). Returns None."""
    ### BEGIN SOLUTION
    gamma, eps = hyperparams["gamma"], 1e-6
    for p, s in zip(params, states):
        s.data = gamma * s.data + (1 - gamma) * p.grad.data**2
        p.data -= hyperparams["lr"] * p.grad.data / torch.sqrt(s + eps)
    ### END SOLUTION


def init_adadelta_states(params):
    """Zero states: a list with one pair (s, delta) of zeros_like(p) per parameter."""
    ### BEGIN SOLUTION
    return [(torch.zeros_like(p.data), torch.zeros_like(p.data)) for p in params]
    ### END SOLUTION


def adadelta(params, states, hyperparams):
    """AdaDelta in place (hyperparams 'rho', no learning rate), eps = 1e-5:

    s = rho * s + (1 - rho) * grad²; g' = grad * sqrt((delta + eps) / (s + eps));
    p -= g'; delta = rho * delta + (1 - rho) * g'². Returns None.
    """
    ### BEGIN SOLUTION
    rho, eps = hyperparams["rho"], 1e-5
    for p, (s, delta) in zip(params, states):
        s[:] = rho * s + (1 - rho) * p.grad.data**2
        g = p.grad.data * torch.sqrt((delta + eps) / (s + eps))
        p.data -= g
        delta[:] = rho * delta + (1 - rho) * g * g
    ### END SOLUTION


def init_adam_states(params):
    """Zero moments: a list with one pair (v, s) of zeros_like(p) per parameter."""
    ### BEGIN SOLUTION
    return [(torch.zeros_like(p.data), torch.zeros_like(p.data)) for p in params]
    ### END SOLUTION


def adam(params, states, hyperparams):
    """Adam in place (hyperparams 'lr' and the step count 't', which starts at 1 and is increased by one):

    v = 0.9 v + 0.1 grad; s = 0.999 s + 0.001 grad²; v̂ = v / (1 - 0.9^t); ŝ = s / (1 - 0.999^t);
    p -= lr * v̂ / (sqrt(ŝ) + 1e-6). Returns None.
    """
    ### BEGIN SOLUTION
    beta1, beta2, eps = 0.9, 0.999, 1e-6
    for p, (v, s) in zip(params, states):
        v[:] = beta1 * v + (1 - beta1) * p.grad.data
        s[:] = beta2 * s + (1 - beta2) * p.grad.data**2
        v_bias_corr = v / (1 - beta1 ** hyperparams["t"])
        s_bias_corr = s / (1 - beta2 ** hyperparams["t"])
        p.data -= hyperparams["lr"] * v_bias_corr / (torch.sqrt(s_bias_corr) + eps)
    hyperparams["t"] += 1
    ### END SOLUTION


def train_ch7(optimizer_fn, states, hyperparams, features, labels, batch_size=10, num_epochs=2):
    """Linear regression trained by optimizer_fn([w, b], states, hyperparams) on the mean squared loss.

    features (n, d), labels (n,); returns the list of training losses, one before
    training and one after every 100 examples, and prints the last one.
    """
    w = torch.nn.Parameter(torch.tensor(np.random.normal(0, 0.01, size=(features.shape[1], 1)), dtype=torch.float32))
    b = torch.nn.Parameter(torch.zeros(1, dtype=torch.float32))

    def eval_loss():
        return squared_loss(linreg(features, w, b), labels).mean().item()

    losses = [eval_loss()]
    data_iter = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(features, labels), batch_size, shuffle=True)
    start = time.time()
    for _ in range(num_epochs):
        start = time.time()
        for batch_i, (X, y) in enumerate(data_iter):
            loss = squared_loss(linreg(X, w, b), y).mean()
            if w.grad is not None:
                w.grad.data.zero_()
                b.grad.data.zero_()
            loss.backward()
            optimizer_fn([w, b], states, hyperparams)
            if (batch_i + 1) * batch_size % 100 == 0:
                losses.append(eval_loss())
    print(f"loss: {losses[-1]:f}, {time.time() - start:f} sec per epoch")
    return losses
