"""Result records: Gradescope's results.json and the plain grade table."""

import json
import os
import tempfile
from pathlib import Path


def gradescope(records, problems=(), warnings=()):
    """A Gradescope results.json object from the plugin's check records."""
    tests = [
        {
            "name": f"{r['exercise']}: {r['title']}",
            "score": r["score"],
            "max_score": r["max_score"],
            "status": "passed" if r["passed"] else "failed",
            "output": r["feedback"],
            "visibility": "visible",
            "extra_data": {"check": r["name"], "exercise": r["exercise"]},
        }
        for r in records
    ]
    notes = [f"Problem with the notebook: {p}" for p in problems] + [f"Note: {w}" for w in warnings]
    return {
        "score": round(sum(t["score"] for t in tests), 4),
        "max_score": round(sum(t["max_score"] for t in tests), 4),
        "output": "\n".join(notes),
        "visibility": "visible",
        "tests": tests,
    }


def write_atomic(path, data):
    """Write JSON so that a reader sees the old file or the whole new one, never half."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(fd, "w") as handle:
        json.dump(data, handle, indent=1)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def per_exercise(result):
    """Score per exercise: {exercise: (score, max_score)} in check order."""
    totals = {}
    for test in result["tests"]:
        exercise = test["extra_data"]["exercise"]
        score, top = totals.get(exercise, (0.0, 0.0))
        totals[exercise] = (score + test["score"], top + test["max_score"])
    return totals


def table(named_results):
    """A plain-text grade table: one row per submission, one column per exercise."""
    if not named_results:
        return "(no submissions)"
    exercises = []
    for _, result in named_results:
        for exercise in per_exercise(result):
            if exercise not in exercises:
                exercises.append(exercise)
    header = ["submission", *exercises, "total"]
    rows = []
    for name, result in named_results:
        totals = per_exercise(result)
        cells = [f"{totals[e][0]:g}/{totals[e][1]:g}" if e in totals else "-" for e in exercises]
        rows.append([name, *cells, f"{result['score']:g}/{result['max_score']:g}"])
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(str(cell).ljust(w) for cell, w in zip(row, widths)).rstrip() for row in [header, *rows]]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
