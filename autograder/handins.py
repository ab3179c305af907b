"""Realistic hand-ins built from the reference submission: correct code written and saved the ways students do.

Each maker returns the bytes of a notebook that must score full marks:
notes-style ``%`` continuation lines, magics and shell lines, helpers in cells
the student added, nbgrader metadata stripped, 100 MiB of outputs, a
byte-order mark with CRLF line ends and tab indentation, and older nbformat 4
minors. Tests grade every kind for every assignment; ``make demo`` grades some.
"""

import ast
import base64
import json

import nbformat

from autograder import notebooks

HELPER_CELL = '''import math

SCALE = 1.0


def scaled(x):
    """A helper of mine, called by my solution below."""
    return x * SCALE


print(scaled(math.pi))  # a quick look while writing it
'''
DEMO_CELL = """for k in range(3):
    print(k, scaled(k))
"""
MAGICS = (
    "%matplotlib inline\n%config InlineBackend.figure_format = 'svg'\n!pip install -q d2l\n",
    "%%time\n",
    "%load_ext autoreload\n%autoreload 2\nfiles = !ls\n",
)


def _solutions(notebook):
    return [c for c in notebook.cells if notebooks.is_solution(c)]


def _bytes(notebook):
    return nbformat.writes(notebook).encode()


def _notes_print(source):
    """Every print(f"...") of the cell rewritten as the notes write it: a continuation line that starts with %."""
    tree = ast.parse(source)
    lines = source.split("\n")
    calls = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "print"
        and len(node.args) == 1
        and not node.keywords
    ]
    for node in sorted(calls, key=lambda n: (n.lineno, n.col_offset), reverse=True):
        arg = ast.get_source_segment(source, node.args[0])
        indent = " " * node.col_offset
        text = f"print('%s'\n{indent}      % ({arg},))"
        start = lines[node.lineno - 1][: node.col_offset]
        end = lines[node.end_lineno - 1][node.end_col_offset :]
        lines[node.lineno - 1 : node.end_lineno] = (start + text + end).split("\n")
    return "\n".join(lines)


def notes_style(assignment):
    """Every print as the notes write it ('...' newline % (...)), and one such line after each solution."""
    notebook = notebooks.solve(assignment)
    for cell in _solutions(notebook):
        cell.source = _notes_print(cell.source) + "\n\nprint('%s: %d lines'\n      % ('this cell', 3))\n"
    return _bytes(notebook)


def magics(assignment):
    """Line magics, a cell magic and shell lines at the top of the solution cells, as notebooks from the web have."""
    notebook = notebooks.solve(assignment)
    for i, cell in enumerate(_solutions(notebook)):
        cell.source = MAGICS[i % len(MAGICS)] + cell.source
    return _bytes(notebook)


def _calls_helper(source):
    """The cell with `scaled(1.0)` used inside its first top-level function, or None if it has none."""
    tree = ast.parse(source)
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and len(node.body) > 1:
                first = node.body[1]  # after the docstring
            lines = source.split("\n")
            indent = " " * first.col_offset
            lines.insert(first.lineno - 1, f"{indent}_unit = scaled(1.0)")
            return "\n".join(lines)
    return None


def added_helpers(assignment):
    """A helper and a constant defined in a cell the student added, used by a solution; a demo cell after it."""
    notebook = notebooks.solve(assignment)
    for index, cell in enumerate(notebook.cells):
        if notebooks.is_solution(cell):
            changed = _calls_helper(cell.source)
            if changed is not None:
                cell.source = changed
                notebook.cells.insert(index, nbformat.v4.new_code_cell(HELPER_CELL))
                notebook.cells.insert(index + 2, nbformat.v4.new_code_cell(DEMO_CELL))
                return _bytes(notebook)
    raise ValueError(f"{assignment.id} has no solution cell with a top-level function")


def no_metadata(assignment):
    """The reference re-saved by a front end that drops cell metadata (no nbgrader grade_ids left)."""
    notebook = notebooks.solve(assignment)
    for cell in notebook.cells:
        cell.metadata = {}
    return _bytes(notebook)


def big_outputs(assignment, mib=100):
    """The reference with `mib` MiB of plots and printed output spread over its solution cells."""
    notebook = notebooks.solve(assignment)
    cells = [c for c in notebook.cells if c.cell_type == "code"]
    chunk = base64.b64encode(bytes(range(256)) * (4 << 10)).decode()  # 1.33 MiB of PNG-like text
    written, i = 0, 0
    while written < mib * 2**20:
        cell = cells[i % len(cells)]
        if i % 2:
            cell.outputs.append(nbformat.v4.new_output("display_data", data={"image/png": chunk, "text/plain": "<Figure>"}))
            written += len(chunk)
        else:
            cell.outputs.append(nbformat.v4.new_output("stream", name="stdout", text=chunk[: len(chunk) // 2] + "\n"))
            written += len(chunk) // 2
        cell.execution_count = i + 1
        i += 1
    return _bytes(notebook)


def bom_crlf(assignment):
    """A byte-order mark, CRLF line ends in the file and in every cell's lines, tab-indented JSON."""
    raw = json.loads(_bytes(notebooks.solve(assignment)))
    for cell in raw["cells"]:
        text = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        cell["source"] = [line + "\r\n" for line in text.split("\n")]
    text = json.dumps(raw, indent="\t", ensure_ascii=False).replace("\n", "\r\n")
    return b"\xef\xbb\xbf" + text.encode()


def old_minor(assignment, minor=0, source_as_list=False):
    """The reference saved as nbformat 4.<minor>: no cell ids before 4.5; sources as one string or a list of lines."""
    raw = json.loads(_bytes(notebooks.solve(assignment)))
    raw["nbformat_minor"] = minor
    for cell in raw["cells"]:
        if minor < 5:
            cell.pop("id", None)
        text = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        cell["source"] = text.splitlines(True) if source_as_list else text
    return json.dumps(raw, indent=1).encode()


KINDS = {
    "notes-style": notes_style,
    "magics": magics,
    "added-helpers": added_helpers,
    "no-metadata": no_metadata,
    "big-outputs": big_outputs,
    "bom-crlf": bom_crlf,
    "nbformat-4.0": lambda a: old_minor(a, 0),
    "nbformat-4.4": lambda a: old_minor(a, 4, source_as_list=True),
}
DEMO = ("notes-style", "magics", "added-helpers")  # graded by `make demo`


def build(assignment, kinds=None):
    """{kind: notebook bytes} for the named kinds (all by default)."""
    return {kind: KINDS[kind](assignment) for kind in kinds or KINDS}
