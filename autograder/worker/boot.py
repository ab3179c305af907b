"""Start a worker or zygote process: limits and confinement first, then the request loop.

The grader runs ``python -I -c STUB RUNTIME PLAN``; STUB puts RUNTIME (the
private copy of this package, as ``kitworker``) on sys.path and calls
:func:`main` with PLAN, the JSON object that ``autograder.sandbox.worker_plan`` made. Nothing
of the student runs before :func:`confine_self` returns; if a confinement that
the plan asks for fails, the process exits with status 70 before serving.
"""

import json
import os
import platform
import resource
import sys

from . import confine

STUB = "import sys; sys.path.insert(0, sys.argv[1]); from kitworker.boot import main; main(sys.argv[2])"
CONFINE_FAILED = 70


def limit(plan):
    """Core dumps off, open files and file size capped; memory and processes where the plan says."""
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_NOFILE, (256, 256))
    file_bytes = plan["file_mb"] << 20
    resource.setrlimit(resource.RLIMIT_FSIZE, (file_bytes, file_bytes))
    if plan["memory_mb"]:
        memory = plan["memory_mb"] << 20
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    if plan["nproc"]:
        resource.setrlimit(resource.RLIMIT_NPROC, (plan["nproc"], plan["nproc"]))


def confine_self(plan):
    """Apply the tier's confinement to this process; returns what was enforced."""
    enforced = {}
    if plan["tier"] == "landlock":
        enforced["uid"] = confine.drop_privileges(plan["uid"], plan["uid"])
        enforced.update(confine.landlock(read=plan["read"], write=plan["write"], devices=plan["devices"]))
        os.chdir(plan["write"][0])
    if plan["tier"] == "landlock" or (plan["tier"] == "bubblewrap" and platform.machine() in confine.ARCHES):
        enforced.update(confine.seccomp())
    return enforced


def main(text):
    plan = json.loads(text)
    limit(plan)
    try:
        confine_self(plan)
    except OSError as exc:
        os.write(2, f"kitworker: confinement failed: {exc}\n".encode())
        os._exit(CONFINE_FAILED)
    if plan["role"] == "probe":
        os._exit(0)
    if plan["role"] == "zygote":
        from .zygote import serve

        serve(plan)
    else:
        from .loop import main as serve_requests

        serve_requests(plan["read_fd"], plan["write_fd"])


if __name__ == "__main__":
    main(sys.argv[1])
