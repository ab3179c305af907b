"""The course's one configuration file: nbgrader's settings and the kit's, in traitlets form.

nbgrader never reads this file by itself (there is no nbgrader_config.py on
purpose); ``autograder.settings.load_config`` loads it and passes the result to
nbgrader's classes and to the kit's ``Grading`` settings.
"""

import os

c = get_config()  # noqa: F821 - injected by traitlets' config loader

# --- nbgrader ------------------------------------------------------------------
c.CourseDirectory.course_id = "d2l-pytorch"
c.CourseDirectory.source_directory = "source"
c.CourseDirectory.release_directory = "release"
c.CourseDirectory.submitted_directory = "submitted"
c.CourseDirectory.db_url = "sqlite:///build/gradebook.db"  # relative to the course root
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.begin_solution_delimeter = "BEGIN SOLUTION"
c.ClearSolutions.end_solution_delimeter = "END SOLUTION"
c.Execute.timeout = 300  # nbgrader autograde's per-cell limit, in seconds

# --- grading -------------------------------------------------------------------
c.Grading.device = os.environ.get("COURSE_KIT_DEVICE", "auto")
c.Grading.data_root = "data"  # real data sets, e.g. data/FashionMNIST/raw/*-ubyte
c.Grading.secret = os.environ.get("COURSE_KIT_SECRET", "d2l-course-kit-development-secret")
c.Grading.cell_timeout = 60.0
c.Grading.check_timeout = 60.0
c.Grading.submission_timeout = 900.0
c.Grading.worker_memory_mb = 6144
c.Grading.max_notebook_mb = 25.0
c.Grading.max_message_mb = 256

# Accuracy thresholds, calibrated on the reference over several seeds
# (python -m autograder calibrate prints the figures), with a margin.
c.Grading.thresholds = {
    "03_softmax_regression.digits_accuracy": 0.80,
}
