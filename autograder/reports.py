"""Write the class outputs of graded Results: the grade CSV, JUnit XML, student feedback and a class report.

Every writer takes ``{student: Result}`` and writes atomically; nothing here
grades. Student feedback is built from the results' own test names and
messages (which the plugin already stripped of hidden details) and shows no
check names, timings, hashes or inputs.

Layout under the output folder::

    results/<student>.json        Gradescope results.json (written while grading)
    grades.csv                    one row per student: a column per exercise and the total
    junit.xml                     one <testsuite> per student, one <testcase> per check
    feedback/<student>.md|.html   what each student may read
    report/report.md              class statistics with the plots below
    report/summary.json           the same statistics as data
    report/score_histogram.png, report/exercise_pass_rate.png, report/common_failures.png
"""

import csv
import io
import re
import statistics
import textwrap
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

from autograder import escape
from autograder.results import write_text_atomic

FEEDBACK_FORMATS = ("md", "html")
PLOTS = ("score_histogram.png", "exercise_pass_rate.png", "common_failures.png")


SEVERAL = "(several exercises)"


def _num(value):
    return f"{value:g}"


def exercises(named):
    """Exercise names in check order, with their maximum score: {exercise: max_score}."""
    found = {}
    for result in named.values():
        for exercise, (_, top) in result.per_exercise().items():
            found.setdefault(exercise, top)
    return found


# --- grades.csv --------------------------------------------------------------------


def grades_csv(named):
    """The class CSV: header `student, <exercise>..., total`, one row per student, scores as plain numbers."""
    columns = list(exercises(named))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([escape.csv_cell(c) for c in ["student", *columns, "total"]])
    for student, result in named.items():
        totals = result.per_exercise()
        row = [student, *(_num(totals[e][0]) if e in totals else "" for e in columns), _num(result.score)]
        writer.writerow([escape.csv_cell(row[0]), *row[1:]])
    return buffer.getvalue()


# --- junit.xml ---------------------------------------------------------------------


def junit(named, assignment_id, broken=None):
    """JUnit XML (the schema CI dashboards read): a testsuite per student, a testcase per check."""
    broken = broken or {}
    x = escape.xml
    suites = ET.Element("testsuites", name=x(assignment_id))
    totals = Counter()
    for student in sorted(set(named) | set(broken)):
        suite = ET.SubElement(suites, "testsuite", name=x(student))
        counts = Counter()
        if student in broken:
            case = ET.SubElement(suite, "testcase", classname=x(f"{assignment_id}.{student}"), name="grading", time="0")
            message = x("\n".join(broken[student]) or "grading failed")
            first = (message.splitlines() or [""])[0][:200]
            ET.SubElement(case, "error", message=first, type="GraderError").text = message
            counts.update(tests=1, errors=1)
        else:
            result = named[student]
            properties = ET.SubElement(suite, "properties")
            ET.SubElement(properties, "property", name="score", value=_num(result.score))
            ET.SubElement(properties, "property", name="max_score", value=_num(result.max_score))
            for check in result.checks:
                seconds = float(check.seconds or 0.0)
                case = ET.SubElement(
                    suite,
                    "testcase",
                    classname=x(f"{assignment_id}.{student}.{check.exercise}"),
                    name=x(check.name),
                    time=f"{seconds:.3f}",
                )
                counts.update(tests=1, time=seconds)
                if not check.passed:
                    message = x(check.feedback or "failed")
                    first = (message.splitlines() or [""])[0][:200]
                    failure = ET.SubElement(case, "failure", message=first, type="CheckFailed")
                    failure.text = f"{_num(check.score)}/{_num(check.max_score)} points\n{message}"
                    counts.update(failures=1)
            if result.output:
                ET.SubElement(suite, "system-out").text = x(result.output)
        for key in ("tests", "failures", "errors"):
            suite.set(key, str(counts[key]))
        suite.set("skipped", "0")
        suite.set("time", f"{counts['time']:.3f}")
        totals.update(counts)
    for key in ("tests", "failures", "errors"):
        suites.set(key, str(totals[key]))
    suites.set("time", f"{totals['time']:.3f}")
    ET.indent(suites)
    return ET.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"


# --- feedback ------------------------------------------------------------------------


def _feedback_parts(result):
    """(exercise, score, max, [(passed, title, message)]) per exercise, from what the student may see."""
    grouped = {}
    for check in result.checks:
        grouped.setdefault(check.exercise, []).append((check.passed, check.title, check.feedback))
    totals = result.per_exercise()
    return [(e, totals[e][0], totals[e][1], checks) for e, checks in grouped.items()]


def _fence(text):
    """A code fence longer than any run of backticks in text."""
    ticks = 3
    while "`" * ticks in text:
        ticks += 1
    return "`" * ticks


def feedback_markdown(student, result, assignment_id):
    """A student's feedback as Markdown: score, a line per check, and each failure's message."""
    md = escape.markdown
    lines = [
        f"# {md(assignment_id)}: feedback for {md(student)}",
        "",
        f"**Score: {_num(result.score)} / {_num(result.max_score)}**",
    ]
    parts = _feedback_parts(result)
    lines += ["", "| exercise | points |", "|---|---|"]
    lines += [f"| {md(exercise)} | {_num(score)} / {_num(top)} |" for exercise, score, top, _ in parts]
    if result.output:
        output = escape.code(result.output)
        fence = _fence(output)
        lines += ["", "## About your notebook", "", f"{fence}text", output, fence]
    for exercise, score, top, checks in parts:
        lines += ["", f"## {md(exercise)} ({_num(score)} / {_num(top)})", ""]
        for passed, title, message in checks:
            lines.append(f"- {'passed' if passed else 'FAILED'}: {md(title)}")
            message = escape.code(message or "")
            if not passed and message:
                fence = _fence(message)
                lines += ["", textwrap.indent(f"{fence}text\n{message}\n{fence}", "  "), ""]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).rstrip() + "\n"


_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:50em;margin:2em auto;line-height:1.4}"
    "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2em .6em}"
    ".passed{color:#176f2c}.failed{color:#b00020}pre{background:#f6f6f6;padding:.5em;white-space:pre-wrap}"
)


def feedback_html(student, result, assignment_id):
    """A student's feedback as a standalone HTML page (every text escaped)."""
    e = escape.html
    title = f"{assignment_id}: feedback for {student}"
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{e(title)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{e(title)}</h1>",
        f"<p><strong>Score: {_num(result.score)} / {_num(result.max_score)}</strong></p>",
    ]
    parts = _feedback_parts(result)
    out.append("<table><tr><th>exercise</th><th>points</th></tr>")
    out += [f"<tr><td>{e(x)}</td><td>{_num(s)} / {_num(t)}</td></tr>" for x, s, t, _ in parts]
    out.append("</table>")
    if result.output:
        out += ["<h2>About your notebook</h2>", f"<pre>{e(result.output)}</pre>"]
    for exercise, score, top, checks in parts:
        out += [f"<h2>{e(exercise)} ({_num(score)} / {_num(top)})</h2>", "<ul>"]
        for passed, check_title, message in checks:
            status = "passed" if passed else "failed"
            item = f'<li class="{status}">{status}: {e(check_title)}'
            if not passed and message:
                item += f"<pre>{e(message)}</pre>"
            out.append(item + "</li>")
        out.append("</ul>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"


# --- class report --------------------------------------------------------------------


def summary(named, assignment_id, top=10):
    """Class statistics as plain data: scores, a 10-bin histogram, per-exercise pass rates, common failures.

    An exercise's pass rate is the fraction of students with full marks on it;
    a failure message's count is the number of students who were shown it.
    """
    scores = [r.score for r in named.values()]
    maximum = max((r.max_score for r in named.values()), default=0.0)
    counts = [0] * 10
    for score in scores:
        fraction = score / maximum if maximum else 0.0
        counts[min(int(fraction * 10), 9)] += 1
    per_student = {s: r.per_exercise() for s, r in named.items()}
    rows = []
    for exercise, top_score in exercises(named).items():
        got = [per_student[s][exercise][0] for s in named if exercise in per_student[s]]
        full = [score >= top_score for score in got]
        rows.append(
            {
                "exercise": exercise,
                "max_score": top_score,
                "mean_score": round(statistics.fmean(got), 4) if got else 0.0,
                "pass_rate": round(sum(full) / len(full), 4) if full else 0.0,
            }
        )
    failures = Counter()  # (exercise, message) -> students who were told it
    for result in named.values():
        where = {}  # message -> exercises it was told in: a notebook-wide problem counts once, not once per exercise
        for check in result.checks:
            if not check.passed:
                where.setdefault(check.feedback or "(no message)", set()).add(check.exercise)
        failures.update((next(iter(e)) if len(e) == 1 else SEVERAL, message) for message, e in where.items())
    common = sorted(failures.items(), key=lambda item: (-item[1], item[0]))[:top]
    return {
        "assignment": assignment_id,
        "students": len(scores),
        "max_score": maximum,
        "mean": round(statistics.fmean(scores), 4) if scores else 0.0,
        "median": statistics.median(scores) if scores else 0.0,
        "min": min(scores, default=0.0),
        "max": max(scores, default=0.0),
        "full_marks": sum(1 for s in scores if maximum and s >= maximum),
        "histogram": {"edges_percent": list(range(0, 101, 10)), "counts": counts},
        "exercises": rows,
        "common_failures": [{"exercise": e, "message": m, "count": n} for (e, m), n in common],
    }


def _short(text, width=70):
    first = text.strip().splitlines()[0] if text.strip() else text
    return first if len(first) <= width else first[: width - 1] + "…"


def plots(stats, folder, errors=None):
    """The report's three PNG plots, drawn with matplotlib's Agg backend and mathtext off; returns their paths.

    Labels are student-chosen text: a plot that fails to draw is skipped and
    its error appended to `errors`, never raised.
    """
    import matplotlib

    matplotlib.use("Agg", force=True)
    from matplotlib import pyplot as plt

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    errors = [] if errors is None else errors
    paths = []
    for name, draw in zip(PLOTS, (_histogram, _pass_rates, _failures)):
        try:
            with matplotlib.rc_context(escape.PLOT_STYLE):
                fig = draw(plt, stats)
                try:
                    paths.append(_save(fig, folder / name, {"Software": None}))  # no version stamp: same data, same bytes
                finally:
                    plt.close(fig)
        except Exception as exc:  # noqa: BLE001 - a plot is a convenience; the grades must still be written
            errors.append(f"{name} was not drawn: {type(exc).__name__}: {exc}")
    return paths


def _histogram(plt, stats):
    fig, ax = plt.subplots(figsize=(6, 3.5))
    edges = stats["histogram"]["edges_percent"]
    ax.bar(edges[:-1], stats["histogram"]["counts"], width=9, align="edge", color="#4c72b0")
    ax.set_xlim(0, 100)
    ax.set_xlabel("score (% of maximum)")
    ax.set_ylabel("students")
    ax.set_title(escape.plot(f"{stats['assignment']}: scores of {stats['students']} students"))
    fig.tight_layout()
    return fig


def _pass_rates(plt, stats):
    names = [escape.plot(row["exercise"]) for row in stats["exercises"]]
    fig, ax = plt.subplots(figsize=(6, 0.8 + 0.35 * max(len(names), 1)))
    ax.barh(range(len(names)), [100 * row["pass_rate"] for row in stats["exercises"]], color="#55a868")
    ax.set_yticks(range(len(names)), names)
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel("students with full marks (%)")
    ax.set_title("pass rate per exercise")
    fig.tight_layout()
    return fig


def _failures(plt, stats):
    failures = stats["common_failures"]
    fig, ax = plt.subplots(figsize=(8, 0.8 + 0.4 * max(len(failures), 1)))
    if failures:
        labels = [escape.plot(f"{f['exercise']}: {_short(f['message'], 60)}") for f in failures]
        ax.barh(range(len(failures)), [f["count"] for f in failures], color="#c44e52")
        ax.set_yticks(range(len(failures)), labels, fontsize=7)
        ax.invert_yaxis()
        ax.set_xlabel("students")
    else:
        ax.text(0.5, 0.5, "no check failed", ha="center", va="center")
        ax.set_axis_off()
    ax.set_title("most common failure messages")
    fig.tight_layout()
    return fig


def _save(fig, path, metadata):
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100, metadata=metadata)
    write_text_atomic(path, buffer.getvalue(), mode="wb")
    return path


def report_markdown(stats):
    """The class report: statistics, tables and the plots beside it."""
    s = stats
    md = escape.markdown
    lines = [
        f"# {md(s['assignment'])}: class report",
        "",
        f"{s['students']} students; maximum {_num(s['max_score'])} points; mean {_num(s['mean'])}, "
        f"median {_num(s['median'])}, lowest {_num(s['min'])}, highest {_num(s['max'])}; "
        f"{s['full_marks']} with full marks.",
        "",
        f"![score histogram]({PLOTS[0]})",
        "",
        "## Exercises",
        "",
        "| exercise | max | mean | full marks |",
        "|---|---|---|---|",
    ]
    lines += [
        f"| {md(r['exercise'])} | {_num(r['max_score'])} | {_num(r['mean_score'])} | {100 * r['pass_rate']:.0f}% |"
        for r in s["exercises"]
    ]
    lines += ["", f"![pass rate per exercise]({PLOTS[1]})", "", "## Most common failure messages", ""]
    if s["common_failures"]:
        lines += ["| students | exercise | message |", "|---|---|---|"]
        for f in s["common_failures"]:
            lines.append(f"| {f['count']} | {md(f['exercise'])} | {md(_short(f['message'], 200))} |")
    else:
        lines.append("No check failed.")
    lines += ["", f"![most common failure messages]({PLOTS[2]})"]
    return "\n".join(lines) + "\n"


# --- everything at once ----------------------------------------------------------------


def write_all(out, assignment_id, named, feedback="md", broken=None):
    """Write grades.csv, junit.xml, feedback/ and report/ under out; returns {what: path}."""
    import json

    if feedback not in FEEDBACK_FORMATS:
        raise ValueError(f"feedback format must be one of {FEEDBACK_FORMATS}")
    out = Path(out)
    named = dict(sorted(named.items()))
    written = {"csv": out / "grades.csv", "junit": out / "junit.xml", "feedback": out / "feedback", "report": out / "report"}
    write_text_atomic(written["csv"], grades_csv(named))
    write_text_atomic(written["junit"], junit(named, assignment_id, broken))
    render = feedback_markdown if feedback == "md" else feedback_html
    for student, result in named.items():
        write_text_atomic(written["feedback"] / f"{student}.{feedback}", render(student, result, assignment_id))
    stats = summary(named, assignment_id)
    write_text_atomic(written["report"] / "summary.json", json.dumps(stats, indent=1) + "\n")
    write_text_atomic(written["report"] / "report.md", report_markdown(stats))
    written["plot_errors"] = []
    plots(stats, written["report"], written["plot_errors"])
    return written
