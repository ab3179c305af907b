"""End to end with real submissions: nbgrader's own commands on a kit course, and a graded class exported.

Slow: it grades a handful of notebooks. One nbgrader course (a copy of the kit's course files, with
nbgrader_config.py) is built once per module.
"""

import csv
import os
import shutil
import subprocess
import sys

import pytest

from autograder import course, notebooks, variants
from autograder.settings import ROOT

ASSIGNMENT = "03_softmax_regression"
BUG = "softmax-dim0"  # a bug the public tests do not catch


def nbgrader(root, *args):
    env = dict(os.environ, PYTHONPATH=str(ROOT), COURSE_KIT_DEVICE="cpu")
    env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")
    return subprocess.run(
        [sys.executable, "-m", "nbgrader", *args], cwd=root, env=env, capture_output=True, text=True, timeout=900
    )


def kit(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "autograder", *map(str, args)], cwd=cwd, capture_output=True, text=True)


@pytest.fixture(scope="module")
def nbgrader_course(tmp_path_factory):
    root = tmp_path_factory.mktemp("course")
    for name in ("course_config.py", "nbgrader_config.py"):
        shutil.copy(ROOT / name, root / name)
    shutil.copytree(ROOT / "source" / ASSIGNMENT, root / "source" / ASSIGNMENT)
    assignment = course.get(ASSIGNMENT)
    bug = assignment.variants().BUGS[BUG]
    for student, notebook in (("amy", notebooks.solve(assignment)), ("bob", variants.with_bug(assignment, bug))):
        folder = root / "submitted" / student / ASSIGNMENT
        notebooks.write(notebook, folder / f"{ASSIGNMENT}.ipynb")
        (folder / "timestamp.txt").write_text("2027-03-03 10:00:00.000000 UTC")
    done = nbgrader(root, "generate_assignment", ASSIGNMENT, "--force")
    assert done.returncode == 0, done.stderr
    return root


@pytest.mark.slow
def test_nbgrader_autograde_grades_through_the_kit_and_regenerating_keeps_everything(nbgrader_course):
    from nbgrader.api import Gradebook

    from autograder import gradebook

    root = nbgrader_course
    done = nbgrader(root, "autograde", ASSIGNMENT)
    assert done.returncode == 0, done.stderr[-3000:]
    db_url = f"sqlite:///{root / 'build' / 'gradebook.db'}"
    kit_scores = gradebook.read_scores(ASSIGNMENT, db_url, "d2l-pytorch")
    with Gradebook(db_url, "d2l-pytorch") as gb:
        top = gb.find_assignment(ASSIGNMENT).max_score
        amy, bob = (gb.find_submission(ASSIGNMENT, s).score for s in ("amy", "bob"))
        assert amy == top == sum(c.max_score for c in gb.find_notebook(gradebook.NOTEBOOK, ASSIGNMENT).grade_cells)
        assert bob < top, "the bug the public tests miss loses points: the hidden checks graded it"
        assert sum(kit_scores["bob"].values()) == bob
    again = nbgrader(root, "generate_assignment", ASSIGNMENT, "--force")
    assert again.returncode == 0, again.stderr[-3000:]
    assert (root / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").is_file()
    with Gradebook(db_url, "d2l-pytorch") as gb:
        assert gb.find_assignment(ASSIGNMENT).max_score == top, "regenerating adds no public-test points"
        assert gb.find_submission(ASSIGNMENT, "bob").score == bob


@pytest.mark.slow
def test_a_graded_class_with_a_roster_exports_the_kits_totals(nbgrader_course, tmp_path):
    root = nbgrader_course
    (root / "roster.csv").write_text(
        "id,name,email,lms_id,section\namy,Amy,amy@x.edu,11,A\nbob,Bob,bob@x.edu,12,A\ncy,Cy,cy@x.edu,13,B\n"
    )
    with open(root / "course_config.py", "a") as handle:
        handle.write(
            f'\nc.Roster.path = "roster.csv"\nc.LateWork.deadlines = {{"{ASSIGNMENT}": "2027-03-02T10:00:00+00:00"}}\n'
        )
    out = tmp_path / "grades"
    env_root = {"cwd": ROOT}
    done = kit("grade", root / "submitted", "-a", ASSIGNMENT, "--out", out, "--jobs", "1", **env_root)
    assert done.returncode == 0, done.stderr
    amy = root / "submitted" / "amy" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    done = kit("grade", amy, "-a", ASSIGNMENT, "--out", out, "--force", "--jobs", "1", **env_root)
    assert done.returncode == 0 and "graded 1, kept 0" in done.stderr
    with open(out / "grades.csv", newline="") as handle:
        assert [row["student"] for row in csv.DictReader(handle)] == ["amy", "bob"], "the regrade kept bob"
    # the roster lives in the course copy: export from there
    sys.path.insert(0, str(ROOT))
    from autograder import classroom, lms
    from autograder.settings import load_config

    config = load_config(root)
    named = classroom.class_results(out, ASSIGNMENT)
    sheet, written = lms.export_sheet(out, ASSIGNMENT, named, config=config)
    by_id = {r.student.id: r for r in sheet.records}
    assert by_id["cy"].status == "missing" and by_id["cy"].final_score == 0
    for student in ("amy", "bob"):
        record = by_id[student]
        assert record.raw_score == named[student].score and record.days_late == 1
        assert record.final_score == round(record.raw_score - 0.1 * sheet.max_score, 4)
    with open(written["canvas"], newline="") as handle:
        rows = list(csv.reader(handle))
    assert {row[1]: row[5] for row in rows[2:]}["12"] == f"{by_id['bob'].final_score:g}"
