"""Prove one assignment's checks: static authoring rules first, then its sample class graded in parallel.

    python -m autograder validate 02_linear_regression [--jobs N]

The rules, each with its own message (and `make test` judges with the same
functions, through tests/test_grading.py):

- every part exists: reference, source notebook, release, checks, variants;
- every check has points; every bug names checks that exist; every bug and
  alternative edits a solution cell of the notebook, a bug's edit matching once;
- the reference scores full marks, under the course secret and other secrets,
  the same record twice under one secret;
- the blank release scores 0 with a record per check, each saying why (a check
  that passes on the blank must call the student's function before any source check);
- every bug loses points in the checks it names; every alternative keeps full marks;
- the release is in sync with source/ and reference/; no feedback leaks check
  source, tensors or precise numbers.
"""

import ast
import concurrent.futures
import copy
import dataclasses
import multiprocessing
import os
import re
import tempfile
import time
from pathlib import Path

from autograder import course, notebooks

OTHER_SECRETS = ("spring-term", "autumn-term")
BLANK_RULE = (
    "a check must call the student's function before any source check, so that the blank release "
    "(which raises NotImplementedError) scores 0"
)


@dataclasses.dataclass
class Finding:
    """One row of the validation table: what was judged, and the problems found (none: it passed)."""

    what: str
    problems: list
    seconds: float = 0.0

    @property
    def ok(self):
        return not self.problems


# --- static rules (no grading) ---------------------------------------------------------


def check_functions(assignment):
    """{check name: points or None} for the module-level test functions of the checks module, read by AST."""
    tree = ast.parse(assignment.require_checks().read_text(), str(assignment.checks))
    found = {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith("test"):
            found[node.name] = None
            for decorator in node.decorator_list:
                call = decorator if isinstance(decorator, ast.Call) else None
                func = call.func if call else decorator
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
                if name == "points" and call and call.args and isinstance(call.args[0], ast.Constant):
                    found[node.name] = call.args[0].value
    return found


def solution_cells(assignment):
    """The grade_ids of the solution cells of the assignment's source notebook."""
    return {notebooks.grade_id(c) for c in notebooks.read(assignment.source).cells if notebooks.is_solution(c)}


def static_problems(assignment):
    """Authoring mistakes found without grading, each a message that says what to fix."""
    from autograder import variants

    problems = []
    for part in (assignment.source, assignment.release):
        if not part.is_file():
            problems.append(f"missing {part.relative_to(assignment.root)} (`python -m autograder release` writes the release)")
    try:
        assignment.reference()
    except course.MissingPart as exc:
        problems.append(str(exc))
    try:
        checks = check_functions(assignment)
    except course.MissingPart as exc:
        problems.append(str(exc))
        checks = None
    except SyntaxError as exc:
        problems.append(f"{assignment.checks.name} does not parse: {exc}")
        checks = None
    if checks is not None:
        if not checks:
            problems.append(f"{assignment.checks.name} defines no check (a function named test_...)")
        for name, points in checks.items():
            if not isinstance(points, (int, float)) or points <= 0:
                problems.append(f"check {name} has no points: decorate it with @points(n) (pytest.mark.points), n > 0")
    try:
        catalogue = assignment.variants()
    except course.MissingPart as exc:
        return problems + [str(exc)]
    cells = solution_cells(assignment) if assignment.source.is_file() else set()
    where = f"autograder/variants/{assignment.topic}.py"
    for kind, expected in (("BUGS", variants.Bug), ("ALTERNATIVES", variants.Alternative)):
        table = getattr(catalogue, kind, None)
        if not isinstance(table, dict):
            problems.append(f"{where} must define {kind} = {{name: {expected.__name__}(...)}}")
            continue
        for name, entry in table.items():
            if not isinstance(entry, expected):
                problems.append(f"{kind}[{name!r}] in {where} is not a {expected.__name__}")
                continue
            if cells and entry.cell not in cells:
                problems.append(
                    f"{kind}[{name!r}] edits cell {entry.cell!r}, which is no solution cell of the notebook "
                    f"(solution cells: {', '.join(sorted(cells))})"
                )
                continue
            if kind == "BUGS":
                problems += _bug_problems(assignment, name, entry, checks, variants)
    return problems


def _bug_problems(assignment, name, bug, checks, variants):
    problems = []
    if isinstance(bug.loses, str) or not bug.loses:
        problems.append(f"bug {name!r}: `loses` must be a non-empty tuple of check names, e.g. ('test_x',) with its comma")
    elif checks is not None:
        unknown = [check for check in bug.loses if check not in checks]
        if unknown:
            problems.append(
                f"bug {name!r} loses {', '.join(unknown)}, which {'is' if len(unknown) == 1 else 'are'} not a check in "
                f"{assignment.checks.name} (checks: {', '.join(checks)})"
            )
    if assignment.release.is_file() and assignment.source.is_file():
        try:
            variants.with_bug(assignment, bug)
        except ValueError as exc:
            problems.append(f"bug {name!r}: {exc}")
    return problems


# --- judging graded results (shared with tests/test_grading.py) ----------------------------


def failed(result):
    return [t["name"] for t in result["tests"] if t["status"] == "failed"]


def _check(test):
    """The check function behind one record (a parametrized check's records share one)."""
    return test.get("extra_data", {}).get("check", test["name"])


def failed_checks(result):
    """The check functions that failed."""
    return {_check(t) for t in result["tests"] if t["status"] == "failed"}


def reference_problems(result):
    problems = []
    if not result["max_score"] > 0:
        problems.append("the checks give no points at all")
    if result["score"] != result["max_score"]:
        problems.append(
            f"the reference scores {result['score']:g}/{result['max_score']:g}; failed: {', '.join(failed(result))}"
        )
    if "Problem" in result["output"] or "raised" in result["output"]:
        problems.append(f"grading the reference reported: {result['output'].strip()[:300]}")
    unpointed = [t["name"] for t in result["tests"] if not t["max_score"]]
    if unpointed:
        problems.append(f"checks without points: {', '.join(unpointed)} (decorate each with @points(n))")
    return problems


def blank_problems(blank, reference):
    problems = []
    passed = sorted({_check(t) for t in blank["tests"] if t["status"] == "passed"})
    if blank["score"] != 0 or passed:
        problems.append(f"the blank release scores {blank['score']:g}: {', '.join(passed)} pass(es) on it; {BLANK_RULE}")
    names = [t["name"] for t in blank["tests"]]
    expected = [t["name"] for t in reference["tests"]]
    if names != expected:
        problems.append(f"the blank got records for {names}, the reference for {expected}: every check needs a record")
    silent = [t["name"] for t in blank["tests"] if t["status"] == "failed" and not t["output"]]
    if silent:
        problems.append(f"checks that fail on the blank without saying why: {', '.join(silent)}")
    return problems


def bug_problems(result, bug):
    problems = []
    if result["score"] >= result["max_score"]:
        problems.append("the bug keeps full marks")
    missed = [name for name in bug.loses if name not in failed_checks(result)]
    if missed:
        problems.append(f"not caught by {', '.join(missed)}")
    return problems


def alternative_problems(result):
    if result["score"] == result["max_score"]:
        return []
    return [f"scores {result['score']:g}/{result['max_score']:g}; failed: {', '.join(failed(result))}"]


def leak_problems(assignment, graded):
    """Feedback that shows tensors, tracebacks, precise numbers or lines of the check source."""
    source_lines = [
        line.strip()
        for line in assignment.checks.read_text().splitlines()
        if len(line.strip()) > 30 and not line.strip().startswith(('"', "'", "#")) and '"' not in line
    ]
    problems = []
    for name, result in graded.items():
        for test in result["tests"]:
            text = test["output"]
            if re.search(r"(?<!\w)tensor\(", text) or "Traceback" in text:
                problems.append(f"{name}, {test['name']}: feedback shows a tensor or a traceback: {text[:200]!r}")
            elif re.search(r"\d\.\d{4,}", text):
                problems.append(f"{name}, {test['name']}: feedback shows a precise number: {text[:200]!r}")
            leaked = [line for line in source_lines if line in text]
            if leaked:
                problems.append(f"{name}, {test['name']}: feedback quotes the check source: {leaked[0]!r}")
    return problems


def without_timings(result):
    """A results.json minus wall-clock figures, which no two runs share."""
    result = {k: v for k, v in result.items() if k != "execution_time"}
    result["tests"] = [
        dict(t, extra_data={k: v for k, v in t.get("extra_data", {}).items() if k != "seconds"}) for t in result["tests"]
    ]
    return result


def release_problems(assignment, config=None):
    """Source cells that differ from reference/, and a committed release that nbgrader would not regenerate."""
    from autograder.settings import load_config

    problems = []
    stale = notebooks.sync(assignment, write_back=False)
    if stale:
        problems.append(f"source cells {', '.join(stale)} differ from reference/: run `python -m autograder sync`")
    with tempfile.TemporaryDirectory(prefix="release-") as folder:
        config = copy.deepcopy(config if config is not None else load_config(assignment.root))
        config.CourseDirectory.db_url = f"sqlite:///{Path(folder) / 'gradebook.db'}"
        notebooks.release([assignment.id], release_dir=Path(folder) / "release", config=config)
        fresh = Path(folder) / "release" / assignment.id / f"{assignment.id}.ipynb"
        if not assignment.release.is_file() or assignment.release.read_text() != fresh.read_text():
            problems.append("release/ is stale: run `python -m autograder release " + assignment.id + "`")
    return problems


# --- grading the sample class ------------------------------------------------------------


def _grade_one(path, assignment_id, secret, root, label, threads):
    """Grade one file in a pool process, under another course secret when given; (None, [why]) when grading broke."""
    from autograder import grade

    assignment = course.get(assignment_id, root)
    config = None
    if secret is not None:
        config = copy.deepcopy(grade._config(str(assignment.root)))
        config.Grading.secret = secret
    try:
        result, internal = grade.grade_bytes(Path(path).read_bytes(), assignment, "cpu", threads, config=config)
        result = result.to_json()  # validation reads the results.json a student's grading writes
    except Exception as exc:  # noqa: BLE001 - reported as a finding, like a crashed check
        return None, [f"{type(exc).__name__}: {exc}"]
    grade._settle()
    return result, internal


def pool_map(function, arglists, workers=None):
    """Call function(*args, threads) for each args on a warm pool of grader processes; yields (args, value) as each ends.

    The pool is that of `grade`: processes forked from a server that imported
    torch, pytest and the grader once. With one worker, calls run here.
    """
    from autograder import grade

    arglists = [tuple(args) for args in arglists]
    cores = os.cpu_count() or 1
    workers = max(1, min(workers or cores, len(arglists) or 1))
    threads = max(1, cores // workers)
    if workers == 1:
        for args in arglists:
            yield args, function(*args, threads)
        return
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["autograder.grade", function.__module__])
    with concurrent.futures.ProcessPoolExecutor(workers, mp_context=context, initializer=grade._warm) as pool:
        futures = {pool.submit(function, *args, threads): args for args in arglists}
        for future in concurrent.futures.as_completed(futures):
            yield futures[future], future.result()


def grade_samples(jobs, assignment, workers=None):
    """Grade (label, path, secret) jobs on the warm pool; yields (label, result, internal) as each finishes."""
    arglists = [(path, assignment.id, secret, str(assignment.root), label) for label, path, secret in jobs]
    for args, (result, internal) in pool_map(_grade_one, arglists, workers):
        yield args[-1], result, internal


def validate(assignment, jobs=None, secrets=OTHER_SECRETS, progress=None):
    """Every rule above for one assignment: a list of :class:`Finding` (static rules first)."""
    from autograder import variants

    started = time.monotonic()
    findings = [Finding("authoring rules", static_problems(assignment))]
    if not findings[0].ok:
        return findings  # grading would only repeat the same mistakes less clearly
    findings.append(Finding("release in sync", release_problems(assignment), time.monotonic() - started))
    catalogue = assignment.variants()
    with tempfile.TemporaryDirectory(prefix=f"validate-{assignment.id}-") as folder:
        work = []
        for name, notebook in variants.sample_class(assignment).items():
            path = Path(folder) / f"{name}.ipynb"
            notebooks.write(notebook, path)
            work.append((name, str(path), None))
        reference = str(Path(folder) / "reference.ipynb")
        work += [(f"reference@{secret}", reference, secret) for secret in secrets]
        if secrets:
            work.append((f"reference@{secrets[-1]}#again", reference, secrets[-1]))
        graded, broken = {}, []
        for label, result, internal in grade_samples(work, assignment, jobs):
            if internal:
                broken.append(f"{label}: {'grading broke' if result is None else 'a check crashed'}:\n{internal[0]}")
            graded[label] = result
            if progress:
                progress(label, result)
    findings.append(Finding("checks run without crashing", broken))
    if any(result is None for result in graded.values()):
        return findings
    findings.append(Finding("reference: full marks", reference_problems(graded["reference"])))
    for secret in secrets:
        findings.append(Finding(f"reference under secret {secret!r}", reference_problems(graded[f"reference@{secret}"])))
    if secrets:
        first, again = graded[f"reference@{secrets[-1]}"], graded[f"reference@{secrets[-1]}#again"]
        same = without_timings(first) == without_timings(again)
        findings.append(Finding("same record twice", [] if same else ["one secret and one submission gave two records"]))
    findings.append(Finding("blank release: 0 with a record per check", blank_problems(graded["blank"], graded["reference"])))
    for name, bug in catalogue.BUGS.items():
        findings.append(Finding(f"bug {name}", bug_problems(graded[f"bug-{name}"], bug)))
    for name in catalogue.ALTERNATIVES:
        findings.append(Finding(f"alternative {name}", alternative_problems(graded[f"alt-{name}"])))
    samples = {k: v for k, v in graded.items() if "@" not in k}
    findings.append(Finding("no leak in feedback", leak_problems(assignment, samples)))
    return findings


def table(findings):
    """The findings as a plain-text table, one row each, problems indented below a failing row."""
    width = max(len(f.what) for f in findings)
    lines = []
    for f in findings:
        lines.append(f"{f.what:<{width}}  {'ok' if f.ok else 'FAIL'}")
        lines += [f"{'':<{width}}    - {problem}" for problem in f.problems]
    return "\n".join(lines)


def run(args):
    """The `validate` command: 0 when every rule holds, 1 when one fails."""
    assignment = course.get(args.assignment)
    started = time.monotonic()
    findings = validate(assignment, args.jobs)
    print(table(findings))
    failing = sum(not f.ok for f in findings)
    verdict = "valid" if not failing else f"{failing} rule(s) failed"
    print(f"{assignment.id}: {verdict} in {time.monotonic() - started:.1f} s")
    return 0 if not failing else 1
