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

    def reference(self):
        """The reference module (solutions, with shapes in docstrings)."""
        return importlib.import_module(f"reference.{self.topic}")

    def variants(self):
        """The catalogue of bug variants and correct alternatives."""
        return importlib.import_module(f"autograder.variants.{self.topic}")


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
