"""Reading submissions: every malformed file gets a clear message; locked cells come from the source."""

import json

import nbformat
import pytest

from autograder import course, notebooks
from autograder.submission import UnreadableNotebook, plan

ASSIGNMENT = course.get("03_softmax_regression")
LIMIT = 1 << 20
FILE_LIMIT = 4 << 20


def solved_bytes(edit=None):
    notebook = notebooks.solve(ASSIGNMENT)
    if edit:
        edit(notebook)
    return nbformat.writes(notebook).encode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"\xff\xfe\x00garbage", "not UTF-8"),
        (b'{"cells": [', "not valid JSON"),
        (b"[1, 2, 3]", "not a Jupyter notebook"),
        (
            b'{"cells": [{"cell_type": "code", "source": 5}], "nbformat": 4, "nbformat_minor": 5, "metadata": {}}',
            "not readable",
        ),
        (b'{"cells": [], "nbformat": 99, "nbformat_minor": 0, "metadata": {}}', "not readable"),
        (b"x" * (FILE_LIMIT + 1), "far larger than any notebook"),
    ],
    ids=["empty", "binary", "truncated", "not-a-notebook", "bad-cell", "future-version", "absurd"],
)
def test_unreadable_files_say_why(data, message):
    with pytest.raises(UnreadableNotebook, match=message):
        plan(data, ASSIGNMENT, LIMIT, FILE_LIMIT)


def test_truncated_real_notebook():
    data = solved_bytes()
    with pytest.raises(UnreadableNotebook, match="truncated"):
        plan(data[: len(data) // 2], ASSIGNMENT, LIMIT)


def test_reference_plan_runs_setup_given_and_solutions_in_order_but_no_tests_or_demos():
    result = plan(solved_bytes(), ASSIGNMENT, LIMIT)
    names = [name for name, _ in result.cells]
    assert names[:2] == ["setup", "given_sgd"]
    assert "softmax" in names and not any(n.startswith(("test_", "demo_")) for n in names)
    assert result.problems == []


def test_locked_cells_are_restored_from_the_source():
    def tamper(notebook):
        for cell in notebook.cells:
            if notebooks.grade_id(cell) == "given_sgd":
                cell.source = "def sgd(params, lr, batch_size):\n    pass"

    cells = dict(plan(solved_bytes(tamper), ASSIGNMENT, LIMIT).cells)
    assert "param.data -= lr * param.grad / batch_size" in cells["given_sgd"]


def test_missing_and_duplicated_solution_cells_are_reported():
    def tamper(notebook):
        notebook.cells = [c for c in notebook.cells if notebooks.grade_id(c) != "softmax"]
        duplicate = next(c for c in notebook.cells if notebooks.grade_id(c) == "accuracy")
        notebook.cells.append(nbformat.from_dict(json.loads(json.dumps(duplicate))))

    result = plan(solved_bytes(tamper), ASSIGNMENT, LIMIT)
    assert any("'softmax' is missing" in p for p in result.problems)
    assert any("'accuracy' appears more than once" in p for p in result.problems)


def test_other_assignments_and_empty_notebooks_are_explained():
    def strip(notebook):
        notebook.cells = [c for c in notebook.cells if c.cell_type == "markdown"]

    assert any("no solution cell" in p for p in plan(solved_bytes(strip), ASSIGNMENT, LIMIT).problems)

    def rename(notebook):
        for cell in notebook.cells:
            if "nbgrader" in cell.metadata:
                cell.metadata.nbgrader.grade_id = "other_" + cell.metadata.nbgrader.grade_id

    assert any("another assignment" in p for p in plan(solved_bytes(rename), ASSIGNMENT, LIMIT).problems)


def test_reordered_cells_still_run_in_source_order():
    def reverse(notebook):
        notebook.cells.reverse()

    names = [name for name, _ in plan(solved_bytes(reverse), ASSIGNMENT, LIMIT).cells]
    assert names == [name for name, _ in plan(solved_bytes(), ASSIGNMENT, LIMIT).cells]


def test_same_bytes_same_digest():
    assert plan(solved_bytes(), ASSIGNMENT, LIMIT).digest == plan(solved_bytes(), ASSIGNMENT, LIMIT).digest
