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
from autograder.variants import Alternative, with_alternative

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


def test_the_submitted_notebook_is_found_by_the_classroom_rule_inside_the_upload_only(tmp_path):
    upload, name = tmp_path / "submission", f"{ASSIGNMENT}.ipynb"
    (upload / "my work" / ".ipynb_checkpoints").mkdir(parents=True)
    (upload / "my work" / ".ipynb_checkpoints" / name).write_text("{}")
    (upload / "__MACOSX").mkdir()
    (upload / "__MACOSX" / f"._{name}").write_text("{}")
    assert gradescope._submitted_notebook(upload, ASSIGNMENT) == (
        None,
        f"no notebook was found in your submission: upload {name}",
    )
    (upload / "my work" / "draft.ipynb").write_text("{}")
    assert gradescope._submitted_notebook(upload, ASSIGNMENT) == (upload / "my work" / "draft.ipynb", "")
    (upload / "my work" / name).write_text("{}")
    assert gradescope._submitted_notebook(upload, ASSIGNMENT) == (upload / "my work" / name, "")
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / name).write_text("{}")
    for path in (upload / "my work" / name, upload / "my work" / "draft.ipynb"):
        path.unlink()
    (upload / "linked").symlink_to(outside)
    (upload / "other.ipynb").symlink_to(outside / name)
    path, problem = gradescope._submitted_notebook(upload, ASSIGNMENT)
    assert path is None and "are not read" in problem, "neither a linked folder nor a linked notebook is followed"
    assert gradescope._submitted_notebook(tmp_path / "missing", ASSIGNMENT)[0] is None


def test_worker_memory_fits_the_container():
    assert gradescope.worker_memory_mb(6144, container=None) == 6144
    assert gradescope.worker_memory_mb(6144, container=3072) == 3072 - gradescope.GRADER_RESERVE_MB
    assert gradescope.worker_memory_mb(6144, container=12288) == 6144
    assert gradescope.worker_memory_mb(6144, container=1024) == 256


def test_run_autograder_fails_closed_and_keeps_the_kit_out_of_reach():
    script = gradescope.RUN_AUTOGRADER.format(assignment=ASSIGNMENT)
    assert "COURSE_KIT_REQUIRE_SANDBOX=1" in script and 'chmod go-rwx "$SOURCE" "$ROOT/results"' in script
    assert "bubblewrap" not in gradescope.SETUP_SH.split("apt-get install", 1)[1].splitlines()[0]


@pytest.mark.slow
def test_run_autograder_as_root_without_bubblewrap_confines_with_landlock(archive, tmp_path):
    """Gradescope's conditions: root, bwrap present but unable to create namespaces; auto must take landlock."""
    from tiers import as_tier, reach_outside, tier_missing

    if tier_missing("landlock-root"):
        pytest.skip(tier_missing("landlock-root"))
    root = tmp_path / "autograder"
    with zipfile.ZipFile(archive) as z:
        z.extractall(root / "source")
    shutil.copy(root / "source" / "run_autograder", root / "run_autograder")
    (root / "run_autograder").chmod(0o755)
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "bwrap").write_text("#!/bin/sh\necho 'bwrap: setting up uid map: Permission denied' >&2\nexit 1\n")
    (fake / "bwrap").chmod(0o755)
    (tmp_path / "hold").mkdir()
    secret = "gradescope-secret-0c7e"
    reads = [root / "source" / "course_secret", root / "source" / "autograder" / "checks" / "test_softmax_regression.py"]
    writes = [root / "results" / "results.json", root / "source" / "run_autograder", tmp_path / "escaped"]
    attack = reach_outside([str(p) for p in reads], [str(p) for p in writes], secret)
    assignment = course.get(ASSIGNMENT)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "COURSE_KIT_SANDBOX")}
    env.update(AUTOGRADER_PYTHON=sys.executable, COURSE_KIT_SECRET=secret, PATH=f"{fake}:/usr/bin:/bin")
    argv, env = as_tier("landlock-root", [str(root / "run_autograder"), str(root)], env, str(tmp_path / "hold"))
    env.pop("COURSE_KIT_SANDBOX")  # auto, as in the zip
    from test_redteam import ATTACKS

    submissions = {"reference": notebooks.solve(assignment)}
    targets = {"reach-outside": "get_fashion_mnist_labels"}
    submissions["reach-outside"] = with_alternative(
        assignment, Alternative(cell="get_fashion_mnist_labels", code=attack, why="an attack")
    )
    for name in ("kill-everything", "import-the-grader", "rewrite-checks-on-disk"):
        targets[name], code = ATTACKS[name]
        submissions[name] = with_alternative(assignment, Alternative(cell=targets[name], code=code, why="an attack"))
    scores = {}
    for name, notebook in submissions.items():
        shutil.rmtree(root / "submission", ignore_errors=True)
        notebooks.write(notebook, root / "submission" / f"{ASSIGNMENT}.ipynb")
        done = subprocess.run(argv, env=env, cwd=tmp_path, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr[-3000:]
        result = json.loads((root / "results" / "results.json").read_text())
        assert "graded in the landlock sandbox" in result["output"] and "uid 65534" in result["output"]
        scores[name] = results.Result.from_json(result).per_exercise()
    reference = scores.pop("reference")
    assert all(score == top for score, top in reference.values())
    for name, target in targets.items():
        assert scores[name][target][0] == 0, f"{name} earned points in Gradescope's conditions"
        assert {e: s for e, s in scores[name].items() if e != target} == {e: s for e, s in reference.items() if e != target}
    assert not (tmp_path / "escaped").exists() and "escaped" not in (root / "source" / "run_autograder").read_text()
