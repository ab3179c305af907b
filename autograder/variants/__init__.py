"""Sample submissions: real student bugs and correct alternatives, made from the reference.

Each assignment's module here lists ``BUGS`` (a text edit of one solution cell
and the checks it must fail) and ``ALTERNATIVES`` (a different correct cell
that must keep full marks). Tests and ``make demo`` build notebooks from them.
Entries are written with keywords; multi-line code as ``dedent(...)`` of a triple-quoted block.
"""

import dataclasses
import textwrap

from autograder import notebooks


@dataclasses.dataclass(frozen=True, kw_only=True)
class Bug:
    """A real mistake: replace `old` by `new` in one solution cell of the reference submission."""

    cell: str  # the grade_id of the solution cell
    old: str  # text that occurs exactly once in that cell
    new: str
    loses: tuple  # names of the checks that must fail
    why: str  # what the student got wrong, in a line


@dataclasses.dataclass(frozen=True, kw_only=True)
class Alternative:
    """A correct solution cell written differently from the reference."""

    cell: str
    code: str
    why: str  # how it differs from the reference, in a line


def dedent(block, indent=0):
    """Exact code text from a triple-quoted block: its common indentation removed, then `indent` spaces added back.

    indent lets an edit inside a function body keep its place in the cell; blank lines stay empty.
    """
    lines = textwrap.dedent(block).splitlines(keepends=True)
    return "".join(" " * indent + line if line.strip() else line for line in lines)


def _cell(notebook, grade_id):
    for cell in notebook.cells:
        if notebooks.grade_id(cell) == grade_id:
            return cell
    raise KeyError(f"no cell {grade_id!r}")


def plant(notebook, bug):
    """Plant bug into notebook, in place: its edit must match exactly once in its cell. Returns notebook."""
    cell = _cell(notebook, bug.cell)
    count = cell.source.count(bug.old)
    if count != 1:
        raise ValueError(f"bug edit {bug.old!r} matches {count} times in cell {bug.cell!r}")
    cell.source = cell.source.replace(bug.old, bug.new)
    return notebook


def with_bug(assignment, bug):
    """The reference submission with one bug planted; the edit must match exactly once."""
    return plant(notebooks.solve(assignment), bug)


def with_alternative(assignment, alternative):
    """The reference submission with one solution cell replaced by a correct alternative."""
    notebook = notebooks.solve(assignment)
    _cell(notebook, alternative.cell).source = alternative.code
    return notebook


def sample_class(assignment, bugs=None, alternatives=None):
    """{name: notebook}: the reference, the blank release, the first `bugs` bugs and `alternatives` alternatives (all by default)."""
    catalogue = assignment.variants()
    samples = {"reference": notebooks.solve(assignment), "blank": notebooks.read(assignment.release)}
    for name, bug in list(catalogue.BUGS.items())[:bugs]:
        samples[f"bug-{name}"] = with_bug(assignment, bug)
    for name, alternative in list(catalogue.ALTERNATIVES.items())[:alternatives]:
        samples[f"alt-{name}"] = with_alternative(assignment, alternative)
    return samples
