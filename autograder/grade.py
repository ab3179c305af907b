"""Grade submissions into Results: run the notebook's code in a worker, the hidden checks in this process.

One submission is one pytest session over the assignment's check module, with
:class:`~autograder.plugin.KitPlugin` handing the checks a session on the
worker. Many submissions go to a pool of grader processes that each import
torch and pytest once. Settings and device are resolved once per call
(:func:`grade_bytes`, :func:`grade_jobs`) and passed down; each submission's
bytes are hashed once.
"""

import concurrent.futures
import contextlib
import dataclasses
import errno
import functools
import gc
import hashlib
import io
import multiprocessing
import os
import resource
import sys
import threading
import time
from pathlib import Path

import pytest
import torch

from autograder import course, results, submission
from autograder.classroom import read_submission
from autograder.client import WorkerClient
from autograder.plugin import KitPlugin
from autograder.settings import ROOT, grading, load_config
from autograder.student import Session

CHECKS_INI = Path(__file__).resolve().parent / "checks" / "pytest.ini"
WATCHDOG_GRACE = 30.0  # seconds past a submission's budget before the watchdog kills its processes
BUDGET_SPENT = "the grading time budget for this submission ran out"


class GraderError(Exception):
    """Grading itself failed (not the student's code): the CLI exits non-zero."""


def resolve_device(name, settings=None):
    """'auto' becomes `settings.device` when given, then cuda when a GPU is visible, else cpu; a missing GPU is an error."""
    if name == "auto" and settings is not None:
        name = settings.device
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name == "cuda" and not torch.cuda.is_available():
        raise GraderError("--device cuda was asked for, but torch sees no GPU")
    return torch.device(name)


def _bytes(mib):
    return int(mib * 2**20)


@functools.cache
def _config(root):
    return load_config(root)


def grade_bytes(data, assignment, device="auto", threads=1, config=None, select=None, plugins=()):
    """Grade one submission's bytes with the course's settings (or `config`'s); returns (Result, internal tracebacks).

    `select`, a pytest -k expression, runs only some checks (threshold calibration);
    `plugins`, more pytest plugins for the checks' session (mutation testing's early stop).
    """
    settings = grading(config if config is not None else _config(str(assignment.root)))
    device = resolve_device(device, settings)
    return grade_data(data, assignment, settings=settings, device=device, threads=threads, select=select, plugins=plugins)


def grade_data(data, assignment, *, settings, device, threads=1, select=None, digest=None, plugins=()):
    """Grade one submission's bytes with resolved settings and torch device; returns (Result, internal tracebacks).

    `digest`, the sha256 of `data` when the caller already has it, is not computed again.
    """
    if str(assignment.root) not in sys.path:
        sys.path.insert(0, str(assignment.root))  # checks import reference/ and autograder/
    digest = digest if digest is not None else hashlib.sha256(data).hexdigest()
    started = time.monotonic()
    try:
        plan = submission.plan(data, assignment, _bytes(settings.max_notebook_mb), _bytes(settings.max_file_mb), digest=digest)
    except (RecursionError, MemoryError) as exc:  # a notebook nested thousands deep, or one that expands too much
        plan = None
        reason = "is nested too deeply" if isinstance(exc, RecursionError) else "needs too much memory to read"
        worker = WorkerClient(settings, broken=f"your notebook could not be read: it {reason}")
    except submission.UnreadableNotebook as exc:
        plan = None
        worker = WorkerClient(settings, broken=f"your notebook could not be read: {exc}")
    else:
        worker = WorkerClient(settings, threads=threads)
    # the submission's hard budget: every request stops at ends_at, and the watchdog ends the student's
    # processes a little later in case anything blocks outside a request's own deadline
    worker.ends_at = started + settings.submission_timeout + max(settings.cell_timeout, settings.check_timeout)
    watchdog = threading.Timer(worker.ends_at - time.monotonic() + WATCHDOG_GRACE, worker.expire, [BUDGET_SPENT])
    watchdog.daemon = True
    watchdog.start()
    try:
        return _run_checks(plan, worker, settings, assignment, device, select, plugins)
    finally:
        watchdog.cancel()


def _run_checks(plan, worker, settings, assignment, device, select=None, plugins=()):
    """Run the notebook's cells, then the hidden checks under pytest; returns (Result, internal errors)."""
    if plan is not None:
        for name, source in plan.cells:
            worker.run_cell(name, source)
    session = Session(worker, plan.sources if plan else {})
    digest = plan.digest if plan else "unreadable"
    plugin = KitPlugin(session, settings, assignment, digest, device)
    args = [
        str(assignment.checks),
        "-c",
        str(CHECKS_INI),
        "--rootdir",
        str(CHECKS_INI.parent),
        "-p",
        "no:cacheprovider",
        "--assert=plain",
        "--strict-markers",
        f"--timeout={settings.check_timeout}",
        "-q",
    ]
    if select:
        args += ["-k", select]
    output = io.StringIO()
    try:
        with contextlib.redirect_stdout(output), contextlib.redirect_stderr(output):
            code = pytest.main(args, plugins=[plugin, *plugins])
    finally:
        worker.stop()
    if code not in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED) or not plugin.records:
        raise GraderError(f"the checks of {assignment.id} did not run (pytest exit {int(code)}):\n{output.getvalue()[-3000:]}")
    problems = list(plan.problems) if plan else [worker.broken]
    warnings = list(plan.notes) if plan else []
    warnings += [
        f"cell '{cell}' raised {e['type']}: {e['message']}" + (f" ({e['where']})" if e["where"] else "")
        for cell, e in worker.cell_errors.items()
    ]
    if worker.tier is not None:  # every record names the confinement its student code ran in
        confined = worker.tier.confined
        warnings.append(
            f"graded in the {worker.tier.name} sandbox ({worker.tier.enforces})"
            if confined
            else f"graded without a sandbox: {worker.tier.enforces}"
        )
    sandbox = worker.tier.name if worker.tier is not None else None
    result = results.Result.of(plugin.records, problems, warnings, sandbox=sandbox)
    return result, result.internal


def _warm():
    """Pool initializer: one thread per grader, heavy imports paid once (in the forkserver), then frozen."""
    torch.set_num_threads(1)
    gc.freeze()


_settled = False


def _settle():
    """After a process's first grading, collect once and freeze what survives (imports, the warm worker, caches).

    pytest runs a full gc.collect() at the end of every session; without this
    it walks every object of torch and the checks each time (about 2 s per
    submission on the course machine); with it, only the last submission's.
    """
    global _settled
    if not _settled:
        gc.collect()
        gc.freeze()
        _settled = True


@dataclasses.dataclass(frozen=True)
class GradeStats:
    """What grading one submission cost, and the sha256 of the bytes it graded."""

    sha256: str
    seconds: float  # wall seconds of the whole grading
    check_seconds: float  # the checks' own seconds
    grader_mb: float  # peak resident memory of the grader process, MiB
    worker_mb: float  # peak resident memory of its largest student worker so far, MiB


@dataclasses.dataclass
class Graded:
    """One finished job of :func:`grade_jobs`.

    `result` is the :class:`~autograder.results.Result` (None when grading
    broke; `internal` then says why); `stats` its :class:`GradeStats` (None
    when grading broke).
    """

    path: object
    assignment_id: str
    result: results.Result | None
    internal: list
    stats: GradeStats | None


def _peak_mb(who):
    return resource.getrusage(who).ru_maxrss / 1024  # KiB on Linux


def _grade_job(path, assignment_id, settings, device, threads, root, plugins=()):
    """Grade one file (in a pool process) with resolved settings and device; returns (Result, internal, GradeStats)."""
    started = time.monotonic()
    assignment = course.get(assignment_id, root) if root else course.get(assignment_id)
    try:
        data = read_submission(path, _bytes(settings.max_file_mb))  # an absurd file is refused by its size, never read whole
    except OSError as exc:
        reason = "a symlink, not followed" if exc.errno == errno.ELOOP else exc.strerror
        raise GraderError(f"cannot read {path}: {reason}") from None
    digest = hashlib.sha256(data).hexdigest()  # the one hash of these bytes: seeds, provenance and resuming use it
    result, internal = grade_data(
        data, assignment, settings=settings, device=device, threads=threads, digest=digest, plugins=plugins
    )
    seconds = time.monotonic() - started
    result = dataclasses.replace(result, execution_time=round(seconds, 3))
    stats = GradeStats(
        sha256=digest,
        seconds=seconds,
        check_seconds=sum(c.seconds or 0.0 for c in result.checks),
        grader_mb=_peak_mb(resource.RUSAGE_SELF),
        worker_mb=_peak_mb(resource.RUSAGE_CHILDREN),
    )
    _settle()
    return result, internal, stats


def _broken(exc):
    return [str(exc) if isinstance(exc, GraderError) else f"{type(exc).__name__}: {exc}"]


def grade_jobs(jobs, device="auto", workers=None, root=None, settings=None, plugins=None):
    """Grade (path, assignment_id) pairs on `workers` processes; yields a :class:`Graded` per job as each finishes.

    `settings` (default: the course's under `root`) and `device` are resolved
    here once and handed to every job; `plugins` maps a path to more pytest
    plugins (picklable) for that job's checks. The pool's processes fork from a server that imported torch, pytest and the
    grader once, and each grades many submissions in turn. A grading that
    breaks yields a Graded with result None, never an exception.
    """
    jobs = list(jobs)
    settings = settings if settings is not None else grading(_config(str(root or ROOT)))
    device = device if isinstance(device, torch.device) else resolve_device(device, settings)
    cores = os.cpu_count() or 1
    workers = max(1, min(workers or cores, len(jobs) or 1))
    threads = max(1, cores // workers)
    if workers == 1:
        for path, assignment_id in jobs:
            try:
                extra = (plugins or {}).get(path, ())
                result, internal, stats = _grade_job(path, assignment_id, settings, device, threads, root, extra)
            except Exception as exc:  # noqa: BLE001 - one broken grading must not stop the class
                yield Graded(path=path, assignment_id=assignment_id, result=None, internal=_broken(exc), stats=None)
            else:
                yield Graded(path=path, assignment_id=assignment_id, result=result, internal=internal, stats=stats)
        return
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([__name__])  # ignored when the server already runs
    pool = concurrent.futures.ProcessPoolExecutor(workers, mp_context=context, initializer=_warm)
    try:
        extra = plugins or {}
        futures = {pool.submit(_grade_job, p, a, settings, device, threads, root, extra.get(p, ())): (p, a) for p, a in jobs}
        for future in concurrent.futures.as_completed(futures):
            path, assignment_id = futures[future]
            try:
                result, internal, stats = future.result()
            except Exception as exc:  # noqa: BLE001 - one broken grading must not stop the class
                yield Graded(path=path, assignment_id=assignment_id, result=None, internal=_broken(exc), stats=None)
            else:
                yield Graded(path=path, assignment_id=assignment_id, result=result, internal=internal, stats=stats)
    finally:
        # on an early exit (Ctrl-C, a consumer that stops) drop the queued jobs instead of grading them
        pool.shutdown(wait=True, cancel_futures=True)


def grade_many(paths, assignment_id, device="auto", jobs=None, root=None):
    """Grade many files of one assignment on `jobs` processes; yields (path, Result, internal) as each finishes.

    A submission whose grading broke yields (path, None, [message]).
    """
    for graded in grade_jobs([(p, assignment_id) for p in paths], device=device, workers=jobs, root=root):
        yield graded.path, graded.result, graded.internal
