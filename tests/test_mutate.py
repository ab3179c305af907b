"""Mutation testing of the checks: mutmut's mutants become submissions, graded and counted."""

import json
import re
import subprocess
import sys

import pytest

from autograder import course, mutate, notebooks, results, variants
from autograder.cli import main
from autograder.settings import ROOT

ASSIGNMENT = "02_linear_regression"


def cli(*args):
    return subprocess.run([sys.executable, "-m", "autograder", *map(str, args)], cwd=ROOT, capture_output=True, text=True)


@pytest.fixture(scope="module")
def assignment():
    return course.get(ASSIGNMENT)


@pytest.fixture(scope="module")
def mutants(assignment):
    return mutate.generate(assignment)


def test_mutants_change_one_solution_region_each(assignment, mutants):
    solution_cells = {notebooks.grade_id(c) for c in notebooks.read(assignment.source).cells if notebooks.is_solution(c)}
    assert len(mutants) > 20
    assert len({m.id for m in mutants}) == len(mutants), "ids are unique"
    for mutant in mutants:
        assert mutant.cell in solution_cells
        assert mutant.bug.old != mutant.bug.new and mutant.diff.startswith("-")
        assert "### BEGIN" not in mutant.bug.new and '"""' not in mutant.diff  # markers and docstrings stay given
        variants.with_bug(assignment, mutant.bug)  # the edit applies exactly once


def test_a_change_of_a_repeated_line_gets_an_id_per_place():
    """04's reference repeats lines (the same change can be made at two places): each mutant keeps its own id."""
    mutants = mutate.generate(course.get("04_mlp_regularization"))
    assert len({m.id for m in mutants}) == len(mutants)
    assert len({m.diff for m in mutants}) < len(mutants)  # the case this is about does occur


def test_ids_are_stable_across_runs(assignment, mutants):
    assert [m.id for m in mutate.generate(assignment)] == [m.id for m in mutants]


def test_sample_spreads_over_the_list():
    assert mutate.sample(list(range(10)), 3) == [0, 3, 6]
    assert mutate.sample(list(range(4)), 10) == [0, 1, 2, 3]
    assert mutate.sample(list(range(4)), None) == [0, 1, 2, 3]


def test_equivalent_records_need_a_reason(assignment, tmp_path):
    path = mutate.record_path(assignment, tmp_path)
    assert mutate.equivalent_records(assignment, tmp_path) == {}
    path.write_text('[[equivalent]]\nid = "abc"\nreason = "same value"\n')
    assert mutate.equivalent_records(assignment, tmp_path) == {"abc": "same value"}
    path.write_text('[[equivalent]]\nid = "abc"\nreason = " "\n')
    with pytest.raises(ValueError, match="a reason"):
        mutate.equivalent_records(assignment, tmp_path)


def test_checked_in_records_are_valid():
    for assignment in course.assignments():
        for reason in mutate.equivalent_records(assignment).values():
            assert len(reason) > 10


def _planted(assignment, cell, old, new, key):
    return mutate.Mutant(
        key, cell, cell, 1, f"-{old}\n+{new}", variants.Bug(cell=cell, old=old, new=new, loses=(), why="planted")
    )


def _check(name, passed, feedback=""):
    return results.CheckRecord(
        check=name, exercise="x", title=name, max_score=1.0, score=float(passed), passed=passed, feedback=feedback
    )


def _result(*failed_outputs):
    checks = [_check("test_a", True), *(_check(f"test_{i}", False, o) for i, o in enumerate(failed_outputs))]
    return results.Result.of(checks)


def test_status_of_a_graded_mutant():
    assert mutate._status(_result()) == ("survived", ())
    assert mutate._status(_result("wrong values")) == ("killed", ("test_0",))
    timeout = "your code did not finish in the time this check allows (infinite loop? too slow?)"
    assert mutate._status(_result(timeout))[0] == "timeout"
    assert mutate._status(_result(timeout, "wrong values"))[0] == "killed"
    assert mutate._status(None) == ("timeout", ())  # the grading itself ran out (the worker never answered)


FIRST_LOSS_CHECKS = """
import pytest

exercise = pytest.mark.exercise


@exercise("a")
def test_a_passes():
    pass


@exercise("b")
def test_b_fails():
    assert False


@exercise("b")
def test_b_passes():
    pass


@exercise("a")
def test_a_fails():
    assert False
"""


def test_first_loss_runs_the_mutated_exercise_first_and_stops_at_its_first_failure(pytester):
    pytester.makeini("[pytest]\nmarkers =\n    exercise(name): the exercise")
    pytester.makepyfile(test_checks=FIRST_LOSS_CHECKS)
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider", "-v", plugins=[mutate.FirstLoss("a")])
    ran = [m.group(1) for m in map(re.compile(r"::(test_\w+) (PASSED|FAILED)").search, result.outlines) if m]
    assert ran == ["test_a_passes", "test_a_fails"], result.outlines
    result.assert_outcomes(passed=1, failed=1)  # test_b_* never ran: the first failure decides a mutant


def test_report_counts_per_exercise(assignment, mutants):
    first, second = mutants[0], next(m for m in mutants if m.cell != mutants[0].cell)
    outcomes = [mutate.Outcome(first, "killed"), mutate.Outcome(second, "survived"), mutate.Outcome(second, "equivalent")]
    report = mutate.Report(ASSIGNMENT, outcomes, len(mutants), 1.0, ["gone"])
    data = report.as_json()
    assert (data["killed"], data["survived"], data["equivalent"], data["score"]) == (1, 1, 1, 0.5)
    assert data["exercises"][first.cell]["score"] == 1.0 and data["exercises"][second.cell]["score"] == 0.0
    assert [s["id"] for s in data["survivors"]] == [second.id]
    text = mutate.format_report(report)
    assert f"survivor {second.id}" in text and "record gone matches no mutant" in text


@pytest.mark.slow
def test_smoke_grades_a_killed_a_surviving_and_an_equivalent_mutant(assignment, mutants, tmp_path):
    """Three real gradings (and the reference's): the counts and the survivor's diff come from the pipeline."""
    killed = next(m for m in mutants if m.cell == "squared_loss")
    survivor = _planted(assignment, "linreg", "return torch.mm(X, w) + b", "return b + torch.mm(X, w)", "same-sum")
    equivalent = _planted(assignment, "linreg", "return torch.mm(X, w) + b", "return torch.matmul(X, w) + b", "same-mm")
    mutate.record_path(assignment, tmp_path).write_text('[[equivalent]]\nid = "same-mm"\nreason = "matmul is mm here"\n')
    report = mutate.run(assignment, records_root=tmp_path, mutants=[killed, survivor, equivalent])
    assert report.counts() == {"killed": 1, "survived": 1, "timeout": 0, "equivalent": 1}
    assert report.score() == 0.5
    data = report.as_json()
    assert data["exercises"]["linreg"]["survived"] == 1 and data["exercises"]["squared_loss"]["killed"] == 1
    assert [s["id"] for s in data["survivors"]] == ["same-sum"] and "b + torch.mm" in data["survivors"][0]["diff"]
    text = mutate.format_report(report)
    assert "survivor same-sum in linreg" in text and "total" in text


@pytest.mark.slow
def test_budget_leaves_the_rest_unfinished_and_only_picks_by_id(assignment, mutants, tmp_path):
    """A spent budget stops after the reference's grading; --only narrows the run to the ids given."""
    report = mutate.run(assignment, budget=0.001, records_root=tmp_path, mutants=mutants[:3])
    assert report.unfinished == 3 and report.outcomes == []
    assert "time budget ran out with 3" in mutate.format_report(report)
    picked = mutate.run(assignment, only=[mutants[1].id[:6]], records_root=tmp_path, mutants=mutants[:3])
    assert [o.mutant.id for o in picked.outcomes] == [mutants[1].id] and picked.unfinished == 0


def test_cli_refuses_a_bad_limit_and_an_unknown_assignment(capsys):
    assert main(["mutate", ASSIGNMENT, "--limit", "0"]) == 2
    assert "--limit" in capsys.readouterr().err
    assert main(["mutate", ASSIGNMENT, "--budget", "0"]) == 2
    assert "--budget" in capsys.readouterr().err
    assert main(["mutate", "99_nothing"]) == 2
    assert "unknown assignment" in capsys.readouterr().err


@pytest.mark.slow
def test_cli_json_counts_add_up():
    done = cli("mutate", ASSIGNMENT, "--limit", "3", "--json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    counted = sum(data[k] for k in ("killed", "survived", "timeout", "equivalent"))
    assert counted == 3 and data["generated"] > 3 and "took" in done.stderr
    assert sum(e["killed"] for e in data["exercises"].values()) == data["killed"]
