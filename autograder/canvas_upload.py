"""Post one assignment's final scores to Canvas through its API (canvasapi), when a token is configured.

One bulk update (``POST .../submissions/update_grades``) carries every
graded and missing student's score and note, keyed by the roster's
``lms_id`` (Canvas's user id); then the Canvas progress object is polled
until the job finishes. Every request has a time limit (``Canvas.timeout``)
and polling a bounded number of tries, so an unreachable server fails the
command instead of hanging it. Students without a final score or an LMS id
are left out and reported.
"""

import dataclasses
import os
import time

import requests


class UploadError(RuntimeError):
    """Canvas refused or could not be reached; nothing in the kit's outputs changed."""


@dataclasses.dataclass
class Upload:
    """What was sent and what was left out."""

    sent: dict  # lms_id -> {"posted_grade": ..., "text_comment": ...}
    skipped: dict  # roster id -> why
    state: str  # Canvas's final workflow_state of the job


class _BoundedSession(requests.Session):
    """A requests session whose every request has a time limit."""

    def __init__(self, timeout):
        super().__init__()
        self.limit = timeout

    def request(self, *args, **kwargs):
        kwargs.setdefault("timeout", self.limit)
        return super().request(*args, **kwargs)


def token(settings, environ=os.environ):
    """The API token from the environment variable the Canvas settings name ('' when unset)."""
    return environ.get(settings.token_env, "").strip()


def grade_data(sheet):
    """({lms_id: grade}, {roster id: why skipped}) for a bulk update."""
    data, skipped = {}, {}
    for record in sheet.records:
        if record.final_score is None:
            skipped[record.student.id] = record.note or "no final score"
        elif not record.student.lms_id:
            skipped[record.student.id] = "no lms_id in the roster"
        else:
            grade = {"posted_grade": f"{record.final_score:g}"}
            if record.note:
                grade["text_comment"] = record.note
            data[record.student.lms_id] = grade
    return data, skipped


def upload(sheet, settings, api_token, canvas_assignment_id, polls=60, interval=1.0):
    """Send the sheet's final scores to the Canvas assignment; UploadError says why it did not work."""
    from canvasapi import Canvas
    from canvasapi.exceptions import CanvasException

    if not settings.url or not settings.course_id or not canvas_assignment_id:
        raise UploadError("set Canvas.url, Canvas.course_id and Canvas.assignments in course_config.py")
    if not api_token:
        raise UploadError(f"no Canvas token: set the environment variable {settings.token_env}")
    data, skipped = grade_data(sheet)
    canvas = Canvas(settings.url, api_token)
    canvas._Canvas__requester._session = _BoundedSession(settings.timeout)  # canvasapi sets no timeout of its own
    try:
        assignment = canvas.get_course(settings.course_id).get_assignment(canvas_assignment_id)
        progress = assignment.submissions_bulk_update(grade_data=data)
        for _ in range(polls):
            if progress.workflow_state in ("completed", "failed"):
                break
            time.sleep(interval)
            progress = progress.query()
    except (CanvasException, requests.RequestException) as exc:
        raise UploadError(f"Canvas at {settings.url}: {type(exc).__name__}: {exc}") from None
    if progress.workflow_state != "completed":
        raise UploadError(f"Canvas's grading job ended {progress.workflow_state!r}: {getattr(progress, 'message', '')}")
    return Upload(data, skipped, progress.workflow_state)
