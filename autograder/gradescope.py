"""Serve Gradescope: build an assignment's autograder zip, and grade one upload as its run_autograder asks.

The zip holds, at its root, ``setup.sh`` (installs the pinned requirements,
CPU-only PyTorch), ``run_autograder`` and the kit's files that grading this
assignment needs: the grader code its checks import, the hidden checks, the
reference modules, the source notebook (locked cells come from it),
course_config.py and requirements.txt. Gradescope unpacks it into
``/autograder/source``; for each submission it runs ``run_autograder``, which
grades ``/autograder/submission/*.ipynb`` and writes
``/autograder/results/results.json``. The root is ``/autograder`` unless
run_autograder gets another as its first argument or ``AUTOGRADER_ROOT``.

Gradescope runs the container as root without user namespaces, so bubblewrap
cannot run there and ``auto`` takes the landlock tier: the worker drops to uid
65534 and Landlock keeps it out of /autograder. run_autograder requires a
sandbox (it never grades unconfined), closes the source and results folders
to other users, gives the worker the container's memory less what the grader
needs, and writes results.json only after every student process has ended.

    python -m autograder.gradescope ROOT ASSIGNMENT   # what run_autograder runs
"""

import os
import stat
import sys
import zipfile
from pathlib import Path

from autograder import classroom, course, results
from autograder.settings import CONFIG_FILE

SETUP_SH = """#!/usr/bin/env bash
# Gradescope runs this once when it builds the autograder image.
set -euo pipefail
apt-get update -qq && apt-get install -y -qq python3 python3-venv python3-pip || true
# no bubblewrap: Gradescope's container has no user namespaces; the kit confines with Landlock + seccomp + uid 65534
python3 -m venv /autograder/venv
chmod 755 /autograder /autograder/venv  # the worker (uid 65534) reads the Python installation, nothing else here
/autograder/venv/bin/pip install --upgrade pip
# CPU wheels of torch and torchvision (Gradescope has no GPU), then the rest of the pinned requirements
/autograder/venv/bin/pip install --index-url https://download.pytorch.org/whl/cpu \\
    "$(grep '^torch==' /autograder/source/requirements.txt)" "$(grep '^torchvision==' /autograder/source/requirements.txt)"
grep -v -E '^(torch|torchvision|triton|nvidia-.*|cuda-.*)==' /autograder/source/requirements.txt > /tmp/requirements-cpu.txt
/autograder/venv/bin/pip install -r /tmp/requirements-cpu.txt
"""

RUN_AUTOGRADER = """#!/usr/bin/env bash
# Gradescope runs this for every submission. Root: $1, else $AUTOGRADER_ROOT, else /autograder.
# Python: $AUTOGRADER_PYTHON, else the venv setup.sh made, else python3.
set -euo pipefail
ROOT="${{1:-${{AUTOGRADER_ROOT:-/autograder}}}}"
PYTHON="${{AUTOGRADER_PYTHON:-}}"
if [ -z "$PYTHON" ]; then
    if [ -x /autograder/venv/bin/python ]; then PYTHON=/autograder/venv/bin/python; else PYTHON=python3; fi
fi
SOURCE="$(cd "$(dirname "${{BASH_SOURCE[0]}}")" && pwd)"
[ -d "$SOURCE/autograder" ] || SOURCE="$ROOT/source"
if [ -f "$SOURCE/course_secret" ] && [ -z "${{COURSE_KIT_SECRET:-}}" ]; then
    COURSE_KIT_SECRET="$(cat "$SOURCE/course_secret")"
    export COURSE_KIT_SECRET
fi
# fail closed: bubblewrap where it works, else landlock; never a plain subprocess
export COURSE_KIT_SANDBOX="${{COURSE_KIT_SANDBOX:-auto}}" COURSE_KIT_REQUIRE_SANDBOX=1
if [ "$(id -u)" = 0 ]; then  # student code runs as uid 65534: keep checks, reference, secret and results out of its reach
    mkdir -p "$ROOT/results"
    chmod go-rwx "$SOURCE" "$ROOT/results"
fi
cd "$SOURCE"
exec "$PYTHON" -m autograder.gradescope "$ROOT" {assignment}
"""


def files_for(assignment):
    """{path in the zip: file on disk} of the kit files that grading this assignment needs."""
    root = Path(assignment.root)
    kit = root / "autograder"
    needed = set(classroom.grading_files(assignment))
    needed |= set(classroom.module_closure([Path(__file__).resolve(), kit / "__init__.py"], root))
    needed |= {root / CONFIG_FILE, root / "requirements.txt"}
    return {str(path.relative_to(root)): path for path in sorted(needed)}


def _add(archive, name, data, executable=False):
    info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))  # fixed stamps: the same kit gives the same zip
    info.external_attr = ((0o755 if executable else 0o644) | stat.S_IFREG) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, data)


def build(assignment, output=None, secret=None):
    """Write the autograder zip; returns its path.

    `secret` (default: $COURSE_KIT_SECRET when set) goes into the zip as
    course_secret, so that Gradescope seeds the checks with the course's secret.
    """
    output = Path(output) if output else Path(assignment.root) / "build" / "gradescope" / f"{assignment.id}.zip"
    output.parent.mkdir(parents=True, exist_ok=True)
    secret = secret if secret is not None else os.environ.get("COURSE_KIT_SECRET")
    tmp = output.with_name(f".{output.name}.part")
    with zipfile.ZipFile(tmp, "w") as archive:
        _add(archive, "setup.sh", SETUP_SH, executable=True)
        _add(archive, "run_autograder", RUN_AUTOGRADER.format(assignment=assignment.id), executable=True)
        for name, path in files_for(assignment).items():
            _add(archive, name, path.read_bytes())
        if secret:
            _add(archive, "course_secret", secret)
    tmp.replace(output)
    return output


def _submitted_notebook(folder, assignment_id):
    """The notebook in Gradescope's upload (subfolders too) by :func:`classroom.pick_notebook`'s rule, or a problem."""
    skipped = []
    pick = classroom.pick_notebook(folder, assignment_id, skipped, nested=True)
    if pick.path is not None:
        return pick.path, ""
    if not pick.count:
        refused = " (links, special files and unreadable folders are not read)" if skipped else ""
        return None, f"no notebook was found in your submission{refused}: upload {assignment_id}.ipynb"
    return None, f"your submission holds {pick.count} notebooks and none is named {assignment_id}.ipynb"


GRADER_RESERVE_MB = 1536  # the grader process itself: torch, pytest and the checks' own tensors


def container_memory_mb():
    """The memory limit of this container's cgroup (v2, else v1) in MiB, or None when it has none."""
    for path in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        try:
            text = Path(path).read_text().strip()
        except OSError:
            continue
        if text.isdigit() and int(text) < 1 << 50:
            return int(text) >> 20
    return None


def worker_memory_mb(configured, container=None):
    """The worker's memory limit: the configured one, lowered so grader and worker fit in the container."""
    container = container_memory_mb() if container is None else container
    if container is None:
        return configured
    return max(256, min(configured, container - GRADER_RESERVE_MB))


def run(root, assignment_id):
    """Grade the submission under root/submission; write root/results/results.json. Exit status 0 unless grading broke."""
    from autograder import launch, sandbox
    from autograder.grade import GraderError, grade_data, resolve_device
    from autograder.settings import grading, load_config

    root = Path(root)
    assignment = course.get(assignment_id)
    path, problem = _submitted_notebook(root / "submission", assignment_id)
    data = path.read_bytes() if path is not None else b""
    threads = os.cpu_count() or 1
    settings = grading(load_config(assignment.root))
    settings.worker_memory_mb = worker_memory_mb(settings.worker_memory_mb)
    try:
        device = resolve_device("auto", settings)
        result, internal = grade_data(data, assignment, settings=settings, device=device, threads=threads)
    except (GraderError, sandbox.SandboxUnavailable) as exc:
        print(f"grading failed: {exc}", file=sys.stderr)
        return 1
    finally:
        launch.close_zygotes()  # results.json only once no student process is left
    if problem:
        result = result.with_problem(problem)
    for text in internal:
        print(f"internal error in a check:\n{text}", file=sys.stderr)  # results/stdout: for the instructor only
    results.write(root / "results" / "results.json", result)
    print(f"{assignment_id}: {result.score:g}/{result.max_score:g}")
    return 0


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 2:
        print("usage: python -m autograder.gradescope ROOT ASSIGNMENT", file=sys.stderr)
        return 2
    return run(*argv)


if __name__ == "__main__":
    sys.exit(main())
