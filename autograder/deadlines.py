"""Deadlines and late work: when a submission was handed in, and what lateness costs.

Submission times come from what the submission platform recorded, never from
file modification times (a copy or a checkout changes those): nbgrader's
``timestamp.txt`` beside the notebook (written by ``nbgrader collect``) or
Gradescope's ``submission_metadata.json`` (its ``created_at``). Times without
a UTC offset are read as UTC. The policy (``LateWork`` in course_config.py):
a deadline per assignment, per-student extensions, a grace period, and a
penalty per started day late, as a fraction of the assignment's maximum,
capped.
"""

import dataclasses
import datetime as dt
import json
import math
from pathlib import Path

from dateutil import parser as dateparser

TIMESTAMP = "timestamp.txt"
GRADESCOPE_METADATA = "submission_metadata.json"


class DeadlineError(ValueError):
    """A time that cannot be read; the message names where it came from."""


def parse_time(text, where):
    """An aware UTC datetime from ISO 8601 or nbgrader's '2027-03-01 12:00:00.000000 UTC'; DeadlineError otherwise."""
    try:
        value = dateparser.parse(str(text).strip())
    except (ValueError, OverflowError):
        raise DeadlineError(f"{where}: {str(text)[:80]!r} is not a date and time") from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


def submission_time(notebook):
    """When the submission holding this notebook was handed in, or None when no platform recorded it."""
    folder = Path(notebook).parent
    stamp = folder / TIMESTAMP
    if stamp.is_file():
        return parse_time(stamp.read_text(errors="replace"), stamp)
    meta = folder / GRADESCOPE_METADATA
    if meta.is_file():
        try:
            created = json.loads(meta.read_text())["created_at"]
        except (ValueError, KeyError, TypeError):
            raise DeadlineError(f"{meta}: no readable created_at") from None
        return parse_time(created, meta)
    return None


def gradescope_submitters(notebook):
    """The sids and emails of the submitters named in Gradescope's metadata beside the notebook ([] if none)."""
    meta = Path(notebook).parent / GRADESCOPE_METADATA
    try:
        users = json.loads(meta.read_text()).get("users", [])
    except (OSError, ValueError, AttributeError):
        return []
    return [str(u[k]) for u in users if isinstance(u, dict) for k in ("sid", "email") if u.get(k)]


@dataclasses.dataclass(frozen=True)
class Lateness:
    """How late one submission was and what it costs."""

    deadline: dt.datetime | None
    seconds_late: float  # 0 when on time (grace included) or when there is no deadline or time
    days_late: int  # started days counted from the deadline
    penalty: float  # points taken


@dataclasses.dataclass(frozen=True)
class Policy:
    """The late-work rules of one assignment."""

    deadline: dt.datetime | None
    extensions: dict  # roster id -> deadline
    grace: dt.timedelta
    per_day: float
    cap: float

    @classmethod
    def from_settings(cls, settings, assignment_id):
        """The policy of one assignment from the LateWork settings; DeadlineError names a bad setting."""
        if not 0 <= settings.penalty_per_day <= 1 or not 0 <= settings.penalty_cap <= 1 or settings.grace_minutes < 0:
            raise DeadlineError("LateWork.penalty_per_day and penalty_cap must lie in [0, 1] and grace_minutes be >= 0")
        deadline = settings.deadlines.get(assignment_id)
        where = f"LateWork.deadlines[{assignment_id!r}]"
        deadline = parse_time(deadline, where) if deadline else None
        extended = settings.extensions.get(assignment_id, {})
        if not isinstance(extended, dict):
            raise DeadlineError(f"LateWork.extensions[{assignment_id!r}] must map roster ids to deadlines")
        extensions = {
            str(s): parse_time(t, f"LateWork.extensions[{assignment_id!r}][{s!r}]") for s, t in sorted(extended.items())
        }
        grace = dt.timedelta(minutes=settings.grace_minutes)
        return cls(deadline, extensions, grace, settings.penalty_per_day, settings.penalty_cap)

    def lateness(self, student_id, submitted, max_score):
        """What a submission made at `submitted` (None: unknown) costs this student."""
        deadline = self.extensions.get(student_id, self.deadline)
        if deadline is None or submitted is None:
            return Lateness(deadline, 0.0, 0, 0.0)
        seconds = (submitted - deadline).total_seconds()
        if seconds <= self.grace.total_seconds():
            return Lateness(deadline, 0.0, 0, 0.0)
        days = math.ceil(seconds / 86400)
        penalty = round(min(self.cap, self.per_day * days) * max_score, 4)
        return Lateness(deadline, seconds, days, penalty)
