"""Red team: published autograder cheats and plain sabotage, each planted in one solution cell of 03.

Every attack must earn nothing for the exercise it targets, leave every other
exercise at full marks, leave the grader's files untouched and never make the
grader exit non-zero. The class is graded once, through the CLI, in the sandbox.
"""

import functools
import hashlib
import json
import os
import shutil
import subprocess
import sys

import pytest

from autograder import course, notebooks, sandbox
from autograder.results import per_exercise
from autograder.settings import ROOT
from autograder.variants import Alternative, with_alternative

pytestmark = [pytest.mark.slow, pytest.mark.skipif(sandbox.bubblewrap() is None, reason="bubblewrap cannot run here")]

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


def _cgroups_work():
    probe = sandbox.Cgroup(f"kit-probe-{os.getpid()}", 8, 64)
    works = bool(probe)
    probe.close()
    return works


if not _cgroups_work():
    del ATTACKS["fork-bomb"]  # without a pids cgroup nothing would stop it short of the host's pid table


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None


@functools.cache
def graded(tmp_root):
    """Grade the reference and every attack in one CLI run: {name: results.json}, plus the CLI's exit code."""
    folder = tmp_root / "class"
    folder.mkdir()
    notebooks.write(notebooks.solve(ASSIGNMENT), folder / "reference.ipynb")
    for name, (cell, code) in ATTACKS.items():
        notebooks.write(with_alternative(ASSIGNMENT, Alternative(cell, code)), folder / f"{name}.ipynb")
    env = dict(os.environ, COURSE_KIT_CHECK_TIMEOUT="20")
    files = sorted(folder.glob("*.ipynb"))
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "autograder",
            "grade",
            *files,
            "-a",
            ASSIGNMENT.id,
            "--out",
            tmp_root / "out",
            "--require-sandbox",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    results = {p.stem: json.loads(p.read_text()) for p in (tmp_root / "out" / "results").glob("*.json")}
    return done, results


@pytest.fixture(scope="module")
def outcome(tmp_path_factory):
    CANARY.parent.mkdir(exist_ok=True)
    CANARY.write_text("untouched")
    before = {path: digest(path) for path in WATCHED}
    done, results = graded(tmp_path_factory.mktemp("redteam"))
    after = {path: digest(path) for path in WATCHED}
    return done, results, before, after


def test_the_grader_survives_every_attack(outcome):
    done, results, _, _ = outcome
    assert done.returncode == 0, done.stderr[-3000:]
    assert set(results) == {"reference", *ATTACKS}
    assert results["reference"]["score"] == results["reference"]["max_score"]


def test_no_file_of_the_grader_changes(outcome):
    _, _, before, after = outcome
    assert before == after
    assert not os.path.exists("/etc/kit-pwned")


@pytest.mark.parametrize("attack", list(ATTACKS))
def test_attack_earns_nothing_and_costs_the_others_nothing(outcome, attack):
    _, results, _, _ = outcome
    target, _ = ATTACKS[attack]
    scores = per_exercise(results[attack])
    reference = per_exercise(results["reference"])
    assert scores[target][0] == 0, f"{attack} earned points for {target}"
    others = {e: s for e, s in scores.items() if e != target}
    assert others == {e: s for e, s in reference.items() if e != target}, f"{attack} changed other exercises"


@pytest.mark.parametrize("attack", ["read-hidden-files", "import-the-grader", "pickle-payload"])
def test_feedback_carries_no_secret(outcome, attack):
    _, results, _, _ = outcome
    text = json.dumps(results[attack])
    assert "def test_" not in text and "BEGIN SOLUTION" not in text and "Grading.secret" not in text


def test_unsandboxed_grading_warns_and_require_sandbox_refuses(tmp_path):
    path = tmp_path / "blank.ipynb"
    shutil.copy(ASSIGNMENT.release, path)
    env = dict(os.environ, COURSE_KIT_SANDBOX="none")
    done = subprocess.run(
        [sys.executable, "-m", "autograder", "grade", path, "-a", ASSIGNMENT.id, "--json", "--jobs", "1"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0 and "graded without a sandbox" in json.loads(done.stdout)["output"]
    env = dict(os.environ, PATH="/nonexistent")
    done = subprocess.run(
        [sys.executable, "-m", "autograder", "grade", path, "-a", ASSIGNMENT.id, "--jobs", "1", "--require-sandbox"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1 and "bubblewrap is required" in done.stderr
