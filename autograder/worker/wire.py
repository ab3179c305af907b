"""Framing and a data-only codec shared by the grader and the student worker.

Messages are an 8-byte big-endian length followed by UTF-8 JSON. Values are
plain JSON plus a few tagged objects: tensors and arrays travel as raw bytes
with dtype and shape, PIL images as mode, size and raw bytes; nothing is ever
pickled. Anything else stays in the worker behind a handle. Decoding is strict:
exact types, whitelisted dtypes and image modes, checked sizes.

This module is copied into the worker's private folder, so it imports nothing
from the kit.
"""

import base64
import json
import math
import os
import select
import struct
import sys
import time

HEADER = struct.Struct(">Q")

TORCH_DTYPES = (
    "float16",
    "bfloat16",
    "float32",
    "float64",
    "uint8",
    "int8",
    "int16",
    "int32",
    "int64",
    "bool",
)
NUMPY_DTYPES = ("float16", "float32", "float64", "uint8", "int8", "int16", "int32", "int64", "bool")
PIL_MODES = {"L": 1, "LA": 2, "P": 1, "RGB": 3, "RGBA": 4}  # PIL image modes that travel by value: bytes per pixel
MAX_IMAGE_SIDE = 1 << 15
MAX_DEPTH = 64
MAX_ELEMENTS = 2_000_000  # JSON values in one message: bounds the grader's memory before json.loads builds them
MAX_HASHED_KEYS = 4096  # non-string dict keys per message: int, float and tuple hashes can be made to collide
CLOCK_EVERY = 4096  # decoded values between two looks at the deadline


class WireError(Exception):
    """A message broke the framing or the codec's rules."""


class Deadline(Exception):
    """No whole message arrived before the deadline."""


# --- framing -----------------------------------------------------------------


def send(fd, message, deadline=None):
    """Write one JSON message to a file descriptor; with a deadline (time.monotonic()) never block past it.

    With a deadline the descriptor is made non-blocking, so a reader that stops
    reading (a student who replaced the worker's receive) costs a Deadline, not a hang.
    """
    body = json.dumps(message, separators=(",", ":"), allow_nan=False).encode()
    data = HEADER.pack(len(body)) + body
    view = memoryview(data)
    if deadline is not None:
        os.set_blocking(fd, False)
    while view:
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0:
                raise Deadline()
            _, ready, _ = select.select([], [fd], [], left)
            if not ready:
                raise Deadline()
        try:
            written = os.write(fd, view)
        except BlockingIOError:
            continue
        view = view[written:]


def _read_exactly(fd, size, deadline):
    chunks, remaining = [], size
    while remaining:
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0:
                raise Deadline()
            ready, _, _ = select.select([fd], [], [], left)
            if not ready:
                raise Deadline()
        chunk = os.read(fd, min(remaining, 1 << 20))
        if not chunk:
            raise EOFError("the other side closed the pipe")
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def receive(fd, max_bytes, deadline=None):
    """Read one JSON message, refusing bodies over max_bytes; deadline is time.monotonic()."""
    (size,) = HEADER.unpack(_read_exactly(fd, HEADER.size, deadline))
    if size > max_bytes:
        raise WireError(f"message of {size} bytes is over the limit of {max_bytes}")
    body = _read_exactly(fd, size, deadline)
    return parse(body)


def parse(body):
    """JSON text -> data, refusing before any work a message with too many values; deep nesting is a WireError."""
    elements = body.count(b",") + body.count(b"[") + body.count(b"{") + 1  # an upper bound on the values inside
    if elements > MAX_ELEMENTS:
        raise WireError(f"message holds more than {MAX_ELEMENTS} values")
    try:
        return json.loads(body)
    except ValueError as exc:
        raise WireError(f"message is not JSON: {exc}") from None
    except RecursionError:
        raise WireError("message is nested too deeply") from None
    except MemoryError:
        raise WireError("message is too large to decode") from None


# --- encoding ----------------------------------------------------------------


def _float(x):
    if math.isfinite(x):
        return x
    return {"$f": "nan" if math.isnan(x) else ("inf" if x > 0 else "-inf")}


def encode(obj, on_other, depth=0):
    """Turn obj into JSON-able data; on_other(obj) encodes what is not plain data."""
    if depth > MAX_DEPTH:
        raise WireError("value is nested too deeply")
    t = type(obj)
    if obj is None or t is bool or t is str:
        return obj
    if t is int:
        if abs(obj) >= 2**63:
            return {"$bigint": str(obj)}
        return obj
    if t is float:
        return _float(obj)
    if t is list:
        return [encode(x, on_other, depth + 1) for x in obj]
    if t is tuple:
        return {"$tuple": [encode(x, on_other, depth + 1) for x in obj]}
    if t is dict:
        return {"$dict": [[encode(k, on_other, depth + 1), encode(v, on_other, depth + 1)] for k, v in obj.items()]}
    if t is bytes:
        return {"$bytes": base64.b64encode(obj).decode()}
    if t is slice:
        return {"$slice": [encode(obj.start, on_other), encode(obj.stop, on_other), encode(obj.step, on_other)]}
    return on_other(obj)


def tensor_to_wire(tensor, requires_grad=False):
    """Encode a detached CPU torch tensor."""
    dtype = str(tensor.dtype).removeprefix("torch.")
    flat = tensor.contiguous().reshape(-1)
    raw = flat.view(__import__("torch").uint8).numpy().tobytes() if flat.numel() else b""
    return {"$tensor": [dtype, list(tensor.shape), base64.b64encode(raw).decode(), bool(requires_grad)]}


def array_to_wire(array):
    """Encode a numpy array of a whitelisted dtype."""
    import numpy

    return {
        "$ndarray": [str(array.dtype), list(array.shape), base64.b64encode(numpy.ascontiguousarray(array).tobytes()).decode()]
    }


def pil_value(obj):
    """Encode a PIL image of a whitelisted mode as its mode, (width, height), raw bytes and RGB palette; None otherwise.

    PIL is not imported here: an object can only be a PIL image if its sender already loaded PIL.
    """
    image_module = sys.modules.get("PIL.Image")
    if image_module is None or not isinstance(obj, image_module.Image) or obj.mode not in PIL_MODES:
        return None
    palette = obj.getpalette("RGB") if obj.mode == "P" else None
    palette = base64.b64encode(bytes(palette)).decode() if palette else None
    width, height = obj.size
    return {"$pil": [obj.mode, [int(width), int(height)], base64.b64encode(obj.tobytes()).decode(), palette]}


# --- decoding ----------------------------------------------------------------


def _shape(value):
    if type(value) is not list or len(value) > 16 or any(type(n) is not int or n < 0 for n in value):
        raise WireError("bad shape")
    return value


def _raw(value):
    if type(value) is not str:
        raise WireError("bad raw data")
    try:
        return base64.b64decode(value, validate=True)
    except ValueError:
        raise WireError("raw data is not base64") from None


def _tensor(fields):
    import torch

    if type(fields) is not list or len(fields) != 4:
        raise WireError("bad tensor")
    dtype_name, shape, raw, requires_grad = fields
    if dtype_name not in TORCH_DTYPES:
        raise WireError(f"tensor dtype {dtype_name!r} is not allowed")
    shape, raw = _shape(shape), _raw(raw)
    dtype = getattr(torch, dtype_name)
    count = math.prod(shape)
    if len(raw) != count * torch.empty((), dtype=dtype).element_size():
        raise WireError("tensor byte count does not match its shape")
    if count == 0:
        result = torch.empty(shape, dtype=dtype)
    else:
        result = torch.frombuffer(bytearray(raw), dtype=torch.uint8).view(dtype).reshape(shape)
    if requires_grad is True and result.is_floating_point():
        result.requires_grad_(True)
    return result


def _array(fields):
    import numpy

    if type(fields) is not list or len(fields) != 3:
        raise WireError("bad array")
    dtype_name, shape, raw = fields
    if dtype_name not in NUMPY_DTYPES:
        raise WireError(f"array dtype {dtype_name!r} is not allowed")
    shape, raw = _shape(shape), _raw(raw)
    dtype = numpy.dtype(dtype_name)
    if len(raw) != math.prod(shape) * dtype.itemsize:
        raise WireError("array byte count does not match its shape")
    return numpy.frombuffer(raw, dtype=dtype).reshape(shape).copy()


def _pil(fields):
    """Rebuild a PIL image: whitelisted mode, bounded size, byte count checked against size and mode."""
    if type(fields) is not list or len(fields) != 4:
        raise WireError("bad image")
    mode, size, raw, palette = fields
    if type(mode) is not str or mode not in PIL_MODES:
        raise WireError(f"image mode {mode!r} is not allowed")
    if type(size) is not list or len(size) != 2 or any(type(n) is not int or not 0 <= n <= MAX_IMAGE_SIDE for n in size):
        raise WireError("bad image size")
    raw = _raw(raw)
    if len(raw) != size[0] * size[1] * PIL_MODES[mode]:
        raise WireError("image byte count does not match its size and mode")
    if palette is not None:
        palette = _raw(palette)
        if mode != "P" or not palette or len(palette) % 3 or len(palette) > 768:
            raise WireError("bad image palette")
    from PIL import Image

    image = Image.frombytes(mode, tuple(size), raw) if raw else Image.new(mode, tuple(size))
    if palette is not None:
        image.putpalette(palette, "RGB")
    return image


class Budget:
    """What one decoding may still spend: values, colliding-prone keys and time."""

    def __init__(self, deadline=None):
        self.deadline, self.values, self.keys = deadline, 0, 0

    def value(self):
        self.values += 1
        if self.values > MAX_ELEMENTS:
            raise WireError(f"value holds more than {MAX_ELEMENTS} elements")
        if self.deadline is not None and self.values % CLOCK_EVERY == 0 and time.monotonic() > self.deadline:
            raise Deadline()

    def hashed_key(self):
        self.keys += 1
        if self.keys > MAX_HASHED_KEYS:
            raise WireError(f"value holds more than {MAX_HASHED_KEYS} dict keys that are not strings")


def decode(data, on_tag, depth=0, budget=None):
    """Rebuild a value from wire data; on_tag(tag, fields) decodes handles and references.

    Bounded before the work: nesting (MAX_DEPTH), values (MAX_ELEMENTS), non-string
    dict keys (MAX_HASHED_KEYS, checked before a key is hashed) and the budget's deadline.
    """
    if depth > MAX_DEPTH:
        raise WireError("value is nested too deeply")
    budget = budget if budget is not None else Budget()
    budget.value()
    t = type(data)
    if data is None or t in (bool, int, float, str):
        return data
    if t is list:
        return [decode(x, on_tag, depth + 1, budget) for x in data]
    if t is not dict or len(data) != 1:
        raise WireError("malformed value")
    ((tag, fields),) = data.items()
    if tag == "$f":
        if fields not in ("nan", "inf", "-inf"):
            raise WireError("bad float")
        return float(fields)
    if tag == "$bigint":
        if type(fields) is not str or len(fields) > 400:
            raise WireError("bad integer")
        return int(fields)
    if tag == "$tuple":
        if type(fields) is not list:
            raise WireError("bad tuple")
        return tuple(decode(x, on_tag, depth + 1, budget) for x in fields)
    if tag == "$dict":
        if type(fields) is not list or any(type(p) is not list or len(p) != 2 for p in fields):
            raise WireError("bad dict")
        result = {}
        for key, value in fields:
            key = decode(key, on_tag, depth + 1, budget)
            if type(key) not in (str, int, float, bool, tuple) and key is not None:
                raise WireError("bad dict key")
            if type(key) is not str:  # str hashes are salted per process; the others can be made to collide
                budget.hashed_key()
            result[key] = decode(value, on_tag, depth + 1, budget)
        return result
    if tag == "$bytes":
        return _raw(fields)
    if tag == "$slice":
        if type(fields) is not list or len(fields) != 3:
            raise WireError("bad slice")
        return slice(*(decode(x, on_tag, depth + 1, budget) for x in fields))
    if tag == "$tensor":
        return _tensor(fields)
    if tag == "$ndarray":
        return _array(fields)
    if tag == "$pil":
        return _pil(fields)
    return on_tag(tag, fields)


def torch_tag(tag, fields):
    """Decode the torch value tags ($size, $dtype, $device) shared by both sides."""
    import torch

    if tag == "$size":
        return torch.Size(_shape(fields))
    if tag == "$dtype":
        if fields not in TORCH_DTYPES:
            raise WireError(f"dtype {fields!r} is not allowed")
        return getattr(torch, fields)
    if tag == "$device":
        if type(fields) is not str or fields.split(":")[0] not in ("cpu", "cuda", "meta"):
            raise WireError("bad device")
        return torch.device(fields)
    raise WireError(f"unknown tag {tag!r}")


def torch_value(obj):
    """Encode a torch tensor, size, dtype or device; None for anything else."""
    import torch

    if isinstance(obj, torch.Tensor):
        return tensor_to_wire(obj.detach().cpu(), obj.requires_grad)
    if isinstance(obj, torch.Size):
        return {"$size": [int(n) for n in obj]}
    if isinstance(obj, torch.dtype):
        return {"$dtype": str(obj).removeprefix("torch.")}
    if isinstance(obj, torch.device):
        return {"$device": str(obj)}
    return None
