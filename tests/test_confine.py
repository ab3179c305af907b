"""kitworker.confine and kitworker.scratch: a process confines itself, and scratch folders go whatever was done to them.

Each confinement test runs a small Python process (no torch) that applies the
landlock tier's layers to itself and reports what it could still do.
"""

import json
import os
import subprocess
import sys

import pytest

from autograder import sandbox
from autograder.settings import ROOT
from autograder.worker import confine, scratch

needs_landlock = pytest.mark.skipif(confine.landlock_abi() < 1, reason="the kernel offers no Landlock")

PROBE = """
import ctypes, json, os, socket, sys
sys.path.insert(0, {worker!r})
import confine
plan = json.loads(sys.argv[1])
enforced = confine.landlock(read=plan["read"], write=plan["write"], devices=plan["devices"])
enforced.update(confine.seccomp())
libc = ctypes.CDLL(None, use_errno=True)
could = {{}}
def attempt(name, action):
    try:
        action()
        could[name] = True
    except OSError:
        could[name] = False
attempt("read the kit", lambda: open({config!r}).read())
attempt("read the parent's environ", lambda: open(f"/proc/{{os.getppid()}}/environ", "rb").read())
attempt("list /proc", lambda: os.listdir("/proc"))
attempt("write /var/tmp", lambda: open("/var/tmp/kit-confine-probe", "w").close())
attempt("write the scratch folder", lambda: open(os.path.join(plan["write"][0], "ok"), "w").close())
attempt("read /dev/urandom", lambda: open("/dev/urandom", "rb").read(4))
attempt("open a TCP socket", lambda: socket.socket().close())
attempt("open a stream socketpair", lambda: [s.close() for s in socket.socketpair()])
attempt("open a datagram socketpair", lambda: [s.close() for s in socket.socketpair(type=socket.SOCK_DGRAM)])
attempt("signal the parent", lambda: os.kill(os.getppid(), 0))
could["SysV shared memory"] = libc.shmget(0, 4096, 0o1600) >= 0
could["a new user namespace"] = libc.unshare(0x10000000) == 0
pid = os.fork()
if pid == 0:
    os._exit(7)
could["fork"] = os.WEXITSTATUS(os.waitpid(pid, 0)[1]) == 7
print(json.dumps({{"enforced": enforced, "could": could}}))
"""


@needs_landlock
def test_a_confined_process_reaches_only_python_and_its_scratch_folder(tmp_path):
    folder = tmp_path / "scratch"
    folder.mkdir()
    plan = {"read": sandbox.readable(sandbox.WORKER_PACKAGE), "write": [str(folder)], "devices": sandbox.devices()}
    code = PROBE.format(worker=str(sandbox.WORKER_PACKAGE), config=str(ROOT / "course_config.py"))
    done = subprocess.run(
        [sys.executable, "-I", "-c", code, json.dumps(plan)], capture_output=True, text=True, env={"PATH": "/usr/bin:/bin"}
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["enforced"]["seccomp"] and report["enforced"]["files"]
    assert report["could"] == {
        "read the kit": False,
        "read the parent's environ": False,
        "list /proc": False,
        "write /var/tmp": False,
        "write the scratch folder": True,
        "read /dev/urandom": True,
        "open a TCP socket": False,
        "open a stream socketpair": True,
        "open a datagram socketpair": False,
        "signal the parent": confine.landlock_abi() < 6,
        "SysV shared memory": False,
        "a new user namespace": False,
        "fork": True,
    }
    assert not os.path.exists("/var/tmp/kit-confine-probe")


def test_the_seccomp_program_is_whole_instructions_for_every_known_arch():
    for arch in confine.ARCHES:
        program = confine.seccomp_program(arch)
        assert len(program) % 8 == 0 and 0 < len(program) // 8 < 4096
    with pytest.raises(confine.ConfineError, match="no seccomp table"):
        confine.seccomp_program("vax")


def test_a_grant_never_covers_the_kit_itself():
    assert all(not (str(ROOT) + "/").startswith(path.rstrip("/") + "/") for path in sandbox.readable("/opt/kitworker"))


def test_choose_refuses_what_cannot_run_and_names_none():
    assert sandbox.choose("none").confined is False
    if sandbox.bubblewrap() is None:
        with pytest.raises(sandbox.SandboxUnavailable, match="bubblewrap is required"):
            sandbox.choose("bubblewrap")
    else:
        assert sandbox.choose("auto").name == "bubblewrap"


def test_scratch_removal_beats_locked_deep_and_linked_folders(tmp_path):
    top = tmp_path / "scratch"
    locked = top / "left" / "locked"
    locked.mkdir(parents=True)
    (locked / "note").write_text("left behind")
    locked.chmod(0o500)
    locked.parent.chmod(0o500)
    deep = top / "deep"
    deep.mkdir()
    fd = os.open(deep, os.O_RDONLY)
    for _ in range(1500):  # deeper than shutil.rmtree's recursion and than PATH_MAX allows by path
        os.mkdir("a" * 8, dir_fd=fd)
        inner = os.open("a" * 8, os.O_RDONLY, dir_fd=fd)
        os.close(fd)
        fd = inner
    os.close(fd)
    outside = tmp_path / "outside.txt"
    outside.write_text("keep me")
    (top / "link").symlink_to(tmp_path)
    assert "nested deeper" in scratch.overrun(str(top), 10_000, 1 << 30)
    scratch.remove(str(top))
    assert not top.exists() and outside.read_text() == "keep me"


def test_overrun_counts_files_and_bytes(tmp_path):
    for i in range(30):
        (tmp_path / f"f{i}").write_bytes(b"x" * 8192)
    assert scratch.overrun(str(tmp_path), 100, 1 << 20) is None
    assert "more than 20 files" in scratch.overrun(str(tmp_path), 20, 1 << 20)
    assert "MiB of files" in scratch.overrun(str(tmp_path), 100, 100_000)
