"""The trusted side of the worker protocol: start the worker, talk to it, wrap its handles.

Hidden checks see the student's code only through :class:`Student` and
:class:`Remote`. Every answer is decoded by :mod:`autograder.worker.wire` into
plain Python values and plain tensors; anything else is a :class:`Remote`
handle whose operations are requests to the worker.
"""

import atexit
import functools
import itertools
import json
import multiprocessing.util
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time

import torch

from autograder import sandbox
from autograder.submission import UnreadableNotebook
from autograder.worker import wire

SandboxUnavailable = sandbox.SandboxUnavailable
_WORKER_IDS = itertools.count()
MAX_ITEMS = 100_000  # items one iteration over a remote object may yield: a generator cannot pile answers up forever


INTERNAL = re.compile(r"\b(?:kitworker\.)?harness\.|\bkitworker\.")


def plain(text):
    """Text for the student: the kit's internal module names (the worker runtime, its harness) taken out."""
    return INTERNAL.sub("", str(text))


def _is_internal(label):
    return label.startswith(("kitworker", "harness")) or label in ("value", "seeding")


class StudentError(Exception):
    """The student's code raised, or a name the check needs is missing."""

    def __init__(self, what, error):
        self.what, self.error = what, error
        where = f" ({error['where']})" if error.get("where") else ""
        if error["type"] == "NotImplementedError" and not error["message"]:
            text = f"{what} is not implemented yet (it raises NotImplementedError){where}"
        else:
            text = f"{what} raised {error['type']}: {error['message']}{where}"
        super().__init__(plain(text))


class WorkerDied(Exception):
    """The worker process ended or was killed; its message says why."""


class CheckTimeout(Exception):
    """A request to the worker outran the check's time limit."""


class BadAnswer(Exception):
    """The worker's answer broke the protocol (size, encoding, types)."""


class Launched:
    """A process started by the grader (a worker or a zygote), with its pipes, cgroup, scratch folder and tier."""

    def __init__(self, popen, cgroup, scratch, tier, fds):
        self.popen, self.cgroup, self.scratch, self.tier = popen, cgroup, scratch, tier
        self.to_child, self.from_child = fds

    def kill(self):
        """Kill its process group and cgroup, close its pipes, delete its folder; returns the exit code."""
        try:
            os.killpg(self.popen.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        code = self.popen.wait()
        self.cgroup.close()
        for fd in (self.to_child, self.from_child):
            _close(fd)
        sandbox.remove_scratch(self.scratch)
        return code


def _close(fd):
    try:
        os.close(fd)
    except OSError:
        pass


@functools.cache
def _tier(setting):
    return sandbox.choose(setting)


def _launch(settings, threads, role, control=None):
    """Start a worker (role 'worker') or a zygote ('zygote', talking on the socket `control`)."""
    tier = _tier(settings.sandbox)
    if settings.require_sandbox and not tier.confined:
        raise SandboxUnavailable("a sandbox is required (--require-sandbox) but Grading.sandbox is 'none'")
    scratch = tempfile.mkdtemp(prefix="kit-worker-")
    sandbox.prepare_scratch(scratch, tier)
    gpu = settings.device == "cuda" or torch.cuda.is_available()
    cgroup = sandbox.Cgroup(f"kit-{os.getpid()}-{next(_WORKER_IDS)}", settings.worker_processes, settings.worker_memory_mb)
    memory = 0 if gpu or cgroup else settings.worker_memory_mb  # CUDA reserves a huge address space
    home = "/tmp" if tier.name == "bubblewrap" else scratch
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": home,
        "TMPDIR": home,
        "OMP_NUM_THREADS": str(threads),
        "KIT_THREADS": str(threads),
        "MPLBACKEND": "Agg",
    }
    for name in ("CUDA_VISIBLE_DEVICES", "LD_LIBRARY_PATH"):
        if name in os.environ:
            env[name] = os.environ[name]
    if role == "zygote":
        fds, keep = (control.fileno(),), ()
        pipes = (control.fileno(), -1)
    else:
        to_child_r, to_child_w = os.pipe()
        to_parent_r, to_parent_w = os.pipe()
        fds, keep = (to_child_r, to_parent_w), (to_child_w, to_parent_r)
        pipes = fds
    nproc = 0 if cgroup else settings.worker_processes
    runtime = sandbox.runtime()
    plan = sandbox.worker_plan(
        tier,
        role,
        scratch,
        runtime,
        fds=pipes,
        memory_mb=memory,
        nproc=nproc,
        gpu=gpu,
        disk_mb=settings.worker_disk_mb,
        disk_files=settings.worker_files,
    )
    popen = subprocess.Popen(
        sandbox.launch_command(plan, runtime, scratch, gpu),
        pass_fds=fds,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=scratch,
        env=env,
        start_new_session=True,
        preexec_fn=cgroup.enter if cgroup else None,
    )
    if role == "worker":
        for fd in fds:
            os.close(fd)
    return Launched(popen, cgroup, scratch, tier, keep or (-1, -1))


def _no_python(exc, tier):
    where = f"inside the {tier.name} sandbox" if tier.confined else "as a subprocess"
    return (
        f"the grader could not start Python {where} to run student code ({sys.executable}: {type(exc).__name__}); "
        "is the interpreter or its virtual environment readable there?"
    )


class Forked:
    """A worker forked by a zygote: the grader holds its pipes, the zygote holds the process."""

    def __init__(self, zygote, pid, fds):
        self.zygote, self.pid, self.reason = zygote, pid, None
        self.tier = zygote.launched.tier
        self.to_child, self.from_child = fds

    def kill(self):
        code, self.reason = self.zygote.kill(self.pid)
        for fd in (self.to_child, self.from_child):
            _close(fd)
        return code


class Zygote:
    """A warm, sandboxed parent that forks a fresh worker per submission (torch already imported)."""

    TIMEOUT = 60.0

    def __init__(self, settings, threads):
        ours, theirs = socket.socketpair()
        self.socket = ours
        self.launched = _launch(settings, threads, "zygote", control=theirs)
        theirs.close()
        self.socket.settimeout(self.TIMEOUT)
        self.replies = self.socket.makefile("rb")

    def _ask(self, request, fds=()):
        socket.send_fds(self.socket, [json.dumps(request).encode()], list(fds))
        line = self.replies.readline()
        if not line:
            raise OSError("the zygote is gone")
        return json.loads(line)

    def spawn(self):
        to_child_r, to_child_w = os.pipe()
        to_parent_r, to_parent_w = os.pipe()
        try:
            reply = self._ask({"op": "spawn"}, (to_child_r, to_parent_w))
        finally:
            _close(to_child_r)
            _close(to_parent_w)
        if type(reply.get("pid")) is not int:
            raise OSError("the zygote did not fork")
        return Forked(self, reply["pid"], (to_child_w, to_parent_r))

    def kill(self, pid):
        """Kill one child: (exit code, why the zygote stopped it or None); if the zygote is gone or stuck, kill the sandbox."""
        try:
            reply = self._ask({"op": "kill", "pid": pid})
            code, reason = reply.get("returncode"), reply.get("reason")
            return (code if type(code) is int else None), (reason if type(reason) is str else None)
        except (OSError, ValueError):
            self.close()
            return None, None

    @property
    def alive(self):
        return self.launched.popen.poll() is None

    def close(self):
        _ZYGOTES.pop(self.key, None)
        self.replies.close()
        self.socket.close()
        self.launched.kill()


_ZYGOTES = {}
_finalizer_pid = None


def _zygote(settings, threads):
    """The warm zygote for these settings in this grader process, started on first use or after it died."""
    key = (
        settings.sandbox,
        settings.require_sandbox,
        settings.device,
        settings.worker_memory_mb,
        settings.worker_processes,
        settings.worker_disk_mb,
        settings.worker_files,
        threads,
    )
    global _finalizer_pid
    if _finalizer_pid != os.getpid():  # a pool process clears the finalizers it inherited: register in each
        multiprocessing.util.Finalize(None, close_zygotes, exitpriority=10)
        _finalizer_pid = os.getpid()
    zygote = _ZYGOTES.get(key)
    if zygote is None or not zygote.alive:
        if zygote is not None:
            zygote.close()
        zygote = Zygote(settings, threads)
        zygote.key = key
        _ZYGOTES[key] = zygote
    return zygote


def close_zygotes():
    """End every warm zygote of this grader process (and, with it, every student process it forked)."""
    for zygote in list(_ZYGOTES.values()):
        zygote.close()


atexit.register(close_zygotes)  # pool processes skip atexit: _zygote registers a multiprocessing finalizer too


class Worker:
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
        if self.settings.warm_workers:
            try:
                self.process = _zygote(self.settings, self.threads).spawn()
            except OSError:  # the zygote died (a student may kill it): start another once
                _zygote(self.settings, self.threads).close()
                try:
                    self.process = _zygote(self.settings, self.threads).spawn()
                except OSError as exc:
                    _zygote(self.settings, self.threads).close()
                    raise SandboxUnavailable(_no_python(exc, _tier(self.settings.sandbox))) from None
        else:
            self.process = _launch(self.settings, self.threads, "worker")
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

    def _deadline(self, deadline):
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
        process = self.process
        launched = process if isinstance(process, Launched) else getattr(getattr(process, "zygote", None), "launched", None)
        if launched is not None:
            try:
                os.killpg(launched.popen.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass

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
        deadline = self._deadline(deadline)
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
            if error is not None and not _is_error_record(error):
                error = {"type": "BadAnswer", "message": "the worker sent a malformed cell result", "where": ""}
        if error is None or replay:
            self.cells.append((name, source))
        if error is not None:
            (self.replay_errors if replay else self.cell_errors)[name] = error
        return error


def _is_error_record(value):
    return type(value) is dict and all(type(value.get(k)) is str for k in ("type", "message", "where"))


class Remote:
    """A handle to an object that lives in the worker (a function, module, generator...)."""

    __slots__ = ("_session", "_key", "_types", "_label", "_generation")

    def __init__(self, session, key, types, label):
        object.__setattr__(self, "_session", session)
        object.__setattr__(self, "_key", key)
        object.__setattr__(self, "_types", tuple(types))
        object.__setattr__(self, "_label", label)
        object.__setattr__(self, "_generation", session.worker.generation)

    def __repr__(self):
        return f"<remote {self._label}>"

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return self._session.ask({"op": "getattr", "target": self._ref(), "name": name}, f"{self._label}.{name}")

    def __setattr__(self, name, value):
        self._session.ask(
            {"op": "setattr", "target": self._ref(), "name": name, "value": self._session.encode(value)}, self._label
        )

    def __call__(self, *args, **kwargs):
        return self._session.call(self, args, kwargs)

    def __getitem__(self, key):
        return self._session.ask(
            {"op": "getitem", "target": self._ref(), "key": self._session.encode(key)}, f"{self._label}[{key!r}]"
        )

    def __len__(self):
        try:
            n = self._session.ask({"op": "len", "target": self._ref()}, f"len({self._label})")
        except StudentError as exc:
            if exc.error["type"] == "TypeError":
                raise TypeError(str(exc)) from None  # list() and friends probe len() and expect TypeError
            raise
        if type(n) is not int or n < 0:
            raise BadAnswer(f"len({self._label}) is not a non-negative int")
        return n

    def __iter__(self):
        iterator = self._session.ask({"op": "iter", "target": self._ref()}, f"iter({self._label})", as_handle=True)
        for _ in range(MAX_ITEMS):
            step = self._session.ask({"op": "next", "target": iterator._ref()}, f"next({self._label})")
            if type(step) is not dict:
                raise BadAnswer("bad iteration answer")
            if step.get("stop") is True:
                return
            if "item" not in step:
                raise BadAnswer("bad iteration answer")
            yield step["item"]
        raise BadAnswer(f"iterating over {self._label} gave more than {MAX_ITEMS} items")

    def _ref(self):
        if self._generation != self._session.worker.generation:
            raise WorkerDied("an earlier check restarted the process that held this object")
        return {"$ref": self._key}


def type_names(remote):
    """Fully qualified names of the remote object's class and its bases, as the worker reports them."""
    return remote._types


MODULE = "torch.nn.modules.module.Module"
OPTIMIZER = "torch.optim.optimizer.Optimizer"


def is_instance(remote, qualified_name):
    """Whether the object derives from the class with this qualified name, by the worker's word and its behaviour.

    The worker's list of class names is the student's to forge, so where a
    check relies on a claim (a module, an optimizer, a tensor) the object must
    also behave like one, probed from here: see :meth:`Session.behaves_as`.
    """
    return isinstance(remote, Remote) and qualified_name in remote._types and remote._session.behaves_as(remote)


def _call_label(target, args, kwargs):
    """How a call is named to the student: a grader helper by the student's functions it runs."""
    if not _is_internal(target._label):
        return f"{target._label}(...)"
    values = [*args, *(kwargs or {}).values()]
    names = []
    for value in values:
        if isinstance(value, Remote) and not _is_internal(value._label) and value._label.isidentifier():
            if value._label not in names:
                names.append(value._label)
    if not names:
        return "your code, as the check ran it"
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return f"running your {listed} together" if len(names) > 1 else f"running your {listed}"


class Session:
    """The hidden checks' view of one submission: names, libraries and values in the worker."""

    def __init__(self, worker, sources):
        self.worker = worker
        self.sources = sources
        self._pending_label = "value"

    # --- codec ---------------------------------------------------------------

    def encode(self, value):
        return wire.encode(value, self._encode_other)

    def _encode_other(self, obj):
        if isinstance(obj, Remote):
            return obj._ref()
        encoded = wire.torch_value(obj)
        if encoded is None and type(obj).__name__ == "ndarray":
            encoded = wire.array_to_wire(obj)
        if encoded is None:
            encoded = wire.pil_value(obj)
        if encoded is None:
            raise TypeError(f"cannot send a {type(obj).__name__} to the worker")
        return encoded

    def _decode_tag(self, tag, fields):
        if tag == "$handle":
            if type(fields) is not list or len(fields) != 2 or type(fields[0]) is not int:
                raise wire.WireError("bad handle")
            types = fields[1]
            if type(types) is not list or not all(type(t) is str for t in types):
                raise wire.WireError("bad handle")
            return Remote(self, fields[0], types, self._pending_label)
        return wire.torch_tag(tag, fields)

    # --- requests ------------------------------------------------------------

    def ask(self, message, label, as_handle=False):
        """Send a request; decode the answer or raise StudentError with what the student code did."""
        if as_handle:
            message = dict(message, as_handle=True)
        answer = self.worker.request(message)
        if type(answer) is not dict:
            raise BadAnswer("the worker's answer is not a record")
        if "error" in answer:
            error = answer["error"]
            if not _is_error_record(error):
                raise BadAnswer("the worker's error report is malformed")
            raise StudentError(label, error)
        if "ok" not in answer:
            raise BadAnswer("the worker's answer has no result")
        self._pending_label = label
        try:
            return wire.decode(answer["ok"], self._decode_tag, budget=wire.Budget(self.worker._deadline(None)))
        except wire.Deadline:
            raise CheckTimeout(f"decoding what {label} returned took longer than this check allows") from None
        except wire.WireError as exc:
            raise BadAnswer(f"{label} returned a value the grader cannot accept: {exc}") from None

    def call(self, target, args=(), kwargs=None, as_handle=False, label=None):
        """Call a remote function or module with arguments sent by value (or as handles)."""
        message = {
            "op": "call",
            "target": target._ref(),
            "args": self.encode(list(args)),
            "kwargs": self.encode(dict(kwargs or {})),
        }
        return self.ask(message, label or _call_label(target, args, kwargs), as_handle=as_handle)

    def get(self, name):
        """A global of the student's notebook: its value, or a Remote for objects."""
        try:
            return self.ask({"op": "global", "name": name}, name)
        except StudentError as exc:
            if exc.error["type"] != "NameError":
                raise
            raise StudentError(name, {"type": "NameError", "message": self._missing(name), "where": ""}) from None

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        return self.get(name)

    def _missing(self, name):
        failed = [f"cell '{cell}' raised {e['type']}: {e['message']}" for cell, e in self.worker.cell_errors.items()]
        hint = f"; {'; '.join(failed)}" if failed else ""
        return f"{name} is not defined in your notebook{hint}"

    def ref(self, name):
        """A global as a Remote handle, even when it is plain data."""
        return self.ask({"op": "global", "name": name}, name, as_handle=True)

    def lib(self, module):
        """A library module inside the worker (torch, torch.nn, ..., kitworker.harness)."""
        return self.ask({"op": "lib", "name": module}, module, as_handle=True)

    @property
    def harness(self):
        return self.lib("kitworker.harness")

    def put(self, value):
        """Send a value to the worker and keep it there; returns its Remote handle."""
        return self.ask({"op": "put", "value": self.encode(value)}, "value", as_handle=True)

    def fetch(self, remote):
        """The value of a remote object, by value."""
        return self.ask({"op": "put", "value": remote._ref()}, remote._label)

    def seed(self, seed):
        """Seed the worker's random, numpy and torch generators."""
        self.ask({"op": "seed", "seed": int(seed)}, "seeding")

    def behaves_as(self, remote):
        """Whether a remote object behaves like what its class names claim: the one verifier of type claims.

        A module must switch `training` with train() and back; an optimizer must
        have its defaults and at least one parameter group; a tensor must come
        back as a tensor.
        The probes leave the object as they found it.
        """
        claims = remote._types
        try:
            if MODULE in claims:
                training = remote.training
                if type(training) is not bool:
                    return False
                remote.train(not training)
                flipped = remote.training
                remote.train(training)
                if flipped is not (not training) or remote.training is not training:
                    return False
            if OPTIMIZER in claims:
                if type(remote.defaults) is not dict:
                    return False
                groups = self.ask({"op": "getattr", "target": remote._ref(), "name": "param_groups"}, "param_groups", True)
                if not isinstance(groups, Remote) or len(groups) < 1:  # by handle: the parameters stay in the worker
                    return False
            if "torch.Tensor" in claims and type(self.fetch(remote)) is not torch.Tensor:
                return False
        except (StudentError, BadAnswer):
            return False
        return True

    def source(self, cell):
        """The submitted source of one solution cell, as read by the grader itself."""
        return self.sources.get(cell, "")
