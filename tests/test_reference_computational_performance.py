"""The 09_computational_performance reference times a simulated asynchronous device correctly."""

import torch

from autograder.worker import harness
from reference import computational_performance as ref


def test_benchmark_waits_before_both_clock_reads_and_skips_the_warm_up():
    durations = [0.1, 0.2, 0.3]
    fake = harness.FakeAsyncDevice(durations, first_extra=5.0, pending=7.0)
    got = ref.benchmark(fake.launch, len(durations), sync=fake.sync, timer=fake.timer)
    assert abs(got - sum(durations) / len(durations)) < 1e-12
    assert fake.log == ["launch", "sync", "timer", "launch", "launch", "launch", "sync", "timer"]


def test_default_sync_uses_cuda_only_for_cuda_devices():
    fake = harness.FakeAsyncDevice([0.5, 0.5])
    got = harness.with_fake_cuda(2, fake, ref.benchmark, fake.launch, 2, "cuda:1", timer=fake.timer)
    assert got == 0.5 and fake.synced == ["cuda:1", "cuda:1"]
    harness.with_fake_cuda(2, fake, ref.synchronize, "cpu")
    assert fake.synced == ["cuda:1", "cuda:1"]
    ref.synchronize("cpu")  # no GPU needed


def test_devices_fall_back_to_the_cpu():
    assert harness.with_fake_cuda(0, None, ref.try_all_gpus) == [torch.device("cpu")]
    assert harness.with_fake_cuda(2, None, ref.try_gpu, 1) == torch.device("cuda:1")
    assert harness.with_fake_cuda(2, None, ref.try_gpu, 2) == torch.device("cpu")


def test_data_parallel_forward_equals_the_net():
    net = torch.nn.Sequential(torch.nn.Linear(5, 4), torch.nn.ReLU(), torch.nn.Linear(4, 3))
    X = torch.randn(10, 5)
    devices = [torch.device("cpu")] * 4
    assert [len(s) for s in ref.split_batch(X, torch.arange(10), devices)[0]] == [3, 3, 2, 2]
    assert torch.allclose(ref.data_parallel_forward(net, X, devices), net(X))
    meta = [torch.device("meta")] * 3
    assert harness.layout(ref.data_parallel_forward, net, X, meta) == [[10, 3], "meta"]
    assert set(harness.module_devices(net)) == {"cpu"}
