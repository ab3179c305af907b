"""One grade record per roster student for one assignment: raw score, manual points, late penalty, final score.

Built from the kit's stored results (``results/<submission>.json``), the
roster, the late-work policy and, where an instructor added manually graded
cells, the manual scores from nbgrader's gradebook. A roster student without
a result gets a zero record that says why; a submission that matches no
roster student is reported, never exported.
"""

import dataclasses
import datetime as dt

from autograder import deadlines, roster
from autograder.reports import exercises


@dataclasses.dataclass(frozen=True)
class GradeRecord:
    """What one student gets for one assignment, and why."""

    student: roster.Student
    assignment: str
    status: str  # "graded", "missing" (no submission: zero) or "ungraded" (submitted, no result: left blank)
    submission: str  # the submission's name ("" when missing)
    raw_score: float | None  # the kit's hidden checks
    manual_score: float  # points of manually graded cells (nbgrader formgrader)
    max_score: float
    submitted_at: dt.datetime | None
    deadline: dt.datetime | None
    days_late: int
    penalty: float
    final_score: float | None  # None: leave the LMS cell blank
    note: str  # the reason a student reads next to the score


@dataclasses.dataclass
class Sheet:
    """A class's records and what did not fit the roster."""

    assignment: str
    max_score: float
    records: list  # GradeRecord per roster student, roster order
    unknown: list  # submission names matching no roster student
    problems: list  # ambiguous or duplicate matches, in words


def submitted_at(result):
    """The hand-in time stored with a result (None when the platform recorded none)."""
    text = result.provenance.submitted_at
    return deadlines.parse_time(text, "submitted_at") if text else None


def notebook_problems(result):
    """The problems with the notebook that a result records (unreadable file, missing cells), in words."""
    return result.problems


def build(assignment_id, students, named, policy, aliases=None, manual=None, manual_max=0.0, pending=()):
    """The sheet of one assignment.

    `named` is {submission name: result}; `manual` {submission name: manual
    points} with `manual_max` their maximum; `pending` names submissions
    that were found but have no result (grading failed).
    """
    manual = manual or {}
    kit_max = sum(exercises(named).values()) if named else 0.0
    top = round(kit_max + manual_max, 4)
    names = sorted(set(named) | set(pending))
    submitters = {n: list(named[n].provenance.submitters or ()) for n in names if n in named}
    matching = roster.match(students, names, aliases, submitters)
    problems = [f"{n} could be any of {', '.join(ids)}; not exported" for n, ids in matching.ambiguous.items()]
    problems += [
        f"{sid} has several submissions ({', '.join(subs)}); not exported" for sid, subs in matching.claimed_twice.items()
    ]
    records = []
    for student in students:
        name = matching.by_student.get(student.id)
        if name is None or name not in named:
            ungraded = name is not None
            note = "submitted, but grading failed: regrade it" if ungraded else "no submission"
            if student.id in matching.claimed_twice:
                ungraded, note = True, "several submissions match this student: resolve with Roster.aliases"
            records.append(
                GradeRecord(
                    student=student,
                    assignment=assignment_id,
                    status="ungraded" if ungraded else "missing",
                    submission=name or "",
                    raw_score=None,
                    manual_score=0.0,
                    max_score=top,
                    submitted_at=None,
                    deadline=policy.lateness(student.id, None, top).deadline,
                    days_late=0,
                    penalty=0.0,
                    final_score=None if ungraded else 0.0,
                    note=note,
                )
            )
            continue
        result = named[name]
        raw = float(result.score)
        points = float(manual.get(name, 0.0))
        when = submitted_at(result)
        late = policy.lateness(student.id, when, top)
        earned = raw + points
        final = round(max(0.0, earned - late.penalty), 4)
        penalty = round(earned - final, 4)  # never more than was earned
        # a score lost to the notebook itself (unreadable, cells missing) says why, in the LMS too
        reasons = [f"{late.days_late} day(s) late: -{penalty:g}"] if late.days_late else []
        note = "; ".join(reasons + notebook_problems(result))
        problem = result.provenance.submitted_at_problem
        if problem and late.deadline is not None:
            problems.append(f"{name}: hand-in time unreadable, no late penalty applied ({problem})")
        records.append(
            GradeRecord(
                student=student,
                assignment=assignment_id,
                status="graded",
                submission=name,
                raw_score=raw,
                manual_score=points,
                max_score=top,
                submitted_at=when,
                deadline=late.deadline,
                days_late=late.days_late,
                penalty=penalty,
                final_score=final,
                note=note,
            )
        )
    return Sheet(assignment_id, top, records, matching.unknown, problems)
