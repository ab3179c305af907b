"""The command line as instructors' and CI's scripts call it: output formats and exit codes."""

import json
import subprocess
import sys

import pytest

from autograder import course
from autograder.cli import submission_name
from autograder.settings import ROOT

ASSIGNMENT = "03_softmax_regression"


def cli(*args):
    return subprocess.run([sys.executable, "-m", "autograder", *map(str, args)], cwd=ROOT, capture_output=True, text=True)


def test_grade_json_prints_exactly_one_gradescope_object_and_exits_zero_for_a_zero_score(tmp_path):
    blank = course.get(ASSIGNMENT).release
    done = cli("grade", blank, "-a", ASSIGNMENT, "--json", "--jobs", "1")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["score"] == 0 and result["max_score"] > 0
    assert set(result) >= {"score", "max_score", "tests", "output", "visibility"}
    for test in result["tests"]:
        assert set(test) >= {"name", "score", "max_score", "status", "output", "visibility"}
        assert test["status"] in ("passed", "failed")


def test_unreadable_submission_still_gets_a_full_record(tmp_path):
    junk = tmp_path / "alice.ipynb"
    junk.write_bytes(b"\x89PNG\r\n")
    done = cli("grade", junk, "-a", ASSIGNMENT, "--json", "--out", tmp_path / "out", "--jobs", "1")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["score"] == 0 and "not UTF-8" in result["output"]
    assert all("could not be read" in t["output"] for t in result["tests"])
    assert json.loads((tmp_path / "out" / "results" / "alice.json").read_text()) == result


def test_grading_failures_and_usage_errors_have_their_own_exit_codes(tmp_path):
    assert cli("grade", tmp_path / "missing.ipynb", "-a", ASSIGNMENT, "--jobs", "1").returncode == 1
    wrong = cli("grade", tmp_path / "x.ipynb", "-a", "99_nothing")
    assert wrong.returncode == 2 and "unknown assignment" in wrong.stderr


def test_solve_writes_a_reference_submission(tmp_path):
    out = tmp_path / "ref.ipynb"
    assert cli("solve", ASSIGNMENT, "-o", out).returncode == 0
    assert "def softmax(X):" in out.read_text() and "NotImplementedError()" not in out.read_text()


@pytest.mark.parametrize(
    ("path", "name"),
    [("submitted/bob/03_x/03_x.ipynb", "bob"), ("class/carol.ipynb", "carol"), ("dave.ipynb", "dave")],
)
def test_submission_names(path, name):
    assert submission_name(path) == name
