"""Random draws for hidden checks, always from the check's own seeded generator.

Every check draws through these helpers (never torch.rand/randint/randn with
its own conventions), so that a range means the same thing everywhere:
`randint` is half-open like Python's range, `uniform` and `randn` draw in
float64 (cast at the call site when a float32 input is wanted).
"""

import torch


def randint(rng, low, high):
    """An int in [low, high), drawn from rng (a torch.Generator)."""
    return int(torch.randint(low, high, (1,), generator=rng))


def uniform(rng, low, high):
    """A Python float in [low, high), drawn in float64 from rng."""
    return low + (high - low) * float(torch.rand((), generator=rng, dtype=torch.float64))


def randn(rng, *shape, dtype=torch.float64):
    """A standard normal tensor of `shape` (float64 unless `dtype` says otherwise), drawn from rng."""
    return torch.randn(*shape, generator=rng, dtype=dtype)


def seed(rng):
    """A fresh int seed in [0, 2**31) for code that seeds its own generator (the worker's torch.manual_seed)."""
    return randint(rng, 0, 2**31)


def rand(rng, *shape, dtype=torch.float64):
    """A tensor of `shape` uniform in [0, 1) (float64 unless `dtype` says otherwise), drawn from rng."""
    return torch.rand(*shape, generator=rng, dtype=dtype)


def integers(rng, low, high, *shape, dtype=torch.int64):
    """A tensor of `shape` of ints in [low, high) (half-open, like randint), drawn from rng."""
    return torch.randint(low, high, shape, generator=rng, dtype=dtype)


def permutation(rng, n):
    """A random ordering of range(n) as a list of ints, drawn from rng."""
    return torch.randperm(n, generator=rng).tolist()
