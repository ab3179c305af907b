"""Hidden checks for 08_optimization.

The 2-D trainers are stepped from start points and hyperparameters drawn from
`rng`; the d2l optimizers take several exact float64 steps on random
parameters with small gradients (so the place of eps shows), then train
softmax regression on the digits. Expected values come from reference/.
"""

import pytest
import torch

from autograder import data, draw, expect
from autograder.draw import randint, uniform
from autograder.worker import harness
from reference import optimization as ref

points, exercise = pytest.mark.points, pytest.mark.exercise
OPTIMIZERS = {
    "optim",
    "_functional",
    "SGD",
    "Adam",
    "AdamW",
    "Adamax",
    "NAdam",
    "RAdam",
    "Adagrad",
    "RMSprop",
    "Adadelta",
    "sgd",
    "adam",
    "adamw",
    "adagrad",
    "rmsprop",
    "adadelta",
}
STATES = {"rtol": 1e-9, "atol": 1e-15}  # states of squared gradients are of order 1e-6: the floor sits far below
EXACT = {"rtol": 0.0, "atol": 0.0}  # the caller's gradients must come back bit for bit


def start_point(rng):
    """A start point (x1, x2) away from the minimum, in a random quadrant."""
    x1, x2 = uniform(rng, 1.0, 6.0), uniform(rng, 0.5, 3.0)
    return x1 * (2 * randint(rng, 0, 2) - 1), x2 * (2 * randint(rng, 0, 2) - 1)


# --- train_2d ---------------------------------------------------------------------------


def _points(value, what, count):
    """The points a 2-D trace returned, as a (count, 2) float64 tensor; a wrong structure fails with a message."""
    if type(value) not in (list, tuple) or len(value) != count:
        raise AssertionError(f"{what} should return a list of num_steps + 1 points (x1, x2), the start point first")
    out = []
    for point in value:
        if type(point) not in (list, tuple) or len(point) != 2:
            raise AssertionError(f"each item {what} returns should be a pair (x1, x2)")
        out.append([_number(v, what) for v in point])
    return torch.tensor(out, dtype=torch.float64)


def _number(value, what):
    """A Python float from a number (or a one-element tensor) a trainer returned."""
    if type(value) is torch.Tensor and value.numel() == 1:
        return float(value)
    if type(value) in (int, float):
        return float(value)
    raise AssertionError(f"{what} should give plain numbers (Python floats), but it gave {expect.kind(value)}")


@exercise("train_2d")
@points(2)
def test_train_2d(student, rng):
    """train_2d starts at (x1, x2), threads the states through num_steps steps (also none) and passes hyperparameters on."""
    x1, x2 = start_point(rng)
    num_steps, shift = randint(rng, 5, 15), uniform(rng, 0.2, 2.0)
    got = student.train_2d(student.harness.state_probe, x1=x1, x2=x2, num_steps=num_steps, shift=shift)
    got = _points(got, "train_2d", num_steps + 1)
    expected = torch.tensor(ref.train_2d(harness.state_probe, x1=x1, x2=x2, num_steps=num_steps, shift=shift))
    expect.close(
        got,
        expected,
        "train_2d went wrong: start the states at 0, give each step the states the previous step returned, "
        "pass extra keyword arguments on to the trainer, and return every point, the start point first",
        **expect.TOL64,
    )
    got = _points(student.train_2d(student.harness.state_probe), "train_2d(trainer)", 21)
    expect.close(
        got, torch.tensor(ref.train_2d(harness.state_probe)), "train_2d(trainer) should start at (-5, -2) and take 20 steps"
    )
    # the boundary, on purpose: no step at all gives the start point alone
    got = _points(student.train_2d(student.harness.state_probe, x1=x1, x2=x2, num_steps=0), "train_2d(num_steps=0)", 1)
    expect.close(got, torch.tensor([[x1, x2]]), "train_2d(trainer, x1, x2, num_steps=0) should return [(x1, x2)]")


# --- the 2-D trainers ---------------------------------------------------------------------


def _step_trace(trainer, name, x1, x2, num_steps, hyperparams):
    """Step a trainer from the grader: each call gets the states the previous call returned.

    Returns (num_steps + 1, 4) float64: x1, x2, s1, s2 after each step, the start (states 0) first.
    """
    s1 = s2 = 0.0
    out = [(x1, x2, s1, s2)]
    for _ in range(num_steps):
        result = trainer(x1, x2, s1, s2, **hyperparams)
        if type(result) not in (list, tuple) or len(result) != 4:
            raise AssertionError(f"{name} should return the four numbers (x1, x2, s1, s2)")
        x1, x2, s1, s2 = (_number(v, name) for v in result)
        out.append((x1, x2, s1, s2))
    return torch.tensor(out, dtype=torch.float64)


def _compare_traces(got, expected, message, states):
    """Compare the points of two traces, and their states when `states` (AdaGrad's and RMSProp's sums of g²).

    The states matter on their own: AdaGrad and RMSProp divide by sqrt(s), so a gradient off by a constant
    factor leaves the points almost unchanged and shows only in s.
    """
    expect.close(got[:, :2], expected[:, :2], message, **expect.TOL64)
    if states:
        expect.close(
            got[:, 2:],
            expected[:, 2:],
            message + " (the returned states s1, s2 are wrong: each is built from the gradient, 0.2 x1 or 4 x2)",
            **expect.TOL64,
        )


def _check_trainer(student, rng, name, hyperparameters, hint, states=False):
    """A 2-D trainer follows the reference's trace: defaults, then drawn start points and hyperparameters."""
    trainer, mine = student.get(name), getattr(ref, name)
    x1, x2 = start_point(rng)
    num_steps = randint(rng, 4, 9)
    _compare_traces(
        _step_trace(trainer, name, x1, x2, num_steps, {}),
        _step_trace(mine, name, x1, x2, num_steps, {}),
        f"{name} with its default hyperparameters does not follow the expected trace: {hint}; "
        "the defaults should be the notes' values",
        states,
    )
    for _ in range(2):
        x1, x2 = start_point(rng)
        num_steps, hyperparams = randint(rng, 10, 25), hyperparameters(rng)
        _compare_traces(
            _step_trace(trainer, name, x1, x2, num_steps, hyperparams),
            _step_trace(mine, name, x1, x2, num_steps, hyperparams),
            f"{name} does not follow the expected trace for other start points and hyperparameters: {hint}; "
            "read the hyperparameters from the keyword arguments",
            states,
        )


@exercise("gd_2d")
@points(2)
def test_gd_2d(student, rng):
    """Gradient descent on f_2d from unseen start points and learning rates; it returns zero states."""
    _check_trainer(
        student, rng, "gd_2d", lambda r: {"eta": uniform(r, 0.05, 0.45)}, "the gradient of 0.1 x1² + 2 x2² is (0.2 x1, 4 x2)"
    )
    # states handed in that are not zero, on purpose: gradient descent keeps none and returns 0, 0
    x1, x2 = start_point(rng)
    result = student.gd_2d(x1, x2, uniform(rng, 0.5, 2.0), uniform(rng, 0.5, 2.0))
    if type(result) not in (list, tuple) or len(result) != 4:
        raise AssertionError("gd_2d should return the four numbers (x1, x2, 0, 0)")
    assert [_number(v, "gd_2d") for v in result[2:]] == [0.0, 0.0], (
        "gd_2d keeps no state: return (x1, x2, 0, 0) whatever states it is given"
    )


@exercise("momentum_2d")
@points(2)
def test_momentum_2d(student, rng):
    """Momentum on f_2d from unseen start points, learning rates and momenta."""
    _check_trainer(
        student,
        rng,
        "momentum_2d",
        lambda r: {"eta": uniform(r, 0.1, 0.5), "beta": uniform(r, 0.2, 0.9)},
        "v = beta * v + eta * gradient, then x -= v, and return the new velocities as the states",
    )


@exercise("adagrad_2d")
@points(2)
def test_adagrad_2d(student, rng):
    """AdaGrad on f_2d from unseen start points and learning rates."""
    _check_trainer(
        student,
        rng,
        "adagrad_2d",
        lambda r: {"eta": uniform(r, 0.1, 1.5)},
        "s accumulates the squared gradients (it never decays), and x -= eta * g / sqrt(s + 1e-6)",
        states=True,
    )


@exercise("rmsprop_2d")
@points(2)
def test_rmsprop_2d(student, rng):
    """RMSProp on f_2d from unseen start points, learning rates and decay rates."""
    _check_trainer(
        student,
        rng,
        "rmsprop_2d",
        lambda r: {"eta": uniform(r, 0.05, 0.5), "gamma": uniform(r, 0.5, 0.95)},
        "s = gamma * s + (1 - gamma) * g², and x -= eta * g / sqrt(s + 1e-6)",
        states=True,
    )


# --- the optimizers ---------------------------------------------------------------------------

HINTS = {
    "sgd_momentum": "v = momentum * v + lr * grad, then p -= v",
    "adagrad": "s += grad², then p -= lr * grad / sqrt(s + 1e-6), with eps inside the square root",
    "rmsprop": "s = gamma * s + (1 - gamma) * grad², then p -= lr * grad / sqrt(s + 1e-6), with eps inside the square root",
    "adadelta": "s = rho * s + (1 - rho) * grad², g' = grad * sqrt((delta + 1e-5) / (s + 1e-5)), p -= g', "
    "then delta = rho * delta + (1 - rho) * g'², in this order",
    "adam": "moving averages v and s, divided by 1 - 0.9^t and 1 - 0.999^t (bias correction), "
    "then p -= lr * v̂ / (sqrt(ŝ) + 1e-6), with eps outside the square root",
}
HYPERPARAMETERS = {
    "sgd_momentum": lambda r: {"lr": uniform(r, 0.05, 0.5), "momentum": uniform(r, 0.3, 0.95)},
    "adagrad": lambda r: {"lr": uniform(r, 0.05, 0.5)},
    "rmsprop": lambda r: {"lr": uniform(r, 0.01, 0.2), "gamma": uniform(r, 0.5, 0.99)},
    "adadelta": lambda r: {"rho": uniform(r, 0.5, 0.99)},
    "adam": lambda r: {"lr": uniform(r, 0.01, 0.2), "t": 1},
}


def _tensors(value, what):
    """The tensors of a (nested) list or tuple of states, in order."""
    if type(value) is torch.Tensor:
        return [value]
    if type(value) in (list, tuple):
        return [t for item in value for t in _tensors(item, what)]
    raise AssertionError(f"{what} should hold tensors (in lists or tuples), but it holds {expect.kind(value)}")


def _states_like_reference(got, expected, what):
    """Both state structures flattened to tensors, which must be as many as the reference's."""
    got, expected = _tensors(got, what), _tensors(expected, what)
    if len(got) != len(expected):
        raise AssertionError(f"{what} should hold one state (or one pair of states) per parameter, in a list")
    return got, expected


def _init(student, name, params):
    """The student's init_<name>_states(params), kept in the worker as a handle."""
    init = student.get(f"init_{name}_states")
    return student.call(init, [params], as_handle=True, label=f"init_{name}_states(params)")


def _states_on_the_device(student, name, shapes):
    """init_<name>_states for parameters on PyTorch's meta device: every state must be made there too."""
    zeros = student.lib("torch").zeros
    params = student.put(
        [
            student.call(zeros, [list(shape)], {"dtype": torch.float64, "device": "meta"}, as_handle=True, label="torch.zeros")
            for shape in shapes
        ]
    )
    init = student.get(f"init_{name}_states")
    where = student.harness.layout(init, params)
    expected = harness.layout(getattr(ref, f"init_{name}_states"), [torch.zeros(s, device="meta") for s in shapes])
    assert _placements(where) == _placements(expected), (
        f"init_{name}_states should make each state on its parameter's device (zeros_like(p)): states left on the CPU "
        "break the optimizer as soon as the parameters live on a GPU"
    )


def _placements(described):
    """[shape, device] pairs of a layout() description, flattened in order."""
    if type(described) is list and len(described) == 2 and type(described[1]) is str:
        return [described]
    return [pair for item in (described or []) for pair in _placements(item)]


def _optimizer_steps(student, rng, name, num_steps):
    """Several steps of the student's and the reference optimizer on the same random problem; compare each."""
    shapes = [(randint(rng, 2, 6), randint(rng, 2, 6)), (randint(rng, 2, 6),), (randint(rng, 1, 4), 1, randint(rng, 2, 4))]
    values = [draw.randn(rng, *shape) for shape in shapes]
    hyperparams = HYPERPARAMETERS[name](rng)
    params = student.put([v.clone().requires_grad_() for v in values])
    states = _init(student, name, params)
    mine = [v.clone().requires_grad_() for v in values]
    my_states, my_hyperparams = getattr(ref, f"init_{name}_states")(mine), dict(hyperparams)
    got, want = _states_like_reference(student.fetch(states), my_states, f"init_{name}_states(params)")
    for g, w in zip(got, want):
        # zeros_like: the parameters' dtype (float64 here) and device, which torch.zeros(p.shape) loses
        expect.tensor(g, f"a state from init_{name}_states (use zeros_like(p))", w.shape, w.dtype)
        expect.close(g, w, f"init_{name}_states should return zero states shaped like the parameters")
    _states_on_the_device(student, name, shapes)
    remote_hyperparams = student.put(hyperparams)
    step_fn, my_step = student.get(name), getattr(ref, name)
    for step in range(num_steps):
        grads = [draw.randn(rng, *v.shape) * 1e-3 for v in values]
        student.harness.set_grads(params, grads)
        harness.set_grads(mine, grads)
        step_fn(params, states, remote_hyperparams)
        my_step(mine, my_states, my_hyperparams)
        if name == "adam":
            t = student.fetch(remote_hyperparams).get("t")
            if t != my_hyperparams["t"]:
                raise AssertionError("adam should advance hyperparams['t'] by one each call (t starts at 1)")
        after = student.fetch(params)
        got_states, want_states = _states_like_reference(student.fetch(states), my_states, f"the states of {name}")
        if all(not s.any() for s in got_states):
            raise AssertionError(
                f"the states of {name} are still zero after a step: update them in place "
                "(s[:] = ..., s.data = ... or s += ...), assigning to a local name changes nothing"
            )
        when = "after one step" if step == 0 else "after several steps (the states carry over between calls)"
        for p, w in zip(after, mine):
            expect.close(p, w.detach(), f"the parameters are wrong {when}: {HINTS[name]}", **expect.TOL64)
        if name != "sgd_momentum":  # momentum's velocity may be scaled by lr or not; its parameters tell
            for s, w in zip(got_states, want_states):
                expect.close(s, w, f"the states of {name} are wrong {when}: {HINTS[name]}", **STATES)
        for left, grad in zip(student.harness.grads_of(params), grads):  # the caller's gradients are input, not scratch
            expect.close(
                left,
                grad,
                f"{name} changed the parameters' gradients: read p.grad, do not scale it in place (p.grad.mul_(lr))",
                **EXACT,
            )


def _trains_digits(student, rng, settings, assignment, name):
    """Softmax regression trained 3 epochs on the digits with the student's optimizer reaches the threshold."""
    train_X, train_y, test_X, test_y = data.digits_split(draw.seed(rng))
    W = draw.randn(rng, 784, 10, dtype=torch.float32) * 0.01
    params = student.put([W.requires_grad_(), torch.zeros(10, requires_grad=True)])
    states = _init(student, name, params)
    batches = student.put(harness.batches(train_X, train_y, 32))
    hyperparams = student.put(dict(DIGITS[name]))
    student.harness.train_softmax_regression(student.get(name), states, hyperparams, params, batches, 3)
    W, b = student.fetch(params)
    accuracy = ((test_X.reshape(len(test_X), -1) @ W + b).argmax(dim=1) == test_y).float().mean().item()
    threshold = settings.threshold(assignment.id, f"{name}_accuracy")
    assert accuracy >= threshold, (
        f"softmax regression trained with {name} for 3 epochs reaches a test accuracy of {accuracy:.3f}, "
        f"below the {threshold:g} this check needs"
    )


DIGITS = {  # hyperparameters for training on the digits
    "sgd_momentum": {"lr": 0.02, "momentum": 0.9},
    "adagrad": {"lr": 0.05},
    "rmsprop": {"lr": 0.002, "gamma": 0.9},
    "adadelta": {"rho": 0.9},
    "adam": {"lr": 0.003, "t": 1},
}


@exercise("sgd_momentum")
@points(3)
def test_sgd_momentum_steps(student, rng):
    """Exact momentum steps in float64 with hyperparameters from the dict; states kept in place."""
    _optimizer_steps(student, rng, "sgd_momentum", 4)


@exercise("sgd_momentum")
@points(1)
def test_sgd_momentum_from_scratch(student, rng):
    """sgd_momentum works and does not use torch.optim."""
    _optimizer_steps(student, rng, "sgd_momentum", 1)
    expect.from_scratch(student, "sgd_momentum", OPTIMIZERS, "sgd_momentum")


@exercise("adagrad")
@points(3)
def test_adagrad_steps(student, rng):
    """Exact AdaGrad steps in float64 with small gradients (eps inside the square root)."""
    _optimizer_steps(student, rng, "adagrad", 4)


@exercise("adagrad")
@points(1)
def test_adagrad_from_scratch(student, rng):
    """adagrad works and does not use torch.optim."""
    _optimizer_steps(student, rng, "adagrad", 1)
    expect.from_scratch(student, "adagrad", OPTIMIZERS, "adagrad")


@exercise("rmsprop")
@points(3)
def test_rmsprop_steps(student, rng):
    """Exact RMSProp steps in float64 with small gradients and a random gamma."""
    _optimizer_steps(student, rng, "rmsprop", 4)


@exercise("rmsprop")
@points(1)
def test_rmsprop_from_scratch(student, rng):
    """rmsprop works and does not use torch.optim."""
    _optimizer_steps(student, rng, "rmsprop", 1)
    expect.from_scratch(student, "rmsprop", OPTIMIZERS, "rmsprop")


@exercise("adadelta")
@points(3)
def test_adadelta_steps(student, rng):
    """Exact AdaDelta steps in float64 with small gradients and a random rho."""
    _optimizer_steps(student, rng, "adadelta", 4)


@exercise("adadelta")
@points(1)
def test_adadelta_from_scratch(student, rng):
    """adadelta works and does not use torch.optim."""
    _optimizer_steps(student, rng, "adadelta", 1)
    expect.from_scratch(student, "adadelta", OPTIMIZERS, "adadelta")


@exercise("adam")
@points(3)
def test_adam_steps(student, rng):
    """Exact Adam steps in float64: bias correction, eps outside the square root, t advanced."""
    _optimizer_steps(student, rng, "adam", 4)


@exercise("adam")
@points(1)
def test_adam_from_scratch(student, rng):
    """adam works and does not use torch.optim."""
    _optimizer_steps(student, rng, "adam", 1)
    expect.from_scratch(student, "adam", OPTIMIZERS, "adam")


# The training checks stay plain top-level functions: `autograder calibrate` finds the checks that read a
# threshold by reading this file's syntax tree.


@exercise("sgd_momentum")
@points(2)
def test_sgd_momentum_trains_digits(student, rng, settings, assignment):
    """Momentum SGD trains softmax regression on the digits."""
    _trains_digits(student, rng, settings, assignment, "sgd_momentum")


@exercise("adagrad")
@points(2)
def test_adagrad_trains_digits(student, rng, settings, assignment):
    """AdaGrad trains softmax regression on the digits."""
    _trains_digits(student, rng, settings, assignment, "adagrad")


@exercise("rmsprop")
@points(2)
def test_rmsprop_trains_digits(student, rng, settings, assignment):
    """RMSProp trains softmax regression on the digits."""
    _trains_digits(student, rng, settings, assignment, "rmsprop")


@exercise("adadelta")
@points(2)
def test_adadelta_trains_digits(student, rng, settings, assignment):
    """AdaDelta trains softmax regression on the digits."""
    _trains_digits(student, rng, settings, assignment, "adadelta")


@exercise("adam")
@points(2)
def test_adam_trains_digits(student, rng, settings, assignment):
    """Adam trains softmax regression on the digits."""
    _trains_digits(student, rng, settings, assignment, "adam")
