"""Grade submissions: run the notebook's code in a worker, the hidden checks in this process.

One submission is one pytest session over the assignment's check module, with
:class:`~autograder.plugin.KitPlugin` handing the checks a session on the
worker. Many submissions go to a pool of grader processes that each import
torch and pytest once.
"""

import concurrent.futures
import contextlib
import functools
import io
import multiprocessing
import os
import sys
from pathlib import Path

import pytest
import torch

from autograder import course, results, submission
from autograder.plugin import KitPlugin
from autograder.settings import grading, load_config
from autograder.student import Session, Worker

CHECKS_INI = Path(__file__).resolve().parent / "checks" / "pytest.ini"


class GraderError(Exception):
    """Grading itself failed (not the student's code): the CLI exits non-zero."""


def resolve_device(name):
    """'auto' becomes cuda when a GPU is visible, else cpu; asking for a missing GPU is an error."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name == "cuda" and not torch.cuda.is_available():
        raise GraderError("--device cuda was asked for, but torch sees no GPU")
    return torch.device(name)


@functools.cache
def _config(root):
    return load_config(root)


def grade_bytes(data, assignment, device="auto", threads=1, config=None):
    """Grade one submission's bytes; returns (results.json dict, internal error tracebacks)."""
    if str(assignment.root) not in sys.path:
        sys.path.insert(0, str(assignment.root))  # checks import reference/ and autograder/
    config = config if config is not None else _config(str(assignment.root))
    settings = grading(config)
    device = resolve_device(device if device != "auto" else settings.device)
    try:
        plan = submission.plan(data, assignment, int(settings.max_notebook_mb * 2**20))
    except submission.UnreadableNotebook as exc:
        plan = None
        worker = Worker(settings, broken=f"your notebook could not be read: {exc}")
    else:
        worker = Worker(settings, threads=threads)
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
    output = io.StringIO()
    try:
        with contextlib.redirect_stdout(output), contextlib.redirect_stderr(output):
            code = pytest.main(args, plugins=[plugin])
    finally:
        worker.stop()
    if code not in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED) or not plugin.records:
        raise GraderError(f"the checks of {assignment.id} did not run (pytest exit {int(code)}):\n{output.getvalue()[-3000:]}")
    problems = list(plan.problems) if plan else [worker.broken]
    warnings = [
        f"cell '{cell}' raised {e['type']}: {e['message']}" + (f" ({e['where']})" if e["where"] else "")
        for cell, e in worker.cell_errors.items()
    ]
    internal = [r["internal"] for r in plugin.records if "internal" in r]
    return results.gradescope(plugin.records, problems, warnings), internal


def grade_path(path, assignment_id, device="auto", threads=1, root=None):
    """Grade one notebook file; a file that cannot be read is graded as unreadable, not skipped."""
    assignment = course.get(assignment_id, root) if root else course.get(assignment_id)
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise GraderError(f"cannot read {path}: {exc.strerror}") from None
    return grade_bytes(data, assignment, device, threads)


def _warm():
    """Pool initializer: one thread per grader, heavy imports paid once."""
    torch.set_num_threads(1)


def grade_many(paths, assignment_id, device="auto", jobs=None, root=None):
    """Grade many files on `jobs` processes; yields (path, result, internal) as each finishes.

    A submission whose grading broke yields (path, None, [message]).
    """
    jobs = max(1, jobs or os.cpu_count() or 1)
    threads = max(1, (os.cpu_count() or 1) // jobs)
    if jobs == 1 or len(paths) == 1:
        for path in paths:
            try:
                result, internal = grade_path(path, assignment_id, device, threads, root)
            except GraderError as exc:
                yield path, None, [str(exc)]
            else:
                yield path, result, internal
        return
    context = multiprocessing.get_context("forkserver")
    with concurrent.futures.ProcessPoolExecutor(jobs, mp_context=context, initializer=_warm) as pool:
        futures = {pool.submit(grade_path, p, assignment_id, device, threads, root): p for p in paths}
        for future in concurrent.futures.as_completed(futures):
            path = futures[future]
            try:
                result, internal = future.result()
            except Exception as exc:  # noqa: BLE001 - one broken grading must not stop the class
                yield path, None, [f"{type(exc).__name__}: {exc}"]
            else:
                yield path, result, internal
