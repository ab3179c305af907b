"""Reference solutions for 01_preliminaries: tensors (memory, NumPy, broadcasting, devices) and autograd."""

import torch


def add_in_place(x, y):
    """Add x to y in place: afterwards y holds x + y in its own memory. Returns nothing.

    x: a tensor that broadcasts to y's shape; y: a float tensor, possibly a view
    of a larger tensor, which must then see the new values too. `y = x + y`
    would only rebind a local name to new memory.
    """
    ### BEGIN SOLUTION
    y.add_(x)
    ### END SOLUTION


def reshaped_copy(x, shape):
    """x's values in a new shape, in memory of their own (clone, then view).

    x: a contiguous tensor; shape: a tuple of ints (one may be -1) with x.numel()
    elements -> a tensor of that shape that shares no memory with x. Autograd
    records the copy, so gradients reach x.
    """
    ### BEGIN SOLUTION
    return x.clone().view(shape)
    ### END SOLUTION


def tensor_to_numpy(t):
    """A NumPy array that shares t's memory: t (CPU tensor, no grad) -> ndarray, same shape and dtype."""
    ### BEGIN SOLUTION
    return t.numpy()
    ### END SOLUTION


def numpy_to_tensor(array, copy=False):
    """A tensor with the array's values, shape and dtype.

    copy=False: it shares the array's memory (a change to one shows in the other);
    copy=True: it holds a copy of its own.
    """
    ### BEGIN SOLUTION
    if copy:
        return torch.tensor(array)
    return torch.from_numpy(array)
    ### END SOLUTION


def outer_sum(a, b):
    """All pairwise sums by broadcasting, without Python loops: a (m,), b (n,) -> (m, n), out[i, j] = a[i] + b[j]."""
    ### BEGIN SOLUTION
    return a.view(-1, 1) + b.view(1, -1)
    ### END SOLUTION


def add_ones_on(x, device):
    """x + 1, computed on `device` (a torch.device or a string such as 'cpu' or 'cuda').

    Move x there with .to(device) and create the ones directly on the device
    (torch.ones_like(x, device=device)). x: float tensor -> same shape and
    dtype, on `device`.
    """
    ### BEGIN SOLUTION
    y = torch.ones_like(x, device=device)
    x = x.to(device)
    return x + y
    ### END SOLUTION


def scalar_grad(x):
    """The gradient of out = mean(3 * (x + 2) ** 2) with respect to x, computed by autograd.

    x: float tensor of any shape -> tensor of the same shape (x.grad after out.backward()).
    """
    ### BEGIN SOLUTION
    x = x.detach().clone().requires_grad_(True)
    y = x + 2
    z = y * y * 3
    out = z.mean()
    out.backward()
    return x.grad
    ### END SOLUTION


def accumulate_then_zero(x):
    """Gradients accumulate in .grad until you zero them.

    With x as a leaf that requires grad: backpropagate out = mean(3 * (x + 2) ** 2),
    then x.sum() without zeroing, and keep x.grad (the sum of both gradients);
    then zero x.grad, backpropagate x.sum() once more and keep x.grad again.
    x: float tensor -> (accumulated, after_zeroing), two tensors of x's shape.
    """
    ### BEGIN SOLUTION
    x = x.detach().clone().requires_grad_(True)
    (3 * (x + 2) ** 2).mean().backward()
    x.sum().backward()
    accumulated = x.grad.clone()
    x.grad.data.zero_()
    x.sum().backward()
    return accumulated, x.grad
    ### END SOLUTION


def vector_jacobian_product(f, x, v):
    """v^T J for y = f(x), through y.backward(v).

    f: a function or module mapping a float tensor to a tensor y (not necessarily a
    scalar); x: float tensor; v: tensor of y's shape -> x.grad, of x's shape:
    the gradient of sum(v * f(x)) with respect to x.
    """
    ### BEGIN SOLUTION
    x = x.detach().clone().requires_grad_(True)
    y = f(x)
    y.backward(v)
    return x.grad
    ### END SOLUTION


def scale_data_(x, factor):
    """Multiply x's values by factor in place, through x.data, so that autograd does not notice.

    x: a leaf tensor that requires grad; it stays a leaf that requires grad, and
    graphs built from x before the change still backpropagate. Returns nothing.
    """
    ### BEGIN SOLUTION
    x.data *= factor
    ### END SOLUTION


def grad_through_detached(x):
    """The gradient of z = sum(u * x) where u = x * x is detached (a constant to autograd).

    x: float tensor -> x.grad, of x's shape, which equals u (not 3 * x ** 2).
    """
    ### BEGIN SOLUTION
    x = x.detach().clone().requires_grad_(True)
    u = (x * x).detach()
    z = (u * x).sum()
    z.backward()
    return x.grad
    ### END SOLUTION


def predict_no_grad(net, X):
    """net(X) computed inside torch.no_grad(): no graph is recorded and the result does not require grad.

    net: a module or function whose parameters may require grad; X: its input.
    Gradient recording is back on after the call.
    """
    ### BEGIN SOLUTION
    with torch.no_grad():
        return net(X)
    ### END SOLUTION
