"""Hidden checks for 01_preliminaries: tensors and autograd.

Memory questions (in place? shared with NumPy? a copy?) are judged inside the
worker: the check keeps the student's results there behind handles, changes one
tensor or array through a harness helper and reads the other back. Gradients are
computed here with autograd in float64.
"""

import ast

import numpy as np
import pytest
import torch

from autograder import expect, nets
from autograder.draw import randint, randn, uniform
from autograder.student import StudentError

points, exercise = pytest.mark.points, pytest.mark.exercise
F32 = torch.float32
HALF = {"rtol": 1e-3, "atol": 1e-3}  # float16 results carry about three significant digits


def keep(student, fn, *args, **kwargs):
    """Call fn in the worker and keep its result there (a handle), so memory sharing can be examined."""
    return student.call(fn, args, kwargs, as_handle=True)


SECOND_CALL = (
    "{} is wrong on its second call with the same x: setting requires_grad on the caller's x lets gradients pile up "
    "in x.grad; work on a copy, x = x.detach().clone().requires_grad_()"
)


def twice_on_one_tensor(student, call, x):
    """call(x) made twice on one tensor kept in the worker (not a fresh copy each time); both results, fetched."""
    rx = student.put(x.clone())
    return [call(rx) for _ in range(2)]


def uses_autograd(source, what):
    """Whether a cell calls .backward(...) or torch.autograd.grad(...); a cell that does not parse fails the check."""
    for node in ast.walk(expect.parse(source, what)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr == "backward":
                return True
            if node.func.attr == "grad" and isinstance(node.func.value, (ast.Attribute, ast.Name)):
                owner = node.func.value.attr if isinstance(node.func.value, ast.Attribute) else node.func.value.id
                if owner == "autograd":
                    return True
    return False


# --- add_in_place ----------------------------------------------------------------------


@exercise("add_in_place")
@points(2)
def test_add_in_place_values(student, rng):
    """y holds x + y after the call (x broadcasts over y's rows)."""
    m, n = randint(rng, 3, 7), randint(rng, 4, 9)
    y0, x = randn(rng, m, n, dtype=F32), randn(rng, n, dtype=F32)
    ry = student.put(y0.clone())
    student.add_in_place(x, ry)
    expect.close(
        student.fetch(ry),
        x + y0,
        "y does not hold x + y after the call: `y = x + y` only points a local name at new memory; "
        "write into y itself (y[:] = x + y, y.add_(x) or torch.add(x, y, out=y))",
    )


@exercise("add_in_place")
@points(1)
def test_add_in_place_on_a_view(student, rng):
    """When y is a column of a matrix, the matrix sees the new values."""
    m, n = randint(rng, 3, 7), randint(rng, 3, 7)
    B, x, j = randn(rng, m, n, dtype=F32), randn(rng, m, dtype=F32), randint(rng, 0, n)
    rB = student.put(B.clone())
    column = keep(student, student.lib("torch").select, rB, 1, j)
    student.add_in_place(x, column)
    expected = B.clone()
    expected[:, j] += x
    expect.close(
        student.fetch(rB),
        expected,
        "y was a view of a larger tensor, which did not change: y must keep its memory "
        "(y[:] = ..., add_, out=), not be given new memory (y.data = ... or y = ...)",
    )


# --- reshaped_copy -------------------------------------------------------------------


def _reshape_problem(rng, dtype=torch.float32):
    """x (a, b, c) and the shapes it is asked for: (-1, a) and (b * c, a), both on purpose; the full shape last."""
    a, b, c = randint(rng, 2, 5), randint(rng, 2, 5), randint(rng, 2, 4)
    return randn(rng, a, b, c, dtype=dtype), [(-1, a), (b * c, a)], (b * c, a)


@exercise("reshaped_copy")
@points(1)
def test_reshaped_copy_values(student, rng):
    """The values of x, in row-major order, in the requested shape, given with a -1 and in full."""
    x, shapes, full = _reshape_problem(rng)
    for shape in shapes:
        got = expect.tensor(student.reshaped_copy(x, shape), f"reshaped_copy(x, {shape})", full)
        expect.close(got, x.reshape(full), "reshaped_copy should keep x's values in order, as view does")


@exercise("reshaped_copy")
@points(2)
def test_reshaped_copy_shares_no_memory(student, rng):
    """Changing x does not change the copy, and changing the copy does not change x."""
    x, shapes, full = _reshape_problem(rng)
    message = "the result shares memory with x: view and reshape give a new shape on the same data; clone() first"
    for shape in shapes:
        rx = student.put(x.clone())
        copy = keep(student, student.reshaped_copy, rx, shape)
        student.harness.add_(rx, 1.0)
        expect.close(student.fetch(copy), x.reshape(full), message)
        student.harness.add_(copy, 1.0)
        expect.close(student.fetch(rx), x + 1, message)


@exercise("reshaped_copy")
@points(1)
def test_reshaped_copy_gradient(student, rng):
    """Autograd records the copy: gradients flow back to x (float64), for both forms of the shape."""
    x, shapes, full = _reshape_problem(rng, torch.float64)
    v = randn(rng, *full)
    for shape in shapes:
        expect.gradients(
            student, student.reshaped_copy, [x.clone().requires_grad_(), shape], v, [v.reshape(x.shape)], "reshaped_copy"
        )


# --- tensor_to_numpy and numpy_to_tensor -----------------------------------------------


def _array(rng):
    return randn(rng, randint(rng, 2, 6), randint(rng, 3, 7)).numpy()


@exercise("numpy_bridge")
@points(1)
def test_tensor_to_numpy_shares_memory(student, rng):
    """tensor_to_numpy gives an array of the same dtype that follows changes to the tensor."""
    t = randn(rng, randint(rng, 2, 6), randint(rng, 3, 7), dtype=F32)
    rt = student.put(t.clone())
    array = keep(student, student.tensor_to_numpy, rt)
    got = student.fetch(array)
    assert type(got) is np.ndarray, f"tensor_to_numpy should return a NumPy array, not {expect.kind(got)}"
    assert got.dtype == np.float32 and got.shape == tuple(t.shape), "the array should keep the tensor's shape and dtype"
    student.harness.add_(rt, 1.0)
    assert np.allclose(student.fetch(array), t.numpy() + 1), (
        "the array did not follow a change to the tensor: t.numpy() shares memory, np.array(t) copies"
    )


@exercise("numpy_bridge")
@points(1)
def test_numpy_to_tensor_shares_memory(student, rng):
    """numpy_to_tensor(array) and numpy_to_tensor(array, copy=False) share the array's memory."""
    for kwargs in ({}, {"copy": False}):
        a = _array(rng)
        ra = student.put(a.copy())
        rt = keep(student, student.numpy_to_tensor, ra, **kwargs)
        got = expect.tensor(student.fetch(rt), "numpy_to_tensor(array)", a.shape, torch.float64)
        expect.close(got, torch.from_numpy(a), "numpy_to_tensor should keep the array's values")
        student.harness.add_(ra, 1.0)
        expect.close(
            student.fetch(rt),
            torch.from_numpy(a + 1),
            "without copy the tensor should share the array's memory (torch.from_numpy), so it sees changes to the array",
        )


@exercise("numpy_bridge")
@points(1)
def test_numpy_to_tensor_copies(student, rng):
    """numpy_to_tensor(array, copy=True) keeps a copy of its own, with the array's dtype."""
    a = _array(rng)
    ra = student.put(a.copy())
    rt = keep(student, student.numpy_to_tensor, ra, copy=True)
    got = expect.tensor(student.fetch(rt), "numpy_to_tensor(array, copy=True)", a.shape)
    assert got.dtype == torch.float64, (
        "the copy should keep the array's dtype (the legacy torch.Tensor constructor makes float32)"
    )
    student.harness.add_(ra, 1.0)
    expect.close(
        student.fetch(rt),
        torch.from_numpy(a),
        "with copy=True the tensor should not see changes to the array: torch.tensor copies, torch.from_numpy shares",
    )


# --- outer_sum ------------------------------------------------------------------------


@exercise("outer_sum")
@points(2)
def test_outer_sum_values(student, rng):
    """out[i, j] = a[i] + b[j] for vectors of different lengths, and of equal lengths."""
    m = randint(rng, 3, 7)
    for n in (m + randint(rng, 1, 4), m):
        a, b = randn(rng, m), randn(rng, n)
        got = expect.tensor(student.outer_sum(a, b), "outer_sum(a, b)", (m, n))
        expect.close(got, a[:, None] + b[None, :], "outer_sum(a, b)[i, j] should be a[i] + b[j]: a as a column, b as a row")


@exercise("outer_sum")
@points(1)
def test_outer_sum_gradient(student, rng):
    """Gradients flow through the broadcast to both vectors (float64)."""
    m, n = randint(rng, 2, 5), randint(rng, 5, 8)
    a, b, v = randn(rng, m), randn(rng, n), randn(rng, m, n)
    expect.gradients(
        student, student.outer_sum, [a.requires_grad_(), b.requires_grad_()], v, [v.sum(1), v.sum(0)], "outer_sum"
    )


@exercise("outer_sum")
@points(1)
def test_outer_sum_without_loops(student, rng):
    """outer_sum works and uses broadcasting, with no Python loop or comprehension."""
    a, b = randn(rng, 3), randn(rng, 4)
    expect.close(student.outer_sum(a, b), a[:, None] + b[None, :], "outer_sum(a, b) is wrong")
    expect.no_loops(
        student.source("outer_sum"),
        "outer_sum",
        "outer_sum should let broadcasting do the work: no for/while loops or comprehensions",
    )


# --- add_ones_on -----------------------------------------------------------------------


def _device_matches(got, wanted):
    got, wanted = torch.device(got), torch.device(wanted)
    return got.type == wanted.type and (wanted.index is None or got.index == wanted.index)


@exercise("add_ones_on")
@points(1)
def test_add_ones_on_the_grading_device(student, rng, device):
    """x + 1 on the CPU and on the grading device (a GPU when there is one), in x's dtype (float32 and float16)."""
    for where in dict.fromkeys(["cpu", str(device)]):
        for dtype in (torch.float32, torch.float16):  # ones made in the default float32 would promote a float16 x
            x = randn(rng, randint(rng, 2, 5), randint(rng, 2, 5), dtype=dtype)
            rx = student.put(x.clone())  # the caller's x, kept in the worker to see whether the call changes it
            result = keep(student, student.add_ones_on, rx, where)
            assert _device_matches(student.harness.device_of(result), where), "the result should live on the device asked for"
            got = expect.tensor(student.fetch(result), f"add_ones_on(x, device) for a {dtype} x", x.shape, dtype)
            expect.close(got.float(), x.float() + 1, "add_ones_on(x, device) should be x + 1", **HALF)
            assert torch.equal(student.fetch(rx), x), (
                "add_ones_on changed the caller's x: x.to(device) is x itself when x is already there, so an in-place "
                "add_ changes it; compute x + ones out of place"
            )


@exercise("add_ones_on")
@points(2)
def test_add_ones_on_another_device(student, rng):
    """On a device x is not on (PyTorch's 'meta' device), the work happens there."""
    x = randn(rng, randint(rng, 2, 5), randint(rng, 2, 5), dtype=F32)
    result = keep(student, student.add_ones_on, x, torch.device("meta"))
    assert student.harness.device_of(result) == "meta", (
        "the result is not on the device asked for: move x with x = x.to(device) and create the ones with device=device"
    )
    assert tuple(result.shape) == tuple(x.shape) and result.dtype == torch.float32, (
        "the result should keep x's shape and dtype"
    )


# --- scalar_grad -------------------------------------------------------------------------


def _notes_out(x):
    return (3 * (x + 2) ** 2).mean()


def _scalar_grad(x):
    x = x.clone().requires_grad_()
    _notes_out(x).backward()
    return x.grad


@exercise("scalar_grad")
@points(2)
def test_scalar_grad_values(student, rng):
    """The gradient of mean(3 (x + 2)^2) for a tensor of any shape (float64), also on a second call with the same x."""
    x = randn(rng, randint(rng, 2, 5), randint(rng, 3, 6)) * 2
    got = expect.tensor(student.scalar_grad(x), "scalar_grad(x)", x.shape)
    expect.close(got, _scalar_grad(x), "the gradient is wrong: out is the mean (not the sum) of 3 (x + 2)^2", **expect.TOL64)
    for got in twice_on_one_tensor(student, student.scalar_grad, x):
        expect.close(got, _scalar_grad(x), SECOND_CALL.format("scalar_grad(x)"), **expect.TOL64)


@exercise("scalar_grad")
@points(1)
def test_scalar_grad_uses_autograd(student, rng):
    """scalar_grad works and lets autograd compute the gradient (backward)."""
    x = randn(rng, 3)
    expect.close(student.scalar_grad(x), _scalar_grad(x), "scalar_grad(x) is wrong", **expect.TOL64)
    assert uses_autograd(student.source("scalar_grad"), "scalar_grad"), (
        "scalar_grad should let autograd find the gradient: set requires_grad, build out, call out.backward() and read x.grad"
    )


# --- accumulate_then_zero ------------------------------------------------------------------


def _accumulate(student, rng):
    x = randn(rng, randint(rng, 2, 5), randint(rng, 2, 6))
    got = student.accumulate_then_zero(x)
    assert type(got) in (tuple, list) and len(got) == 2, "accumulate_then_zero should return a pair of tensors"
    accumulated = expect.tensor(got[0], "the first tensor returned", x.shape)
    fresh = expect.tensor(got[1], "the second tensor returned", x.shape)
    return x, accumulated, fresh


@exercise("accumulate_then_zero")
@points(2)
def test_accumulated_gradient(student, rng):
    """The first gradient is the sum of both backward passes, also on a second call with the same x."""
    x, accumulated, _ = _accumulate(student, rng)
    expect.close(
        accumulated,
        _scalar_grad(x) + 1,
        "the first tensor should hold both gradients added up, as they stood before zeroing: "
        "x.grad is changed in place later, so keep a copy (.clone())",
        **expect.TOL64,
    )
    for pair in twice_on_one_tensor(student, student.accumulate_then_zero, x):
        expect.close(pair[0], _scalar_grad(x) + 1, SECOND_CALL.format("accumulate_then_zero(x)"), **expect.TOL64)


@exercise("accumulate_then_zero")
@points(1)
def test_gradient_after_zeroing(student, rng):
    """After zeroing, .grad holds only the last backward pass."""
    x, _, fresh = _accumulate(student, rng)
    expect.close(
        fresh,
        torch.ones_like(x),
        "the second tensor should hold only the gradient of the last x.sum(): zero x.grad before that backward",
        **expect.TOL64,
    )


# --- vector_jacobian_product -------------------------------------------------------------


def _expected_vjp(f, x, v):
    x = x.clone().requires_grad_()
    f(x).backward(v)
    return x.grad


@exercise("vector_jacobian_product")
@points(1)
def test_vjp_elementwise(student, rng):
    """An elementwise function (sin): x.grad = v * cos(x) (float64), also on a second call with the same x."""
    x = randn(rng, randint(rng, 2, 5), randint(rng, 3, 6))
    v = randn(rng, *x.shape)
    sin = student.lib("torch").sin
    got = expect.tensor(student.vector_jacobian_product(sin, x, v), "vector_jacobian_product(f, x, v)", x.shape)
    expect.close(got, _expected_vjp(torch.sin, x, v), "x.grad should be v^T J: call y.backward(v) on y = f(x)", **expect.TOL64)
    for got in twice_on_one_tensor(student, lambda rx: student.vector_jacobian_product(sin, rx, v), x):
        expect.close(
            got, _expected_vjp(torch.sin, x, v), SECOND_CALL.format("vector_jacobian_product(f, x, v)"), **expect.TOL64
        )


@exercise("vector_jacobian_product")
@points(2)
def test_vjp_through_mixing_functions(student, rng):
    """Functions whose outputs mix their inputs (a linear layer, a softmax): v^T J (float64)."""
    nn = student.lib("torch.nn")
    n, d, k = randint(rng, 2, 5), randint(rng, 3, 6), randint(rng, 6, 9)
    weights = {"weight": randn(rng, k, d), "bias": randn(rng, k)}
    layer = nn.Linear(d, k, dtype=torch.float64)
    layer.load_state_dict(weights)
    local = torch.nn.Linear(d, k, dtype=torch.float64)
    local.load_state_dict(weights)
    message = (
        "x.grad should be v^T J for a function whose outputs depend on several inputs: pass v to y.backward(v) "
        "(multiplying a gradient by v afterwards only works elementwise)"
    )
    x, v = randn(rng, n, d), randn(rng, n, k)
    got = expect.tensor(student.vector_jacobian_product(layer, x, v), "vector_jacobian_product(f, x, v)", x.shape)
    expect.close(got, _expected_vjp(local, x, v), message, **expect.TOL64)
    x, v = randn(rng, n, k), randn(rng, n, k)
    got = expect.tensor(student.vector_jacobian_product(nn.Softmax(dim=1), x, v), "vector_jacobian_product(f, x, v)", x.shape)
    expect.close(got, _expected_vjp(torch.nn.Softmax(dim=1), x, v), message, **expect.TOL64)


# --- scale_data_ --------------------------------------------------------------------------


def _leaf(student, rng):
    x = randn(rng, randint(rng, 2, 5), randint(rng, 2, 5))
    factor = uniform(rng, 2, 52)
    return x, factor, student.put(x.clone().requires_grad_())


@exercise("scale_data_")
@points(1)
def test_scale_data_values(student, rng):
    """x holds the scaled values and stays a leaf that requires grad."""
    x, factor, rx = _leaf(student, rng)
    student.scale_data_(rx, factor)
    expect.close(
        student.fetch(rx), x * factor, "x's own values did not change: change them in place through x.data, not x = ..."
    )
    assert rx.is_leaf is True and rx.requires_grad is True, "x should still be a leaf tensor that requires grad"


@exercise("scale_data_")
@points(2)
def test_scale_data_keeps_the_graph(student, rng):
    """Graphs built from x before the change still backpropagate: the notes' y = 2x, and one that saved x."""
    x, factor, rx = _leaf(student, rng)
    torch_ = student.lib("torch")
    c, v = randn(rng, *x.shape), randn(rng, *x.shape)
    linear = keep(student, torch_.mul, c, rx)
    square = keep(student, torch_.mul, rx, rx)
    student.scale_data_(rx, factor)
    message = (
        "backpropagating through a graph built from x before your change failed: autograd noticed the in-place "
        "change (x.detach() and torch.no_grad() share x's version counter); x.data hides it"
    )
    try:
        linear.backward(v)
        expect.close(rx.grad, c * v, "the gradient of a graph built before the change should not change", **expect.TOL64)
        rx.grad = None
        square.backward(v)
    except StudentError:
        raise AssertionError(message) from None
    expect.close(
        rx.grad,
        2 * x * factor * v,
        "a graph that saved x should see x's new values when it backpropagates: change x's own memory through x.data",
        **expect.TOL64,
    )


# --- grad_through_detached ----------------------------------------------------------------


@exercise("grad_through_detached")
@points(2)
def test_grad_through_detached(student, rng):
    """The gradient treats u = x * x as a constant: it equals u (float64), also on a second call with the same x."""
    x = randn(rng, randint(rng, 2, 5), randint(rng, 2, 6))
    got = expect.tensor(student.grad_through_detached(x), "grad_through_detached(x)", x.shape)
    expect.close(
        got,
        x * x,
        "the gradient should treat u as a constant (u = (x * x).detach()); without detach it would be 3 x^2",
        **expect.TOL64,
    )
    for got in twice_on_one_tensor(student, student.grad_through_detached, x):
        expect.close(got, x * x, SECOND_CALL.format("grad_through_detached(x)"), **expect.TOL64)


# --- predict_no_grad ------------------------------------------------------------------------


@exercise("predict_no_grad")
@points(2)
def test_predict_no_grad(student, rng):
    """The outputs of a net whose parameters require grad, with no graph recorded."""
    d, k = randint(rng, 3, 7), randint(rng, 2, 5)
    remote, local = nets.linear_pair(student, rng, d, k)
    X = randn(rng, randint(rng, 3, 9), d, dtype=F32)
    got = expect.tensor(student.predict_no_grad(remote, X), "predict_no_grad(net, X)", (len(X), k))
    expect.close(got, local(X).detach(), "predict_no_grad(net, X) should equal net(X)")
    assert got.requires_grad is False, (
        "the result requires grad, so a graph was recorded: compute it inside `with torch.no_grad():` "
        "(net.eval() changes layers' behaviour, not gradient recording)"
    )


@exercise("predict_no_grad")
@points(1)
def test_grad_mode_restored(student, rng):
    """Gradient recording is back on after predict_no_grad."""
    remote, _ = nets.linear_pair(student, rng, 4, 2)
    student.predict_no_grad(remote, randn(rng, 3, 4, dtype=F32))
    assert student.lib("torch").is_grad_enabled() is True, (
        "gradient recording is still off after predict_no_grad: `with torch.no_grad():` switches it back on by itself"
    )
