"""Sample submissions for 09_computational_performance: real bugs and correct alternatives."""

from autograder.variants import Alternative, Bug

BUGS = {
    "sync-always-cuda": Bug(
        "synchronize",
        '    device = torch.device(device)\n    if device.type == "cuda":\n        torch.cuda.synchronize(device)',
        "    torch.cuda.synchronize()",
        ("test_synchronize_cpu", "test_synchronize_cuda"),
        "calls CUDA for a CPU device (fails without a GPU) and ignores which GPU",
    ),
    "sync-wrong-gpu": Bug(
        "synchronize",
        "        torch.cuda.synchronize(device)",
        "        torch.cuda.synchronize()",
        ("test_synchronize_cuda",),
        "waits for the current GPU, not the one given",
    ),
    "sync-never-waits": Bug(
        "synchronize",
        "        torch.cuda.synchronize(device)",
        "        pass",
        ("test_synchronize_cuda", "test_benchmark_default_sync"),
        "believes the call returns when the work is done",
    ),
    "benchmark-no-final-sync": Bug(
        "benchmark",
        "    for _ in range(num_runs):\n        fn()\n    sync()\n",
        "    for _ in range(num_runs):\n        fn()\n",
        ("test_benchmark_waits_for_the_device", "test_benchmark_warms_up", "test_benchmark_default_sync"),
        "reads the clock while the work is still queued: measures the launches only",
    ),
    "benchmark-no-first-sync": Bug(
        "benchmark",
        "    fn()\n    sync()\n    start = timer()",
        "    fn()\n    start = timer()",
        ("test_benchmark_waits_for_the_device", "test_benchmark_warms_up", "test_benchmark_default_sync"),
        "earlier queued work (and the warm-up) counted in the measurement",
    ),
    "benchmark-no-warm-up": Bug(
        "benchmark",
        "    fn()\n    sync()\n    start = timer()",
        "    sync()\n    start = timer()",
        ("test_benchmark_warms_up",),
        "the slow first call is averaged in",
    ),
    "benchmark-total": Bug(
        "benchmark",
        "    return (timer() - start) / num_runs",
        "    return timer() - start",
        ("test_benchmark_waits_for_the_device", "test_benchmark_warms_up", "test_benchmark_default_sync"),
        "total time, not the time per call",
    ),
    "benchmark-ignores-sync-argument": Bug(
        "benchmark",
        "    if sync is None:\n\n        def sync():\n            synchronize(device)\n",
        "    def sync():\n        synchronize(device)\n",
        ("test_benchmark_waits_for_the_device", "test_benchmark_warms_up"),
        "the sync argument is ignored",
    ),
    "benchmark-warm-up-once": Bug(
        cell="benchmark",
        old="    fn()\n    sync()\n    start = timer()",
        new="    if not getattr(benchmark, 'warmed_up', False):  # the first call of the session pays for setting up\n"
        "        fn()\n"
        "        benchmark.warmed_up = True\n"
        "    sync()\n"
        "    start = timer()",
        loses=("test_benchmark_warms_up",),
        why="state left by an earlier call: only the first fn ever timed is warmed up; old checks caught it only "
        "because another benchmark check happened to run first",
    ),
    "benchmark-running-average": Bug(
        cell="benchmark",
        old="    return (timer() - start) / num_runs",
        new="    benchmark.history = getattr(benchmark, 'history', []) + [(timer() - start) / num_runs]\n"
        "    return sum(benchmark.history) / len(benchmark.history)  # steadier over repeated measurements",
        loses=("test_benchmark_waits_for_the_device",),
        why="state left by an earlier call: right on its first use only; old checks caught it only through check order",
    ),
    "clip-float32": Bug(
        cell="clip_gradient_norm",
        old="    norm = torch.sqrt((g * g).sum())\n",
        new="    g = g.float()  # gradients are float32\n    norm = torch.sqrt((g * g).sum())\n",
        loses=("test_clip_gradient_norm_values",),
        why="a float32 result for a float64 gradient: the dtype is now asserted, not left to a tight tolerance",
    ),
    "clip-no-branch": Bug(
        "clip_gradient_norm",
        "    if norm > theta:\n        return g * (theta / norm)\n    return g",
        "    return g * (theta / norm)",
        ("test_clip_gradient_norm_values",),
        "small gradients are scaled up too",
    ),
    "clip-unannotated": Bug(
        "clip_gradient_norm",
        "def clip_gradient_norm(g: torch.Tensor, theta: float) -> torch.Tensor:",
        "def clip_gradient_norm(g, theta):",
        ("test_clip_gradient_norm_scripts",),
        "without annotations TorchScript takes theta for a tensor",
    ),
    "clip-python-float": Bug(
        "clip_gradient_norm",
        "    norm = torch.sqrt((g * g).sum())\n",
        "    norm = sum(x * x for x in g.flatten().tolist()) ** 0.5\n",
        ("test_clip_gradient_norm_scripts",),
        "a generator expression over Python floats: TorchScript cannot compile it",
    ),
    "hybridize-trace": Bug(
        "hybridize",
        "    return torch.jit.script(fn)",
        "    return torch.jit.trace(fn, example_inputs)",
        ("test_hybridize_keeps_control_flow",),
        "tracing freezes the branch the example took",
    ),
    "hybridize-eager": Bug(
        "hybridize",
        "    return torch.jit.script(fn)",
        "    return fn",
        ("test_hybridize_module", "test_hybridize_keeps_control_flow"),
        "not compiled at all",
    ),
    "try-gpu-ignores-count": Bug(
        "try_gpu",
        "    if torch.cuda.device_count() >= i + 1:",
        "    if torch.cuda.is_available():",
        ("test_try_gpu",),
        "GPU i assumed to exist whenever any GPU does",
    ),
    "try-all-gpus-empty": Bug(
        "try_gpu",
        '    return devices if devices else [torch.device("cpu")]',
        "    return devices",
        ("test_try_all_gpus",),
        "no CPU fallback",
    ),
    "split-chunk": Bug(
        "split_batch",
        "    X_shards = [shard.to(d) for shard, d in zip(torch.tensor_split(X, k), devices)]\n"
        "    y_shards = [shard.to(d) for shard, d in zip(torch.tensor_split(y, k), devices)]",
        "    X_shards = [shard.to(d) for shard, d in zip(torch.chunk(X, k), devices)]\n"
        "    y_shards = [shard.to(d) for shard, d in zip(torch.chunk(y, k), devices)]",
        ("test_split_batch",),
        "torch.chunk: uneven shards, sometimes fewer than devices",
    ),
    "split-not-moved": Bug(
        "split_batch",
        "    X_shards = [shard.to(d) for shard, d in zip(torch.tensor_split(X, k), devices)]\n"
        "    y_shards = [shard.to(d) for shard, d in zip(torch.tensor_split(y, k), devices)]",
        "    X_shards = list(torch.tensor_split(X, k))\n    y_shards = list(torch.tensor_split(y, k))",
        ("test_split_batch",),
        "shards left on the input's device",
    ),
    "parallel-net-moved": Bug(
        "data_parallel_forward",
        "copy.deepcopy(net).to(d)(shard)",
        "net.to(d)(shard)",
        ("test_data_parallel_forward",),
        "moves the caller's net (to() works in place) instead of a copy",
    ),
    "parallel-reversed": Bug(
        "data_parallel_forward",
        "    return torch.cat([out.to(devices[0]) for out in outputs])",
        "    return torch.cat([out.to(devices[0]) for out in reversed(outputs)])",
        ("test_data_parallel_forward",),
        "shards gathered out of order",
    ),
    "parallel-gathered-on-last": Bug(
        "data_parallel_forward",
        "    return torch.cat([out.to(devices[0]) for out in outputs])",
        "    return torch.cat([out.to(devices[-1]) for out in outputs])",
        ("test_data_parallel_forward",),
        "outputs gathered on the wrong device",
    ),
}

ALTERNATIVES = {
    "synchronize-string-test": Alternative(
        "synchronize",
        "def synchronize(device):\n    if str(device).startswith('cuda'):\n        torch.cuda.synchronize(device)",
    ),
    "benchmark-per-call": Alternative(
        "benchmark",
        "def benchmark(fn, num_runs=10, device='cpu', sync=None, timer=time.perf_counter):\n"
        "    wait = sync if sync is not None else (lambda: synchronize(device))\n"
        "    fn()\n"
        "    total = 0.0\n"
        "    for _ in range(num_runs):\n"
        "        wait()\n"
        "        t0 = timer()\n"
        "        fn()\n"
        "        wait()\n"
        "        total += timer() - t0\n"
        "    return total / num_runs",
        "times each call separately, waiting before and after each",
    ),
    "clip-torch-norm": Alternative(
        "clip_gradient_norm",
        "def clip_gradient_norm(g: torch.Tensor, theta: float) -> torch.Tensor:\n"
        "    norm = torch.linalg.vector_norm(g)\n"
        "    scale = theta / norm\n"
        "    if scale < 1:\n"
        "        g = g * scale\n"
        "    return g",
    ),
    "hybridize-trace-modules": Alternative(
        "hybridize",
        "def hybridize(fn, example_inputs):\n"
        "    if isinstance(fn, nn.Module):\n"
        "        return torch.jit.trace(fn, example_inputs)  # no data-dependent control flow in these nets\n"
        "    return torch.jit.script(fn)",
        "traces modules (a Sequential has no branches) and scripts functions",
    ),
    "try-gpu-is-available": Alternative(
        "try_gpu",
        "def try_gpu(i=0):\n"
        "    if torch.cuda.is_available() and i < torch.cuda.device_count():\n"
        "        return torch.device('cuda', i)\n"
        "    return torch.device('cpu')\n\n\n"
        "def try_all_gpus():\n"
        "    return [try_gpu(k) for k in range(torch.cuda.device_count())] or [torch.device('cpu')]",
    ),
    "split-manual-sizes": Alternative(
        "split_batch",
        "def split_batch(X, y, devices):\n"
        "    n, k = len(X), len(devices)\n"
        "    sizes = [n // k + (1 if j < n % k else 0) for j in range(k)]\n"
        "    X_shards, y_shards, start = [], [], 0\n"
        "    for size, device in zip(sizes, devices):\n"
        "        X_shards.append(X[start:start + size].to(device))\n"
        "        y_shards.append(y[start:start + size].to(device))\n"
        "        start += size\n"
        "    return X_shards, y_shards",
    ),
    "parallel-with-split-batch": Alternative(
        "data_parallel_forward",
        "def data_parallel_forward(net, X, devices):\n"
        "    shards, _ = split_batch(X, torch.zeros(len(X)), devices)\n"
        "    results = []\n"
        "    for shard, device in zip(shards, devices):\n"
        "        replica = copy.deepcopy(net).to(device)\n"
        "        results.append(replica(shard).to(devices[0]))\n"
        "    return torch.cat(results, dim=0)",
        "reuses split_batch",
    ),
}
