"""Confine the student worker: bubblewrap for what it can see, cgroups and rlimits for what it can use.

With bubblewrap the worker sees a read-only system (/usr, the Python
installation and the virtual environment), a private writable /tmp and the
kit's worker runtime; no network, no other processes, no repository, no
hidden checks, reference solutions, results or gradebook; it runs as uid
65534. A cgroup (v1 or v2, where this host lets root create one) caps its
processes and memory; rlimits cap file sizes, open files and core dumps.
Without bubblewrap the worker is a plain subprocess with the same limits,
and every report says so.
"""

import functools
import glob
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

CGROUP_ROOT = Path("/sys/fs/cgroup")
RUNTIME_MOUNT = "/opt/kitworker"


@functools.cache
def bubblewrap():
    """The bwrap executable if it can build a sandbox here, else None."""
    path = shutil.which("bwrap")
    if path is None:
        return None
    probe = [path, "--unshare-all", "--ro-bind", "/", "/", "--uid", "65534", "--gid", "65534", "true"]
    try:
        ok = subprocess.run(probe, capture_output=True, timeout=20).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        ok = False
    return path if ok else None


def _python_roots():
    """Folders the interpreter needs: the base installation and the virtual environment."""
    roots = {Path(sys.base_prefix).resolve(), Path(sys.prefix).resolve(), Path(sys.prefix)}
    executable = Path(sys.executable)
    roots.add(executable.resolve().parent.parent)
    return sorted(str(r) for r in roots)


def wrap(command, scratch, runtime, gpu=False, as_pid_1=False):
    """The bwrap argv that runs command (whose paths refer to RUNTIME_MOUNT and /tmp) confined.

    as_pid_1 makes the command the namespace's init, which no process inside may kill or stop.
    """
    argv = [
        bubblewrap(),
        *(["--as-pid-1"] if as_pid_1 else []),
        "--unshare-all",
        "--die-with-parent",
        "--new-session",
        "--uid",
        "65534",
        "--gid",
        "65534",
        "--hostname",
        "sandbox",
        "--ro-bind",
        "/usr",
        "/usr",
    ]
    for link in ("/bin", "/sbin", "/lib", "/lib64", "/lib32"):
        if os.path.islink(link):
            argv += ["--symlink", os.readlink(link), link]
        elif os.path.isdir(link):
            argv += ["--ro-bind", link, link]
    for path in ("/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/localtime", "/etc/nsswitch.conf"):
        argv += ["--ro-bind-try", path, path]
    # the private /tmp first: a checkout or virtual environment under the host's /tmp is then mounted over it, not hidden
    argv += ["--bind", str(scratch), "/tmp"]
    for root in _python_roots():
        argv += ["--ro-bind", root, root]
    argv += ["--ro-bind", str(runtime), RUNTIME_MOUNT, "--chdir", "/tmp"]
    argv += ["--proc", "/proc", "--dev", "/dev"]
    if gpu:
        for node in sorted(glob.glob("/dev/nvidia*")):
            argv += ["--dev-bind", node, node]
        argv += ["--ro-bind-try", "/sys", "/sys"]
    return argv + ["--", *command]


class Cgroup:
    """A cgroup for one worker, capping processes and memory; None-like when the host allows none."""

    def __init__(self, name, pids, memory_mb):
        self.paths = []
        self._make(name, pids, memory_mb)

    def _make(self, name, pids, memory_mb):
        unified = CGROUP_ROOT / "cgroup.controllers"
        try:
            if unified.exists():
                path = CGROUP_ROOT / name
                path.mkdir()
                self.paths.append(path)
                (path / "pids.max").write_text(str(pids))
                (path / "memory.max").write_text(str(memory_mb << 20))
                (path / "memory.swap.max").write_text("0")
                return
            for controller, setting, value in (
                ("pids", "pids.max", pids),
                ("memory", "memory.limit_in_bytes", memory_mb << 20),
            ):
                path = CGROUP_ROOT / controller / _own_group(controller) / name
                path.mkdir()
                self.paths.append(path)
                (path / setting).write_text(str(value))
        except OSError:
            self.close()

    def __bool__(self):
        return bool(self.paths)

    def enter(self):
        """Move the calling process into the cgroup (run in the child before exec)."""
        for path in self.paths:
            (path / "cgroup.procs").write_text(str(os.getpid()))

    def close(self):
        """Kill what is left inside and remove the cgroup."""
        for path in self.paths:
            try:
                for pid in (path / "cgroup.procs").read_text().split():
                    try:
                        os.kill(int(pid), signal.SIGKILL)
                    except ProcessLookupError:
                        pass
            except OSError:
                pass
        for path in reversed(self.paths):
            for _ in range(50):
                try:
                    path.rmdir()
                    break
                except OSError:
                    time.sleep(0.02)  # the kernel frees the group once its last task is reaped
        self.paths = []


def _own_group(controller):
    """This process's own cgroup path under a v1 controller (so limits nest inside it)."""
    for line in Path("/proc/self/cgroup").read_text().splitlines():
        _, controllers, path = line.split(":", 2)
        if controller in controllers.split(","):
            return path.lstrip("/")
    return ""
