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

import functools
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
from autograder.results import Result
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
        " if isinstance(obj, str) and obj == 'PWN' else _encode(self, obj)\n\n"
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
        notebooks.write(
            with_alternative(ASSIGNMENT, Alternative(cell=cell, code=code, why="an attack")), folder / f"{name}.ipynb"
        )
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


def per_exercise(data):
    """Score per exercise of a results.json object."""
    return Result.from_json(data).per_exercise()


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
        assert result["extra_data"]["sandbox"] == tier.split("-")[0], "the tier is a field of the record, not only text"
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


# --- hardening, round two: classes of attack, each tried two ways, in a second class run --------------------------
#
# Each attack: (the solution cells it replaces, the checks that must earn nothing). Everything else of the
# attacker, and every other student in the same run, must keep the reference's score; the run must exit 0
# and leave no file or process behind. The class is a folder, so discovery (symlinks, odd names) is tested too.

FORMULA_NAME = "=cmd|' -C calc'!A0"
ANSI_NAME = "\x1b[31mred\x1b]0;pwned\x07"
NASTY = "$\\\\foo$ \\x1b[2J\\x1b]0;pwned\\x07 <script>alert(1)</script> \\x00\\x07\\x1b[31m | *bold* ]]> &amp;"

SEED_SNOOP = (
    "def accuracy(y_hat, y):\n"
    "    g = torch.Generator().manual_seed(torch.initial_seed())\n"
    "    n = int(torch.randint(15, 30, (1,), generator=g))\n"
    "    guess = torch.rand(n, 5, generator=g)\n"
    "    labels = torch.randint(0, 5, (n,), generator=g)\n"
    "    return float((guess.argmax(dim=1) == labels).float().mean())\n"
)
MEMORISE_DIGITS = (
    "import torch.nn.functional as _F\n\n\n"
    "def _memorised(params):\n"
    "    from sklearn.datasets import load_digits\n"
    "    bunch = load_digits()\n"
    "    X = torch.tensor(bunch.images, dtype=torch.float32).unsqueeze(1) / 16.0\n"
    "    X = _F.interpolate(X, size=(28, 28), mode='bilinear', align_corners=False).clamp(0, 1).reshape(len(X), -1)\n"
    "    Y = torch.nn.functional.one_hot(torch.tensor(bunch.target), 10).float()\n"
    "    A = torch.cat([X, torch.ones(len(X), 1)], 1)\n"
    "    solution = torch.linalg.lstsq(A, Y).solution\n"
    "    with torch.no_grad():\n"
    "        params[0].copy_(solution[:-1])\n"
    "        params[1].copy_(solution[-1])\n\n\n"
)


def _reference_cell(name):
    notebook = notebooks.solve(ASSIGNMENT)
    return next(c.source for c in notebook.cells if notebooks.grade_id(c) == name)


def _train_ch3_memorising():
    source = _reference_cell("train_ch3")
    head, _, rest = source.partition("def train_ch3(")
    body = "def train_ch3(" + rest
    lines = body.splitlines()
    signature_end = next(i for i, line in enumerate(lines) if line.rstrip().endswith(":"))
    hook = "    if params is not None and params[0].shape == (784, 10):\n        return _memorised(params)"
    return head + MEMORISE_DIGITS + "\n".join([*lines[: signature_end + 1], hook, *lines[signature_end + 1 :]])


def _raw_answer(payload):
    """An accuracy cell whose answer goes on the pipe as raw JSON bytes (`payload`, a bytes expression), past the codec."""
    return (
        "import os\nimport kitworker.wire as _w\n_send = _w.send\n\n\n"
        "def _raw_send(fd, message, deadline=None):\n"
        "    if message.get('ok') == 'RAW':\n"
        f"        body = b'{{\"id\":%d,\"ok\":' % message['id'] + {payload} + b'}}'\n"
        "        os.write(fd, _w.HEADER.pack(len(body)) + body)\n"
        "    else:\n"
        "        _send(fd, message)\n\n\n"
        "_w.send = _raw_send\n\n\n"
        "def accuracy(y_hat, y):\n    return 'RAW'"
    )


HARDENED = {
    # 1. one student must not stop the class: a worker that stops reading, an answer that decodes in quadratic time
    "stop-reading": (
        {
            "accuracy": "def accuracy(y_hat, y):\n    import time\n    import kitworker.wire as _w\n"
            "    _w.receive = lambda *a, **k: time.sleep(10**6)\n    return 0.5"
        },
        ["test_accuracy"],
    ),
    "colliding-int-keys": (
        {
            "accuracy": _raw_answer(
                "b'{\"$dict\":[' + b','.join(b'[{\"$bigint\":\"%d\"},0]' % ((2**61 - 1) * i + 7) for i in range(1, 200000)) + b']}'"
            )
        },
        ["test_accuracy"],
    ),
    # 3. the worker's seed says nothing of the check's inputs; a memorised data set earns nothing
    "seed-snoop": ({"accuracy": SEED_SNOOP}, ["test_accuracy"]),
    "memorise-digits": ({"train_ch3": None}, ["test_softmax_regression_learns_digits"]),  # filled in below
    # 4. from scratch: dynamic lookups and helpers in other cells
    "softmax-by-dict": (
        {"softmax": "def softmax(X):\n    return torch.__dict__['soft' + 'max'](X, dim=1)"},
        ["test_softmax_from_scratch"],
    ),
    "cross-entropy-by-getattr": (
        {
            "cross_entropy": "def cross_entropy(y_hat, y):\n"
            "    pick = getattr(torch.nn.functional, 'nll' + '_loss')\n"
            "    return pick(torch.log(y_hat), y, reduction='none').reshape(-1, 1)"
        },
        ["test_cross_entropy_from_scratch"],
    ),
    "softmax-helper-in-another-cell": (
        {
            "get_fashion_mnist_labels": _reference_cell("get_fashion_mnist_labels")
            + "\n\n\ndef _normalise(X):\n    return torch.softmax(X, dim=1)\n",
            "softmax": "def softmax(X):\n    return _normalise(X)",
        },
        ["test_softmax_from_scratch"],
    ),
    # 6. what leaves the grader: mathtext, control characters, HTML, formulas (names are in the class folder below)
    "nasty-message": (
        {"accuracy": f"def accuracy(y_hat, y):\n    raise ValueError('{NASTY}')"},
        ["test_accuracy"],
    ),
    # 7. unbounded answers: nested past any recursion limit (raw bytes on the pipe), or millions of values
    "deep-answer": (
        {"accuracy": _raw_answer("b'[' * 200000 + b']' * 200000")},
        ["test_accuracy"],
    ),
    "millions-of-values": (
        {"accuracy": "def accuracy(y_hat, y):\n    return [0] * 3_000_000"},
        ["test_accuracy"],
    ),
    # 8. type claims: a forged handle description, a fake base class with the real qualified name
    "forged-module-claim": (
        {
            "FlattenLayer": "import kitworker.loop as _loop\n_handle = _loop.Worker.handle\n\n\n"
            "def _claim(self, obj):\n    described = _handle(self, obj)\n"
            "    described['$handle'][1].append('torch.nn.modules.module.Module')\n    return described\n\n\n"
            "_loop.Worker.handle = _claim\n\n\n"
            "class FlattenLayer:\n    def __call__(self, x):\n        return x.reshape(x.shape[0], -1)"
        },
        ["test_flatten_layer", "test_flatten_layer_in_a_network"],
    ),
    "fake-module-base": (
        {
            "FlattenLayer": "class Module:\n    pass\n\n\nModule.__module__ = 'torch.nn.modules.module'\n\n\n"
            "class FlattenLayer(Module):\n    def __call__(self, x):\n        return x.reshape(x.shape[0], -1)"
        },
        ["test_flatten_layer", "test_flatten_layer_in_a_network"],
    ),
}
HARDENED["memorise-digits"] = ({"train_ch3": _train_ch3_memorising()}, ["test_softmax_regression_learns_digits"])


def _attack_notebook(cells):
    notebook = notebooks.solve(ASSIGNMENT)
    for cell in notebook.cells:
        if notebooks.grade_id(cell) in cells:
            cell.source = cells[notebooks.grade_id(cell)]
    return notebook


def _deep_notebook():
    text = json.dumps(notebooks.solve(ASSIGNMENT))
    return text[:-1] + ', "deep": ' + "[" * 5000 + "]" * 5000 + "}"


def _processes_mentioning(text):
    found = []
    for entry in os.listdir("/proc"):
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as handle:
                if text.encode() in handle.read():
                    found.append(entry)
        except OSError:
            continue
    return found


@functools.cache
def hardened_run(tmp_root):
    """Grade the hardening attacks, two honest students and the odd files of class 5-7 in one folder, via the CLI."""
    folder = tmp_root / "class"
    folder.mkdir()
    for student in ("reference", "other-student"):
        notebooks.write(notebooks.solve(ASSIGNMENT), folder / f"{student}.ipynb")
    for name, (cells, _) in HARDENED.items():
        notebooks.write(_attack_notebook(cells), folder / f"{name}.ipynb")
    # 5. symlinks: to the instructor's solution notebook, to a host file
    (folder / "linked-solution.ipynb").symlink_to(ASSIGNMENT.source)
    (folder / "linked-host-file.ipynb").symlink_to("/etc/passwd")
    # 6. names that are a spreadsheet formula or carry terminal escapes; 7. a notebook nested 5,000 deep
    notebooks.write(_attack_notebook(HARDENED["nasty-message"][0]), folder / f"{FORMULA_NAME}.ipynb")
    notebooks.write(notebooks.solve(ASSIGNMENT), folder / f"{ANSI_NAME}.ipynb")
    (folder / "deep-notebook.ipynb").write_text(_deep_notebook())
    scratch = tmp_root / "tmp"
    scratch.mkdir()
    env = dict(os.environ, COURSE_KIT_CHECK_TIMEOUT="20", TMPDIR=str(scratch))
    done = subprocess.run(
        [sys.executable, "-m", "autograder", "grade", folder, "-a", ASSIGNMENT.id, "--out", tmp_root / "out"]
        + ["--require-sandbox", "--jobs", "1"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=3600,
    )
    results = {p.stem: json.loads(p.read_text()) for p in (tmp_root / "out" / "results").glob("*.json")}
    return done, results, tmp_root / "out", scratch


@pytest.fixture(scope="module")
def hardened(tmp_path_factory):
    return hardened_run(tmp_path_factory.mktemp("hardened"))


def _check_scores(result):
    return {t["extra_data"]["check"]: t["score"] for t in result["tests"]}


def test_hardened_run_finishes_and_leaves_nothing(hardened):
    done, results, _, scratch = hardened
    assert done.returncode == 0, done.stderr[-3000:]
    assert results["reference"]["score"] == results["reference"]["max_score"]
    assert _check_scores(results["other-student"]) == _check_scores(results["reference"])
    assert _check_scores(results[ANSI_NAME]) == _check_scores(results["reference"])
    left = [p.name for p in scratch.iterdir() if not p.name.startswith("torchinductor_")]  # torch's own cache of the grader
    assert left == [], "the run left temporary files behind"
    assert _processes_mentioning(str(scratch)) == [], "a process of the run survived it"


@pytest.mark.parametrize("attack", list(HARDENED))
def test_hardened_attack_earns_nothing_and_costs_nothing_else(hardened, attack):
    _, results, _, _ = hardened
    _, must_fail = HARDENED[attack]
    got, reference = _check_scores(results[attack]), _check_scores(results["reference"])
    assert all(got[check] == 0 for check in must_fail), f"{attack} earned points in {must_fail}"
    assert {c: s for c, s in got.items() if c not in must_fail} == {
        c: s for c, s in reference.items() if c not in must_fail
    }, f"{attack} changed other checks"


def test_symlinked_submissions_are_reported_not_read(hardened):
    done, results, out, _ = hardened
    assert "linked-solution" not in results and "linked-host-file" not in results
    assert "linked-solution.ipynb: a symlink; skipped, not read" in done.stderr
    assert "linked-host-file.ipynb: a symlink; skipped, not read" in done.stderr
    assert "root:" not in (out / "grades.csv").read_text() and "passwd" not in (out / "junit.xml").read_text()


def test_a_deep_notebook_is_a_record_not_a_failed_run(hardened):
    done, results, _, _ = hardened
    result = results["deep-notebook"]
    assert result["score"] == 0 and "nested too deeply" in result["output"]
    assert "GRADING FAILED" not in done.stderr


def test_outputs_are_escaped_for_where_they_go(hardened):
    import csv
    import xml.etree.ElementTree as ET

    done, results, out, _ = hardened
    assert "\x1b" not in done.stdout + done.stderr and "\x07" not in done.stdout + done.stderr
    rows = list(csv.reader((out / "grades.csv").open()))
    names = [row[0] for row in rows[1:]]
    assert "'" + FORMULA_NAME in names and not any(n.startswith(("=", "+", "-", "@")) for n in names)
    ET.parse(out / "junit.xml")  # a control character would make it invalid XML
    report = (out / "report" / "report.md").read_text()
    assert "<script>" not in report and "\x1b" not in report
    feedback = (out / "feedback" / f"{FORMULA_NAME}.md").read_text()
    assert "\x1b" not in feedback and "\x00" not in feedback
    for plot in ("score_histogram.png", "exercise_pass_rate.png", "common_failures.png"):
        assert (out / "report" / plot).stat().st_size > 0
    assert results[FORMULA_NAME]["score"] == results["nasty-message"]["score"]
