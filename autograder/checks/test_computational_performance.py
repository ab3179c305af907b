"""Hidden checks for 09_computational_performance.

Timing code is checked on a CPU against a simulated asynchronous device
(harness.FakeAsyncDevice: launches queue work, only a wait moves the clock),
CUDA code paths through a stand-in torch.cuda (harness.with_fake_cuda), and
device placement with PyTorch's 'meta' device. When the grader runs on a GPU
(`device` is cuda), the same checks also run the real thing.
"""

import pytest
import torch

from autograder import draw, expect
from autograder.draw import randint, uniform
from autograder.student import StudentError, is_instance, type_names
from autograder.worker import harness
from reference import computational_performance as ref

points, exercise = pytest.mark.points, pytest.mark.exercise
CPU, META = torch.device("cpu"), torch.device("meta")
CLOCK = {"rtol": 1e-9, "atol": 0.0}  # the simulated clock is exact arithmetic: only the order of additions may differ
UNCHANGED = {"rtol": 1e-12, "atol": 0.0}  # "returned unchanged" means the same numbers


def cuda_name(device):
    """'cuda:k' for the grader's device (index 0 when none is given)."""
    return f"cuda:{device.index or 0}"


def _cuda_index(recorded):
    """The GPU a recorded torch.cuda.synchronize(device) call meant (None and 'cuda' mean the current one, 0)."""
    if recorded is None:
        return 0
    if recorded.lstrip("-").isdigit():
        return int(recorded)
    try:
        device = torch.device(recorded)
    except (RuntimeError, ValueError):
        return None
    return (device.index or 0) if device.type == "cuda" else None


def _wait_for_real_gpu_work(student, device):
    """Queue enough real GPU work that it is still running when the next request arrives."""
    for repeats in (200, 800, 3200):
        student.harness.queue_gpu_work(cuda_name(device), 4096, repeats)
        if not student.harness.gpu_idle(cuda_name(device)):
            return True
    return False


# --- synchronize -------------------------------------------------------------------------


@exercise("synchronize")
@points(1)
def test_synchronize_cpu(student):
    """synchronize on a CPU returns at once and leaves CUDA alone (there may be no GPU at all)."""
    for device in ("cpu", CPU):
        fake = student.harness.FakeAsyncDevice([1.0])
        student.harness.with_fake_cuda(1, fake, student.synchronize, device)
        assert fake.synced == [], (
            "synchronize(cpu) called torch.cuda.synchronize: CPU work is synchronous, and on a machine "
            "without a GPU that call fails; check the device type first"
        )
    student.synchronize("cpu")


@exercise("synchronize")
@points(2)
def test_synchronize_cuda(student, rng, device):
    """synchronize(cuda device) waits for that GPU (a stand-in torch.cuda on CPU; the real GPU when present)."""
    index = randint(rng, 1, 4)
    for target in (f"cuda:{index}", torch.device("cuda", index), "cuda:0"):
        fake = student.harness.FakeAsyncDevice([1.0])
        student.harness.with_fake_cuda(index + 1, fake, student.synchronize, target)
        synced = fake.synced
        assert synced, "synchronize(a CUDA device) should call torch.cuda.synchronize(device)"
        wanted = torch.device(target).index
        assert all(_cuda_index(s) == wanted for s in synced), (
            "synchronize waited for another GPU than the one it was given: pass the device to torch.cuda.synchronize"
        )
    if device.type == "cuda":
        assert _wait_for_real_gpu_work(student, device), "the grader could not keep the GPU busy long enough to check"
        student.synchronize(cuda_name(device))
        assert student.harness.gpu_idle(cuda_name(device)), (
            "after synchronize(cuda device) the GPU was still working: torch.cuda.synchronize(device) waits for it"
        )


# --- benchmark ---------------------------------------------------------------------------


def _simulated(student, durations, what, first_extra=0.0, pending=0.0, fake_cuda=False):
    """Time fn = a launch on a fresh fake asynchronous device with the student's benchmark; it must match the reference.

    Returns the student's fake device (its launches, the devices it was synchronized with).
    """
    fake = student.harness.FakeAsyncDevice(durations, first_extra, pending)
    mine = harness.FakeAsyncDevice(durations, first_extra, pending)
    num_runs = len(durations)
    if fake_cuda:
        got = student.harness.with_fake_cuda(1, fake, student.benchmark, fake.launch, num_runs, "cuda:0", timer=fake.timer)
    else:
        got = student.benchmark(fake.launch, num_runs, "cpu", fake.sync, fake.timer)
    expected = ref.benchmark(mine.launch, num_runs, "cpu", mine.sync, mine.timer)
    got = expect.python_float(got, f"{what}")
    hint = " (without a sync argument, wait with synchronize(device))" if fake_cuda else ""
    expect.scalar_close(got, expected, _diagnose(got, expected, what) + hint, **CLOCK)
    return fake


def _durations(rng, num_runs=None):
    """Durations of the timed calls, one per run (num_runs of them, else 3 to 7)."""
    return [uniform(rng, 0.01, 0.2) for _ in range(num_runs or randint(rng, 3, 8))]


def _diagnose(got, expected, what):
    """What a benchmark that measured got instead of expected most likely did wrong, as a hint."""
    if got == 0.0:
        return f"{what} measured 0 seconds: the clock was read before the queued work finished; call sync() after the last run"
    if got > expected:
        return (
            f"{what} measured too long: work queued before the timing started (or a first, slower call) was counted; "
            "warm up with one untimed call, then sync() before the first clock read"
        )
    return f"{what} is not the average time of one call: sync(), read the clock, run num_runs times, sync(), read it again"


@exercise("benchmark")
@points(3)
def test_benchmark_waits_for_the_device(student, rng):
    """On a simulated asynchronous device: waits before both clock reads and averages num_runs calls, on every use."""
    # twice in a row on fresh devices (nothing may carry over between uses), the second with a single timed run
    for durations in (_durations(rng), _durations(rng, num_runs=1)):
        fake = _simulated(student, durations, "benchmark", pending=uniform(rng, 0.5, 2.0))
        assert fake.launches in (len(durations), len(durations) + 1), (
            "benchmark should call fn num_runs times (plus one untimed warm-up call)"
        )


@exercise("benchmark")
@points(1)
def test_benchmark_warms_up(student, rng):
    """A first call that is much slower (compilation, allocation) is not part of the average, for every fn timed."""
    for _ in range(2):  # each new fn has its own slow first call: warming up once per process is not enough
        _simulated(student, _durations(rng), "benchmark with a slow first call", first_extra=uniform(rng, 1.0, 3.0))


@exercise("benchmark")
@points(2)
def test_benchmark_default_sync(student, rng, device):
    """Without sync and timer: real seconds on a CPU, synchronize(device) for CUDA (stand-in, and the real GPU when present)."""
    seconds, num_runs = uniform(rng, 0.01, 0.03), randint(rng, 2, 4)
    sleeper = student.harness.Sleeper(seconds)
    got = expect.python_float(student.benchmark(sleeper, num_runs), "benchmark(fn, num_runs)")
    assert seconds * 0.9 <= got <= seconds + 0.25, (
        "benchmark(fn, num_runs) on a CPU should return the average seconds per call, read from time.perf_counter"
    )
    assert sleeper.calls in (num_runs, num_runs + 1), "benchmark should call fn num_runs times (plus one warm-up call)"
    what = "benchmark(fn, num_runs, 'cuda:0')"
    fake = _simulated(student, _durations(rng), what, pending=uniform(rng, 0.5, 2.0), fake_cuda=True)
    assert all(_cuda_index(s) == 0 for s in fake.synced), f"{what} waited for another GPU"
    if device.type == "cuda":
        name = cuda_name(device)
        got = student.benchmark(student.harness.gpu_work(name, 4096, 40), 2, name)
        assert student.harness.gpu_idle(name), (
            "benchmark on a GPU returned while the GPU was still working: synchronize(device) before the last clock read"
        )
        assert _wait_for_real_gpu_work(student, device), "the grader could not keep the GPU busy long enough to check"
        got = expect.python_float(student.benchmark(student.harness.gpu_work(name, 64, 1), 1, name), "benchmark(...)")
        assert got < 0.05, "benchmark on a GPU counted work queued before it started: synchronize before the first clock read"


# --- clip_gradient_norm ----------------------------------------------------------------


def _gradient_pair(rng):
    """A gradient tensor and two thresholds: one below its norm (clipped) and one above (unchanged)."""
    shape = (randint(rng, 2, 6), randint(rng, 2, 6))
    g = draw.randn(rng, *shape) * uniform(rng, 0.5, 3.0)
    norm = float(g.norm())
    return g, uniform(rng, 0.1, 0.8) * norm, uniform(rng, 1.2, 3.0) * norm


@exercise("clip_gradient_norm")
@points(2)
def test_clip_gradient_norm_values(student, rng):
    """Gradients above theta are scaled to norm theta; the others are returned unchanged."""
    g, low, high = _gradient_pair(rng)
    expected = ref.clip_gradient_norm(g, low)
    # float64 on purpose: the result keeps g's dtype (a float32 copy would pass a float32 test unseen)
    got = expect.tensor(student.clip_gradient_norm(g, low), "clip_gradient_norm(g, theta)", g.shape, g.dtype)
    expect.close(
        got,
        expected,
        "a gradient with norm above theta should become g * theta / norm (same direction, norm theta)",
        **expect.TOL64,
    )
    got = expect.tensor(student.clip_gradient_norm(g, high), "clip_gradient_norm(g, theta)", g.shape, g.dtype)
    expect.close(got, g, "a gradient with norm at most theta should be returned unchanged", **UNCHANGED)


@exercise("clip_gradient_norm")
@points(2)
def test_clip_gradient_norm_scripts(student, rng):
    """torch.jit.script compiles clip_gradient_norm, and the compiled form agrees on both branches."""
    g, low, high = _gradient_pair(rng)
    expect.close(student.clip_gradient_norm(g, low), ref.clip_gradient_norm(g, low), "clip_gradient_norm(g, theta) is wrong")
    try:
        scripted = student.lib("torch").jit.script(student.clip_gradient_norm)
    except StudentError:
        raise AssertionError(
            "torch.jit.script could not compile clip_gradient_norm: annotate the arguments (g: torch.Tensor, "
            "theta: float), and use tensor operations, plain if statements and no Python-only calls"
        ) from None
    for theta in (low, high, float(randint(rng, 1, 3)) * 100.0):
        try:
            got = scripted(g, theta)
        except StudentError:
            raise AssertionError(
                "the scripted clip_gradient_norm fails when called as (tensor, float): TorchScript takes an argument "
                "without an annotation for a tensor, so annotate theta: float"
            ) from None
        expect.close(
            got,
            ref.clip_gradient_norm(g, theta),
            "the scripted clip_gradient_norm disagrees with the Python one",
            **expect.TOL64,
        )


# --- hybridize -------------------------------------------------------------------------


def _mlp(student, rng, d, h, q):
    """Linear(d, h), ReLU, Linear(h, q) with random weights: a remote Sequential and a local one."""
    weights = {
        "0.weight": draw.randn(rng, h, d, dtype=torch.float32) * 0.3,
        "0.bias": draw.randn(rng, h, dtype=torch.float32) * 0.1,
        "2.weight": draw.randn(rng, q, h, dtype=torch.float32) * 0.3,
        "2.bias": draw.randn(rng, q, dtype=torch.float32) * 0.1,
    }
    nn = student.lib("torch.nn")
    remote = nn.Sequential(nn.Linear(d, h), nn.ReLU(), nn.Linear(h, q))
    remote.load_state_dict(weights)
    local = torch.nn.Sequential(torch.nn.Linear(d, h), torch.nn.ReLU(), torch.nn.Linear(h, q))
    local.load_state_dict(weights)
    return remote, local


@exercise("hybridize")
@points(2)
def test_hybridize_module(student, rng):
    """hybridize(net, example) is a TorchScript module giving the net's outputs, for other batch sizes too."""
    d, h, q = randint(rng, 6, 20), randint(rng, 8, 24), randint(rng, 2, 5)
    net, local = _mlp(student, rng, d, h, q)
    compiled = student.hybridize(net, (draw.randn(rng, randint(rng, 2, 5), d, dtype=torch.float32),))
    assert is_instance(compiled, "torch.jit._script.ScriptModule"), (
        "hybridize(net, example_inputs) should return TorchScript (torch.jit.script or torch.jit.trace)"
    )
    for n in (randint(rng, 6, 12), 1):
        X = draw.randn(rng, n, d, dtype=torch.float32)
        with torch.no_grad():
            expected = local(X)
        got = expect.tensor(compiled(X), "the hybridized net's output", expected.shape)
        expect.close(got, expected, "the hybridized net gives other outputs than the net")


@exercise("hybridize")
@points(2)
def test_hybridize_keeps_control_flow(student, rng):
    """A function with a data-dependent if keeps both branches when hybridized."""
    positive = draw.randn(rng, randint(rng, 3, 7)).abs() + 0.1
    negative = -draw.randn(rng, randint(rng, 3, 7)).abs() - 0.1
    example, other = (positive, negative) if randint(rng, 0, 2) else (negative, positive)
    compiled = student.hybridize(student.harness.branchy, (example,))
    assert any(name.endswith("ScriptFunction") for name in type_names(compiled)), (
        "hybridize(fn, example_inputs) should return TorchScript (torch.jit.script or torch.jit.trace)"
    )
    expect.close(compiled(example), harness.branchy(example), "the hybridized function disagrees on its example input")
    expect.close(
        compiled(other),
        harness.branchy(other),
        "the hybridized function disagrees with the function when the input takes the other branch of its if: "
        "torch.jit.trace only records the operations run for the example, torch.jit.script compiles the control flow",
    )


# --- try_gpu and try_all_gpus --------------------------------------------------------------


def _device(value, what):
    """value, which must be a torch.device."""
    if type(value) is not torch.device:
        raise AssertionError(f"{what} should return a torch.device, but it returned {expect.kind(value)}")
    return value


@exercise("try_gpu")
@points(2)
def test_try_gpu(student, rng):
    """try_gpu(i) is cuda:i when GPU i exists, else the CPU (with 0 to 3 stand-in GPUs and the real ones)."""
    for count in (0, 1, randint(rng, 2, 4)):
        for i in sorted({0, 1, randint(rng, 2, 5)}):
            got = _device(student.harness.with_fake_cuda(count, None, student.try_gpu, i), "try_gpu(i)")
            expected = torch.device(f"cuda:{i}") if count > i else CPU
            assert got == expected, (
                "try_gpu(i) should give cuda:i only when there are more than i GPUs (torch.cuda.device_count()), "
                "and the CPU otherwise"
            )
    got = _device(student.harness.with_fake_cuda(2, None, student.try_gpu), "try_gpu()")
    assert got == torch.device("cuda:0"), "try_gpu() should try GPU 0"
    real = _device(student.try_gpu(), "try_gpu()")
    count = student.lib("torch").cuda.device_count()
    assert real == (torch.device("cuda:0") if count else CPU), "try_gpu() is wrong on this machine"


@exercise("try_gpu")
@points(1)
def test_try_all_gpus(student, rng):
    """try_all_gpus() lists every GPU, or the CPU alone when there is none."""
    for count in (0, 1, randint(rng, 2, 5)):
        got = student.harness.with_fake_cuda(count, None, student.try_all_gpus)
        if type(got) not in (list, tuple):
            raise AssertionError(f"try_all_gpus() should return a list of torch.device, not {expect.kind(got)}")
        got = [_device(d, "each item of try_all_gpus()") for d in got]
        expected = [torch.device(f"cuda:{k}") for k in range(count)] or [CPU]
        assert got == expected, (
            "try_all_gpus() should list cuda:0 ... cuda:(n-1) for the n GPUs, and [cpu] when there is no GPU"
        )


# --- split_batch and data_parallel_forward ----------------------------------------------------


def _uneven_batch(rng, k):
    """n = k m + r with 0 < r < k - 1: torch.chunk's shards differ from torch.tensor_split's for such n (k >= 3)."""
    n = k * randint(rng, 1, 4) + randint(rng, 1, k - 1)
    X = draw.randn(rng, n, randint(rng, 2, 4), randint(rng, 2, 4), dtype=torch.float32)
    return X, torch.tensor([randint(rng, 0, 10) for _ in range(n)])


def _pair_of_lists(value, k, what):
    """value, which must be (X_shards, y_shards) with k shards each."""
    if type(value) not in (list, tuple) or len(value) != 2:
        raise AssertionError(f"{what} should return (X_shards, y_shards)")
    for shards in value:
        if type(shards) not in (list, tuple) or len(shards) != k:
            raise AssertionError(
                f"{what} should return two lists with exactly one shard per device "
                "(torch.chunk may return fewer pieces than asked for)"
            )
    return value


@exercise("split_batch")
@points(2)
def test_split_batch(student, rng, device):
    """Shards of consecutive examples, sizes differing by at most one (larger first), each on its device."""
    k = randint(rng, 3, 6)
    X, y = _uneven_batch(rng, k)
    devices = [CPU] * k
    X_shards, y_shards = _pair_of_lists(student.split_batch(X, y, devices), k, "split_batch")
    for got, expected, what in ((X_shards, torch.tensor_split(X, k), "X"), (y_shards, torch.tensor_split(y, k), "y")):
        sizes = [len(s) if type(s) is torch.Tensor else -1 for s in got]
        assert sizes == [len(s) for s in expected], (
            f"the {what} shards have the wrong sizes: they should differ by at most one, larger shards first "
            "(torch.tensor_split; torch.chunk can leave the last devices with little or nothing)"
        )
        for g, e in zip(got, expected):
            expect.close(g, e, f"the {what} shards should hold consecutive examples, in order")
    devices = [META if randint(rng, 0, 2) else CPU for _ in range(k)]
    j = randint(rng, 0, k)
    devices[j], devices[(j + 1) % k] = META, CPU  # both kinds, in a random place
    if device.type == "cuda":
        devices[randint(rng, 0, k)] = torch.device(cuda_name(device))
    where = student.harness.layout(student.split_batch, X, y, devices)
    names = [str(d) for d in devices]
    assert [[w[1] for w in part] for part in where] == [names, names], (
        "shard k of X and of y should be on devices[k] (move it with .to(devices[k]))"
    )


@exercise("data_parallel_forward")
@points(3)
def test_data_parallel_forward(student, rng, device):
    """Outputs equal net(X) in order, gathered on devices[0]; the net itself stays where it was."""
    d, h, q = randint(rng, 4, 10), randint(rng, 6, 12), randint(rng, 2, 5)
    net, local = _mlp(student, rng, d, h, q)
    k = randint(rng, 2, 5)
    X = draw.randn(rng, k * randint(rng, 1, 4) + randint(rng, 1, k), d, dtype=torch.float32)
    with torch.no_grad():
        expected = local(X)
    got = expect.tensor(student.data_parallel_forward(net, X, [CPU] * k), "data_parallel_forward(net, X, devices)")
    expect.close(
        got,
        expected,
        "the outputs differ from net(X): run every shard, and concatenate the outputs along the batch "
        "dimension in the order of the shards",
    )
    placements = [[META] * k, [META] + [CPU] * (k - 1)]
    if device.type == "cuda":
        gpu = torch.device(cuda_name(device))
        placements += [[gpu, CPU], [CPU, gpu]]
        for devices in placements[2:]:
            got = student.data_parallel_forward(net, X, devices)
            expect.close(got, expected, "with a GPU among the devices the outputs differ from net(X)", **expect.TOL32)
    for devices in placements:
        described = student.harness.layout(student.data_parallel_forward, net, X, devices)
        assert described == [list(expected.shape), str(devices[0])], (
            "the outputs should be gathered on devices[0], shaped (n, outputs)"
        )
        assert set(student.harness.param_devices(net)) == {"cpu"}, (
            "data_parallel_forward moved the caller's net: .to() moves a module in place, so copy it "
            "(copy.deepcopy) before moving the copy to each device"
        )
