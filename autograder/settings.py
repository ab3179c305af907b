"""The kit's settings and the loading of course_config.py, the one configuration file.

nbgrader reads only ``nbgrader_config.py`` on its own; the kit has none and
loads ``course_config.py`` explicitly, then hands the same Config object to
nbgrader's classes and to :class:`Grading`.
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
        False, help="Refuse to grade when the sandbox tier is 'none' (grade --require-sandbox sets it)."
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
    max_notebook_mb = Float(25.0, help="Largest submission file accepted, in MiB.").tag(config=True)
    max_message_mb = Int(256, help="Largest message the grader accepts from the worker, in MiB.").tag(config=True)
    thresholds = Dict(help="Accuracy and loss thresholds, keyed '<assignment>.<name>'.").tag(config=True)

    def threshold(self, assignment, name):
        """The configured threshold for one check; a KeyError names what is missing."""
        key = f"{assignment}.{name}"
        if key not in self.thresholds:
            raise KeyError(f"{CONFIG_FILE} sets no Grading.thresholds[{key!r}]")
        return self.thresholds[key]


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
