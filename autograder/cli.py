"""Command line: a thin layer over release, solve, grade and demo.

    python -m autograder release [ASSIGNMENT...]
    python -m autograder sync [--check]
    python -m autograder solve ASSIGNMENT -o FILE
    python -m autograder grade FILE... -a ASSIGNMENT [--json] [--out DIR] [--jobs N] [--device auto|cpu|cuda]
    python -m autograder demo [--out DIR] [--jobs N]

Exit status: 0 when the command did its work (whatever the scores), 1 when
grading itself failed, 2 for bad usage.
"""

import argparse
import json
import sys
from pathlib import Path

from autograder import course, notebooks, results


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


def submission_name(path):
    """The student behind a file: nbgrader's submitted/<student>/<assignment>/x.ipynb, else the file stem."""
    path = Path(path)
    if len(path.parts) >= 4 and path.parts[-4] == "submitted":
        return path.parts[-3]
    return path.stem


def _grade(args):
    from autograder.grade import grade_many

    course.get(args.assignment)
    graded, broken = [], 0
    for path, result, internal in grade_many(args.files, args.assignment, args.device, args.jobs):
        name = submission_name(path)
        for text in internal:
            print(f"[{name}] internal error in a check:\n{text}", file=sys.stderr)
        if result is None:
            broken += 1
            continue
        graded.append((name, path, result))
        if args.out:
            results.write_atomic(Path(args.out) / f"{name}.json", result)
    order = {str(p): i for i, p in enumerate(args.files)}
    graded.sort(key=lambda item: order.get(str(item[1]), 0))
    if args.json:
        payload = graded[0][2] if len(args.files) == 1 and graded else [dict(r, submission=n) for n, _, r in graded]
        json.dump(payload, sys.stdout, indent=1)
        print()
    else:
        print(results.table([(n, r) for n, _, r in graded]))
    return 1 if broken else 0


def _demo(args):
    from autograder.demo import run

    return run(Path(args.out), args.jobs)


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

    p = commands.add_parser("grade", help="grade submitted notebooks")
    p.add_argument("files", nargs="+")
    p.add_argument("-a", "--assignment", required=True)
    p.add_argument("--json", action="store_true", help="print results.json (one object for one file)")
    p.add_argument("--out", help="write <submission>.json files here")
    p.add_argument("--jobs", type=int, default=None, help="grader processes (default: every core)")
    p.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto")
    p.set_defaults(run=_grade)

    p = commands.add_parser("demo", help="build a sample class and grade it")
    p.add_argument("--out", default="build/demo")
    p.add_argument("--jobs", type=int, default=None)
    p.set_defaults(run=_demo)
    return top


def main(argv=None):
    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except course.UnknownAssignment as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
