"""Notebook plumbing: keep source cells equal to reference/, release with nbgrader, solve.

A source cell whose metadata has ``kit.reference`` (a list of names, ``name``
for the assignment's own reference module or ``module:name`` for another) holds
exactly the source of those objects, solution markers included. ``sync``
rewrites such cells from reference/, and a test proves it changes nothing.
"""

import ast
import copy
import functools
import importlib
import inspect
import logging
import os
import sys
from pathlib import Path

import nbformat

from autograder import course
from autograder.settings import load_config

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"


def read(path):
    return nbformat.read(str(path), as_version=4)


def write(notebook, path):
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, str(path))


def grade_id(cell):
    """The nbgrader grade_id of a cell, or None."""
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def is_solution(cell):
    return bool(cell.get("metadata", {}).get("nbgrader", {}).get("solution"))


@functools.cache
def _segments(module_name):
    """Top-level definitions of a module: name -> source text (decorators included)."""
    module = importlib.import_module(module_name)
    text = inspect.getsource(module)
    lines = text.splitlines()
    found = {}
    for node in ast.parse(text).body:
        names = []
        if isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef)):
            names = [node.name]
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names = [t.id for t in targets if isinstance(t, ast.Name)]
        start = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
        end = node.end_lineno
        # the AST ends at the last statement; an indented closing comment (### END SOLUTION) belongs too
        while end < len(lines) and lines[end].strip().startswith("#") and lines[end][:1].isspace():
            end += 1
        for name in names:
            found[name] = "\n".join(lines[start - 1 : end])
    return found


def reference_code(assignment, names):
    """The source of the named reference objects, joined as one cell."""
    parts = []
    for name in names:
        module, _, attr = name.rpartition(":")
        module_name = f"reference.{module}" if module else assignment.reference().__name__
        segments = _segments(module_name)
        if attr not in segments:
            raise KeyError(f"{module_name} defines no top-level {attr!r}")
        parts.append(segments[attr])
    return "\n\n\n".join(parts)


def sync(assignment, write_back=True):
    """Rewrite reference-backed cells of the source notebook; return the grade_ids that differed."""
    notebook = read(assignment.source)
    changed = []
    for cell in notebook.cells:
        names = cell.get("metadata", {}).get("kit", {}).get("reference")
        if not names:
            continue
        code = reference_code(assignment, names)
        if not is_solution(cell):
            code = strip_markers(code)  # given code shows no solution region
        if cell.source != code:
            changed.append(grade_id(cell))
            cell.source = code
    if changed and write_back:
        write(notebook, assignment.source)
    return changed


def strip_markers(source):
    """The solution code of a cell: the text with its solution marker lines removed."""
    return "\n".join(line for line in source.splitlines() if line.strip() not in (BEGIN, END))


def _put_interpreter_bin_on_path():
    """nbgrader creates its gradebook by running `alembic`; find it beside this Python even in an unactivated venv."""
    folder = os.path.dirname(sys.executable)
    if folder not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = folder + os.pathsep + os.environ.get("PATH", "")


def release(assignment_ids=None, release_dir=None, config=None):
    """Generate student notebooks with nbgrader's own GenerateAssignment, configured by course_config.py."""
    from nbgrader.converters import GenerateAssignment
    from nbgrader.coursedir import CourseDirectory

    _put_interpreter_bin_on_path()
    config = copy.deepcopy(config if config is not None else load_config())
    if release_dir is not None:
        config.CourseDirectory.release_directory = str(release_dir)
    ids = assignment_ids or [a.id for a in course.assignments(config.CourseDirectory.root)]
    for assignment_id in ids:
        sync(course.get(assignment_id, config.CourseDirectory.root))
        coursedir = CourseDirectory(config=config)
        coursedir.assignment_id = assignment_id
        coursedir.notebook_id = assignment_id  # one notebook each; "*" would refuse once the gradebook holds grades
        converter = GenerateAssignment(coursedir=coursedir, config=config)
        converter.log.setLevel(logging.WARNING)
        converter.force = True
        converter.start()
        from autograder import public, settings

        folder = Path(config.CourseDirectory.root) / config.CourseDirectory.release_directory / assignment_id
        public.install_runtime(folder, settings.grading(config).data_root)  # kitcheck.py beside public_checks.py
    return ids


def solve(assignment):
    """The release notebook with every solution cell filled from the source: a reference submission."""
    source_cells = {grade_id(c): c for c in read(assignment.source).cells if grade_id(c)}
    notebook = read(assignment.release)
    for cell in notebook.cells:
        if is_solution(cell) and grade_id(cell) in source_cells:
            cell.source = strip_markers(source_cells[grade_id(cell)].source)
    return notebook
