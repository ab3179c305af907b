"""Talk to one student worker from the grader: the requests sent to it, their deadlines, and the cells it ran.

:class:`WorkerClient` starts its process through :mod:`autograder.launch`, restarts it
(replaying the cells that ran cleanly) when a check left it dead or busy, and turns
deadlines, crashes and malformed answers into the errors of :mod:`autograder.student`.
"""

import signal
import time

from autograder import launch
from autograder.student import BadAnswer, CheckTimeout, WorkerDied, is_error_record
from autograder.submission import UnreadableNotebook
from autograder.worker import wire


class WorkerClient:
    """One student worker process and the cells that make up its namespace."""

    def __init__(self, settings, threads=1, broken=None):
        self.settings = settings
        self.broken = broken
        self.busy = False
        self.threads = threads
        self.cells = []
        self.cell_errors = {}
        self.replay_errors = {}  # cells that ran cleanly but failed when replayed after a restart: never blamed
        self.process = None
        self.deadline = None
        self.generation = 0
        self.tier = None
        self.request_id = 0
        self.ends_at = None  # time.monotonic() after which no request may run (the submission's budget)
        self.expired = None  # set by the watchdog: why every request now fails

    @property
    def sandboxed(self):
        return self.tier is not None and self.tier.confined

    # --- life cycle ----------------------------------------------------------

    def start(self):
        """Start a fresh (sandboxed) process and replay the cells that ran cleanly before."""
        self.process = launch.start(self.settings, self.threads)
        self.tier = self.process.tier
        self.to_child, self.from_child = self.process.to_child, self.process.from_child
        replay, self.cells = self.cells, []  # failed cells keep their recorded errors and are not retried
        for name, source in replay:
            if self.run_cell(name, source, replay=True) is not None and self.process is None:
                # the replay itself ran out of time or crashed: not the cell's fault, and not the next check's
                self.cells = replay
                raise WorkerDied(
                    "an earlier check stopped the process running your code, and re-running your notebook's cells "
                    f"in a fresh process did not finish ({self.replay_errors[name]['type']} while re-running them)"
                )

    def stop(self):
        """Ask the process to leave, then make sure it and everything it started are gone."""
        if self.process is None:
            return
        try:
            wire.send(self.to_child, {"op": "bye"}, time.monotonic() + 1.0)
        except (OSError, wire.Deadline):
            pass
        self.kill()

    def kill(self):
        """End the process now; returns its Popen-style exit code when known."""
        self.busy = False
        if self.process is None:
            return None
        self.generation += 1  # every handle into the old process is now stale
        code = self.process.kill()
        self.process = None
        return code

    def _death(self):
        process = self.process
        code = self.kill()
        if getattr(process, "reason", None):
            return f"the process running your code was stopped: {process.reason}"
        if code is None:
            return "the process running your code ended unexpectedly"
        if code < 0:
            name = signal.Signals(-code).name
            hint = " (usually memory exhausted)" if -code == signal.SIGKILL else ""
            return f"the process running your code was killed by {name}{hint}"
        return f"the process running your code exited with status {code} (sys.exit or os._exit?)"

    # --- requests ------------------------------------------------------------

    def request_deadline(self, deadline):
        """The request's deadline: the one given, else the check's, else one check's time; never past the submission's end."""
        if deadline is None:
            deadline = self.deadline if self.deadline is not None else time.monotonic() + self.settings.check_timeout
        return deadline if self.ends_at is None else min(deadline, self.ends_at)

    def expire(self, reason):
        """The watchdog's way out: refuse every further request and end the student's processes now.

        Safe from another thread: it only sends SIGKILL (no descriptor is closed
        under the grading thread), which ends any read or write blocked on the worker.
        """
        self.expired = reason
        launch.kill_now(self.process)

    def request(self, message, deadline=None):
        """Send one request and wait for its answer; restart the worker first if it is gone."""
        if self.broken:
            raise UnreadableNotebook(self.broken)
        if self.expired or (self.ends_at is not None and time.monotonic() >= self.ends_at):
            raise CheckTimeout(self.expired or "the grading time budget for this submission ran out")
        if self.process is None:
            self.start()
            if self.expired:  # the watchdog fired while the process started: it may have found nothing to kill
                self.kill()
                raise CheckTimeout(self.expired)
        deadline = self.request_deadline(deadline)
        self.request_id += 1
        try:
            self.busy = True
            wire.send(self.to_child, dict(message, id=self.request_id), deadline)
            while True:
                answer = wire.receive(self.from_child, self.settings.max_message_mb << 20, deadline)
                if type(answer) is not dict or type(answer.get("id")) is not int or answer["id"] > self.request_id:
                    raise wire.WireError("an answer that matches no request")
                if answer["id"] == self.request_id:
                    break  # older ids are leftovers of an earlier, abandoned request
            self.busy = False
            return answer
        except wire.Deadline:
            self.kill()
            raise CheckTimeout("your code did not finish in the time this check allows (infinite loop? too slow?)") from None
        except (EOFError, BrokenPipeError):
            raise WorkerDied(self._death()) from None
        except wire.WireError as exc:
            self.kill()
            raise BadAnswer(f"the worker sent a malformed answer: {exc}") from None

    def run_cell(self, name, source, replay=False):
        """Execute one notebook cell; remember it so a restarted worker can replay it.

        A replayed cell ran cleanly before, so its error (a slow restart, a
        crash) goes to `replay_errors`, not to the cell's record.
        """
        deadline = time.monotonic() + self.settings.cell_timeout
        try:
            answer = self.request({"op": "exec", "cell": name, "source": source}, deadline)
        except CheckTimeout:
            error = {"type": "Timeout", "message": f"the cell ran longer than {self.settings.cell_timeout:g} s", "where": ""}
        except (WorkerDied, BadAnswer) as exc:
            error = {"type": type(exc).__name__, "message": str(exc), "where": ""}
        else:
            try:
                error = wire.decode(answer["ok"], wire.torch_tag) if "ok" in answer else answer.get("error")
            except (wire.WireError, wire.Deadline, TypeError, KeyError):
                error = {}
            if error is not None and not is_error_record(error):
                error = {"type": "BadAnswer", "message": "the worker sent a malformed cell result", "where": ""}
        if error is None or replay:
            self.cells.append((name, source))
        if error is not None:
            (self.replay_errors if replay else self.cell_errors)[name] = error
        return error
