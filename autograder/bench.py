"""`python -m autograder bench`: this kit's class grading against nbgrader autograde, side by side.

On a generated class (the reference submission, every bug variant and every
correct alternative of one assignment, dealt round-robin to N students) it
times, each in a fresh process as a user would run it:

* nbgrader autograde of the class in a temporary nbgrader course tree (built
  from course_config.py with nbgrader's own GenerateAssignment and Autograde),
  which runs each notebook with its public tests in a fresh kernel;
* this kit grading the same files with every hidden check, at N and at a
  smaller size for scaling;
* optionally the whole course: every assignment's reference submission in one run.

Demo cells (full-size training) are dropped from the notebooks for both tools:
the kit never runs them and nbgrader would otherwise train for minutes.
Memory is the peak resident set of each process in the tree, sampled with
psutil every 0.2 s (shared pages of forked processes count in each).

    python -m autograder.bench kit JOBS_JSON OUT_JSON       # one timed kit run (internal)
    python -m autograder.bench nbgrader ROOT ASSIGNMENT     # one timed nbgrader run (internal)
"""

import copy
import json
import logging
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from autograder import course, notebooks, results, variants
from autograder.settings import ROOT, load_config

TARGETS = {"ratio": 0.5, "overhead_s": 0.5, "scaling": 4.4, "course_s": 180.0}


# --- building the class -------------------------------------------------------------


def _without_demos(notebook):
    notebook = copy.deepcopy(notebook)
    notebook.cells = [c for c in notebook.cells if not c.get("metadata", {}).get("kit", {}).get("demo")]
    return notebook


def sample_notebooks(assignment):
    """{variant: notebook}: the reference, each bug and each alternative, demo cells dropped."""
    samples = variants.sample_class(assignment)
    samples.pop("blank", None)
    return {name: _without_demos(nb) for name, nb in samples.items()}


def build_course(assignment, folder, size):
    """A temporary nbgrader course under folder with `size` students; returns {student: variant}.

    Layout: source/<id>/<id>.ipynb (demo cells dropped), release/ and the
    gradebook made by nbgrader's GenerateAssignment, submitted/<student>/<id>/<id>.ipynb.
    """
    from nbgrader.converters import GenerateAssignment
    from nbgrader.coursedir import CourseDirectory

    folder = Path(folder)
    notebooks.write(
        _without_demos(notebooks.read(assignment.source)), folder / "source" / assignment.id / f"{assignment.id}.ipynb"
    )
    config = nbgrader_config(folder)
    coursedir = CourseDirectory(config=config)
    coursedir.assignment_id = assignment.id
    generate = GenerateAssignment(coursedir=coursedir, config=config)
    generate.log.setLevel(logging.WARNING)
    generate.force = True
    generate.start()
    samples = sample_notebooks(assignment)
    names = list(samples)
    dealt = {}
    for i in range(size):
        student = f"student{i + 1:03d}"
        dealt[student] = names[i % len(names)]
        handed_in = folder / "submitted" / student / assignment.id
        notebooks.write(samples[dealt[student]], handed_in / f"{assignment.id}.ipynb")
        _with_public_checks(assignment, handed_in)
    return dealt


def _with_public_checks(assignment, handed_in):
    """Put the released check() files beside a hand-in, as a student's folder has them, so nbgrader's run imports them."""
    released = assignment.release.parent
    for name in ("kitcheck.py", "public_checks.py"):
        if (released / name).is_file():
            shutil.copyfile(released / name, handed_in / name)


def nbgrader_config(folder):
    """The kit's course_config.py, pointed at a course tree in folder with its own gradebook."""
    notebooks._put_interpreter_bin_on_path()
    config = copy.deepcopy(load_config(ROOT))
    config.CourseDirectory.root = str(folder)
    config.CourseDirectory.db_url = f"sqlite:///{Path(folder).resolve() / 'gradebook.db'}"
    return config


# --- timed runs, each in a fresh process ------------------------------------------------


class TreeMemory(threading.Thread):
    """Samples the peak RSS (MiB) of every process under a root pid, grouped by role."""

    ROLES = (("kitworker", "student worker"), ("ipykernel", "nbgrader kernel"), ("forkserver", "grader process"))

    def __init__(self, pid, every=0.2):
        super().__init__(daemon=True)
        self.pid, self.every = pid, every
        self.peaks = {}
        self.done = threading.Event()

    def role(self, process):
        try:
            line = " ".join(process.cmdline())
        except Exception:  # noqa: BLE001 - the process may be gone
            return None
        for needle, role in self.ROLES:
            if needle in line:
                return role
        return "main process"

    def run(self):
        import psutil

        try:
            root = psutil.Process(self.pid)
        except psutil.Error:
            return
        while not self.done.is_set():
            try:
                processes = [root, *root.children(recursive=True)]
            except psutil.Error:
                break
            for process in processes:
                try:
                    rss = process.memory_info().rss / 2**20
                except psutil.Error:
                    continue
                role = self.role(process)
                if role:
                    self.peaks[role] = max(self.peaks.get(role, 0.0), rss)
            self.done.wait(self.every)

    def stop(self):
        self.done.set()
        self.join(5)
        return {k: round(v) for k, v in self.peaks.items()}


def _timed(command, env=None):
    """Run a command; returns (wall seconds, peak MiB per role, completed process)."""
    started = time.monotonic()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT)
    memory = TreeMemory(process.pid)
    memory.start()
    stdout, stderr = process.communicate()
    wall = time.monotonic() - started
    peaks = memory.stop()
    done = subprocess.CompletedProcess(command, process.returncode, stdout, stderr)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, command))} failed ({done.returncode}):\n{stderr[-3000:]}")
    return wall, peaks, done


def _env():
    env = dict(os.environ)
    env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


def _figures(wall, peaks, per):
    broken = [p for p in per if p["score"] is None]
    if broken:
        raise RuntimeError(f"the kit failed to grade {len(broken)} submissions: {broken[:3]}")
    return {
        "submissions": len(per),
        "wall_s": wall,
        "per_submission_s": [p["seconds"] for p in per],
        "check_s": [p["check_seconds"] for p in per],
        "overhead_s": [p["seconds"] - p["check_seconds"] for p in per],
        "scores": {p["path"]: (p["score"], p["max_score"]) for p in per},
        "memory_mb": peaks,
    }


def time_grade(paths, assignment_id, workers, out):
    """`python -m autograder grade FILES -a ID --out OUT --jobs W` in a fresh process; returns figures."""
    command = [sys.executable, "-m", "autograder", "grade", *map(str, paths), "-a", assignment_id]
    command += ["--out", str(out), "--jobs", str(workers), "--device", "cpu", "--force"]
    wall, peaks, _ = _timed(command, _env())
    per = []
    for path in sorted((Path(out) / "results").glob("*.json")):
        result = results.read(path)
        per.append(
            {
                "path": path.stem,
                "score": result.score,
                "max_score": result.max_score,
                "seconds": result.execution_time,
                "check_seconds": sum(c.seconds or 0.0 for c in result.checks),
            }
        )
    if len(per) != len(paths):
        raise RuntimeError(f"the kit wrote {len(per)} results for {len(paths)} submissions")
    return _figures(wall, peaks, per)


def time_jobs(jobs_list, workers, folder, label):
    """Grade [(path, assignment_id)] of several assignments in one pool, in a fresh process; returns figures."""
    spec = Path(folder) / f"{label}.jobs.json"
    out = Path(folder) / f"{label}.stats.json"
    spec.write_text(json.dumps({"jobs": [[str(p), a] for p, a in jobs_list], "workers": workers}))
    wall, peaks, _ = _timed([sys.executable, "-m", "autograder.bench", "kit", str(spec), str(out)], _env())
    return _figures(wall, peaks, json.loads(out.read_text())["per_submission"])


def time_nbgrader(course_root, assignment_id):
    """nbgrader autograde of every submission in the course tree, in a fresh process; returns figures."""
    command = [sys.executable, "-m", "autograder.bench", "nbgrader", str(course_root), assignment_id]
    wall, peaks, done = _timed(command, _env())
    return {"wall_s": wall, "memory_mb": peaks, "log": done.stderr[-2000:]}


def _kit_main(spec_path, out_path):
    from autograder.grade import grade_jobs

    spec = json.loads(Path(spec_path).read_text())
    started = time.monotonic()
    per = []
    for graded in grade_jobs([tuple(j) for j in spec["jobs"]], "cpu", spec["workers"]):
        stats, result = graded.stats, graded.result
        per.append(
            {
                "path": graded.path,
                "assignment": graded.assignment_id,
                "score": result.score if result else None,
                "max_score": result.max_score if result else None,
                "internal": graded.internal[-1:] if graded.internal else [],
                "seconds": stats.seconds if stats else 0.0,
                "check_seconds": stats.check_seconds if stats else 0.0,
            }
        )
    Path(out_path).write_text(json.dumps({"wall": time.monotonic() - started, "per_submission": per}))
    return 0


def _nbgrader_main(course_root, assignment_id):
    from nbgrader.converters import Autograde
    from nbgrader.coursedir import CourseDirectory

    config = nbgrader_config(course_root)
    coursedir = CourseDirectory(config=config)
    coursedir.assignment_id = assignment_id
    autograde = Autograde(coursedir=coursedir, config=config)
    autograde.log.setLevel(logging.WARNING)
    autograde.force = True
    autograde.start()
    return 0


# --- the report -----------------------------------------------------------------------


def _mean(values):
    return statistics.fmean(values) if values else 0.0


def _verdict(ok):
    return "meets" if ok else "MISSES"


def run(args):
    """The `bench` command: build, time, print the figures; returns the exit status."""
    assignment = course.get(args.assignment)
    cores = os.cpu_count() or 1
    workers = args.jobs or cores
    size = args.size
    small = args.small if args.small is not None else max(1, size // 4)
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="kit-bench-") as scratch:
        folder = Path(args.keep) if args.keep else Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        tree = folder / "course"
        dealt = build_course(assignment, tree, size)
        paths = {s: tree / "submitted" / s / assignment.id / f"{assignment.id}.ipynb" for s in dealt}
        kinds = sorted(set(dealt.values()))
        print(
            f"bench {assignment.id}: {size} submissions dealt from {len(kinds)} variants "
            f"(reference, bugs, alternatives); {workers} grader processes on {cores} cores; load average {load:.1f}",
            flush=True,
        )
        figures = {"assignment": assignment.id, "size": size, "small": small, "workers": workers, "cores": cores}
        if not args.skip_nbgrader:
            figures["nbgrader"] = time_nbgrader(tree, assignment.id)
            print(f"  nbgrader autograde   {size:>4} submissions  {figures['nbgrader']['wall_s']:7.1f} s", flush=True)
        big = time_grade([paths[s] for s in dealt], assignment.id, workers, folder / "out-big")
        figures["kit"] = big
        print(f"  kit grade            {size:>4} submissions  {big['wall_s']:7.1f} s", flush=True)
        if small and small != size:
            part = time_grade([paths[s] for s in list(dealt)[:small]], assignment.id, workers, folder / "out-small")
            figures["kit_small"] = part
            print(f"  kit grade            {small:>4} submissions  {part['wall_s']:7.1f} s", flush=True)
        if args.course:
            refs = []
            for other in course.assignments():
                path = folder / "course-references" / f"{other.id}.ipynb"
                notebooks.write(notebooks.solve(other), path)
                refs.append((path, other.id))
            figures["course"] = time_jobs(refs, workers, folder, "kit-course")
            print(f"  kit grade whole course ({len(refs)} references)  {figures['course']['wall_s']:7.1f} s", flush=True)
    print()
    print(summarize(figures))
    return 0


def summarize(f):
    """The figures as the lead reports them, each with its target."""
    lines = []
    kit = f["kit"]
    n = kit["submissions"]
    lines.append(
        f"kit: {kit['wall_s']:.1f} s for {n} submissions ({kit['wall_s'] / n:.2f} s each on {f['workers']} processes)"
    )
    if "nbgrader" in f:
        nb = f["nbgrader"]["wall_s"]
        ratio = kit["wall_s"] / nb
        lines.append(
            f"nbgrader autograde: {nb:.1f} s ({nb / n:.2f} s each); kit/nbgrader wall ratio {ratio:.2f} "
            f"({_verdict(ratio <= TARGETS['ratio'])} target <= {TARGETS['ratio']})"
        )
    overhead = kit["overhead_s"]
    lines.append(
        f"overhead per submission beyond the checks' own compute: mean {_mean(overhead):.2f} s, "
        f"median {statistics.median(overhead):.2f} s, max {max(overhead):.2f} s "
        f"({_verdict(_mean(overhead) <= TARGETS['overhead_s'])} target <= {TARGETS['overhead_s']} s); "
        f"checks' own compute mean {_mean(kit['check_s']):.2f} s, grading wall per submission mean {_mean(kit['per_submission_s']):.2f} s"
    )
    if "kit_small" in f:
        part = f["kit_small"]
        growth = kit["wall_s"] / part["wall_s"]
        factor = n / part["submissions"]
        limit = TARGETS["scaling"] * factor / 4
        lines.append(
            f"scaling: {factor:g}x the submissions ({part['submissions']} -> {n}) took {growth:.2f}x as long "
            f"({_verdict(growth <= limit)} target <= {limit:.2f}x)"
        )
    memory = dict(kit["memory_mb"])
    if "nbgrader" in f:
        memory.update({k: v for k, v in f["nbgrader"]["memory_mb"].items() if k == "nbgrader kernel"})
    lines.append("peak RSS per process (MiB, sampled): " + ", ".join(f"{k} {v}" for k, v in sorted(memory.items())))
    if "course" in f:
        c = f["course"]
        lines.append(
            f"whole course: {c['submissions']} reference submissions in {c['wall_s']:.1f} s "
            f"({_verdict(c['wall_s'] < TARGETS['course_s'])} target < {TARGETS['course_s']:g} s)"
        )
        full = [p for p, (score, top) in c["scores"].items() if score != top]
        if full:
            lines.append(f"  warning: references without full marks: {', '.join(Path(p).stem for p in full)}")
    return "\n".join(lines)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) == 3 and argv[0] == "kit":
        return _kit_main(argv[1], argv[2])
    if len(argv) == 3 and argv[0] == "nbgrader":
        return _nbgrader_main(argv[1], argv[2])
    print(__doc__.strip().splitlines()[-2:], file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
