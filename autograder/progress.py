"""Progress of a class run: a redrawn bar on a terminal, one plain line per submission in CI logs."""

import sys
import time

from autograder.escape import terminal


def _clock(seconds):
    seconds = int(seconds)
    return f"{seconds // 60}m{seconds % 60:02d}s" if seconds >= 60 else f"{seconds}s"


class Progress:
    """Told by :func:`autograder.classroom.grade_class` about each submission as it finishes."""

    def __init__(self, stream=None, width=28):
        self.stream = stream if stream is not None else sys.stderr
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.width = width
        self.total = self.done = self.kept = 0
        self.started = time.monotonic()

    def start(self, total, kept):
        self.total, self.kept, self.done = total, kept, kept
        self.started = time.monotonic()
        if kept:
            self._line(f"{kept} of {total} submissions already graded with these checks; kept")
        if self.tty:
            self._draw("")

    def advance(self, student, result, seconds=None):
        self.done += 1
        student = terminal(student).replace("\n", " ")  # a file name may carry escape sequences
        score = f"{result.score:g}/{result.max_score:g}" if result is not None else "GRADING FAILED"
        took = f" in {seconds:.1f} s" if seconds is not None else ""
        if self.tty:
            self._draw(f"{student} {score}")
        else:
            width = len(str(self.total))
            self._line(f"[{self.done:>{width}}/{self.total}] {student}: {score}{took}")

    def close(self):
        if self.tty:
            self.stream.write("\n")
            self.stream.flush()

    def _line(self, text):
        if self.tty:
            self.stream.write("\r\x1b[K")
        self.stream.write(text + "\n")
        self.stream.flush()

    def _draw(self, last):
        fraction = self.done / self.total if self.total else 1.0
        filled = int(round(fraction * self.width))
        elapsed = time.monotonic() - self.started
        graded_now = self.done - self.kept
        left = self.total - self.done
        eta = f", ~{_clock(elapsed / graded_now * left)} left" if graded_now and left else ""
        bar = "#" * filled + "." * (self.width - filled)
        text = f"[{bar}] {self.done}/{self.total} {_clock(elapsed)}{eta}"
        if last:
            text += f"  {last}"
        self.stream.write("\r\x1b[K" + text)
        self.stream.flush()
