"""Red team: published autograder cheats and plain sabotage, each planted in one solution cell of 03.

Every attack must earn nothing for the exercise it targets, leave every other
exercise at full marks, leave the grader's files untouched and never make the
grader exit non-zero. The class is graded once per sandbox tier this machine
can provide, through the CLI with --jobs 1 and --require-sandbox:
``bubblewrap``; ``landlock-root`` (Gradescope: a root grader, no user
namespaces); ``landlock-user`` (a GitHub runner or laptop without bubblewrap:
the grader runs as an unprivileged user created for the test). Where the
Python installation lies under a folder the worker's uid cannot enter (root's
pyenv here), the landlock tiers run in a private mount namespace that makes
only that installation reachable, as it is on Gradescope.
"""

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from tiers import LABELS, TIERS, as_tier, grader_user, reach_outside, tier_missing

from autograder import course, notebooks, sandbox
from autograder.results import per_exercise
from autograder.settings import ROOT
from autograder.variants import Alternative, with_alternative

pytestmark = [pytest.mark.slow]

ASSIGNMENT = course.get("03_softmax_regression")
CHECKS = ASSIGNMENT.checks
SECRETS = [CHECKS, ROOT / "reference" / "softmax_regression.py", ROOT / "build" / "gradebook.db", ROOT / "course_config.py"]
CANARY = ROOT / "build" / "redteam-canary.txt"  # the gradebook changes with every release, so watch a file of our own
WATCHED = [CHECKS, ROOT / "reference" / "softmax_regression.py", ROOT / "course_config.py", CANARY]

# attack name -> (targeted exercise, the code of its solution cell)
ATTACKS = {
    "read-hidden-files": (
        "get_fashion_mnist_labels",
        f"def get_fashion_mnist_labels(labels):\n    return [open(p).read() for p in {[str(p) for p in SECRETS]!r}]",
    ),
    "rewrite-checks-on-disk": (
        "image_to_tensor",
        "def image_to_tensor(image):\n"
        f"    for path in {[str(CHECKS), str(CANARY), '/etc/kit-pwned']!r}:\n"
        "        try:\n"
        "            with open(path, 'w') as f:\n"
        "                f.write('def test_nothing():\\n    pass\\n')\n"
        "        except OSError:\n"
        "            pass\n",
    ),
    "nbgrader-input-transformer": (
        "get_fashion_mnist_labels",
        "get_ipython().input_transformers_post.append(lambda lines: [])\n\n"
        "def get_fashion_mnist_labels(labels):\n    return []",
    ),
    "int-subclass-equal-to-everything": (
        "accuracy",
        "class Liar(float):\n"
        "    def __eq__(self, other):\n        return True\n"
        "    def __sub__(self, other):\n        return 0.0\n"
        "    def __abs__(self):\n        return 0.0\n"
        "    def __lt__(self, other):\n        return True\n\n\n"
        "def accuracy(y_hat, y):\n    return Liar(0.0)",
    ),
    "torch-function-subclass": (
        "FlattenLayer",
        "class Anything(torch.Tensor):\n"
        "    @classmethod\n"
        "    def __torch_function__(cls, func, types, args=(), kwargs=None):\n"
        "        return True\n\n\n"
        "class FlattenLayer(nn.Module):\n"
        "    def forward(self, x):\n"
        "        return torch.zeros(x.shape[0], 1).as_subclass(Anything)",
    ),
    "monkeypatch-torch-numpy-builtins": (
        "accuracy",
        "import builtins\n"
        "torch.testing.assert_close = lambda *a, **k: None\n"
        "torch.allclose = lambda *a, **k: True\n"
        "torch.equal = lambda *a, **k: True\n"
        "np.allclose = lambda *a, **k: True\n"
        "builtins.abs = lambda x: 0\n\n\n"
        "def accuracy(y_hat, y):\n    return -1.0",
    ),
    "sys-exit-in-cell": (
        "get_fashion_mnist_labels",
        "import sys\nsys.exit(0)\n\ndef get_fashion_mnist_labels(labels):\n    return []",
    ),
    "os-exit-in-cell": (
        "get_fashion_mnist_labels",
        "import os\nos._exit(0)\n\ndef get_fashion_mnist_labels(labels):\n    return []",
    ),
    "kill-the-parent": (
        "accuracy",
        "def accuracy(y_hat, y):\n    import os, signal\n    os.kill(os.getppid(), signal.SIGKILL)\n    return 0.5",
    ),
    "kill-everything": (
        "accuracy",
        "def accuracy(y_hat, y):\n    import os, signal\n    os.kill(-1, signal.SIGKILL)\n    return 0.5",
    ),
    "fork-bomb": (
        "FlattenLayer",
        "import os\n\n\nclass FlattenLayer(nn.Module):\n    def forward(self, x):\n        while True:\n            os.fork()",
    ),
    "memory-bomb": (
        "image_to_tensor",
        "def image_to_tensor(image):\n    hog = []\n    while True:\n        hog.append(bytearray(1 << 28))",
    ),
    "infinite-loop": ("get_fashion_mnist_labels", "def get_fashion_mnist_labels(labels):\n    while True:\n        pass"),
    "print-a-gigabyte": (
        "accuracy",
        "def accuracy(y_hat, y):\n    for _ in range(100):\n        print('x' * 10_000_000)\n    return -1.0",
    ),
    "import-the-grader": (
        "accuracy",
        "import autograder.expect\nautograder.expect.close = lambda *a, **k: None\n\ndef accuracy(y_hat, y):\n    return 0.0",
    ),
    "pickle-payload": (
        "accuracy",
        "import kitworker.loop as _loop\n"
        "_encode = _loop.Worker.encode\n"
        "_loop.Worker.encode = lambda self, obj: {'$pickle': 'gASVIQAAAAAAAACMBXBvc2l4lIwGc3lzdGVtlJOUjAJpZJSFlFKULg=='}"
        " if obj == 'PWN' else _encode(self, obj)\n\n"
        "def accuracy(y_hat, y):\n    return 'PWN'",
    ),
    "huge-answer": (
        "FlattenLayer",
        "class FlattenLayer(nn.Module):\n    def forward(self, x):\n        return torch.zeros(100_000_000)",
    ),
    "forge-protocol-messages": (
        "accuracy",
        "import kitworker.wire as _wire\n\n"
        "def accuracy(y_hat, y):\n"
        "    for fd in range(3, 12):\n"
        "        try:\n"
        "            _wire.send(fd, {'id': 10**9, 'ok': 1.0})\n"
        "        except OSError:\n"
        "            pass\n"
        "    return -1.0",
    ),
}


SECRET = "redteam-course-secret-4d1f"
OUTSIDE_READS = [str(p) for p in [*SECRETS, CANARY]]
OUTSIDE_WRITES = [str(ROOT / "build" / "escaped.txt"), "/var/tmp/kit-escaped", "/dev/shm/kit-escaped", "/etc/kit-pwned"]

# Attacks on the sandbox itself: each scores its exercise only if it reached something it must not.
CONFINEMENT_ATTACKS = {
    "reach-outside-the-scratch-folder": ("get_fashion_mnist_labels", reach_outside(OUTSIDE_READS, OUTSIDE_WRITES, SECRET)),
}

# Submission isolation (#12, class 2): graded one after another by the same grader process and zygote.
ISOLATION_ATTACKS = {
    "isolation-a-shm-and-ballast": (
        "accuracy",
        "import ctypes, os, tempfile\n"
        "libc = ctypes.CDLL(None, use_errno=True)\n"
        "libc.shmat.restype = ctypes.c_void_p\n"
        "segment = libc.shmget(0x6B6974, 200 << 20, 0o1666)\n"
        "if segment >= 0:\n"
        "    address = libc.shmat(segment, None, 0)\n"
        "    ctypes.memset(address, ord('A'), 200 << 20)\n"
        "with open(os.path.join(tempfile.gettempdir(), 'ballast'), 'wb') as f:\n"
        "    f.write(b'A' * (200 << 20))\n\n\n"
        "def accuracy(y_hat, y):\n    return -1.0",
    ),
    "isolation-b-locked-deep-and-many": (
        "image_to_tensor",
        "import os, tempfile\n"
        "top = tempfile.gettempdir()\n"
        "locked = os.path.join(top, 'left', 'locked')\n"
        "os.makedirs(locked, exist_ok=True)\n"
        "open(os.path.join(locked, 'note'), 'w').write('left behind by submission B')\n"
        "os.chmod(locked, 0o500)\n"
        "os.chmod(os.path.dirname(locked), 0o500)\n"
        "here = os.getcwd()\n"
        "os.chdir(top)\n"
        "for _ in range(1200):\n"
        "    os.mkdir('d')\n"
        "    os.chdir('d')\n"
        "os.chdir(here)\n"
        "for i in range(30000):\n"
        "    open(os.path.join(top, f'many-{i}'), 'w').close()\n\n\n"
        "def image_to_tensor(image):\n    return None",
    ),
    "isolation-c-reference-after": None,  # an honest student graded right after them
    "isolation-d-read-leftovers": (
        "get_fashion_mnist_labels",
        "import ctypes, os, tempfile\n\n"
        "def _leftovers():\n"
        "    libc = ctypes.CDLL(None, use_errno=True)\n"
        "    found = libc.shmget(0x6B6974, 0, 0) >= 0\n"
        "    for folder in {tempfile.gettempdir(), os.path.dirname(tempfile.gettempdir()), os.getcwd()}:\n"
        "        try:\n"
        "            names = os.listdir(folder)\n"
        "        except OSError:\n"
        "            continue\n"
        "        found |= any(n in ('ballast', 'left', 'd') or n.startswith('many-') for n in names)\n"
        "    return found\n\n\n"
        "def get_fashion_mnist_labels(labels):\n"
        "    if not _leftovers():\n"
        "        return []\n"
        f"    return [{LABELS}[int(i)] for i in labels]\n",
    ),
}


def _cgroups_work():
    probe = sandbox.Cgroup(f"kit-probe-{os.getpid()}", 8, 64)
    works = bool(probe)
    probe.close()
    return works


if not _cgroups_work():
    del ATTACKS["fork-bomb"]  # without a pids cgroup nothing would stop it short of the host's pid table


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None


ALL_ATTACKS = {**ATTACKS, **CONFINEMENT_ATTACKS, **{k: v for k, v in ISOLATION_ATTACKS.items() if v}}


def _processes_mentioning(text):
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if text.encode() in Path(f"/proc/{pid}/cmdline").read_bytes():
                found.append(pid)
        except OSError:
            pass
    return found


def graded(tier):
    """Grade the reference and every attack in one CLI run under tier: (CLI outcome, {name: results.json}, leftovers)."""
    work = Path(tempfile.mkdtemp(prefix=f"kit-redteam-{tier}-"))
    work.chmod(0o755)  # the grader may be another user; the worker's uid must reach its scratch folder
    folder, tmp, hold = work / "class", work / "tmp", work / "hold"
    for made in (folder, tmp, hold):
        made.mkdir()
    notebooks.write(notebooks.solve(ASSIGNMENT), folder / "reference.ipynb")
    notebooks.write(notebooks.solve(ASSIGNMENT), folder / "isolation-c-reference-after.ipynb")
    for name, (cell, code) in ALL_ATTACKS.items():
        notebooks.write(with_alternative(ASSIGNMENT, Alternative(cell, code)), folder / f"{name}.ipynb")
    if tier == "landlock-user":
        uid = grader_user()
        for path in [work, *work.rglob("*")]:
            os.chown(path, uid, uid)
    tmp.chmod(0o1777)
    env = dict(os.environ, COURSE_KIT_CHECK_TIMEOUT="20", COURSE_KIT_SECRET=SECRET, TMPDIR=str(tmp))
    files = sorted(str(p) for p in folder.glob("*.ipynb"))
    argv = [sys.executable, "-m", "autograder", "grade", *files, "-a", ASSIGNMENT.id, "--out", str(work / "out")]
    argv, env = as_tier(tier, [*argv, "--jobs", "1", "--require-sandbox"], env, str(hold))
    try:
        done = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=2400)
        results = {p.stem: json.loads(p.read_text()) for p in (work / "out" / "results").glob("*.json")}
        leftovers = sorted(p.name for p in tmp.iterdir() if p.name.startswith("kit-"))  # the grader keeps torch caches
        leftovers += _processes_mentioning(str(work))
    finally:
        sandbox.remove_scratch(work)
    return done, results, leftovers


@pytest.fixture(scope="module", params=TIERS)
def outcome(request):
    missing = tier_missing(request.param)
    if missing:
        pytest.skip(f"{request.param}: {missing}")
    CANARY.parent.mkdir(exist_ok=True)
    CANARY.write_text("untouched")
    before = {path: digest(path) for path in WATCHED}
    done, results, leftovers = graded(request.param)
    after = {path: digest(path) for path in WATCHED}
    return done, results, before, after, leftovers


def test_the_grader_survives_every_attack(outcome):
    done, results, *_ = outcome
    assert done.returncode == 0, done.stderr[-3000:]
    assert set(results) == {"reference", "isolation-c-reference-after", *ALL_ATTACKS}
    assert results["reference"]["score"] == results["reference"]["max_score"]


def test_no_file_of_the_grader_changes(outcome):
    _, _, before, after, _ = outcome
    assert before == after
    assert not [path for path in OUTSIDE_WRITES if os.path.exists(path)]


@pytest.mark.parametrize("attack", list(ALL_ATTACKS))
def test_attack_earns_nothing_and_costs_the_others_nothing(outcome, attack):
    _, results, *_ = outcome
    target, _ = ALL_ATTACKS[attack]
    scores = per_exercise(results[attack])
    reference = per_exercise(results["reference"])
    assert scores[target][0] == 0, f"{attack} earned points for {target}"
    others = {e: s for e, s in scores.items() if e != target}
    assert others == {e: s for e, s in reference.items() if e != target}, f"{attack} changed other exercises"


@pytest.mark.parametrize("attack", ["read-hidden-files", "import-the-grader", "pickle-payload"])
def test_feedback_carries_no_secret(outcome, attack):
    _, results, *_ = outcome
    text = json.dumps(results[attack])
    assert "def test_" not in text and "BEGIN SOLUTION" not in text and "Grading.secret" not in text


def test_no_file_or_process_of_the_class_survives_on_the_host(outcome):
    *_, leftovers = outcome
    assert leftovers == [], "scratch folders, runtime copies or processes outlived the grader"


def test_an_honest_student_after_the_isolation_attacks_keeps_the_reference_score(outcome):
    _, results, *_ = outcome
    after = results["isolation-c-reference-after"]
    assert after["score"] == after["max_score"] == results["reference"]["max_score"], after["output"]


def test_every_record_names_the_tier_and_what_it_enforced(outcome, request):
    _, results, *_ = outcome
    tier = request.node.callspec.params["outcome"]
    for result in results.values():
        if tier == "bubblewrap":
            assert "graded in the bubblewrap sandbox" in result["output"]
        else:
            assert "graded in the landlock sandbox (Landlock ABI" in result["output"]
            assert ("uid 65534" in result["output"]) == (tier == "landlock-root")


@pytest.mark.parametrize("attack", ["kill-everything", "kill-the-parent", "reach-outside-the-scratch-folder"])
def test_attacks_a_pid_namespace_stops_fail_in_every_tier(outcome, attack):
    """The landlock tier has no pid namespace: signals are scoped by Landlock and /proc is not granted instead."""
    _, results, *_ = outcome
    target, _ = ALL_ATTACKS[attack]
    assert per_exercise(results[attack])[target][0] == 0
    assert results["isolation-c-reference-after"]["score"] == results["reference"]["max_score"]


def test_auto_takes_landlock_where_bubblewrap_cannot_run(tmp_path):
    if tier_missing("landlock-root"):
        pytest.skip(tier_missing("landlock-root"))
    hold = tmp_path / "hold"
    hold.mkdir()
    code = "from autograder import sandbox; print(sandbox.choose('auto').name)"
    argv, env = as_tier("landlock-root", [sys.executable, "-c", code], dict(os.environ, PATH="/nonexistent"), str(hold))
    env.pop("COURSE_KIT_SANDBOX")
    done = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True)
    assert done.stdout.strip() == "landlock", done.stderr


def test_unsandboxed_grading_warns_and_require_sandbox_refuses(tmp_path):
    path = tmp_path / "blank.ipynb"
    shutil.copy(ASSIGNMENT.release, path)
    grade = [sys.executable, "-m", "autograder", "grade", path, "-a", ASSIGNMENT.id, "--jobs", "1"]
    env = dict(os.environ, COURSE_KIT_SANDBOX="none")
    done = subprocess.run([*grade, "--json"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert done.returncode == 0 and "graded without a sandbox" in json.loads(done.stdout)["output"]
    done = subprocess.run([*grade, "--require-sandbox"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert done.returncode == 1 and "a sandbox is required" in done.stderr
    env = dict(os.environ, PATH="/nonexistent", COURSE_KIT_SANDBOX="bubblewrap")
    done = subprocess.run(grade, cwd=ROOT, env=env, capture_output=True, text=True)
    assert done.returncode == 1 and "bubblewrap is required" in done.stderr


def test_a_pool_of_graders_leaves_no_runtime_copy_or_scratch_folder_behind(tmp_path):
    for name in ("a", "b"):
        notebooks.write(notebooks.solve(ASSIGNMENT), tmp_path / f"{name}.ipynb")
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    files = [str(tmp_path / "a.ipynb"), str(tmp_path / "b.ipynb")]
    done = subprocess.run(
        [sys.executable, "-m", "autograder", "grade", *files, "-a", ASSIGNMENT.id, "--jobs", "2"],
        cwd=ROOT,
        env=dict(os.environ, TMPDIR=str(tmp)),
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert not [p.name for p in tmp.iterdir() if p.name.startswith("kit-")]
