"""Start and end the processes that run student code: sandboxed launches, warm zygotes and the workers they fork.

A :class:`Launched` process is started by the grader itself (``Grading.warm_workers``
off, or a zygote); a :class:`Forked` one by a warm :class:`Zygote`. :func:`start`
picks between them; :mod:`autograder.client` talks to whichever it gets.
"""

import atexit
import functools
import itertools
import json
import multiprocessing.util
import os
import signal
import socket
import subprocess
import sys
import tempfile

import torch

from autograder import sandbox

_WORKER_IDS = itertools.count()


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
        raise sandbox.SandboxUnavailable("a sandbox is required (--require-sandbox) but Grading.sandbox is 'none'")
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


def start(settings, threads):
    """A fresh process for one worker: forked by the warm zygote (restarted once if it died), or launched."""
    if not settings.warm_workers:
        return _launch(settings, threads, "worker")
    try:
        return _zygote(settings, threads).spawn()
    except OSError:  # the zygote died (a student may kill it): start another once
        _zygote(settings, threads).close()
        try:
            return _zygote(settings, threads).spawn()
        except OSError as exc:
            _zygote(settings, threads).close()
            raise sandbox.SandboxUnavailable(_no_python(exc, _tier(settings.sandbox))) from None


def kill_now(process):
    """SIGKILL the sandbox holding `process` (a forked worker's: its zygote's), closing nothing: safe from any thread."""
    launched = process if isinstance(process, Launched) else getattr(getattr(process, "zygote", None), "launched", None)
    if launched is not None:
        try:
            os.killpg(launched.popen.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
