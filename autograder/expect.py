"""Assertions for hidden checks, with messages that teach and never reveal expected values.

Every helper raises AssertionError with a message written for the student;
none of them puts the grader's inputs or expected numbers into the message.
"""

import ast
import inspect
import sys

import torch

from autograder.student import Remote, StudentError

DYNAMIC = {"getattr", "eval", "exec", "__import__", "import_module", "compile", "globals", "vars", "locals"}


def kind(value):
    """A short description of a value's type for messages."""
    if isinstance(value, Remote):
        return "an object of type " + value._types[0].rsplit(".", 1)[-1]
    return f"a {type(value).__name__}"


def tensor(value, what, shape=None, dtype=None):
    """value must be a plain torch.Tensor (no subclass), with this shape and dtype when given."""
    if type(value) is not torch.Tensor:
        raise AssertionError(f"{what} should be a torch.Tensor, but it is {kind(value)}")
    if shape is not None and tuple(value.shape) != tuple(shape):
        raise AssertionError(f"{what} has shape {tuple(value.shape)}, but its documented shape here is {tuple(shape)}")
    if dtype is not None and value.dtype != dtype:
        raise AssertionError(f"{what} has dtype {value.dtype}, expected {dtype}")
    return value


def close(actual, expected, message, rtol=1e-5, atol=1e-6):
    """actual must equal expected within tolerance; the message is all the student sees."""
    actual = tensor(actual, "the result", shape=expected.shape)
    if not (actual.is_floating_point() or actual.is_complex()) and expected.is_floating_point():
        actual = actual.to(expected.dtype)
    torch.testing.assert_close(
        actual.detach().to(expected.dtype), expected.detach(), rtol=rtol, atol=atol, equal_nan=False, msg=message
    )


def gradients(student, fn, args, grad_output, expected, what, rtol=1e-7, atol=1e-9):
    """Backpropagate grad_output through the student's fn(*args) in the worker; compare input gradients.

    args: tensors (those with requires_grad get a gradient) and plain values;
    expected: the grader's gradients for those tensors, in order.
    """
    _, grads = student.call(student.harness.vjp, [fn, list(args), grad_output], label=f"backpropagating through {what}")
    if type(grads) is not list or len(grads) != len(expected):
        raise AssertionError(f"backpropagating through {what} did not give one gradient per input")
    inputs = [i for i, a in enumerate(args) if isinstance(a, torch.Tensor) and a.requires_grad]
    for got, want, position in zip(grads, expected, inputs):
        name = _input_name(what, position)
        if got is None:
            raise AssertionError(
                f"no gradient reached {name} of {what}: is {what} built from differentiable tensor operations on it?"
            )
        close(got, want, f"the gradient through {what} with respect to {name} is wrong", rtol=rtol, atol=atol)


def _input_name(what, position):
    """'its argument w' from the contract's signature (the reference function of that name), else 'its 2nd argument'."""
    for module in list(sys.modules.values()):
        function = getattr(module, what, None) if getattr(module, "__name__", "").startswith("reference.") else None
        if inspect.isfunction(function):
            params = list(inspect.signature(function).parameters)
            if position < len(params):
                return f"its argument {params[position]}"
    ordinal = {1: "1st", 2: "2nd", 3: "3rd"}.get(position + 1, f"{position + 1}th")
    return f"its {ordinal} argument"


def python_float(value, what):
    """value must be a built-in float (not a tensor, not a subclass)."""
    if type(value) is not float:
        raise AssertionError(f"{what} should be a Python float (use .item()), but it is {kind(value)}")
    return value


def raises(error_type, call, what):
    """call() must make the student's code raise error_type (by name)."""
    try:
        call()
    except StudentError as exc:
        if exc.error["type"] == error_type:
            return
        raise AssertionError(f"{what} should raise {error_type}, but it raised {exc.error['type']}") from None
    raise AssertionError(f"{what} should raise {error_type}, but it returned normally")


def from_scratch(source, banned, what):
    """The cell's source must not use the library functions in `banned`, nor reach names dynamically.

    Read by the grader from the submitted notebook, so the worker cannot hide it.
    """
    try:
        tree = ast.parse(source)
    except SyntaxError:
        raise AssertionError(f"{what}: the cell does not parse") from None
    for node in ast.walk(tree):
        name = None
        if isinstance(node, ast.Attribute):
            name = node.attr
        elif isinstance(node, ast.ImportFrom):
            hits = [a.name for a in node.names if a.name in banned or a.name == "*"]
            name = hits[0] if hits else None
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in DYNAMIC:
            raise AssertionError(f"{what} must be written from scratch: {node.func.id}() is not allowed in this cell")
        if name in banned or (isinstance(node, ast.Attribute) and node.attr in DYNAMIC):
            raise AssertionError(f"{what} must be written from scratch: do not call the library's {name}")
