"""Read a submitted notebook and decide which code the worker runs.

As nbgrader does, locked cells come from the source notebook, not the
submission; only solution cells (matched by ``grade_id``) come from the
student. Public test cells and cells marked ``kit.demo`` (full-size training)
never run at grading time.
"""

import dataclasses
import hashlib
import json

import nbformat

from autograder import notebooks


class UnreadableNotebook(Exception):
    """The submission is not a notebook the grader can read."""


@dataclasses.dataclass
class Plan:
    """What the worker executes for one submission, and what the student should be told."""

    cells: list  # (grade_id, source) in source-notebook order
    sources: dict  # grade_id -> the student's solution source
    problems: list  # messages about the notebook itself
    digest: str  # sha256 of the submitted bytes


def _read_bytes(data, max_bytes):
    if len(data) == 0:
        raise UnreadableNotebook("the file is empty")
    if len(data) > max_bytes:
        raise UnreadableNotebook(f"the file is {len(data) / 2**20:.1f} MiB, over the limit of {max_bytes / 2**20:.0f} MiB")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise UnreadableNotebook("the file is not UTF-8 text (is it a notebook?)") from None
    try:
        raw = json.loads(text)
    except ValueError as exc:
        raise UnreadableNotebook(f"the file is not valid JSON ({exc.msg} at line {exc.lineno}); was it truncated?") from None
    if type(raw) is not dict or type(raw.get("cells", raw.get("worksheets"))) is not list:
        raise UnreadableNotebook("the file is JSON but not a Jupyter notebook")
    try:
        notebook = nbformat.reads(text, as_version=4)
    except Exception as exc:  # noqa: BLE001 - nbformat raises many kinds for bad input
        raise UnreadableNotebook(f"the notebook's format is not readable ({type(exc).__name__})") from None
    for cell in notebook.cells:
        if type(cell.get("source")) is not str or cell.get("cell_type") not in ("code", "markdown", "raw"):
            raise UnreadableNotebook("the notebook has a malformed cell")
    return notebook


def plan(data, assignment, max_bytes):
    """Build the execution plan from submitted bytes; raises UnreadableNotebook."""
    digest = hashlib.sha256(data).hexdigest()
    submitted = _read_bytes(data, max_bytes)
    by_id, problems = {}, []
    for cell in submitted.cells:
        key = notebooks.grade_id(cell)
        if key is None:
            continue
        if key in by_id:
            problems.append(f"cell '{key}' appears more than once; the first copy is graded")
            continue
        by_id[key] = cell
    cells, sources = [], {}
    for cell in notebooks.read(assignment.source).cells:
        meta = cell.get("metadata", {})
        nb = meta.get("nbgrader", {})
        key = nb.get("grade_id")
        if cell.cell_type != "code" or key is None or nb.get("grade") or meta.get("kit", {}).get("demo"):
            continue
        if nb.get("solution"):
            if key not in by_id:
                problems.append(f"solution cell '{key}' is missing (deleted, or its metadata was removed)")
                continue
            sources[key] = by_id[key].source
            cells.append((key, by_id[key].source))
        elif nb.get("locked"):
            cells.append((key, cell.source))
    if not sources:
        if by_id:
            problems = [f"no cell of this notebook belongs to {assignment.id}: is it another assignment's notebook?"]
        else:
            problems = ["no solution cell was found: were the cells deleted, or their metadata removed?"]
    return Plan(cells, sources, problems, digest)
