"""Public checks for 01_preliminaries: run them in the notebook with check("add_in_place") or check().

A quick, visible sample: the grade comes from hidden checks on other inputs.
"""

import numpy as np
import torch

from kitcheck import close, public, randint, tensor


def _floats(rng, *shape):
    return torch.randn(*shape, generator=rng)


@public("add_in_place")
def add_in_place_keeps_storage(student, rng):
    """y holds x + y afterwards, in the memory it had before."""
    x, y = _floats(rng, randint(rng, 2, 6)), _floats(rng, 1)
    y = y.expand(len(x)).clone()
    expected, address = x + y, y.data_ptr()
    result = student.add_in_place(x, y)
    assert result is None, "add_in_place should change y and return nothing"
    assert y.data_ptr() == address, "y was given new memory: update it in place (y[:] = ..., y.add_(x) or out=y)"
    close(y, expected, "y does not hold x + y: did the addition reach the caller's tensor?")


@public("reshaped_copy")
def reshaped_copy_shares_nothing(student, rng):
    """The copy has the new shape and does not change with x."""
    m, n = randint(rng, 2, 5), randint(rng, 2, 5)
    x = _floats(rng, m * n)
    r = tensor(student.reshaped_copy(x, (m, n)), "reshaped_copy(x, shape)", (m, n))
    close(r, x.view(m, n), "the values of the copy are not x's, in row-major order")
    x += 1
    close(r, (x - 1).view(m, n), "the copy changed when x changed: view() shares memory, clone() first")


@public("numpy_bridge")
def numpy_bridge_shares_or_copies(student, rng):
    """tensor_to_numpy shares memory; numpy_to_tensor shares unless copy=True."""
    t = _floats(rng, randint(rng, 2, 6))
    a = student.tensor_to_numpy(t)
    assert isinstance(a, np.ndarray), "tensor_to_numpy should return a NumPy array"
    t += 1
    assert np.allclose(a, t.numpy()), "the array did not follow a change of the tensor: t.numpy() shares memory"
    array = np.arange(randint(rng, 2, 6), dtype=np.float64)
    shared, copied = student.numpy_to_tensor(array), student.numpy_to_tensor(array, copy=True)
    tensor(shared, "numpy_to_tensor(array)", array.shape, torch.float64)
    array += 1
    assert shared[0].item() == array[0], "numpy_to_tensor(array) should share the array's memory (torch.from_numpy)"
    assert copied[0].item() == array[0] - 1, "numpy_to_tensor(array, copy=True) should copy (torch.tensor)"


@public("outer_sum")
def outer_sum_values(student, rng):
    """out[i, j] = a[i] + b[j], shape (m, n)."""
    m, n = randint(rng, 2, 5), randint(rng, 6, 9)
    a, b = _floats(rng, m), _floats(rng, n)
    out = tensor(student.outer_sum(a, b), "outer_sum(a, b)", (m, n))
    close(out, a[:, None] + b[None, :], "out[i, j] should be a[i] + b[j]")


@public("add_ones_on")
def add_ones_on_cpu_and_meta(student, rng):
    """x + 1 on the CPU; on PyTorch's 'meta' device (shapes without data) the result lives there."""
    x = _floats(rng, randint(rng, 1, 4), randint(rng, 2, 5))
    out = tensor(student.add_ones_on(x, "cpu"), "add_ones_on(x, 'cpu')", x.shape, x.dtype)
    close(out, x + 1, "the result is not x + 1")
    out = student.add_ones_on(x, torch.device("meta"))
    assert out.device.type == "meta", (
        "the result is not on the device asked for: move x with x = x.to(device) and create the ones with device=device"
    )


@public("scalar_grad")
def scalar_grad_values(student, rng):
    """The gradient of mean(3 (x + 2)^2) is 6 (x + 2) / x.numel()."""
    x = _floats(rng, randint(rng, 2, 4), randint(rng, 2, 4))
    g = tensor(student.scalar_grad(x), "scalar_grad(x)", x.shape)
    close(g, 6 * (x + 2) / x.numel(), "wrong gradient: out is the mean (not the sum) of 3 * (x + 2) ** 2")


@public("accumulate_then_zero")
def accumulate_then_zero_values(student, rng):
    """The first gradient adds both backward passes; the second has only x.sum()'s."""
    x = _floats(rng, randint(rng, 2, 5))
    result = student.accumulate_then_zero(x)
    assert isinstance(result, tuple) and len(result) == 2, "accumulate_then_zero should return (accumulated, after_zeroing)"
    accumulated, fresh = result
    close(fresh, torch.ones_like(x), "after zeroing, x.sum() alone should leave a gradient of ones")
    close(accumulated, 6 * (x + 2) / x.numel() + 1, "the first gradient should hold both backward passes added")


@public("vector_jacobian_product")
def vector_jacobian_product_values(student, rng):
    """v^T J of an elementwise and of a mixing function."""
    n = randint(rng, 2, 5)
    x, v = _floats(rng, n), _floats(rng, n)
    got = tensor(student.vector_jacobian_product(lambda t: 3 * t, x, v), "vector_jacobian_product", (n,))
    close(got, 3 * v, "for y = 3x the product should be 3 v: pass v to y.backward(v)")
    flip = torch.randn(n, n, generator=rng)
    got = tensor(student.vector_jacobian_product(lambda t: flip @ t, x, v), "vector_jacobian_product", (n,))
    close(got, flip.T @ v, "for y = A x the product should be A^T v: is v applied through backward?")


@public("scale_data_")
def scale_data_keeps_the_graph(student, rng):
    """x changes by factor through .data; x stays a leaf and old graphs still backpropagate."""
    x = _floats(rng, randint(rng, 2, 5)).requires_grad_()
    before = x.detach().clone()
    y = (2 * x).sum()
    factor = float(randint(rng, 2, 9))
    assert student.scale_data_(x, factor) is None, "scale_data_ should change x and return nothing"
    close(x.detach(), before * factor, "x's values should be multiplied by factor, in place")
    assert x.is_leaf and x.requires_grad, "x should stay a leaf that requires grad"
    try:
        y.backward()
    except RuntimeError:
        raise AssertionError("a graph built from x before the change no longer backpropagates: change x.data") from None


@public("grad_through_detached")
def grad_through_detached_values(student, rng):
    """The gradient equals u = x * x."""
    x = _floats(rng, randint(rng, 2, 6))
    g = tensor(student.grad_through_detached(x), "grad_through_detached(x)", x.shape)
    close(g, x * x, "the gradient should be u = x * x: u is a constant once detached")


@public("predict_no_grad")
def predict_no_grad_records_nothing(student, rng):
    """The output matches net(X), does not require grad, and recording is on afterwards."""
    net = torch.nn.Linear(randint(rng, 2, 5), 3)
    X = _floats(rng, 4, net.in_features)
    out = tensor(student.predict_no_grad(net, X), "predict_no_grad(net, X)", (4, 3))
    close(out, net(X).detach(), "the output should be net(X)")
    assert not out.requires_grad, "the output requires grad: compute it inside `with torch.no_grad():`"
    assert torch.is_grad_enabled(), "gradient recording is still off after the call"
