"""The 08_optimization reference reproduces the numbers of EXERCISES.md and the notes' update rules."""

import pytest
import torch

from reference import optimization as ref

NOTES_TRACES = [
    (ref.gd_2d, {}, (-0.943467, -0.000073)),
    (ref.momentum_2d, {}, (0.007188, 0.002553)),
    (ref.adagrad_2d, {}, (-2.382563, -0.158591)),
    (ref.rmsprop_2d, {}, (-0.010599, 0.000000)),
    # the same numbers with the notes' hyperparameters given explicitly
    (ref.gd_2d, {"eta": 0.4}, (-0.943467, -0.000073)),
    (ref.momentum_2d, {"eta": 0.6, "beta": 0.5}, (0.007188, 0.002553)),
    (ref.adagrad_2d, {"eta": 0.4}, (-2.382563, -0.158591)),
    (ref.rmsprop_2d, {"eta": 0.4, "gamma": 0.9}, (-0.010599, 0.000000)),
]


@pytest.mark.parametrize(("trainer", "hyperparams", "end"), NOTES_TRACES)
def test_2d_traces_match_the_notes(trainer, hyperparams, end):
    points = ref.train_2d(trainer, **hyperparams)
    assert len(points) == 21 and points[0] == (-5.0, -2.0)
    assert points[-1] == pytest.approx(end, abs=5e-7)
    assert ref.f_2d(*points[-1]) < ref.f_2d(-5.0, -2.0)


def test_hyperparameters_are_arguments():
    assert ref.train_2d(ref.gd_2d, eta=0.1)[-1] != ref.train_2d(ref.gd_2d)[-1]
    assert ref.train_2d(ref.rmsprop_2d, gamma=0.5)[-1] != ref.train_2d(ref.rmsprop_2d)[-1]


def _one_step(name, grad, hyperparams):
    p = torch.tensor([1.0, -2.0], dtype=torch.float64, requires_grad=True)
    p.grad = torch.tensor(grad, dtype=torch.float64)
    states = getattr(ref, f"init_{name}_states")([p])
    getattr(ref, name)([p], states, hyperparams)
    return p.detach(), states


def test_optimizer_updates_follow_the_notes():
    g = torch.tensor([3e-3, -1e-3], dtype=torch.float64)
    p0 = torch.tensor([1.0, -2.0], dtype=torch.float64)
    p, (v,) = _one_step("sgd_momentum", g.tolist(), {"lr": 0.5, "momentum": 0.9})
    assert torch.allclose(v, 0.5 * g) and torch.allclose(p, p0 - 0.5 * g)
    p, (s,) = _one_step("adagrad", g.tolist(), {"lr": 0.1})
    assert torch.allclose(s, g**2) and torch.allclose(p, p0 - 0.1 * g / torch.sqrt(g**2 + 1e-6))
    p, (s,) = _one_step("rmsprop", g.tolist(), {"lr": 0.1, "gamma": 0.8})
    assert torch.allclose(p, p0 - 0.1 * g / torch.sqrt(0.2 * g**2 + 1e-6))
    p, ((s, delta),) = _one_step("adadelta", g.tolist(), {"rho": 0.9})
    step = g * torch.sqrt(1e-5 / (0.1 * g**2 + 1e-5))
    assert torch.allclose(p, p0 - step) and torch.allclose(delta, 0.1 * step**2)
    hyperparams = {"lr": 0.01, "t": 1}
    p, _ = _one_step("adam", g.tolist(), hyperparams)
    assert hyperparams["t"] == 2  # bias correction makes the first step lr * g / (|g| + eps)
    assert torch.allclose(p, p0 - 0.01 * g / (g.abs() + 1e-6))
