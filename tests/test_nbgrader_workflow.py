"""The kit inside nbgrader's workflow: --gradebook without --out, regrading into a class folder, autograde's stand-in.

grade_class is replaced by one that returns synthesised results, so these tests exercise the command line's
wiring without the worker; tests/test_classroom.py grades real notebooks.
"""

import csv

import nbformat
import pytest
from test_exports import ASSIGNMENT, EXERCISES, result_for

from autograder import classroom, nbgrader_autograde, results
from autograder.cli import main


@pytest.fixture
def fake_grading(monkeypatch):
    """grade_class that 'grades' every submission to full marks and writes results as the real one does."""

    def grade_class(submissions, assignment_id, out=None, *args, **kwargs):
        run = classroom.ClassRun(assignment_id=assignment_id)
        for sub in submissions:
            result = result_for(sub.student, dict(EXERCISES))
            if out is not None:
                results.write(classroom.result_path(out, sub.student), result)
            run.results[sub.student] = result
            run.graded.append(sub.student)
        return run

    monkeypatch.setattr(classroom, "grade_class", grade_class)


@pytest.mark.slow  # nbgrader makes a new gradebook by running alembic: about 10 s
def test_gradebook_without_out_records_the_scores(tmp_path, fake_grading, capsys):
    from autograder import gradebook

    (tmp_path / "amy.ipynb").write_text("{}")
    db_url = f"sqlite:///{tmp_path / 'gb.db'}"
    assert main(["grade", str(tmp_path / "amy.ipynb"), "-a", ASSIGNMENT, "--gradebook", db_url]) == 0
    assert "gradebook: 1 students' scores" in capsys.readouterr().err
    assert sum(gradebook.read_scores(ASSIGNMENT, db_url)["amy"].values()) == 19


def test_regrading_one_student_into_a_class_folder_keeps_the_class(tmp_path, fake_grading):
    out = tmp_path / "class"
    for name in ("amy", "bob", "cy"):
        results.write(classroom.result_path(out, name), result_for(name, dict.fromkeys(EXERCISES, 0.0)))
    (tmp_path / "bob.ipynb").write_text("{}")
    assert main(["grade", str(tmp_path / "bob.ipynb"), "-a", ASSIGNMENT, "--out", str(out), "--force"]) == 0
    with open(out / "grades.csv", newline="") as handle:
        totals = {row["student"]: float(row["total"]) for row in csv.DictReader(handle)}
    assert totals == {"amy": 0.0, "bob": 19.0, "cy": 0.0}
    assert sorted(p.name for p in (out / "feedback").iterdir()) == ["amy.md", "bob.md", "cy.md"]


def test_nbgrader_autograde_stops_clearly_when_the_kit_cannot_grade():
    step = nbgrader_autograde.GradeWithKit()
    resources = {"nbgrader": {"student": "amy", "assignment": "99_unknown", "notebook": "99_unknown", "db_url": "sqlite://"}}
    with pytest.raises(nbgrader_autograde.KitGradingFailed, match="python -m autograder grade submitted/ -a 99_unknown"):
        step.preprocess(nbformat.v4.new_notebook(), resources)
