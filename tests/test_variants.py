"""The variant catalogues hold together without grading: edits apply, named checks and cells exist.

Fast on purpose (no notebook is graded), so a renamed check or a drifted reference cell
shows up before the slow suite grades the variants.
"""

import copy
import dataclasses

import pytest

from autograder import course, notebooks, validate, variants
from autograder.variants import Alternative, Bug, dedent

ASSIGNMENTS = course.assignments()


def _catalogue(assignment):
    catalogue = assignment.variants()
    return catalogue.BUGS, catalogue.ALTERNATIVES


@pytest.mark.parametrize("assignment", ASSIGNMENTS, ids=lambda a: a.id)
def test_every_bug_edit_applies_exactly_once(assignment):
    bugs, _ = _catalogue(assignment)
    solved = notebooks.solve(assignment)
    problems = []
    for name, bug in bugs.items():
        try:
            variants.plant(copy.deepcopy(solved), bug)
        except (ValueError, KeyError) as exc:
            problems.append(f"{name}: {exc}")
    assert problems == []


@pytest.mark.parametrize("assignment", ASSIGNMENTS, ids=lambda a: a.id)
def test_every_lost_check_exists(assignment):
    bugs, _ = _catalogue(assignment)
    checks = validate.check_functions(assignment)
    problems = []
    for name, bug in bugs.items():
        if isinstance(bug.loses, str) or not bug.loses:
            problems.append(f"{name}: loses must be a non-empty tuple of check names")
            continue
        problems += [
            f"{name} loses {check}, no check in {assignment.checks.name}" for check in bug.loses if check not in checks
        ]
    assert problems == []


@pytest.mark.parametrize("assignment", ASSIGNMENTS, ids=lambda a: a.id)
def test_every_variant_edits_a_solution_cell_and_says_why(assignment):
    cells = validate.solution_cells(assignment)
    problems = []
    for kind, table in zip(("bug", "alternative"), _catalogue(assignment)):
        for name, entry in table.items():
            if entry.cell not in cells:
                problems.append(f"{kind} {name} edits {entry.cell!r}, no solution cell")
            if not entry.why.strip():
                problems.append(f"{kind} {name} has an empty why")
    assert problems == []


@pytest.mark.parametrize("record", [Bug, Alternative])
def test_a_variant_needs_why_and_keywords(record):
    fields = (
        {"cell": "relu", "old": "a", "new": "b", "loses": ("test_relu",)} if record is Bug else {"cell": "relu", "code": "c"}
    )
    with pytest.raises(TypeError, match="why"):
        record(**fields)
    with pytest.raises(TypeError):
        record(*fields.values(), "a positional why")
    assert dataclasses.asdict(record(**fields, why="w"))["why"] == "w"


def test_dedent_gives_back_indented_code_exactly():
    block = dedent(
        """\
        if x:
            y = 1

        z = 2
        """,
        indent=4,
    )
    assert block == "    if x:\n        y = 1\n\n    z = 2\n"
    assert (
        dedent("""\
        a
          b""")
        == "a\n  b"
    )
