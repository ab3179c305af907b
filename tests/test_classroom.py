"""Grading a class: finding submissions, CI slices, resuming after a kill, merging, nbgrader's gradebook.

The slow tests grade one tiny class (an unreadable file, the reference, a bug)
once per module, killing the first run midway and resuming it; the other tests
read what it wrote.
"""

import csv
import dataclasses
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest
import yaml

from autograder import classroom, course, notebooks, results, variants
from autograder.cli import parser
from autograder.settings import ROOT

ASSIGNMENT = "03_softmax_regression"


def cli(*args, **kwargs):
    return subprocess.run(
        [sys.executable, "-m", "autograder", *map(str, args)], cwd=ROOT, capture_output=True, text=True, **kwargs
    )


def touch(path, text="{}"):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


# --- finding submissions ------------------------------------------------------------


def test_discover_reads_nbgrader_trees_course_roots_flat_folders_and_files(tmp_path):
    tree = tmp_path / "course" / "submitted"
    touch(tree / "bob" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    touch(tree / "bob" / ASSIGNMENT / "scratch.ipynb")  # the assignment's own notebook wins
    touch(tree / "amy" / ASSIGNMENT / "renamed.ipynb")  # the only notebook
    touch(tree / "cy" / ASSIGNMENT / "a.ipynb")
    touch(tree / "cy" / ASSIGNMENT / "b.ipynb")  # ambiguous: skipped with a note
    touch(tree / "dee" / "01_other" / "01_other.ipynb")  # another assignment only
    expected = [("amy", "renamed.ipynb"), ("bob", f"{ASSIGNMENT}.ipynb")]
    for where in (tmp_path / "course", tree):
        notes = []
        found = classroom.discover([where], ASSIGNMENT, notes)
        assert [(s.student, s.path.name) for s in found] == expected
        assert len(notes) == 1 and "cy" in notes[0]

    assert [(s.student, s.path.name) for s in classroom.discover([tree / "bob"], ASSIGNMENT)] == [expected[1]]
    assert [s.student for s in classroom.discover([tree / "amy" / ASSIGNMENT], ASSIGNMENT)] == ["amy"]

    flat = tmp_path / "flat"
    for name in ("zoe", "yan"):
        touch(flat / f"{name}.ipynb")
    touch(flat / ".ipynb_checkpoints" / "zoe-checkpoint.ipynb")
    touch(flat / "notes.txt")
    loose = touch(tmp_path / "xi.ipynb")
    found = classroom.discover([flat, loose, tmp_path / "missing.ipynb"], ASSIGNMENT)
    assert [s.student for s in found] == ["missing", "xi", "yan", "zoe"]


def test_two_submissions_of_one_student_are_a_usage_error(tmp_path):
    one, two = touch(tmp_path / "a" / "sam.ipynb"), touch(tmp_path / "b" / "sam.ipynb")
    with pytest.raises(classroom.UsageError, match="sam"):
        classroom.discover([one, two], ASSIGNMENT)
    done = cli("grade", one, two, "-a", ASSIGNMENT)
    assert done.returncode == 2 and "several submissions" in done.stderr


@pytest.mark.parametrize("path", ["submitted/bob/03_x/03_x.ipynb", "bob.ipynb", "class/bob.ipynb"])
def test_submission_name(path):
    assert classroom.submission_name(path) == "bob"


# --- CI slices ---------------------------------------------------------------------


def test_shards_cover_the_class_once_in_balanced_slices_whatever_the_input_order():
    subs = [classroom.Submission(f"student{i:02d}", Path(f"s{i}.ipynb")) for i in range(23)]
    slices = [classroom.shard(subs, k, 4) for k in range(1, 5)]
    assert sorted(s for part in slices for s in part) == sorted(subs)
    assert max(map(len, slices)) - min(map(len, slices)) <= 1
    assert [classroom.shard(list(reversed(subs)), k, 4) for k in range(1, 5)] == slices
    assert classroom.shard(subs, 1, 1) == sorted(subs)


@pytest.mark.parametrize("text", ["0/2", "3/2", "1", "a/b", "", "1/0"])
def test_bad_shard_specs_are_usage_errors(text):
    with pytest.raises(classroom.UsageError):
        classroom.parse_shard(text)


# --- fingerprints and resuming -------------------------------------------------------


@pytest.fixture(scope="module")
def kit_copy(tmp_path_factory):
    """The files that grade 03 (and one other assignment's checks), copied to a scratch course root."""
    root = tmp_path_factory.mktemp("kit")
    for folder in ("autograder", "reference"):
        shutil.copytree(ROOT / folder, root / folder, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "source" / ASSIGNMENT, root / "source" / ASSIGNMENT)
    shutil.copy(ROOT / "course_config.py", root / "course_config.py")
    return root


def test_the_fingerprint_covers_checks_reference_kit_source_and_settings(kit_copy, monkeypatch):
    assignment = course.Assignment(ASSIGNMENT, kit_copy)
    names = {str(p.relative_to(kit_copy)) for p in classroom.grading_files(assignment)}
    assert {
        "autograder/checks/test_softmax_regression.py",
        "reference/softmax_regression.py",
        "reference/__init__.py",
        "autograder/grade.py",
        "autograder/student.py",
        "autograder/client.py",
        "autograder/launch.py",
        "autograder/plugin.py",
        "autograder/expect.py",
        "autograder/worker/loop.py",
        "autograder/checks/pytest.ini",
        f"source/{ASSIGNMENT}/{ASSIGNMENT}.ipynb",
    } <= names
    assert not any(n.startswith("autograder/variants") or n in ("autograder/cli.py", "autograder/reports.py") for n in names)
    base = classroom.fingerprint(assignment, "cpu")
    assert classroom.fingerprint(assignment, "cpu") == base
    assert classroom.fingerprint(assignment, "cuda") != base

    def changed(path, text="\n# changed\n"):
        original = path.read_text()
        path.write_text(original + text)
        try:
            return classroom.fingerprint(assignment, "cpu") != base
        finally:
            path.write_text(original)

    assert changed(assignment.checks)
    assert changed(kit_copy / "reference" / "softmax_regression.py")
    assert changed(kit_copy / "autograder" / "worker" / "harness.py")
    assert changed(kit_copy / "course_config.py", '\nc.Grading.thresholds = {"03_softmax_regression.digits_accuracy": 0.5}\n')
    assert not changed(kit_copy / "autograder" / "reports.py")
    assert not changed(kit_copy / "autograder" / "variants" / "softmax_regression.py")
    monkeypatch.setenv("COURSE_KIT_SECRET", "another course")
    assert classroom.fingerprint(assignment, "cpu") != base


def test_a_stored_result_is_kept_only_for_the_same_bytes_and_fingerprint(tmp_path):
    sub = classroom.Submission("amy", touch(tmp_path / "amy.ipynb", "one"))
    out = tmp_path / "out"
    sha = classroom.submission_sha256(sub.path)
    stored = results.Result.of([]).stamped(assignment=ASSIGNMENT, submission_sha256=sha, fingerprint="f")
    results.write(classroom.result_path(out, "amy"), stored)
    assert classroom.kept_result(out, sub, ASSIGNMENT, "f") == stored
    assert classroom.kept_result(out, sub, ASSIGNMENT, None, sha256=sha) == stored
    assert classroom.kept_result(out, sub, ASSIGNMENT, "g") is None
    assert classroom.kept_result(out, sub, "01_preliminaries", "f") is None
    sub.path.write_text("two")
    assert classroom.kept_result(out, sub, ASSIGNMENT, "f") is None
    classroom.result_path(out, "amy").write_text('{"score": 1, "tes')  # torn by hand: never kept
    assert classroom.kept_result(out, sub, ASSIGNMENT, "f") is None


def test_settings_and_device_are_resolved_once_and_require_sandbox_travels_in_them(tmp_path, monkeypatch):
    import torch

    from autograder import grade

    seen = []

    def grade_jobs(jobs, device, workers, root, settings):
        seen.append((list(jobs), device, settings))
        return iter(())

    monkeypatch.setattr(grade, "grade_jobs", grade_jobs)
    monkeypatch.delenv("COURSE_KIT_REQUIRE_SANDBOX", raising=False)
    sub = classroom.Submission(student="amy", path=touch(tmp_path / "amy.ipynb"))
    classroom.grade_class([sub], ASSIGNMENT, device="cpu", jobs=1, require_sandbox=True)
    ((jobs, device, settings),) = seen
    assert jobs == [(str(sub.path), ASSIGNMENT)] and device == torch.device("cpu")
    assert settings.require_sandbox and "COURSE_KIT_REQUIRE_SANDBOX" not in os.environ
    classroom.grade_class([sub], ASSIGNMENT, device="cpu", jobs=1)
    assert not seen[-1][2].require_sandbox


def test_partial_files_are_cleaned_and_one_run_holds_the_output_folder(tmp_path):
    touch(tmp_path / "results" / "amy.json")
    touch(tmp_path / "results" / ".amy.json.k2j_x9ab")
    touch(tmp_path / ".grades.csv.abcdefgh")
    assert classroom.clean_partial(tmp_path) == 2
    assert sorted(p.name for p in (tmp_path / "results").iterdir()) == ["amy.json"]
    with classroom.OutputLock(tmp_path):
        with pytest.raises(classroom.UsageError, match="another grading run"):
            with classroom.OutputLock(tmp_path):
                pass
    with classroom.OutputLock(tmp_path):
        pass


def test_merging_conflicting_results_is_a_usage_error(tmp_path):
    one = dataclasses.replace(results.Result.of([]), score=1).stamped(student="amy", submission_sha256="1")
    two = dataclasses.replace(one, score=2).stamped(submission_sha256="2")
    results.write(tmp_path / "a" / "results" / "amy.json", one)
    results.write(tmp_path / "b" / "results" / "amy.json", two)
    assert classroom.stored_results([tmp_path / "a"]) == {"amy": one}
    with pytest.raises(classroom.UsageError, match="amy"):
        classroom.stored_results([tmp_path / "a", tmp_path / "b"])


# --- the CI workflow template ---------------------------------------------------------


def test_the_workflow_is_manual_only_and_calls_real_commands():
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "grade-class.yml").read_text())
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as True
    assert set(triggers) == {"workflow_dispatch"}
    grade, merge = workflow["jobs"]["grade"], workflow["jobs"]["merge"]
    assert merge["needs"] == "grade"
    shards = grade["strategy"]["matrix"]["shard"]
    commands = [
        step["run"] for job in (grade, merge) for step in job["steps"] if "python -m autograder" in step.get("run", "")
    ]
    assert len(commands) == 2
    values = {"matrix.shard": "1", "env.SHARDS": str(len(shards)), "inputs.assignment": ASSIGNMENT}
    for command in commands:
        command = re.sub(r"\$\{\{\s*([\w.]+)\s*\}\}", lambda m: values.get(m[1], "somewhere"), command)
        words = shlex.split(command)
        args = parser().parse_args(words[words.index("autograder") + 1 :])
        if args.command == "grade":
            assert classroom.parse_shard(args.shard) == (1, len(shards)) and args.out
    assert workflow["env"]["SHARDS"] == len(shards)


# --- a tiny class, graded once ------------------------------------------------------------


def _write_class(folder):
    """ann: not a notebook; bob: the reference; cy: a bug. nbgrader's submitted/ layout."""
    assignment = course.get(ASSIGNMENT)
    bug = next(iter(assignment.variants().BUGS.values()))
    where = {s: folder / "submitted" / s / ASSIGNMENT / f"{ASSIGNMENT}.ipynb" for s in ("ann", "bob", "cy")}
    touch(where["ann"], "\x00 not json")
    notebooks.write(notebooks.solve(assignment), where["bob"])
    notebooks.write(variants.with_bug(assignment, bug), where["cy"])
    return where


def _results_dir(out):
    return sorted(p.name for p in (Path(out) / "results").iterdir())


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """The class graded into out/, the first run killed after its first result and then resumed."""
    folder = tmp_path_factory.mktemp("tiny-class")
    where = _write_class(folder)
    out = folder / "out"
    command = [
        sys.executable,
        "-m",
        "autograder",
        "grade",
        folder / "submitted",
        "-a",
        ASSIGNMENT,
        "--out",
        out,
        "--jobs",
        "1",
    ]
    first = subprocess.Popen(list(map(str, command)), cwd=ROOT, start_new_session=True, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline and first.poll() is None:
        if (out / "results").is_dir() and any(p.suffix == ".json" for p in (out / "results").iterdir()):
            break
        time.sleep(0.2)
    os.killpg(first.pid, signal.SIGKILL)
    first.wait()
    killed = {p.name: json.loads(p.read_text()) for p in (out / "results").glob("*.json")}
    second = cli("grade", folder / "submitted", "-a", ASSIGNMENT, "--out", out, "--jobs", "2")
    assert second.returncode == 0, second.stderr
    return {"folder": folder, "where": where, "out": out, "killed": killed, "second": second}


@pytest.mark.slow
def test_a_killed_run_resumes_to_exactly_one_complete_result_per_submission(graded):
    out = graded["out"]
    assert 1 <= len(graded["killed"]) < 3, "the first run should have been killed midway"
    assert f"kept {len(graded['killed'])}" in graded["second"].stderr
    assert _results_dir(out) == ["ann.json", "bob.json", "cy.json"]
    assert not [p for p in out.rglob(".*") if p.name != classroom.LOCK]
    for student, path in graded["where"].items():
        result = results.read(out / "results" / f"{student}.json")
        jsonschema.validate(result.to_json(), results.SCHEMA)
        mark = result.provenance
        assert mark.student == student and mark.assignment == ASSIGNMENT
        assert mark.submission_sha256 == classroom.submission_sha256(path)
    for name, result in graded["killed"].items():
        assert json.loads((out / "results" / name).read_text()) == result, "a kept result is not graded again"


@pytest.mark.slow
def test_a_rerun_keeps_every_result_and_force_or_a_new_file_regrades(graded, tmp_path):
    out = graded["out"]
    before = {p.name: p.read_bytes() for p in (out / "results").iterdir()}
    again = cli("grade", graded["folder"] / "submitted", "-a", ASSIGNMENT, "--out", out)
    assert again.returncode == 0 and "graded 0, kept 3" in again.stderr
    assert {p.name: p.read_bytes() for p in (out / "results").iterdir()} == before
    copy = tmp_path / "copy"
    shutil.copytree(graded["folder"] / "submitted", copy / "submitted")
    shutil.copytree(out, copy / "out")
    (copy / "submitted" / "ann" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").write_text("still not json")  # a new upload
    changed = cli("grade", copy / "submitted", "-a", ASSIGNMENT, "--out", copy / "out")
    assert "graded 1, kept 2" in changed.stderr
    ann = copy / "submitted" / "ann" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    forced = cli("grade", ann, "-a", ASSIGNMENT, "--out", copy / "out", "--force")
    assert forced.returncode == 0 and "graded 1, kept 0" in forced.stderr


@pytest.mark.slow
def test_class_outputs_read_back(graded):
    out = graded["out"]
    with open(out / "grades.csv", newline="") as handle:
        rows = {row["student"]: row for row in csv.DictReader(handle)}
    assert list(rows) == ["ann", "bob", "cy"]
    bob = results.read(out / "results" / "bob.json")
    assert float(rows["bob"]["total"]) == bob.score == bob.max_score
    assert float(rows["ann"]["total"]) == 0 and 0 < float(rows["cy"]["total"]) < bob.max_score
    assert set(rows["bob"]) == {"student", "total", *results.per_exercise(bob)}
    suites = {s.get("name"): s for s in ET.parse(out / "junit.xml").getroot()}
    assert suites["bob"].get("failures") == "0" and int(suites["cy"].get("failures")) > 0
    assert sorted(p.name for p in (out / "feedback").iterdir()) == ["ann.md", "bob.md", "cy.md"]
    assert "could not be read" in (out / "feedback" / "ann.md").read_text()
    assert json.loads((out / "report" / "summary.json").read_text())["students"] == 3


def _comparable(folder):
    """Every output, with the timings (which differ between runs) and the grader's fingerprint taken out."""
    found = {}
    for path in sorted(Path(folder).rglob("*")):
        name = str(path.relative_to(folder))
        if not path.is_file() or name.startswith(".") or path.suffix == ".png":
            continue
        if path.suffix == ".json" and name.startswith("results"):
            data = json.loads(path.read_text())
            data.pop("execution_time")
            data["extra_data"].pop("fingerprint")  # the grader's version: other work on the kit may change it meanwhile
            for test in data["tests"]:
                test["extra_data"].pop("seconds")
            found[name] = data
        elif path.suffix == ".xml":
            root = ET.parse(path).getroot()
            for element in root.iter():
                element.attrib.pop("time", None)
            found[name] = ET.tostring(root)
        else:
            found[name] = path.read_bytes()
    return found


@pytest.mark.slow
def test_sharded_then_merged_outputs_equal_the_unsharded_ones(graded, tmp_path):
    shards = []
    for k in (1, 2):
        shard_out = tmp_path / f"shard-{k}"
        done = cli("grade", graded["folder"] / "submitted", "-a", ASSIGNMENT, "--shard", f"{k}/2", "--out", shard_out)
        assert done.returncode == 0, done.stderr
        shards.append(shard_out)
    sizes = sorted(len(_results_dir(s)) for s in shards)
    assert sizes == [1, 2]
    merged = cli("merge", *shards, "--out", tmp_path / "merged")
    assert merged.returncode == 0, merged.stderr
    merged, unsharded = _comparable(tmp_path / "merged"), _comparable(graded["out"])
    assert sorted(merged) == sorted(unsharded)
    assert [name for name in merged if merged[name] != unsharded[name]] == []
    assert sorted(p.name for p in (tmp_path / "merged" / "report").glob("*.png")) == sorted(
        p.name for p in (graded["out"] / "report").glob("*.png")
    )


@pytest.mark.slow
def test_scores_go_into_nbgraders_gradebook_and_release_still_works(graded, tmp_path):
    from nbgrader.api import Gradebook
    from nbgrader.converters import GenerateAssignment
    from nbgrader.coursedir import CourseDirectory

    from autograder import gradebook
    from autograder.settings import load_config

    config = load_config()
    config.CourseDirectory.root = str(tmp_path)
    config.CourseDirectory.db_url = f"sqlite:///{tmp_path / 'gradebook.db'}"
    shutil.copytree(ROOT / "source" / ASSIGNMENT, tmp_path / "source" / ASSIGNMENT)

    def release():
        coursedir = CourseDirectory(config=config)
        coursedir.assignment_id = ASSIGNMENT
        coursedir.notebook_id = ASSIGNMENT  # the kit's one notebook: nbgrader then leaves the hidden-check notebook alone
        generate = GenerateAssignment(coursedir=coursedir, config=config)
        generate.force = True
        generate.start()

    notebooks._put_interpreter_bin_on_path()
    release()
    done = cli("merge", graded["out"], "--out", tmp_path / "merged", "--gradebook", config.CourseDirectory.db_url)
    assert done.returncode == 0, done.stderr
    named = classroom.stored_results([graded["out"]])
    read = gradebook.read_scores(ASSIGNMENT, config.CourseDirectory.db_url, config.CourseDirectory.course_id)
    assert read == {s: {e: score for e, (score, _) in results.per_exercise(r).items()} for s, r in named.items()}
    with Gradebook(config.CourseDirectory.db_url, config.CourseDirectory.course_id) as gb:
        notebook = gb.find_notebook(gradebook.NOTEBOOK, ASSIGNMENT)
        assert sum(cell.max_score for cell in notebook.grade_cells) == named["bob"].max_score
        bob = gb.find_submission_notebook(gradebook.NOTEBOOK, ASSIGNMENT, "bob")
        assert bob.score == named["bob"].score and bob.needs_manual_grade is False
        assert gb.find_notebook(ASSIGNMENT, ASSIGNMENT).grade_cells, "the released notebook's own record is untouched"
    gradebook.export(named, ASSIGNMENT, config.CourseDirectory.db_url, config.CourseDirectory.course_id)  # again: updates
    release()  # nbgrader still regenerates the (unchanged) assignment once grades exist
