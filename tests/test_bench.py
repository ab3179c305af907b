"""`bench`: the generated class, the report of figures, and one tiny end-to-end run (slow)."""

import subprocess
import sys

import pytest

from autograder import bench, course, notebooks
from autograder.settings import ROOT

ASSIGNMENT = "03_softmax_regression"


def test_the_class_is_reference_bugs_and_alternatives_without_demo_cells():
    assignment = course.get(ASSIGNMENT)
    samples = bench.sample_notebooks(assignment)
    catalogue = assignment.variants()
    assert set(samples) == {"reference"} | {f"bug-{b}" for b in catalogue.BUGS} | {f"alt-{a}" for a in catalogue.ALTERNATIVES}
    demos = [c for c in notebooks.read(assignment.source).cells if c.get("metadata", {}).get("kit", {}).get("demo")]
    assert demos, "the assignment has demo cells to drop"
    for notebook in samples.values():
        assert not [c for c in notebook.cells if c.get("metadata", {}).get("kit", {}).get("demo")]


def test_summary_states_each_figure_against_its_target():
    kit = {
        "submissions": 40,
        "wall_s": 80.0,
        "per_submission_s": [4.0] * 40,
        "check_s": [3.7] * 40,
        "overhead_s": [0.3] * 40,
        "scores": {},
        "memory_mb": {"grader process": 700, "student worker": 500},
    }
    small = dict(kit, submissions=10, wall_s=21.0)
    course_run = dict(kit, submissions=3, wall_s=200.0, scores={"a/01_x.ipynb": (5.0, 5.0), "a/02_y.ipynb": (1.0, 5.0)})
    text = bench.summarize(
        {
            "workers": 2,
            "kit": kit,
            "kit_small": small,
            "nbgrader": {"wall_s": 200.0, "memory_mb": {"nbgrader kernel": 300}},
            "course": course_run,
        }
    )
    assert "kit/nbgrader wall ratio 0.40 (meets target <= 0.5)" in text
    assert "mean 0.30 s" in text and "meets target <= 0.5 s" in text
    assert "4x the submissions (10 -> 40) took 3.81x as long (meets target <= 4.40x)" in text
    assert "nbgrader kernel 300" in text and "student worker 500" in text
    assert "3 reference submissions in 200.0 s (MISSES target < 180 s)" in text
    assert "without full marks: 02_y" in text


@pytest.mark.slow
def test_bench_smoke_on_a_class_of_two():
    done = subprocess.run(
        [sys.executable, "-m", "autograder", "bench", "--size", "2", "--small", "1", "--jobs", "2"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    for figure in ("nbgrader autograde:", "kit/nbgrader wall ratio", "overhead per submission", "scaling: 2x", "peak RSS"):
        assert figure in done.stdout, done.stdout
