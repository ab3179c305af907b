"""Public checks prove themselves: reference full marks, blank zero with messages, a bug caught per exercise, nothing hidden shipped.

Most tests run the released public checks in this process on a namespace made
by executing the cells the grader would run (as check() does in a kernel);
the slow ones run them in a real Jupyter kernel and through the CLI's worker.
"""

import ast
import json
import linecache
import re
import subprocess
import sys

import nbformat
import pytest

from autograder import course, kitcheck, notebooks, public, submission, variants
from autograder.settings import ROOT

CONVERTED = [a for a in course.assignments() if (a.source.parent / "public_checks.py").is_file()]
IDS = [a.id for a in CONVERTED]


@pytest.fixture(autouse=True)
def _scratch_folder(tmp_path, monkeypatch):
    """Student code (a bug variant that saves to a fixed name) writes into a scratch folder, not the repository."""
    monkeypatch.chdir(tmp_path)


def namespace(notebook, assignment):
    """The globals a kernel would hold after running the cells the grader runs (errors skipped, as the worker does)."""
    plan = submission.plan(nbformat.writes(notebook).encode(), assignment, 2**30)
    names = {"__name__": "__main__"}
    for name, source in plan.cells:
        text = "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines())
        filename = f"<cell {name}>"
        linecache.cache[filename] = (len(text), None, text.splitlines(True), filename)  # as IPython: TorchScript reads it
        try:
            exec(compile(text, filename, "exec"), names)
        except Exception:  # noqa: BLE001, S110 - a broken cell is the student's; the checks report it
            pass
    return names


def run_public(notebook, assignment, seed=0, exercise=None):
    module = public._import(assignment.release.parent / "public_checks.py")
    return kitcheck.run(namespace(notebook, assignment), exercise, module=module, seed=seed).as_dict()


def failed_exercises(summary):
    return {r["exercise"] for r in summary["exercises"] if r["score"] < r["max_score"]}


@pytest.mark.parametrize("assignment", CONVERTED, ids=IDS)
def test_reference_passes_every_public_check(assignment):
    for seed in (0, 1):
        summary = run_public(notebooks.solve(assignment), assignment, seed)
        assert summary["score"] == summary["max_score"] > 0, [r for r in summary["exercises"] if r["messages"]]


@pytest.mark.parametrize("assignment", CONVERTED, ids=IDS)
def test_blank_release_fails_every_exercise_with_a_message(assignment):
    summary = run_public(notebooks.read(assignment.release), assignment)
    assert summary["score"] == 0
    for row in summary["exercises"]:
        assert row["messages"] and all(m.strip() for m in row["messages"]), row
        assert not any("Traceback" in m for m in row["messages"]), row


@pytest.mark.parametrize("assignment", CONVERTED, ids=IDS)
def test_every_solution_cell_has_public_checks_and_a_check_cell(assignment):
    points = public.load_source_points(assignment)
    release = notebooks.read(assignment.release)
    solutions = [notebooks.grade_id(c) for c in release.cells if notebooks.is_solution(c)]
    assert set(solutions) <= set(points), f"exercises without public checks: {set(solutions) - set(points)}"
    checked = [m.group(1) for c in release.cells for m in re.finditer(r'^check\("([^"]+)"\)$', c.source, re.M)]
    assert set(checked) == set(points)
    assert release.cells[-1].source == "check()"


@pytest.mark.parametrize("assignment", CONVERTED, ids=IDS)
def test_check_cells_never_run_at_grading_time(assignment):
    """check() cells are public test cells: the grader's plan leaves them out, so it needs no kitcheck."""
    plan = submission.plan(nbformat.writes(notebooks.solve(assignment)).encode(), assignment, 2**30)
    assert not any("check(" in source or "kitcheck" in source for _, source in plan.cells)


@pytest.mark.parametrize("assignment", CONVERTED, ids=IDS)
def test_a_bug_in_each_exercise_fails_its_public_checks_and_alternatives_pass(assignment):
    catalogue = assignment.variants()
    points = public.load_source_points(assignment)
    caught, tried = set(), set()
    for bug in catalogue.BUGS.values():
        if bug.cell not in points:
            continue
        tried.add(bug.cell)
        if bug.cell in caught:
            continue
        if failed_exercises(run_public(variants.with_bug(assignment, bug), assignment, exercise=bug.cell)):
            caught.add(bug.cell)
    assert tried and caught == tried, f"no bug caught by the public checks of {sorted(tried - caught)}"
    for name, alternative in catalogue.ALTERNATIVES.items():
        if alternative.cell in points:
            summary = run_public(variants.with_alternative(assignment, alternative), assignment, exercise=alternative.cell)
            assert not failed_exercises(summary), (name, summary)


# --- nothing hidden ships --------------------------------------------------------------------


def _code_lines(text, minimum=30):
    """Long code lines of a module (no comments, docstrings, signatures or imports)."""
    lines = set()
    for line in text.splitlines():
        line = line.strip()
        if len(line) >= minimum and not line.startswith(("#", '"', "'", "def ", "class ", "@", "import ", "from ")):
            lines.add(line)
    return lines


def _pairs(text):
    """Adjacent pairs of non-blank stripped lines: copied code shows as a pair, a coincidence as one line."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return set(zip(lines, lines[1:]))


def _hidden_pairs(assignment):
    code = _code_lines(assignment.checks.read_text())
    return {pair for pair in _pairs(assignment.checks.read_text()) if code & set(pair)}


def _solution_lines(assignment):
    """Lines of the source notebook's solution regions that appear nowhere outside them (given code, text, docstrings)."""
    inside, outside = set(), []
    for cell in notebooks.read(assignment.source).cells:
        hidden = False
        for line in cell.source.splitlines():
            if line.strip() in (notebooks.BEGIN, notebooks.END):
                hidden = line.strip() == notebooks.BEGIN
            elif hidden and len(line.strip()) >= 25:
                inside.add(line.strip())
            else:
                outside.append(line)
    public_text = "\n".join(outside)
    return {line for line in inside if line not in public_text}


@pytest.mark.parametrize("assignment", CONVERTED, ids=IDS)
def test_release_holds_no_hidden_material(assignment, settings):
    folder = assignment.release.parent
    files = {p.name: p.read_text() for p in folder.iterdir() if p.is_file()}
    assert set(files) == {f"{assignment.id}.ipynb", "public_checks.py", "kitcheck.py"}
    hidden = _hidden_pairs(assignment)
    solutions = _solution_lines(assignment)
    for name, text in files.items():
        assert settings.secret not in text, f"{name} holds the course secret"
        assert "BEGIN SOLUTION" not in text, name
        leaked = hidden & _pairs(text)
        assert not leaked, f"{name} holds hidden check source: {sorted(leaked)[:3]}"
        assert not re.search(r"\b(reference|autograder)\.", text), f"{name} names the kit's hidden modules"
        shown = [line for line in solutions if line in text]
        assert not shown, f"{name} holds reference solution code: {shown[:3]}"
    for name in ("public_checks.py", "kitcheck.py"):
        imported = set()
        for node in ast.walk(ast.parse(files[name])):
            if isinstance(node, ast.Import):
                imported |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom):
                imported.add((node.module or "").split(".")[0])
        allowed = {"torch", "torchvision", "numpy", "PIL", "kitcheck", "IPython", *sys.stdlib_module_names}
        assert imported <= allowed, (name, imported - allowed)


@pytest.mark.parametrize("assignment", CONVERTED, ids=IDS)
def test_scan_finds_planted_hidden_material(assignment):
    """The scan above can fail: two lines of a hidden check, or a line of a solution, are found."""
    text = (assignment.release.parent / "public_checks.py").read_text()
    pair = sorted(_hidden_pairs(assignment))[0]
    solution = sorted(_solution_lines(assignment))[0]
    assert _hidden_pairs(assignment) & _pairs(text + "\n" + "\n".join(pair))
    assert solution not in text and solution in text + solution


# --- the runtime -----------------------------------------------------------------------------


def test_runtime_reports_points_messages_and_the_hidden_grade_note():
    module = type(sys)("fake_public_checks")

    @kitcheck.public("double", points=2)
    def values(student, rng):
        kitcheck.close(student.double(kitcheck.tensor(__import__("torch").ones(2), "x")), [2.0, 2.0], "double(x) is not 2x")

    @kitcheck.public("missing")
    def missing(student, rng):
        student.nowhere(1)

    module.values, module.missing = values, missing
    report = kitcheck.run({"double": lambda x: 3 * x}, module=module, seed=3)
    summary = report.as_dict()
    assert summary == {
        "score": 0.0,
        "max_score": 3.0,
        "exercises": [
            {"exercise": "double", "score": 0.0, "max_score": 2.0, "messages": ["double(x) is not 2x"]},
            {"exercise": "missing", "score": 0.0, "max_score": 1.0, "messages": [summary["exercises"][1]["messages"][0]]},
        ],
    }
    assert "nowhere is not defined in your notebook" in summary["exercises"][1]["messages"][0]
    text, page = report.text(), report._repr_html_()
    assert "double" in text and "0 / 2" in text and "hidden checks on other inputs" in text
    assert "<table>" in page and "double(x) is not 2x" in page
    assert kitcheck.run({"double": lambda x: 2 * x}, "double", module=module).as_dict()["score"] == 2.0
    with pytest.raises(ValueError, match="the exercises are: double, missing"):
        kitcheck.run({}, "tripple", module=module)


def test_runtime_names_what_the_students_code_raised():
    module = type(sys)("fake_public_checks")

    @kitcheck.public("f")
    def calls(student, rng):
        student.f()

    module.calls = calls

    def f():
        raise NotImplementedError()

    assert kitcheck.run({"f": f}, module=module).as_dict()["exercises"][0]["messages"] == [
        "f is not implemented yet (it raises NotImplementedError)"
    ]

    def g():
        return {}["key"]

    (message,) = kitcheck.run({"f": g}, module=module).as_dict()["exercises"][0]["messages"]
    assert message.startswith("your code raised KeyError: 'key' (in g, line")


def test_data_is_looked_for_under_the_data_root_only(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert kitcheck.fashion_mnist_root() is None
    out = capsys.readouterr().out
    assert "data/FashionMNIST/raw was not found" in out and "Nothing is downloaded" in out
    (tmp_path / "data" / "FashionMNIST" / "raw").mkdir(parents=True)
    (tmp_path / "release" / "x").mkdir(parents=True)
    monkeypatch.chdir(tmp_path / "release" / "x")
    assert kitcheck.fashion_mnist_root() == str(tmp_path / "data")


def test_released_runtime_carries_the_configured_data_root(settings):
    text = public.runtime_source("/srv/course-data")
    assert "DATA_ROOT = '/srv/course-data'" in text
    assert text.replace("'/srv/course-data'", repr(settings.data_root), 1) == public.runtime_source(settings.data_root)


# --- in a real kernel, and from the command line ----------------------------------------------


def _solved_release(assignment, folder):
    """A copy of the release folder whose notebook has the reference filled in and no full-size demos."""
    for path in assignment.release.parent.iterdir():
        (folder / path.name).write_bytes(path.read_bytes())
    notebook = notebooks.solve(assignment)
    notebook.cells = [c for c in notebook.cells if not c.get("metadata", {}).get("kit", {}).get("demo")]
    return notebook


@pytest.mark.slow
@pytest.mark.parametrize("assignment", CONVERTED, ids=IDS)
def test_check_runs_in_a_real_jupyter_kernel(assignment, tmp_path):
    from nbclient import NotebookClient

    notebook = _solved_release(assignment, tmp_path)
    NotebookClient(notebook, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    cells = [c for c in notebook.cells if c.cell_type == "code" and c.source.startswith("check(")]
    for cell in cells:
        html = [o["data"]["text/html"] for o in cell.outputs if "text/html" in o.get("data", {})]
        assert html and "<table>" in html[0] and "FAILED" not in html[0], (cell.source, cell.outputs)
    final = cells[-1].outputs[0]["data"]["text/html"]
    total = public.load_source_points(assignment)
    assert f"<b>{sum(total.values()):g} / {sum(total.values()):g}</b>" in final
    assert "hidden checks on other inputs" in final


def cli(*args):
    return subprocess.run([sys.executable, "-m", "autograder", *map(str, args)], cwd=ROOT, capture_output=True, text=True)


@pytest.mark.slow
def test_check_command_prints_one_json_object_and_exits_zero(tmp_path):
    assignment = course.get("02_linear_regression")
    solved = tmp_path / "02_linear_regression.ipynb"
    notebooks.write(notebooks.solve(assignment), solved)
    done = cli("check", solved, "--json")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert set(result) == {"score", "max_score", "exercises"} and result["score"] == result["max_score"] > 0
    assert [r["exercise"] for r in result["exercises"]] == list(public.load_source_points(assignment))
    blank = cli("check", assignment.release, "-a", assignment.id, "--json")
    assert blank.returncode == 0, blank.stderr
    result = json.loads(blank.stdout)
    assert result["score"] == 0 and all(r["messages"] for r in result["exercises"])
    text = cli("check", assignment.release)
    assert text.returncode == 0 and "public points" in text.stdout and "not implemented yet" in text.stdout


def test_check_command_usage_errors(tmp_path, capsys):
    from autograder.cli import main

    assert main(["check", str(tmp_path / "missing.ipynb"), "-a", "02_linear_regression"]) == 2
    assert "cannot read" in capsys.readouterr().err
    assert main(["check", str(course.get("02_linear_regression").release), "-a", "99_nothing"]) == 2
    assert "unknown assignment" in capsys.readouterr().err
    junk = tmp_path / "junk.ipynb"
    junk.write_text("{}")
    assert main(["check", str(junk)]) == 2
    assert "-a ASSIGNMENT" in capsys.readouterr().err


def test_check_command_in_the_worker_bounds_and_reports(settings):
    """The worker's answer is validated: an unreadable notebook and a tampered summary are reported, not trusted."""
    assignment = course.get("02_linear_regression")
    summary = public.run(b"not a notebook", assignment, settings)
    assert summary["score"] == 0 and all("could not be read" in r["messages"][0] for r in summary["exercises"])
    assert public._accept({"exercises": [{"exercise": "sgd", "score": 99.0, "messages": []}]}, "sgd", 1)["score"] == 0
    good = public._accept({"exercises": [{"exercise": "sgd", "score": 1.0, "messages": []}]}, "sgd", 1)
    assert good == {"exercise": "sgd", "score": 1.0, "max_score": 1.0, "messages": []}
