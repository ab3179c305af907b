"""Random draws for hidden checks, always from the check's own seeded generator."""

import torch


def randint(rng, low, high):
    """An int in [low, high), drawn from rng (a torch.Generator)."""
    return int(torch.randint(low, high, (1,), generator=rng))
