"""Escaping for everything that leaves the grader: one function per destination.

Student code chooses exception messages, and students choose file names, so
any text in a result may carry terminal escape sequences, spreadsheet
formulas, HTML, Markdown, characters XML forbids or matplotlib mathtext.
Every writer passes such text through the function for its destination.
"""

import html as _html
import re

# CSI and OSC sequences whole (so no half of one survives), then any other C0/C1 control but tab and newline
_SEQUENCES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x9b[0-?]*[ -/]*[@-~]")
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")  # + bidi overrides
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>])")
_FORMULA = ("=", "+", "-", "@", "\t", "\r", "\n")


def _printable(text):
    return _CONTROLS.sub("", _SEQUENCES.sub("", str(text)))


def terminal(text):
    """Text for the instructor's terminal: escape sequences and control characters (but newline, tab) removed."""
    return _printable(text)


def csv_cell(value):
    """A CSV cell: numbers as they are; text without controls, and never read as a formula by a spreadsheet."""
    if isinstance(value, (int, float)):
        return value
    text = _printable(value)
    return "'" + text if text.startswith(_FORMULA) else text


def markdown(text):
    """Inline Markdown text: HTML escaped, Markdown's special characters backslashed, one line."""
    text = _html.escape(_printable(text).replace("\n", " ").replace("\t", " "), quote=False)
    return _MARKDOWN.sub(r"\\\1", text)


def code(text):
    """Text for a Markdown code fence or an HTML <pre> before escaping: control characters removed."""
    return _printable(text)


def html(text):
    """HTML text or attribute value: controls removed, &, <, >, and quotes escaped."""
    return _html.escape(_printable(text), quote=True)


def xml(text):
    """XML 1.0 text or attribute value (ElementTree escapes &, <, >): characters XML forbids removed."""
    return _NOT_XML.sub("", _printable(text))


def plot(text):
    """A matplotlib label: controls removed; `$` and `\\` shown as they are (drawn with mathtext off)."""
    return _printable(text)


PLOT_STYLE = {"text.parse_math": False, "text.usetex": False}  # rcParams for every plot the kit draws
