"""Public checks for 08_optimization: run them in the notebook with check("adam") or check().

A quick, visible sample: the grade comes from hidden checks on other inputs.
Each check follows the update rule in the docstring on a few random steps.
"""

import math

import torch

from kitcheck import close, public, randint


def _uniform(rng, low, high):
    return low + (high - low) * float(torch.rand(1, generator=rng))


def _grad(x1, x2):
    return 0.2 * x1, 4 * x2


def _near(got, want, message):
    assert isinstance(got, tuple) and len(got) == len(want), "a 2-D step returns a tuple (x1, x2, s1, s2)"
    assert all(abs(float(g) - w) <= 1e-6 + 1e-6 * abs(w) for g, w in zip(got, want)), message


@public("train_2d")
def train_2d_passes_the_states_on(student, rng):
    """Returns the start point and one point per step; each step gets the states the previous one returned."""
    steps, start = randint(rng, 2, 6), (_uniform(rng, -3, 3), _uniform(rng, -3, 3))

    def counter(x1, x2, s1, s2, step=1.0):
        return x1 + step, x2 + s1, s1 + 1, s2

    points = student.train_2d(counter, start[0], start[1], num_steps=steps, step=0.5)
    assert isinstance(points, list) and len(points) == steps + 1, "train_2d should return num_steps + 1 points"
    want = [(start[0] + 0.5 * k, start[1] + k * (k - 1) / 2) for k in range(steps + 1)]
    for got, w in zip(points, want):
        _near(tuple(got), w, "the points are wrong: start with (x1, x2), zero states, and feed each step's states to the next")


def _trace(student_step, oracle, rng, **hyperparams):
    """Three steps from a random point, each side with its own states; the points must agree."""
    start = _uniform(rng, -5, 5), _uniform(rng, -3, 3), 0.0, 0.0
    mine, theirs = start, start
    for _ in range(3):
        theirs = student_step(*theirs, **hyperparams)
        assert isinstance(theirs, tuple) and len(theirs) == 4, "a 2-D step returns a tuple (x1, x2, s1, s2)"
        mine = oracle(*mine, **hyperparams)
        _near(tuple(theirs[:2]), mine[:2], f"the points are wrong after a few steps (hyperparameters {hyperparams})")


@public("gd_2d")
def gd_2d_steps(student, rng):
    """x -= eta * grad f, states stay 0."""

    def oracle(x1, x2, s1, s2, eta):
        g1, g2 = _grad(x1, x2)
        return x1 - eta * g1, x2 - eta * g2, 0, 0

    _trace(student.gd_2d, oracle, rng, eta=round(_uniform(rng, 0.05, 0.5), 3))


@public("momentum_2d")
def momentum_2d_steps(student, rng):
    """v = beta v + eta grad; x -= v; the velocities are the states."""

    def oracle(x1, x2, v1, v2, eta, beta):
        g1, g2 = _grad(x1, x2)
        velocity = beta * v1 + eta * g1, beta * v2 + eta * g2
        return (x1 - velocity[0], x2 - velocity[1], *velocity)

    _trace(student.momentum_2d, oracle, rng, eta=round(_uniform(rng, 0.05, 0.5), 3), beta=round(_uniform(rng, 0.2, 0.9), 3))


@public("adagrad_2d")
def adagrad_2d_steps(student, rng):
    """s += g²; x -= eta g / sqrt(s + 1e-6)."""

    def oracle(x1, x2, s1, s2, eta):
        g1, g2 = _grad(x1, x2)
        s1, s2 = s1 + g1**2, s2 + g2**2
        return x1 - eta * g1 / math.sqrt(s1 + 1e-6), x2 - eta * g2 / math.sqrt(s2 + 1e-6), s1, s2

    _trace(student.adagrad_2d, oracle, rng, eta=round(_uniform(rng, 0.1, 0.9), 3))


@public("rmsprop_2d")
def rmsprop_2d_steps(student, rng):
    """s = gamma s + (1 - gamma) g²; x -= eta g / sqrt(s + 1e-6)."""

    def oracle(x1, x2, s1, s2, eta, gamma):
        g1, g2 = _grad(x1, x2)
        s1, s2 = gamma * s1 + (1 - gamma) * g1**2, gamma * s2 + (1 - gamma) * g2**2
        return x1 - eta * g1 / math.sqrt(s1 + 1e-6), x2 - eta * g2 / math.sqrt(s2 + 1e-6), s1, s2

    _trace(student.rmsprop_2d, oracle, rng, eta=round(_uniform(rng, 0.1, 0.5), 3), gamma=round(_uniform(rng, 0.5, 0.95), 3))


def _steps(student, rng, init, step, oracle, hyperparams, what, count=3):
    """Run the student's optimizer and the rule side by side for a few steps with random gradients."""
    shape = (randint(rng, 2, 4), randint(rng, 1, 3))
    p = torch.randn(shape, generator=rng).requires_grad_()
    states = student.__getattr__(init)([p])
    mine, my_state, my_hyper = p.detach().clone(), None, dict(hyperparams)
    for _ in range(count):
        p.grad = torch.randn(shape, generator=rng)
        assert step([p], states, hyperparams) is None, f"{what} should update in place and return nothing"
        mine, my_state = oracle(mine, p.grad, my_state, my_hyper)
        close(p.detach(), mine, f"after a few steps of {what} the parameters are wrong: follow the update rule in its docstring")


@public("sgd_momentum")
def sgd_momentum_steps(student, rng):
    """v = momentum v + lr g; p -= v."""

    def oracle(p, g, v, h):
        v = h["momentum"] * (0 if v is None else v) + h["lr"] * g
        return p - v, v

    hyper = {"lr": round(_uniform(rng, 0.01, 0.2), 3), "momentum": round(_uniform(rng, 0.3, 0.9), 3)}
    _steps(student, rng, "init_sgd_momentum_states", student.sgd_momentum, oracle, hyper, "sgd_momentum")


@public("adagrad")
def adagrad_steps(student, rng):
    """s += g²; p -= lr g / sqrt(s + 1e-6)."""

    def oracle(p, g, s, h):
        s = (0 if s is None else s) + g * g
        return p - h["lr"] * g / (s + 1e-6).sqrt(), s

    hyper = {"lr": round(_uniform(rng, 0.01, 0.2), 3)}
    _steps(student, rng, "init_adagrad_states", student.adagrad, oracle, hyper, "adagrad")


@public("rmsprop")
def rmsprop_steps(student, rng):
    """s = gamma s + (1 - gamma) g²; p -= lr g / sqrt(s + 1e-6)."""

    def oracle(p, g, s, h):
        s = h["gamma"] * (0 if s is None else s) + (1 - h["gamma"]) * g * g
        return p - h["lr"] * g / (s + 1e-6).sqrt(), s

    hyper = {"lr": round(_uniform(rng, 0.01, 0.2), 3), "gamma": round(_uniform(rng, 0.5, 0.95), 3)}
    _steps(student, rng, "init_rmsprop_states", student.rmsprop, oracle, hyper, "rmsprop")


@public("adadelta")
def adadelta_steps(student, rng):
    """s = rho s + (1 - rho) g²; g' = g sqrt((delta + 1e-5) / (s + 1e-5)); p -= g'; delta = rho delta + (1 - rho) g'²."""

    def oracle(p, g, state, h):
        s, delta = (0, 0) if state is None else state
        rho = h["rho"]
        s = rho * s + (1 - rho) * g * g
        rescaled = g * ((delta + 1e-5) / (s + 1e-5)).sqrt()
        return p - rescaled, (s, rho * delta + (1 - rho) * rescaled * rescaled)

    hyper = {"rho": round(_uniform(rng, 0.5, 0.95), 3)}
    _steps(student, rng, "init_adadelta_states", student.adadelta, oracle, hyper, "adadelta")


@public("adam")
def adam_steps(student, rng):
    """Adam with bias correction; hyperparams['t'] goes up by one per step."""

    def oracle(p, g, state, h):
        v, s = (0, 0) if state is None else state
        v, s = 0.9 * v + 0.1 * g, 0.999 * s + 0.001 * g * g
        t = h["t"]
        h["t"] = t + 1
        return p - h["lr"] * (v / (1 - 0.9**t)) / ((s / (1 - 0.999**t)).sqrt() + 1e-6), (v, s)

    hyper = {"lr": round(_uniform(rng, 0.01, 0.2), 3), "t": 1}
    _steps(student, rng, "init_adam_states", student.adam, oracle, hyper, "adam")
    assert hyper["t"] == 4, "adam should increase hyperparams['t'] by one per step"
