"""The hidden checks' view of a submission: the Session and Remote handles they use, and the errors they meet.

Hidden checks see the student's code only through :class:`Session` and
:class:`Remote`. Every answer is decoded by :mod:`autograder.worker.wire` into
plain Python values and plain tensors; anything else is a :class:`Remote`
handle whose operations are requests to the worker (through
:class:`autograder.client.WorkerClient`, whose process :mod:`autograder.launch` starts).
"""

import re

import torch

from autograder.worker import wire

MAX_ITEMS = 100_000  # items one iteration over a remote object may yield: a generator cannot pile answers up forever


INTERNAL = re.compile(r"\b(?:kitworker\.)?harness\.|\bkitworker\.")


def plain(text):
    """Text for the student: the kit's internal module names (the worker runtime, its harness) taken out."""
    return INTERNAL.sub("", str(text))


def _is_internal(label):
    return label.startswith(("kitworker", "harness")) or label in ("value", "seeding")


class StudentError(Exception):
    """The student's code raised, or a name the check needs is missing."""

    def __init__(self, what, error):
        self.what, self.error = what, error
        where = f" ({error['where']})" if error.get("where") else ""
        if error["type"] == "NotImplementedError" and not error["message"]:
            text = f"{what} is not implemented yet (it raises NotImplementedError){where}"
        else:
            text = f"{what} raised {error['type']}: {error['message']}{where}"
        super().__init__(plain(text))


class WorkerDied(Exception):
    """The worker process ended or was killed; its message says why."""


class CheckTimeout(Exception):
    """A request to the worker outran the check's time limit."""


class BadAnswer(Exception):
    """The worker's answer broke the protocol (size, encoding, types)."""


def is_error_record(value):
    """Whether `value` is the worker's record of an exception: type, message and where, all text."""
    return type(value) is dict and all(type(value.get(k)) is str for k in ("type", "message", "where"))


class Remote:
    """A handle to an object that lives in the worker (a function, module, generator...)."""

    __slots__ = ("_session", "_key", "_types", "_label", "_generation")

    def __init__(self, session, key, types, label):
        object.__setattr__(self, "_session", session)
        object.__setattr__(self, "_key", key)
        object.__setattr__(self, "_types", tuple(types))
        object.__setattr__(self, "_label", label)
        object.__setattr__(self, "_generation", session.worker.generation)

    def __repr__(self):
        return f"<remote {self._label}>"

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return self._session.ask({"op": "getattr", "target": self._ref(), "name": name}, f"{self._label}.{name}")

    def __setattr__(self, name, value):
        self._session.ask(
            {"op": "setattr", "target": self._ref(), "name": name, "value": self._session.encode(value)}, self._label
        )

    def __call__(self, *args, **kwargs):
        return self._session.call(self, args, kwargs)

    def __getitem__(self, key):
        return self._session.ask(
            {"op": "getitem", "target": self._ref(), "key": self._session.encode(key)}, f"{self._label}[{key!r}]"
        )

    def __len__(self):
        try:
            n = self._session.ask({"op": "len", "target": self._ref()}, f"len({self._label})")
        except StudentError as exc:
            if exc.error["type"] == "TypeError":
                raise TypeError(str(exc)) from None  # list() and friends probe len() and expect TypeError
            raise
        if type(n) is not int or n < 0:
            raise BadAnswer(f"len({self._label}) is not a non-negative int")
        return n

    def __iter__(self):
        iterator = self._session.ask({"op": "iter", "target": self._ref()}, f"iter({self._label})", as_handle=True)
        for _ in range(MAX_ITEMS):
            step = self._session.ask({"op": "next", "target": iterator._ref()}, f"next({self._label})")
            if type(step) is not dict:
                raise BadAnswer("bad iteration answer")
            if step.get("stop") is True:
                return
            if "item" not in step:
                raise BadAnswer("bad iteration answer")
            yield step["item"]
        raise BadAnswer(f"iterating over {self._label} gave more than {MAX_ITEMS} items")

    def _ref(self):
        if self._generation != self._session.worker.generation:
            raise WorkerDied("an earlier check restarted the process that held this object")
        return {"$ref": self._key}


def type_names(remote):
    """Fully qualified names of the remote object's class and its bases, as the worker reports them."""
    return remote._types


MODULE = "torch.nn.modules.module.Module"
OPTIMIZER = "torch.optim.optimizer.Optimizer"


def is_instance(remote, qualified_name):
    """Whether the object derives from the class with this qualified name, by the worker's word and its behaviour.

    The worker's list of class names is the student's to forge, so where a
    check relies on a claim (a module, an optimizer, a tensor) the object must
    also behave like one, probed from here: see :meth:`Session.behaves_as`.
    """
    return isinstance(remote, Remote) and qualified_name in remote._types and remote._session.behaves_as(remote)


def _call_label(target, args, kwargs):
    """How a call is named to the student: a grader helper by the student's functions it runs."""
    if not _is_internal(target._label):
        return f"{target._label}(...)"
    values = [*args, *(kwargs or {}).values()]
    names = []
    for value in values:
        if isinstance(value, Remote) and not _is_internal(value._label) and value._label.isidentifier():
            if value._label not in names:
                names.append(value._label)
    if not names:
        return "your code, as the check ran it"
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return f"running your {listed} together" if len(names) > 1 else f"running your {listed}"


class Session:
    """The hidden checks' view of one submission: names, libraries and values in the worker."""

    def __init__(self, worker, sources):
        self.worker = worker
        self.sources = sources
        self._pending_label = "value"

    # --- codec ---------------------------------------------------------------

    def encode(self, value):
        return wire.encode(value, self._encode_other)

    def _encode_other(self, obj):
        if isinstance(obj, Remote):
            return obj._ref()
        encoded = wire.torch_value(obj)
        if encoded is None and type(obj).__name__ == "ndarray":
            encoded = wire.array_to_wire(obj)
        if encoded is None:
            encoded = wire.pil_value(obj)
        if encoded is None:
            raise TypeError(f"cannot send a {type(obj).__name__} to the worker")
        return encoded

    def _decode_tag(self, tag, fields):
        if tag == "$handle":
            if type(fields) is not list or len(fields) != 2 or type(fields[0]) is not int:
                raise wire.WireError("bad handle")
            types = fields[1]
            if type(types) is not list or not all(type(t) is str for t in types):
                raise wire.WireError("bad handle")
            return Remote(self, fields[0], types, self._pending_label)
        return wire.torch_tag(tag, fields)

    # --- requests ------------------------------------------------------------

    def ask(self, message, label, as_handle=False):
        """Send a request; decode the answer or raise StudentError with what the student code did."""
        if as_handle:
            message = dict(message, as_handle=True)
        answer = self.worker.request(message)
        if type(answer) is not dict:
            raise BadAnswer("the worker's answer is not a record")
        if "error" in answer:
            error = answer["error"]
            if not is_error_record(error):
                raise BadAnswer("the worker's error report is malformed")
            raise StudentError(label, error)
        if "ok" not in answer:
            raise BadAnswer("the worker's answer has no result")
        self._pending_label = label
        try:
            return wire.decode(answer["ok"], self._decode_tag, budget=wire.Budget(self.worker.request_deadline(None)))
        except wire.Deadline:
            raise CheckTimeout(f"decoding what {label} returned took longer than this check allows") from None
        except wire.WireError as exc:
            raise BadAnswer(f"{label} returned a value the grader cannot accept: {exc}") from None

    def call(self, target, args=(), kwargs=None, as_handle=False, label=None):
        """Call a remote function or module with arguments sent by value (or as handles)."""
        message = {
            "op": "call",
            "target": target._ref(),
            "args": self.encode(list(args)),
            "kwargs": self.encode(dict(kwargs or {})),
        }
        return self.ask(message, label or _call_label(target, args, kwargs), as_handle=as_handle)

    def get(self, name):
        """A global of the student's notebook: its value, or a Remote for objects."""
        try:
            return self.ask({"op": "global", "name": name}, name)
        except StudentError as exc:
            if exc.error["type"] != "NameError":
                raise
            raise StudentError(name, {"type": "NameError", "message": self._missing(name), "where": ""}) from None

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        return self.get(name)

    def _missing(self, name):
        failed = [f"cell '{cell}' raised {e['type']}: {e['message']}" for cell, e in self.worker.cell_errors.items()]
        hint = f"; {'; '.join(failed)}" if failed else ""
        return f"{name} is not defined in your notebook{hint}"

    def ref(self, name):
        """A global as a Remote handle, even when it is plain data."""
        return self.ask({"op": "global", "name": name}, name, as_handle=True)

    def lib(self, module):
        """A library module inside the worker (torch, torch.nn, ..., kitworker.harness)."""
        return self.ask({"op": "lib", "name": module}, module, as_handle=True)

    @property
    def harness(self):
        return self.lib("kitworker.harness")

    def put(self, value):
        """Send a value to the worker and keep it there; returns its Remote handle."""
        return self.ask({"op": "put", "value": self.encode(value)}, "value", as_handle=True)

    def fetch(self, remote):
        """The value of a remote object, by value."""
        return self.ask({"op": "put", "value": remote._ref()}, remote._label)

    def seed(self, seed):
        """Seed the worker's random, numpy and torch generators."""
        self.ask({"op": "seed", "seed": int(seed)}, "seeding")

    def behaves_as(self, remote):
        """Whether a remote object behaves like what its class names claim: the one verifier of type claims.

        A module must switch `training` with train() and back; an optimizer must
        have its defaults and at least one parameter group; a tensor must come
        back as a tensor.
        The probes leave the object as they found it.
        """
        claims = remote._types
        try:
            if MODULE in claims:
                training = remote.training
                if type(training) is not bool:
                    return False
                remote.train(not training)
                flipped = remote.training
                remote.train(training)
                if flipped is not (not training) or remote.training is not training:
                    return False
            if OPTIMIZER in claims:
                if type(remote.defaults) is not dict:
                    return False
                groups = self.ask({"op": "getattr", "target": remote._ref(), "name": "param_groups"}, "param_groups", True)
                if not isinstance(groups, Remote) or len(groups) < 1:  # by handle: the parameters stay in the worker
                    return False
            if "torch.Tensor" in claims and not self._comes_back_as_tensor(remote):
                return False
        except (StudentError, BadAnswer):
            return False
        return True

    def _comes_back_as_tensor(self, remote):
        """A tensor's value comes back as a tensor; one on the meta device (no values) as a CPU tensor like it."""
        if remote.is_meta is True:
            return type(self.lib("torch").empty_like(remote, device="cpu")) is torch.Tensor
        return type(self.fetch(remote)) is torch.Tensor

    def source(self, cell):
        """The submitted source of one solution cell, as read by the grader itself."""
        return self.sources.get(cell, "")
