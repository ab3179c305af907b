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
has exactly one per assignment, named after it).

The released notebook's own cells are aligned with the kit's points
(:func:`align_points`): its public test cells are the student's self-check,
not part of the grade, so they get 0 points there (nbgrader would otherwise add
them to the maximum, and formgrader and ``nbgrader export`` would understate
every percentage); manually graded answer cells an instructor added keep their
points, wait for formgrader and are read back by :func:`manual_scores`.
"""

from pathlib import Path

from nbgrader.api import Grade, Gradebook, MissingEntry, SubmittedNotebook

from autograder import notebooks
from autograder.reports import exercises
from autograder.settings import CONFIG_FILE, load_config

NOTEBOOK = "hidden_checks"


def course_gradebook(config=None):
    """(db_url, course_id) of the course's own gradebook, as course_config.py sets them."""
    config = config if config is not None else load_config()
    return config.CourseDirectory.db_url, config.CourseDirectory.get("course_id", "default_course")


def _public_tests(notebook):
    """The notebook's autograder test cells: grade cells that are not answers (solution cells)."""
    answers = {cell.name for cell in notebook.solution_cells}
    return [cell for cell in notebook.grade_cells if cell.name not in answers]


def _manual_cells(notebook):
    """The notebook's manually graded cells: graded answers (code or markdown) and tasks."""
    answers = {cell.name for cell in notebook.solution_cells}
    return [cell for cell in notebook.grade_cells if cell.name in answers] + list(notebook.task_cells)


def align_points(gb, assignment_id):
    """Give the released notebook's public test cells 0 points and 0 scores; manual cells keep theirs."""
    assignment = gb.find_assignment(assignment_id)
    for notebook in assignment.notebooks:
        if notebook.name == NOTEBOOK:
            continue
        for cell in _public_tests(notebook):
            cell.max_score = 0.0
            for grade in gb.db.query(Grade).filter(Grade.cell_id == cell.id):
                grade.auto_score, grade.needs_manual_grade = 0.0, False
        manual = {cell.id for cell in _manual_cells(notebook)}
        if manual:  # answers nbgrader's own autograde never saw still wait for formgrader
            for grade in gb.db.query(Grade).filter(Grade.cell_id.in_(manual), Grade.manual_score.is_(None)):
                grade.needs_manual_grade = True
    gb.db.commit()


def align_course(assignment_ids, db_url, course_id="default_course"):
    """align_points for each assignment the gradebook knows (after nbgrader regenerated them)."""
    notebooks._put_interpreter_bin_on_path()
    with Gradebook(db_url, course_id=course_id) as gb:
        known = {a.name for a in gb.assignments}
        for assignment_id in assignment_ids:
            if assignment_id in known:
                align_points(gb, assignment_id)


def after_generate(assignment=None, **_):
    """nbgrader's GenerateAssignment post_convert_hook (see nbgrader_config.py): keep the kit's points.

    nbgrader runs it inside the course root, whose course_config.py names the gradebook.
    """
    here = Path.cwd()
    db_url, course_id = course_gradebook(load_config(here) if (here / CONFIG_FILE).is_file() else None)
    align_course([assignment], db_url, course_id)


def manual_scores(assignment_id, db_url, course_id="default_course"):
    """({student: manual points}, maximum, {student: cells still to grade}) from formgrader's manual grades."""
    notebooks._put_interpreter_bin_on_path()
    with Gradebook(db_url, course_id=course_id) as gb:
        try:
            assignment = gb.find_assignment(assignment_id)
        except MissingEntry:
            return {}, 0.0, {}
        cells = [c for nb in assignment.notebooks if nb.name != NOTEBOOK for c in _manual_cells(nb)]
        top = sum(c.max_score for c in cells)
        scores, pending = {}, {}
        ids = {c.id for c in cells}
        for submission in assignment.submissions:
            student = submission.student_id
            for nb in submission.notebooks:
                for grade in nb.grades:
                    if grade.cell_id not in ids:
                        continue
                    scores[student] = scores.get(student, 0.0) + float(grade.score or 0.0)
                    if grade.needs_manual_grade:
                        pending.setdefault(student, []).append(grade.name)
        return scores, float(top), pending


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
            scores = result.per_exercise()
            for exercise, cell in cells.items():
                try:
                    grade = gb.find_grade(exercise, NOTEBOOK, assignment_id, student)
                except MissingEntry:  # an exercise added since the last export
                    grade = Grade(cell_id=cell.id, notebook=submitted)
                    gb.db.add(grade)
                grade.auto_score = scores[exercise][0] if exercise in scores else 0.0
                grade.needs_manual_grade = False
            gb.db.commit()
        align_points(gb, assignment_id)
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
