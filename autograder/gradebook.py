"""Put a class's scores into nbgrader's gradebook, so that formgrader and `nbgrader export` show them.

The hidden checks are not cells of the student notebook, so their scores live
in a notebook of their own inside the assignment, :data:`NOTEBOOK`, with one
grade cell per exercise (named by the exercise's solution cell grade_id, max
score = the exercise's points). Keeping them out of the released notebook's
own record means `python -m autograder release` keeps working after grades are
exported (nbgrader refuses to add or remove cells of a notebook that has
submissions). Grades are auto scores that need no manual grading; exporting
again updates them in place.

nbgrader's GenerateAssignment, run with its default ``notebook_id = "*"``,
refuses to touch an assignment whose set of notebooks differs from source/
once it has submissions; regenerating an exported assignment therefore needs
``CourseDirectory.notebook_id`` set to the assignment's own notebook (the kit
has exactly one per assignment, named after it). Grade rows of the released
notebook's own (public test) cells are left as nbgrader makes them.
"""

from nbgrader.api import Grade, Gradebook, MissingEntry, SubmittedNotebook

from autograder import notebooks
from autograder.reports import exercises
from autograder.results import per_exercise
from autograder.settings import load_config

NOTEBOOK = "hidden_checks"


def course_gradebook(config=None):
    """(db_url, course_id) of the course's own gradebook, as course_config.py sets them."""
    config = config if config is not None else load_config()
    return config.CourseDirectory.db_url, config.CourseDirectory.get("course_id", "default_course")


def export(named, assignment_id, db_url, course_id="default_course"):
    """Record {student: result} as auto-graded scores of `assignment_id`; returns the number of students."""
    notebooks._put_interpreter_bin_on_path()  # a new gradebook is stamped by running `alembic`
    maxima = exercises(named)
    with Gradebook(db_url, course_id=course_id) as gb:
        gb.update_or_create_assignment(assignment_id)
        try:
            notebook = gb.find_notebook(NOTEBOOK, assignment_id)
        except MissingEntry:
            notebook = gb.add_notebook(NOTEBOOK, assignment_id)
        cells = {
            exercise: gb.update_or_create_grade_cell(exercise, NOTEBOOK, assignment_id, max_score=top, cell_type="code")
            for exercise, top in maxima.items()
        }
        for student, result in named.items():
            gb.update_or_create_student(student)
            submission = gb.update_or_create_submission(assignment_id, student)
            try:
                submitted = gb.find_submission_notebook(NOTEBOOK, assignment_id, student)
            except MissingEntry:  # a submission made before this notebook existed (e.g. by nbgrader autograde)
                submitted = SubmittedNotebook(notebook=notebook, assignment=submission)
                gb.db.add(submitted)
                gb.db.commit()
            scores = per_exercise(result)
            for exercise, cell in cells.items():
                try:
                    grade = gb.find_grade(exercise, NOTEBOOK, assignment_id, student)
                except MissingEntry:  # an exercise added since the last export
                    grade = Grade(cell_id=cell.id, notebook=submitted)
                    gb.db.add(grade)
                grade.auto_score = scores[exercise][0] if exercise in scores else 0.0
                grade.needs_manual_grade = False
            gb.db.commit()
    return len(named)


def read_scores(assignment_id, db_url, course_id="default_course"):
    """{student: {exercise: score}} of the hidden-check grades, read back through nbgrader's Gradebook API."""
    notebooks._put_interpreter_bin_on_path()
    with Gradebook(db_url, course_id=course_id) as gb:
        notebook = gb.find_notebook(NOTEBOOK, assignment_id)
        names = [cell.name for cell in notebook.grade_cells]
        found = {}
        for student in gb.students:
            try:
                gb.find_submission_notebook(NOTEBOOK, assignment_id, student.id)
            except MissingEntry:
                continue
            found[student.id] = {name: gb.find_grade(name, NOTEBOOK, assignment_id, student.id).score for name in names}
        return found
