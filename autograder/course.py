"""Where each assignment's parts live, by convention.

An assignment id is ``NN_topic`` (an nbgrader folder name). Its parts:
``source/<id>/<id>.ipynb``, ``release/<id>/<id>.ipynb``, the reference module
``reference/<topic>.py``, the hidden checks ``autograder/checks/test_<topic>.py``
and the sample submissions ``autograder/variants/<topic>.py``.
"""

import dataclasses
import importlib
from pathlib import Path

from autograder.settings import ROOT


class UnknownAssignment(ValueError):
    """An assignment id with no source notebook."""


class MissingPart(LookupError):
    """An assignment lacks one of its parts (reference, checks or variants module): an authoring mistake."""


def _import_part(assignment, module, path, what):
    """Import one part of an assignment; a missing file is a MissingPart that says what to create."""
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name not in (module, module.rpartition(".")[0]):
            raise  # the part exists but imports something missing: that traceback is the useful one
        raise MissingPart(
            f"{assignment.id} has no {what} module: create {path.relative_to(assignment.root)} "
            f"(`python -m autograder new` writes a template)"
        ) from None


@dataclasses.dataclass(frozen=True)
class Assignment:
    """The paths and modules of one assignment."""

    id: str
    root: Path = ROOT

    @property
    def topic(self):
        return self.id.split("_", 1)[1]

    @property
    def source(self):
        return self.root / "source" / self.id / f"{self.id}.ipynb"

    @property
    def release(self):
        return self.root / "release" / self.id / f"{self.id}.ipynb"

    @property
    def checks(self):
        return self.root / "autograder" / "checks" / f"test_{self.topic}.py"

    def require_checks(self):
        """The hidden checks' path; MissingPart when the file does not exist."""
        if not self.checks.is_file():
            raise MissingPart(
                f"{self.id} has no hidden checks: create {self.checks.relative_to(self.root)} "
                f"(`python -m autograder new` writes a template)"
            )
        return self.checks

    def reference(self):
        """The reference module (solutions, with shapes in docstrings)."""
        path = self.root / "reference" / f"{self.topic}.py"
        return _import_part(self, f"reference.{self.topic}", path, "reference")

    def variants(self):
        """The catalogue of bug variants and correct alternatives."""
        path = self.root / "autograder" / "variants" / f"{self.topic}.py"
        return _import_part(self, f"autograder.variants.{self.topic}", path, "variants")


def assignments(root=ROOT):
    """Every assignment with a source notebook, in order."""
    folders = sorted(p.name for p in (Path(root) / "source").iterdir() if (p / f"{p.name}.ipynb").is_file())
    return [Assignment(name, Path(root)) for name in folders]


def get(assignment_id, root=ROOT):
    """One assignment by id; UnknownAssignment lists the valid ids."""
    known = {a.id: a for a in assignments(root)}
    if assignment_id not in known:
        raise UnknownAssignment(f"unknown assignment {assignment_id!r}; known: {', '.join(known) or 'none'}")
    return known[assignment_id]
