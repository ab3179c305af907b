"""Assertions for hidden checks, with messages that teach and never reveal expected values.

Every helper raises AssertionError with a message written for the student;
none of them puts the grader's inputs or expected numbers into the message.
"""

import ast
import builtins
import inspect
import sys

import torch

from autograder.student import Remote, StudentError

# Named tolerances for expect.close: results computed in float32 (networks, convolutions) and in float64
# (from-scratch arithmetic compared with the grader's float64 recomputation).
TOL32 = {"rtol": 1e-4, "atol": 1e-5}
TOL64 = {"rtol": 1e-7, "atol": 1e-9}

MODULE = "torch.nn.modules.module.Module"  # what student.is_instance(value, MODULE) asks of an nn.Module

# Python loops and comprehensions: the constructs a "no loop" exercise may not contain.
LOOPS = (ast.For, ast.AsyncFor, ast.While, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


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


def scalar_close(actual, expected, message, rtol=1e-5, atol=1e-6):
    """A Python number must equal expected within atol + rtol * |expected| (NaN never does); the message is all the student sees."""
    if not isinstance(actual, (int, float)) or not abs(actual - expected) <= atol + rtol * abs(expected):
        raise AssertionError(message)


def gradients(student, fn, args, grad_output, expected, what, rtol=TOL64["rtol"], atol=TOL64["atol"]):
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


# --- reading the student's source ------------------------------------------------------


def parse(source, what):
    """The cell's syntax tree; a cell that does not parse fails the check (one policy for every scanner)."""
    try:
        return ast.parse(source)
    except SyntaxError:
        raise AssertionError(f"{what}: the cell does not parse") from None
    except (RecursionError, MemoryError):
        raise AssertionError(f"{what}: the cell is nested too deeply to be read") from None


def called_names(source, what):
    """Names and attribute names the cell calls (`f(...)` gives f, `a.b(...)` gives b)."""
    names = set()
    for node in ast.walk(parse(source, what)):
        if isinstance(node, ast.Call):
            if isinstance(node.func, ast.Name):
                names.add(node.func.id)
            elif isinstance(node.func, ast.Attribute):
                names.add(node.func.attr)
    return names


def no_loops(source, what, message):
    """The cell must contain no Python loop or comprehension (:data:`LOOPS`); `message` says what to use instead."""
    if any(isinstance(node, LOOPS) for node in ast.walk(parse(source, what))):
        raise AssertionError(message)


# --- the from-scratch rule -------------------------------------------------------------

# what code that can reach a from-scratch function may use: builtins, modules and dunder attributes are
# allow-listed; anything else of those kinds (getattr, eval, importlib, __dict__...) can look a library
# function up by a computed name, which no list of banned names could catch
DYNAMIC = {"getattr", "eval", "exec", "__import__", "import_module", "compile", "globals", "vars", "locals"}
SAFE_BUILTINS = {
    "abs", "all", "any", "bool", "callable", "classmethod", "complex", "dict", "divmod", "enumerate", "filter",
    "float", "frozenset", "hasattr", "hash", "id", "int", "isinstance", "issubclass", "iter", "len", "list", "map",
    "max", "min", "next", "object", "pow", "print", "property", "range", "repr", "reversed", "round", "set",
    "slice", "sorted", "staticmethod", "str", "sum", "super", "tuple", "type", "zip", "None", "True", "False",
    "NotImplemented", "Ellipsis",
}  # fmt: skip
SAFE_MODULES = {"torch", "numpy", "math", "random", "itertools", "functools", "collections", "typing", "time", "d2l"}
SAFE_DUNDERS = {"__init__", "__call__", "__name__", "__len__", "__getitem__", "__iter__", "__repr__", "__str__"}
LIBRARY_INTERNALS = {"_C", "_VF", "ops", "_ops", "_refs", "_prims", "_decomp", "library", "hub", "special", "distributions"}
DYNAMIC_ATTRIBUTES = {"getattr_static", "getmembers", "attrgetter", "methodcaller", "import_module", "modules"}


def from_scratch(student, cell, banned, what):
    """The code that can reach the cell's definitions must not use the library functions in `banned`.

    Judged on the submitted sources as the grader read them (the worker cannot
    hide any): the cell itself and, transitively, every top-level definition of
    another solution cell that it names. That code may not use a banned name
    (as an attribute, or imported), nor library internals, nor look anything up
    by a computed name (builtins, modules and dunders outside the allow-lists).
    """
    sources = dict(getattr(student, "sources", {}) or {})
    trees = {}
    for name, source in sources.items():
        try:
            trees[name] = ast.parse(source)
        except SyntaxError:
            if name == cell:
                raise AssertionError(f"{what}: the cell does not parse") from None
        except (RecursionError, MemoryError):
            raise AssertionError(f"{what}: cell '{name}' is nested too deeply to be read") from None
    if cell not in trees:
        return
    defined = {}  # global name -> [(cell, top-level statement)] binding it, over every solution cell
    for name, tree in trees.items():
        for statement in tree.body:
            for bound in _bindings(statement):
                defined.setdefault(bound, []).append((name, statement))
    todo = [(cell, statement) for statement in trees[cell].body]
    seen = set()
    while todo:
        where, statement = todo.pop()
        if id(statement) in seen:
            continue
        seen.add(id(statement))
        problem = _violation(statement, banned)
        if problem is not None:
            line = problem[1]
            place = f" (cell '{where}', line {line})" if where != cell else f" (line {line})"
            raise AssertionError(f"{what} must be written from scratch: {problem[0]}{place}")
        for name in _globals_read(statement):
            todo.extend(defined.get(name, ()))


def _bindings(statement):
    """Global names a top-level statement binds (not the locals of the functions it defines)."""
    names = set()
    stack = [statement]
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
            continue
        if isinstance(node, ast.Lambda):
            continue
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            names.add(node.id)
        elif isinstance(node, ast.alias):
            names.add((node.asname or node.name).split(".")[0])
        stack.extend(ast.iter_child_nodes(node))
    return names


def _locals(function):
    """Names local to a function or lambda: its parameters and what its own body binds."""
    args = function.args
    names = {a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)}
    names |= {a.arg for a in (args.vararg, args.kwarg) if a is not None}
    body = function.body if isinstance(function.body, list) else [function.body]
    for statement in body:
        names |= _bindings(statement)
    return names


def _globals_read(statement):
    """Names a statement reads that are not local to an enclosing function (so may be another cell's)."""
    found = set()

    def visit(node, local):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            local = local | _locals(node)
        elif isinstance(node, ast.comprehension):
            local = local | _bindings(node.target)
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id not in local:
            found.add(node.id)
        for child in ast.iter_child_nodes(node):
            visit(child, local)

    visit(statement, frozenset())
    return found


def _banned(name, banned):
    return name in banned or name.strip("_") in banned


def _violation(statement, banned):
    """(what is not allowed, line) for the first forbidden construct in a statement, else None."""
    for node in ast.walk(statement):
        line = getattr(node, "lineno", 0)
        if isinstance(node, ast.Attribute):
            name = node.attr
            if _banned(name, banned):
                return f"do not call the library's {name}", line
            if name.startswith("__") and name.endswith("__") and name not in SAFE_DUNDERS:
                return f"{name} looks names up dynamically, which a from-scratch exercise may not do", line
            if name in LIBRARY_INTERNALS or name in DYNAMIC_ATTRIBUTES:
                return f"{name} reaches library internals or looks names up dynamically; use plain tensor operations", line
        elif isinstance(node, ast.Name):
            name = node.id
            if name.startswith("__") and name.endswith("__") and name != "__name__":
                return f"{name} is not allowed in a from-scratch exercise", line
            if name in _BUILTIN_NAMES and name not in SAFE_BUILTINS and not _is_exception(name):
                return f"{name}() is not allowed in a from-scratch exercise (it can look functions up by name)", line
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            modules = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            for module in modules:
                if module.split(".")[0] not in SAFE_MODULES or node_level(node):
                    return f"importing {module or 'a relative module'} is not allowed in a from-scratch exercise", line
            if isinstance(node, ast.ImportFrom):
                for alias in node.names:
                    if alias.name == "*" or _banned(alias.name, banned):
                        return f"do not import the library's {alias.name}", line
                    if alias.name in LIBRARY_INTERNALS or alias.name in DYNAMIC_ATTRIBUTES:
                        return f"importing {alias.name} is not allowed in a from-scratch exercise", line
            for alias in node.names:
                for part in alias.name.split("."):
                    if _banned(part, banned) or part in LIBRARY_INTERNALS:
                        return f"do not import the library's {alias.name}", line
    return None


def node_level(node):
    return getattr(node, "level", 0) or 0


_BUILTIN_NAMES = set(dir(builtins))


def _is_exception(name):
    value = getattr(builtins, name, None)
    return isinstance(value, type) and issubclass(value, BaseException)
