"""The Gradescope autograder zip: what it holds, and run_autograder on a fake /autograder tree."""

import json
import os
import shutil
import stat
import subprocess
import sys
import zipfile

import jsonschema
import pytest

from autograder import course, gradescope, notebooks, results

ASSIGNMENT = "03_softmax_regression"


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    return gradescope.build(course.get(ASSIGNMENT), tmp_path_factory.mktemp("zip") / "autograder.zip", secret="s3cret")


def test_the_zip_holds_the_scripts_and_what_grading_needs_and_nothing_for_students(archive):
    with zipfile.ZipFile(archive) as z:
        names = set(z.namelist())
        modes = {info.filename: info.external_attr >> 16 for info in z.infolist()}
        run_autograder = z.read("run_autograder").decode()
    for needed in (
        "setup.sh",
        "run_autograder",
        "course_config.py",
        "requirements.txt",
        "course_secret",
        "autograder/__init__.py",
        "autograder/gradescope.py",
        "autograder/grade.py",
        "autograder/checks/pytest.ini",
        "autograder/checks/test_softmax_regression.py",
        "autograder/worker/loop.py",
        "reference/__init__.py",
        "reference/softmax_regression.py",
        f"source/{ASSIGNMENT}/{ASSIGNMENT}.ipynb",
    ):
        assert needed in names, needed
    assert modes["run_autograder"] & stat.S_IXUSR and modes["setup.sh"] & stat.S_IXUSR
    others = [n for n in names if n.startswith(("autograder/checks/test_", "source/")) and "softmax_regression" not in n]
    assert not others, "other assignments' checks and notebooks stay out"
    assert not [n for n in names if n.startswith(("autograder/variants", "release/", "tests/"))]
    assert f'-m autograder.gradescope "$ROOT" {ASSIGNMENT}' in run_autograder
    assert gradescope.build(course.get(ASSIGNMENT), archive.with_name("again.zip"), secret="s3cret").read_bytes() == (
        archive.read_bytes()
    ), "the same kit builds the same zip"


@pytest.mark.slow
def test_run_autograder_grades_the_submission_into_results_json(archive, tmp_path):
    root = tmp_path / "autograder"
    with zipfile.ZipFile(archive) as z:
        z.extractall(root / "source")
    shutil.copy(root / "source" / "run_autograder", root / "run_autograder")
    (root / "run_autograder").chmod(0o755)
    notebooks.write(notebooks.solve(course.get(ASSIGNMENT)), root / "submission" / "my work" / f"{ASSIGNMENT}.ipynb")
    env = {k: v for k, v in os.environ.items() if k not in ("COURSE_KIT_SECRET", "PYTHONPATH")}
    env["AUTOGRADER_PYTHON"] = sys.executable
    done = subprocess.run([str(root / "run_autograder"), str(root)], env=env, cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    result = json.loads((root / "results" / "results.json").read_text())
    jsonschema.validate(result, results.SCHEMA)
    assert result["score"] == result["max_score"] > 0, [t["output"] for t in result["tests"] if t["status"] != "passed"]

    shutil.rmtree(root / "submission")
    (root / "submission").mkdir()
    (root / "submission" / "notes.txt").write_text("forgot the notebook")
    done = subprocess.run([str(root / "run_autograder")], env=dict(env, AUTOGRADER_ROOT=str(root)), capture_output=True)
    assert done.returncode == 0, done.stderr
    result = json.loads((root / "results" / "results.json").read_text())
    assert result["score"] == 0 and f"upload {ASSIGNMENT}.ipynb" in result["output"]
    assert all(t["output"] == result["output"] for t in result["tests"])
