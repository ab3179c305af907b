"""The checks prove themselves: reference full marks, blank zero, every bug caught, every alternative accepted."""

import copy
import re

import nbformat
import pytest

from autograder import course, notebooks
from autograder.grade import grade_bytes

from conftest import graded_class

ASSIGNMENTS = [a.id for a in course.assignments()]
pytestmark = pytest.mark.slow


def failed(result):
    return {t["name"] for t in result["tests"] if t["status"] == "failed"}


def check_names(result):
    return [t["name"] for t in result["tests"]]


def cases(kind):
    for assignment in course.assignments():
        catalogue = assignment.variants()
        for name in getattr(catalogue, kind):
            yield pytest.param(assignment.id, name, id=f"{assignment.id}-{name}")


@pytest.mark.parametrize("assignment_id", ASSIGNMENTS)
def test_reference_gets_full_marks(assignment_id):
    result = graded_class(assignment_id)["reference"]
    assert result["score"] == result["max_score"] > 0, failed(result)
    assert "Problem" not in result["output"] and "raised" not in result["output"]


@pytest.mark.parametrize("assignment_id", ASSIGNMENTS)
def test_blank_release_scores_zero_with_a_record_per_check(assignment_id):
    graded = graded_class(assignment_id)
    blank = graded["blank"]
    assert blank["score"] == 0
    assert check_names(blank) == check_names(graded["reference"])
    assert all(t["output"] for t in blank["tests"]), "every failed check says why"


@pytest.mark.parametrize(("assignment_id", "bug"), list(cases("BUGS")))
def test_bug_loses_points_where_expected(assignment_id, bug):
    catalogue = course.get(assignment_id).variants()
    result = graded_class(assignment_id)[f"bug-{bug}"]
    assert result["score"] < result["max_score"]
    missed = [name for name in catalogue.BUGS[bug].loses if name not in _failed_functions(result)]
    assert not missed, f"bug {bug} was not caught by {missed}"


def _failed_functions(result):
    return {t["extra_data"]["check"] for t in result["tests"] if t["status"] == "failed"}


@pytest.mark.parametrize(("assignment_id", "alternative"), list(cases("ALTERNATIVES")))
def test_correct_alternative_keeps_full_marks(assignment_id, alternative):
    result = graded_class(assignment_id)[f"alt-{alternative}"]
    assert result["score"] == result["max_score"], failed(result)


@pytest.mark.parametrize("assignment_id", ASSIGNMENTS)
def test_feedback_reveals_no_check_source_or_values(assignment_id):
    source_lines = [
        line.strip()
        for line in course.get(assignment_id).checks.read_text().splitlines()
        if len(line.strip()) > 30 and not line.strip().startswith(('"', "'", "#")) and '"' not in line
    ]
    for name, result in graded_class(assignment_id).items():
        for test in result["tests"]:
            text = test["output"]
            assert not re.search(r"(?<!\w)tensor\(", text) and "Traceback" not in text, (name, text)
            assert not re.search(r"\d\.\d{4,}", text), (name, text)
            leaked = [line for line in source_lines if line in text]
            assert not leaked, (name, leaked)


@pytest.mark.parametrize("assignment_id", ASSIGNMENTS)
def test_reference_gets_full_marks_under_other_secrets_and_grades_deterministically(assignment_id, config):
    """Other course secrets draw other inputs; the same secret and submission give the same record."""
    assignment = course.get(assignment_id)
    data = nbformat.writes(notebooks.solve(assignment)).encode()
    for secret in ("spring-term", "autumn-term"):
        other = copy.deepcopy(config)
        other.Grading.secret = secret
        first, _ = grade_bytes(data, assignment, "cpu", config=other)
        assert first["score"] == first["max_score"], (secret, failed(first))
    again, _ = grade_bytes(data, assignment, "cpu", config=other)
    assert without_timings(again) == without_timings(first)


def without_timings(result):
    """A results.json minus wall-clock figures, which no two runs share."""
    result = {k: v for k, v in result.items() if k != "execution_time"}
    result["tests"] = [
        dict(t, extra_data={k: v for k, v in t.get("extra_data", {}).items() if k != "seconds"}) for t in result["tests"]
    ]
    return result
