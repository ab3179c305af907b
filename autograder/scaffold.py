"""Start a new assignment from templates: reference, source notebook, checks, variants, then its release.

    python -m autograder new 11_attention --title "Attention"

writes, in the course directory (the one this kit lives in):
``reference/attention.py``, ``source/11_attention/11_attention.ipynb`` (through
:mod:`autograder.authoring`), ``autograder/checks/test_attention.py`` and
``autograder/variants/attention.py``, with one example exercise (``relu``)
that passes ``python -m autograder validate``; then releases it with nbgrader.
Replace the example with your own exercises, keeping the conventions it shows.
"""

import importlib
import re
from pathlib import Path

from autograder import authoring, classroom, course, notebooks
from autograder.settings import ROOT

TEMPLATES = Path(__file__).resolve().parent / "templates"
ID_RULE = re.compile(r"^\d{2}_[a-z][a-z0-9_]*$")


class ScaffoldError(classroom.UsageError):
    """The assignment cannot be created as asked (bad id, files already there): the CLI exits 2."""


def check_id(assignment_id, root=ROOT):
    """Refuse ids that do not follow NN_topic, and topics another assignment already uses."""
    if not ID_RULE.match(assignment_id):
        raise ScaffoldError(
            f"assignment id {assignment_id!r} must be NN_topic: two digits, an underscore, then a lowercase Python name "
            f"(e.g. 11_attention); the topic after the first underscore names reference/<topic>.py and the checks"
        )
    topic = assignment_id.split("_", 1)[1]
    for other in course.assignments(root) if (Path(root) / "source").is_dir() else []:
        if other.topic == topic and other.id != assignment_id:
            raise ScaffoldError(f"topic {topic!r} is already used by {other.id}")


def _notebook(assignment_id, title):
    return [
        authoring.md(f"# {title}\n\nExercises for *Dive into Deep Learning* (PyTorch). Fill in each `YOUR CODE HERE`."),
        authoring.setup("setup", "import torch"),
        authoring.md(
            "## ReLU from scratch\n\n"
            "Write `relu(X)`: the rectified linear unit, applied elementwise. Keep the shape and dtype of `X`; "
            "use tensor operations, not the library's `relu`."
        ),
        authoring.solution("relu", ["relu"]),
        authoring.test("relu_public", "assert relu(torch.tensor([-1.0, 0.5])).tolist() == [0.0, 0.5]"),
    ]


def create(assignment_id, title=None, root=ROOT, release=True):
    """Write the four parts of a new assignment under root (never over an existing file); returns the paths written."""
    check_id(assignment_id, root)
    root = Path(root)
    assignment = course.Assignment(assignment_id, root)
    topic = assignment.topic
    title = title or topic.replace("_", " ").capitalize()
    targets = {
        "reference.py.tmpl": root / "reference" / f"{topic}.py",
        "checks.py.tmpl": assignment.checks,
        "variants.py.tmpl": root / "autograder" / "variants" / f"{topic}.py",
    }
    existing = [p for p in [*targets.values(), assignment.source] if p.exists()]
    if existing:
        raise ScaffoldError(f"{assignment_id} would overwrite {', '.join(str(p.relative_to(root)) for p in existing)}")
    for template, target in targets.items():
        text = (TEMPLATES / template).read_text()
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text.replace("__ID__", assignment_id).replace("__TITLE__", title))
    authoring.save(assignment_id, _notebook(assignment_id, title), root=str(root))
    importlib.invalidate_caches()  # the new reference module must be importable at once
    written = [*targets.values(), assignment.source]
    if release:
        from autograder.settings import load_config

        notebooks.release([assignment_id], config=load_config(root))  # syncs the solution cell from reference/ first
        written.append(assignment.release)
    return written


def run(args):
    """The `new` command."""
    written = create(args.assignment, args.title)
    for path in written:
        print(f"wrote {path.relative_to(ROOT)}")
    print(f"next: python -m autograder validate {args.assignment}")
    return 0
