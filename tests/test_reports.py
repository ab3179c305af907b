"""Class outputs, each read back the way its consumer reads it: a JSON Schema, csv, an XML parser, PIL."""

import csv
import dataclasses
import io
import json
import xml.etree.ElementTree as ET

import jsonschema
import pytest
from PIL import Image

from autograder import reports, results


def _record(exercise, name, points, passed, feedback="", seconds=0.01):
    return results.CheckRecord(
        check=name,
        exercise=exercise,
        title=f"{exercise} works on fresh inputs ({points} points).",
        max_score=float(points),
        score=float(points) if passed else 0.0,
        passed=passed,
        feedback="" if passed else feedback,
        seconds=seconds,
    )


def _result(student, outcomes, problems=(), warnings=()):
    records = [
        _record("softmax", "test_softmax_values", 2, outcomes[0], "rows of softmax do not sum to 1: which dimension?"),
        _record(
            "softmax",
            "test_softmax_gradient",
            1,
            outcomes[1],
            "softmax(...) raised ValueError: <script>alert(1)</script> ``` x",
        ),
        _record("accuracy", "test_accuracy", 3, outcomes[2], "accuracy should return a Python float"),
    ]
    result = dataclasses.replace(results.Result.of(records, problems, warnings), execution_time=1.5)
    return result.stamped(student=student, assignment="03_x", submission_sha256="a" * 64, fingerprint="b" * 64)


@pytest.fixture(scope="module")
def named():
    return {
        "alice": _result("alice", [True, True, True]),
        "bob": _result("bob", [False, True, False], problems=["solution cell 'accuracy' is missing"]),
        "carol": _result("carol", [False, False, True]),
    }


@pytest.fixture(scope="module")
def out(named, tmp_path_factory):
    folder = tmp_path_factory.mktemp("outputs")
    reports.write_all(folder, "03_x", named, broken={"dave": ["GraderError: cannot read dave.ipynb"]})
    return folder


def test_results_satisfy_the_gradescope_schema(named):
    for result in named.values():
        jsonschema.validate(result.to_json(), results.SCHEMA)
    broken = named["alice"].to_json()
    broken["tests"][0]["status"] = "ok"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, results.SCHEMA)


def test_csv_has_a_row_per_student_and_a_column_per_exercise_and_the_total(out, named):
    with open(out / "grades.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["student", "softmax", "accuracy", "total"]
    assert [r["student"] for r in rows] == ["alice", "bob", "carol"]
    for row in rows:
        assert float(row["softmax"]) + float(row["accuracy"]) == float(row["total"]) == named[row["student"]].score
    assert rows[1] == {"student": "bob", "softmax": "1", "accuracy": "0", "total": "1"}


def test_junit_parses_with_consistent_counts_and_failure_messages(out, named):
    root = ET.parse(out / "junit.xml").getroot()
    assert root.tag == "testsuites" and root.get("name") == "03_x"
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert list(suites) == ["alice", "bob", "carol", "dave"]
    for name, suite in suites.items():
        cases = suite.findall("testcase")
        assert int(suite.get("tests")) == len(cases)
        assert int(suite.get("failures")) == len(suite.findall("testcase/failure"))
        assert int(suite.get("errors")) == len(suite.findall("testcase/error"))
        if name in named:
            assert len(cases) == len(named[name].checks)
            for case, check in zip(cases, named[name].checks):
                assert case.get("name") == check.name and float(case.get("time")) >= 0
                failure = case.find("failure")
                assert (failure is None) == check.passed
                if failure is not None:
                    assert check.feedback in failure.text and failure.get("message")
    assert suites["dave"].find("testcase/error").get("message").startswith("GraderError")
    assert int(root.get("tests")) == sum(int(s.get("tests")) for s in suites.values())
    assert int(root.get("failures")) == 2 + 2  # bob fails 2 checks, carol 2
    assert suites["bob"].find("system-out").text.startswith("Problem with the notebook")


def test_markdown_feedback_shows_scores_and_messages_but_no_hidden_details(out, named):
    text = (out / "feedback" / "bob.md").read_text()
    assert "**Score: 1 / 6**" in text and "| accuracy | 0 / 3 |" in text
    assert "rows of softmax do not sum to 1" in text and "accuracy should return a Python float" in text
    assert "solution cell 'accuracy' is missing" in text
    for hidden in ("test_softmax_values", "test_accuracy", "a" * 64, "b" * 64, "seconds", "1.5"):
        assert hidden not in text
    fenced = (out / "feedback" / "carol.md").read_text()
    assert "````text" in fenced  # a message holding ``` gets a longer fence
    assert not (out / "feedback" / "dave.md").exists()


def test_html_feedback_escapes_everything(named, tmp_path):
    reports.write_all(tmp_path, "03_x", named, feedback="html")
    page = (tmp_path / "feedback" / "carol.html").read_text()
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert page.startswith("<!DOCTYPE html>") and "Score: 3 / 6" in page
    assert "test_softmax_gradient" not in page
    ET.fromstring(page.split("\n", 1)[1].replace('<meta charset="utf-8">', ""))  # well-formed markup


def test_summary_counts_students_per_failure_message_and_full_marks_per_exercise(out):
    stats = json.loads((out / "report" / "summary.json").read_text())
    assert stats["students"] == 3 and stats["max_score"] == 6 and stats["full_marks"] == 1
    assert sum(stats["histogram"]["counts"]) == 3
    rates = {row["exercise"]: row["pass_rate"] for row in stats["exercises"]}
    assert rates == {"softmax": pytest.approx(1 / 3, abs=1e-4), "accuracy": pytest.approx(2 / 3, abs=1e-4)}
    top = stats["common_failures"][0]
    assert top == {"exercise": "softmax", "message": "rows of softmax do not sum to 1: which dimension?", "count": 2}
    report = (out / "report" / "report.md").read_text()
    for plot in reports.PLOTS:
        assert f"({plot})" in report


def test_plots_are_pngs_and_the_same_data_gives_the_same_bytes(out, named, tmp_path):
    for plot in reports.PLOTS:
        with Image.open(out / "report" / plot) as image:
            assert image.format == "PNG" and image.size[0] > 300 and image.size[1] > 100
    reports.plots(reports.summary(named, "03_x"), tmp_path)
    for plot in reports.PLOTS:
        assert (tmp_path / plot).read_bytes() == (out / "report" / plot).read_bytes()


def test_an_empty_class_still_gets_every_output(tmp_path):
    reports.write_all(tmp_path, "03_x", {})
    assert (tmp_path / "grades.csv").read_text() == "student,total\n"
    assert ET.parse(tmp_path / "junit.xml").getroot().get("tests") == "0"
    assert all((tmp_path / "report" / plot).is_file() for plot in reports.PLOTS)


def test_write_text_atomic_leaves_no_temporary_file(tmp_path):
    results.write_text_atomic(tmp_path / "a.txt", "one")
    results.write_text_atomic(tmp_path / "a.txt", "two")
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"] and (tmp_path / "a.txt").read_text() == "two"
    assert list(csv.reader(io.StringIO(reports.grades_csv({})))) == [["student", "total"]]


def test_the_record_names_its_sandbox_tier_as_a_field_the_schema_knows():
    result = results.Result.of([_record("softmax", "test_softmax_values", 2, True, "")], sandbox="landlock").to_json()
    assert result["extra_data"] == {"sandbox": "landlock"}
    jsonschema.validate(result, results.SCHEMA)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(dict(result, extra_data={"sandbox": "chroot"}), results.SCHEMA)


def test_a_problem_told_in_every_exercise_counts_once_per_student():
    unreadable = "your notebook could not be read: it is not valid JSON"
    records = [_record(e, f"test_{e}", 1, False, unreadable) for e in ("softmax", "accuracy", "train_ch3")]
    records.append(_record("softmax", "test_softmax_sum", 1, False, "rows of softmax do not sum to 1"))
    stats = reports.summary({"eve": results.Result.of(records)}, "03_x")
    assert {(f["exercise"], f["message"], f["count"]) for f in stats["common_failures"]} == {
        (reports.SEVERAL, unreadable, 1),
        ("softmax", "rows of softmax do not sum to 1", 1),
    }


def test_results_json_round_trips_through_the_records_byte_for_byte(named, tmp_path):
    for result in named.values():
        data = result.to_json()
        assert list(data) == ["score", "max_score", "output", "visibility", "tests", "extra_data", "execution_time"]
        assert results.Result.from_json(json.loads(json.dumps(data))) == result
        results.write(tmp_path / "r.json", result)
        assert results.read(tmp_path / "r.json") == result
        assert (tmp_path / "r.json").read_text() == json.dumps(data, indent=1) + "\n"
    with pytest.raises(ValueError):
        results.Result.from_json({"score": 1})


def test_keys_the_kit_does_not_write_survive_a_read_and_write():
    data = {"score": 1.0, "max_score": 2.0, "output": "", "visibility": "visible", "tests": []}
    data |= {"extra_data": {"student": "amy", "graded_by": "hand", "course": "x"}, "output_format": "md"}
    result = results.Result.from_json(data)
    assert result.provenance.student == "amy" and result.provenance.other == {"course": "x"}
    assert result.to_json() == data and list(result.to_json()) == list(data)
