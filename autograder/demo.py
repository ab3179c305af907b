"""The demo: release every assignment, build a small sample class of each, grade it, print the tables.

Each class: the reference submission, the blank release, three real bugs, one correct alternative and
three correct notebooks written and saved as students do (:data:`autograder.handins.DEMO`), which must
get full marks.
"""

import time
from pathlib import Path

from autograder import course, handins, notebooks, results, variants
from autograder.grade import grade_many


def run(out, jobs=None):
    """Write sample submissions under out/<assignment>/ and print each assignment's grade table."""
    started = time.monotonic()
    ids = notebooks.release()
    print(f"released {', '.join(ids)} with nbgrader")
    broken = 0
    for assignment in course.assignments():
        folder = Path(out) / assignment.id
        paths = []
        for name, notebook in variants.sample_class(assignment, bugs=3, alternatives=1).items():
            path = folder / f"{name}.ipynb"
            notebooks.write(notebook, path)
            paths.append(path)
        for kind, data in handins.build(assignment, handins.DEMO).items():
            path = folder / f"handin-{kind}.ipynb"
            path.write_bytes(data)
            paths.append(path)
        graded = {}
        for path, result, _ in grade_many(paths, assignment.id, jobs=jobs):
            if result is None:
                broken += 1
            else:
                graded[path] = result
                results.write(folder / "results" / f"{path.stem}.json", result)
        print(f"\n== {assignment.id}: {len(paths)} submissions ==")
        print(results.table([(p.stem, graded[p]) for p in paths if p in graded]))
        for path, result in graded.items():
            if path.stem.startswith("handin-") and result.score < result.max_score:
                broken += 1  # correct code, written as students write it, must never lose a point
                print(f"error: {path.stem} is correct but scored {result.score:g}/{result.max_score:g}")
    print(f"\ngraded in {time.monotonic() - started:.0f} s; results under {out}/")
    return 1 if broken else 0
