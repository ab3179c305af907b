"""A warm parent for student workers: imports torch once, then forks one worker per request.

The grader sends requests on a Unix socket; a ``spawn`` request carries the
two pipe ends of the new worker's protocol as file descriptors (SCM_RIGHTS).
Each child starts its own session, gets an empty /tmp folder and serves the
grader until it exits. The zygote is not dumpable, so its children (same
uid) cannot ptrace it or read its memory to tamper with later submissions.
"""

import ctypes
import json
import os
import shutil
import signal
import socket
import tempfile

PR_SET_PDEATHSIG, PR_SET_DUMPABLE = 1, 4


def _harden():
    """Die with the grader, and be neither traceable nor readable by the children (same uid)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
    except (OSError, AttributeError):
        pass


def _mount_holders(folder):
    """Entries of folder with a mount inside (a virtual environment under the host's /tmp): read-only, never emptied."""
    prefix = folder.rstrip("/") + "/"
    try:
        with open("/proc/self/mountinfo") as mounts:
            points = [line.split()[4] for line in mounts]
    except OSError:
        return set()
    return {point[len(prefix) :].split("/")[0] for point in points if point.startswith(prefix)}


def _clean(folder):
    """Empty the shared temporary folder so no submission sees what another left."""
    holders = _mount_holders(folder)
    for name in os.listdir(folder):
        if name in holders:
            continue
        path = os.path.join(folder, name)
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path, ignore_errors=True)
        else:
            try:
                os.unlink(path)
            except OSError:
                pass


def _status(code):
    """waitpid status -> Popen-style returncode (negative for a signal)."""
    if os.WIFSIGNALED(code):
        return -os.WTERMSIG(code)
    return os.WEXITSTATUS(code)


def _kill_strays(keep):
    """Inside the sandbox's own pid namespace: end every process but the namespace's init and `keep`."""
    for name in os.listdir("/proc"):
        if name.isdigit() and int(name) not in keep:
            try:
                os.kill(int(name), signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
    while True:
        try:
            if os.waitpid(-1, os.WNOHANG) == (0, 0):
                break
        except ChildProcessError:
            break


def _child(read_fd, write_fd, control):
    control.close()
    os.setsid()
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    folder = tempfile.mkdtemp(prefix="work-")
    os.chdir(folder)
    os.environ["HOME"] = os.environ["TMPDIR"] = folder
    tempfile.tempdir = folder
    from .loop import main

    try:
        main(read_fd, write_fd)
    finally:
        os._exit(0)


def serve(control_fd, own_pid_namespace):
    """Answer spawn and kill requests until the grader closes the socket.

    With its own pid namespace (the bubblewrap sandbox) the zygote also ends
    whatever an earlier submission left running before the next one starts.
    """
    import numpy  # noqa: F401 - warm imports shared by every child
    import torch  # noqa: F401
    import torchvision  # noqa: F401

    _harden()
    control = socket.socket(fileno=control_fd)
    scratch = tempfile.gettempdir()
    while True:
        try:
            message, fds, _, _ = socket.recv_fds(control, 65536, 2)
        except OSError:
            return
        if not message:
            return
        request = json.loads(message)
        op, reply = request.get("op"), {}
        if op == "spawn" and len(fds) == 2:
            if own_pid_namespace:
                _kill_strays({1, os.getpid()})
            _clean(scratch)
            pid = os.fork()
            if pid == 0:
                _child(fds[0], fds[1], control)
            for fd in fds:
                os.close(fd)
            reply = {"pid": pid}
        elif op == "kill":
            pid = int(request["pid"])
            for target in (-pid, pid):
                try:
                    os.kill(target, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
            try:
                _, code = os.waitpid(pid, 0)
                reply = {"returncode": _status(code)}
            except ChildProcessError:
                reply = {"returncode": None}
        else:
            for fd in fds:
                os.close(fd)
            reply = {"error": "bad request"}
        control.sendall(json.dumps(reply).encode() + b"\n")
