"""Mutation testing of the hidden checks: mutmut's mutants of reference/<topic>.py graded as submissions.

mutmut (a maintained mutation-testing library) makes the mutants: its libcst
visitor and operators, used as a library, without its own test runner. Only
changes inside a solution region (``### BEGIN/END SOLUTION``) of a solution
cell count, since those are the lines a student writes. Each mutant becomes the
reference submission with that one cell changed (the same edit as a catalogue
bug) and is graded through the normal pool; it is killed when it loses any
point, so its grading runs the mutated exercise's checks first and stops at
the first check it fails. Survivors judged equivalent are recorded, with the reason, in
``autograder/mutants/<topic>.toml`` so a rerun shows only new survivors.
"""

import ast
import contextlib
import dataclasses
import difflib
import hashlib
import tempfile
import time
import tomllib
from pathlib import Path

import pytest

from autograder import notebooks, variants

RECORDS = Path(__file__).resolve().parent / "mutants"
TIMEOUT_FEEDBACK = "did not finish in the time"


@dataclasses.dataclass(frozen=True)
class Mutant:
    """One mutant: a single-cell edit of the reference submission.

    `id` is stable across runs (a hash of the definition, the old and the new
    lines), so the record of equivalent mutants survives edits elsewhere.
    """

    id: str
    cell: str
    definition: str
    line: int
    diff: str
    bug: variants.Bug


@dataclasses.dataclass
class Outcome:
    """What grading did to one mutant: status is killed, survived, timeout or equivalent."""

    mutant: Mutant
    status: str
    lost: tuple = ()
    reason: str = ""


@dataclasses.dataclass
class Report:
    """A mutation run of one assignment."""

    assignment_id: str
    outcomes: list
    generated: int
    seconds: float
    stale: list  # equivalent records that match no mutant any more
    unfinished: int = 0  # chosen mutants left ungraded when the time budget ran out

    def counts(self, outcomes=None):
        outcomes = self.outcomes if outcomes is None else outcomes
        return {s: sum(o.status == s for o in outcomes) for s in ("killed", "survived", "timeout", "equivalent")}

    def score(self, outcomes=None):
        """Killed (timeouts included) out of the non-equivalent mutants graded; None when there are none."""
        c = self.counts(outcomes)
        graded = c["killed"] + c["timeout"] + c["survived"]
        return (c["killed"] + c["timeout"]) / graded if graded else None

    def exercises(self):
        cells = dict.fromkeys(o.mutant.cell for o in self.outcomes)
        return {cell: [o for o in self.outcomes if o.mutant.cell == cell] for cell in cells}

    def as_json(self):
        return {
            "assignment": self.assignment_id,
            **self.counts(),
            "score": self.score(),
            "generated": self.generated,
            "seconds": round(self.seconds, 1),
            "exercises": {
                cell: {**self.counts(group), "score": self.score(group)} for cell, group in self.exercises().items()
            },
            "survivors": [
                {"id": o.mutant.id, "exercise": o.mutant.cell, "line": o.mutant.line, "diff": o.mutant.diff}
                for o in self.outcomes
                if o.status == "survived"
            ],
            "stale_equivalent_records": self.stale,
            "unfinished": self.unfinished,
        }


def _solution_lines(lines):
    """1-based numbers of the lines strictly between a BEGIN and an END marker."""
    inside, found = False, set()
    for number, line in enumerate(lines, 1):
        if line.strip() == notebooks.BEGIN:
            inside = True
        elif line.strip() == notebooks.END:
            inside = False
        elif inside:
            found.add(number)
    return found


def _definitions(text):
    """Top-level name -> (first line, last line), 1-based, as notebooks' segments cut them."""
    spans = {}
    for node in ast.parse(text).body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef)):
            start = min([node.lineno] + [d.lineno for d in node.decorator_list])
            spans[node.name] = (start, node.end_lineno)
    return spans


def _cells_by_name(assignment):
    """Reference name -> grade_id of the solution cell built from it (the assignment's own module only)."""
    found = {}
    for cell in notebooks.read(assignment.source).cells:
        if not notebooks.is_solution(cell):
            continue
        for name in cell.get("metadata", {}).get("kit", {}).get("reference", []):
            module, _, attr = name.rpartition(":")
            if module in ("", assignment.topic):
                found[attr] = notebooks.grade_id(cell)
    return found


def _mutated_texts(text):
    """Every mutant of the module text that mutmut's operators make (one mutation each)."""
    import libcst
    from libcst.metadata import MetadataWrapper
    from mutmut.mutation.file_mutation import MutationVisitor, deep_replace
    from mutmut.mutation.mutators import mutation_operators
    from mutmut.mutation.pragma_handling import IgnoredCode

    # the visitor directly: mutmut's create_mutations() reads mutmut's project configuration, which this repo has not
    visitor = MutationVisitor(mutation_operators, IgnoredCode(set(), set(), set()))
    module = MetadataWrapper(libcst.parse_module(text)).visit(visitor)
    for mutation in visitor.mutations:
        yield deep_replace(module, mutation.original_node, mutation.mutated_node).code


def generate(assignment):
    """The distinct mutants of the assignment's solution regions, in source order.

    Each solution definition is mutated on its own text (not the whole module):
    the same mutants, in a fraction of the time on a long module.
    """
    text = Path(assignment.reference().__file__).read_text()
    lines = text.splitlines()
    solution = _solution_lines(lines)
    cells = _cells_by_name(assignment)
    segments = notebooks._segments(assignment.reference().__name__)
    seen, ids, mutants = set(), set(), []
    for name, (start, end) in _definitions(text).items():
        if name not in cells:
            continue
        offset, own = start - 1, lines[start - 1 : end]
        count = segments[name].count("\n") + 1
        for mutated in _mutated_texts("\n".join(own) + "\n"):
            new_lines = mutated.splitlines()
            matcher = difflib.SequenceMatcher(a=own, b=new_lines, autojunk=False)
            blocks = [op for op in matcher.get_opcodes() if op[0] != "equal"]
            if len(blocks) != 1:
                continue
            _, i1, i2, j1, j2 = blocks[0]
            i1, i2 = i1 + offset, i2 + offset
            if not set(range(i1 + 1, max(i2, i1 + 1) + 1)) <= solution:
                continue  # given code (signatures, docstrings, helpers) is not the student's to change
            edited = "\n".join(lines[offset:i1] + new_lines[j1:j2] + lines[i2 : offset + count])
            old, new = notebooks.strip_markers(segments[name]), notebooks.strip_markers(edited)
            if (cells[name], new) in seen:
                continue
            seen.add((cells[name], new))
            diff = "\n".join(f"-{line}" for line in lines[i1:i2]) + "\n" + "\n".join(f"+{line}" for line in new_lines[j1:j2])
            change = "\0".join([name, *lines[i1:i2], "\0", *new_lines[j1:j2]])
            key = hashlib.sha256(change.encode()).hexdigest()[:10]
            repeat = 1
            while key in ids:  # the same change of a line that repeats in the definition: a later copy gets its own id
                repeat += 1
                key = hashlib.sha256(f"{change}\0{repeat}".encode()).hexdigest()[:10]
            ids.add(key)
            bug = variants.Bug(cell=cells[name], old=old, new=new, loses=(), why=f"mutant {key}")
            mutants.append(Mutant(key, cells[name], name, i1 + 1, diff, bug))
    return mutants


class FirstLoss:
    """pytest plugin for one mutant's grading: the mutated exercise's checks first, stop at the first failure.

    A mutant is killed by any lost point, so the checks after the first
    failure cannot change its status; a survivor still runs every check.
    """

    def __init__(self, exercise):
        self.exercise = exercise

    def pytest_configure(self, config):
        """Stop the session at the first failed check, as pytest's -x does."""
        config.option.maxfail = 1

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, items):
        """Move the mutated exercise's checks to the front, keeping the order within each group."""
        items.sort(key=lambda item: getattr(item.get_closest_marker("exercise"), "args", ("",))[0] != self.exercise)


def record_path(assignment, root=None):
    return Path(root or RECORDS) / f"{assignment.topic}.toml"


def equivalent_records(assignment, root=None):
    """id -> reason, from the assignment's checked-in record of equivalent survivors (empty when none)."""
    path = record_path(assignment, root)
    if not path.is_file():
        return {}
    data = tomllib.loads(path.read_text())
    records = {}
    for entry in data.get("equivalent", []):
        if not entry.get("id") or not str(entry.get("reason", "")).strip():
            raise ValueError(f"{path}: every [[equivalent]] entry needs an id and a reason")
        records[entry["id"]] = entry["reason"]
    return records


def sample(mutants, limit):
    """At most `limit` mutants spread evenly over the list, so every exercise gets some."""
    if limit is None or limit >= len(mutants):
        return list(mutants)
    return [mutants[i * len(mutants) // limit] for i in range(limit)]


def _status(result):
    if result is None:
        return "timeout", ()
    lost = tuple(c.check for c in result.checks if not c.passed)
    if not lost:
        return "survived", ()
    timed_out = any(TIMEOUT_FEEDBACK in c.feedback for c in result.checks if not c.passed)
    return ("timeout" if timed_out and len(lost) == 1 else "killed"), lost


def run(
    assignment, *, jobs=1, limit=None, only=None, budget=None, device="cpu", records_root=None, mutants=None, progress=None
):
    """Grade the mutants (all, `limit` of them, or those whose ids start with one of `only`) of one assignment; a :class:`Report`.

    `budget` (seconds) stops grading new mutants once spent; those left are
    counted as unfinished. progress(done, total) is called after each grading.
    """
    from autograder.grade import grade_jobs

    started = time.monotonic()
    generated = generate(assignment) if mutants is None else mutants
    equivalent = equivalent_records(assignment, records_root)
    known = {m.id for m in generated}
    outcomes = [Outcome(m, "equivalent", reason=equivalent[m.id]) for m in generated if m.id in equivalent]
    candidates = [m for m in generated if m.id not in equivalent]
    if only:
        candidates = [m for m in candidates if m.id.startswith(tuple(only))]
    chosen = sample(candidates, limit)
    with tempfile.TemporaryDirectory(prefix=f"mutants-{assignment.id}-") as folder:
        paths = {}
        reference = Path(folder) / "reference.ipynb"
        notebooks.write(notebooks.solve(assignment), reference)
        for mutant in chosen:
            path = Path(folder) / f"mutant-{mutant.id}.ipynb"
            notebooks.write(variants.with_bug(assignment, mutant.bug), path)
            paths[str(path)] = mutant
        graded = {}
        plugins = {path: (FirstLoss(mutant.cell),) for path, mutant in paths.items()}
        jobs_list = [(p, assignment.id) for p in [reference, *paths]]
        with contextlib.closing(grade_jobs(jobs_list, device, jobs, plugins=plugins)) as finished:
            for job in finished:
                graded[str(job.path)] = job.result
                if progress:
                    progress(len(graded), len(paths) + 1)
                if budget is not None and time.monotonic() - started > budget:
                    break  # closing the generator cancels the queued gradings
    base = graded.get(str(reference))
    if base is None or base.score != base.max_score:
        raise RuntimeError(f"the reference submission of {assignment.id} does not get full marks; mutation needs it to")
    for path, mutant in paths.items():
        if path in graded:
            status, lost = _status(graded[path])
            outcomes.append(Outcome(mutant, status, lost))
    order = {m.id: i for i, m in enumerate(generated)}
    outcomes.sort(key=lambda o: order[o.mutant.id])
    stale = sorted(set(equivalent) - known)
    unfinished = len(paths) - sum(path in graded for path in paths)
    return Report(assignment.id, outcomes, len(generated), time.monotonic() - started, stale, unfinished)


def format_report(report):
    """The plain-text report: a line per exercise, then each survivor's diff."""
    rows = [f"{'exercise':<28} killed  survived  timeout  equivalent  score"]
    for cell, group in report.exercises().items():
        c, score = report.counts(group), report.score(group)
        shown = "-" if score is None else f"{score:.0%}"
        rows.append(f"{cell:<28} {c['killed']:>6}  {c['survived']:>8}  {c['timeout']:>7}  {c['equivalent']:>10}  {shown:>5}")
    c, score = report.counts(), report.score()
    shown = "-" if score is None else f"{score:.0%}"
    rows.append(f"{'total':<28} {c['killed']:>6}  {c['survived']:>8}  {c['timeout']:>7}  {c['equivalent']:>10}  {shown:>5}")
    for outcome in report.outcomes:
        if outcome.status == "survived":
            m = outcome.mutant
            rows.append(f"\nsurvivor {m.id} in {m.cell} (reference line {m.line}):\n{m.diff}")
    for stale in report.stale:
        rows.append(f"\nnote: equivalent record {stale} matches no mutant any more; remove it")
    if report.unfinished:
        rows.append(f"\nnote: the time budget ran out with {report.unfinished} chosen mutants not graded")
    rows.append(
        f"\n{report.assignment_id}: {len(report.outcomes)} of {report.generated} mutants reported in {report.seconds:.1f} s"
    )
    return "\n".join(rows)
