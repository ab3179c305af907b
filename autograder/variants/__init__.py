"""Sample submissions: real student bugs and correct alternatives, made from the reference.

Each assignment's module here lists ``BUGS`` (a text edit of one solution cell
and the checks it must fail) and ``ALTERNATIVES`` (a different correct cell
that must keep full marks). Tests and ``make demo`` build notebooks from them.
"""

import dataclasses

from autograder import notebooks


@dataclasses.dataclass(frozen=True)
class Bug:
    """A real mistake: replace `old` by `new` in one solution cell of the reference submission."""

    cell: str
    old: str
    new: str
    loses: tuple  # names of the checks that must fail
    why: str = ""


@dataclasses.dataclass(frozen=True)
class Alternative:
    """A correct solution cell written differently from the reference."""

    cell: str
    code: str
    why: str = ""


def _cell(notebook, grade_id):
    for cell in notebook.cells:
        if notebooks.grade_id(cell) == grade_id:
            return cell
    raise KeyError(f"no cell {grade_id!r}")


def with_bug(assignment, bug):
    """The reference submission with one bug planted; the edit must match exactly once."""
    notebook = notebooks.solve(assignment)
    cell = _cell(notebook, bug.cell)
    count = cell.source.count(bug.old)
    if count != 1:
        raise ValueError(f"bug edit {bug.old!r} matches {count} times in cell {bug.cell!r}")
    cell.source = cell.source.replace(bug.old, bug.new)
    return notebook


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
