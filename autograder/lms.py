"""The export step: roster, late-work policy and manual points turned into one assignment's LMS files.

Reads the settings of course_config.py (``Roster``, ``LateWork``, ``Canvas``),
the manual scores of nbgrader's gradebook when it exists, builds the
:class:`~autograder.gradesheet.Sheet` and writes ``lms/<assignment>.canvas.csv``,
``.moodle.csv`` and ``.gradesheet.csv`` under the output folder. Unknown
submitters and unmatched students are reported on stderr.
"""

import sys
from pathlib import Path

from autograder import deadlines, exports, gradesheet, roster
from autograder.settings import Canvas, LateWork, Roster, load_config

LMS_DIR = "lms"


class ExportError(ValueError):
    """The roster, a deadline or the gradebook cannot be used; the message says which and why."""


def roster_path(config=None, override=None):
    """The roster CSV in effect (Path) or None when the course has none."""
    config = config if config is not None else load_config()
    chosen = override or Roster(config=config).path
    if not chosen:
        return None
    path = Path(chosen)
    return path if path.is_absolute() else Path(config.CourseDirectory.root) / path


def _manual(assignment_id, db_url):
    from autograder import gradebook

    prefix = "sqlite:///"
    if not db_url or (db_url.startswith(prefix) and not Path(db_url[len(prefix) :]).is_file()):
        return {}, 0.0, {}  # no gradebook yet: nothing was graded by hand
    _, course_id = gradebook.course_gradebook()
    return gradebook.manual_scores(assignment_id, db_url, course_id)


def sheet(assignment_id, named, pending=(), db_url=None, config=None, roster_file=None, warn=print):
    """The grade sheet of one assignment; ExportError for a bad roster or deadline."""
    config = config if config is not None else load_config()
    path = roster_path(config, roster_file)
    if path is None:
        raise ExportError("no roster: set Roster.path in course_config.py or pass --roster")
    try:
        students = roster.read(path)
        policy = deadlines.Policy.from_settings(LateWork(config=config), assignment_id)
    except (roster.RosterError, deadlines.DeadlineError) as exc:
        raise ExportError(str(exc)) from None
    manual, manual_max, waiting = _manual(assignment_id, db_url)
    built = gradesheet.build(
        assignment_id,
        students,
        named,
        policy,
        aliases=Roster(config=config).aliases,
        manual=manual,
        manual_max=manual_max,
        pending=pending,
    )
    for name in built.unknown:
        warn(f"roster: submission {name!r} matches no student of {path.name}; not exported")
    for problem in built.problems:
        warn(f"roster: {problem}")
    for student, cells in sorted(waiting.items()):
        warn(f"gradebook: {student} has {len(cells)} answer(s) still to grade in formgrader")
    return built


def export_sheet(out, assignment_id, named, pending=(), db_url=None, config=None, roster_file=None, folder=None):
    """Write the LMS files of one assignment under out/lms/ (or `folder`); returns (sheet, {what: path})."""
    config = config if config is not None else load_config()

    def warn(text):
        print(text, file=sys.stderr)

    built = sheet(assignment_id, named, pending, db_url, config, roster_file, warn)
    canvas_id = Canvas(config=config).assignments.get(assignment_id)
    return built, exports.write_all(Path(folder) if folder else Path(out) / LMS_DIR, built, canvas_id)
