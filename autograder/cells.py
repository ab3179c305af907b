"""Turn a notebook cell's IPython text into plain Python the worker can run, and say what was left out.

The trusted grader uses IPython's own input transformer, so a line is a magic
exactly when Jupyter would treat it as one (a ``%`` that continues an
expression is Python's modulo, not a magic). The magic calls it produces are
then rewritten in place, line for line, so error line numbers still match the
student's cell:

* ``%time``, ``%timeit``, ``%prun`` and ``%%time``, ``%%timeit``, ``%%capture``,
  ``%%prun`` run the code they time or capture, once;
* display and session magics (``%matplotlib``, ``%config``, ``%load_ext``,
  ``%autoreload``, ``x?``, ...) do nothing;
* shell commands (``!pip install``, ``x = !ls``, ``%pip``, ``%%bash``) and any
  other magic are skipped with a note; ``x = !ls`` gives ``x`` an empty list.

Every check that reads a cell's source sees this transformed text too.
"""

import ast
import dataclasses

from IPython.core.inputtransformer2 import TransformerManager

RUN_LINE = {"time", "timeit", "prun"}
RUN_CELL = {"time", "timeit", "capture", "prun"}
QUIET = {
    "matplotlib",
    "config",
    "load_ext",
    "reload_ext",
    "unload_ext",
    "autoreload",
    "aimport",
    "pinfo",
    "pinfo2",
    "psearch",
    "precision",
    "xmode",
    "pdb",
    "who",
    "whos",
    "who_ls",
    "pwd",
    "history",
    "lsmagic",
    "magic",
    "doctest_mode",
    "colors",
    "automagic",
    "autocall",
}
SHELL = {"system", "getoutput"}

# definitions an added cell may run: nothing here executes the student's code at top level
DEFINITIONS = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


@dataclasses.dataclass
class Cell:
    """A cell ready for the worker: `text` is what runs (and what source checks read); `notes` say what did not."""

    text: str
    notes: list


def _magic(node):
    """(kind, name, args) when node is get_ipython().<kind>(name, ...), else None."""
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
        return None
    owner = node.func.value
    if not (isinstance(owner, ast.Call) and isinstance(owner.func, ast.Name) and owner.func.id == "get_ipython"):
        return None
    args = [a.value if isinstance(a, ast.Constant) and isinstance(a.value, str) else None for a in node.args]
    if not args or None in args:
        return None
    kind = node.func.attr
    if kind in SHELL:
        return kind, "!", args
    if kind in ("run_line_magic", "run_cell_magic") and len(args) >= 2:
        return kind, args[0].lstrip("%"), args[1:]
    return None


def _shown(kind, name, args):
    if kind in SHELL:
        return f"!{args[0]}"
    if kind == "run_cell_magic":
        return f"%%{name} {args[0]}".rstrip()
    return f"%{name} {args[0]}".rstrip()


def _statement_text(statement, indent):
    """A one-line statement re-indented at the magic's place (compound code is run as its own block)."""
    body = statement.strip()
    if "\n" in body:
        return None
    return indent + body


def transform(source):
    """The runnable text of one cell and notes on what was skipped; never raises."""
    source = source.replace("\r\n", "\n").replace("\r", "\n")
    try:
        text = TransformerManager().transform_cell(source)
    except Exception:  # noqa: BLE001 - IPython gives up on some broken cells; Python will then say why
        return Cell(source, [])
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return Cell(text, [])  # the student's own syntax error, reported by the worker with its line
    return _rewrite(text, tree)


def _rewrite(text, tree):
    notes = []
    lines = text.split("\n")
    edits = []  # (first line, last line, new lines), 1-based inclusive, non-overlapping
    for node in ast.walk(tree):
        if not isinstance(node, (ast.Expr, ast.Assign, ast.AnnAssign)) or node.value is None:
            continue
        found = _magic(node.value)
        if found is None:
            continue
        kind, name, args = found
        indent = lines[node.lineno - 1][: node.col_offset]
        span = node.end_lineno - node.lineno + 1
        shown = _shown(kind, name, args)
        if kind == "run_cell_magic":
            if name in RUN_CELL and node.lineno == 1:
                body = transform(args[1])
                notes += body.notes
                # IPython folded the cell into one line; the body starts on the student's line 2
                edits.append((node.lineno, node.end_lineno, ["pass", *body.text.split("\n")]))
            else:
                notes.append(f"`{shown}` is a cell magic the grader does not run; the cell was skipped")
                edits.append((node.lineno, node.end_lineno, [indent + "pass"]))
            continue
        replacement = None
        if kind == "run_line_magic" and name in RUN_LINE:
            inner = transform(args[0])
            notes += inner.notes
            if isinstance(node, ast.Expr):
                replacement = _statement_text(inner.text, indent)
            else:
                target = ast.get_source_segment(text, node).split("=", 1)[0] if isinstance(node, ast.Assign) else None
                code = inner.text.strip()
                replacement = f"{indent}{target.strip()} = {code}" if target and code and "\n" not in code else None
            if replacement is None:
                notes.append(f"`{shown}`: the grader runs only one-line %{name} statements; this one was skipped")
        elif kind == "run_line_magic" and name in QUIET:
            pass
        elif kind in SHELL:
            notes.append(f"`{shown}` is a shell command; the grader does not run shell commands")
        else:
            notes.append(f"`{shown}` is a magic the grader does not run; it was skipped")
        if replacement is None:
            if isinstance(node, ast.Expr):
                replacement = indent + "pass"
            else:
                targets = ast.get_source_segment(text, node).split("=", 1)[0].strip()
                replacement = f"{indent}{targets} = []" if kind == "getoutput" else f"{indent}{targets} = None"
        edits.append((node.lineno, node.end_lineno, [replacement] + [""] * (span - 1)))
    for first, last, new in sorted(edits, reverse=True):
        lines[first - 1 : last] = new
    return Cell("\n".join(lines), notes)


def definitions_only(text):
    """The part of an added cell that runs at grading: imports, def, class and assignments of constants.

    Returns (text, skipped): the kept statements at their original lines
    (other lines blanked, so errors point at the student's lines) and the line
    numbers of the top-level statements left out (calls, loops, demos).
    """
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return "", []
    lines = text.split("\n")
    keep = [False] * len(lines)
    skipped = []
    for node in tree.body:
        first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
        if _is_definition(node):
            for i in range(first - 1, node.end_lineno):
                keep[i] = True
        elif not (isinstance(node, ast.Pass) or (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant))):
            skipped.append(first)
    kept = [line if keep[i] else "" for i, line in enumerate(lines)]
    return "\n".join(kept).rstrip() + "\n", skipped


def _is_definition(node):
    if isinstance(node, DEFINITIONS):
        return True
    if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
        return _constant(node.value)
    return False


def _constant(node):
    """A value computed without running anything: literals, names, attributes, operators, lambdas."""
    for part in ast.walk(node):
        if isinstance(part, (ast.Call, ast.Await, ast.Yield, ast.YieldFrom, ast.NamedExpr, ast.comprehension)):
            if not _inside_lambda(node, part):
                return False
    return True


def _inside_lambda(root, target):
    for part in ast.walk(root):
        if isinstance(part, ast.Lambda) and any(sub is target for sub in ast.walk(part.body)):
            return True
    return False


def defined_names(text):
    """Top-level names a cell's code defines (def, class, assignment, import), in order."""
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return []
    names = []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.append(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                names += [n.id for n in ast.walk(target) if isinstance(n, ast.Name)]
    return names
