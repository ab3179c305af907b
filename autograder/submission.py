"""Read a submitted notebook and decide which code the worker runs.

As nbgrader does, locked cells come from the source notebook, not the
submission; solution cells come from the student, matched by ``grade_id`` or,
where a front end dropped nbgrader's metadata, by the names the source's
solution cell defines (the last cell defining them wins). Cells the student
added run their imports, definitions and constant assignments, in notebook
order, so helpers exist; their other statements (demos, training runs) are
skipped with a note. Public test cells and cells marked ``kit.demo`` never run.
Every cell's IPython syntax becomes plain Python here (:mod:`autograder.cells`).

Reading is liberal (byte-order mark, CRLF, any nbformat 4 minor, cells with or
without ids, source as a string or a list) and bounded: outputs and
attachments are dropped while parsing, the size limit applies to the code,
and only absurd files are refused outright.
"""

import dataclasses
import hashlib
import json
import re

import nbformat

from autograder import cells, notebooks

BOM = b"\xef\xbb\xbf"
KINDS = ("code", "markdown", "raw")


class UnreadableNotebook(Exception):
    """The submission is not a notebook the grader can read."""


@dataclasses.dataclass
class Plan:
    """What the worker executes for one submission, and what the student should be told."""

    cells: list  # (name, runnable text) in run order
    sources: dict  # grade_id -> the runnable text of the student's solution cell (what source checks read)
    problems: list  # messages about the notebook itself (lost points likely)
    digest: str  # sha256 of the submitted bytes
    notes: list = dataclasses.field(default_factory=list)  # how the notebook was read (nothing lost)


@dataclasses.dataclass
class Submitted:
    """One cell as read from the submission (outputs dropped)."""

    index: int  # 1-based position in the notebook
    kind: str
    source: str
    metadata: dict

    @property
    def grade_id(self):
        nb = self.metadata.get("nbgrader")
        key = nb.get("grade_id") if type(nb) is dict else None
        return key if type(key) is str else None


_STRUCTURE = re.compile(rb'["\[\]{}]')
BULK = (b"outputs", b"attachments")


def _string_end(data, start):
    """The index after the JSON string opening at data[start] (a quote), or -1 when it never closes."""
    i = start + 1
    while True:
        i = data.find(b'"', i)
        if i == -1:
            return -1
        backslashes = 0
        while data[i - 1 - backslashes] == 0x5C:  # an escaped quote does not close the string
            backslashes += 1
        i += 1
        if backslashes % 2 == 0:
            return i


def _value_end(data, start):
    """The index after the array or object opening at data[start], or -1 when it never closes."""
    depth, i = 0, start
    while True:
        match = _STRUCTURE.search(data, i)
        if match is None:
            return -1
        i = match.start()
        char = data[i]
        if char == 0x22:
            i = _string_end(data, i)
            if i == -1:
                return -1
            continue
        depth += 1 if char in b"[{" else -1
        i += 1
        if depth == 0:
            return i


def _skim(data):
    """The notebook's bytes without the values of "outputs" and "attachments": plots and printed text are never graded.

    Works on the bytes, jumping over strings with find(), so a notebook of
    100 MiB of outputs is read without ever holding them as Python objects.
    Anything it does not understand is left for the JSON parser to report.
    """
    kept, start, i = [], 0, 0
    while True:
        i = data.find(b'"', i)
        if i == -1:
            break
        end = _string_end(data, i)
        if end == -1:
            break
        key, i = data[i + 1 : end - 1], end
        if key not in BULK:
            continue
        colon = _skip_space(data, i)
        if colon >= len(data) or data[colon] != 0x3A:
            continue
        value = _skip_space(data, colon + 1)
        if value >= len(data) or data[value] not in b"[{":
            continue
        stop = _value_end(data, value)
        if stop == -1:
            break
        kept += [data[start:value], b"[]" if data[value] == 0x5B else b"{}"]
        start = i = stop
    if start == 0:
        return data
    kept.append(data[start:])
    return b"".join(kept)


def _skip_space(data, i):
    while i < len(data) and data[i] in b" \t\r\n":
        i += 1
    return i


def _drop_bulk(obj):
    """json object_hook: outputs and attachments are never graded, so they are not kept while parsing."""
    if "output_type" in obj:
        return None
    if "attachments" in obj and "cell_type" in obj:
        obj["attachments"] = None
    if "outputs" in obj:
        obj["outputs"] = []
    return obj


def _source_text(value, index):
    if type(value) is list and all(type(line) is str for line in value):
        value = "".join(value)
    if type(value) is not str:
        raise UnreadableNotebook(f"the notebook's format is not readable: cell {index} has a source that is not text")
    return value.replace("\r\n", "\n").replace("\r", "\n")


def read_cells(data, max_code_bytes, max_file_bytes):
    """The cells of a notebook file's bytes, outputs dropped; raises UnreadableNotebook saying why."""
    if len(data) == 0:
        raise UnreadableNotebook("the file is empty")
    if len(data) > max_file_bytes:
        raise UnreadableNotebook(
            f"the file is over {max_file_bytes / 2**20:.0f} MiB, far larger than any notebook the grader accepts"
        )
    data = _skim(data[len(BOM) :] if data.startswith(BOM) else data)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise UnreadableNotebook("the file is not UTF-8 text (is it a notebook?)") from None
    try:
        raw = json.loads(text, object_hook=_drop_bulk, strict=False)
    except ValueError as exc:
        message = getattr(exc, "msg", str(exc))
        where = f" at line {exc.lineno}" if hasattr(exc, "lineno") else ""
        raise UnreadableNotebook(f"the file is not valid JSON ({message}{where}); was it truncated?") from None
    del text
    if type(raw) is not dict or type(raw.get("cells", raw.get("worksheets"))) is not list:
        raise UnreadableNotebook("the file is JSON but not a Jupyter notebook")
    major = raw.get("nbformat")
    if major == 3 or "worksheets" in raw:
        raw = _upgrade(raw)
    elif major != 4:
        raise UnreadableNotebook(f"the notebook's format is not readable (nbformat {major!r}; the grader reads 3 and 4)")
    found = []
    for index, cell in enumerate(raw["cells"], 1):
        if type(cell) is not dict or cell.get("cell_type") not in KINDS:
            raise UnreadableNotebook(f"the notebook's format is not readable: cell {index} is malformed")
        metadata = cell.get("metadata")
        metadata = metadata if type(metadata) is dict else {}
        found.append(Submitted(index, cell["cell_type"], _source_text(cell.get("source", ""), index), metadata))
    code = sum(len(c.source.encode()) for c in found)
    if code > max_code_bytes:
        raise UnreadableNotebook(
            f"the notebook holds {code / 2**20:.1f} MiB of code and text, over the limit of {max_code_bytes / 2**20:.0f} MiB"
        )
    return found


def _upgrade(raw):
    """An nbformat 3 notebook as a version 4 dict (outputs already dropped)."""
    try:
        notebook = nbformat.convert(nbformat.from_dict(raw), 4)
    except Exception as exc:  # noqa: BLE001 - nbformat raises many kinds for bad input
        raise UnreadableNotebook(f"the notebook's format is not readable ({type(exc).__name__})") from None
    return {"cells": [dict(c) for c in notebook.cells]}


@dataclasses.dataclass
class _SourceCell:
    key: str
    role: str  # "solution", "locked" or "skip" (public tests, demos)
    text: str
    names: list  # top-level names its solution code defines


def _source_cells(assignment):
    found = []
    for cell in notebooks.read(assignment.source).cells:
        meta = cell.get("metadata", {})
        nb = meta.get("nbgrader", {})
        key = nb.get("grade_id")
        if cell.cell_type != "code" or key is None:
            continue
        if nb.get("grade") or meta.get("kit", {}).get("demo"):
            role = "skip"
        elif nb.get("solution"):
            role = "solution"
        elif nb.get("locked"):
            role = "locked"
        else:
            role = "skip"
        code = notebooks.strip_markers(cell.source)
        found.append(_SourceCell(key, role, cell.source, cells.defined_names(code) if role == "solution" else []))
    return found


def _release_copies(assignment, known):
    """Text -> grade_id of the release's given and test cells (nbgrader may rewrite them), to recognise copies."""
    try:
        release = notebooks.read(assignment.release).cells
    except OSError:
        return {}
    return {
        c.source.strip(): notebooks.grade_id(c)
        for c in release
        if c.cell_type == "code" and notebooks.grade_id(c) in known and not notebooks.is_solution(c)
    }


def _by_names(wanted, candidates):
    """The candidate cell holding the last definition of the first of `wanted` that any candidate defines."""
    for name in wanted:
        holders = [c for c in candidates if name in c[1]]
        if holders:
            return holders[-1][0]
    return None


def _claim(code, known):
    """Submitted cells matched by grade_id: ({grade_id: cell}, problems, whether ids of another notebook appear)."""
    claimed, problems, foreign = {}, [], False
    for cell in code:
        key = cell.grade_id
        if key is None:
            continue
        if key not in known:
            foreign = True
        elif key in claimed:
            problems.append(f"cell '{key}' appears more than once; the first copy is graded")
        else:
            claimed[key] = cell
    return claimed, problems, foreign


def _match_by_names(code, source, known, claimed, copies):
    """Solution cells without their grade_id, found by the names they define: ({grade_id: cell}, problems, notes)."""
    matched, problems, notes = {}, [], []
    loose = [c for c in code if c.grade_id not in known and c.source.strip() not in copies]
    candidates = [(c, cells.defined_names(cells.transform(c.source).text)) for c in loose]
    for cell in source:
        if cell.role == "solution" and cell.key not in claimed:
            found = _by_names(cell.names, candidates)
            if found is not None:
                matched[cell.key] = found
            else:
                problems.append(f"solution cell '{cell.key}' is missing (deleted, or its metadata was removed)")
    if matched and not claimed:
        notes.append(
            "the notebook has no nbgrader metadata (saved by another program, or pasted into a new notebook?): "
            "each exercise was graded from the cell that defines its function"
        )
    else:
        notes += [
            f"solution cell '{key}' lost its nbgrader metadata: graded cell {cell.index}, which defines its names"
            for key, cell in matched.items()
        ]
    return matched, problems, notes


def _added_by_anchor(code, keyed, copies):
    """{grade_id or None: [cells the student added after it]}: each runs after the last known cell above it."""
    anchors, anchor = {}, None
    for cell in code:
        if id(cell) in keyed:
            anchor = keyed[id(cell)]
        elif cell.source.strip() in copies:
            anchor = copies[cell.source.strip()]
        elif cell.grade_id is None and cell.source.strip():
            anchors.setdefault(anchor, []).append(cell)
    return anchors


def _added_run(cell, notes):
    """(name, text) of the definitions of one added cell, or None; notes what was left out."""
    transformed = cells.transform(cell.source)
    text, skipped = cells.definitions_only(transformed.text)
    notes.extend(f"cell {cell.index} (added by you): {note}" for note in transformed.notes)
    if skipped:
        lines = ", ".join(str(n) for n in skipped[:5]) + (", ..." if len(skipped) > 5 else "")
        notes.append(
            f"cell {cell.index} (added by you): only its imports, definitions and constant assignments run at "
            f"grading; its other statements (line {lines}) were skipped"
        )
    return (f"{cell.index} (added)", text) if text.strip() else None


def plan(data, assignment, max_bytes, max_file_bytes=None, digest=None):
    """Build the execution plan from submitted bytes (`digest`: their sha256, when the caller has it); raises UnreadableNotebook."""
    digest = digest if digest is not None else hashlib.sha256(data).hexdigest()
    submitted = read_cells(data, max_bytes, max_file_bytes or 20 * max_bytes)
    source = _source_cells(assignment)
    known = {c.key: c for c in source}
    code = [c for c in submitted if c.kind == "code"]
    claimed, problems, foreign = _claim(code, known)
    if foreign and not any(known[key].role == "solution" for key in claimed):
        problems = [f"no cell of this notebook belongs to {assignment.id}: is it another assignment's notebook?"]
        return Plan([], {}, problems, digest)
    copies = {notebooks.strip_markers(c.text).strip(): c.key for c in source if c.role != "solution"}
    copies |= _release_copies(assignment, known)
    matched, missing, notes = _match_by_names(code, source, known, claimed, copies)
    problems += missing
    keyed = {id(c): k for k, c in claimed.items()} | {id(c): k for k, c in matched.items()}
    anchors = _added_by_anchor(code, keyed, copies)
    runs, sources, ran = [], {}, set()
    for anchor in [None, *(c.key for c in source)]:
        cell = known.get(anchor)
        if cell is not None and cell.role == "locked":
            runs.append((cell.key, cells.transform(cell.text).text))
        elif cell is not None and cell.role == "solution":
            student = claimed.get(cell.key) or matched.get(cell.key)
            if student is not None:
                transformed = cells.transform(student.source)
                sources[cell.key] = transformed.text
                notes.extend(f"cell '{cell.key}': {note}" for note in transformed.notes)
                if id(student) not in ran:  # one cell defining two exercises runs once
                    ran.add(id(student))
                    runs.append((cell.key, transformed.text))
        runs += filter(None, (_added_run(added, notes) for added in anchors.get(anchor, [])))
    if not sources:
        problems = ["no solution cell was found: were the cells deleted, or their metadata removed?"]
    return Plan(runs, sources, problems, digest, notes)
