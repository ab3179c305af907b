"""Authoring: `new` scaffolds an assignment that validates, and every authoring mistake gets a message that says what to fix.

Everything is written in temporary copies of the course, never in this tree.
"""

import csv
import math
import shutil
import subprocess
import sys

import pytest

from autograder import calibrate, course, notebooks, scaffold, validate, variants
from autograder.settings import ROOT

ASSIGNMENT = "02_linear_regression"
TOPIC = "linear_regression"
PARTS = [
    f"source/{ASSIGNMENT}/{ASSIGNMENT}.ipynb",
    f"release/{ASSIGNMENT}/{ASSIGNMENT}.ipynb",
    f"reference/{TOPIC}.py",
    f"autograder/checks/test_{TOPIC}.py",
    f"autograder/variants/{TOPIC}.py",
]
IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc")


def kit_copy(target):
    """A runnable copy of the kit (code, references, configuration) with an empty source/: `python -m autograder` there uses it."""
    for name in ("autograder", "reference"):
        shutil.copytree(ROOT / name, target / name, ignore=IGNORE)
    for name in ("course_config.py", "pyproject.toml"):
        shutil.copy(ROOT / name, target / name)
    (target / "source").mkdir()
    return target


def cli(root, *args):
    return subprocess.run([sys.executable, "-m", "autograder", *map(str, args)], cwd=root, capture_output=True, text=True)


@pytest.fixture
def one_assignment(tmp_path):
    """A course root holding only the parts of 02_linear_regression, copied."""
    for part in PARTS:
        (tmp_path / part).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / part, tmp_path / part)
    assignment = course.Assignment(ASSIGNMENT, tmp_path)
    assert validate.static_problems(assignment) == []
    return assignment


def edit(path, old, new):
    text = path.read_text()
    assert text.count(old) >= 1, old
    path.write_text(text.replace(old, new, 1))


# --- the rules hold for every real assignment, and each mistake has its message -----------------


@pytest.mark.parametrize("assignment", course.assignments(), ids=lambda a: a.id)
def test_every_assignment_follows_the_static_authoring_rules(assignment):
    assert validate.static_problems(assignment) == []


@pytest.mark.parametrize(
    ("mistake", "message"),
    [
        ("no-variants", "02_linear_regression has no variants module: create autograder/variants/linear_regression.py"),
        ("no-checks", "02_linear_regression has no hidden checks: create autograder/checks/test_linear_regression.py"),
        (
            "unknown-loses",
            "bug 'not-shuffled' loses test_data_iter_shuffle, which is not a check in test_linear_regression.py",
        ),
        ("loses-a-string", "bug 'not-shuffled': `loses` must be a non-empty tuple of check names"),
        ("no-points", "check test_data_iter_covers_every_example_once has no points: decorate it with @points(n)"),
        ("edit-matches-nothing", "bug 'no-bias': bug edit 'torch.mm(X, w) + c' matches 0 times in cell 'linreg'"),
        ("not-a-solution-cell", "BUGS['no-bias'] edits cell 'linreg_', which is no solution cell of the notebook"),
    ],
)
def test_each_authoring_mistake_has_its_message(one_assignment, mistake, message):
    root = one_assignment.root
    checks, catalogue = one_assignment.checks, root / "autograder" / "variants" / f"{TOPIC}.py"
    if mistake == "no-variants":
        catalogue.unlink()
    elif mistake == "no-checks":
        checks.unlink()
    elif mistake == "unknown-loses":
        edit(catalogue, '("test_data_iter_shuffles",)', '("test_data_iter_shuffle",)')
    elif mistake == "loses-a-string":
        edit(catalogue, '("test_data_iter_shuffles",)', '("test_data_iter_shuffles")')
    elif mistake == "no-points":
        edit(
            checks, "@points(2)\ndef test_data_iter_covers_every_example_once", "def test_data_iter_covers_every_example_once"
        )
    elif mistake == "edit-matches-nothing":
        edit(catalogue, 'old="torch.mm(X, w) + b"', 'old="torch.mm(X, w) + c"')
    elif mistake == "not-a-solution-cell":
        edit(
            catalogue, 'cell="linreg",\n        old="torch.mm(X, w) + b"', 'cell="linreg_",\n        old="torch.mm(X, w) + b"'
        )
    problems = validate.static_problems(one_assignment)
    assert any(message in p for p in problems), problems


def test_missing_parts_of_an_unknown_topic_name_the_file_to_create():
    ghost = course.Assignment("99_ghost")
    with pytest.raises(course.MissingPart, match=r"99_ghost has no variants module: create autograder/variants/ghost\.py"):
        ghost.variants()
    with pytest.raises(course.MissingPart, match=r"create reference/ghost\.py"):
        ghost.reference()
    with pytest.raises(course.MissingPart, match=r"create autograder/checks/test_ghost\.py"):
        ghost.require_checks()


def test_a_missing_variants_module_fails_its_own_grading_cases_but_not_collection(monkeypatch):
    sys.path.insert(0, str(ROOT / "tests"))
    try:
        import test_grading
    finally:
        sys.path.remove(str(ROOT / "tests"))
    monkeypatch.setattr(
        course, "assignments", lambda root=ROOT: [course.Assignment(ASSIGNMENT), course.Assignment("99_ghost")]
    )
    ids = [case.id for case in test_grading.cases("BUGS")]
    assert "99_ghost-variants-module" in ids and f"{ASSIGNMENT}-no-bias" in ids


def test_grade_without_a_check_module_is_a_usage_error_that_says_what_to_create(tmp_path):
    root = kit_copy(tmp_path / "course")
    shutil.copytree(ROOT / "source" / ASSIGNMENT, root / "source" / ASSIGNMENT)
    (root / "autograder" / "checks" / f"test_{TOPIC}.py").unlink()
    done = cli(root, "grade", ROOT / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", "-a", ASSIGNMENT, "--jobs", "1")
    assert done.returncode == 2, done.stderr
    assert "has no hidden checks: create autograder/checks/test_linear_regression.py" in done.stderr
    assert "Traceback" not in done.stderr


# --- new --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("assignment_id", "message"),
    [
        ("attention", "must be NN_topic"),
        ("11_Attention", "must be NN_topic"),
        ("1_attention", "must be NN_topic"),
        ("11_linear-regression", "must be NN_topic"),
        ("11_linear_regression", "topic 'linear_regression' is already used by 02_linear_regression"),
    ],
)
def test_new_refuses_bad_ids(assignment_id, message):
    with pytest.raises(scaffold.ScaffoldError, match=message):
        scaffold.check_id(assignment_id)


def test_new_writes_four_parts_and_never_overwrites(tmp_path):
    (tmp_path / "source").mkdir()
    written = scaffold.create("11_attention", "Attention", root=tmp_path, release=False)
    assert [p.relative_to(tmp_path).as_posix() for p in written] == [
        "reference/attention.py",
        "autograder/checks/test_attention.py",
        "autograder/variants/attention.py",
        "source/11_attention/11_attention.ipynb",
    ]
    assignment = course.Assignment("11_attention", tmp_path)
    assert "11_attention" in assignment.variants().__doc__ and set(assignment.variants().BUGS) == {
        "absolute-value",
        "library-relu",
    }
    assert validate.check_functions(assignment) == {
        "test_relu_values": 2,
        "test_relu_gradient": 1,
        "test_relu_from_scratch": 1,
    }
    assert notebooks.sync(assignment, write_back=False) == ["relu"]  # filled from reference/ at release
    with pytest.raises(scaffold.ScaffoldError, match="would overwrite reference/attention.py"):
        scaffold.create("11_attention", root=tmp_path, release=False)


def test_new_with_a_bad_id_exits_2_and_writes_nothing():
    done = cli(ROOT, "new", "attention")
    assert done.returncode == 2 and "must be NN_topic" in done.stderr
    assert not (ROOT / "reference" / "attention.py").exists()


@pytest.mark.slow
def test_a_new_assignment_validates_grades_a_class_and_a_blank_passing_check_is_named(tmp_path):
    root = kit_copy(tmp_path / "course")
    new = cli(root, "new", "11_activations", "--title", "Activation functions")
    assert new.returncode == 0, new.stderr
    checked = cli(root, "validate", "11_activations", "--jobs", "2")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "11_activations: valid" in checked.stdout and "FAIL" not in checked.stdout

    assignment = course.Assignment("11_activations", root)
    students = tmp_path / "class"
    notebooks.write(notebooks.solve(assignment), students / "ada.ipynb")
    notebooks.write(notebooks.read(assignment.release), students / "bob.ipynb")
    notebooks.write(variants.with_bug(assignment, assignment.variants().BUGS["library-relu"]), students / "cy.ipynb")
    graded = cli(root, "grade", students, "-a", "11_activations", "--out", tmp_path / "out", "--jobs", "1")
    assert graded.returncode == 0, graded.stderr
    rows = {r["student"]: r for r in csv.DictReader((tmp_path / "out" / "grades.csv").open())}
    assert [float(rows[s]["total"]) for s in ("ada", "bob", "cy")] == [4.0, 0.0, 3.0], rows

    # the mistake of the issue: a source check that does not call the student's function first passes on the blank
    edit(
        root / "autograder" / "checks" / "test_activations.py",
        "    student.relu(_input(rng))  # call first",
        "    # call first",
    )
    broken = cli(root, "validate", "11_activations", "--jobs", "2")
    assert broken.returncode == 1
    assert "the blank release scores 1: test_relu_from_scratch pass(es) on it" in broken.stdout
    assert validate.BLANK_RULE in broken.stdout


# --- calibrate --------------------------------------------------------------------------------------


def test_probes_compare_as_their_value_and_record_what_they_were_compared_with():
    calibrate._MEASURED.clear()
    accuracy, error = calibrate.Probe(0.8, "a.accuracy"), calibrate.Probe(0.01, "a.error")
    assert 0.9 >= accuracy and not 0.7 >= accuracy
    assert 0.001 < error and not 0.02 < error
    assert 2.0 <= error * 400  # a ratio: after <= ratio * before records after / before
    assert f"{accuracy:.2f}" == "0.80"
    assert calibrate._MEASURED == [
        ("a.accuracy", 0.9, "at least"),
        ("a.accuracy", 0.7, "at least"),
        ("a.error", 0.001, "at most"),
        ("a.error", 0.02, "at most"),
        ("a.error", 2.0 / 400, "at most"),
    ]


def test_suggested_thresholds_leave_a_margin_beyond_the_reference():
    low = calibrate.Calibration("x.accuracy", "at least", [0.90, 0.92, 0.94, 0.85], 0.95)
    assert low.suggested < min(low.values) and math.isclose(low.suggested, 0.74) and low.failures() == 4
    high = calibrate.Calibration("x.error", "at most", [0.002, 0.003, 0.0025], None)
    assert high.suggested > max(high.values) and high.failures() is None
    assert "suggested 0.74" in calibrate.report([low]) and "fails the reference on 4 of 4 seeds" in calibrate.report([low])


@pytest.mark.slow
def test_calibrate_measures_the_reference_over_seeds():
    found, problems = calibrate.calibrate(course.get(ASSIGNMENT), seeds=3, jobs=1)
    assert problems == []
    (weight,) = found
    assert weight.key == f"{ASSIGNMENT}.weight_error" and weight.bound == "at most" and len(weight.values) == 3
    assert len(set(weight.values)) == 3 and max(weight.values) < weight.current < weight.suggested * 10
    assert weight.failures() == 0
