"""Own the result record: one check's outcome, the provenance stamp, the graded submission, and their JSON.

:class:`CheckRecord` is one check's outcome, :class:`Provenance` who and what
a result was graded from, :class:`Result` the whole graded submission.
:meth:`Result.to_json` and :meth:`Result.from_json` are the only code that
knows the keys of Gradescope's results.json: `score`, `max_score`, `output`
(notes about the notebook), `visibility`, `tests` (one per check, with
`extra_data` naming the check, its exercise and the seconds it ran) and, when
graded as part of a class, `execution_time` and `extra_data` (the provenance).
:data:`SCHEMA` is the JSON Schema the kit's results satisfy.
"""

import dataclasses
import json
import os
import tempfile
from pathlib import Path

from autograder.escape import terminal

PROBLEM = "Problem with the notebook: "
NOTE = "Note: "


@dataclasses.dataclass(frozen=True)
class CheckRecord:
    """One check's outcome: points, pass or fail, the feedback a student may read and the seconds it ran."""

    check: str  # the check function's name
    exercise: str
    title: str  # the first line of the check's docstring
    max_score: float
    score: float
    passed: bool
    feedback: str = ""
    seconds: float | None = None
    visibility: str = "visible"
    internal: str | None = dataclasses.field(default=None, compare=False)  # a crashed check's traceback: never written

    @property
    def name(self):
        """The name Gradescope shows: '<exercise>: <title>'."""
        return f"{self.exercise}: {self.title}"

    def to_json(self):
        """This check as an entry of results.json's `tests`."""
        extra = {"check": self.check, "exercise": self.exercise}
        if self.seconds is not None:
            extra["seconds"] = self.seconds
        return {
            "name": self.name,
            "score": self.score,
            "max_score": self.max_score,
            "status": "passed" if self.passed else "failed",
            "output": self.feedback,
            "visibility": self.visibility,
            "extra_data": extra,
        }

    @classmethod
    def from_json(cls, test):
        """The record of one entry of results.json's `tests`."""
        extra = test.get("extra_data") or {}
        exercise = extra.get("exercise", "")
        return cls(
            check=extra.get("check", test["name"]),
            exercise=exercise,
            title=test["name"].removeprefix(f"{exercise}: "),
            max_score=test["max_score"],
            score=test["score"],
            passed=test["status"] == "passed",
            feedback=test.get("output", ""),
            seconds=extra.get("seconds"),
            visibility=test.get("visibility", "visible"),
        )


HAND_IN = ("submitted_at", "submitted_at_problem", "submitters")  # what the platform recorded; restamped when it changes


@dataclasses.dataclass(frozen=True)
class Provenance:
    """What a result was graded from: the student, the assignment, the bytes, the grading fingerprint and sandbox tier.

    Fields left None are not written. `other` keeps keys the kit does not write, as read.
    """

    sandbox: str | None = None
    student: str | None = None
    assignment: str | None = None
    submission_sha256: str | None = None
    fingerprint: str | None = None
    graded_by: str | None = None
    submitted_at: str | None = None
    submitted_at_problem: str | None = None
    submitters: tuple | None = None
    other: dict = dataclasses.field(default_factory=dict)

    def to_json(self):
        """This stamp as results.json's `extra_data` object."""
        data = {}
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            if field.name != "other" and value is not None:
                data[field.name] = list(value) if field.name == "submitters" else value
        return data | self.other

    @classmethod
    def from_json(cls, data):
        """The stamp of results.json's `extra_data` object."""
        if not isinstance(data, dict):
            return cls()
        known = {f.name for f in dataclasses.fields(cls)} - {"other"}
        fields = {k: v for k, v in data.items() if k in known}
        if isinstance(fields.get("submitters"), list):
            fields["submitters"] = tuple(fields["submitters"])
        return cls(**fields, other={k: v for k, v in data.items() if k not in known})

    def restamped(self, hand_in):
        """The same stamp with the hand-in fields (submitted_at, ...) replaced by `hand_in`'s."""
        fresh = {**dict.fromkeys(HAND_IN), **hand_in}
        if fresh["submitters"] is not None:
            fresh["submitters"] = tuple(fresh["submitters"])
        return dataclasses.replace(self, **fresh)


@dataclasses.dataclass(frozen=True)
class Result:
    """One graded submission: its checks' records, notes about the notebook, totals and provenance."""

    score: float
    max_score: float
    output: str  # notes about the notebook, one per line: problems (PROBLEM), then warnings (NOTE)
    checks: tuple  # CheckRecord, in check order
    provenance: Provenance = Provenance()
    execution_time: float | None = None  # wall seconds, when graded as part of a class
    visibility: str = "visible"
    other: dict = dataclasses.field(default_factory=dict)  # top-level keys the kit does not write, as read

    @classmethod
    def of(cls, checks, problems=(), warnings=(), sandbox=None):
        """The result of these check records; `sandbox` names the tier the student code ran in."""
        checks = tuple(checks)
        notes = [f"{PROBLEM}{p}" for p in problems] + [f"{NOTE}{w}" for w in warnings]
        return cls(
            score=round(sum(c.score for c in checks), 4),
            max_score=round(sum(c.max_score for c in checks), 4),
            output="\n".join(notes),
            checks=checks,
            provenance=Provenance(sandbox=sandbox),
        )

    @property
    def problems(self):
        """The problems with the notebook (unreadable file, missing cells) this result records, in words."""
        return [line.removeprefix(PROBLEM) for line in self.output.splitlines() if line.startswith(PROBLEM)]

    @property
    def internal(self):
        """Tracebacks of the checks that crashed (grading's own errors, for the instructor only)."""
        return [c.internal for c in self.checks if c.internal is not None]

    def per_exercise(self):
        """Score per exercise: {exercise: (score, max_score)} in check order."""
        totals = {}
        for check in self.checks:
            score, top = totals.get(check.exercise, (0.0, 0.0))
            totals[check.exercise] = (score + check.score, top + check.max_score)
        return totals

    def stamped(self, **fields):
        """The same result with these provenance fields set."""
        return dataclasses.replace(self, provenance=dataclasses.replace(self.provenance, **fields))

    def with_problem(self, problem):
        """The same result with `problem` as its only note and every check's feedback (nothing could be graded)."""
        checks = tuple(dataclasses.replace(c, feedback=problem) for c in self.checks)
        return dataclasses.replace(self, output=problem, checks=checks)

    def to_json(self):
        """Gradescope's results.json object of this result."""
        data = {
            "score": self.score,
            "max_score": self.max_score,
            "output": self.output,
            "visibility": self.visibility,
            "tests": [c.to_json() for c in self.checks],
        }
        extra = self.provenance.to_json()
        if extra:
            data["extra_data"] = extra
        if self.execution_time is not None:
            data["execution_time"] = self.execution_time
        return data | self.other

    @classmethod
    def from_json(cls, data):
        """The result of a results.json object; ValueError when it is not one."""
        try:
            known = {"score", "max_score", "output", "visibility", "tests", "extra_data", "execution_time"}
            if not isinstance(data["tests"], list):
                raise TypeError("tests is not a list")
            return cls(
                score=data["score"],
                max_score=data["max_score"],
                output=data.get("output", ""),
                checks=tuple(CheckRecord.from_json(t) for t in data["tests"]),
                provenance=Provenance.from_json(data.get("extra_data")),
                execution_time=data.get("execution_time"),
                visibility=data.get("visibility", "visible"),
                other={k: v for k, v in data.items() if k not in known},
            )
        except (KeyError, TypeError, AttributeError) as exc:
            raise ValueError(f"not a results.json object ({type(exc).__name__}: {exc})") from None


_VISIBILITY = {"enum": ["hidden", "after_due_date", "after_published", "visible"]}
_NUMBER = {"type": "number"}

# Gradescope's results.json specification (gradescope-autograders' "Autograder Specifications") as a JSON Schema,
# narrowed to what the kit writes: every field the kit emits is checked, unknown fields are refused.
SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Gradescope results.json as the course kit writes it",
    "type": "object",
    "required": ["score", "max_score", "output", "visibility", "tests"],
    "additionalProperties": False,
    "properties": {
        "score": _NUMBER,
        "max_score": _NUMBER,
        "execution_time": _NUMBER,
        "output": {"type": "string"},
        "output_format": {"enum": ["text", "html", "simple_format", "md", "ansi"]},
        "visibility": _VISIBILITY,
        "stdout_visibility": _VISIBILITY,
        "extra_data": {
            "type": "object",
            "properties": {
                "student": {"type": "string"},
                "assignment": {"type": "string"},
                "sandbox": {"enum": ["bubblewrap", "landlock", "none"]},
                "submission_sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
                "fingerprint": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
            },
        },
        "tests": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["name", "score", "max_score", "status", "output", "visibility", "extra_data"],
                "additionalProperties": False,
                "properties": {
                    "name": {"type": "string", "minLength": 1},
                    "score": _NUMBER,
                    "max_score": _NUMBER,
                    "status": {"enum": ["passed", "failed"]},
                    "output": {"type": "string"},
                    "visibility": _VISIBILITY,
                    "extra_data": {
                        "type": "object",
                        "required": ["check", "exercise"],
                        "properties": {"check": {"type": "string"}, "exercise": {"type": "string"}, "seconds": _NUMBER},
                    },
                },
            },
        },
    },
}


def read(path):
    """The :class:`Result` in a results.json file; ValueError when the file holds something else."""
    return Result.from_json(json.loads(Path(path).read_text()))


def write(path, result):
    """Write a :class:`Result` as results.json, atomically."""
    write_atomic(path, result.to_json())


def write_atomic(path, data):
    """Write JSON so that a reader sees the old file or the whole new one, never half."""
    write_text_atomic(path, json.dumps(data, indent=1) + "\n")


def write_text_atomic(path, text, mode="w"):
    """Write text (or bytes with mode "wb") through a temporary file and a rename: all or nothing."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, mode) as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def per_exercise(result):
    """Score per exercise of a :class:`Result`: {exercise: (score, max_score)} in check order."""
    return result.per_exercise()


def table(named_results):
    """A plain-text grade table for a terminal: one row per submission, one column per exercise, controls removed."""
    if not named_results:
        return "(no submissions)"
    exercises = []
    for _, result in named_results:
        for exercise in result.per_exercise():
            if exercise not in exercises:
                exercises.append(exercise)
    header = ["submission", *(terminal(e) for e in exercises), "total"]
    rows = []
    for name, result in named_results:
        totals = result.per_exercise()
        cells = [f"{totals[e][0]:g}/{totals[e][1]:g}" if e in totals else "-" for e in exercises]
        rows.append([terminal(name).replace("\n", " "), *cells, f"{result.score:g}/{result.max_score:g}"])
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(str(cell).ljust(w) for cell, w in zip(row, widths)).rstrip() for row in [header, *rows]]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
