"""Deployment templates: the Slurm scripts (with a fake sbatch and python) and the GitHub Actions workflow."""

import os
import subprocess

import yaml

from autograder.settings import ROOT

SLURM = ROOT / "deploy" / "slurm"
WORKFLOW = ROOT / ".github" / "workflows" / "grade-class.yml"


def _fake(folder, name, body):
    path = folder / name
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(0o755)
    return path


def test_submit_queues_an_array_then_a_merge_that_waits_for_it(tmp_path):
    log = tmp_path / "sbatch.log"
    sbatch = _fake(tmp_path, "sbatch", f'echo "$@" >> {log}\necho 4242')
    env = dict(os.environ, KIT_SBATCH=str(sbatch))
    done = subprocess.run([SLURM / "submit.sh", "03_softmax_regression", "submitted", "3"], cwd=tmp_path, env=env)
    assert done.returncode == 0
    array, merge = log.read_text().splitlines()
    assert "--array=1-3" in array and array.endswith("grade-shard.sbatch 03_softmax_regression submitted")
    assert "--dependency=afterany:4242" in merge and merge.endswith("merge.sbatch 03_softmax_regression")


def test_each_array_task_grades_its_own_shard_in_a_sandbox(tmp_path):
    python = _fake(tmp_path, "python", 'echo "$@"')
    env = dict(os.environ, KIT_PYTHON=str(python), SLURM_ARRAY_TASK_ID="2", SLURM_ARRAY_TASK_COUNT="5")
    env["SLURM_CPUS_PER_TASK"] = "4"
    done = subprocess.run(
        [SLURM / "grade-shard.sbatch", "03_softmax_regression", "submitted"], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    args = done.stdout.split()
    assert args[:3] == ["-m", "autograder", "grade"] and "--require-sandbox" in args
    assert args[args.index("--shard") + 1] == "2/5" and args[args.index("--out") + 1] == "out/shard-2"
    assert args[args.index("--jobs") + 1] == "4"
    env.pop("SLURM_ARRAY_TASK_ID")
    done = subprocess.run([SLURM / "grade-shard.sbatch", "03_softmax_regression", "submitted"], env=env, capture_output=True)
    assert done.returncode != 0 and b"job array" in done.stderr


def test_the_actions_workflow_sandboxes_with_bubblewrap_and_keeps_the_secret_in_the_grade_step():
    workflow = yaml.safe_load(WORKFLOW.read_text())
    steps = workflow["jobs"]["grade"]["steps"]
    script = "\n".join(step.get("run", "") for step in steps)
    assert "apt-get install" in script and "bubblewrap" in script
    assert "/etc/apparmor.d/bwrap" in script and "userns," in script, "an AppArmor profile for bwrap only"
    assert "kernel.apparmor_restrict_unprivileged_userns=0" not in script, "no system-wide switch"
    grade = next(step for step in steps if "autograder grade" in step.get("run", ""))
    assert "--require-sandbox" in grade["run"] and "COURSE_KIT_SANDBOX: bubblewrap" in WORKFLOW.read_text()
    assert "COURSE_KIT_SECRET" not in workflow.get("env", {}), "the secret reaches the grade step only"
    assert "COURSE_KIT_SECRET" in grade["env"]
