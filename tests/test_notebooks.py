"""Source notebooks cannot drift from reference/, and release/ is exactly what nbgrader makes of source/."""

import copy

import nbformat
import pytest

from autograder import course, notebooks

ASSIGNMENTS = course.assignments()
IDS = [a.id for a in ASSIGNMENTS]


@pytest.mark.parametrize("assignment", ASSIGNMENTS, ids=IDS)
def test_source_cells_equal_reference(assignment):
    assert notebooks.sync(assignment, write_back=False) == [], "run `python -m autograder sync` after editing reference/"


def test_sync_detects_and_repairs_drift(tmp_path):
    assignment = ASSIGNMENTS[0]
    copy = course.Assignment(assignment.id, tmp_path)
    copy.source.parent.mkdir(parents=True)
    notebook = notebooks.read(assignment.source)
    cell = next(c for c in notebook.cells if c.get("metadata", {}).get("kit", {}).get("reference"))
    cell.source += "\n# edited by hand"
    notebooks.write(notebook, copy.source)
    assert notebooks.sync(copy, write_back=False) == [notebooks.grade_id(cell)]
    notebooks.sync(copy)
    assert notebooks.sync(copy, write_back=False) == []


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory, config):
    folder = tmp_path_factory.mktemp("release")
    config = copy.deepcopy(config)  # a shallow copy would leak this db_url into the session's shared config
    config.CourseDirectory.db_url = f"sqlite:///{folder / 'gradebook.db'}"
    notebooks.release(IDS, release_dir=folder / "release", config=config)
    return folder / "release"


@pytest.mark.parametrize("assignment", ASSIGNMENTS, ids=IDS)
def test_committed_release_is_regenerated_exactly(assignment, regenerated):
    """Every file of release/<id>/ (the notebook, public_checks.py, kitcheck.py) is what `release` makes."""
    fresh = {p.name: p.read_text() for p in (regenerated / assignment.id).iterdir() if p.is_file()}
    committed = {p.name: p.read_text() for p in assignment.release.parent.iterdir() if p.is_file()}
    assert committed == fresh, "release/ is stale: run `python -m autograder release`"


@pytest.mark.parametrize("assignment", ASSIGNMENTS, ids=IDS)
def test_release_holds_no_solution(assignment):
    release = notebooks.read(assignment.release)
    text = nbformat.writes(release)
    assert "BEGIN SOLUTION" not in text and "END SOLUTION" not in text
    source_cells = {notebooks.grade_id(c): c for c in notebooks.read(assignment.source).cells}
    for cell in release.cells:
        if notebooks.is_solution(cell):
            solution = notebooks.strip_markers(source_cells[notebooks.grade_id(cell)].source)
            assert "raise NotImplementedError()" in cell.source
            body = [line for line in solution.splitlines() if line.strip() and line not in cell.source]
            assert body, f"cell {notebooks.grade_id(cell)} shows its whole solution"


@pytest.mark.parametrize("assignment", ASSIGNMENTS, ids=IDS)
def test_solve_fills_every_solution_cell_from_the_source(assignment):
    solved = notebooks.solve(assignment)
    source_cells = {notebooks.grade_id(c): c for c in notebooks.read(assignment.source).cells}
    for cell in solved.cells:
        if notebooks.is_solution(cell):
            assert cell.source == notebooks.strip_markers(source_cells[notebooks.grade_id(cell)].source)
            assert "NotImplementedError()" not in cell.source
