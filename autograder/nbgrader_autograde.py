"""Grade under `nbgrader autograde` with the kit's hidden checks instead of nbgrader's kernel.

nbgrader_config.py puts :class:`GradeWithKit` in place of nbgrader's autograde
preprocessors. nbgrader still sanitizes the submission (locked cells from the
gradebook, outputs cleared) and records the submission and its timestamp; this
preprocessor then grades the notebook with the kit (the worker in its sandbox,
the hidden checks in this process) and records the scores in the gradebook
exactly as ``grade --gradebook`` does. When the kit cannot grade, it raises,
so nbgrader reports the submission as failed instead of keeping a wrong score.
"""

import nbformat
from nbgrader.preprocessors.base import NbGraderPreprocessor

from autograder import course, gradebook


class KitGradingFailed(RuntimeError):
    """The kit could not grade a submission under nbgrader autograde."""


class GradeWithKit(NbGraderPreprocessor):
    """Grade the sanitized notebook with the kit and record its scores in nbgrader's gradebook."""

    # NbGraderPreprocessor: enabled by default (an nbconvert Preprocessor registered by name would be skipped)

    def preprocess(self, nb, resources):
        from autograder.grade import GraderError, grade_bytes

        info = resources["nbgrader"]
        student, assignment_id = info["student"], info["assignment"]
        try:
            assignment = course.get(assignment_id)
            result, internal = grade_bytes(nbformat.writes(nb).encode(), assignment)
        except (course.UnknownAssignment, GraderError) as exc:
            raise KitGradingFailed(
                f"the kit could not grade {student}/{assignment_id}: {exc}; "
                f"grade with: python -m autograder grade submitted/ -a {assignment_id} --out grades/ --gradebook"
            ) from None
        if internal:
            raise KitGradingFailed(f"a check crashed while grading {student}/{assignment_id}:\n{internal[0]}")
        result = result.stamped(student=student, assignment=assignment_id, graded_by="nbgrader autograde")
        _, course_id = gradebook.course_gradebook()
        gradebook.export({student: result}, assignment_id, info["db_url"], course_id)
        resources.setdefault("kit", {})["result"] = result.to_json()
        self.log.info("%s/%s: %g / %g by the kit's hidden checks", student, assignment_id, result.score, result.max_score)
        return nb, resources
