"""A generated class of 32 roster students (missing, late, extended, unknown and regraded submissions) read back
through each target's own rules: Canvas's and Moodle's import CSV layouts, nbgrader's Gradebook API and
`nbgrader export`, a fake Canvas API. The results are synthesised in the kit's own results format, so
nothing here grades a notebook.
"""

import csv
import dataclasses
import datetime as dt
import http.server
import io
import json
import random
import re
import shutil
import subprocess
import sys
import threading
import urllib.parse

import pytest

from autograder import canvas_upload, classroom, deadlines, exports, feedback_delivery, gradesheet, results, roster
from autograder.cli import main
from autograder.settings import ROOT, Canvas, LateWork, load_config

ASSIGNMENT = "03_softmax_regression"
EXERCISES = {"softmax": 5.0, "cross_entropy": 4.0, "accuracy": 4.0, "digits": 6.0}  # 19 points, like the kit's 03
DEADLINE = dt.datetime(2027, 3, 1, 23, 59, tzinfo=dt.UTC)
SIZE = 32


def result_for(student, scores, submitted_at=None):
    """A Result as grade_class writes it, with these per-exercise scores."""
    checks = []
    for exercise, top in EXERCISES.items():
        got = scores[exercise]
        for half in (1, 2):  # two checks per exercise
            checks.append(
                results.CheckRecord(
                    check=f"test_{exercise}_{half}",
                    exercise=exercise,
                    title=f"check {half}",
                    max_score=top / 2,
                    score=got / 2,
                    passed=got == top,
                    feedback="" if got == top else f"{exercise} is off: did you sum over the right dimension?",
                    seconds=0.1,
                )
            )
    result = results.Result.of(checks)
    return result.stamped(
        sandbox=None,
        student=student,
        assignment=ASSIGNMENT,
        submission_sha256="0" * 64,
        fingerprint="f" * 64,
        submitted_at=submitted_at.isoformat() if submitted_at else None,
    )


def make_class(folder):
    """Roster CSV, results/ under out/, and the expected final score of every roster student."""
    rng = random.Random(16)
    rows = [["id", "name", "email", "lms_id", "section", "login"]]
    for i in range(SIZE):
        name = '=HYPERLINK("http://x")' if i == 7 else f"Student {i:02d}, Jr" if i == 8 else f"Student {i:02d}"
        rows.append([f"s{i:02d}", name, f"s{i:02d}@uni.edu", str(1000 + i), "AB"[i % 2], f"login{i:02d}"])
    roster_csv = folder / "roster.csv"
    with open(roster_csv, "w", newline="") as handle:
        csv.writer(handle).writerows(rows)
    out = folder / "out"
    late = {  # roster id -> hand-in time
        "s01": DEADLINE - dt.timedelta(hours=3),
        "s02": DEADLINE + dt.timedelta(minutes=10),  # inside the 15-minute grace
        "s03": DEADLINE + dt.timedelta(days=2),  # extended to +3 days: on time
        "s04": DEADLINE + dt.timedelta(days=1, hours=12),  # 2 started days: 20%
        "s05": DEADLINE + dt.timedelta(days=10),  # capped at 50%
    }
    expected, submitted = {}, {}
    for i in range(SIZE - 6):  # s26..s31 hand in nothing
        sid = f"s{i:02d}"
        name = {5: "s05@uni.edu", 9: "Nine_Alias"}.get(i, sid)  # one by email, one by an alias
        scores = {e: float(rng.randint(0, int(top))) for e, top in EXERCISES.items()}
        if i == 0:
            scores = dict(EXERCISES)
        result = result_for(name, scores, late.get(sid, DEADLINE - dt.timedelta(days=1)))
        results.write(classroom.result_path(out, name), result)
        submitted[sid] = name
        raw = sum(scores.values())
        penalty = {"s04": 0.2 * 19, "s05": 0.5 * 19}.get(sid, 0.0)
        expected[sid] = round(max(0.0, raw - penalty), 4)
    for stranger in ("stranger", "ghost"):
        results.write(classroom.result_path(out, stranger), result_for(stranger, dict(EXERCISES)))
    for i in range(SIZE - 6, SIZE):
        expected[f"s{i:02d}"] = 0.0
    return roster_csv, out, expected, submitted


def configured(roster_csv):
    config = load_config()
    config.Roster.path = str(roster_csv)
    config.Roster.aliases = {"Nine_Alias": "s09"}
    config.LateWork.deadlines = {ASSIGNMENT: DEADLINE.isoformat()}
    config.LateWork.grace_minutes = 15.0
    config.LateWork.penalty_per_day = 0.1
    config.LateWork.penalty_cap = 0.5
    config.LateWork.extensions = {ASSIGNMENT: {"s03": (DEADLINE + dt.timedelta(days=3)).isoformat()}}
    config.Canvas.assignments = {ASSIGNMENT: 4321}
    return config


@pytest.fixture
def klass(tmp_path):
    roster_csv, out, expected, submitted = make_class(tmp_path)
    config = configured(roster_csv)
    named = classroom.class_results(out, ASSIGNMENT)
    policy = deadlines.Policy.from_settings(LateWork(config=config), ASSIGNMENT)
    sheet = gradesheet.build(ASSIGNMENT, roster.read(roster_csv), named, policy, aliases=config.Roster.aliases)
    return {
        "folder": tmp_path,
        "out": out,
        "config": config,
        "named": named,
        "sheet": sheet,
        "expected": expected,
        "submitted": submitted,
        "roster": roster_csv,
    }


def test_the_sheet_has_every_roster_student_once_with_reasons(klass):
    sheet = klass["sheet"]
    assert len(sheet.records) == SIZE and sheet.max_score == 19
    assert {r.student.id: r.final_score for r in sheet.records} == klass["expected"]
    assert sheet.unknown == ["ghost", "stranger"]
    by_id = {r.student.id: r for r in sheet.records}
    assert by_id["s30"].status == "missing" and by_id["s30"].note == "no submission" and by_id["s30"].raw_score is None
    assert by_id["s04"].days_late == 2 and by_id["s04"].penalty == 3.8 and "2 day(s) late" in by_id["s04"].note
    assert by_id["s05"].penalty == 9.5 or by_id["s05"].final_score == 0.0
    assert by_id["s03"].penalty == 0 and by_id["s03"].deadline == DEADLINE + dt.timedelta(days=3)
    assert by_id["s02"].penalty == 0 and by_id["s09"].submission == "Nine_Alias" and by_id["s05"].submission == "s05@uni.edu"
    for r in sheet.records:
        if r.status == "graded":
            assert r.raw_score == klass["named"][r.submission].score
            assert r.final_score == round(r.raw_score + r.manual_score - r.penalty, 4)


def read_canvas(text):
    """Canvas's gradebook import rules: 5 identity columns, 'Name (id)' assignment columns, a Points Possible row."""
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[0][:5] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
    columns = {}
    for index, title in enumerate(rows[0][5:], start=5):
        match = re.fullmatch(r"(.+) \((\d+)\)", title)
        assert match, f"{title!r} names no Canvas assignment id"
        columns[index] = (match[1], int(match[2]))
    assert rows[1][0].strip() == "Points Possible" and not any(rows[1][1:5])
    points = {columns[i]: float(rows[1][i]) for i in columns}
    grades = {}
    for row in rows[2:]:
        assert len(row) == len(rows[0]) and row[1].isdigit(), row
        grades[int(row[1])] = {columns[i]: (float(row[i]) if row[i] != "" else None) for i in columns} | {"sis": row[2]}
    return points, grades


def read_moodle(text, students):
    """Moodle's CSV grade import rules: the mapped user field must find a user on every row; grades are numbers, '-' none."""
    rows = list(csv.reader(io.StringIO(text, newline="")))
    header = [h.strip() for h in rows[0]]
    who, grade, feedback = header.index("Email address"), header.index(ASSIGNMENT), header.index(f"{ASSIGNMENT} (Feedback)")
    users = {s.email: s.id for s in students}
    found = {}
    for row in rows[1:]:
        value = row[who].strip()
        assert value and value in users, f"Moodle stops the import: no user with email {value!r}"
        cell = row[grade].strip()
        found[users[value]] = (None if cell in ("", "-") else float(cell), row[feedback])
    return found


def test_canvas_and_moodle_files_read_back_to_the_kits_totals(klass, tmp_path):
    written = exports.write_all(tmp_path / "lms", klass["sheet"], canvas_id=4321)
    points, grades = read_canvas(written["canvas"].read_text())
    assert points == {(ASSIGNMENT, 4321): 19.0}
    students = roster.read(klass["roster"])
    lms = {int(s.lms_id): s.id for s in students}
    assert {lms[k]: v[(ASSIGNMENT, 4321)] for k, v in grades.items()} == klass["expected"]
    assert all(v["sis"] == lms[k] for k, v in grades.items())
    moodle = read_moodle(written["moodle"].read_text(), students)
    assert {k: v[0] for k, v in moodle.items()} == klass["expected"]
    assert moodle["s30"][1] == "no submission" and "late" in moodle["s04"][1]
    text = written["canvas"].read_text()
    assert "'=HYPERLINK" in text and '"Student 08, Jr"' in text, "formulas defused, commas quoted"
    with open(written["sheet"], newline="") as handle:
        sheet_rows = {row["id"]: row for row in csv.DictReader(handle)}
    assert float(sheet_rows["s04"]["raw_score"]) - float(sheet_rows["s04"]["penalty"]) == float(
        sheet_rows["s04"]["final_score"]
    )


def test_text_cells_defuse_every_formula_prefix():
    for prefix in ("=", "+", "-", "@", "\t", "\r"):
        assert exports.text_cell(prefix + "1+1") == "'" + prefix + "1+1"
    assert exports.text_cell("Ann") == "Ann" and exports.number_cell(13.5) == "13.5" and exports.number_cell(None, "-") == "-"


def test_a_submission_whose_grading_failed_is_left_blank_not_zero(klass):
    config = klass["config"]
    policy = deadlines.Policy.from_settings(LateWork(config=config), ASSIGNMENT)
    named = {k: v for k, v in klass["named"].items() if k != "s11"}
    sheet = gradesheet.build(ASSIGNMENT, roster.read(klass["roster"]), named, policy, pending=["s11"])
    record = next(r for r in sheet.records if r.student.id == "s11")
    assert record.status == "ungraded" and record.final_score is None and "grading failed" in record.note
    _, grades = read_canvas(exports.canvas_csv(sheet, 4321))
    assert grades[1011][(ASSIGNMENT, 4321)] is None


def test_a_score_lost_to_an_unreadable_notebook_says_why_in_the_lms(klass):
    config = klass["config"]
    policy = deadlines.Policy.from_settings(LateWork(config=config), ASSIGNMENT)
    named = dict(klass["named"])
    unreadable = results.Result.of([], ["your notebook could not be read: the file is not valid JSON"])
    unreadable = dataclasses.replace(unreadable, provenance=named["s11"].provenance)
    named["s11"] = unreadable
    sheet = gradesheet.build(ASSIGNMENT, roster.read(klass["roster"]), named, policy)
    record = next(r for r in sheet.records if r.student.id == "s11")
    assert record.final_score == 0 and record.note == "your notebook could not be read: the file is not valid JSON"
    moodle = list(csv.reader(io.StringIO(exports.moodle_csv(sheet))))
    assert [row[-1] for row in moodle if row[0] == "s11"] == [record.note]
    assert all("notebook" not in r.note for r in sheet.records if r.student.id != "s11")


def test_regrading_one_student_rebuilds_class_outputs_from_every_stored_result(klass):
    out = klass["out"]
    before = classroom.class_results(out, ASSIGNMENT)
    redone = result_for("s01", dict(EXERCISES))  # a regrade of one student, as grade_class writes it
    results.write(classroom.result_path(out, "s01"), redone)
    other = dataclasses.replace(redone, provenance=results.Provenance(assignment="01_preliminaries"))
    results.write(classroom.result_path(out, "other"), other)
    notes = []
    after = classroom.class_results(out, ASSIGNMENT, notes)
    assert set(after) == set(before) and after["s01"] == redone and "other" in notes[0]
    from autograder import reports

    reports.write_all(out, ASSIGNMENT, after)
    with open(out / "grades.csv", newline="") as handle:
        rows = {row["student"]: float(row["total"]) for row in csv.DictReader(handle)}
    assert len(rows) == len(before) == SIZE - 6 + 2 and rows["s01"] == 19
    policy = deadlines.Policy.from_settings(LateWork(config=klass["config"]), ASSIGNMENT)
    sheet = gradesheet.build(ASSIGNMENT, roster.read(klass["roster"]), after, policy, aliases=klass["config"].Roster.aliases)
    _, grades = read_canvas(exports.canvas_csv(sheet, 4321))
    assert {k - 1000: v[(ASSIGNMENT, 4321)] for k, v in grades.items()} == {
        int(sid[1:]): 19.0 if sid == "s01" else score for sid, score in klass["expected"].items()
    }, "the regraded student changed, nobody else did"


def test_the_export_command_writes_lms_files_and_reports_unknown_submitters(klass, monkeypatch, capsys):
    config = klass["config"]
    monkeypatch.setattr("autograder.lms.load_config", lambda *a: config)
    monkeypatch.setattr("autograder.settings.load_config", lambda *a: config)
    monkeypatch.setattr("autograder.gradebook.load_config", lambda *a: config)
    config.CourseDirectory.db_url = f"sqlite:///{klass['folder'] / 'none.db'}"  # no gradebook: no manual points
    assert main(["export", str(klass["out"]), "-a", ASSIGNMENT]) == 0
    captured = capsys.readouterr()
    assert "32 roster students (26 graded, 6 missing, 0 not graded), 2 unknown submitters" in captured.out
    assert "'ghost' matches no student" in captured.err
    _, grades = read_canvas((klass["out"] / "lms" / f"{ASSIGNMENT}.canvas.csv").read_text())
    assert len(grades) == SIZE
    elsewhere = klass["folder"] / "to-lms"
    assert main(["export", str(klass["out"]), "-a", ASSIGNMENT, "--lms-dir", str(elsewhere)]) == 0
    assert sorted(p.name for p in elsewhere.iterdir()) == [f"{ASSIGNMENT}.{k}.csv" for k in ("canvas", "gradesheet", "moodle")]
    config.Roster.path = str(klass["folder"] / "missing.csv")
    assert main(["export", str(klass["out"]), "-a", ASSIGNMENT]) == 2
    assert "roster file does not exist" in capsys.readouterr().err
    assert main(["export", str(klass["folder"]), "-a", ASSIGNMENT]) == 2


# --- feedback for nbgrader's release_feedback ----------------------------------------------------


def test_feedback_lands_where_release_feedback_looks(klass):
    root = klass["folder"] / "course"
    named = {k: v for k, v in klass["named"].items() if k in ("s04", "s01")}
    for student in named:
        folder = root / "submitted" / student / ASSIGNMENT
        folder.mkdir(parents=True)
        (folder / f"{ASSIGNMENT}.ipynb").write_text("{}")
        (folder / "timestamp.txt").write_text("2027-03-03 11:59:00 UTC")
        if student == "s04":
            (folder / "submission_secret.txt").write_text("secret-s04")
    records = {r.submission: r for r in klass["sheet"].records if r.submission in named}
    done = feedback_delivery.deliver(root, ASSIGNMENT, named, records)
    page = root / "feedback" / "s04" / ASSIGNMENT / f"{ASSIGNMENT}.html"
    assert page in done.written and (page.parent / "submission_secret.txt").read_text() == "secret-s04"
    text = page.read_text()
    assert "late by 2 day(s): -3.8" in text and "final score" in text and "<script" not in text
    assert list(done.unreleasable) == ["s01"] and "submission_secret.txt" in done.unreleasable["s01"]

    from nbgrader.coursedir import CourseDirectory
    from nbgrader.exchange.default.release_feedback import ExchangeReleaseFeedback
    from nbgrader.utils import notebook_hash

    exchange = klass["folder"] / "exchange"
    exchange.mkdir()
    exchange.chmod(0o777)  # nbgrader's exchange is a world-writable folder
    config = load_config()
    config.CourseDirectory.root = str(root)
    config.Exchange.root = str(exchange)
    coursedir = CourseDirectory(config=config)
    coursedir.assignment_id, coursedir.student_id = ASSIGNMENT, "s04"
    ExchangeReleaseFeedback(coursedir=coursedir, config=config).start()
    released = list((exchange / config.CourseDirectory.course_id / "feedback").glob("*.html"))
    assert [p.name for p in released] == [f"{notebook_hash(secret='secret-s04', notebook_id=ASSIGNMENT)}.html"]


# --- the Canvas API, against a local fake -------------------------------------------------------


class FakeCanvas(http.server.BaseHTTPRequestHandler):
    """Enough of Canvas's REST API for one bulk grade update; records what it was sent."""

    posted = []
    token = "t0ken"

    def log_message(self, *args):
        pass

    def _reply(self, code, body):
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _authorised(self):
        if self.headers.get("Authorization") != f"Bearer {self.token}":
            self._reply(401, {"errors": [{"message": "Invalid access token."}]})
            return False
        return True

    def do_GET(self):
        if not self._authorised():
            return
        if m := re.fullmatch(r"/api/v1/courses/(\d+)", self.path.split("?")[0]):
            return self._reply(200, {"id": int(m[1]), "name": "d2l"})
        if m := re.fullmatch(r"/api/v1/courses/(\d+)/assignments/(\d+)", self.path.split("?")[0]):
            return self._reply(200, {"id": int(m[2]), "course_id": int(m[1]), "name": ASSIGNMENT})
        if m := re.fullmatch(r"/api/v1/progress/(\d+)", self.path):
            return self._reply(200, {"id": int(m[1]), "workflow_state": "completed"})
        self._reply(404, {"errors": [{"message": "not found"}]})

    def do_POST(self):
        if not self._authorised():
            return
        length = int(self.headers.get("Content-Length", 0))
        assert length < 2**20
        form = urllib.parse.parse_qs(self.rfile.read(length).decode())
        FakeCanvas.posted.append((self.path, form))
        self._reply(200, {"id": 77, "workflow_state": "queued", "url": "http://127.0.0.1/api/v1/progress/77"})


@pytest.fixture
def fake_canvas():
    FakeCanvas.posted = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), FakeCanvas)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_canvas_upload_posts_every_final_score_by_lms_id(klass, fake_canvas):
    config = klass["config"]
    config.Canvas.url, config.Canvas.course_id, config.Canvas.timeout = fake_canvas, 9, 5.0
    settings = Canvas(config=config)
    with pytest.warns(UserWarning, match="HTTP"):  # canvasapi warns about http:// (a real Canvas is https)
        done = canvas_upload.upload(klass["sheet"], settings, "t0ken", 4321, interval=0.0)
    assert done.state == "completed" and not done.skipped
    ((path, form),) = FakeCanvas.posted
    assert path == "/api/v1/courses/9/assignments/4321/submissions/update_grades"
    posted = {}
    for key, (value,) in form.items():
        m = re.fullmatch(r"grade_data\[(\d+)\]\[(\w+)\]", key)
        posted.setdefault(int(m[1]), {})[m[2]] = value
    lms = {int(s.lms_id): s.id for s in roster.read(klass["roster"])}
    assert {lms[k]: float(v["posted_grade"]) for k, v in posted.items()} == klass["expected"]
    assert posted[1030]["text_comment"] == "no submission"


def test_canvas_upload_failures_are_clear_and_bounded(klass, fake_canvas):
    config = klass["config"]
    config.Canvas.url, config.Canvas.course_id, config.Canvas.timeout = fake_canvas, 9, 2.0
    settings = Canvas(config=config)
    with pytest.raises(canvas_upload.UploadError, match="no Canvas token: set the environment variable CANVAS_API_TOKEN"):
        canvas_upload.upload(klass["sheet"], settings, "", 4321)
    with pytest.warns(UserWarning), pytest.raises(canvas_upload.UploadError, match="InvalidAccessToken|Invalid access"):
        canvas_upload.upload(klass["sheet"], settings, "wrong", 4321)
    config.Canvas.url = "http://127.0.0.1:9"  # nothing listens on the discard port
    with pytest.warns(UserWarning), pytest.raises(canvas_upload.UploadError, match="ConnectionError"):
        canvas_upload.upload(klass["sheet"], Canvas(config=config), "t0ken", 4321)
    assert canvas_upload.token(settings, {"CANVAS_API_TOKEN": " abc \n"}) == "abc"


# --- nbgrader's gradebook: the kit's points, manual points, nbgrader export ----------------------


def _course_with_manual_cell(root):
    """source/03 copied with one manually graded answer cell (3 points) added, generated by nbgrader."""
    import nbformat
    from nbgrader.converters import GenerateAssignment
    from nbgrader.coursedir import CourseDirectory

    from autograder import notebooks

    shutil.copytree(ROOT / "source" / ASSIGNMENT, root / "source" / ASSIGNMENT)
    path = root / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    nb = nbformat.read(path, as_version=4)
    cell = nbformat.v4.new_markdown_cell("Explain why softmax subtracts the row maximum.")
    cell.metadata["nbgrader"] = {
        "grade": True,
        "solution": True,
        "locked": False,
        "points": 3,
        "grade_id": "why_max",
        "schema_version": 3,
    }
    nb.cells.append(cell)
    nbformat.write(nb, path)
    config = load_config()
    config.CourseDirectory.root = str(root)
    config.CourseDirectory.db_url = f"sqlite:///{root / 'gradebook.db'}"
    notebooks._put_interpreter_bin_on_path()
    coursedir = CourseDirectory(config=config)
    coursedir.assignment_id, coursedir.notebook_id = ASSIGNMENT, ASSIGNMENT
    generate = GenerateAssignment(coursedir=coursedir, config=config)
    generate.force = True
    generate.start()
    return config


@pytest.mark.slow  # nbgrader generate_assignment and `nbgrader export` in a subprocess: about 40 s
def test_nbgrader_sees_the_kits_points_plus_manual_points_and_exports_agree(klass):
    from nbgrader.api import Gradebook

    from autograder import gradebook, lms

    root = klass["folder"] / "course"
    config = _course_with_manual_cell(root)
    db_url, course_id = config.CourseDirectory.db_url, config.CourseDirectory.course_id
    named = {r.submission: klass["named"][r.submission] for r in klass["sheet"].records if r.status == "graded"}
    gradebook.export(named, ASSIGNMENT, db_url, course_id)
    with Gradebook(db_url, course_id) as gb:
        assert gb.find_assignment(ASSIGNMENT).max_score == 19 + 3, "no phantom public-test points"
        for student, points in (("s01", 2.0), ("s04", 3.0)):
            grade = gb.find_grade("why_max", ASSIGNMENT, ASSIGNMENT, student)
            assert grade.needs_manual_grade, "the answer waits for formgrader"
            grade.manual_score = points
            grade.needs_manual_grade = False
        gb.db.commit()
    manual, top, pending = gradebook.manual_scores(ASSIGNMENT, db_url, course_id)
    assert top == 3 and manual["s01"] == 2 and manual["s04"] == 3 and "s01" not in pending and "s02" in pending

    config.Roster.path = str(klass["roster"])
    for name in ("Roster", "LateWork", "Canvas"):
        config[name] = klass["config"][name]
    sheet = lms.sheet(ASSIGNMENT, klass["named"], db_url=db_url, config=config, warn=lambda _: None)
    by_id = {r.student.id: r for r in sheet.records}
    assert sheet.max_score == 22 and by_id["s01"].manual_score == 2
    assert by_id["s04"].final_score == round(by_id["s04"].raw_score + 3 - 0.2 * 22, 4)

    out = root / "nbgrader_export.csv"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "nbgrader",
            "export",
            f"--to={out}",
            f"--CourseDirectory.root={root}",
            f"--CourseDirectory.db_url={db_url}",
            f"--CourseDirectory.course_id={course_id}",
        ],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    with open(out, newline="") as handle:
        exported = {row["student_id"]: row for row in csv.DictReader(handle) if row["assignment"] == ASSIGNMENT}
    assert len(exported) == len(named)
    for student, row in exported.items():
        assert float(row["max_score"]) == 22
        record = {r.submission: r for r in sheet.records}[student]  # nbgrader's student id is the submission name
        assert float(row["score"]) == pytest.approx(record.raw_score + record.manual_score), student
    with Gradebook(db_url, course_id) as gb:
        kit = gradebook.read_scores(ASSIGNMENT, db_url, course_id)
        assert {s: sum(v.values()) for s, v in kit.items()} == {s: r.score for s, r in named.items()}
        assert gb.find_submission(ASSIGNMENT, "s04").score == by_id["s04"].raw_score + 3
