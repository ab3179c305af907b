"""The class roster: read the roster CSV and match each submission to a roster student.

The roster is a CSV with a header row and the columns ``id`` (the course's
student id, also nbgrader's student id), ``name``, ``email``, ``lms_id`` (the
LMS's own user id, e.g. Canvas's) and ``section``; ``login`` (the LMS's SIS
login) is optional and other columns are ignored. A submission's name (its
file stem, folder or nbgrader student id) matches a student by id, email,
LMS id or an alias from ``Roster.aliases``, without regard to case; a
Gradescope submission also matches by the ids and emails of its submitters.
"""

import csv
import dataclasses
from pathlib import Path

REQUIRED = ("id", "name", "email", "lms_id", "section")
OPTIONAL = ("login",)


class RosterError(ValueError):
    """The roster file cannot be used as it is; the message names the file, row and column."""


@dataclasses.dataclass(frozen=True)
class Student:
    """One row of the roster."""

    id: str
    name: str
    email: str = ""
    lms_id: str = ""
    section: str = ""
    login: str = ""


@dataclasses.dataclass
class Matching:
    """Which submission belongs to which roster student, and what could not be matched."""

    by_student: dict  # roster id -> submission name
    unknown: list  # submission names that match no roster student
    ambiguous: dict  # submission name -> roster ids it could be (not matched)
    claimed_twice: dict  # roster id -> submission names that all match it (none matched)


def read(path):
    """The students of a roster CSV in file order; RosterError for a missing column, empty id or duplicate."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")  # spreadsheets often write a byte-order mark
    except FileNotFoundError:
        raise RosterError(f"{path}: the roster file does not exist (set Roster.path in course_config.py)") from None
    except UnicodeDecodeError:
        raise RosterError(f"{path}: the roster is not UTF-8 text; save it as CSV UTF-8") from None
    reader = csv.DictReader(text.splitlines())
    columns = [c.strip().lower() for c in reader.fieldnames or []]
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        raise RosterError(f"{path}: the header lacks the column(s) {', '.join(missing)}; it needs {', '.join(REQUIRED)}")
    reader.fieldnames = columns
    students, seen = [], {}
    for line, row in enumerate(reader, start=2):
        if None in row:
            raise RosterError(f"{path}, row {line}: more cells than the header has columns")
        values = {k: (row.get(k) or "").strip() for k in (*REQUIRED, *OPTIONAL)}
        if not any(values.values()):
            continue  # a blank line
        if not values["id"]:
            raise RosterError(f"{path}, row {line}: the id is empty")
        key = values["id"].lower()
        if key in seen:
            raise RosterError(f"{path}, row {line}: id {values['id']!r} is already on row {seen[key]}")
        seen[key] = line
        students.append(Student(**values))
    return students


def _keys(student):
    return {k.lower() for k in (student.id, student.email, student.lms_id) if k}


def match(students, names, aliases=None, submitters=None):
    """Match submission names to roster students.

    `aliases` maps a submission name to a roster id; `submitters` maps a
    submission name to further identities (ids, emails) its metadata names.
    A name that fits several students, and a student that several
    submissions fit, are reported and left unmatched rather than guessed.
    """
    aliases = {k.lower(): v for k, v in (aliases or {}).items()}
    submitters = submitters or {}
    index = {}
    for student in students:
        for key in _keys(student):
            index.setdefault(key, set()).add(student.id)
    by_id = {s.id.lower(): s.id for s in students}
    claims, unknown, ambiguous = {}, [], {}
    for name in names:
        if name.lower() in aliases:
            target = by_id.get(str(aliases[name.lower()]).lower())
            found = {target} if target else set()
        else:
            found = set()
            for identity in [name, *submitters.get(name, [])]:
                found |= index.get(str(identity).lower(), set())
        if not found:
            unknown.append(name)
        elif len(found) > 1:
            ambiguous[name] = sorted(found)
        else:
            claims.setdefault(found.pop(), []).append(name)
    twice = {sid: sorted(subs) for sid, subs in claims.items() if len(subs) > 1}
    by_student = {sid: subs[0] for sid, subs in claims.items() if len(subs) == 1}
    return Matching(by_student, sorted(unknown), ambiguous, twice)
