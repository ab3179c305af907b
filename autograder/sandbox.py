"""Confine the student worker in the strongest tier this host offers: bubblewrap, landlock, or (asked for) none.

- ``bubblewrap``: the worker sees a read-only system (/usr, the Python
  installation and the virtual environment), a private writable /tmp and the
  kit's worker runtime; no network, no other processes, no repository, no
  hidden checks, reference solutions, results or gradebook; it runs as uid
  65534 in its own pid, IPC, network, mount and user namespaces.
- ``landlock``: for hosts without user namespaces (Gradescope's Docker, Ubuntu
  24.04's AppArmor): the worker confines itself (``kitworker.confine``) with
  Landlock (read-only Python installation and runtime, a private writable
  scratch folder, no TCP, scoped signals and abstract sockets), a seccomp
  filter, and, when the grader is root, uid/gid 65534.
- ``none``: a plain subprocess; only when configured explicitly.

Every tier adds seccomp (no SysV IPC, namespaces, ptrace, sockets but a stream
socketpair), a cgroup (v1 or v2, where this host lets the grader create one)
capping processes and memory, and rlimits on file sizes, open files and cores.
"""

import atexit
import dataclasses
import functools
import glob
import json
import multiprocessing.util
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from autograder.worker import boot, confine
from autograder.worker import scratch as scratch_folders

CGROUP_ROOT = Path("/sys/fs/cgroup")
RUNTIME_MOUNT = "/opt/kitworker"
WORKER_PACKAGE = Path(__file__).resolve().parent / "worker"
KIT_ROOT = Path(__file__).resolve().parent.parent
TIERS = ("auto", "bubblewrap", "landlock", "none")
FILE_MB = 256  # largest file the worker may write


class SandboxUnavailable(Exception):
    """The configuration demands a sandbox this machine cannot provide."""


@dataclasses.dataclass(frozen=True)
class Tier:
    """The confinement a grader process uses: its name and, in words, what it enforces."""

    name: str
    enforces: str

    @property
    def confined(self):
        return self.name != "none"


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


@functools.cache
def landlock():
    """(what the landlock tier enforces here, None) when a probe worker confined itself and exited, else (None, why)."""
    abi = confine.landlock_abi()
    if abi < 1:
        return None, "the kernel offers no Landlock"
    try:
        confine.seccomp_program()
    except confine.ConfineError as exc:
        return None, str(exc)
    tier = Tier("landlock", "")
    folder = Path(tempfile.mkdtemp(prefix="kit-probe-"))
    try:
        prepare_scratch(folder, tier)
        plan = worker_plan(tier, "probe", folder, runtime(), fds=(-1, -1), memory_mb=0, nproc=0)
        done = subprocess.run(launch_command(plan, runtime()), env={"PATH": "/usr/bin:/bin"}, capture_output=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return None, f"the probe worker did not run: {exc}"
    finally:
        remove_scratch(folder)
    if done.returncode != 0:
        why = done.stderr.decode(errors="replace").strip().splitlines()[-1:] or [f"exit status {done.returncode}"]
        return None, f"a probe worker could not start confined ({why[0]})"
    parts = [f"Landlock ABI {abi}: read-only Python and runtime, writes only to a private folder"]
    if abi >= 4:
        parts.append("TCP bind/connect denied")
    if abi >= 6:
        parts.append("signals and abstract sockets scoped")
    parts.append("seccomp")
    if os.geteuid() == 0:
        parts.append(f"uid {confine.UNPRIVILEGED}")
    return "; ".join(parts), None


def choose(setting):
    """The tier for Grading.sandbox = setting ('auto' takes the strongest that works here); refuses what cannot run."""
    if setting == "none":
        return Tier("none", "no sandbox (Grading.sandbox = 'none'): student code ran as a plain subprocess")
    if setting in ("auto", "bubblewrap") and bubblewrap() is not None:
        return Tier("bubblewrap", "bubblewrap: namespaces, uid 65534, read-only system, private /tmp; seccomp")
    if setting == "bubblewrap":
        raise SandboxUnavailable("bubblewrap is required (Grading.sandbox = 'bubblewrap') but cannot run here")
    enforced, why = landlock()
    if enforced is not None:
        return Tier("landlock", enforced)
    if setting == "landlock":
        raise SandboxUnavailable(f"the landlock sandbox is required (Grading.sandbox = 'landlock') but {why}")
    raise SandboxUnavailable(
        f"no sandbox works here: bubblewrap cannot create namespaces and {why}; "
        "set Grading.sandbox = 'none' (COURSE_KIT_SANDBOX=none) to grade unconfined"
    )


@functools.cache
def runtime():
    """A private copy of the worker package (as kitworker), readable by the worker's uid; removed at exit."""
    folder = Path(tempfile.mkdtemp(prefix="kit-runtime-"))
    shutil.copytree(WORKER_PACKAGE, folder / "kitworker", ignore=shutil.ignore_patterns("__pycache__"))
    folder.chmod(0o755)
    owner = os.getpid()

    def remove():
        if os.getpid() == owner:  # not in a forked child, whose parent still needs it
            shutil.rmtree(folder, ignore_errors=True)

    atexit.register(remove)
    multiprocessing.util.Finalize(None, remove, exitpriority=5)  # pool processes skip atexit; after the zygotes (10)
    return folder


def _python_roots():
    """Folders the interpreter needs: the base installation and the virtual environment."""
    roots = {Path(sys.base_prefix).resolve(), Path(sys.prefix).resolve(), Path(sys.prefix)}
    executable = Path(sys.executable)
    roots.add(executable.resolve().parent.parent)
    return sorted(str(r) for r in roots)


def _system_paths():
    """/usr and the top-level links into it, and the few files of /etc that libc and fonts read."""
    paths = ["/usr"]
    for link in ("/bin", "/sbin", "/lib", "/lib64", "/lib32"):
        if os.path.isdir(link):
            paths.append(os.path.realpath(link))
    etc = ("/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/localtime", "/etc/fonts")
    return paths + [p for p in etc if os.path.exists(p)]


def readable(runtime_path, gpu=False):
    """What the worker may read (in the landlock tier; inside bubblewrap, the same paths are all it has).

    A folder that holds the kit itself (checks, reference, secret) is never granted.
    """
    paths = _system_paths() + _python_roots() + [str(runtime_path), "/proc/cpuinfo", "/sys/devices/system/cpu"]
    if gpu:
        paths += ["/sys", "/proc/driver/nvidia"]
    kit = str(KIT_ROOT)
    return sorted({p for p in paths if not (kit + "/").startswith(p.rstrip("/") + "/")})


def devices(gpu=False):
    """Device files the worker may read and write."""
    nodes = ["/dev/null", "/dev/zero", "/dev/urandom", "/dev/random"]
    return nodes + (sorted(glob.glob("/dev/nvidia*")) if gpu else [])


def _processes_of(uid):
    count = 0
    for name in os.listdir("/proc"):
        try:
            count += name.isdigit() and os.stat(f"/proc/{name}").st_uid == uid
        except OSError:
            pass
    return count


def worker_plan(tier, role, scratch, runtime_path, fds, memory_mb, nproc, gpu=False, disk_mb=1024, disk_files=10000):
    """The JSON plan that kitworker.boot follows: role, pipes, limits, and what to confine to.

    disk_mb and disk_files cap what one submission keeps in the scratch folder (the zygote enforces them).
    """
    inside = tier.name == "bubblewrap"
    runtime_seen = RUNTIME_MOUNT if inside else str(runtime_path)
    read = readable(runtime_seen, gpu)
    if role == "zygote" and tier.name == "landlock":
        read = [*read, "/proc"]  # the zygote finds strays in /proc; its children's own layer drops it again
    uid = confine.UNPRIVILEGED if os.geteuid() == 0 else os.geteuid()
    if nproc and tier.name != "bubblewrap":
        nproc += _processes_of(uid)  # RLIMIT_NPROC counts every process of the uid
    return {
        "role": role,
        "tier": tier.name,
        "read_fd": fds[0],
        "write_fd": fds[1],
        "memory_mb": memory_mb,
        "nproc": nproc,
        "file_mb": FILE_MB,
        "disk_mb": disk_mb,
        "disk_files": disk_files,
        "uid": uid,
        "read": read,
        "write": ["/tmp" if inside else str(scratch)],
        "devices": devices(gpu),
        "runtime": runtime_seen,
    }


def launch_command(plan, runtime_path, scratch=None, gpu=False):
    """The argv that starts kitworker.boot with this plan, inside bubblewrap for that tier."""
    command = [sys.executable, "-I", "-c", boot.STUB, plan["runtime"], json.dumps(plan)]
    if plan["tier"] == "bubblewrap":
        command = wrap(command, scratch, runtime_path, gpu, as_pid_1=plan["role"] == "zygote")
    return command


def prepare_scratch(folder, tier):
    """Make the scratch folder the worker's own: owned by its uid when the grader is root and drops privileges."""
    if tier.name == "landlock" and os.geteuid() == 0:
        os.chown(folder, confine.UNPRIVILEGED, confine.UNPRIVILEGED)


def remove_scratch(folder):
    """Delete a scratch folder whatever its modes, depth or size."""
    try:
        scratch_folders.remove(folder)
    except OSError:
        shutil.rmtree(folder, ignore_errors=True)


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
                if controller == "memory" and (path / "memory.memsw.limit_in_bytes").exists():
                    (path / "memory.memsw.limit_in_bytes").write_text(str(value))  # no swap, as memory.swap.max
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
