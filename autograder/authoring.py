"""Write a new source notebook from Python, with the nbgrader and kit metadata the grader reads.

Instructors usually edit source notebooks in Jupyter; this is for starting one:

    from autograder.authoring import md, setup, given, solution, test, demo, save
    save("03_softmax_regression", [md("# Title"), setup("setup", "import torch"), solution("softmax", ["softmax"])])

then ``python -m autograder sync`` fills the reference-backed cells from reference/.
Cell roles: ``setup``/``given`` are locked and run by the grader; ``solution`` cells are
the student's; ``test`` cells are public tests (not run by the grader); ``demo`` cells
train at full size and never run at grading time.
"""

import os

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook


def _nb(grade_id, solution=False, grade=False, locked=True, points=None):
    meta = {"grade_id": grade_id, "grade": grade, "solution": solution, "locked": locked, "schema_version": 3}
    if points is not None:
        meta["points"] = points
    return meta


def md(text):
    """A markdown cell (text in your own words)."""
    return new_markdown_cell(text.strip())


def setup(grade_id, code):
    """A locked code cell the grader runs (imports, given data)."""
    return new_code_cell(code.strip(), metadata={"nbgrader": _nb(grade_id)})


def given(grade_id, names):
    """A locked code cell copied from reference/ (names like 'sgd' or 'linear_regression:sgd'); the grader runs it."""
    return new_code_cell("", metadata={"nbgrader": _nb(grade_id), "kit": {"reference": list(names)}})


def solution(grade_id, names):
    """A student's answer cell, filled from reference/ by `python -m autograder sync`."""
    return new_code_cell(
        "", metadata={"nbgrader": _nb(grade_id, solution=True, locked=False), "kit": {"reference": list(names)}}
    )


def test(grade_id, code, points=1):
    """A public test cell (quick feedback in the notebook; the grader does not run it)."""
    return new_code_cell(code.strip(), metadata={"nbgrader": _nb(grade_id, grade=True, points=points)})


def demo(grade_id, code):
    """A cell students run at full size (training on real data); never run at grading time."""
    return new_code_cell(code.strip(), metadata={"nbgrader": _nb(grade_id), "kit": {"demo": True}})


def save(assignment_id, cells, root="."):
    notebook = new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    notebook.metadata["language_info"] = {"name": "python"}
    path = os.path.join(root, "source", assignment_id, f"{assignment_id}.ipynb")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    nbformat.write(notebook, path)
    return path
