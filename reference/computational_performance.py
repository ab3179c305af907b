"""Reference solutions for 09_computational_performance: asynchronous timing, TorchScript, devices.

CUDA kernels run asynchronously: a call returns once the work is queued, so a
clock read without waiting for the device measures the queueing only. The
helpers here take the waiting (`sync`) and the clock (`timer`) as arguments so
that the same code times real GPU work and can be checked on a CPU.
"""

import copy
import time

import torch
from torch import nn


def synchronize(device):
    """Wait until all work queued on `device` (str or torch.device) has finished.

    CUDA devices: torch.cuda.synchronize(device). CPU work is synchronous, so
    for a CPU there is nothing to wait for (and CUDA must not be touched).
    Returns None.
    """
    ### BEGIN SOLUTION
    device = torch.device(device)
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    ### END SOLUTION


def benchmark(fn, num_runs=10, device="cpu", sync=None, timer=time.perf_counter):
    """Average seconds per call of fn() -> Python float.

    Calls fn() once untimed (warm-up: first calls compile or allocate), waits
    for the device with sync(), reads timer(), calls fn() num_runs times,
    waits with sync() again, reads timer() again. sync defaults to
    synchronize(device); timer() returns seconds.
    """
    ### BEGIN SOLUTION
    if sync is None:

        def sync():
            synchronize(device)

    fn()
    sync()
    start = timer()
    for _ in range(num_runs):
        fn()
    sync()
    return (timer() - start) / num_runs
    ### END SOLUTION


def get_net():
    """The notes' MLP for hybrid programming: (n, 512) -> (n, 2)."""
    return nn.Sequential(nn.Linear(512, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 2))


def clip_gradient_norm(g: torch.Tensor, theta: float) -> torch.Tensor:
    """g scaled to norm theta when its (Frobenius) norm is above theta, else g unchanged: same shape as g.

    Written so that torch.jit.script can compile it (annotated arguments,
    tensor operations, a plain if).
    """
    ### BEGIN SOLUTION
    norm = torch.sqrt((g * g).sum())
    if norm > theta:
        return g * (theta / norm)
    return g
    ### END SOLUTION


def hybridize(fn, example_inputs):
    """A TorchScript version of fn (a function or nn.Module) that agrees with fn on every input.

    example_inputs: a tuple of arguments fn accepts (for tracing, if tracing is
    right for fn). Data-dependent control flow must survive, so script it.
    """
    ### BEGIN SOLUTION
    return torch.jit.script(fn)
    ### END SOLUTION


def try_gpu(i=0):
    """torch.device('cuda:i') when GPU i exists, else torch.device('cpu')."""
    ### BEGIN SOLUTION
    if torch.cuda.device_count() >= i + 1:
        return torch.device(f"cuda:{i}")
    return torch.device("cpu")
    ### END SOLUTION


def try_all_gpus():
    """All GPUs as a list of torch.device('cuda:k'), or [torch.device('cpu')] when there is none."""
    ### BEGIN SOLUTION
    devices = [torch.device(f"cuda:{k}") for k in range(torch.cuda.device_count())]
    return devices if devices else [torch.device("cpu")]
    ### END SOLUTION


def split_batch(X, y, devices):
    """Split a minibatch over devices: X (n, ...), y (n,) -> (X_shards, y_shards), two lists of len(devices).

    Shard k holds consecutive examples and lives on devices[k]; shard sizes
    differ by at most one, larger shards first (as torch.tensor_split).
    """
    ### BEGIN SOLUTION
    k = len(devices)
    X_shards = [shard.to(d) for shard, d in zip(torch.tensor_split(X, k), devices)]
    y_shards = [shard.to(d) for shard, d in zip(torch.tensor_split(y, k), devices)]
    return X_shards, y_shards
    ### END SOLUTION


def data_parallel_forward(net, X, devices):
    """net(X) computed shard by shard: X (n, ...) -> outputs (n, ...) on devices[0], in the order of X.

    A copy of net is placed on each device and runs that device's shard
    (split as split_batch does); net itself is not moved.
    """
    ### BEGIN SOLUTION
    shards = [shard.to(d) for shard, d in zip(torch.tensor_split(X, len(devices)), devices)]
    outputs = [copy.deepcopy(net).to(d)(shard) for shard, d in zip(shards, devices)]
    return torch.cat([out.to(devices[0]) for out in outputs])
    ### END SOLUTION
