"""Command line: a thin layer over release, solve, grade and demo.

    python -m autograder release [ASSIGNMENT...]
    python -m autograder sync [--check]
    python -m autograder solve ASSIGNMENT -o FILE
    python -m autograder grade FILE_OR_DIR... -a ASSIGNMENT [--json] [--out DIR] [--jobs N] [--device auto|cpu|cuda]
                         [--shard K/N] [--force] [--feedback md|html] [--gradebook [DB_URL]]
    python -m autograder merge DIR... --out DIR [-a ASSIGNMENT] [--feedback md|html] [--gradebook [DB_URL]]
    python -m autograder gradescope ASSIGNMENT [-o ZIP]
    python -m autograder bench [-a ASSIGNMENT] [--size N] [--small N] [--jobs N] [--course] [--skip-nbgrader]
    python -m autograder demo [--out DIR] [--jobs N]
    python -m autograder mutate ASSIGNMENT [--jobs N] [--limit N] [--json]

Exit status: 0 when the command did its work (whatever the scores), 1 when
grading itself failed, 2 for bad usage.
"""

import argparse
import json
import os
import sys
from pathlib import Path

from autograder import classroom, course, notebooks, results


def _release(args):
    ids = notebooks.release(args.assignments or None)
    print(f"released {len(ids)} assignment(s): {', '.join(ids)}")
    return 0


def _sync(args):
    stale = {a.id: notebooks.sync(a, write_back=not args.check) for a in course.assignments()}
    stale = {k: v for k, v in stale.items() if v}
    for assignment_id, cells in stale.items():
        verb = "differs from" if args.check else "updated from"
        print(f"{assignment_id}: cells {', '.join(cells)} {verb} reference/")
    return 1 if (args.check and stale) else 0


def _solve(args):
    notebooks.write(notebooks.solve(course.get(args.assignment)), args.output)
    return 0


submission_name = classroom.submission_name


def _export_gradebook(args, named, assignment_id):
    from autograder import gradebook

    db_url, course_id = gradebook.course_gradebook()
    if args.gradebook != "course":
        db_url = args.gradebook
    count = gradebook.export(named, assignment_id, db_url, course_id)
    print(f"gradebook: {count} students' scores of {assignment_id} recorded in {db_url}", file=sys.stderr)


def _write_class_outputs(args, out, assignment_id, named, broken=None):
    from autograder import reports

    written = reports.write_all(out, assignment_id, named, args.feedback, broken)
    if args.gradebook:
        _export_gradebook(args, named, assignment_id)
    return written


def _grade(args):
    from autograder.progress import Progress

    course.get(args.assignment)
    if args.require_sandbox:
        os.environ["COURSE_KIT_SANDBOX"] = "bubblewrap"  # read by course_config.py in every grader process
    notes = []
    submissions = classroom.discover(args.files, args.assignment, notes)
    for note in notes:
        print(f"note: {note}", file=sys.stderr)
    if not submissions:
        raise classroom.UsageError(f"no submissions of {args.assignment} found in {', '.join(args.files)}")
    if args.shard:
        total = len(submissions)
        submissions = classroom.shard(submissions, *classroom.parse_shard(args.shard))
        print(f"shard {args.shard}: {len(submissions)} of {total} submissions", file=sys.stderr)
    progress = Progress() if len(submissions) > 1 else None
    if args.out:
        with classroom.OutputLock(args.out):
            classroom.clean_partial(args.out)
            run = classroom.grade_class(submissions, args.assignment, args.out, args.device, args.jobs, args.force, progress)
            _write_class_outputs(args, args.out, args.assignment, run.results, run.broken)
    else:
        run = classroom.grade_class(submissions, args.assignment, None, args.device, args.jobs, True, progress)
    for name, texts in run.internal.items():
        for text in texts:
            print(
                f"[{name}] {'grading failed' if name in run.broken else 'internal error in a check'}:\n{text}", file=sys.stderr
            )
    if args.json:
        single = len(args.files) == 1 and len(submissions) == 1 and run.results and not Path(args.files[0]).is_dir()
        payload = next(iter(run.results.values())) if single else [dict(r, submission=n) for n, r in run.results.items()]
        json.dump(payload, sys.stdout, indent=1)
        print()
    else:
        print(results.table(list(run.results.items())))
    if len(submissions) > 1 or args.out:
        where = f"; outputs under {args.out}/" if args.out else ""
        print(
            f"graded {len(run.graded)}, kept {len(run.kept)}, failed {len(run.broken)} of {len(submissions)} "
            f"in {run.wall:.1f} s{where}",
            file=sys.stderr,
        )
    return 1 if run.broken else 0


def _merge(args):
    named = classroom.stored_results(args.folders)
    if not named:
        raise classroom.UsageError(f"no results in {', '.join(args.folders)}")
    ids = {classroom.provenance(r).get("assignment") for r in named.values()} - {None}
    if args.assignment:
        ids |= {args.assignment}
    if len(ids) != 1:
        raise classroom.UsageError(
            f"the results are of {len(ids)} assignments ({', '.join(sorted(ids))}); merge one at a time"
        )
    (assignment_id,) = ids
    with classroom.OutputLock(args.out):
        classroom.clean_partial(args.out)
        for student, result in named.items():
            target = classroom.result_path(args.out, student)
            if not (target.is_file() and results.read(target) == result):
                results.write_atomic(target, result)
        _write_class_outputs(args, args.out, assignment_id, named)
    print(results.table(list(named.items())))
    print(f"merged {len(named)} results of {assignment_id} from {len(args.folders)} folders into {args.out}/", file=sys.stderr)
    return 0


def _gradescope(args):
    from autograder import gradescope

    output = gradescope.build(course.get(args.assignment), args.output)
    print(f"wrote {output}")
    return 0


def _bench(args):
    from autograder import bench

    return bench.run(args)


def _demo(args):
    from autograder.demo import run

    return run(Path(args.out), args.jobs)


def _mutate(args):
    from autograder import mutate

    if args.limit is not None and args.limit < 1:
        raise classroom.UsageError("--limit must be at least 1")

    def progress(done, total):
        print(f"\rgraded {done}/{total}", end="" if done < total else "\n", file=sys.stderr, flush=True)

    assignment = course.get(args.assignment)
    report = mutate.run(assignment, jobs=args.jobs or 1, limit=args.limit, device=args.device, progress=progress)
    if args.json:
        json.dump(report.as_json(), sys.stdout, indent=1)
        print()
    else:
        print(mutate.format_report(report))
    print(f"mutation run of {args.assignment} took {report.seconds:.1f} s", file=sys.stderr)
    return 0


def _output_options(p):
    p.add_argument("--feedback", choices=["md", "html"], default="md", help="format of feedback/<student>.* (default md)")
    p.add_argument(
        "--gradebook",
        nargs="?",
        const="course",
        metavar="DB_URL",
        help="also record the scores in nbgrader's gradebook (default: the course's, from course_config.py)",
    )


def parser():
    top = argparse.ArgumentParser(prog="python -m autograder", description="Course kit for d2l in PyTorch.")
    commands = top.add_subparsers(dest="command", required=True)

    p = commands.add_parser("release", help="rebuild release/ from source/ with nbgrader")
    p.add_argument("assignments", nargs="*", help="assignment ids (default: all)")
    p.set_defaults(run=_release)

    p = commands.add_parser("sync", help="rewrite reference-backed source cells from reference/")
    p.add_argument("--check", action="store_true", help="only report drift; exit 1 if any")
    p.set_defaults(run=_sync)

    p = commands.add_parser("solve", help="write a reference submission")
    p.add_argument("assignment")
    p.add_argument("-o", "--output", required=True)
    p.set_defaults(run=_solve)

    p = commands.add_parser("grade", help="grade submitted notebooks: files, nbgrader's submitted/ tree or a folder")
    p.add_argument("files", nargs="+", metavar="FILE_OR_DIR")
    p.add_argument("-a", "--assignment", required=True)
    p.add_argument("--json", action="store_true", help="print results.json (one object for one file)")
    p.add_argument("--out", help="write results/, grades.csv, junit.xml, feedback/ and report/ here; resume from it")
    p.add_argument("--jobs", type=int, default=None, help="grader processes (default: every core)")
    p.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto")
    p.add_argument("--require-sandbox", action="store_true", help="refuse to grade unless bubblewrap confines student code")
    p.add_argument("--shard", metavar="K/N", help="grade only the K-th of N slices of the class (for CI matrices)")
    p.add_argument("--force", action="store_true", help="regrade even submissions whose stored result is current")
    _output_options(p)
    p.set_defaults(run=_grade)

    p = commands.add_parser("merge", help="join the --out folders of sharded runs into one set of class outputs")
    p.add_argument("folders", nargs="+", metavar="DIR", help="--out folders (or their results/ folders) of the shards")
    p.add_argument("--out", required=True)
    p.add_argument("-a", "--assignment", help="the assignment (default: the one the results name)")
    _output_options(p)
    p.set_defaults(run=_merge)

    p = commands.add_parser("gradescope", help="build a Gradescope autograder zip for one assignment")
    p.add_argument("assignment")
    p.add_argument("-o", "--output", help="zip file (default: build/gradescope/<assignment>.zip)")
    p.set_defaults(run=_gradescope)

    p = commands.add_parser("bench", help="time this kit's grading against nbgrader autograde on a generated class")
    p.add_argument("-a", "--assignment", default="03_softmax_regression")
    p.add_argument("--size", type=int, default=40, help="submissions in the class (default 40)")
    p.add_argument("--small", type=int, default=None, help="the smaller class for scaling (default size/4)")
    p.add_argument("--jobs", type=int, default=None, help="grader processes (default: every core)")
    p.add_argument("--course", action="store_true", help="also time grading every assignment's reference submission")
    p.add_argument("--skip-nbgrader", action="store_true", help="do not run nbgrader autograde")
    p.add_argument("--keep", help="build the classes here and keep them (default: a temporary folder)")
    p.set_defaults(run=_bench)

    p = commands.add_parser("demo", help="build a sample class and grade it")
    p.add_argument("--out", default="build/demo")
    p.add_argument("--jobs", type=int, default=None)
    p.set_defaults(run=_demo)

    p = commands.add_parser("mutate", help="grade mutmut's mutants of the reference: how many do the checks kill?")
    p.add_argument("assignment")
    p.add_argument("--jobs", type=int, default=1, help="grader processes (default 1)")
    p.add_argument("--limit", type=int, default=None, help="grade at most N mutants, spread over the exercises")
    p.add_argument("--device", choices=["auto", "cpu", "cuda"], default="cpu")
    p.add_argument("--json", action="store_true", help="print one JSON object: counts, per exercise, survivors")
    p.set_defaults(run=_mutate)
    return top


def main(argv=None):
    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except (course.UnknownAssignment, classroom.UsageError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
