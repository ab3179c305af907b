"""Shared fixtures: the course's settings and graded sample classes (graded once per session)."""

import functools
import tempfile
from pathlib import Path

import pytest

from autograder import course, notebooks, variants
from autograder.grade import grade_many
from autograder.settings import grading, load_config

pytest_plugins = ["pytester"]


@pytest.fixture(scope="session")
def config():
    return load_config()


@pytest.fixture(scope="session")
def settings(config):
    return grading(config)


@functools.cache
def graded_class(assignment_id):
    """{sample name: results.json} for the reference, blank, bugs and alternatives of one assignment.

    Graded once per test session on every core, through the same pool as the CLI.
    """
    assignment = course.get(assignment_id)
    folder = Path(tempfile.mkdtemp(prefix=f"class-{assignment_id}-"))
    paths = []
    for name, notebook in variants.sample_class(assignment).items():
        notebooks.write(notebook, folder / f"{name}.ipynb")
        paths.append(folder / f"{name}.ipynb")
    graded = {}
    for path, result, internal in grade_many(paths, assignment_id, device="cpu"):
        assert result is not None and not internal, f"grading {path.name} broke: {internal}"
        graded[path.stem] = result.to_json()  # the results.json the tests read
    return graded
