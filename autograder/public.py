"""Public checks outside the notebook: ship them with the release, and run them on a saved notebook.

Each assignment's visible checks live in ``source/<id>/public_checks.py``;
nbgrader's GenerateAssignment copies that file into ``release/<id>/`` and
:func:`install_runtime` writes the shared runtime ``kitcheck.py`` beside it.

``python -m autograder check NOTEBOOK`` runs those same files on a saved
notebook inside the sandboxed worker, exactly as ``check()`` runs them in the
student's kernel: the notebook's cells run first (as the grader runs them),
then the public checks, one exercise per request, on the student's real
objects. They run in the worker, not in the grader, because they are visible
anyway and hold nothing to protect; the grader only decodes their summary with
the strict codec, bounds every score by the points the release's own module
declares, and never turns it into a grade.
"""

import dataclasses
import importlib.util
import re
import secrets
import sys
from pathlib import Path

import nbformat

from autograder import course, kitcheck, notebooks, submission
from autograder.client import WorkerClient
from autograder.student import Session

RUNTIME = Path(kitcheck.__file__)
RESULT = "_kit_public_result"
INSTALL = """
import sys as _kit_sys, types as _kit_types
for _kit_name, _kit_source in (("kitcheck", {runtime!r}), ("public_checks", {checks!r})):
    _kit_module = _kit_types.ModuleType(_kit_name)
    _kit_module.__file__ = _kit_name + ".py"
    _kit_sys.modules[_kit_name] = _kit_module
    exec(compile(_kit_source, _kit_name + ".py", "exec"), _kit_module.__dict__)
"""
RUN = "_kit_public_result = _kit_sys.modules['kitcheck'].run(globals(), {exercise!r}, seed={seed}).as_dict()"


class NoPublicChecks(Exception):
    """The assignment's release has no public checks (run `python -m autograder release`)."""


def runtime_source(data_root):
    """kitcheck.py as it ships: the kit's runtime with the course's data root written in."""
    text = RUNTIME.read_text()
    line = f"DATA_ROOT = {data_root!r}  # the release step writes the course's Grading.data_root here"
    return re.sub(r"^DATA_ROOT = .*$", lambda _: line, text, count=1, flags=re.M)


def install_runtime(release_folder, data_root):
    """Write kitcheck.py next to a released notebook whose folder has public_checks.py."""
    folder = Path(release_folder)
    if (folder / "public_checks.py").is_file():
        (folder / "kitcheck.py").write_text(runtime_source(data_root))


@dataclasses.dataclass(frozen=True)
class PublicChecks:
    """The files a release ships for one assignment, and the points they declare per exercise."""

    runtime: str
    checks: str
    points: dict  # exercise -> public points, in order


def load(assignment):
    """The released public checks of an assignment; NoPublicChecks when there are none."""
    folder = assignment.release.parent
    runtime, checks = folder / "kitcheck.py", folder / "public_checks.py"
    if not (runtime.is_file() and checks.is_file()):
        raise NoPublicChecks(f"{assignment.id} has no public checks in {folder} (run `python -m autograder release`)")
    module = _import(checks)
    points = {}
    for fn in kitcheck.load(module):
        points[fn.kit_exercise] = points.get(fn.kit_exercise, 0) + fn.kit_points
    return PublicChecks(runtime.read_text(), checks.read_text(), points)


def _import(path):
    """Import a public_checks.py (the kit's own, trusted file) against this process's kitcheck."""
    spec = importlib.util.spec_from_file_location(f"_kit_public_{path.parent.name}", path)
    module = importlib.util.module_from_spec(spec)
    saved = sys.modules.get("kitcheck")
    sys.modules["kitcheck"] = kitcheck
    try:
        spec.loader.exec_module(module)
    finally:
        if saved is None:
            sys.modules.pop("kitcheck", None)
        else:
            sys.modules["kitcheck"] = saved
    return module


def guess_assignment(path, data):
    """The assignment of a notebook: from its file or folder name, else from the grade_ids of its cells."""
    known = {a.id: a for a in course.assignments()}
    for name in (Path(path).stem, Path(path).parent.name):
        if name in known:
            return known[name]
    try:
        ids = {notebooks.grade_id(c) for c in nbformat.reads(data.decode(), as_version=4).cells} - {None}
    except Exception:  # noqa: BLE001 - unreadable: say so below
        ids = set()
    best = max(known.values(), key=lambda a: len(ids & _solution_ids(a)), default=None)
    if best is None or not ids & _solution_ids(best):
        raise course.UnknownAssignment(f"cannot tell which assignment {path} is; give it with -a ASSIGNMENT")
    return best


def _solution_ids(assignment):
    return {notebooks.grade_id(c) for c in notebooks.read(assignment.source).cells if notebooks.is_solution(c)}


def _row(exercise, max_score, score=0.0, messages=()):
    return {"exercise": exercise, "score": float(score), "max_score": float(max_score), "messages": list(messages)}


def _accept(answer, exercise, max_score):
    """The worker's summary of one exercise, validated; a malformed one is reported, never trusted."""
    try:
        (row,) = answer["exercises"]
        score, messages = row["score"], row["messages"]
        valid = row["exercise"] == exercise and type(score) is float and 0 <= score <= max_score
        valid = valid and type(messages) is list and all(type(m) is str for m in messages)
    except (TypeError, KeyError, ValueError):
        valid = False
    if not valid:
        return _row(exercise, max_score, 0.0, ["the public checks' answer was malformed (did the notebook change them?)"])
    return _row(exercise, max_score, score, [m[:2000] for m in messages])


def run(data, assignment, settings, seed=None):
    """Run the released public checks on a notebook's bytes in the worker; returns the summary dict."""
    public = load(assignment)
    seed = secrets.randbits(62) if seed is None else int(seed)
    try:
        plan = submission.plan(data, assignment, int(settings.max_notebook_mb * 2**20))
    except submission.UnreadableNotebook as exc:
        rows = [_row(e, p, messages=[f"your notebook could not be read: {exc}"]) for e, p in public.points.items()]
        return _summary(rows)
    worker = WorkerClient(settings)
    rows = []
    try:
        for name, source in plan.cells:
            worker.run_cell(name, source)
        session = Session(worker, plan.sources)
        broken = worker.run_cell("kit-public-checks", INSTALL.format(runtime=public.runtime, checks=public.checks))
        for exercise, max_score in public.points.items():
            error = broken or worker.run_cell(f"kit-public-{exercise}", RUN.format(exercise=exercise, seed=seed))
            if error is not None:
                rows.append(_row(exercise, max_score, messages=[_describe(error)]))
                continue
            worker.cells.pop()  # a restarted worker need not replay earlier exercises' checks
            try:
                answer = session.get(RESULT)
            except Exception:  # noqa: BLE001 - whatever the worker did, the answer is reported as malformed
                answer = None
            rows.append(_accept(answer, exercise, max_score))
    finally:
        worker.stop()
    return _summary(rows)


def _describe(error):
    if error["type"] == "Timeout":
        return f"the public checks did not finish: {error['message']} (an infinite loop?)"
    return f"the public checks could not run: {error['type']}: {error['message']}"


def _summary(rows):
    return {
        "score": float(sum(r["score"] for r in rows)),
        "max_score": float(sum(r["max_score"] for r in rows)),
        "exercises": rows,
    }


def text(summary):
    """The plain-text table students see from the command line."""
    return kitcheck.text_table(summary)


def load_source_points(assignment):
    """{exercise: public points} of the source folder's public_checks.py (for authoring and tests)."""
    path = assignment.source.parent / "public_checks.py"
    points = {}
    for fn in kitcheck.load(_import(path)):
        points[fn.kit_exercise] = points.get(fn.kit_exercise, 0) + fn.kit_points
    return points
