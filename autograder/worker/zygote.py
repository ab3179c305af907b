"""A warm parent for student workers: imports torch once, then forks one worker per request.

The grader sends requests on a Unix socket; a ``spawn`` request carries the
two pipe ends of the new worker's protocol as file descriptors (SCM_RIGHTS).
Each child starts its own session in a fresh working folder and, where the
kernel has Landlock, adds a layer that lets it write only in the scratch
folder (its /tmp), read nothing of the grader and signal neither the zygote
nor anything outside. The zygote is a child subreaper and not dumpable: before
each submission and after each kill it ends every descendant and empties the
scratch folder (whatever the modes, depth or size of what is there), so no
submission sees what another left. While a child runs, the zygote measures the
folder every second and stops a submission that writes more files, bytes or
nesting than the plan allows.
"""

import ctypes
import json
import os
import select
import signal
import socket
import tempfile

from . import confine, scratch

PR_SET_PDEATHSIG, PR_SET_DUMPABLE, PR_SET_CHILD_SUBREAPER = 1, 4, 36
WATCH_SECONDS = 1.0  # how often the scratch folder is measured while a submission runs


def _harden():
    """Die with the grader, adopt orphaned descendants, and be neither traceable nor readable by the children."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
        libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    except (OSError, AttributeError):
        pass


def _mounts_under(folder):
    """Mount points below folder, relative to it (a checkout or virtual environment under the host's /tmp)."""
    prefix = folder.rstrip("/") + "/"
    try:
        with open("/proc/self/mountinfo") as mounts:
            points = [line.split()[4] for line in mounts]
    except OSError:
        return []
    return [point[len(prefix) :] for point in points if point.startswith(prefix)]


def _stop(pid):
    for target in (-pid, pid):
        try:
            os.kill(target, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


def _status(code):
    """waitpid status -> Popen-style returncode (negative for a signal)."""
    if os.WIFSIGNALED(code):
        return -os.WTERMSIG(code)
    return os.WEXITSTATUS(code)


def _descendants(root):
    """Pids of every live descendant of root (read from /proc)."""
    parents = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/stat", "rb") as f:
                    parents[int(name)] = int(f.read().rsplit(b")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                pass
    found, frontier = set(), {root}
    while frontier:
        frontier = {pid for pid, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def _reap():
    while True:
        try:
            if os.waitpid(-1, os.WNOHANG) == (0, 0):
                return
        except ChildProcessError:
            return


def _kill_strays():
    """End every process below the zygote (orphans are re-parented to it, the subreaper)."""
    for _ in range(100):
        strays = _descendants(os.getpid())
        if not strays:
            break
        for pid in strays:
            try:
                os.kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        _reap()
    _reap()


def _empty(folder, mounts):
    try:
        scratch.empty(folder, mounts)
    except OSError:
        pass  # what cannot go stays; the next submission's cleanup tries again


def _child(read_fd, write_fd, control, root, folder, plan):
    control.close()
    os.setsid()
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    try:
        if confine.landlock_abi() >= 1:  # the submission's own layer: its folder only, scoped signals
            confine.landlock(read=plan["read"], write=[root], devices=plan["devices"])
        elif plan["tier"] == "landlock":
            raise confine.ConfineError(0, "Landlock vanished")
    except OSError:
        os._exit(70)
    os.chdir(folder)
    os.environ["HOME"] = os.environ["TMPDIR"] = folder
    tempfile.tempdir = folder
    from .loop import main

    try:
        main(read_fd, write_fd)
    finally:
        os._exit(0)


def serve(plan):
    """Answer spawn and kill requests until the grader closes the socket."""
    import numpy  # noqa: F401 - warm imports shared by every child
    import torch  # noqa: F401
    import torchvision  # noqa: F401

    _harden()
    control = socket.socket(fileno=plan["read_fd"])
    root = tempfile.gettempdir()
    mounts = _mounts_under(root)  # fixed for the zygote's life; never emptied, never counted
    child, stopped = None, {}
    while True:
        if child is not None and not select.select([control], [], [], WATCH_SECONDS)[0]:
            reason = scratch.overrun(root, plan["disk_files"], plan["disk_mb"] << 20, mounts=mounts)
            if reason is not None:  # a cap on what one submission may write: stop it now, tell the grader on kill
                _stop(child)
                stopped[child], child = f"it wrote {reason} (the limit for one submission)", None
            continue
        try:
            message, fds, _, _ = socket.recv_fds(control, 65536, 2)
        except OSError:
            return
        if not message:
            return
        request = json.loads(message)
        op, reply = request.get("op"), {}
        if op == "spawn" and len(fds) == 2:
            _kill_strays()
            _empty(root, mounts)
            folder = tempfile.mkdtemp(prefix="work-", dir=root)
            pid = os.fork()
            if pid == 0:
                _child(fds[0], fds[1], control, root, folder, plan)
            for fd in fds:
                os.close(fd)
            child, reply = pid, {"pid": pid}
        elif op == "kill":
            pid = int(request["pid"])
            _stop(pid)
            try:
                _, code = os.waitpid(pid, 0)
                reply = {"returncode": _status(code)}
            except ChildProcessError:
                reply = {"returncode": None}
            if pid in stopped:
                reply["reason"] = stopped.pop(pid)
            child = None if child == pid else child
            _kill_strays()
            _empty(root, mounts)
        else:
            for fd in fds:
                os.close(fd)
            reply = {"error": "bad request"}
        control.sendall(json.dumps(reply).encode() + b"\n")
