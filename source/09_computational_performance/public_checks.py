"""Public checks for 09_computational_performance: run them in the notebook with check("benchmark") or check().

A quick, visible sample: the grade comes from hidden checks on other inputs.
The device checks run on the CPU; the hidden checks also try the devices the
grading machine has.
"""

import torch

from kitcheck import close, public, randint, tensor


@public("synchronize")
def synchronize_on_the_cpu(student, rng):
    """Waiting for the CPU returns at once, for a string and for a torch.device, without touching CUDA."""
    for device in ("cpu", torch.device("cpu")):
        assert student.synchronize(device) is None, "synchronize should wait and return nothing"


class FakeDevice:
    """Each launch queues `work` seconds; only waiting moves the clock (as a GPU behaves)."""

    def __init__(self, work):
        self.work, self.clock, self.queued, self.calls = work, 0.0, 0.0, 0

    def launch(self):
        self.calls += 1
        self.queued += self.work

    def wait(self):
        self.clock += self.queued
        self.queued = 0.0

    def now(self):
        return self.clock


@public("benchmark")
def benchmark_waits_for_the_device(student, rng):
    """On a device that queues work, the average per call counts the work, once per timed call."""
    work, runs = float(randint(rng, 1, 5)), randint(rng, 3, 8)
    device = FakeDevice(work)
    device.queued = 100.0  # earlier work still queued: wait for it before starting the clock
    got = student.benchmark(device.launch, runs, sync=device.wait, timer=device.now)
    assert isinstance(got, float), "benchmark should return a Python float (seconds per call)"
    assert abs(got - work) < 1e-9, (
        "wrong time per call: warm up once, sync() before reading the clock, run num_runs times, "
        "sync() again, read the clock, and divide by num_runs"
    )
    assert device.calls == runs + 1, "fn should be called once to warm up, then num_runs times"


def _branchy(x: torch.Tensor) -> torch.Tensor:
    if bool(x.sum() > 0):
        return x * 2
    return -x


@public("clip_gradient_norm")
def clip_gradient_norm_values_and_script(student, rng):
    """Long gradients shrink to norm theta, short ones stay; torch.jit.script compiles the function."""
    g = torch.randn(randint(rng, 2, 4), randint(rng, 2, 4), generator=rng)
    norm = float(g.norm())
    long_theta, short_theta = norm / 2, norm * 2
    close(student.clip_gradient_norm(g, long_theta), g * (long_theta / norm), "a gradient longer than theta should be scaled to norm theta")
    close(student.clip_gradient_norm(g, short_theta), g, "a gradient shorter than theta should stay as it is")
    try:
        scripted = torch.jit.script(student.clip_gradient_norm)
    except Exception:  # noqa: BLE001 - whatever TorchScript says, the student needs the same hint
        raise AssertionError(
            "torch.jit.script cannot compile clip_gradient_norm: annotate the arguments (g: torch.Tensor, theta: float) "
            "and use tensor operations and a plain if"
        ) from None
    close(scripted(g, long_theta), g * (long_theta / norm), "the scripted function should give the same result")


@public("hybridize")
def hybridize_scripts_control_flow(student, rng):
    """The compiled function keeps a data-dependent branch that the example input did not take."""
    x = torch.rand(randint(rng, 2, 6), generator=rng) + 0.1
    compiled = student.hybridize(_branchy, (x,))
    assert isinstance(compiled, (torch.jit.ScriptFunction, torch.jit.ScriptModule)), (
        "hybridize should return a TorchScript function or module (torch.jit.script)"
    )
    close(compiled(-x), _branchy(-x), "the compiled function took the example's branch for another input: script it, do not trace it")


@public("try_gpu")
def try_gpu_falls_back_to_the_cpu(student, rng):
    """A GPU that does not exist gives the CPU; try_all_gpus lists every GPU, or the CPU alone."""
    assert student.try_gpu(randint(rng, 1000, 2000)) == torch.device("cpu"), "try_gpu(i) should be the CPU when GPU i does not exist"
    devices = student.try_all_gpus()
    assert isinstance(devices, list) and len(devices) == max(torch.cuda.device_count(), 1), (
        "try_all_gpus should list every GPU, or [torch.device('cpu')] when there is none"
    )


@public("split_batch")
def split_batch_shards(student, rng):
    """len(devices) shards of consecutive examples, sizes differing by at most one, larger first."""
    k = randint(rng, 3, 6)
    n = k * randint(rng, 2, 4) + k // 2  # uneven: torch.chunk would give other sizes
    X, y = torch.randn(n, 3, generator=rng), torch.arange(n)
    X_shards, y_shards = student.split_batch(X, y, [torch.device("cpu")] * k)
    sizes = [len(s) for s in y_shards]
    assert len(X_shards) == len(y_shards) == k, "there should be one shard per device"
    assert sizes == [len(t) for t in torch.tensor_split(y, k)], "shard sizes should differ by at most one, larger first"
    assert torch.equal(torch.cat(y_shards), y), "the shards should hold consecutive examples, in order"
    close(torch.cat(X_shards), X, "X and y should be split the same way")


@public("data_parallel_forward")
def data_parallel_forward_in_order(student, rng):
    """The outputs equal net(X), in the order of X."""
    net = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.ReLU(), torch.nn.Linear(3, 2))
    X = torch.randn(randint(rng, 5, 11), 4, generator=rng)
    out = tensor(student.data_parallel_forward(net, X, [torch.device("cpu")] * randint(rng, 2, 4)), "the output", (len(X), 2))
    close(out, net(X).detach(), "the outputs should be net(X) in the order of X: gather the shards in device order")
