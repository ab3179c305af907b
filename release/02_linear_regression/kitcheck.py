"""Public checks in the student's own kernel: ``check("softmax")`` runs one exercise's, ``check()`` all.

This file ships next to every release notebook (the release step copies it
there) together with the assignment's ``public_checks.py``. It needs only the
standard library and PyTorch, runs offline on CPU, and prints a small table:
the public points each exercise earns and, for each failure, the message
that teaches what is wrong.

Public checks are a quick, visible sample. The grade comes from hidden checks
that run on other inputs, in a separate process, and test more.

Writing public checks (``public_checks.py``) follows the hidden checks'
conventions: each check is a function ``(student, rng)`` decorated with
``@public(exercise, points=n)``, reaches the notebook's names through
``student`` (``student.softmax(X)``), draws its inputs from ``rng`` (a
``torch.Generator`` seeded afresh on each run) and asserts with messages that
teach and never print.
"""

import contextlib
import html
import importlib
import inspect
import io
import os
import random
import secrets
import sys
import time
import traceback

import torch

DATA_ROOT = 'data'  # the release step writes the course's Grading.data_root here
CHECKS_MODULE = "public_checks"
GRADE_NOTE = (
    "These are public checks on a few inputs. Your grade comes from hidden checks on other inputs, "
    "which test more: passing here does not promise those points."
)


class Missing(Exception):
    """A name the check needs is not defined in the notebook."""


# --- writing checks ----------------------------------------------------------------------


def public(exercise, points=1):
    """Mark a function (student, rng) as a public check of `exercise` worth `points`."""

    def mark(fn):
        fn.kit_exercise, fn.kit_points = exercise, points
        return fn

    return mark


def randint(rng, low, high):
    """An int in [low, high), drawn from rng (a torch.Generator)."""
    return int(torch.randint(low, high, (1,), generator=rng))


def kind(value):
    """A short description of a value's type for messages."""
    return f"a {type(value).__name__}"


def tensor(value, what, shape=None, dtype=None):
    """value must be a torch.Tensor, with this shape and dtype when given."""
    if not isinstance(value, torch.Tensor):
        raise AssertionError(f"{what} should be a torch.Tensor, but it is {kind(value)}")
    if shape is not None and tuple(value.shape) != tuple(shape):
        raise AssertionError(f"{what} has shape {tuple(value.shape)}, but its documented shape here is {tuple(shape)}")
    if dtype is not None and value.dtype != dtype:
        raise AssertionError(f"{what} has dtype {value.dtype}, expected {dtype}")
    return value


def close(actual, expected, message, rtol=1e-5, atol=1e-6):
    """actual must equal expected within tolerance; the message is all the student sees."""
    expected = torch.as_tensor(expected)
    actual = tensor(actual, "the result", shape=expected.shape)
    ok = torch.allclose(actual.detach().cpu().to(torch.float64), expected.detach().cpu().to(torch.float64), rtol, atol)
    if not ok:
        raise AssertionError(message)


def python_float(value, what):
    """value must be a built-in float (not a tensor)."""
    if type(value) is not float:
        raise AssertionError(f"{what} should be a Python float (use .item()), but it is {kind(value)}")
    return value


def raises(error_type, call, what):
    """call() must raise the exception named error_type."""
    try:
        call()
    except Exception as exc:  # noqa: BLE001 - any exception is an answer here
        if type(exc).__name__ == error_type:
            return
        raise AssertionError(f"{what} should raise {error_type}, but it raised {type(exc).__name__}") from None
    raise AssertionError(f"{what} should raise {error_type}, but it returned normally")


def is_instance(value, qualified_name):
    """Whether value's class or one of its bases has this qualified name (e.g. 'torch.nn.modules.linear.Linear')."""
    return any(f"{c.__module__}.{c.__qualname__}" == qualified_name for c in type(value).__mro__)


class Student:
    """The notebook's names, as checks see them: ``student.softmax``."""

    def __init__(self, namespace):
        self._namespace = namespace

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        if name not in self._namespace:
            raise Missing(f"{name} is not defined in your notebook: run the cell that defines it (and the cells above) first")
        return self._namespace[name]


# --- running checks ----------------------------------------------------------------------


def load(module=CHECKS_MODULE):
    """The public check functions of a module, in the order they are written."""
    if isinstance(module, str):
        module = importlib.import_module(module)
    found = [f for f in vars(module).values() if inspect.isfunction(f) and hasattr(f, "kit_exercise")]
    return sorted(found, key=lambda f: f.__code__.co_firstlineno)


def exercises(module=CHECKS_MODULE):
    """The exercises with public checks, in order."""
    return list(dict.fromkeys(f.kit_exercise for f in load(module)))


def _own_frame(exc):
    """The last frame of the notebook's code in a traceback: (qualified function name, line), or None."""
    here = {os.path.abspath(__file__)}
    found = None
    for frame, line in traceback.walk_tb(exc.__traceback__):
        path = frame.f_code.co_filename
        library = "site-packages" in path or path.startswith((sys.prefix, sys.base_prefix))
        if os.path.abspath(path) in here or os.path.basename(path) == f"{CHECKS_MODULE}.py" or library:
            continue
        found = (frame.f_code.co_qualname.rsplit("<locals>.", 1)[-1], line)
    return found


def message(exc):
    """The text a student sees for a failed check: the check's message, or what their code raised."""
    if isinstance(exc, AssertionError):
        return str(exc) or "the result is not what this check expects"
    if isinstance(exc, Missing):
        return str(exc)
    frame = _own_frame(exc)
    where = f" (in {frame[0]}, line {frame[1]})" if frame and frame[0] != "<module>" else ""
    if isinstance(exc, NotImplementedError) and not str(exc):
        name = frame[0] if frame and frame[0] != "<module>" else "this exercise"
        return f"{name} is not implemented yet (it raises NotImplementedError)"
    text = str(exc)
    text = text if len(text) <= 300 else text[:297] + "..."
    return f"your code raised {type(exc).__name__}: {text}{where}"


class Report:
    """The outcome of public checks: one record per check, summed per exercise; shows itself as a table."""

    def __init__(self, records, exercise_names):
        self.records = records
        self.exercise_names = exercise_names

    def exercises(self):
        rows = []
        for name in self.exercise_names:
            mine = [r for r in self.records if r["exercise"] == name]
            rows.append(
                {
                    "exercise": name,
                    "score": float(sum(r["points"] for r in mine if r["passed"])),
                    "max_score": float(sum(r["points"] for r in mine)),
                    "messages": [r["message"] for r in mine if not r["passed"]],
                }
            )
        return rows

    def as_dict(self):
        rows = self.exercises()
        return {
            "score": float(sum(r["score"] for r in rows)),
            "max_score": float(sum(r["max_score"] for r in rows)),
            "exercises": rows,
        }

    def text(self):
        return text_table(self.as_dict())

    def _repr_html_(self):
        summary = self.as_dict()
        rows = []
        for row in summary["exercises"]:
            ok = row["score"] == row["max_score"]
            colour = "#1a7f37" if ok else "#cf222e"
            notes = "".join(f"<li>{html.escape(m)}</li>" for m in row["messages"])
            rows.append(
                f"<tr><td><code>{html.escape(row['exercise'])}</code></td>"
                f"<td style='color:{colour};text-align:right'>{_points(row['score'])} / {_points(row['max_score'])}</td>"
                f"<td style='text-align:left'>{'ok' if ok else f'<ul style=margin:0>{notes}</ul>'}</td></tr>"
            )
        if len(summary["exercises"]) > 1:
            rows.append(
                f"<tr><td><b>total</b></td><td style='text-align:right'><b>{_points(summary['score'])} / "
                f"{_points(summary['max_score'])}</b></td><td></td></tr>"
            )
        head = "<tr><th>exercise</th><th>public points</th><th style='text-align:left'>what to fix</th></tr>"
        return f"<table>{head}{''.join(rows)}</table><p><i>{html.escape(GRADE_NOTE)}</i></p>"

    def __repr__(self):
        return self.text()


def text_table(summary):
    """A plain-text table of a summary {score, max_score, exercises: [{exercise, score, max_score, messages}]}."""
    width = max([len("exercise")] + [len(r["exercise"]) for r in summary["exercises"]])
    lines = [f"{'exercise':<{width}}  public points", f"{'-' * width}  -------------"]
    for row in summary["exercises"]:
        mark = "ok" if row["score"] == row["max_score"] else "FAILED"
        lines.append(f"{row['exercise']:<{width}}  {_points(row['score'])} / {_points(row['max_score'])}  {mark}")
        lines.extend(f"{'':<{width}}    - {m}" for m in row["messages"])
    if len(summary["exercises"]) > 1:
        lines.append(f"{'total':<{width}}  {_points(summary['score'])} / {_points(summary['max_score'])}")
    lines.append(GRADE_NOTE)
    return "\n".join(lines)


def _points(value):
    return f"{value:g}"


class _Quiet:
    """Keep the student's random state and grad mode, and hide what their code prints while checks run."""

    def __enter__(self):
        self.grad = torch.is_grad_enabled()
        self.output = contextlib.redirect_stdout(io.StringIO())
        self.output.__enter__()
        self.state = random.getstate(), torch.random.get_rng_state()
        try:
            import numpy

            self.numpy = numpy.random.get_state()
        except ImportError:
            self.numpy = None
        return self

    def __exit__(self, *exc):
        self.output.__exit__(*exc)
        torch.set_grad_enabled(self.grad)
        random.setstate(self.state[0])
        torch.random.set_rng_state(self.state[1])
        if self.numpy is not None:
            import numpy

            numpy.random.set_state(self.numpy)


def run(namespace, exercise=None, module=CHECKS_MODULE, seed=None):
    """Run the public checks (of one exercise, or all) on the names in `namespace`; returns a Report."""
    checks = load(module)
    names = list(dict.fromkeys(f.kit_exercise for f in checks))
    if exercise is not None:
        if exercise not in names:
            raise ValueError(f"no public checks for {exercise!r}; the exercises are: {', '.join(names)}")
        names = [exercise]
    seed = secrets.randbits(62) if seed is None else seed
    student = Student(namespace)
    records = []
    with _Quiet() as quiet:
        for fn in checks:
            if fn.kit_exercise not in names:
                continue
            rng = torch.Generator().manual_seed(seed + fn.__code__.co_firstlineno)
            record = {"name": fn.__name__, "exercise": fn.kit_exercise, "points": fn.kit_points, "passed": True}
            started = time.monotonic()
            try:
                fn(student, rng)
            except Exception as exc:  # noqa: BLE001 - every failure becomes a message
                record.update(passed=False, message=message(exc))
            torch.set_grad_enabled(quiet.grad)  # a check that switched recording off must not spoil the next
            record["seconds"] = round(time.monotonic() - started, 3)
            records.append(record)
    return Report(records, names)


def _notebook_namespace():
    """The namespace of the code calling check(): the kernel's user namespace in Jupyter."""
    try:
        from IPython import get_ipython

        shell = get_ipython()
    except ImportError:
        shell = None
    if shell is not None:
        return shell.user_ns
    return sys._getframe(2).f_globals


def check(exercise=None):
    """Run the public checks of one exercise (``check("softmax")``) or of all (``check()``) and show the table."""
    report = run(_notebook_namespace(), exercise)
    try:
        from IPython import get_ipython
        from IPython.display import display

        in_kernel = get_ipython() is not None
    except ImportError:
        in_kernel = False
    if in_kernel:
        display(report)
    else:
        print(report.text())


# --- data for the demonstrations ---------------------------------------------------------


def data_path(*parts):
    """The folder DATA_ROOT/<parts> next to the notebook or in a folder above it (the course root); None when absent."""
    relative = os.path.join(DATA_ROOT, *parts)
    if os.path.isabs(relative):
        return relative if os.path.exists(relative) else None
    folder = os.getcwd()
    while True:
        candidate = os.path.join(folder, relative)
        if os.path.exists(candidate):
            return candidate
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


def find_data(*parts, how):
    """data_path(*parts), or None after printing where the data belongs and how to get it (nothing is downloaded)."""
    found = data_path(*parts)
    if found is None:
        print(f"skipped: {os.path.join(DATA_ROOT, *parts)} was not found next to this notebook or in a folder above it.")
        print(f"To run this demonstration, {how}")
    return found


FASHION_MNIST_HOW = (
    "download train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz and "
    "t10k-labels-idx1-ubyte.gz from https://github.com/zalandoresearch/fashion-mnist (folder data/fashion), "
    "gunzip them into that folder and run this cell again. Nothing is downloaded for you."
)


def fashion_mnist_root():
    """The data root to pass as load_data_fashion_mnist(..., root=...), or None after saying how to get the files."""
    if find_data("FashionMNIST", "raw", how=FASHION_MNIST_HOW) is None:
        return None
    return data_path()
