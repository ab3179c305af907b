"""IPython syntax becomes plain Python exactly as Jupyter reads it, line for line, and what is skipped is said."""

import ast

import pytest

from autograder import cells


def lines(text):
    return text.split("\n")


def test_percent_continuation_is_modulo_not_a_magic():
    source = "print('epoch %d, loss %.4f'\n      % (1, 0.5))\nx = (10\n% 3)\n"
    cell = cells.transform(source)
    assert cell.text.strip() == source.strip() and cell.notes == []


@pytest.mark.parametrize(
    "magic",
    ["%matplotlib inline", "%config InlineBackend.figure_format = 'svg'", "%load_ext autoreload", "%autoreload 2", "x?"],
)
def test_display_magics_do_nothing_silently(magic):
    cell = cells.transform(f"{magic}\ndef f(x):\n    return x\n")
    assert lines(cell.text)[0] == "pass" and lines(cell.text)[1] == "def f(x):" and cell.notes == []


def test_timing_magics_run_their_code_on_the_same_line():
    cell = cells.transform("a = 1\n%time b = a + 1\nif a:\n    %timeit c = b * 2\nd = %time a + 5\n")
    assert lines(cell.text)[:5] == ["a = 1", "b = a + 1", "if a:", "    c = b * 2", "d = a + 5"]
    namespace = {}
    exec(cell.text, namespace)
    assert (namespace["b"], namespace["c"], namespace["d"]) == (2, 4, 6)


@pytest.mark.parametrize("magic", ["%%time", "%%timeit -n 1", "%%capture captured"])
def test_cell_magics_run_the_body_with_its_line_numbers(magic):
    cell = cells.transform(f"{magic}\nx = 1\ny = x / 0\n")
    with pytest.raises(ZeroDivisionError) as info:
        exec(compile(cell.text, "<cell>", "exec"), {})
    assert info.traceback[-1].lineno + 1 == 3  # the student's line 3


def test_shell_lines_and_unknown_magics_are_skipped_with_a_note():
    cell = cells.transform("!pip install -q d2l\nfiles = !ls\n%pip install torch\n%whatever 1\ny = 2\n")
    namespace = {}
    exec(cell.text, namespace)
    assert namespace["files"] == [] and namespace["y"] == 2
    assert len(cell.notes) == 4
    assert "`!pip install -q d2l` is a shell command" in cell.notes[0]
    assert "`%whatever 1`" in cell.notes[3]


def test_other_cell_magics_skip_the_cell():
    cell = cells.transform("%%bash\nrm -rf /\n")
    assert ast.parse(cell.text) and "rm" not in cell.text and "%%bash" in cell.notes[0]


def test_syntax_errors_stay_for_the_worker_to_report():
    assert cells.transform("def f(:\n").text == "def f(:\n"


def test_crlf_is_normalised():
    assert cells.transform("x = 1\r\ny = 2\r\n").text == "x = 1\ny = 2\n"


def test_added_cells_keep_definitions_and_constants_only():
    text, skipped = cells.definitions_only(
        "import math\nLR = 0.1\nSHAPE = (2, 3)\nact = lambda x: max(x, 0)\n@decorate(1)\ndef f(x):\n    return x\n"
        "class C:\n    pass\nprint(f(2))\nn = len(SHAPE)\nfor i in range(3):\n    f(i)\n"
    )
    kept = [line for line in lines(text) if line]
    assert kept[:4] == ["import math", "LR = 0.1", "SHAPE = (2, 3)", "act = lambda x: max(x, 0)"]
    assert "print(f(2))" not in text and "n = len(SHAPE)" not in text and "for i" not in text
    assert skipped == [10, 11, 12]
    assert lines(text)[5] == "def f(x):"  # kept statements stay on their lines


def test_defined_names_in_order():
    assert cells.defined_names("def a(): pass\nb, c = 1, 2\nclass D: pass\nimport e\nf()\n") == ["a", "b", "c", "D"]
