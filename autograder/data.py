"""Real data that ships with a package: scikit-learn's handwritten digits, resized to 28 x 28.

Accuracy checks train on it because nothing may be downloaded at grading time;
it has the shape of (Fashion-)MNIST: 1 channel, 28 x 28, 10 classes.
"""

import functools

import torch
import torch.nn.functional as F


@functools.cache
def digits():
    """All 1,797 digits: images (1797, 1, 28, 28) float32 in [0, 1], labels (1797,) int64."""
    from sklearn.datasets import load_digits

    bunch = load_digits()
    images = torch.tensor(bunch.images, dtype=torch.float32).unsqueeze(1) / 16.0
    images = F.interpolate(images, size=(28, 28), mode="bilinear", align_corners=False).clamp(0, 1)
    return images, torch.tensor(bunch.target, dtype=torch.int64)


def digits_split(seed, test_fraction=0.25):
    """A seeded shuffle of the digits into (train_X, train_y, test_X, test_y), disguised per seed.

    The student's process can load the same digits from scikit-learn, so each
    seed also renames the classes (a permutation of the 10 labels) and turns or
    mirrors every image (one of the 8 symmetries of the square): a model that
    learns from the batches it is given is as accurate as before, while a
    memorised copy of the data set answers with the wrong labels.
    """
    images, labels = digits()
    generator = torch.Generator().manual_seed(seed)
    order = torch.randperm(len(labels), generator=generator)
    names = torch.randperm(10, generator=generator)
    symmetry = int(torch.randint(0, 8, (1,), generator=generator))
    images = torch.rot90(images, symmetry % 4, dims=(2, 3))
    images = images.flip(3) if symmetry >= 4 else images
    labels = names[labels]
    cut = int(len(labels) * (1 - test_fraction))
    train, test = order[:cut], order[cut:]
    return images[train].contiguous(), labels[train], images[test].contiguous(), labels[test]
