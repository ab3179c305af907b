"""Fast tests of the hardening pieces on their own: bounded wire, deadlines, escaping, from-scratch, discovery, data."""

import os
import time
import types
import xml.etree.ElementTree as ET

import pytest

from autograder import classroom, data, escape, expect, reports, results
from autograder.worker import wire

# --- wire: bounded before the work, deadlines both ways ----------------------------------------------------


def test_colliding_int_keys_are_refused_quickly():
    m = (1 << 61) - 1  # every key hashes alike
    value = {"$dict": [[{"$bigint": str(m * i + 7)}, 0] for i in range(1, 20_000)]}
    started = time.monotonic()
    with pytest.raises(wire.WireError, match="dict keys"):
        wire.decode(value, wire.torch_tag)
    assert time.monotonic() - started < 2.0


@pytest.mark.parametrize("body", [b"[" * 100_000 + b"]" * 100_000, b'{"a":' * 50_000 + b"1" + b"}" * 50_000])
def test_deep_json_is_a_wire_error(body):
    with pytest.raises(wire.WireError, match="nested"):
        wire.parse(body)


def test_too_many_values_are_refused_before_parsing():
    with pytest.raises(wire.WireError, match="values"):
        wire.parse(b"[" + b"0," * wire.MAX_ELEMENTS + b"0]")


def test_decoding_stops_at_its_deadline():
    with pytest.raises(wire.Deadline):
        wire.decode(list(range(100_000)), wire.torch_tag, budget=wire.Budget(time.monotonic() - 1))


def test_send_to_a_reader_that_never_reads_meets_its_deadline():
    read_end, write_end = os.pipe()
    try:
        started = time.monotonic()
        with pytest.raises(wire.Deadline):
            wire.send(write_end, {"x": "a" * 5_000_000}, time.monotonic() + 0.3)
        assert time.monotonic() - started < 2.0
    finally:
        os.close(read_end)
        os.close(write_end)


# --- escaping: one function per destination ----------------------------------------------------------------

NASTY = "$\\foo$ \x1b[2J\x1b]0;title\x07<b>x</b> \x00\x0b\u202e | *y*"


def test_terminal_text_has_no_escape_sequences_or_controls():
    text = escape.terminal(NASTY + "\nnext\tline")
    assert "\x1b" not in text and "\x07" not in text and "\x00" not in text and "\u202e" not in text
    assert "\nnext\tline" in text and "title" not in text


@pytest.mark.parametrize("name", ["=cmd|' -C calc'!A0", "+1", "-2+3", "@SUM(A1)", "\t=x"])
def test_csv_cells_are_never_formulas(name):
    assert escape.csv_cell(name).startswith("'")
    assert escape.csv_cell(3.5) == 3.5


def test_markdown_html_and_xml_escaping():
    assert "<b>" not in escape.markdown(NASTY) and "\\|" in escape.markdown(NASTY) and "\n" not in escape.markdown("a\nb")
    assert "<b>" not in escape.html(NASTY) and "\x1b" not in escape.html(NASTY)
    ET.fromstring(f"<a>{escape.xml(NASTY).replace('<', '&lt;')}</a>")


def _result(message, name="ex"):
    return results.Result.from_json(
        {
            "score": 0.0,
            "max_score": 1.0,
            "output": message,
            "tests": [
                {
                    "name": f"{name}: {message}",
                    "score": 0.0,
                    "max_score": 1.0,
                    "status": "failed",
                    "output": message,
                    "extra_data": {"check": "test_x", "exercise": name},
                }
            ],
        }
    )


def test_class_outputs_survive_hostile_text(tmp_path):
    named = {"=cmd|' -C calc'!A0": _result(NASTY), "\x1b[31mred": _result("$x^$ \\frac{", name="$\\alpha$")}
    written = reports.write_all(tmp_path, "03_x", named, broken={"\x01bad": ["\x1b[2J boom \x00"]})
    assert written["plot_errors"] == []
    ET.parse(tmp_path / "junit.xml")
    rows = (tmp_path / "grades.csv").read_text().splitlines()[1:]
    assert any(row.startswith("'=cmd") for row in rows) and not any(row.startswith(("=", "\x1b")) for row in rows)
    report = (tmp_path / "report" / "report.md").read_text()
    assert "<b>" not in report and "\x1b" not in report
    for plot in reports.PLOTS:
        assert (tmp_path / "report" / plot).stat().st_size > 0


def test_a_plot_that_cannot_be_drawn_is_a_note(tmp_path, monkeypatch):
    def broken(plt, stats):
        raise ValueError("cannot draw")

    monkeypatch.setattr(reports, "_failures", broken)
    errors = []
    paths = reports.plots(reports.summary({"a": _result("x")}, "03_x"), tmp_path, errors)
    assert len(paths) == 2 and errors and "cannot draw" in errors[0]


# --- from scratch: everything the cell reaches, dynamic lookups refused --------------------------------------

HONEST = "def softmax(X):\n    X_exp = torch.exp(X)\n    return X_exp / X_exp.sum(1, keepdim=True)"


@pytest.mark.parametrize(
    "sources",
    [
        {"softmax": "def softmax(X):\n    return torch.__dict__['soft' + 'max'](X, dim=1)"},
        {"softmax": "def softmax(X):\n    return getattr(torch, 'soft' + 'max')(X, dim=1)"},
        {"softmax": "def softmax(X):\n    return vars(torch)['softmax'](X, 1)"},
        {"softmax": "import importlib\n\ndef softmax(X):\n    return importlib.import_module('torch').exp(X)"},
        {"softmax": "def softmax(X):\n    return torch.ops.aten._softmax(X, 1, False)"},
        {"softmax": "def softmax(X):\n    return helper(X)", "other": "def helper(X):\n    return X.softmax(1)"},
        {
            "softmax": "def softmax(X):\n    return h(X)",
            "other": "def g(X):\n    return torch.softmax(X, 1)\nh = lambda X: g(X)",
        },
    ],
)
def test_from_scratch_refuses_what_reaches_a_library_function(sources):
    with pytest.raises(AssertionError, match="from scratch"):
        expect.from_scratch(types.SimpleNamespace(sources=sources), "softmax", {"softmax", "log_softmax"}, "softmax")


def test_from_scratch_ignores_unreached_cells_and_locals():
    sources = {"softmax": HONEST, "other": "X_exp = torch.softmax(torch.ones(2, 2), 1)\ndemo = torch.softmax"}
    expect.from_scratch(types.SimpleNamespace(sources=sources), "softmax", {"softmax"}, "softmax")


# --- discovery: symlinks reported, never read ---------------------------------------------------------------


def test_symlinks_in_a_class_folder_are_reported_not_graded(tmp_path):
    (tmp_path / "alice.ipynb").write_text("{}")
    (tmp_path / "bob.ipynb").symlink_to("/etc/passwd")
    (tmp_path / "carol.ipynb").symlink_to(tmp_path / "alice.ipynb")
    notes = []
    found = classroom.discover([tmp_path], "03_softmax_regression", notes)
    assert [s.student for s in found] == ["alice"]
    assert sum("a symlink; skipped, not read" in n for n in notes) == 2
    with pytest.raises(OSError):
        classroom.read_submission(tmp_path / "bob.ipynb", 1 << 20)


def test_a_fifo_is_not_read(tmp_path):
    os.mkfifo(tmp_path / "dave.ipynb")
    with pytest.raises(OSError):
        classroom.read_submission(tmp_path / "dave.ipynb", 1 << 20)


# --- data: each seed disguises the digits --------------------------------------------------------------------


def test_digit_splits_rename_classes_and_move_pixels():
    images, labels = data.digits()
    train_a, labels_a, _, _ = data.digits_split(1)
    train_b, labels_b, _, _ = data.digits_split(2)
    assert sorted(set(labels_a.tolist())) == list(range(10))
    originals = {tuple(x.flatten().tolist()[:50]) for x in images[:200]}
    moved = sum(tuple(x.flatten().tolist()[:50]) not in originals for x in train_a[:50])
    assert moved > 0 or not (train_a[:5] == train_b[:5]).all()


# --- a real worker: the watchdog, type claims checked by behaviour ------------------------------------------


@pytest.mark.parametrize("warm", [True, False])
def test_the_watchdog_ends_a_stuck_submission(settings, warm):
    import threading

    from autograder.client import WorkerClient
    from autograder.student import CheckTimeout

    settings = settings.__class__(config=settings.config)
    settings.warm_workers = warm
    worker = WorkerClient(settings)
    try:
        threading.Timer(1.0, worker.expire, ["the budget ran out"]).start()
        started = time.monotonic()
        error = worker.run_cell("stuck", "import time\ntime.sleep(600)")
        assert time.monotonic() - started < 30 and error is not None
        with pytest.raises(CheckTimeout, match="budget"):
            worker.request({"op": "hello"})
    finally:
        worker.stop()


def test_a_forged_module_claim_is_checked_by_behaviour(settings):
    from autograder.client import WorkerClient
    from autograder.student import Session, is_instance

    worker = WorkerClient(settings)
    cells = {
        "cells": "import torch\nfrom torch import nn\n"
        "class Module:\n    pass\n\n\nModule.__module__ = 'torch.nn.modules.module'\n\n\n"
        "class Fake(Module):\n    pass\n\n\nclass Real(nn.Module):\n    pass\n"
    }
    try:
        worker.run_cell("cells", cells["cells"])
        student = Session(worker, cells)
        fake, real = student.Fake(), student.Real()
        assert "torch.nn.modules.module.Module" in fake._types, "the forged claim reaches the grader"
        assert not is_instance(fake, "torch.nn.modules.module.Module")
        assert is_instance(real, "torch.nn.modules.module.Module") and real.training is True
    finally:
        worker.stop()


def test_a_tensor_claim_holds_for_real_tensors_on_any_device_and_fails_for_a_fake(settings):
    from autograder.client import WorkerClient
    from autograder.student import Session, is_instance

    worker = WorkerClient(settings)
    cells = {
        "cells": "import torch\n\n\ndef real(device):\n    return torch.ones(2, 3, device=device)\n\n\n"
        "class Tensor:\n    is_meta = True\n\n\nTensor.__module__ = 'torch'\n\n\ndef fake():\n    return Tensor()\n"
    }
    try:
        worker.run_cell("cells", cells["cells"])
        student = Session(worker, cells)
        meta = student.call(student.real, ["meta"], as_handle=True, label="real('meta')")
        assert is_instance(meta, "torch.Tensor"), "a meta tensor has no values, yet it is a tensor"
        fake = student.call(student.fake, [], as_handle=True, label="fake()")
        assert "torch.Tensor" in fake._types and not is_instance(fake, "torch.Tensor")
    finally:
        worker.stop()
