"""course_config.py is the configuration in effect, for nbgrader and for the grader, and nothing else is."""

import shutil

import pytest

from autograder import course, notebooks
from autograder.settings import ROOT, Grading, grading, load_config


def test_nbgrader_config_only_adds_the_kits_hooks_to_course_config():
    """nbgrader's own commands read nbgrader_config.py: the same settings, plus autograde through the kit."""
    from traitlets.config.loader import PyFileConfigLoader

    seen = PyFileConfigLoader("nbgrader_config.py", path=str(ROOT)).load_config()
    course = PyFileConfigLoader("course_config.py", path=str(ROOT)).load_config()
    for section in ("CourseDirectory", "ClearSolutions", "Grading", "Roster", "LateWork"):
        ignore = ("notebook_id", "db_url", "root")  # made absolute: nbgrader may run anywhere
        mine = {k: v for k, v in course[section].items() if k not in ignore}
        assert {k: v for k, v in seen[section].items() if k not in ignore} == mine
    assert seen.CourseDirectory.db_url == f"sqlite:///{ROOT / 'build' / 'gradebook.db'}"
    assert seen.Autograde.autograde_preprocessors == ["autograder.nbgrader_autograde.GradeWithKit"]
    assert seen.GenerateAssignment.post_convert_hook == "autograder.gradebook.after_generate"
    assert seen.CourseDirectory.notebook_id == "[0-9][0-9]_*"
    assert not [name for name in seen.Autograde.sanitize_preprocessors if "OverwriteCells" in name]


def test_loaded_values_come_from_course_config(config):
    assert config.CourseDirectory.source_directory == "source"
    assert config.ClearSolutions.code_stub == {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
    assert config.CourseDirectory.db_url.startswith(f"sqlite:///{ROOT}/")
    settings = grading(config)
    assert isinstance(settings, Grading) and settings.cell_timeout == 60.0
    assert settings.threshold("03_softmax_regression", "digits_accuracy") == 0.8


def test_missing_threshold_names_the_setting(settings):
    with pytest.raises(KeyError, match=r"Grading.thresholds\['nope.x'\]"):
        settings.threshold("nope", "x")


def test_environment_chooses_device_and_secret(monkeypatch):
    monkeypatch.setenv("COURSE_KIT_DEVICE", "cpu")
    monkeypatch.setenv("COURSE_KIT_SECRET", "term-2027")
    settings = grading(load_config())
    assert settings.device == "cpu" and settings.secret == "term-2027"


def test_nbgrader_obeys_course_config(tmp_path):
    """Change the stub in a copy of course_config.py: nbgrader's release shows the change."""
    shutil.copytree(ROOT / "source" / "03_softmax_regression", tmp_path / "source" / "03_softmax_regression")
    text = (ROOT / "course_config.py").read_text().replace("# YOUR CODE HERE", "# WRITE YOUR ANSWER BELOW")
    (tmp_path / "course_config.py").write_text(text)
    config = load_config(tmp_path)
    assert config.CourseDirectory.root == str(tmp_path)
    notebooks.release(["03_softmax_regression"], config=config)
    released = notebooks.read(course.Assignment("03_softmax_regression", tmp_path).release)
    stubs = [c.source for c in released.cells if notebooks.is_solution(c)]
    assert stubs and all("# WRITE YOUR ANSWER BELOW" in s and "# YOUR CODE HERE" not in s for s in stubs)
    assert (tmp_path / "build" / "gradebook.db").exists(), "the gradebook lives where course_config.py says"
