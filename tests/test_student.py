"""The trusted side of the protocol against a real worker process: values, handles, failures."""

import time

import pytest
import torch

from autograder import expect
from autograder.client import WorkerClient
from autograder.student import CheckTimeout, Remote, Session, StudentError, WorkerDied, is_instance

CELLS = [
    ("setup", "import os, sys, torch\nfrom torch import nn"),
    (
        "funcs",
        "def double(x):\n    return x * 2\n\ndef gen(n):\n    yield from range(n)\n\ndef boom():\n    raise ValueError('nope')",
    ),
    ("broken", "def half(x):\n    return x / 2\nundefined_name"),
    ("lies", "class Evil(int):\n    def __eq__(self, other):\n        return True\n\ndef evil():\n    return Evil(3)"),
    (
        "loops",
        "def spin():\n    while True:\n        pass\n\ndef die():\n    os._exit(3)\n\ndef chatty():\n    print('x' * 10_000_000)\n    return 1",
    ),
    ("update", "def sgd(params, lr):\n    for p in params:\n        p.data -= lr * p.grad"),
]


@pytest.fixture
def session(settings):
    worker = WorkerClient(settings)
    for name, source in CELLS:
        worker.run_cell(name, source)
    yield Session(worker, dict(CELLS))
    worker.stop()


def test_calls_send_and_return_tensors_by_value(session):
    x = torch.randn(3, 2, dtype=torch.float64)
    out = session.double(x)
    assert type(out) is torch.Tensor and torch.equal(out, x * 2)


def test_cell_errors_are_recorded_with_their_line(session):
    error = session.worker.cell_errors["broken"]
    assert error["type"] == "NameError" and error["where"] == "cell broken, line 3"
    assert session.half(4) == 2, "definitions before the failing line still exist"


def test_student_exceptions_become_student_errors(session):
    with pytest.raises(StudentError, match=r"boom\(\.\.\.\) raised ValueError: nope \(in boom, cell funcs, line 8\)"):
        session.boom()


def test_missing_names_explain_failed_cells(settings):
    worker = WorkerClient(settings)
    worker.run_cell("softmax", "def softmax(X)\n    return X")
    try:
        with pytest.raises(StudentError, match="softmax is not defined in your notebook; cell 'softmax' raised SyntaxError"):
            Session(worker, {}).get("softmax")
    finally:
        worker.stop()


def test_objects_stay_behind_handles(session):
    nn = session.lib("torch.nn")
    layer = nn.Linear(3, 2)
    assert isinstance(layer, Remote) and is_instance(layer, "torch.nn.modules.module.Module")
    layer.load_state_dict({"weight": torch.ones(2, 3), "bias": torch.zeros(2)})
    assert torch.equal(layer(torch.ones(1, 3)), torch.full((1, 2), 3.0))
    layer.training = False
    assert layer.training is False
    assert list(session.gen(4)) == [0, 1, 2, 3]
    assert len(session.put([1, 2, 3])) == 3


def test_in_place_updates_travel_back_through_put_and_fetch(session):
    w = torch.ones(3, dtype=torch.float64, requires_grad=True)
    (w * torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64)).sum().backward()
    remote = session.put(w)
    remote.grad = w.grad
    session.sgd([remote], 0.5)
    assert torch.equal(session.fetch(remote), torch.tensor([0.5, 0.0, -0.5], dtype=torch.float64))


def test_a_lying_int_is_not_an_int(session):
    value = session.evil()
    assert isinstance(value, Remote) and value != 3
    with pytest.raises(AssertionError, match="should be a Python float"):
        expect.python_float(value, "evil()")


def test_only_whitelisted_libraries(session):
    with pytest.raises(StudentError, match="ImportError"):
        session.lib("os")


def test_printing_does_not_break_the_protocol(session):
    assert session.chatty() == 1


def test_a_timeout_kills_the_worker_and_the_next_request_restarts_it(session):
    generation = session.worker.generation
    session.worker.deadline = time.monotonic() + 1.0
    started = time.monotonic()
    with pytest.raises(CheckTimeout):
        session.spin()
    assert time.monotonic() - started < 5
    session.worker.deadline = None
    assert session.double(2) == 4, "cells were replayed in a fresh worker"
    assert session.worker.generation == generation + 1


def test_exiting_worker_is_reported_and_stale_handles_refused(session):
    layer = session.lib("torch.nn").Linear(2, 2)
    with pytest.raises(WorkerDied, match="exited with status 3"):
        session.die()
    with pytest.raises(WorkerDied, match="restarted"):
        layer(torch.ones(1, 2))
    assert session.double(3) == 6


def test_sys_exit_in_a_cell_is_a_cell_error(settings):
    worker = WorkerClient(settings)
    try:
        error = worker.run_cell("quit", "import sys\nsys.exit(0)")
        assert error["type"] == "SystemExit"
        assert worker.run_cell("after", "x = 1") is None
    finally:
        worker.stop()


PROBES = """
import os, signal
def leave(name):
    with open(os.path.join('/tmp', name), 'w') as f:
        f.write('secret')
    with open(name, 'w') as f:
        f.write('secret')
def look(name):
    return os.path.exists(os.path.join('/tmp', name)) or os.path.exists(name)
def parent_memory():
    try:
        with open(f'/proc/{os.getppid()}/mem', 'rb') as f:
            return 'readable'
    except OSError as exc:
        return type(exc).__name__
def kill_parent():
    os.kill(os.getppid(), signal.SIGKILL)
    return os.getppid()
"""


@pytest.fixture
def warm_settings(settings):
    settings = settings.__class__(config=settings.config)
    settings.warm_workers = True
    return settings


def fresh(settings):
    worker = WorkerClient(settings)
    worker.run_cell("probes", PROBES)
    return worker, Session(worker, {})


def test_warm_workers_share_nothing_between_submissions(warm_settings):
    first, student = fresh(warm_settings)
    student.leave("left-behind")
    assert student.look("left-behind")
    first.stop()
    second, student = fresh(warm_settings)
    try:
        assert not student.look("left-behind"), "a later submission must not see an earlier one's files"
        if second.sandboxed:
            assert student.parent_memory() != "readable", "the zygote's memory must be out of reach"
    finally:
        second.stop()


def test_killing_the_zygote_costs_only_a_restart(warm_settings):
    worker, student = fresh(warm_settings)
    try:
        assert isinstance(student.kill_parent(), int)
    except StudentError as exc:  # where Landlock scopes signals, the zygote is out of the worker's reach
        assert "PermissionError" in str(exc)
    finally:
        worker.stop()
    worker, student = fresh(warm_settings)
    try:
        assert student.look("nothing") is False
    finally:
        worker.stop()


def test_cold_workers_still_work(settings):
    settings = settings.__class__(config=settings.config)
    settings.warm_workers = False
    worker, student = fresh(settings)
    try:
        assert student.look("nothing") is False
    finally:
        worker.stop()
