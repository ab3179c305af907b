"""Notebooks as students really hand them in get full marks, feedback names what the student wrote, and the kit
grades from anywhere on disk (a clone and virtual environment under /tmp included)."""

import hashlib
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat
import pytest

from autograder import course, handins, notebooks, sandbox, submission
from autograder.grade import grade_bytes
from autograder.settings import ROOT

ASSIGNMENTS = [a.id for a in course.assignments()]
INTERNAL = re.compile(r"kitworker|harness")


def failed(result):
    return {t["name"]: t["output"] for t in result["tests"] if t["status"] == "failed"}


@pytest.mark.slow
@pytest.mark.parametrize("assignment_id", ASSIGNMENTS)
def test_every_kind_of_real_hand_in_gets_full_marks(assignment_id, monkeypatch):
    """Notes-style % lines, magics and shell lines, helpers in added cells, no metadata, 100 MiB of outputs,
    BOM and CRLF, nbformat 4.0 and 4.4: correct code written and saved as students do never loses a point.

    Each hand-in is judged with the reference submission's seeds, so this proves how notebooks are read and
    run, apart from how any check's random draws fall (test_grading covers the reference itself).
    """
    assignment = course.get(assignment_id)
    reference = nbformat.writes(notebooks.solve(assignment)).encode()
    read = submission.plan

    def with_reference_seeds(data, *args, **kwargs):
        plan = read(data, *args, **kwargs)
        plan.digest = hashlib.sha256(reference).hexdigest()
        return plan

    monkeypatch.setattr(submission, "plan", with_reference_seeds)
    for kind, data in {"reference": reference, **handins.build(assignment)}.items():
        result, internal = grade_bytes(data, assignment, device="cpu")
        result = result.to_json()
        assert not internal, (kind, internal)
        assert result["score"] == result["max_score"] > 0, (kind, failed(result))
        assert "Problem" not in result["output"], (kind, result["output"])
        assert not INTERNAL.search(json.dumps(result)), kind


# --- feedback names what the student wrote ----------------------------------------------------------

LINEAR = course.get("02_linear_regression")


def _graded(edit):
    notebook = notebooks.solve(LINEAR)
    for cell in notebook.cells:
        if notebooks.grade_id(cell) in edit:
            old, new = edit[notebooks.grade_id(cell)]
            assert cell.source.count(old) == 1
            cell.source = cell.source.replace(old, new)
    result, internal = grade_bytes(nbformat.writes(notebook).encode(), LINEAR, device="cpu")
    result = result.to_json()
    assert not internal
    return {t["extra_data"]["check"]: t["output"] for t in result["tests"]}, result


@pytest.mark.slow
def test_a_linreg_bug_that_surfaces_in_training_names_linreg_and_no_internal_name():
    outputs, result = _graded({"linreg": ("torch.mm(X, w) + b", "torch.mm(X, w.detach()) + b")})
    training = outputs["test_two_epochs_step_by_step"]
    assert "linreg" in training and "in sgd, cell sgd, line" in training, training
    assert not INTERNAL.search(json.dumps(result))
    gradient = outputs["test_linreg_gradient"]
    assert "no gradient reached its argument w of linreg" in gradient, gradient


def test_grader_helper_calls_are_named_by_the_students_functions():
    from autograder.student import Remote, _call_label, plain

    class Fake:
        class worker:
            generation = 0

    session = Fake()
    helper = Remote(session, 1, ["builtins.function"], "kitworker.harness.train_linreg")
    mine = [Remote(session, i, ["builtins.function"], name) for i, name in enumerate(["linreg", "squared_loss", "sgd"], 2)]
    values = Remote(session, 9, ["torch.Tensor"], "value")
    label = _call_label(helper, [*mine, values, 0.03], {})
    assert label == "running your linreg, squared_loss and sgd together"
    assert _call_label(mine[0], [1], {}) == "linreg(...)"
    assert plain("kitworker.harness.train_linreg() failed in harness.vjp") == "train_linreg() failed in vjp"


def test_thresholds_are_shown_as_configured():
    for path in sorted((ROOT / "autograder" / "checks").glob("test_*.py")):
        text = path.read_text()
        assert not re.search(r"\{(threshold|ratio)[^}]*:\.\d+[f%]\}", text), f"{path.name} rounds a configured threshold"


def test_replayed_cells_are_never_blamed(settings):
    from autograder.client import WorkerClient
    from autograder.student import CheckTimeout, Session, StudentError

    worker = WorkerClient(settings)
    try:
        worker.run_cell("setup", "import time\nSLOW = [False]")
        worker.run_cell("work", "def work():\n    return 1\ndef stall():\n    while True:\n        pass")
        session = Session(worker, {})
        with pytest.raises(CheckTimeout):
            worker.deadline = __import__("time").monotonic() + 1
            session.stall()
        worker.deadline = None
        assert session.work() == 1  # a fresh process, the cells replayed
        assert worker.cell_errors == {}
        worker.replay_errors.clear()
        worker.kill()
        worker.cells.insert(0, ("setup", "raise RuntimeError('flaky')"))  # a replay that fails now
        assert session.get("work")() == 1
        assert "setup" in worker.replay_errors and "setup" not in worker.cell_errors
        with pytest.raises(StudentError) as info:
            session.get("missing_name")
        assert "setup" not in str(info.value)
    finally:
        worker.stop()


# --- the grade table and --json ------------------------------------------------------------------


def _cli(*args, cwd=ROOT, python=sys.executable):
    return subprocess.run([python, "-m", "autograder", *map(str, args)], cwd=cwd, capture_output=True, text=True)


@pytest.mark.slow
def test_problems_are_printed_under_the_grade_table(tmp_path):
    (tmp_path / "notes.ipynb").write_text('{"hello": 1}')
    other = notebooks.read(course.get("01_preliminaries").release)
    notebooks.write(other, tmp_path / "other.ipynb")
    done = _cli("grade", tmp_path, "-a", "02_linear_regression", "--jobs", "1")
    assert done.returncode == 0, done.stderr
    table, _, reasons = done.stdout.partition("problems:")
    assert re.search(r"^notes\s.*0/19$", table, re.M) and re.search(r"^other\s.*0/19$", table, re.M)
    assert "notes: your notebook could not be read: the file is JSON but not a Jupyter notebook" in reasons
    assert "other: no cell of this notebook belongs to 02_linear_regression" in reasons


def test_a_missing_file_with_json_prints_one_results_object(tmp_path):
    done = _cli("grade", tmp_path / "missing.ipynb", "-a", "02_linear_regression", "--json", "--jobs", "1")
    assert done.returncode == 1
    result = json.loads(done.stdout)
    assert type(result) is dict and result["score"] == 0 and "No such file" in result["output"]


# --- anywhere on disk -----------------------------------------------------------------------------


def test_the_private_tmp_is_mounted_before_the_python_installation(monkeypatch):
    monkeypatch.setattr(sandbox, "_python_roots", lambda: ["/usr", "/tmp/clone/.venv"])
    monkeypatch.setattr(sandbox, "bubblewrap", lambda: "/usr/bin/bwrap")
    argv = sandbox.wrap(["python"], "/scratch", "/runtime")
    private = argv.index("/scratch")
    assert argv[private + 1] == "/tmp" and private < argv.index("/tmp/clone/.venv")


@pytest.mark.slow
def test_grading_from_a_clone_and_virtual_environment_under_tmp():
    """The working tree copied under /tmp with its venv linked there: sys.prefix is under /tmp, hidden by a naive sandbox."""
    clone = Path(tempfile.mkdtemp(prefix="kit-clone-", dir="/tmp"))
    try:
        tracked = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
        for name in filter(None, tracked.decode().split("\0")):
            if (ROOT / name).is_file():
                (clone / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(ROOT / name, clone / name)
        (clone / ".venv").symlink_to(Path(sys.prefix).resolve(), target_is_directory=True)
        python = clone / ".venv" / "bin" / "python"
        assert _cli("solve", "02_linear_regression", "-o", clone / "ref.ipynb", cwd=clone, python=python).returncode == 0
        done = _cli(
            "grade", clone / "ref.ipynb", "-a", "02_linear_regression", "--json", "--jobs", "1", cwd=clone, python=python
        )
        assert done.returncode == 0, done.stderr[-2000:]
        result = json.loads(done.stdout)
        assert result["score"] == result["max_score"] > 0, failed(result)
        if sandbox.bubblewrap():
            assert "without a sandbox" not in result["output"]
    finally:
        shutil.rmtree(clone, ignore_errors=True)
