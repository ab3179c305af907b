"""The checks prove themselves: reference full marks, blank zero, every bug caught, every alternative accepted.

The judgements are autograder.validate's, the code behind `python -m autograder validate`.
"""

import copy

import nbformat
import pytest

from autograder import course, notebooks, validate
from autograder.grade import grade_bytes

from conftest import graded_class

ASSIGNMENTS = [a.id for a in course.assignments()]
pytestmark = pytest.mark.slow


def cases(kind):
    """(assignment, name) for every bug or alternative; an assignment without variants module fails its own case only."""
    for assignment in course.assignments():
        try:
            catalogue = assignment.variants()
        except course.MissingPart:
            yield pytest.param(assignment.id, None, id=f"{assignment.id}-variants-module")
            continue
        for name in getattr(catalogue, kind):
            yield pytest.param(assignment.id, name, id=f"{assignment.id}-{name}")


@pytest.mark.parametrize("assignment_id", ASSIGNMENTS)
def test_reference_gets_full_marks(assignment_id):
    problems = validate.reference_problems(graded_class(assignment_id)["reference"])
    assert not problems, problems


@pytest.mark.parametrize("assignment_id", ASSIGNMENTS)
def test_blank_release_scores_zero_with_a_record_per_check(assignment_id):
    graded = graded_class(assignment_id)
    problems = validate.blank_problems(graded["blank"], graded["reference"])
    assert not problems, problems


@pytest.mark.parametrize(("assignment_id", "bug"), list(cases("BUGS")))
def test_bug_loses_points_where_expected(assignment_id, bug):
    catalogue = course.get(assignment_id).variants()  # a missing module fails here, with what to create
    problems = validate.bug_problems(graded_class(assignment_id)[f"bug-{bug}"], catalogue.BUGS[bug])
    assert not problems, f"bug {bug}: {problems}"


@pytest.mark.parametrize(("assignment_id", "alternative"), list(cases("ALTERNATIVES")))
def test_correct_alternative_keeps_full_marks(assignment_id, alternative):
    course.get(assignment_id).variants()  # a missing module fails here, with what to create
    problems = validate.alternative_problems(graded_class(assignment_id)[f"alt-{alternative}"])
    assert not problems, problems


@pytest.mark.parametrize("assignment_id", ASSIGNMENTS)
def test_feedback_reveals_no_check_source_or_values(assignment_id):
    problems = validate.leak_problems(course.get(assignment_id), graded_class(assignment_id))
    assert not problems, problems


@pytest.mark.parametrize("assignment_id", ASSIGNMENTS)
def test_reference_gets_full_marks_under_other_secrets_and_grades_deterministically(assignment_id, config):
    """Other course secrets draw other inputs; the same secret and submission give the same record."""
    assignment = course.get(assignment_id)
    data = nbformat.writes(notebooks.solve(assignment)).encode()
    for secret in ("spring-term", "autumn-term"):
        other = copy.deepcopy(config)
        other.Grading.secret = secret
        first = grade_bytes(data, assignment, "cpu", config=other)[0].to_json()
        assert not validate.reference_problems(first), (secret, validate.reference_problems(first))
    again = grade_bytes(data, assignment, "cpu", config=other)[0].to_json()
    assert validate.without_timings(again) == validate.without_timings(first)
