"""Parse the command line and hand each command to its module: a thin layer over release, solve, grade and demo.

    python -m autograder release [ASSIGNMENT...]
    python -m autograder sync [--check]
    python -m autograder solve ASSIGNMENT -o FILE
    python -m autograder check NOTEBOOK [-a ASSIGNMENT] [--json]
    python -m autograder grade FILE_OR_DIR... -a ASSIGNMENT [--json] [--out DIR] [--jobs N] [--device auto|cpu|cuda]
                         [--shard K/N] [--force] [--feedback md|html] [--gradebook [DB_URL]]
    python -m autograder merge DIR... --out DIR [-a ASSIGNMENT] [--feedback md|html] [--gradebook [DB_URL]]
    python -m autograder export DIR -a ASSIGNMENT [--roster CSV] [--lms-dir DIR] [--gradebook [DB_URL]]
                         [--deliver-feedback COURSE_ROOT] [--upload-canvas]
    python -m autograder gradescope ASSIGNMENT [-o ZIP]
    python -m autograder bench [-a ASSIGNMENT] [--size N] [--small N] [--jobs N] [--course] [--skip-nbgrader]
    python -m autograder demo [--out DIR] [--jobs N]
    python -m autograder new NN_topic [--title TITLE]
    python -m autograder validate ASSIGNMENT [--jobs N]
    python -m autograder calibrate ASSIGNMENT [--seeds N] [--jobs N]
    python -m autograder mutate ASSIGNMENT [--jobs N] [--limit N] [--only IDS] [--budget SECONDS] [--json]

Exit status: 0 when the command did its work (whatever the scores), 1 when
grading itself failed, 2 for bad usage.
"""

import argparse
import json
import sys
from pathlib import Path

from autograder import classroom, course, escape, lms, notebooks, results


def _release(args):
    from autograder import gradebook

    ids = notebooks.release(args.assignments or None)
    db_url, course_id = gradebook.course_gradebook()
    gradebook.align_course(ids, db_url, course_id)  # nbgrader restored the public tests' points; the kit's count
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


def _check(args):
    from autograder import public
    from autograder.settings import grading, load_config

    try:
        data = Path(args.notebook).read_bytes()
    except OSError as exc:
        raise classroom.UsageError(f"cannot read {args.notebook}: {exc.strerror}") from None
    assignment = course.get(args.assignment) if args.assignment else public.guess_assignment(args.notebook, data)
    try:
        summary = public.run(data, assignment, grading(load_config()))
    except public.NoPublicChecks as exc:
        raise classroom.UsageError(str(exc)) from None
    if args.json:
        json.dump(summary, sys.stdout, indent=1)
        print()
    else:
        print(f"{assignment.id}: public checks of {args.notebook}")
        print(public.text(summary))
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
    for error in written["plot_errors"]:
        print(f"note: {escape.terminal(error)}", file=sys.stderr)
    if args.gradebook:
        _export_gradebook(args, named, assignment_id)
    if lms.roster_path():
        lms.export_sheet(out, assignment_id, named, pending=sorted(broken or {}), db_url=_db_url(args))
    return written


def _db_url(args):
    from autograder import gradebook

    db_url, _ = gradebook.course_gradebook()
    return args.gradebook if args.gradebook not in (None, "course") else db_url


def _grade(args):
    from autograder.progress import Progress

    course.get(args.assignment).require_checks()
    notes = []
    submissions = classroom.discover(args.files, args.assignment, notes)
    for note in notes:
        print(f"note: {escape.terminal(note)}", file=sys.stderr)
    if not submissions:
        raise classroom.UsageError(f"no submissions of {args.assignment} found in {', '.join(args.files)}")
    if args.shard:
        total = len(submissions)
        submissions = classroom.shard(submissions, *classroom.parse_shard(args.shard))
        print(f"shard {args.shard}: {len(submissions)} of {total} submissions", file=sys.stderr)
    progress = Progress() if len(submissions) > 1 else None
    if args.out:
        before = len(notes)
        with classroom.OutputLock(args.out):
            classroom.clean_partial(args.out)
            run = classroom.grade_class(
                submissions,
                args.assignment,
                out=args.out,
                device=args.device,
                jobs=args.jobs,
                force=args.force,
                progress=progress,
                require_sandbox=args.require_sandbox,
            )
            # the class is every stored result, not just this run's: regrading one student keeps the others
            named = classroom.class_results(args.out, args.assignment, notes)
            _write_class_outputs(args, args.out, args.assignment, named, run.broken)
        for note in notes[before:]:
            print(f"note: {note}", file=sys.stderr)
    else:
        run = classroom.grade_class(
            submissions,
            args.assignment,
            out=None,
            device=args.device,
            jobs=args.jobs,
            force=True,
            progress=progress,
            require_sandbox=args.require_sandbox,
        )
        if args.gradebook and run.results:
            _export_gradebook(args, run.results, args.assignment)
    for name, texts in run.internal.items():
        for text in texts:
            what = "grading failed" if name in run.broken else "internal error in a check"
            print(escape.terminal(f"[{name}] {what}:\n{text}"), file=sys.stderr)
    if args.json:
        single = len(args.files) == 1 and len(submissions) == 1 and not Path(args.files[0]).is_dir()
        if single and not run.results:  # grading broke (e.g. no such file): still one object, saying why
            problems = [text.splitlines()[0] for texts in run.broken.values() for text in texts]
            payload = results.Result.of([], problems=problems).to_json()
        elif single:
            payload = next(iter(run.results.values())).to_json()
        else:
            payload = [dict(r.to_json(), submission=n) for n, r in run.results.items()]
        json.dump(payload, sys.stdout, indent=1)
        print()
    else:
        print(results.table(list(run.results.items())))
        _print_reasons(run.results, run.broken)
    if len(submissions) > 1 or args.out:
        where = f"; outputs under {args.out}/" if args.out else ""
        print(
            f"graded {len(run.graded)}, kept {len(run.kept)}, failed {len(run.broken)} of {len(submissions)} "
            f"in {run.wall:.1f} s{where}",
            file=sys.stderr,
        )
    return 1 if run.broken else 0


def _print_reasons(named, broken=None):
    """Under the grade table: why a notebook could not be graded as it should (the rest is in --json and feedback)."""
    lines = []
    for name, result in named.items():
        lines += [f"  {name}: {problem}" for problem in result.problems]
    for name, texts in (broken or {}).items():
        lines.append(f"  {name}: not graded: {texts[0].splitlines()[0] if texts else 'grading failed'}")
    if lines:
        print("\nproblems:\n" + "\n".join(lines))


def _merge(args):
    named = classroom.stored_results(args.folders)
    if not named:
        raise classroom.UsageError(f"no results in {', '.join(args.folders)}")
    ids = {r.provenance.assignment for r in named.values()} - {None}
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
            if not (target.is_file() and _same_result(target, result)):
                results.write(target, result)
        _write_class_outputs(args, args.out, assignment_id, named)
    print(results.table(list(named.items())))
    _print_reasons(named)
    print(f"merged {len(named)} results of {assignment_id} from {len(args.folders)} folders into {args.out}/", file=sys.stderr)
    return 0


def _same_result(path, result):
    """Whether the results.json at path holds this result already (a file that holds no result does not)."""
    try:
        return results.read(path) == result
    except ValueError:
        return False


def _export(args):
    from autograder.settings import Canvas, load_config

    named = classroom.class_results(args.folder, args.assignment)
    if not named:
        raise classroom.UsageError(f"no results of {args.assignment} in {args.folder}")
    if args.gradebook:
        _export_gradebook(args, named, args.assignment)
    config = load_config()
    built, written = lms.export_sheet(
        args.folder, args.assignment, named, db_url=_db_url(args), roster_file=args.roster, folder=args.lms_dir
    )
    counts = {status: sum(r.status == status for r in built.records) for status in ("graded", "missing", "ungraded")}
    print(
        f"{args.assignment}: {len(built.records)} roster students ({counts['graded']} graded, {counts['missing']} missing, "
        f"{counts['ungraded']} not graded), {len(built.unknown)} unknown submitters; wrote "
        + ", ".join(str(p) for p in written.values())
    )
    if args.deliver_feedback:
        from autograder import feedback_delivery

        by_name = {r.submission: r for r in built.records if r.submission}
        done = feedback_delivery.deliver(args.deliver_feedback, args.assignment, named, by_name)
        print(f"feedback: {len(done.written)} HTML files under {Path(args.deliver_feedback) / 'feedback'}/")
        for student, why in done.unreleasable.items():
            print(f"feedback: nbgrader cannot release {student}'s: {why}", file=sys.stderr)
    if args.upload_canvas:
        from autograder import canvas_upload

        settings = Canvas(config=config)
        try:
            sent = canvas_upload.upload(
                built, settings, canvas_upload.token(settings), settings.assignments.get(args.assignment)
            )
        except canvas_upload.UploadError as exc:
            print(f"error: Canvas upload failed: {exc}", file=sys.stderr)
            return 1
        print(f"canvas: {len(sent.sent)} grades posted ({sent.state}); {len(sent.skipped)} left out")
    return 0


def _gradescope(args):
    from autograder import gradescope

    assignment = course.get(args.assignment)
    assignment.require_checks()
    output = gradescope.build(assignment, args.output)
    print(f"wrote {output}")
    return 0


def _bench(args):
    from autograder import bench

    return bench.run(args)


def _demo(args):
    from autograder.demo import run

    return run(Path(args.out), args.jobs)


def _new(args):
    from autograder import scaffold

    return scaffold.run(args)


def _validate(args):
    from autograder import validate

    return validate.run(args)


def _calibrate(args):
    from autograder import calibrate

    return calibrate.run(args)


def _mutate(args):
    from autograder import mutate

    if args.limit is not None and args.limit < 1:
        raise classroom.UsageError("--limit must be at least 1")
    if args.budget is not None and args.budget <= 0:
        raise classroom.UsageError("--budget must be a positive number of seconds")

    def progress(done, total):
        print(f"\rgraded {done}/{total}", end="" if done < total else "\n", file=sys.stderr, flush=True)

    assignment = course.get(args.assignment)
    only = [part for part in (args.only or "").split(",") if part.strip()] or None
    report = mutate.run(
        assignment,
        jobs=args.jobs or 1,
        limit=args.limit,
        only=only,
        budget=args.budget,
        device=args.device,
        progress=progress,
    )
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

    p = commands.add_parser("check", help="run the public checks on a saved notebook (what check() shows in Jupyter)")
    p.add_argument("notebook", metavar="NOTEBOOK")
    p.add_argument("-a", "--assignment", help="the assignment (default: from the file name or the notebook's cells)")
    p.add_argument("--json", action="store_true", help="print one object {score, max_score, exercises}")
    p.set_defaults(run=_check)

    p = commands.add_parser("grade", help="grade submitted notebooks: files, nbgrader's submitted/ tree or a folder")
    p.add_argument("files", nargs="+", metavar="FILE_OR_DIR")
    p.add_argument("-a", "--assignment", required=True)
    p.add_argument("--json", action="store_true", help="print results.json (one object for one file)")
    p.add_argument("--out", help="write results/, grades.csv, junit.xml, feedback/ and report/ here; resume from it")
    p.add_argument("--jobs", type=int, default=None, help="grader processes (default: every core)")
    p.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto")
    p.add_argument(
        "--require-sandbox",
        action="store_true",
        help="refuse to grade unless a sandbox tier (bubblewrap or landlock) confines student code",
    )
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

    p = commands.add_parser("export", help="roster, late work and manual points -> Canvas/Moodle CSV, feedback, upload")
    p.add_argument("folder", metavar="DIR", help="an --out folder of grade (its results/ are the class)")
    p.add_argument("-a", "--assignment", required=True)
    p.add_argument("--roster", help="roster CSV (default: Roster.path of course_config.py)")
    p.add_argument("--lms-dir", type=Path, help="write <assignment>.*.csv here (default: DIR/lms)")
    p.add_argument(
        "--deliver-feedback",
        metavar="COURSE_ROOT",
        help="write feedback/<student>/<assignment>/*.html under this nbgrader course for release_feedback",
    )
    p.add_argument("--upload-canvas", action="store_true", help="post the final scores through the Canvas API")
    p.add_argument(
        "--gradebook",
        nargs="?",
        const="course",
        metavar="DB_URL",
        help="record the kit's scores in nbgrader's gradebook first; manual points are read from it",
    )
    p.set_defaults(run=_export)

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

    p = commands.add_parser("new", help="start an assignment from templates (reference, notebook, checks, variants)")
    p.add_argument("assignment", metavar="NN_topic")
    p.add_argument("--title", help="the notebook's title (default: from the topic)")
    p.set_defaults(run=_new)

    p = commands.add_parser("validate", help="prove one assignment's checks on its reference, blank, bugs and alternatives")
    p.add_argument("assignment")
    p.add_argument("--jobs", type=int, default=None, help="grader processes (default: every core)")
    p.set_defaults(run=_validate)

    p = commands.add_parser("calibrate", help="measure the reference's thresholded checks over many seeds")
    p.add_argument("assignment")
    p.add_argument("--seeds", type=int, default=20, help="course secrets to draw inputs with (default 20)")
    p.add_argument("--jobs", type=int, default=None, help="grader processes (default: every core)")
    p.add_argument("-k", "--checks", help="only these checks (a pytest -k expression; default: those that use settings)")
    p.set_defaults(run=_calibrate)
    p = commands.add_parser("mutate", help="grade mutmut's mutants of the reference: how many do the checks kill?")
    p.add_argument("assignment")
    p.add_argument("--jobs", type=int, default=1, help="grader processes (default 1)")
    p.add_argument("--limit", type=int, default=None, help="grade at most N mutants, spread over the exercises")
    p.add_argument("--only", help="grade only the mutants whose ids start with these (comma-separated; a rerun of survivors)")
    p.add_argument("--budget", type=float, default=None, help="stop grading new mutants after this many seconds")
    p.add_argument("--device", choices=["auto", "cpu", "cuda"], default="cpu")
    p.add_argument("--json", action="store_true", help="print one JSON object: counts, per exercise, survivors")
    p.set_defaults(run=_mutate)
    return top


def main(argv=None):
    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except (course.UnknownAssignment, course.MissingPart, classroom.UsageError, lms.ExportError) as exc:
        print(f"error: {escape.terminal(exc)}", file=sys.stderr)
        return 2
