"""nbgrader's own commands read this file; it loads course_config.py, so nbgrader and the kit share one configuration.

Keep using nbgrader for: generate_assignment (or `python -m autograder release`),
release_assignment, collect, formgrader (manual grading), generate_feedback and
release_feedback. `nbgrader autograde` is replaced: here it grades every
submission through the kit (see autograder/nbgrader_autograde.py), never by
running the public tests in the student's kernel. docs/gradebook.md has the
workflow.
"""

c = get_config()  # noqa: F821 - injected by traitlets' config loader
load_subconfig("course_config.py")  # noqa: F821 - the one configuration file

# The kit's hidden-check scores live in a gradebook notebook of their own ("hidden_checks"); with nbgrader's
# default "*" generate_assignment would see a notebook missing from source/, delete release/<id>/ and stop.
# Every kit notebook is named after its assignment, NN_topic.
c.CourseDirectory.notebook_id = "[0-9][0-9]_*"
# after nbgrader regenerates an assignment, give its public tests 0 points again (they are not the grade)
c.GenerateAssignment.post_convert_hook = "autograder.gradebook.after_generate"
# nbgrader autograde grades through the kit instead of nbgrader's kernel
c.Autograde.autograde_preprocessors = ["autograder.nbgrader_autograde.GradeWithKit"]
