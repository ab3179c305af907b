"""Calibrate accuracy thresholds: run the reference's thresholded checks under many seeds, suggest a threshold.

    python -m autograder calibrate 03_softmax_regression [--seeds 20] [--jobs N] [-k CHECKS]

Each seed is another course secret, so every check draws other inputs (data
split, initial weights). The thresholds in course_config.py are replaced by
probes: floats with the configured value that record every value a check
compares with them (``assert accuracy >= threshold`` records a lower bound,
``assert error < threshold`` an upper one, ``after <= ratio * before`` the
ratio), so the checks need no change. A threshold not yet configured but named
in the checks as ``settings.threshold(assignment.id, "name")`` is probed too.
"""

import copy
import dataclasses
import math
import re
import statistics
import tempfile
import time
from pathlib import Path

from autograder import course, notebooks, validate

_MEASURED = []  # (key, value, bound) recorded by probes in this process


class Probe(float):
    """A configured threshold that records the values compared with it; it compares as the plain float it holds."""

    def __new__(cls, value, key="", scale=1.0):
        probe = super().__new__(cls, value)
        probe.key, probe.scale = key, scale
        return probe

    def _seen(self, other, bound):
        if isinstance(other, (int, float)) and self.scale:
            _MEASURED.append((self.key, float(other) / self.scale, bound))

    # `value >= probe` calls probe.__le__(value) first (a float subclass on the right has priority)
    def __le__(self, other):
        self._seen(other, "at least")
        return float(self) <= other

    def __lt__(self, other):
        self._seen(other, "at least")
        return float(self) < other

    def __ge__(self, other):
        self._seen(other, "at most")
        return float(self) >= other

    def __gt__(self, other):
        self._seen(other, "at most")
        return float(self) > other

    def __mul__(self, other):
        if isinstance(other, (int, float)):
            return Probe(float(self) * other, self.key, self.scale * other)
        return float(self) * other

    __rmul__ = __mul__
    __hash__ = float.__hash__


@dataclasses.dataclass
class Calibration:
    """The distribution of one threshold's measured value over the seeds, and a suggestion."""

    key: str
    bound: str  # "at least" or "at most": how the check compares the value with the threshold
    values: list
    current: float | None

    @property
    def extreme(self):
        return min(self.values) if self.bound == "at least" else max(self.values)

    @property
    def margin(self):
        """Three standard deviations, and at least a tenth of the extreme value."""
        spread = statistics.pstdev(self.values) if len(self.values) > 1 else 0.0
        return max(3 * spread, 0.1 * abs(self.extreme))

    @property
    def suggested(self):
        """The extreme value minus (at least) or plus (at most) the margin, rounded outward to two digits."""
        target = self.extreme - self.margin if self.bound == "at least" else self.extreme + self.margin
        if target == 0:
            return 0.0
        step = 10 ** (math.floor(math.log10(abs(target))) - 1)
        return (math.floor if self.bound == "at least" else math.ceil)(target / step) * step

    def failures(self):
        """How many seeds the current threshold fails the reference on."""
        if self.current is None or math.isnan(self.current):
            return None
        if self.bound == "at least":
            return sum(v < self.current for v in self.values)
        return sum(v > self.current for v in self.values)


def named_thresholds(assignment):
    """Threshold names the checks spell as literals: settings.threshold(assignment.id, "name")."""
    text = assignment.require_checks().read_text()
    return sorted(set(re.findall(r"threshold\(\s*assignment\.id\s*,\s*[\"']([\w.-]+)[\"']\s*\)", text)))


def thresholded_checks(assignment):
    """The checks that take the `settings` fixture (the only way to read a threshold), by AST."""
    import ast

    tree = ast.parse(assignment.require_checks().read_text())
    return [
        node.name
        for node in tree.body
        if isinstance(node, ast.FunctionDef) and node.name.startswith("test") and "settings" in {a.arg for a in node.args.args}
    ]


def _measure(path, assignment_id, root, secret, select, threads):
    """Grade the reference under one secret with probes for thresholds; returns (measurements, failed checks)."""
    from autograder import grade

    assignment = course.get(assignment_id, root)
    config = copy.deepcopy(grade._config(str(assignment.root)))
    config.Grading.secret = secret
    thresholds = dict(config.Grading.thresholds)
    prefix = f"{assignment_id}."
    keys = [k for k in thresholds if k.startswith(prefix)] + [prefix + n for n in named_thresholds(assignment)]
    config.Grading.thresholds = dict(thresholds, **{k: Probe(thresholds.get(k, math.nan), k) for k in keys})
    _MEASURED.clear()
    result, internal = grade.grade_bytes(Path(path).read_bytes(), assignment, "cpu", threads, config=config, select=select)
    measured = list(_MEASURED)
    grade._settle()
    return measured, [c.name for c in result.checks if not c.passed], internal


def calibrate(assignment, seeds=20, jobs=None, select=None, progress=None):
    """Grade the reference's thresholded checks under `seeds` secrets; a list of :class:`Calibration`."""
    from autograder.settings import grading, load_config

    if select is None:
        names = thresholded_checks(assignment)
        if not names:
            raise course.MissingPart(f"no check of {assignment.id} takes the `settings` fixture: nothing to calibrate")
        select = " or ".join(names)
    configured = grading(load_config(assignment.root)).thresholds
    values, bounds, problems = {}, {}, []
    with tempfile.TemporaryDirectory(prefix="calibrate-") as folder:
        path = Path(folder) / "reference.ipynb"
        notebooks.write(notebooks.solve(assignment), path)
        arglists = [(str(path), assignment.id, str(assignment.root), f"calibrate-{i}", select) for i in range(seeds)]
        for args, (measured, failed, internal) in validate.pool_map(_measure, arglists, jobs):
            problems += [f"{args[3]}: {text.strip().splitlines()[-1]}" for text in internal]
            for key, value, bound in measured:
                values.setdefault(key, []).append(value)
                bounds[key] = bound
            if progress:
                progress(args[3], measured, failed)
    found = [Calibration(key, bounds[key], values[key], configured.get(key)) for key in sorted(values)]
    return found, problems


def _figure(x):
    return f"{x:.4g}"


def report(calibrations):
    """One block of text per threshold: the distribution, the current threshold's margin, a suggestion."""
    lines = []
    for c in calibrations:
        ordered = sorted(c.values)
        lines.append(f"{c.key}  (the check needs the value {c.bound} the threshold)")
        lines.append(
            f"  {len(ordered)} values: min {_figure(ordered[0])}, median {_figure(statistics.median(ordered))}, "
            f"mean {_figure(statistics.fmean(ordered))}, max {_figure(ordered[-1])}, "
            f"std {_figure(statistics.pstdev(ordered))}"
        )
        lines.append("  sorted: " + " ".join(_figure(v) for v in ordered))
        failures = c.failures()
        if failures is None:
            lines.append("  current: not set in course_config.py")
        else:
            lines.append(
                f"  current {_figure(c.current)}: margin {_figure(abs(c.extreme - c.current))} from the reference's "
                f"{'minimum' if c.bound == 'at least' else 'maximum'}; fails the reference on {failures} of {len(ordered)} seeds"
            )
        lines.append(f"  suggested {_figure(c.suggested)} (margin {_figure(c.margin)}: 3 std, at least 10% of the extreme)")
    return "\n".join(lines)


def run(args):
    """The `calibrate` command: 0 when every probed threshold was measured."""
    assignment = course.get(args.assignment)
    started = time.monotonic()
    calibrations, problems = calibrate(assignment, args.seeds, args.jobs, args.checks)
    for problem in problems:
        print(f"internal error in a check under {problem}")
    if not calibrations:
        print(f"no check of {assignment.id} compared a value with a threshold (write `assert value >= threshold`)")
        return 1
    print(report(calibrations))
    print(f"{args.seeds} seeds in {time.monotonic() - started:.1f} s")
    return 1 if problems else 0
