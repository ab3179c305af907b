"""Define the kit's settings and load course_config.py, the one configuration file.

The kit loads ``course_config.py`` explicitly and hands the same Config object
to nbgrader's classes and to its own settings (:class:`Grading`, and for the
export step :class:`Roster`, :class:`LateWork`, :class:`Canvas`). nbgrader's own
commands read ``nbgrader_config.py``, which loads ``course_config.py`` too.
"""

from pathlib import Path

from traitlets import Bool, Dict, Enum, Float, Int, Unicode
from traitlets.config import Configurable
from traitlets.config.loader import PyFileConfigLoader

ROOT = Path(__file__).resolve().parent.parent
CONFIG_FILE = "course_config.py"


class Grading(Configurable):
    """How submissions are graded: device, time budgets, data and secrets."""

    device = Enum(["auto", "cpu", "cuda"], "auto", help="Where checks and the worker compute.").tag(config=True)
    data_root = Unicode("data", help="Folder with real data sets (e.g. FashionMNIST/raw), relative to the course root.").tag(
        config=True
    )
    secret = Unicode("", help="Course secret that seeds every check's random inputs.").tag(config=True)
    cell_timeout = Float(60.0, help="Seconds one notebook cell may run in the worker.").tag(config=True)
    check_timeout = Float(60.0, help="Seconds a check may run when it has no timeout marker.").tag(config=True)
    submission_timeout = Float(900.0, help="Seconds all checks of one submission may run together.").tag(config=True)
    sandbox = Enum(
        ["auto", "bubblewrap", "landlock", "none"],
        "auto",
        help="Confine the worker: 'auto' takes the strongest tier that works here (bubblewrap, then landlock) and refuses"
        " to grade when none does; 'bubblewrap' or 'landlock' demand that tier; 'none' runs student code unconfined.",
    ).tag(config=True)
    require_sandbox = Bool(
        False, help="Refuse to grade when the sandbox tier is 'none' (grade --require-sandbox turns it on for its run)."
    ).tag(config=True)
    warm_workers = Bool(
        True, help="Fork each worker from a sandboxed zygote that imported torch once, instead of starting Python anew."
    ).tag(config=True)
    worker_memory_mb = Int(6144, help="Memory limit of the student worker (cgroup, else address space), in MiB.").tag(
        config=True
    )
    worker_processes = Int(64, help="Most processes and threads the student worker may have at once (cgroup).").tag(
        config=True
    )
    worker_disk_mb = Int(1024, help="Most MiB one submission may keep in its scratch folder (warm workers).").tag(config=True)
    worker_files = Int(10000, help="Most files and folders one submission may keep in its scratch folder.").tag(config=True)
    max_notebook_mb = Float(
        25.0, help="Most code and text a submission's cells may hold, in MiB (outputs and images do not count)."
    ).tag(config=True)
    max_file_mb = Float(512.0, help="Largest submission file read at all, in MiB; outputs are dropped while reading it.").tag(
        config=True
    )
    max_message_mb = Int(256, help="Largest message the grader accepts from the worker, in MiB.").tag(config=True)
    thresholds = Dict(help="Accuracy and loss thresholds, keyed '<assignment>.<name>'.").tag(config=True)

    def threshold(self, assignment, name):
        """The configured threshold for one check; a KeyError names what is missing."""
        key = f"{assignment}.{name}"
        if key not in self.thresholds:
            raise KeyError(f"{CONFIG_FILE} sets no Grading.thresholds[{key!r}]")
        return self.thresholds[key]


class Roster(Configurable):
    """Who is in the class: the roster CSV that grades are exported for, and names students submit under."""

    path = Unicode(
        "",
        help="CSV of the class (columns id, name, email, lms_id, section; login optional), relative to the course root; "
        "'' for none.",
    ).tag(config=True)
    aliases = Dict(help="Submission names (file, folder or nbgrader student id) -> roster id, for other spellings.").tag(
        config=True
    )


class LateWork(Configurable):
    """Deadlines and late penalties, applied when grades are exported (never part of grading or its fingerprint)."""

    deadlines = Dict(
        help="Deadline per assignment id: ISO 8601 time with a UTC offset, e.g. '2027-03-01T23:59:00+01:00'."
    ).tag(config=True)
    grace_minutes = Float(0.0, help="Minutes after the deadline that still count as on time.").tag(config=True)
    penalty_per_day = Float(
        0.0, help="Fraction of the assignment's maximum taken per started day late (after the grace period)."
    ).tag(config=True)
    penalty_cap = Float(1.0, help="Largest fraction of the maximum a late penalty may take.").tag(config=True)
    extensions = Dict(help="Per-student deadlines: {assignment id: {roster id: ISO 8601 time}}.").tag(config=True)


class Canvas(Configurable):
    """Where `export --upload-canvas` posts grades; the token comes from the environment, never from this file."""

    url = Unicode("", help="Canvas base URL, e.g. https://canvas.example.edu").tag(config=True)
    course_id = Int(0, help="Canvas course id.").tag(config=True)
    assignments = Dict(help="Kit assignment id -> Canvas assignment id (also names the import CSV's column).").tag(config=True)
    token_env = Unicode("CANVAS_API_TOKEN", help="Environment variable that holds the Canvas API token.").tag(config=True)
    timeout = Float(30.0, help="Seconds one Canvas API request may take.").tag(config=True)


def load_config(root=ROOT):
    """Read course_config.py under root into a traitlets Config."""
    root = Path(root)
    loader = PyFileConfigLoader(CONFIG_FILE, path=str(root))
    config = loader.load_config()
    config.CourseDirectory.root = str(root)
    prefix = "sqlite:///"
    db_url = config.CourseDirectory.get("db_url", "")
    if db_url.startswith(prefix) and not db_url[len(prefix) :].startswith("/"):
        database = root / db_url[len(prefix) :]
        database.parent.mkdir(parents=True, exist_ok=True)
        config.CourseDirectory.db_url = prefix + str(database)
    return config


def grading(config=None):
    """The Grading settings in effect."""
    return Grading(config=config if config is not None else load_config())
