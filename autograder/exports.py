"""Grade files for learning-management systems: Canvas's gradebook import CSV, Moodle's grade import CSV, the full sheet.

Canvas (Grades > Import): the columns ``Student, ID, SIS User ID, SIS Login
ID, Section`` and then one per assignment named ``<name> (<Canvas assignment
id>)``; a ``Points Possible`` row under the header; Canvas matches students by
``ID`` (its user id), else the SIS ids; an empty cell changes nothing.

Moodle (Grades > Import > CSV file): a header row and one row per student;
the importer maps one column to a user field (here ``Email address`` or ``ID
number``) and the others to grade items; a grade is a number with a decimal
point, ``-`` or empty for no grade; ``<name> (Feedback)`` maps to feedback.

Text cells go through :func:`text_cell`, which defuses spreadsheet formulas.
"""

import csv
import io

from autograder.results import write_text_atomic

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def text_cell(value):
    """A text cell a spreadsheet shows as text: a leading formula character gets a quote in front."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def number_cell(value, empty=""):
    """A score as a plain decimal number ('14', '13.5'); `empty` when there is none."""
    return empty if value is None else f"{round(float(value), 4):g}"


def _write(rows):
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)  # RFC 4180 line ends, as both LMSs export
    return buffer.getvalue()


def canvas_column(sheet, canvas_id=None):
    """The assignment's column title: 'name (id)' matches an existing Canvas assignment; a bare name makes a new one."""
    return f"{sheet.assignment} ({canvas_id})" if canvas_id else sheet.assignment


def canvas_csv(sheet, canvas_id=None):
    """Canvas's gradebook import CSV for one assignment (roster order; students without a final score left blank)."""
    rows = [
        ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", canvas_column(sheet, canvas_id)],
        ["    Points Possible", "", "", "", "", number_cell(sheet.max_score)],
    ]
    for r in sheet.records:
        s = r.student
        rows.append([*map(text_cell, (s.name, s.lms_id, s.id, s.login, s.section)), number_cell(r.final_score)])
    return _write(rows)


def moodle_csv(sheet):
    """Moodle's grade import CSV for one assignment: map 'Email address' (or 'ID number') to the user."""
    rows = [["ID number", "Email address", "Full name", "Section", sheet.assignment, f"{sheet.assignment} (Feedback)"]]
    for r in sheet.records:
        s = r.student
        rows.append([*map(text_cell, (s.id, s.email, s.name, s.section)), number_cell(r.final_score, "-"), text_cell(r.note)])
    return _write(rows)


SHEET_COLUMNS = (
    "id",
    "name",
    "email",
    "section",
    "status",
    "submission",
    "submitted_at",
    "deadline",
    "days_late",
    "raw_score",
    "manual_score",
    "penalty",
    "final_score",
    "max_score",
    "note",
)


def sheet_csv(sheet):
    """Every record with its parts (raw, manual, penalty, final) and the reason, for the instructor."""
    rows = [list(SHEET_COLUMNS)]
    for r in sheet.records:
        s = r.student
        rows.append(
            [
                *map(text_cell, (s.id, s.name, s.email, s.section, r.status, r.submission)),
                r.submitted_at.isoformat() if r.submitted_at else "",
                r.deadline.isoformat() if r.deadline else "",
                str(r.days_late),
                number_cell(r.raw_score),
                number_cell(r.manual_score),
                number_cell(r.penalty),
                number_cell(r.final_score),
                number_cell(r.max_score),
                text_cell(r.note),
            ]
        )
    return _write(rows)


def write_all(folder, sheet, canvas_id=None):
    """Write canvas.csv, moodle.csv and gradesheet.csv for one assignment under folder; returns {what: path}."""
    written = {
        "canvas": folder / f"{sheet.assignment}.canvas.csv",
        "moodle": folder / f"{sheet.assignment}.moodle.csv",
        "sheet": folder / f"{sheet.assignment}.gradesheet.csv",
    }
    write_text_atomic(written["canvas"], canvas_csv(sheet, canvas_id))
    write_text_atomic(written["moodle"], moodle_csv(sheet))
    write_text_atomic(written["sheet"], sheet_csv(sheet))
    return written
