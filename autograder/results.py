"""Result records: Gradescope's results.json and the plain grade table.

A result is Gradescope's results.json object: `score`, `max_score`, `output`
(notes about the notebook), `visibility`, `tests` (one per check, with
`extra_data` naming the check, its exercise and the seconds it ran) and, when
graded as part of a class, `execution_time` and `extra_data` (the student, the
assignment, the submission's sha256 and the grading fingerprint that resuming
compares). :data:`SCHEMA` is the JSON Schema the kit's results satisfy.
"""

import json
import os
import tempfile
from pathlib import Path

from autograder.escape import terminal

PROBLEM = "Problem with the notebook: "


def gradescope(records, problems=(), warnings=(), sandbox=None):
    """A Gradescope results.json object from the plugin's check records; `sandbox` names the tier the code ran in."""
    tests = [
        {
            "name": f"{r['exercise']}: {r['title']}",
            "score": r["score"],
            "max_score": r["max_score"],
            "status": "passed" if r["passed"] else "failed",
            "output": r["feedback"],
            "visibility": "visible",
            "extra_data": {"check": r["name"], "exercise": r["exercise"], "seconds": r.get("seconds", 0.0)},
        }
        for r in records
    ]
    notes = [f"{PROBLEM}{p}" for p in problems] + [f"Note: {w}" for w in warnings]
    result = {
        "score": round(sum(t["score"] for t in tests), 4),
        "max_score": round(sum(t["max_score"] for t in tests), 4),
        "output": "\n".join(notes),
        "visibility": "visible",
        "tests": tests,
    }
    if sandbox is not None:
        result["extra_data"] = {"sandbox": sandbox}
    return result


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
    """A results.json dict from a file."""
    return json.loads(Path(path).read_text())


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
    """Score per exercise: {exercise: (score, max_score)} in check order."""
    totals = {}
    for test in result["tests"]:
        exercise = test["extra_data"]["exercise"]
        score, top = totals.get(exercise, (0.0, 0.0))
        totals[exercise] = (score + test["score"], top + test["max_score"])
    return totals


def table(named_results):
    """A plain-text grade table for a terminal: one row per submission, one column per exercise, controls removed."""
    if not named_results:
        return "(no submissions)"
    exercises = []
    for _, result in named_results:
        for exercise in per_exercise(result):
            if exercise not in exercises:
                exercises.append(exercise)
    header = ["submission", *(terminal(e) for e in exercises), "total"]
    rows = []
    for name, result in named_results:
        totals = per_exercise(result)
        cells = [f"{totals[e][0]:g}/{totals[e][1]:g}" if e in totals else "-" for e in exercises]
        rows.append([terminal(name).replace("\n", " "), *cells, f"{result['score']:g}/{result['max_score']:g}"])
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(str(cell).ljust(w) for cell, w in zip(row, widths)).rstrip() for row in [header, *rows]]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
