"""Reading submissions: every malformed file gets a clear message; locked cells come from the source."""

import json
import subprocess
import sys

import nbformat
import pytest

from autograder import course, handins, notebooks
from autograder.settings import ROOT
from autograder.submission import UnreadableNotebook, plan

ASSIGNMENT = course.get("03_softmax_regression")
LIMIT = 1 << 20
FILE_LIMIT = 8 << 20


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


# --- notebooks as students hand them in -------------------------------------------------------


def test_every_nbformat_4_minor_with_or_without_ids_and_list_sources():
    reference = [name for name, _ in plan(solved_bytes(), ASSIGNMENT, LIMIT).cells]
    for minor in range(6):
        for as_list in (False, True):
            result = plan(handins.old_minor(ASSIGNMENT, minor, as_list), ASSIGNMENT, LIMIT)
            assert [name for name, _ in result.cells] == reference and not result.problems, (minor, as_list)


def test_bom_crlf_and_tabs_read_like_the_original():
    original = plan(solved_bytes(), ASSIGNMENT, LIMIT)
    result = plan(handins.bom_crlf(ASSIGNMENT), ASSIGNMENT, LIMIT)
    assert result.cells == original.cells and result.sources == original.sources and not result.problems


def test_raw_tabs_and_control_characters_inside_strings_are_accepted():
    data = solved_bytes().replace(b"\\t", b"\t")
    assert not plan(data, ASSIGNMENT, LIMIT).problems


def test_outputs_do_not_count_toward_the_limit_but_code_does():
    result = plan(handins.big_outputs(ASSIGNMENT, mib=3), ASSIGNMENT, LIMIT, FILE_LIMIT)
    assert not result.problems

    def bloat(notebook):
        notebook.cells[0].source += "x" * LIMIT

    with pytest.raises(UnreadableNotebook, match="MiB of code and text, over the limit"):
        plan(solved_bytes(bloat), ASSIGNMENT, LIMIT, FILE_LIMIT)


def test_outputs_that_look_like_json_keys_inside_strings_are_not_confused():
    def tricky(notebook):
        cell = next(c for c in notebook.cells if notebooks.grade_id(c) == "softmax")
        cell.source += '\n_doc = \'"outputs": [1, 2] and "attachments": {"a": 1} \\\\" stay\''
        cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text='"outputs": ["\\"]')]

    result = plan(solved_bytes(tricky), ASSIGNMENT, LIMIT)
    assert '"outputs": [1, 2]' in result.sources["softmax"]


def test_a_100_mib_notebook_is_read_in_bounded_memory(tmp_path):
    path = tmp_path / "big.ipynb"
    path.write_bytes(handins.big_outputs(ASSIGNMENT, mib=100))
    script = (
        "import resource, sys\n"
        "from autograder import course, submission\n"
        "data = open(sys.argv[1], 'rb').read()\n"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "result = submission.plan(data, course.get('03_softmax_regression'), 25 << 20, 512 << 20)\n"
        "assert not result.problems and result.sources\n"
        "print((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) // 1024)\n"
    )
    done = subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True, text=True, cwd=ROOT, check=True)
    assert int(done.stdout) < 40, f"reading past the file's own bytes took {done.stdout.strip()} MiB"


def test_cells_the_student_added_run_their_definitions_in_notebook_order():
    result = plan(handins.added_helpers(ASSIGNMENT), ASSIGNMENT, LIMIT)
    names = [name for name, _ in result.cells]
    helper = next(n for n in names if n.endswith("(added)"))
    target = next(key for key, text in result.sources.items() if "scaled(1.0)" in text)
    assert names.index(helper) < names.index(target)
    text = dict(result.cells)[helper]
    assert "def scaled(x):" in text and "SCALE = 1.0" in text and "print(" not in text
    assert sum("(added by you)" in n and "skipped" in n for n in result.notes) == 2
    assert not result.problems


def test_a_notebook_without_metadata_is_matched_by_the_names_its_cells_define():
    result = plan(handins.no_metadata(ASSIGNMENT), ASSIGNMENT, LIMIT)
    reference = plan(solved_bytes(), ASSIGNMENT, LIMIT)
    assert result.cells == reference.cells and result.sources == reference.sources
    assert not result.problems and any("no nbgrader metadata" in n for n in result.notes)


def test_one_cell_that_lost_its_metadata_is_found_by_its_names_last_definition_wins():
    def lose(notebook):
        index = next(i for i, c in enumerate(notebook.cells) if notebooks.grade_id(c) == "softmax")
        good = notebook.cells[index].source
        notebook.cells[index] = nbformat.v4.new_code_cell("def softmax(X):\n    return X  # first try")
        notebook.cells.insert(index + 1, nbformat.v4.new_code_cell(good))

    result = plan(solved_bytes(lose), ASSIGNMENT, LIMIT)
    assert "first try" not in result.sources["softmax"] and "def softmax" in result.sources["softmax"]
    assert any("'softmax' lost its nbgrader metadata" in n for n in result.notes) and not result.problems


def test_magics_are_noted_and_sources_are_what_runs():
    result = plan(handins.magics(ASSIGNMENT), ASSIGNMENT, LIMIT)
    cells = dict(result.cells)
    for key, text in result.sources.items():
        assert text == cells[key] and "get_ipython" not in text and "%matplotlib" not in text
    assert any("`!pip install -q d2l` is a shell command" in n for n in result.notes)
