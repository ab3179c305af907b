"""Run the hidden checks against one submission under pytest and record each outcome as a CheckRecord.

Checks get these fixtures: ``student`` (the :class:`~autograder.student.Session`),
``rng`` (a torch.Generator seeded from the course secret, the submission and the
check), ``device``, ``settings`` and ``assignment``. Markers: ``points(n)``
(required), ``exercise(name)``, which groups checks per exercise, and
pytest-timeout's ``timeout(seconds)``; each check's are resolved once into a :class:`CheckSpec`.
Feedback is built from the failure's message only: never from check source,
inputs or expected values.
"""

import dataclasses
import hashlib
import re
import time
import traceback

import pytest
import pytest_timeout
import torch

from autograder.results import CheckRecord
from autograder.student import BadAnswer, CheckTimeout, StudentError, WorkerDied
from autograder.submission import UnreadableNotebook

TEACHING_ERRORS = (StudentError, WorkerDied, CheckTimeout, BadAnswer, UnreadableNotebook)
SEED_SECONDS = 5.0  # how long seeding the worker before a check may take
GENERIC = "the check could not examine your result ({}); does it return the documented type and shape?"
# pytest-timeout fails a check with pytest.fail(PYTEST_FAILURE_MESSAGE % seconds): recognise exactly that message
TIMED_OUT = re.compile(re.escape(pytest_timeout.PYTEST_FAILURE_MESSAGE).replace(re.escape("%s"), ".*"))


@dataclasses.dataclass(frozen=True)
class CheckSpec:
    """What a check's markers and docstring say about it, resolved once per check."""

    title: str
    exercise: str
    points: float
    timeout: float

    @classmethod
    def of(cls, item, check_timeout):
        """Resolve `item`'s markers (the timeout defaults to `check_timeout`), once; later calls reuse the result."""
        if SPEC not in item.stash:
            points = item.get_closest_marker("points")
            exercise = item.get_closest_marker("exercise")
            timeout = item.get_closest_marker("timeout")
            seconds = None if timeout is None else (timeout.args or [timeout.kwargs.get("timeout")])[0]
            doc = (item.function.__doc__ or "").strip().splitlines()
            item.stash[SPEC] = cls(
                title=doc[0] if doc else item.name,
                exercise=exercise.args[0] if exercise else item.module.__name__,
                points=float(points.args[0]) if points else 0.0,
                timeout=float(seconds) if seconds is not None else float(check_timeout),
            )
        return item.stash[SPEC]


SPEC = pytest.StashKey[CheckSpec]()


def feedback(exc):
    """The message a student sees for a failed check."""
    if isinstance(exc, AssertionError):
        # pytest's assertion rewriting (if some host enabled it) appends "assert <values>": never show that
        message = str(exc).split("\nassert ", 1)[0].strip()
        return "" if message.startswith("assert ") else message or "the result is not what this check expects"
    if isinstance(exc, TEACHING_ERRORS):
        return str(exc)
    if isinstance(exc, pytest.fail.Exception):
        message = str(exc.msg)
        if TIMED_OUT.fullmatch(message):
            return "your code did not finish in the time this check allows (infinite loop? too slow?)"
        return message
    return GENERIC.format(type(exc).__name__)


class KitPlugin:
    """Hands one submission's session to the checks and collects a record per check."""

    def __init__(self, session, settings, assignment, digest, device):
        # underscored: the public names are the fixtures below
        self._session = session
        self._settings = settings
        self._assignment = assignment
        self._digest = digest
        self._device = device
        self.records = []  # CheckRecord per check, in run order
        self.started = time.monotonic()

    def seed_for(self, nodeid, purpose="rng"):
        """A 63-bit seed from the course secret, the submission, the check and its purpose.

        `rng` seeds the check's inputs; `worker` seeds the student's process. The
        two are independent hashes of the secret, so nothing the student's code
        can read (torch.initial_seed()) leads back to the check's inputs.
        """
        parts = (self._settings.secret, self._assignment.id, self._digest, nodeid)
        text = "|".join(parts if purpose == "rng" else (purpose, *parts))
        return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big") >> 1

    def pytest_configure(self, config):
        """Register the kit's markers so --strict-markers accepts them."""
        config.addinivalue_line("markers", "points(n): points this check is worth")
        config.addinivalue_line("markers", "exercise(name): the exercise (solution cell) a check belongs to")

    @pytest.fixture(scope="session")
    def student(self):
        return self._session

    @pytest.fixture
    def rng(self, request):
        return torch.Generator().manual_seed(self.seed_for(request.node.nodeid))

    @pytest.fixture(scope="session")
    def device(self):
        return self._device

    @pytest.fixture(scope="session")
    def settings(self):
        return self._settings

    @pytest.fixture(scope="session")
    def assignment(self):
        return self._assignment

    def pytest_runtest_setup(self, item):
        """Refuse to start a check once the submission's time budget is spent."""
        if time.monotonic() - self.started > self._settings.submission_timeout:
            pytest.fail("the grading time budget for this submission ran out before this check")

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_call(self, item):
        """Give the check's requests a deadline and fresh seeds; restart a worker left mid-request."""
        limit = CheckSpec.of(item, self._settings.check_timeout).timeout
        worker = self._session.worker
        worker.deadline = time.monotonic() + SEED_SECONDS  # a worker that stopped listening costs this, not the check's time
        try:
            if worker.process is not None or not worker.broken:
                self._session.seed(self.seed_for(item.nodeid, "worker"))
        except Exception:  # noqa: BLE001 - the check itself will meet and report the same failure
            pass
        worker.deadline = time.monotonic() + max(limit - 0.5, 0.5)
        threads = torch.get_num_threads()
        torch.set_num_threads(1)  # the grader's own small computations: faster, above all on a busy machine
        try:
            yield
        finally:
            torch.set_num_threads(threads)
        worker.deadline = None
        if worker.busy:
            worker.kill()

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item, call):
        """Turn each check's outcome into a record with points and teaching feedback."""
        outcome = yield
        report = outcome.get_result()
        if report.when == "call" or (report.when == "setup" and report.failed):
            spec = CheckSpec.of(item, self._settings.check_timeout)
            message, internal = "", None
            if call.excinfo is not None and report.failed:
                exc = call.excinfo.value
                message = feedback(exc)
                if not isinstance(exc, (AssertionError, *TEACHING_ERRORS)) and not isinstance(exc, pytest.fail.Exception):
                    internal = "".join(traceback.format_exception(exc))
            record = CheckRecord(
                check=item.name,
                exercise=spec.exercise,
                title=spec.title,
                max_score=spec.points,
                score=spec.points if report.passed else 0.0,
                passed=report.passed,
                feedback=message,
                seconds=round(report.duration, 3),
                internal=internal,
            )
            self.records.append(record)
