"""The sandbox tiers the kit's tests can reproduce here, and how to run a grader under each.

``bubblewrap``; ``landlock-root`` (a root grader without user namespaces, as on
Gradescope); ``landlock-user`` (an unprivileged grader without bubblewrap, as
on a GitHub-hosted Ubuntu 24.04 runner): the grader runs as a user created for
the tests. Where the Python installation lies under a folder other users
cannot enter (root's pyenv here), the landlock tiers run in a private mount
namespace that makes only that installation reachable, as it is on Gradescope.
"""

import os
import pwd
import shutil
import subprocess
import sys
from pathlib import Path

from autograder import sandbox
from autograder.worker import confine

TIERS = ["bubblewrap", "landlock-root", "landlock-user"]
TEST_USER = "kit-redteam"


def tier_missing(tier):
    """Why this machine cannot provide the tier, or None."""
    if tier == "bubblewrap":
        return None if sandbox.bubblewrap() else "bubblewrap cannot run here"
    if confine.landlock_abi() < 1:
        return "the kernel offers no Landlock"
    if os.geteuid() != 0:
        return "needs root (to drop to uid 65534, or to create the test user)"
    if tier == "landlock-user" and not (shutil.which("useradd") and shutil.which("setpriv")):
        return "useradd or setpriv is missing"
    return None


def grader_user():
    try:
        return pwd.getpwnam(TEST_USER).pw_uid
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", TEST_USER], check=True)
        return pwd.getpwnam(TEST_USER).pw_uid


def _hidden_python_folder():
    """The outermost folder on the way to the Python installation that other users cannot enter, or None."""
    for folder in reversed(Path(sys.base_prefix).resolve().parents):
        if folder != Path("/") and not folder.stat().st_mode & 0o001:
            return folder
    return None


def as_tier(tier, argv, env, hold):
    """(argv, env) that run the grader under this tier: forced by COURSE_KIT_SANDBOX, as the test user for -user."""
    env = dict(env, COURSE_KIT_SANDBOX="bubblewrap" if tier == "bubblewrap" else "landlock")
    if tier == "bubblewrap":
        return argv, env
    if tier == "landlock-user":
        uid = grader_user()
        argv = [shutil.which("setpriv"), f"--reuid={uid}", f"--regid={uid}", "--clear-groups", "--", *argv]
    hidden = _hidden_python_folder()
    if hidden is not None:  # make only the installation reachable, in a mount namespace of the test's own
        inner = hidden / Path(sys.base_prefix).resolve().relative_to(hidden).parts[0]
        mount, mkdir = shutil.which("mount"), shutil.which("mkdir")
        script = f'{mount} --bind "$1" "$2" && {mount} -t tmpfs -o mode=0755 tmpfs "$3" && {mkdir} -p "$1" && '
        script += f'{mount} --bind "$2" "$1" && shift 3 && exec "$@"'
        unshare = [shutil.which("unshare"), "--mount", "--propagation", "private", "/bin/sh", "-c", script, "sh"]
        argv = [*unshare, inner, hold, hidden, *argv]
    return argv, env


LABELS = "['t-shirt', 'trouser', 'pullover', 'dress', 'coat', 'sandal', 'shirt', 'sneaker', 'bag', 'ankle boot']"


def reach_outside(reads, writes, secret):
    """A solution cell for get_fashion_mnist_labels that answers right only if it reached something it must not.

    It tries to read `reads`, write `writes`, find `secret` in its environment or
    in any /proc/<pid>/environ, open non-Unix sockets, make namespaces and ptrace.
    """
    return (
        "import ctypes, os, socket\n\n"
        "def _reached():\n"
        "    found = []\n"
        f"    for path in {list(reads)!r}:\n"
        "        try:\n"
        "            open(path, 'rb').read(1)\n"
        "            found.append(path)\n"
        "        except OSError:\n"
        "            pass\n"
        f"    for path in {list(writes)!r}:\n"
        "        try:\n"
        "            open(path, 'w').write('escaped')\n"
        "            found.append(path)\n"
        "        except OSError:\n"
        "            pass\n"
        f"    if any({secret!r} in v for v in os.environ.values()):\n"
        "        found.append('environment')\n"
        "    try:\n"
        "        pids = [p for p in os.listdir('/proc') if p.isdigit() and int(p) != os.getpid()]\n"
        "    except OSError:\n"
        "        pids = []\n"
        "    for pid in pids:\n"
        "        try:\n"
        f"            if {secret!r}.encode() in open(f'/proc/{{pid}}/environ', 'rb').read():\n"
        "                found.append(f'/proc/{pid}/environ')\n"
        "        except OSError:\n"
        "            pass\n"
        "    for family in (socket.AF_INET, socket.AF_INET6, socket.AF_NETLINK, socket.AF_UNIX):\n"
        "        try:\n"
        "            socket.socket(family).close()\n"
        "            found.append(f'socket {family}')\n"
        "        except OSError:\n"
        "            pass\n"
        "    libc = ctypes.CDLL(None, use_errno=True)\n"
        "    if libc.unshare(0x10000000) == 0 or libc.unshare(0x40000000) == 0:\n"
        "        found.append('new namespaces')\n"
        "    if libc.ptrace(16, os.getppid(), 0, 0) == 0:\n"
        "        found.append('ptrace')\n"
        "    return found\n\n\n"
        "def get_fashion_mnist_labels(labels):\n"
        "    if not _reached():\n"
        "        return []\n"
        f"    return [{LABELS}[int(i)] for i in labels]\n"
    )
