"""The codec carries plain data and tensors exactly, and refuses anything malformed."""

import base64
import os

import numpy as np
import pytest
import torch

from autograder.worker import wire


def no_other(obj):
    raise TypeError(type(obj).__name__)


def no_tag(tag, fields):
    return wire.torch_tag(tag, fields)


def roundtrip(value):
    return wire.decode(wire.encode(value, lambda o: wire.torch_value(o) or no_other(o)), no_tag)


@pytest.mark.parametrize(
    "value",
    [None, True, 3, -(2**70), 1.5, "text", [1, [2, 3]], (1, "a"), {"k": 1, 2: (3,)}, b"\x00\xff", slice(1, None, 2)],
)
def test_plain_values_round_trip(value):
    assert roundtrip(value) == value and type(roundtrip(value)) is type(value)


def test_non_finite_floats_round_trip():
    out = roundtrip([float("inf"), float("-inf"), float("nan")])
    assert out[0] == float("inf") and out[1] == float("-inf") and out[2] != out[2]


@pytest.mark.parametrize(
    "dtype", [torch.float16, torch.bfloat16, torch.float32, torch.float64, torch.int64, torch.uint8, torch.bool]
)
def test_tensors_round_trip_bit_for_bit(dtype):
    t = (torch.randn(3, 4) * 10).to(dtype)
    out = roundtrip(t)
    assert type(out) is torch.Tensor and out.dtype == dtype and torch.equal(out, t)


def test_empty_and_scalar_tensors_and_grad_flag():
    assert roundtrip(torch.empty(0, 3)).shape == (0, 3)
    assert roundtrip(torch.tensor(2.5)).item() == 2.5
    assert roundtrip(torch.ones(2, requires_grad=True)).requires_grad


def test_parameters_and_views_arrive_as_plain_tensors():
    p = torch.nn.Parameter(torch.arange(6.0).view(2, 3))
    out = roundtrip(p.t())
    assert type(out) is torch.Tensor and torch.equal(out, p.detach().t())


def test_torch_sizes_dtypes_devices():
    assert roundtrip(torch.Size([2, 3])) == torch.Size([2, 3])
    assert roundtrip(torch.float64) is torch.float64
    assert roundtrip(torch.device("cpu")) == torch.device("cpu")


def test_arrays_round_trip():
    a = np.arange(12, dtype=np.int32).reshape(3, 4)
    out = wire.decode(wire.array_to_wire(a), no_tag)
    assert out.dtype == np.int32 and (out == a).all()


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"$tensor": ["complex64", [1], "AAAAAAAAAAA=", False]}, "not allowed"),
        ({"$tensor": ["float32", [2], base64.b64encode(b"\0" * 4).decode(), False]}, "byte count"),
        ({"$tensor": ["float32", [-1], "", False]}, "bad shape"),
        ({"$tensor": ["float32", [1], "not base64!", False]}, "base64"),
        ({"$ndarray": ["object", [1], ""]}, "not allowed"),
        ({"$pickle": "gASV"}, "unknown tag"),
        ({"a": 1, "b": 2}, "malformed"),
        ({"$dict": [[[1], 2]]}, "bad dict key"),
        ({"$f": "1e309"}, "bad float"),
        ({"$dtype": "object"}, "not allowed"),
    ],
)
def test_malformed_values_are_refused(data, error):
    with pytest.raises(wire.WireError, match=error):
        wire.decode(data, no_tag)


def test_nesting_is_bounded():
    deep = []
    for _ in range(wire.MAX_DEPTH + 5):
        deep = [deep]
    with pytest.raises(wire.WireError, match="nested"):
        wire.decode(deep, no_tag)


def test_framing_and_size_limit():
    read_fd, write_fd = os.pipe()
    try:
        wire.send(write_fd, {"op": "x", "n": [1, 2]})
        assert wire.receive(read_fd, 1000) == {"op": "x", "n": [1, 2]}
        wire.send(write_fd, {"big": "y" * 2000})
        with pytest.raises(wire.WireError, match="over the limit"):
            wire.receive(read_fd, 1000)
    finally:
        os.close(read_fd)
        os.close(write_fd)


def test_deadline_and_closed_pipe():
    import time

    read_fd, write_fd = os.pipe()
    with pytest.raises(wire.Deadline):
        wire.receive(read_fd, 1000, deadline=time.monotonic() + 0.05)
    os.close(write_fd)
    with pytest.raises(EOFError):
        wire.receive(read_fd, 1000)
    os.close(read_fd)


# --- PIL images travel as mode, size and raw bytes --------------------------------------


def _image(mode, width=5, height=3):
    from PIL import Image

    bands = wire.PIL_MODES[mode]
    raw = np.random.default_rng(0).integers(0, 256, (height, width, bands), dtype=np.uint8)
    return Image.frombytes(mode, (width, height), raw.tobytes())


@pytest.mark.parametrize("mode", ["L", "LA", "RGB", "RGBA", "P"])
def test_pil_images_round_trip_on_both_sides(mode):
    from PIL import Image

    from autograder.student import Session
    from autograder.worker.loop import Worker as WorkerLoop

    image = _image(mode)
    if mode == "P":
        image.putpalette(bytes(range(30)), "RGB")
    for encoder in (Session(None, {}).encode, WorkerLoop(-1, -1).encode):
        out = wire.decode(encoder([image]), no_tag)[0]
        assert type(out) is Image.Image and out.mode == mode and out.size == (5, 3)
        assert out.tobytes() == image.tobytes()
        assert out.getpalette() == image.getpalette()


def test_pil_files_opened_from_disk_travel_by_value(tmp_path):
    from PIL import Image

    _image("RGB", 7, 4).save(tmp_path / "a.png")
    with Image.open(tmp_path / "a.png") as opened:
        assert type(opened) is not Image.Image
        out = wire.decode(wire.pil_value(opened), no_tag)
    assert type(out) is Image.Image and out.size == (7, 4) and out.tobytes() == _image("RGB", 7, 4).tobytes()


def test_pil_modes_off_the_list_stay_behind_a_handle():
    from PIL import Image

    from autograder.student import Session
    from autograder.worker.loop import Worker as WorkerLoop

    for mode in ("1", "I", "F", "CMYK", "YCbCr"):
        image = Image.new(mode, (2, 2))
        assert wire.pil_value(image) is None
        with pytest.raises(TypeError):
            Session(None, {}).encode(image)
        assert "$handle" in WorkerLoop(-1, -1).encode(image)
    assert wire.pil_value(np.zeros((2, 2), dtype=np.uint8)) is None


def _b64(n):
    return base64.b64encode(b"\0" * n).decode()


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        (["CMYK", [2, 2], _b64(16), None], "not allowed"),
        ([1, [2, 2], _b64(4), None], "not allowed"),
        (["RGB", [2, 2], _b64(11), None], "byte count"),
        (["RGB", [3, 2], _b64(12), None], "byte count"),
        (["L", [2, -1], _b64(0), None], "bad image size"),
        (["L", [2, 2.0], _b64(4), None], "bad image size"),
        (["L", [2], _b64(2), None], "bad image size"),
        (["L", [1 << 16, 1], _b64(1 << 16), None], "bad image size"),
        (["L", [2, 2], "not base64!", None], "base64"),
        (["L", [2, 2], _b64(4), _b64(3)], "palette"),
        (["P", [2, 2], _b64(4), _b64(4)], "palette"),
        (["P", [2, 2], _b64(4), _b64(771)], "palette"),
        (["P", [2, 2], _b64(4), 7], "raw data"),
        (["RGB", [2, 2], _b64(12)], "bad image"),
    ],
)
def test_malformed_images_are_refused(fields, error):
    with pytest.raises(wire.WireError, match=error):
        wire.decode({"$pil": fields}, no_tag)
