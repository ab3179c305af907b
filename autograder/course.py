"""Where each assignment's parts live, by convention.

An assignment id is ``NN_topic`` (an nbgrader folder name). Its parts:
``source/<id>/<id>.ipynb``, ``release/<id>/<id>.ipynb``, the reference module
``reference/<topic>.py``, the hidden checks ``autograder/checks/test_<topic>.py``
and the sample submissions ``autograder/variants/<topic>.py``.
"""

import dataclasses
import hashlib
import importlib
import importlib.util
import sys
from pathlib import Path

from autograder.settings import ROOT


class UnknownAssignment(ValueError):
    """An assignment id with no source notebook."""


class MissingPart(LookupError):
    """An assignment lacks one of its parts (reference, checks or variants module): an authoring mistake."""


def _import_part(assignment, module, path, what):
    """Import one part of an assignment; a missing file is a MissingPart that says what to create.

    A course root other than the kit's that has the part's folder (reference/
    or autograder/) loads its own file, afresh each time, under a private module
    name, so a copy of the course can be checked in-process; a root without
    that folder (notebooks only) uses the kit's module.
    """
    relative = path.relative_to(assignment.root)
    own = Path(assignment.root).resolve() != ROOT and (assignment.root / relative.parts[0]).is_dir()
    if own and path.is_file():
        name = f"_course_{hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:12]}_{module.replace('.', '_')}"
        spec = importlib.util.spec_from_file_location(name, path)
        loaded = importlib.util.module_from_spec(spec)
        sys.modules[name] = loaded  # classes defined there need their module registered (inspect, dataclasses)
        try:
            spec.loader.exec_module(loaded)
        except BaseException:
            del sys.modules[name]
            raise
        return loaded
    try:
        if own:
            raise ModuleNotFoundError(module, name=module)
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name not in (module, module.rpartition(".")[0]):
            raise  # the part exists but imports something missing: that traceback is the useful one
        raise MissingPart(
            f"{assignment.id} has no {what} module: create {relative} (`python -m autograder new` writes a template)"
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
