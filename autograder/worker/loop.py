"""The student worker: runs notebook cells and answers the grader's requests.

Everything here runs in the student's process, so nothing here is trusted:
the grader validates every value it gets back. Requests and answers are
wire messages on two inherited pipes; the student's own stdout and stderr go
elsewhere, so printing cannot break the protocol.
"""

import builtins
import importlib
import linecache
import os
import random
import sys
import traceback

from . import wire

LIBRARIES = (
    "torch",
    "torch.nn",
    "torch.nn.functional",
    "torch.optim",
    "torch.utils.data",
    "torchvision",
    "torchvision.transforms",
    "numpy",
    "kitworker.harness",
)
MAX_MESSAGE = 512 << 20
MAX_TEXT = 600


def _short(text):
    text = str(text)
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 3] + "..."


def describe_error(exc):
    """Name an exception and the notebook line it came from, without the worker's frames."""
    where = ""
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename.startswith("<cell "):
            # the innermost of the student's functions: a bug in one function can surface in another's call
            inside = f"in {frame.name}, " if frame.name != "<module>" else ""
            where = f"{inside}{frame.filename[1:-1]}, line {frame.lineno}"
    if isinstance(exc, SyntaxError) and exc.filename and exc.filename.startswith("<cell "):
        where = f"{exc.filename[1:-1]}, line {exc.lineno}"
    message = exc.msg if isinstance(exc, SyntaxError) else str(exc)
    return {"type": type(exc).__name__, "message": _short(message), "where": where}


class Worker:
    """A namespace for the notebook's code plus a table of handles."""

    def __init__(self, read_fd, write_fd):
        self.read_fd, self.write_fd = read_fd, write_fd
        self.namespace = {"__name__": "__main__", "__builtins__": builtins}
        self.handles = {}
        self.next_handle = 1

    # --- codec ---------------------------------------------------------------

    def handle(self, obj):
        """Keep obj here and describe it to the grader."""
        key = self.next_handle
        self.next_handle += 1
        self.handles[key] = obj
        kind = type(obj)
        names = [f"{c.__module__}.{c.__qualname__}" for c in kind.__mro__]
        return {"$handle": [key, names]}

    def on_other(self, obj):
        value = wire.torch_value(obj)
        if value is not None:
            return value
        image = wire.pil_value(obj)
        if image is not None:
            return image
        if type(obj).__module__ == "numpy" and type(obj).__name__ == "ndarray":
            if str(obj.dtype) in wire.NUMPY_DTYPES:
                return wire.array_to_wire(obj)
        if type(obj).__module__ == "numpy" and hasattr(obj, "item") and getattr(obj, "shape", None) == ():
            return self.encode(obj.item())
        if isinstance(obj, dict) and type(obj).__module__ == "collections":
            return self.encode(dict(obj))
        if isinstance(obj, tuple) and hasattr(obj, "_fields"):
            return self.encode(tuple(obj))
        return self.handle(obj)

    def encode(self, obj):
        return wire.encode(obj, self.on_other)

    def on_tag(self, tag, fields):
        if tag == "$ref":
            if fields not in self.handles:
                raise wire.WireError("unknown handle")
            return self.handles[fields]
        return wire.torch_tag(tag, fields)

    def decode(self, data):
        return wire.decode(data, self.on_tag)

    # --- requests ------------------------------------------------------------

    def op_hello(self, request):
        import torch

        return {"pid": os.getpid(), "torch": torch.__version__, "cuda": torch.cuda.is_available()}

    def op_exec(self, request):
        """Run one cell (plain Python: the grader already turned IPython syntax into code); errors are answers."""
        name, text = request["cell"], request["source"]
        filename = f"<cell {name}>"
        # as IPython does: keep the cell's text where inspect.getsource finds it (torch.jit.script needs it)
        linecache.cache[filename] = (len(text), None, text.splitlines(True), filename)
        try:
            code = compile(text, filename, "exec")
            exec(code, self.namespace)
        except BaseException as exc:  # noqa: BLE001 - SystemExit and friends are student errors too
            return describe_error(exc)
        return None

    def op_seed(self, request):
        import numpy
        import torch

        seed = int(request["seed"])
        random.seed(seed)
        numpy.random.seed(seed % 2**32)
        torch.manual_seed(seed)
        return None

    def op_global(self, request):
        name = request["name"]
        if name not in self.namespace:
            raise NameError(f"name {name!r} is not defined")
        return self.namespace[name]

    def op_lib(self, request):
        name = request["name"]
        if name not in LIBRARIES:
            raise ImportError(f"{name} is not a library the grader may use")
        return importlib.import_module(name)

    def op_put(self, request):
        return self.decode(request["value"])

    def op_getattr(self, request):
        return getattr(self.decode(request["target"]), request["name"])

    def op_setattr(self, request):
        setattr(self.decode(request["target"]), request["name"], self.decode(request["value"]))

    def op_getitem(self, request):
        return self.decode(request["target"])[self.decode(request["key"])]

    def op_len(self, request):
        return len(self.decode(request["target"]))

    def op_iter(self, request):
        return iter(self.decode(request["target"]))

    def op_next(self, request):
        try:
            return {"item": next(self.decode(request["target"]))}
        except StopIteration:
            return {"stop": True}

    def op_call(self, request):
        target = self.decode(request["target"])
        args = self.decode(request["args"])
        kwargs = self.decode(request["kwargs"])
        return target(*args, **kwargs)

    def op_release(self, request):
        for key in request["handles"]:
            self.handles.pop(key, None)

    def answer(self, request):
        op = getattr(self, "op_" + str(request.get("op")), None)
        if op is None:
            return {"error": {"type": "ProtocolError", "message": "unknown request", "where": ""}}
        try:
            result = op(request)
        except BaseException as exc:  # noqa: BLE001 - every student error is reported, not fatal
            return {"error": describe_error(exc)}
        try:
            if request.get("as_handle"):
                return {"ok": self.handle(result)}
            return {"ok": self.encode(result)}
        except BaseException as exc:  # noqa: BLE001
            return {"error": {"type": "UnsendableValue", "message": _short(exc), "where": ""}}

    def serve(self):
        while True:
            try:
                request = wire.receive(self.read_fd, MAX_MESSAGE)
            except EOFError:
                return
            if request.get("op") == "bye":
                return
            answer = self.answer(request)
            answer["id"] = request.get("id")
            wire.send(self.write_fd, answer)


def main(read_fd, write_fd):
    """Set the process up for grading, then serve requests until the grader leaves."""
    import torch

    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    threads = int(os.environ.get("KIT_THREADS", "1"))
    torch.set_num_threads(threads)
    sys.argv = ["notebook"]

    def close_protocol():
        # a process the student forks must not talk on the grader's pipes
        for fd in (read_fd, write_fd):
            try:
                os.close(fd)
            except OSError:
                pass

    os.register_at_fork(after_in_child=close_protocol)
    Worker(read_fd, write_fd).serve()
