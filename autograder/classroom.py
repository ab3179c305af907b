"""Grade a whole class: find the submissions, slice them for CI, grade what changed, keep the rest.

Inputs are files, nbgrader's ``submitted/<student>/<assignment>/`` tree (or a
course root that holds one), or a flat folder of ``<student>.ipynb``. Each
submission's result goes to ``<out>/results/<student>.json`` as soon as it is
graded, written atomically, with the sha256 of the graded file and a
fingerprint of everything that decides a grade (the assignment's checks and
the reference and kit code they import, the source notebook, the grading
settings, the device). A rerun keeps a result whose file and fingerprint are
unchanged and regrades the rest, so a killed run resumes where it stopped.
"""

import ast
import dataclasses
import errno
import fcntl
import hashlib
import importlib.metadata
import json
import multiprocessing
import multiprocessing.forkserver
import os
import re
import stat
import time
from pathlib import Path

from autograder import course, deadlines, results
from autograder.settings import ROOT, grading, load_config

RESULTS = "results"
LOCK = ".grade.lock"
MAX_READ = 1 << 30  # bytes hashed at most per submission; grading itself reads only up to Grading.max_notebook_mb
_PARTIAL = re.compile(r"^\..+\.[a-z0-9_]{8}$")  # what results.write_text_atomic leaves behind when killed


class UsageError(ValueError):
    """Bad inputs: the CLI exits 2."""


@dataclasses.dataclass(frozen=True, order=True)
class Submission:
    """One student's file for one assignment."""

    student: str
    path: Path


def submission_name(path):
    """The student behind a file: nbgrader's submitted/<student>/<assignment>/x.ipynb, else the file stem."""
    path = Path(path)
    if len(path.parts) >= 4 and path.parts[-4] == "submitted":
        return path.parts[-3]
    return path.stem


# --- finding submissions ---------------------------------------------------------


def _plain_file(path):
    """A regular file reached without following a symlink at its last step."""
    return not path.is_symlink() and path.is_file()


def _plain_dir(path):
    return not path.is_symlink() and path.is_dir()


def _notebooks(folder, notes, nested=False):
    """The visible *.ipynb regular files in folder (and, `nested`, its visible subfolders), sorted.

    Symlinks and special files are reported in `notes`, never read; a symlinked
    folder is not entered, so nothing outside `folder` is found. Hidden names
    (.ipynb_checkpoints, macOS's ._ copies) are never submissions.
    """
    found, folders = [], [folder]
    while folders:
        current = folders.pop()
        try:
            entries = sorted(current.iterdir())
        except OSError as exc:  # missing or unreadable: said, not fatal
            notes.append(f"{current}: cannot be listed ({exc.strerror or type(exc).__name__}); skipped")
            continue
        for path in entries:
            if path.name.startswith("."):
                continue
            if nested and _plain_dir(path):
                folders.append(path)
            elif path.suffix != ".ipynb":
                continue
            elif _plain_file(path):
                found.append(path)
            else:
                notes.append(f"{path}: {'a symlink' if path.is_symlink() else 'not a regular file'}; skipped, not read")
    return sorted(found)


@dataclasses.dataclass(frozen=True)
class Pick:
    """The notebook a folder holds for an assignment (None: none or several), and how many it holds."""

    path: Path | None
    count: int


def pick_notebook(folder, assignment_id, notes, nested=False):
    """The notebook handed in for this assignment in `folder`: <id>.ipynb, else the only notebook there.

    The one rule for every way a submission arrives (classroom folders, Gradescope's
    upload, where `nested` also looks in subfolders): see :func:`_notebooks`.
    """
    found = _notebooks(Path(folder), notes, nested)
    named = [p for p in found if p.name == f"{assignment_id}.ipynb"]
    if named:
        return Pick(path=named[0], count=len(found))
    return Pick(path=found[0] if len(found) == 1 else None, count=len(found))


def _pick(folder, assignment_id, notes):
    """The notebook a student handed in for this assignment, or None with a note saying why."""
    pick = pick_notebook(folder, assignment_id, notes)
    if pick.path is None and pick.count:
        notes.append(f"{folder}: {pick.count} notebooks and none named {assignment_id}.ipynb; skipped")
    elif pick.path is None:
        notes.append(f"{folder}: no notebook; skipped")
    return pick.path


def _nbgrader_tree(folder, assignment_id):
    """Whether folder is nbgrader's submitted/ folder (student folders holding <assignment>/)."""
    if folder.name == "submitted":
        return True
    return any(_plain_dir(child / assignment_id) for child in folder.iterdir() if _plain_dir(child))


def discover(inputs, assignment_id, notes=None):
    """Submissions named by files and folders, sorted by student; UsageError when two share a student name.

    A file is one submission (named by :func:`submission_name`); a folder is a
    course root with submitted/, nbgrader's submitted/ tree, one student's
    folder in it, or a flat folder whose *.ipynb files are named after their
    students. `notes` collects
    student folders that were skipped and why.
    """
    notes = [] if notes is None else notes
    found = []
    for item in map(Path, inputs):
        if item.is_symlink() and not item.is_dir():
            notes.append(f"{item}: a symlink; skipped, not read")
            continue
        if not item.is_dir():
            # a missing file is a grading failure, reported later
            found.append(Submission(student=submission_name(item), path=item))
            continue
        tree = item / "submitted" if _plain_dir(item / "submitted") else item
        if _nbgrader_tree(tree, assignment_id):
            for student in sorted(p for p in tree.iterdir() if not p.name.startswith(".")):
                folder = student / assignment_id
                if student.is_symlink() or folder.is_symlink():
                    notes.append(f"{student if student.is_symlink() else folder}: a symlink; skipped, not read")
                elif _plain_dir(folder):
                    path = _pick(folder, assignment_id, notes)
                    if path is not None:
                        found.append(Submission(student=student.name, path=path))
        elif _plain_dir(item / assignment_id):  # one student's folder: submitted/<student>
            path = _pick(item / assignment_id, assignment_id, notes)
            if path is not None:
                found.append(Submission(student=item.name, path=path))
        else:  # a flat folder of <student>.ipynb (or submitted/<student>/<assignment> itself)
            found.extend(Submission(student=submission_name(p), path=p) for p in _notebooks(item, notes))
    seen = {}
    for sub in found:
        if sub.student in ("", ".", "..") or sub.student.startswith("."):
            raise UsageError(f"{sub.path}: cannot tell whose submission this is (name {sub.student!r})")
        seen.setdefault(sub.student, []).append(sub.path)
    twice = {name: paths for name, paths in seen.items() if len(paths) > 1}
    if twice:
        lines = [f"{name}: {', '.join(map(str, paths))}" for name, paths in sorted(twice.items())]
        raise UsageError("several submissions for one student:\n  " + "\n  ".join(lines))
    return sorted(found)


# --- CI slices -------------------------------------------------------------------


def parse_shard(text):
    """'K/N' -> (K, N) with 1 <= K <= N; UsageError otherwise."""
    match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text or "")
    if not match or not 1 <= int(match[1]) <= int(match[2]):
        raise UsageError(f"--shard wants K/N with 1 <= K <= N, e.g. 2/4; got {text!r}")
    return int(match[1]), int(match[2])


def _shard_order(student):
    return hashlib.sha256(student.encode()).hexdigest(), student


def shard(submissions, k, n):
    """The K-th of N slices: students sorted by the hash of their name, dealt round-robin.

    Depends only on the names, so every CI machine cuts the class the same way,
    and slices differ in size by at most one.
    """
    ordered = sorted(submissions, key=lambda s: _shard_order(s.student))
    return sorted(ordered[k - 1 :: n])


# --- what decides a grade ------------------------------------------------------------


def _module_file(name, root):
    base = Path(root, *name.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def module_closure(start, root=ROOT, packages=("autograder", "reference")):
    """The Python files under root that `start` files import (transitively) from the given packages."""
    root = Path(root)
    seen, todo = set(), [Path(p) for p in start]
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        parts = path.relative_to(root).with_suffix("").parts
        package = parts[:-1] if parts[-1] != "__init__" else parts[:-1]
        names = []
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                names += [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    up = package[: len(package) - node.level + 1]
                    base = ".".join([*up, base] if base else up)
                names += [base] + [f"{base}.{alias.name}" for alias in node.names]
        for name in names:
            pieces = name.split(".")
            if pieces[0] not in packages:
                continue
            for i in range(1, len(pieces) + 1):
                found = _module_file(".".join(pieces[:i]), root)
                if found is not None and found not in seen:
                    todo.append(found)
    return sorted(seen)


def grading_files(assignment):
    """Every file whose content decides a grade of this assignment, relative paths sorted."""
    root = Path(assignment.root)
    kit = root / "autograder"
    files = set(module_closure([assignment.checks, kit / "grade.py"], root))
    files |= {p for p in (kit / "worker").glob("*.py")}  # copied whole into the student's worker
    files |= {kit / "checks" / "pytest.ini", assignment.source}
    return sorted(files)


def fingerprint(assignment, device="cpu", config=None, settings=None):
    """sha256 over the grading files, the Grading settings in effect (`settings`, else `config`'s), the device and the library versions."""
    if settings is None:
        settings = grading(config if config is not None else load_config(assignment.root))
    digest = hashlib.sha256()
    values = {name: getattr(settings, name) for name in sorted(settings.trait_names(config=True))}
    versions = {name: importlib.metadata.version(name) for name in ("torch", "pytest", "numpy")}
    header = {"assignment": assignment.id, "device": str(device), "settings": values, "versions": versions}
    digest.update(json.dumps(header, sort_keys=True, default=str).encode())
    for path in grading_files(assignment):
        digest.update(b"\0" + str(path.relative_to(assignment.root)).encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


# --- results on disk ---------------------------------------------------------------


def result_path(out, student):
    return Path(out) / RESULTS / f"{student}.json"


def read_submission(path, max_bytes):
    """A submission's bytes, read without following a symlink and only from a regular file.

    At most max_bytes + 1 bytes are read (the grader reports the file as too
    large); a symlink, a fifo or a device is an OSError, never opened for reading.
    """
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "not a regular file")
        chunks, left = [], max_bytes + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def submission_sha256(path):
    """The sha256 of a submission file's bytes (None when it cannot be read)."""
    try:
        return hashlib.sha256(read_submission(path, MAX_READ)).hexdigest()
    except OSError:
        return None


def kept_result(out, sub, assignment_id, print_, sha256=None):
    """The stored Result of this submission when it was graded from the same bytes with the same fingerprint.

    A fingerprint of None matches any (to guess cheaply whether grading is due).
    `sha256`, the file's hash when the caller has it, is not computed again.
    """
    path = result_path(out, sub.student)
    try:
        result = results.read(path)
    except (OSError, ValueError):
        return None
    mark = result.provenance
    sha256 = sha256 if sha256 is not None else submission_sha256(sub.path)
    if mark.assignment != assignment_id or mark.submission_sha256 != sha256:
        return None
    return result if print_ is None or mark.fingerprint == print_ else None


class OutputLock:
    """One grading run per output folder at a time (flock; a killed run's lock goes with it)."""

    def __init__(self, out):
        self.path = Path(out) / LOCK

    def __enter__(self):
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.handle = open(self.path, "w")
        try:
            fcntl.flock(self.handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self.handle.close()
            raise UsageError(f"another grading run is writing to {self.path.parent}") from None
        return self

    def __exit__(self, *exc):
        self.handle.close()


def clean_partial(out):
    """Remove the temporary files a killed run left in the kit's output folders."""
    removed = 0
    for folder in (Path(out), *(Path(out) / name for name in (RESULTS, "feedback", "report"))):
        if folder.is_dir():
            for path in folder.iterdir():
                if path.is_file() and path.name != LOCK and _PARTIAL.match(path.name):
                    path.unlink(missing_ok=True)
                    removed += 1
    return removed


def stored_results(folders):
    """{student: Result} from results/ folders (or output folders holding one); UsageError on conflicts."""
    merged, origin = {}, {}
    for folder in map(Path, folders):
        folder = folder / RESULTS if (folder / RESULTS).is_dir() else folder
        if not folder.is_dir():
            raise UsageError(f"{folder} is not a folder of results")
        for path in sorted(folder.glob("*.json")):
            if path.name.startswith("."):
                continue
            try:
                result = results.read(path)
            except (OSError, ValueError) as exc:
                raise UsageError(f"{path} is not a results.json file: {exc}") from None
            student = result.provenance.student or path.stem
            if student in merged and merged[student] != result:
                if merged[student].provenance.submission_sha256 != result.provenance.submission_sha256:
                    raise UsageError(f"{student} has different results in {origin[student]} and {path}")
            merged.setdefault(student, result)
            origin.setdefault(student, path)
    return dict(sorted(merged.items()))


# --- grading a class -----------------------------------------------------------------


def class_results(out, assignment_id, notes=None):
    """{student: Result} of every stored result of this assignment in out/results/: the whole class, not one run.

    Results of other assignments found there are left out and named in `notes`.
    """
    found = stored_results([out]) if (Path(out) / RESULTS).is_dir() else {}
    mine = {s: r for s, r in found.items() if r.provenance.assignment in (None, assignment_id)}
    if notes is not None and len(mine) < len(found):
        others = sorted(set(found) - set(mine))
        notes.append(f"{Path(out) / RESULTS} also holds results of other assignments ({', '.join(others)}); left out")
    return mine


def hand_in(sub):
    """When and by whom a submission was handed in, as its platform recorded it (for late work and the roster)."""
    try:
        when = deadlines.submission_time(sub.path) if Path(sub.path).is_file() else None
    except deadlines.DeadlineError as exc:  # the grade stands; the export reports the unreadable time
        return {"submitted_at_problem": str(exc)}
    stamp = {"submitted_at": when.isoformat()} if when else {}
    submitters = deadlines.gradescope_submitters(sub.path)
    return {**stamp, **({"submitters": submitters} if submitters else {})}


def _restamp(out, sub, kept):
    """A kept result with the hand-in record of the file now there (a new timestamp with the same bytes)."""
    fresh = kept.provenance.restamped(hand_in(sub))
    if fresh == kept.provenance:
        return kept
    kept = dataclasses.replace(kept, provenance=fresh)
    results.write(result_path(out, sub.student), kept)
    return kept


@dataclasses.dataclass
class ClassRun:
    """What one run did: results per student (new and kept), failures, timings."""

    assignment_id: str
    results: dict = dataclasses.field(default_factory=dict)  # student -> Result, sorted by student
    graded: list = dataclasses.field(default_factory=list)  # students graded in this run
    kept: list = dataclasses.field(default_factory=list)  # students whose stored result was still current
    broken: dict = dataclasses.field(default_factory=dict)  # student -> messages: grading itself failed, no result
    internal: dict = dataclasses.field(default_factory=dict)  # student -> tracebacks of checks that crashed
    stats: dict = dataclasses.field(default_factory=dict)  # student -> grade.GradeStats
    wall: float = 0.0


def _prestart_pool():
    """Start the grader pool's fork server now: it imports torch (see grade.grade_jobs) while this process does too."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["autograder.grade"])
    multiprocessing.forkserver.ensure_running()


def grade_class(
    submissions,
    assignment_id,
    out=None,
    device="auto",
    jobs=None,
    force=False,
    progress=None,
    root=None,
    require_sandbox=False,
):
    """Grade submissions (a list of :class:`Submission`), resuming from `out` unless `force`.

    With `out`, each new result is written to out/results/<student>.json as it
    arrives. `progress`, when given, is told about every finished submission.
    `require_sandbox` refuses to grade unconfined (grade --require-sandbox).
    The settings and the device are resolved here once and passed down.
    """
    started = time.monotonic()
    resume = out is not None and not force
    hashes = {s.student: submission_sha256(s.path) for s in submissions} if resume else {}
    likely = [s for s in submissions if not (resume and kept_result(out, s, assignment_id, None, hashes[s.student]))]
    if len(likely) > 1 and (jobs or os.cpu_count() or 1) > 1:
        _prestart_pool()
    from autograder.grade import grade_jobs, resolve_device

    assignment = course.get(assignment_id, root) if root else course.get(assignment_id)
    settings = grading(load_config(assignment.root))
    if require_sandbox:
        settings.require_sandbox = True
    resolved = resolve_device(device, settings)
    print_ = fingerprint(assignment, resolved.type, settings=settings)
    run = ClassRun(assignment_id=assignment_id)
    todo = []
    for sub in submissions:
        kept = kept_result(out, sub, assignment_id, print_, hashes[sub.student]) if resume else None
        if kept is not None:
            kept = _restamp(out, sub, kept)
            run.results[sub.student] = kept
            run.kept.append(sub.student)
        else:
            todo.append(sub)
    if progress is not None:
        progress.start(len(submissions), len(run.kept))
    by_path = {str(sub.path): sub for sub in todo}
    jobs_ = [(str(s.path), assignment_id) for s in todo]
    for graded in grade_jobs(jobs_, device=resolved, workers=jobs, root=root, settings=settings):
        sub = by_path[graded.path]
        if graded.internal:
            run.internal[sub.student] = graded.internal
        result = graded.result
        if result is None:
            run.broken[sub.student] = graded.internal
        else:
            mark = dataclasses.replace(  # the grader recorded the sandbox tier; the rest is stamped here
                result.provenance,
                student=sub.student,
                assignment=assignment_id,
                submission_sha256=graded.stats.sha256,
                fingerprint=print_,
            )
            result = dataclasses.replace(result, provenance=mark.restamped(hand_in(sub)))
            if out is not None:
                results.write(result_path(out, sub.student), result)
            run.results[sub.student] = result
            run.graded.append(sub.student)
            run.stats[sub.student] = graded.stats
        if progress is not None:
            progress.advance(sub.student, result, graded.stats.seconds if graded.stats else None)
    if progress is not None:
        progress.close()
    run.results = dict(sorted(run.results.items()))
    run.wall = time.monotonic() - started
    return run
