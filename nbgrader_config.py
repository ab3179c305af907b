"""nbgrader's own commands read this file; it loads course_config.py, so nbgrader and the kit share one configuration.

Keep using nbgrader for: generate_assignment (or `python -m autograder release`),
release_assignment, collect, formgrader (manual grading), generate_feedback and
release_feedback. `nbgrader autograde` is replaced: here it grades every
submission through the kit (see autograder/nbgrader_autograde.py), never by
running the public tests in the student's kernel. docs/gradebook.md has the
workflow.
"""

import os

c = get_config()  # noqa: F821 - injected by traitlets' config loader
load_subconfig("course_config.py")  # noqa: F821 - the one configuration file

# course_config.py names the gradebook relative to the course root, as the kit reads it; nbgrader would read it
# relative to wherever it runs and could not create its folder
_here = os.path.dirname(os.path.abspath(__file__))
_db = c.CourseDirectory.db_url
if _db.startswith("sqlite:///") and not _db[len("sqlite:///") :].startswith("/"):
    _path = os.path.join(_here, _db[len("sqlite:///") :])
    os.makedirs(os.path.dirname(_path), exist_ok=True)
    c.CourseDirectory.db_url = "sqlite:///" + _path
c.CourseDirectory.root = _here

# The kit's hidden-check scores live in a gradebook notebook of their own ("hidden_checks"); with nbgrader's
# default "*" generate_assignment would see a notebook missing from source/, delete release/<id>/ and stop.
# Every kit notebook is named after its assignment, NN_topic.
c.CourseDirectory.notebook_id = "[0-9][0-9]_*"
# after nbgrader regenerates an assignment, give its public tests 0 points again (they are not the grade)
c.GenerateAssignment.post_convert_hook = "autograder.gradebook.after_generate"
# nbgrader autograde grades through the kit instead of nbgrader's kernel. Its OverwriteCells step is left out:
# the kit takes locked cells from source/ itself, and that step would refuse the public tests' 0 points
# (their checksums were computed with the notebook's points).
c.Autograde.sanitize_preprocessors = [
    "nbgrader.preprocessors.ClearOutput",
    "nbgrader.preprocessors.DeduplicateIds",
    "nbgrader.preprocessors.OverwriteKernelspec",
    "nbgrader.preprocessors.CheckCellMetadata",
]
c.Autograde.autograde_preprocessors = ["autograder.nbgrader_autograde.GradeWithKit"]
