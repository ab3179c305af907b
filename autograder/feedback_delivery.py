"""Put each student's HTML feedback where `nbgrader release_feedback` hands it out.

nbgrader releases ``feedback/<student>/<assignment>/<notebook>.html`` and
needs ``timestamp.txt`` and ``submission_secret.txt`` beside it (copied from
the student's ``submitted/<student>/<assignment>/`` folder, where ``nbgrader
collect`` put them): the secret and the notebook's name are what the
student's ``fetch_feedback`` looks the file up by. A student whose submission
has no secret (collected by hand, not through nbgrader's exchange) still
gets the file, and the delivery says it cannot be released through nbgrader.
"""

import dataclasses
import html
import shutil
from pathlib import Path

from autograder.reports import feedback_html
from autograder.results import write_text_atomic

SECRET = "submission_secret.txt"
TIMESTAMP = "timestamp.txt"


@dataclasses.dataclass
class Delivery:
    """What was written, and for whom nbgrader cannot release it."""

    written: list  # paths of feedback files
    unreleasable: dict  # nbgrader student id -> why release_feedback will skip it


def _notebook_name(folder, assignment_id):
    if (folder / f"{assignment_id}.ipynb").is_file():
        return assignment_id
    found = sorted(p.stem for p in folder.glob("*.ipynb")) if folder.is_dir() else []
    return found[0] if len(found) == 1 else assignment_id


def _summary(record):
    """The lines about manual points, lateness and the final score, as HTML (empty when only the kit's score counts)."""
    if record is None or (not record.manual_score and not record.penalty):
        return ""
    parts = []
    if record.manual_score:
        parts.append(f"manually graded points: {record.manual_score:g}")
    if record.penalty:
        parts.append(f"late by {record.days_late} day(s): -{record.penalty:g}")
    parts.append(f"final score: {record.final_score:g} / {record.max_score:g}")
    return f"<p><strong>{html.escape('; '.join(parts))}</strong></p>\n"


def deliver(course_root, assignment_id, named, records=None, feedback_dir="feedback", submitted_dir="submitted"):
    """Write feedback/<student>/<assignment>/<notebook>.html for {nbgrader student id: result}.

    `records` ({student id: gradesheet.GradeRecord}), when given, adds the
    manual points, late penalty and final score to each page.
    """
    root = Path(course_root)
    records = records or {}
    done = Delivery([], {})
    for student, result in sorted(named.items()):
        source = root / submitted_dir / student / assignment_id
        target = root / feedback_dir / student / assignment_id
        page = feedback_html(student, result, assignment_id)
        page = page.replace("</h1>\n", "</h1>\n" + _summary(records.get(student)), 1)
        path = target / f"{_notebook_name(source, assignment_id)}.html"
        write_text_atomic(path, page)
        done.written.append(path)
        missing = [name for name in (TIMESTAMP, SECRET) if not (source / name).is_file()]
        for name in (TIMESTAMP, SECRET):
            if (source / name).is_file():
                shutil.copyfile(source / name, target / name)
        if missing:
            done.unreleasable[student] = f"{source} has no {' or '.join(missing)} (not collected by nbgrader)"
    return done
