"""The roster and late work: reading the roster CSV, matching submissions to students, hand-in times, penalties."""

import datetime as dt
import json

import pytest

from autograder import deadlines, roster
from autograder.settings import LateWork, load_config

HEADER = "id,name,email,lms_id,section\n"


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_a_roster_reads_in_order_with_a_bom_extra_columns_and_blank_lines(tmp_path):
    path = write(
        tmp_path / "r.csv",
        "\ufeffID,Name,Email,LMS_ID,Section,login,notes\n"
        "amy,Amy A,amy@x.edu,501,A,amy1,x\n\n"
        ' bob ,"Bee, Bob",bob@x.edu,502,B,,\n',
    )
    students = roster.read(path)
    assert students == [
        roster.Student("amy", "Amy A", "amy@x.edu", "501", "A", "amy1"),
        roster.Student("bob", "Bee, Bob", "bob@x.edu", "502", "B", ""),
    ]


@pytest.mark.parametrize(
    "text, message",
    [
        ("id,name,email\namy,A,a@x\n", "lacks the column.*lms_id, section"),
        (HEADER + "amy,A,a@x,1,S\nAMY,B,b@x,2,S\n", "row 3: id 'AMY' is already on row 2"),
        (HEADER + ",A,a@x,1,S\n", "row 2: the id is empty"),
        (HEADER + "amy,A,a@x,1,S,extra\n", "row 2: more cells"),
        ("", "lacks the column"),
    ],
)
def test_bad_rosters_name_the_file_row_and_problem(tmp_path, text, message):
    with pytest.raises(roster.RosterError, match=message):
        roster.read(write(tmp_path / "r.csv", text))


def test_a_missing_or_binary_roster_is_a_clear_error(tmp_path):
    with pytest.raises(roster.RosterError, match="does not exist"):
        roster.read(tmp_path / "nope.csv")
    (tmp_path / "bin.csv").write_bytes(b"id,name\n\xff\xfe\x00")
    with pytest.raises(roster.RosterError, match="not UTF-8"):
        roster.read(tmp_path / "bin.csv")


def test_submissions_match_by_id_email_lms_id_alias_and_gradescope_submitter():
    students = [
        roster.Student("amy", "Amy", "amy@x.edu", "501"),
        roster.Student("bob", "Bob", "bob@x.edu", "502"),
        roster.Student("cy", "Cy", "cy@x.edu", "503"),
        roster.Student("dee", "Dee", "dee@x.edu", "504"),
        roster.Student("eve", "Eve", "eve@x.edu", "505"),
    ]
    names = ["AMY", "bob@x.edu", "503", "Dee_Smith", "submission_77", "stranger", "eve", "eve@x.edu"]
    found = roster.match(students, names, aliases={"dee_smith": "dee"}, submitters={"submission_77": ["zed", "amy@x.edu"]})
    assert found.by_student == {"bob": "bob@x.edu", "cy": "503", "dee": "Dee_Smith"}
    assert found.unknown == ["stranger"]
    assert found.claimed_twice == {"amy": ["AMY", "submission_77"], "eve": ["eve", "eve@x.edu"]}
    assert found.ambiguous == {}
    twins = [roster.Student("a", "A", "same@x"), roster.Student("b", "B", "SAME@x")]
    assert roster.match(twins, ["same@x"]).ambiguous == {"same@x": ["a", "b"]}


def test_hand_in_times_come_from_nbgrader_or_gradescope_never_from_mtime(tmp_path):
    nb = write(tmp_path / "amy" / "03" / "03.ipynb", "{}")
    assert deadlines.submission_time(nb) is None, "a file's modification time is no hand-in time"
    write(nb.parent / "timestamp.txt", "2027-03-01 23:30:00.123456 UTC\n")
    assert deadlines.submission_time(nb) == dt.datetime(2027, 3, 1, 23, 30, 0, 123456, tzinfo=dt.UTC)
    gs = write(tmp_path / "gs" / "sub.ipynb", "{}")
    meta = {"created_at": "2027-03-01T16:00:00.5-08:00", "users": [{"name": "Bob", "email": "bob@x.edu", "sid": "bob"}]}
    write(gs.parent / "submission_metadata.json", json.dumps(meta))
    assert deadlines.submission_time(gs) == dt.datetime(2027, 3, 2, 0, 0, 0, 500000, tzinfo=dt.UTC)
    assert deadlines.gradescope_submitters(gs) == ["bob", "bob@x.edu"]
    write(nb.parent / "timestamp.txt", "yesterday-ish")
    with pytest.raises(deadlines.DeadlineError, match="timestamp.txt"):
        deadlines.submission_time(nb)
    write(gs.parent / "submission_metadata.json", "{}")
    with pytest.raises(deadlines.DeadlineError, match="created_at"):
        deadlines.submission_time(gs)


def late_work(**values):
    config = load_config()
    for name, value in values.items():
        setattr(config.LateWork, name, value)
    return LateWork(config=config)


def test_penalties_count_started_days_after_grace_capped_with_extensions():
    settings = late_work(
        deadlines={"03": "2027-03-01T23:59:00+00:00"},
        grace_minutes=15.0,
        penalty_per_day=0.1,
        penalty_cap=0.3,
        extensions={"03": {"bob": "2027-03-04T23:59:00+00:00"}},
    )
    policy = deadlines.Policy.from_settings(settings, "03")
    due = dt.datetime(2027, 3, 1, 23, 59, tzinfo=dt.UTC)
    minutes = dt.timedelta(minutes=1)

    def cost(student, when):
        late = policy.lateness(student, when, 20.0)
        return late.days_late, late.penalty

    assert cost("amy", due - minutes) == (0, 0.0)
    assert cost("amy", due + 15 * minutes) == (0, 0.0), "inside the grace period"
    assert cost("amy", due + 16 * minutes) == (1, 2.0)
    assert cost("amy", due + dt.timedelta(days=1, minutes=1)) == (2, 4.0)
    assert cost("amy", due + dt.timedelta(days=30)) == (30, 6.0), "capped at 30%"
    assert cost("bob", due + dt.timedelta(days=2)) == (0, 0.0), "an extension moves the deadline"
    assert cost("bob", due + dt.timedelta(days=3, hours=1)) == (1, 2.0)
    assert cost("amy", None) == (0, 0.0)
    assert deadlines.Policy.from_settings(settings, "04").lateness("amy", due + dt.timedelta(days=9), 20).penalty == 0


@pytest.mark.parametrize(
    "values, message",
    [
        ({"deadlines": {"03": "soon"}}, r"LateWork.deadlines\['03'\]"),
        ({"extensions": {"03": {"amy": "later"}}}, r"LateWork.extensions\['03'\]\['amy'\]"),
        ({"extensions": {"03": ["amy"]}}, "must map roster ids"),
        ({"penalty_per_day": 2.0}, r"\[0, 1\]"),
    ],
)
def test_bad_late_work_settings_name_the_setting(values, message):
    with pytest.raises(deadlines.DeadlineError, match=message):
        deadlines.Policy.from_settings(late_work(**values), "03")
