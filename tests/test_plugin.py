"""KitPlugin under pytester: records, points, feedback that teaches without leaking, seeds, budgets."""

import dataclasses
import types

import pytest
import pytest_timeout

from autograder import course
from autograder.plugin import GENERIC, KitPlugin, feedback
from autograder.results import CheckRecord
from autograder.student import StudentError

CHECKS = '''
import time
import pytest
from autograder.student import StudentError

@pytest.mark.exercise("softmax")
@pytest.mark.points(2)
def test_passes(student):
    """Rows sum to one."""
    assert student.answer == 42

@pytest.mark.exercise("softmax")
@pytest.mark.points(1)
def test_assertion(student):
    secret_expected = 12345.678
    assert student.answer == secret_expected, "rows do not sum to 1: which dimension did you sum over?"

@pytest.mark.exercise("accuracy")
@pytest.mark.points(1)
def test_student_raised():
    raise StudentError("accuracy(...)", {"type": "ZeroDivisionError", "message": "division by zero", "where": "cell accuracy, line 2"})

@pytest.mark.points(1)
def test_check_bug():
    {"hidden": [1.23456]}["missing"]

@pytest.mark.points(1)
@pytest.mark.timeout(1)
def test_slow():
    time.sleep(3)

@pytest.mark.points(1)
def test_seeds(rng, student):
    student.seen.append(rng.initial_seed())
'''


class FakeWorker:
    process, broken, busy, deadline = None, "no worker in this test", False, None

    def kill(self):
        self.killed = True


def run(pytester, source=CHECKS, digest="abc", timeout=60.0, budget=900.0):
    pytester.makepyfile(test_checks=source)
    session = types.SimpleNamespace(worker=FakeWorker(), answer=42, seen=[], seed=lambda s: None)
    settings = types.SimpleNamespace(secret="s3cret", check_timeout=timeout, submission_timeout=budget)
    plugin = KitPlugin(session, settings, course.Assignment("03_softmax_regression"), digest, "cpu")
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider", "--assert=plain", "--strict-markers", plugins=[plugin])
    return {r.check: r for r in plugin.records}, session, result


def test_records_points_exercises_and_feedback(pytester):
    records, _, _ = run(pytester)
    assert dataclasses.replace(records["test_passes"], seconds=0) == CheckRecord(
        check="test_passes",
        exercise="softmax",
        title="Rows sum to one.",
        max_score=2.0,
        score=2.0,
        passed=True,
        feedback="",
        seconds=0,
    )
    assert records["test_assertion"].score == 0
    assert records["test_assertion"].feedback == "rows do not sum to 1: which dimension did you sum over?"
    assert records["test_student_raised"].feedback == (
        "accuracy(...) raised ZeroDivisionError: division by zero (cell accuracy, line 2)"
    )


def test_check_bugs_leak_nothing_but_reach_the_instructor(pytester):
    records, _, _ = run(pytester)
    record = records["test_check_bug"]
    assert record.feedback == GENERIC.format("KeyError")
    assert "1.23456" not in record.feedback and "1.23456" in record.internal


def test_timeouts_fail_the_check_with_a_clear_message(pytester):
    records, _, _ = run(pytester)
    assert records["test_slow"].passed is False
    assert "did not finish in the time" in records["test_slow"].feedback
    assert records["test_seeds"].passed, "later checks still run"


def test_only_pytest_timeouts_own_message_reads_as_a_timeout():
    timed_out = pytest.fail.Exception(pytest_timeout.PYTEST_FAILURE_MESSAGE % 2.5)
    assert "did not finish in the time" in feedback(timed_out)
    other = pytest.fail.Exception("Timeouts make no sense for a negative learning rate")
    assert feedback(other) == "Timeouts make no sense for a negative learning rate"


def test_seeds_depend_on_secret_submission_and_check_and_repeat(pytester):
    _, first, _ = run(pytester, digest="one")
    _, again, _ = run(pytester, digest="one")
    _, other, _ = run(pytester, digest="two")
    assert first.seen == again.seen and first.seen != other.seen


def test_the_submission_budget_stops_later_checks(pytester):
    records, _, _ = run(pytester, budget=-1.0)
    assert all(not r.passed for r in records.values())
    assert "time budget" in records["test_passes"].feedback


def test_unknown_markers_are_refused(pytester):
    _, _, result = run(pytester, source="import pytest\n@pytest.mark.pointz(1)\ndef test_x():\n    pass\n")
    result.assert_outcomes(errors=1)


def test_student_error_messages_for_unimplemented_code():
    error = StudentError("softmax(...)", {"type": "NotImplementedError", "message": "", "where": "cell softmax, line 4"})
    assert str(error) == "softmax(...) is not implemented yet (it raises NotImplementedError) (cell softmax, line 4)"


@pytest.mark.parametrize("budget", [0.0])
def test_budget_zero_is_respected(pytester, budget):
    records, _, _ = run(pytester, budget=budget)
    assert not records["test_passes"].passed
