"""Sample submissions for 09_computational_performance: real bugs and correct alternatives."""

from autograder.variants import Alternative, Bug, dedent

BUGS = {
    "sync-always-cuda": Bug(
        cell="synchronize",
        old=dedent(
            """\
            device = torch.device(device)
            if device.type == "cuda":
                torch.cuda.synchronize(device)""",
            indent=4,
        ),
        new="    torch.cuda.synchronize()",
        loses=("test_synchronize_cpu", "test_synchronize_cuda"),
        why="calls CUDA for a CPU device (fails without a GPU) and ignores which GPU",
    ),
    "sync-wrong-gpu": Bug(
        cell="synchronize",
        old="        torch.cuda.synchronize(device)",
        new="        torch.cuda.synchronize()",
        loses=("test_synchronize_cuda",),
        why="waits for the current GPU, not the one given",
    ),
    "sync-never-waits": Bug(
        cell="synchronize",
        old="        torch.cuda.synchronize(device)",
        new="        pass",
        loses=("test_synchronize_cuda", "test_benchmark_default_sync"),
        why="believes the call returns when the work is done",
    ),
    "benchmark-no-final-sync": Bug(
        cell="benchmark",
        old=dedent(
            """\
            for _ in range(num_runs):
                fn()
            sync()
            """,
            indent=4,
        ),
        new=dedent(
            """\
            for _ in range(num_runs):
                fn()
            """,
            indent=4,
        ),
        loses=("test_benchmark_waits_for_the_device", "test_benchmark_warms_up", "test_benchmark_default_sync"),
        why="reads the clock while the work is still queued: measures the launches only",
    ),
    "benchmark-no-first-sync": Bug(
        cell="benchmark",
        old=dedent(
            """\
            fn()
            sync()
            start = timer()""",
            indent=4,
        ),
        new=dedent(
            """\
            fn()
            start = timer()""",
            indent=4,
        ),
        loses=("test_benchmark_waits_for_the_device", "test_benchmark_warms_up", "test_benchmark_default_sync"),
        why="earlier queued work (and the warm-up) counted in the measurement",
    ),
    "benchmark-no-warm-up": Bug(
        cell="benchmark",
        old=dedent(
            """\
            fn()
            sync()
            start = timer()""",
            indent=4,
        ),
        new=dedent(
            """\
            sync()
            start = timer()""",
            indent=4,
        ),
        loses=("test_benchmark_warms_up",),
        why="the slow first call is averaged in",
    ),
    "benchmark-total": Bug(
        cell="benchmark",
        old="    return (timer() - start) / num_runs",
        new="    return timer() - start",
        loses=("test_benchmark_waits_for_the_device", "test_benchmark_warms_up", "test_benchmark_default_sync"),
        why="total time, not the time per call",
    ),
    "benchmark-ignores-sync-argument": Bug(
        cell="benchmark",
        old=dedent(
            """\
            if sync is None:

                def sync():
                    synchronize(device)
            """,
            indent=4,
        ),
        new=dedent(
            """\
            def sync():
                synchronize(device)
            """,
            indent=4,
        ),
        loses=("test_benchmark_waits_for_the_device", "test_benchmark_warms_up"),
        why="the sync argument is ignored",
    ),
    "benchmark-warm-up-once": Bug(
        cell="benchmark",
        old=dedent(
            """\
            fn()
            sync()
            start = timer()""",
            indent=4,
        ),
        new=dedent(
            """\
            if not getattr(benchmark, 'warmed_up', False):  # the first call of the session pays for setting up
                fn()
                benchmark.warmed_up = True
            sync()
            start = timer()""",
            indent=4,
        ),
        loses=("test_benchmark_warms_up",),
        why="state left by an earlier call: only the first fn ever timed is warmed up; old checks caught it only because another benchmark check happened to run first",
    ),
    "benchmark-running-average": Bug(
        cell="benchmark",
        old="    return (timer() - start) / num_runs",
        new=dedent(
            """\
            benchmark.history = getattr(benchmark, 'history', []) + [(timer() - start) / num_runs]
            return sum(benchmark.history) / len(benchmark.history)  # steadier over repeated measurements""",
            indent=4,
        ),
        loses=("test_benchmark_waits_for_the_device",),
        why="state left by an earlier call: right on its first use only; old checks caught it only through check order",
    ),
    "clip-float32": Bug(
        cell="clip_gradient_norm",
        old="    norm = torch.sqrt((g * g).sum())\n",
        new=dedent(
            """\
            g = g.float()  # gradients are float32
            norm = torch.sqrt((g * g).sum())
            """,
            indent=4,
        ),
        loses=("test_clip_gradient_norm_values",),
        why="a float32 result for a float64 gradient: the dtype is now asserted, not left to a tight tolerance",
    ),
    "clip-no-branch": Bug(
        cell="clip_gradient_norm",
        old=dedent(
            """\
            if norm > theta:
                return g * (theta / norm)
            return g""",
            indent=4,
        ),
        new="    return g * (theta / norm)",
        loses=("test_clip_gradient_norm_values",),
        why="small gradients are scaled up too",
    ),
    "clip-unannotated": Bug(
        cell="clip_gradient_norm",
        old="def clip_gradient_norm(g: torch.Tensor, theta: float) -> torch.Tensor:",
        new="def clip_gradient_norm(g, theta):",
        loses=("test_clip_gradient_norm_scripts",),
        why="without annotations TorchScript takes theta for a tensor",
    ),
    "clip-python-float": Bug(
        cell="clip_gradient_norm",
        old="    norm = torch.sqrt((g * g).sum())\n",
        new="    norm = sum(x * x for x in g.flatten().tolist()) ** 0.5\n",
        loses=("test_clip_gradient_norm_scripts",),
        why="a generator expression over Python floats: TorchScript cannot compile it",
    ),
    "hybridize-trace": Bug(
        cell="hybridize",
        old="    return torch.jit.script(fn)",
        new="    return torch.jit.trace(fn, example_inputs)",
        loses=("test_hybridize_keeps_control_flow",),
        why="tracing freezes the branch the example took",
    ),
    "hybridize-eager": Bug(
        cell="hybridize",
        old="    return torch.jit.script(fn)",
        new="    return fn",
        loses=("test_hybridize_module", "test_hybridize_keeps_control_flow"),
        why="not compiled at all",
    ),
    "try-gpu-ignores-count": Bug(
        cell="try_gpu",
        old="    if torch.cuda.device_count() >= i + 1:",
        new="    if torch.cuda.is_available():",
        loses=("test_try_gpu",),
        why="GPU i assumed to exist whenever any GPU does",
    ),
    "try-all-gpus-empty": Bug(
        cell="try_gpu",
        old='    return devices if devices else [torch.device("cpu")]',
        new="    return devices",
        loses=("test_try_all_gpus",),
        why="no CPU fallback",
    ),
    "split-chunk": Bug(
        cell="split_batch",
        old=dedent(
            """\
            X_shards = [shard.to(d) for shard, d in zip(torch.tensor_split(X, k), devices)]
            y_shards = [shard.to(d) for shard, d in zip(torch.tensor_split(y, k), devices)]""",
            indent=4,
        ),
        new=dedent(
            """\
            X_shards = [shard.to(d) for shard, d in zip(torch.chunk(X, k), devices)]
            y_shards = [shard.to(d) for shard, d in zip(torch.chunk(y, k), devices)]""",
            indent=4,
        ),
        loses=("test_split_batch",),
        why="torch.chunk: uneven shards, sometimes fewer than devices",
    ),
    "split-not-moved": Bug(
        cell="split_batch",
        old=dedent(
            """\
            X_shards = [shard.to(d) for shard, d in zip(torch.tensor_split(X, k), devices)]
            y_shards = [shard.to(d) for shard, d in zip(torch.tensor_split(y, k), devices)]""",
            indent=4,
        ),
        new=dedent(
            """\
            X_shards = list(torch.tensor_split(X, k))
            y_shards = list(torch.tensor_split(y, k))""",
            indent=4,
        ),
        loses=("test_split_batch",),
        why="shards left on the input's device",
    ),
    "parallel-net-moved": Bug(
        cell="data_parallel_forward",
        old="copy.deepcopy(net).to(d)(shard)",
        new="net.to(d)(shard)",
        loses=("test_data_parallel_forward",),
        why="moves the caller's net (to() works in place) instead of a copy",
    ),
    "parallel-reversed": Bug(
        cell="data_parallel_forward",
        old="    return torch.cat([out.to(devices[0]) for out in outputs])",
        new="    return torch.cat([out.to(devices[0]) for out in reversed(outputs)])",
        loses=("test_data_parallel_forward",),
        why="shards gathered out of order",
    ),
    "parallel-gathered-on-last": Bug(
        cell="data_parallel_forward",
        old="    return torch.cat([out.to(devices[0]) for out in outputs])",
        new="    return torch.cat([out.to(devices[-1]) for out in outputs])",
        loses=("test_data_parallel_forward",),
        why="outputs gathered on the wrong device",
    ),
}

ALTERNATIVES = {
    "synchronize-string-test": Alternative(
        cell="synchronize",
        code=dedent("""\
            def synchronize(device):
                if str(device).startswith('cuda'):
                    torch.cuda.synchronize(device)"""),
        why="tests the device by its string name instead of device.type",
    ),
    "benchmark-per-call": Alternative(
        cell="benchmark",
        code=dedent("""\
            def benchmark(fn, num_runs=10, device='cpu', sync=None, timer=time.perf_counter):
                wait = sync if sync is not None else (lambda: synchronize(device))
                fn()
                total = 0.0
                for _ in range(num_runs):
                    wait()
                    t0 = timer()
                    fn()
                    wait()
                    total += timer() - t0
                return total / num_runs"""),
        why="times each call separately, waiting before and after each",
    ),
    "clip-torch-norm": Alternative(
        cell="clip_gradient_norm",
        code=dedent("""\
            def clip_gradient_norm(g: torch.Tensor, theta: float) -> torch.Tensor:
                norm = torch.linalg.vector_norm(g)
                scale = theta / norm
                if scale < 1:
                    g = g * scale
                return g"""),
        why="torch.linalg.vector_norm and an out-of-place scale, returned",
    ),
    "hybridize-trace-modules": Alternative(
        cell="hybridize",
        code=dedent("""\
            def hybridize(fn, example_inputs):
                if isinstance(fn, nn.Module):
                    return torch.jit.trace(fn, example_inputs)  # no data-dependent control flow in these nets
                return torch.jit.script(fn)"""),
        why="traces modules (a Sequential has no branches) and scripts functions",
    ),
    "try-gpu-is-available": Alternative(
        cell="try_gpu",
        code=dedent("""\
            def try_gpu(i=0):
                if torch.cuda.is_available() and i < torch.cuda.device_count():
                    return torch.device('cuda', i)
                return torch.device('cpu')


            def try_all_gpus():
                return [try_gpu(k) for k in range(torch.cuda.device_count())] or [torch.device('cpu')]"""),
        why="asks torch.cuda.is_available() first; try_all_gpus falls back with `or`",
    ),
    "split-manual-sizes": Alternative(
        cell="split_batch",
        code=dedent("""\
            def split_batch(X, y, devices):
                n, k = len(X), len(devices)
                sizes = [n // k + (1 if j < n % k else 0) for j in range(k)]
                X_shards, y_shards, start = [], [], 0
                for size, device in zip(sizes, devices):
                    X_shards.append(X[start:start + size].to(device))
                    y_shards.append(y[start:start + size].to(device))
                    start += size
                return X_shards, y_shards"""),
        why="shard sizes computed by hand and sliced, instead of torch.tensor_split",
    ),
    "parallel-with-split-batch": Alternative(
        cell="data_parallel_forward",
        code=dedent("""\
            def data_parallel_forward(net, X, devices):
                shards, _ = split_batch(X, torch.zeros(len(X)), devices)
                results = []
                for shard, device in zip(shards, devices):
                    replica = copy.deepcopy(net).to(device)
                    results.append(replica(shard).to(devices[0]))
                return torch.cat(results, dim=0)"""),
        why="reuses split_batch",
    ),
}
