"""Hidden checks for 10_computer_vision.

Inputs are drawn from `rng`; files in the real formats (VOC2012 folders of JPEG photographs
and palette PNG labels, ImageFolder trees, torch.save weight files) are written by public
glue in the worker and, the same way, in the grader's own temporary folders, where the
reference computes the expected values. PIL images travel by value (mode, size, bytes).
"""

import os
import tempfile

import numpy as np
import pytest
import torch
import torch.nn.functional as F
import torchvision
from PIL import Image
from torchvision import transforms

from autograder import draw, expect, nets
from autograder.draw import randint
from autograder.student import is_instance
from autograder.worker import harness
from reference import computer_vision as ref

points, exercise, timeout = pytest.mark.points, pytest.mark.exercise, pytest.mark.timeout
MEAN, STD = [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]
INTEGER_DTYPES = (torch.uint8, torch.int8, torch.int16, torch.int32, torch.int64)
CONV = "torch.nn.modules.conv.Conv2d"
CONV_T = "torch.nn.modules.conv.ConvTranspose2d"
EXACT = {"rtol": 0.0, "atol": 1e-12}  # optimizer settings are passed through, not computed: only rounding may differ
RESNET_TOL = {"rtol": 1e-4, "atol": 1e-4}  # a float32 ResNet-18 body: rounding grows over its 18 layers
UPSAMPLING_TOL = {"rtol": 1e-5, "atol": 1e-6}  # a float32 kernel, however computed, upsampling in float64


def pixels(rng, h, w):
    """A (h, w, 3) uint8 tensor of drawn RGB pixels."""
    return draw.integers(rng, 0, 256, h, w, 3, dtype=torch.uint8)


def pil(array):
    """An (h, w, 3) uint8 array or tensor as an RGB PIL image of size (w, h)."""
    return Image.fromarray(np.asarray(array, dtype=np.uint8), "RGB")


def pil_images(value, what, count=None):
    """value must be a list (or tuple) of PIL images, `count` long when given."""
    if type(value) not in (list, tuple) or not all(isinstance(x, Image.Image) for x in value):
        raise AssertionError(f"{what} should be a list of PIL images")
    if count is not None and len(value) != count:
        raise AssertionError(f"{what} holds {len(value)} images, but this check expects {count}")
    return value


def same_image(got, expected):
    """Whether two PIL images have the same size, mode and bytes."""
    return got.size == expected.size and got.mode == expected.mode and got.tobytes() == expected.tobytes()


def voc_palette():
    """The palette of the real VOC2012 label PNGs: index i -> the bits of i spread over r, g, b (255 is the border)."""
    palette = []
    for i in range(256):
        r = g = b = 0
        c = i
        for j in range(8):
            r |= ((c >> 0) & 1) << (7 - j)
            g |= ((c >> 1) & 1) << (7 - j)
            b |= ((c >> 2) & 1) << (7 - j)
            c >>= 3
        palette += [r, g, b]
    return palette


def color_index(colors):
    """(..., 3) int tensor of [r, g, b] -> (...) its number (r * 256 + g) * 256 + b."""
    colors = colors.long()
    return (colors[..., 0] * 256 + colors[..., 1]) * 256 + colors[..., 2]


def windows(window, full):
    """Every (top, left) at which `window` (c, h, w) equals a window of `full` (c, H, W) to 1e-5."""
    c, h, w = window.shape
    if full.shape[0] != c or full.shape[1] < h or full.shape[2] < w:
        return []
    patches = F.unfold(full[None].double(), (h, w))[0]
    gaps = (patches - window.reshape(-1, 1).double()).abs().amax(dim=0)
    columns = full.shape[2] - w + 1
    return [(int(k) // columns, int(k) % columns) for k in (gaps <= 1e-5).nonzero().flatten()]


def chw(image):
    """A PIL image as a (c, h, w) float tensor of its raw values."""
    array = np.asarray(image, dtype=np.float64)
    return torch.from_numpy(array.reshape(array.shape[0], array.shape[1], -1)).permute(2, 0, 1)


# --- augmentations ---------------------------------------------------------------------


def _small_photo(rng):
    """An RGB PIL photograph of drawn non-square size, landscape or portrait."""
    h, w = randint(rng, 40, 70), randint(rng, 75, 110)
    return pil(pixels(rng, h, w)) if randint(rng, 0, 2) else pil(pixels(rng, w, h))


@exercise("augmentations")
@points(1)
def test_test_augs_deterministic(student, rng):
    """test_augs gives the same tensor every time: no randomness at test time."""
    image = _small_photo(rng)
    first = expect.tensor(student.test_augs(image), "test_augs(image)", (3, 224, 224), torch.float32)
    for _ in range(3):
        again = student.test_augs(image)
        expect.close(
            again, first, "test_augs gave different tensors for the same image: test-time transforms must not be random"
        )


@exercise("augmentations")
@points(2)
def test_test_augs_values(student, rng):
    """test_augs: Resize(256), CenterCrop(224), ToTensor, ImageNet normalisation, on non-square images."""
    for _ in range(2):
        image = _small_photo(rng)
        got = expect.tensor(student.test_augs(image), "test_augs(image)", (3, 224, 224), torch.float32)
        expect.close(
            got,
            ref.test_augs(image),
            "test_augs(image) differs from Resize(256) (shorter side), CenterCrop(224), ToTensor and Normalize "
            "with the ImageNet mean and std, in that order",
            **expect.TOL32,
        )


@exercise("augmentations")
@points(2)
def test_train_augs_random_and_sized(student, rng):
    """train_augs: (3, 224, 224) for any image, different each time."""
    for _ in range(4):
        expect.tensor(student.train_augs(_small_photo(rng)), "train_augs(image)", (3, 224, 224), torch.float32)
    image = _small_photo(rng)
    repeats = [expect.tensor(student.train_augs(image), "train_augs(image)", (3, 224, 224)) for _ in range(4)]
    assert any(not torch.equal(repeats[0], r) for r in repeats[1:]), (
        "train_augs gave the same tensor four times for one image: training augmentation should be random "
        "(RandomResizedCrop, RandomHorizontalFlip, ColorJitter)"
    )


@exercise("augmentations")
@points(1)
def test_train_augs_normalisation(student, rng):
    """A black image through train_augs is -mean/std in every channel (ImageNet statistics)."""
    h, w = randint(rng, 30, 60), randint(rng, 61, 90)
    got = expect.tensor(student.train_augs(Image.new("RGB", (w, h))), "train_augs(black image)", (3, 224, 224))
    expected = (-torch.tensor(MEAN) / torch.tensor(STD)).view(3, 1, 1).expand(3, 224, 224)
    expect.close(
        got,
        expected,
        "a black image should come out of train_augs as -mean/std per channel: apply ToTensor, then Normalize "
        "with the ImageNet mean and std",
        **expect.TOL32,
    )


# --- finetune_net ------------------------------------------------------------------------


def _stand_in_file(student, seed):
    """The path of a stand-in resnet18 weights file (seeded) written in a fresh folder in the worker."""
    folder = student.harness.fresh_dir()
    return student.harness.write_stand_in_weights(f"{folder}/resnet18-weights.pth", seed)


def _fetch(net, name):
    """A parameter or buffer of a remote module, by its state_dict name."""
    module, _, attr = name.rpartition(".")
    return getattr(net.get_submodule(module) if module else net, attr)


@exercise("finetune_net")
@points(2)
def test_finetune_net_head(student, rng):
    """torchvision's ResNet-18 with fc = Linear(512, num_classes)."""
    num_classes = randint(rng, 3, 10)
    net = student.finetune_net(num_classes)
    assert is_instance(net, "torchvision.models.resnet.ResNet"), (
        "finetune_net should return torchvision.models.resnet18(weights=None) with a new fc"
    )
    fc = net.fc
    assert is_instance(fc, "torch.nn.modules.linear.Linear"), "net.fc should be an nn.Linear"
    assert (fc.in_features, fc.out_features) == (512, num_classes), (
        "net.fc should map the 512 pooled features to num_classes outputs"
    )
    expected = harness.module_types(ref.finetune_net(num_classes))
    assert list(map(tuple, student.harness.module_types(net))) == list(map(tuple, expected)), (
        "apart from fc, the network should be torchvision's resnet18 unchanged"
    )
    net.eval()
    x = draw.randn(rng, 2, 3, randint(rng, 32, 48), randint(rng, 49, 64), dtype=torch.float32)
    expect.tensor(net(x), "finetune_net(num_classes)(x)", (2, num_classes))


@exercise("finetune_net")
@points(2)
def test_finetune_net_loads_local_weights(student, rng):
    """With weights_path, the body holds the file's weights and fc is new."""
    num_classes, seed = randint(rng, 3, 10), draw.seed(rng)
    path = _stand_in_file(student, seed)
    net = student.finetune_net(num_classes, weights_path=path)
    state = harness.stand_in_weights(seed)
    message = (
        "the body does not hold the weights of weights_path: load the file with torch.load and load_state_dict "
        "before replacing fc"
    )
    for name in (
        "conv1.weight",
        "bn1.running_var",
        "layer1.0.bn2.bias",
        "layer2.0.downsample.1.running_mean",
        "layer3.1.conv1.weight",
        "layer4.0.downsample.0.weight",
        "layer4.1.bn2.weight",
    ):
        expect.close(_fetch(net, name), state[name], message)
    expect.tensor(net.fc.weight, "net.fc.weight", (num_classes, 512))


# --- finetune_optimizer --------------------------------------------------------------------


@exercise("finetune_optimizer")
@points(2)
def test_finetune_optimizer_groups(student, rng):
    """SGD with two groups: fc at 10 x lr, the rest at lr, weight decay in both."""
    num_classes = randint(rng, 2, 8)
    lr = randint(rng, 1, 50) / 1000
    weight_decay = randint(rng, 1, 20) / 10000
    net = student.harness.seeded_resnet18(num_classes, 0)
    optimizer = student.finetune_optimizer(net, lr, weight_decay)
    assert is_instance(optimizer, "torch.optim.sgd.SGD"), "finetune_optimizer should return a torch.optim.SGD"
    groups = student.harness.param_groups(optimizer, net)
    assert type(groups) is list and all(type(g) is dict and type(g.get("names")) is list for g in groups), (
        "the optimizer's param_groups could not be read"
    )
    names = [n for g in groups for n in g["names"]]
    assert "?" not in names, "a parameter group holds tensors that are not parameters of net"
    all_names = [n for n, _ in harness.seeded_resnet18(num_classes, 0).named_parameters()]
    assert sorted(names) == sorted(all_names), "every parameter of net should be in exactly one group"
    assert len(groups) == 2, "use exactly two parameter groups: the fc parameters and all the others"
    fc = [g for g in groups if "fc.weight" in g["names"]][0]
    body = [g for g in groups if g is not fc][0]
    assert sorted(fc["names"]) == ["fc.bias", "fc.weight"], "one group should hold exactly net.fc's weight and bias"
    expect.scalar_close(body.get("lr"), lr, "the pretrained layers should train at lr", **EXACT)
    expect.scalar_close(fc.get("lr"), 10 * lr, "the new output layer fc should train at 10 * lr", **EXACT)
    for group in (body, fc):
        expect.scalar_close(group.get("weight_decay"), weight_decay, "both groups should use weight_decay", **EXACT)


TINY_NET = (("features", "Conv2d", (3, 4, 3)), ("act", "ReLU", ()), ("pool", "AdaptiveAvgPool2d", (1,)))
TINY_NET += (("flatten", "Flatten", ()), ("fc", "Linear", (4, "classes")))


def _tiny_net(student, rng, num_classes):
    """The same small net (features ... fc) in the worker and here, with the same weights."""
    local, remote_nn = torch.nn.Sequential(), student.lib("torch.nn")
    remote = remote_nn.Sequential()
    for name, kind, args in TINY_NET:
        args = tuple(num_classes if a == "classes" else a for a in args)
        local.add_module(name, getattr(torch.nn, kind)(*args))
        remote.add_module(name, getattr(remote_nn, kind)(*args))
    weights = {name: draw.randn(rng, *value.shape, dtype=torch.float32) * 0.5 for name, value in local.state_dict().items()}
    local.load_state_dict(weights)
    remote.load_state_dict(weights)
    return remote, local


@exercise("finetune_optimizer")
@points(2)
def test_finetune_optimizer_steps(student, rng):
    """Two SGD steps on a small net match plain SGD with fc at 10 x lr and weight decay (no momentum)."""
    num_classes = randint(rng, 2, 6)
    lr = randint(rng, 5, 50) / 1000
    weight_decay = randint(rng, 10, 100) / 1000
    remote, local = _tiny_net(student, rng, num_classes)
    batches = [(draw.randn(rng, 6, 3, 8, 8, dtype=torch.float32), draw.integers(rng, 0, num_classes, 6)) for _ in range(2)]
    optimizer = student.finetune_optimizer(remote, lr, weight_decay)
    student.harness.train_steps(remote, optimizer, student.lib("torch.nn").CrossEntropyLoss(), batches)
    for X, y in batches:
        local.zero_grad()
        torch.nn.functional.cross_entropy(local(X), y).backward()
        with torch.no_grad():
            for name, p in local.named_parameters():
                step = 10 * lr if name.startswith("fc.") else lr
                p -= step * (p.grad + weight_decay * p)
    nets.same_state(
        remote.state_dict(),
        local,
        "after two steps the weights differ from plain SGD with the body at lr, fc at 10 * lr and weight_decay "
        "in both groups (no momentum)",
    )


# --- train_fine_tuning ------------------------------------------------------------------------


def _hotdog_tree(rng, per_class_train, per_class_test):
    """{split: {class: [uint8 (h, w, 3)]}}: reddish 'hotdog' and bluish 'not-hotdog' pictures of several sizes."""
    colors = {"hotdog": (200, 70, 50), "not-hotdog": (60, 110, 200)}
    tree = {}
    for split, count in (("train", per_class_train), ("test", per_class_test)):
        tree[split] = {}
        for name, color in colors.items():
            pictures = []
            for _ in range(count):
                h, w = randint(rng, 28, 40), randint(rng, 36, 52)
                base = torch.tensor(color) + draw.integers(rng, -40, 41, 3)
                noise = draw.integers(rng, -50, 51, h, w, 3)
                pictures.append((base + noise).clamp(0, 255).to(torch.uint8))
            tree[split][name] = pictures
    return tree


def _small_transforms(module, train, size=32):
    """A 32 x 32 transform pipeline from the transforms module given: random crops and flips when train, else a resize."""
    steps = [module.RandomResizedCrop(size, scale=(0.5, 1.0)), module.RandomHorizontalFlip()] if train else []
    steps = steps or [module.Resize((size, size))]
    return module.Compose(steps + [module.ToTensor(), module.Normalize(MEAN, STD)])


def _write_tree(student, tree, folder):
    """Write the same ImageFolder tree in the worker (returns its root there) and here under folder."""
    remote_root = student.harness.write_image_folder(student.harness.fresh_dir(), tree)
    harness.write_image_folder(folder, tree)
    return remote_root


def _split_tensors(folder, split, transform):
    """A split of an ImageFolder tree through transform -> (X (n, 3, h, w), y (n,))."""
    data = torchvision.datasets.ImageFolder(os.path.join(folder, split), transform=transform)
    X = torch.stack([data[i][0] for i in range(len(data))])
    return X, torch.tensor(data.targets)


def _load_remote_state(state, num_classes):
    """A local resnet18 holding the state_dict fetched from the student's network (its names checked)."""
    net = torchvision.models.resnet18(weights=None, num_classes=num_classes)
    if type(state) is not dict or set(state) != set(net.state_dict()):
        raise AssertionError("after train_fine_tuning the network's parameters have changed names or disappeared")
    net.load_state_dict(state)
    return net


@exercise("train_fine_tuning")
@points(3)
@timeout(90)
def test_train_fine_tuning_one_step(student, rng):
    """One epoch with one full batch = one SGD step on data_dir/train, with the given transform and mean cross-entropy."""
    tree = _hotdog_tree(rng, randint(rng, 5, 8), 2)
    seed, lr = draw.seed(rng), 0.05
    with tempfile.TemporaryDirectory() as folder:
        root = _write_tree(student, tree, folder)
        X, y = _split_tensors(folder, "train", _small_transforms(transforms, False))
    net = student.harness.seeded_resnet18(2, seed)
    optimizer = student.lib("torch.optim").SGD(net.parameters(), lr=lr)
    transform = _small_transforms(student.lib("torchvision.transforms"), False)
    student.train_fine_tuning(
        net, optimizer, root, batch_size=len(y), num_epochs=1, train_transform=transform, test_transform=transform
    )
    local = harness.seeded_resnet18(2, seed)
    local_optimizer = torch.optim.SGD(local.parameters(), lr=lr)
    local.train()
    torch.nn.functional.cross_entropy(local(X), y).backward()
    local_optimizer.step()
    nets.same_state(
        _load_remote_state(net.state_dict(), 2).state_dict(),
        local,
        "one epoch over a single full batch should be exactly one SGD step on the images of data_dir/train, read "
        "with ImageFolder through the train_transform passed in, with nn.CrossEntropyLoss (mean over the batch)",
        **expect.TOL32,
    )


@exercise("train_fine_tuning")
@points(2)
@timeout(120)
def test_fine_tuning_reduces_the_loss(student, rng, settings, assignment):
    """Six epochs on random-augmented crops of the training set reduce its loss."""
    tree = _hotdog_tree(rng, 8, 3)
    seed = draw.seed(rng)
    with tempfile.TemporaryDirectory() as folder:
        root = _write_tree(student, tree, folder)
        X, y = _split_tensors(folder, "train", _small_transforms(transforms, False))
    net = student.harness.seeded_resnet18(2, seed)
    optimizer = student.lib("torch.optim").SGD(net.parameters(), lr=0.02)
    module = student.lib("torchvision.transforms")
    student.train_fine_tuning(
        net,
        optimizer,
        root,
        batch_size=len(y),
        num_epochs=6,
        train_transform=_small_transforms(module, True),
        test_transform=_small_transforms(module, False),
    )

    def loss(network):
        network.train()  # batch statistics over the training set, as in training
        with torch.no_grad():
            return torch.nn.functional.cross_entropy(network(X), y).item()

    before, after = loss(harness.seeded_resnet18(2, seed)), loss(_load_remote_state(net.state_dict(), 2))
    ratio = settings.threshold(assignment.id, "fine_tuning_loss_ratio")
    assert after <= ratio * before, (
        f"after 6 epochs the training loss fell only to {after / before:.0%} of its start; this check needs "
        f"{ratio * 100:g}% or less: does train_fine_tuning train on data_dir/train with the loss and optimizer it is given?"
    )


@exercise("train_fine_tuning")
@points(1)
@timeout(90)
def test_train_fine_tuning_reads_its_data(student, rng):
    """The training data is reshuffled every epoch; without transforms it falls back to train_augs and test_augs."""
    tree = _hotdog_tree(rng, randint(rng, 5, 8), 1)
    with tempfile.TemporaryDirectory() as folder:
        root = _write_tree(student, tree, folder)
        in_file_order = [image.size for image, _ in torchvision.datasets.ImageFolder(os.path.join(folder, "train"))]
    n = len(in_file_order)
    module = student.lib("torchvision.transforms")
    probe = student.harness.SizeProbe(_small_transforms(module, False))
    net = student.harness.seeded_resnet18(2, draw.seed(rng))
    optimizer = student.lib("torch.optim").SGD(net.parameters(), lr=0.01)
    student.train_fine_tuning(
        net,
        optimizer,
        root,
        batch_size=n,
        num_epochs=2,
        train_transform=probe,
        test_transform=_small_transforms(module, False),
    )
    seen = [tuple(size) for size in probe.seen]
    if len(seen) == 2 * n:  # DataLoader worker processes would transform out of sight: then there is nothing to judge
        assert seen[:n] != in_file_order or seen[n:] != in_file_order, (
            "the training images came in file order in both epochs: shuffle the training DataLoader (shuffle=True)"
        )
    # the defaults, on purpose: 224 x 224 crops of two pictures per class, one epoch
    root = student.harness.write_image_folder(student.harness.fresh_dir(), _hotdog_tree(rng, 2, 1))
    net = student.harness.seeded_resnet18(2, draw.seed(rng))
    optimizer = student.lib("torch.optim").SGD(net.parameters(), lr=0.01)
    student.train_fine_tuning(net, optimizer, root, batch_size=4, num_epochs=1)


# --- VOC2012 fixtures -----------------------------------------------------------------------


DROPPED = ("small", "tall")  # the kinds of _voc_fixture's images that the filter drops (PIL's size read right)


def _voc_fixture(rng):
    """Names, photographs and palette-index labels of a small VOC2012 tree, and a crop size (h, w), h < w.

    Sizes are chosen around the crop: 'fits' images are kept only when PIL's (w, h) is read
    the right way round, 'tall' ones only when it is not, 'small' ones never, 'big' ones always,
    and one 'exact' image is exactly the crop size, on purpose (kept: the filter is >=, and the
    crop window has a single place).
    """
    ch = randint(rng, 10, 15)
    cw = ch + randint(rng, 6, 11)
    ranges = {
        "fits": ((ch, cw), (cw, cw + 9)),
        "tall": ((cw, cw + 9), (ch, cw)),
        "small": ((ch - 4, ch), (cw - 3, cw + 7)),
        "big": ((cw, cw + 9), (cw, cw + 11)),
        "exact": ((ch, ch + 1), (cw, cw + 1)),
    }
    plan = {"train": ["fits"] * 2 + ["exact", "tall", "small"] + ["big"] * 2, "val": ["fits", "tall", "tall", "small", "big"]}
    numbers = [n + 1000 for n in draw.permutation(rng, 9000)[:12]]
    splits, images, labels, k = {}, {}, {}, 0
    for split, kinds in plan.items():
        drawn = [kinds[i] for i in draw.permutation(rng, len(kinds))]
        # on purpose, not by chance: an image the filter drops comes before one it keeps, so features and
        # labels filtered apart fall out of step within the data set
        dropped = drawn.index("small")
        if dropped == len(drawn) - 1 or all(kind in DROPPED for kind in drawn[dropped + 1 :]):
            kept = next(i for i, kind in enumerate(drawn) if kind not in DROPPED)
            drawn[dropped], drawn[kept] = drawn[kept], drawn[dropped]
        splits[split] = []
        for kind in drawn:
            (h0, h1), (w0, w1) = ranges[kind]
            h, w = randint(rng, h0, h1), randint(rng, w0, w1)
            name = f"2008_{int(numbers[k]):06d}"
            k += 1
            splits[split].append(name)
            images[name] = pixels(rng, h, w)
            label = torch.zeros(h, w, dtype=torch.uint8)
            for _ in range(randint(rng, 2, 4)):
                top, left = randint(rng, 0, h - 2), randint(rng, 0, w - 2)
                bottom, right = randint(rng, top + 2, h + 1), randint(rng, left + 2, w + 1)
                label[top:bottom, left:right] = 255  # the border colour, not a class
                label[top + 1 : bottom - 1, left + 1 : right - 1] = randint(rng, 1, 21)
            labels[name] = label
    return splits, images, labels, (ch, cw)


class VocTrees:
    """The same VOC2012 tree in the worker and in a temporary folder here."""

    def __init__(self, student, rng):
        self.splits, self.images, self.labels, self.crop = _voc_fixture(rng)
        args = (self.splits, self.images, self.labels, voc_palette())
        self.remote = student.harness.write_voc2012(student.harness.fresh_dir(), *args)
        self._folder = tempfile.TemporaryDirectory()
        self.local = harness.write_voc2012(self._folder.name, *args)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._folder.cleanup()


# --- read_voc_images -----------------------------------------------------------------------


def _check_pairs(got, expected, what):
    """read_voc_images' answer equals the reference's (features, labels): RGB PIL images, pair by pair."""
    if type(got) is not tuple or len(got) != 2:
        raise AssertionError("read_voc_images should return a pair (features, labels)")
    features, labels = got
    pil_images(features, f"features of {what}", len(expected[0]))
    pil_images(labels, f"labels of {what}", len(expected[0]))
    for feat, lab, ef, el in zip(features, labels, *expected):
        assert feat.mode == "RGB" and lab.mode == "RGB", "convert both images to RGB (the label PNGs are palette images)"
        assert feat.size == ef.size and lab.size == el.size, "an image has the wrong size: are the files paired by name?"
        assert same_image(feat, ef), f"the photographs of {what} differ: read JPEGImages/<name>.jpg in the order of the list"
        assert same_image(lab, el), f"the labels of {what} differ: read SegmentationClass/<name>.png in the order of the list"


@exercise("read_voc_images")
@points(2)
def test_read_voc_images_train(student, rng):
    """The training split: every listed pair, in order, as RGB PIL images."""
    with VocTrees(student, rng) as trees:
        _check_pairs(student.read_voc_images(trees.remote), ref.read_voc_images(trees.local), "the training split")


@exercise("read_voc_images")
@points(1)
def test_read_voc_images_val_and_max_num(student, rng):
    """is_train=False reads val.txt; max_num keeps the first max_num names."""
    with VocTrees(student, rng) as trees:
        got = student.read_voc_images(trees.remote, is_train=False)
        _check_pairs(got, ref.read_voc_images(trees.local, is_train=False), "the validation split (is_train=False)")
        k = randint(rng, 2, 5)
        got = student.read_voc_images(trees.remote, max_num=k)
        _check_pairs(got, ref.read_voc_images(trees.local, max_num=k), "the first max_num training pairs")


# --- build_colormap2label --------------------------------------------------------------------


def _table(student, colormap=None):
    """build_colormap2label(colormap) as a handle in the worker, its form checked: an integer (256**3,) tensor."""
    fn = student.ref("build_colormap2label")
    args = () if colormap is None else (colormap,)
    table = student.call(fn, args, as_handle=True, label="build_colormap2label(...)")
    assert is_instance(table, "torch.Tensor"), "build_colormap2label should return a tensor"
    assert tuple(table.shape) == (256**3,), "build_colormap2label should return a tensor of 256**3 entries"
    assert table.dtype in INTEGER_DTYPES, "the table should hold integer class indices (uint8 in the notes)"
    return table


def _lookup(table, colors):
    """The table's entries for colours (a list of [r, g, b]) -> (len(colors),) tensor."""
    got = table[color_index(torch.tensor(colors))]
    return expect.tensor(got, "build_colormap2label()[...]", (len(colors),))


def _other_colors(rng, known, count):
    """`count` colours outside `known`: first the known ones with red and blue swapped, then drawn ones."""
    known = {tuple(c) for c in known}
    others = [[b, g, r] for r, g, b in sorted(known | {(192, 224, 224)}) if (b, g, r) not in known]
    while len(others) < count:
        color = draw.integers(rng, 0, 256, 3).tolist()
        if tuple(color) not in known:
            others.append(color)
    return others[:count]


@exercise("build_colormap2label")
@points(2)
def test_colormap2label_voc(student, rng):
    """Each VOC colour maps to its class at (r * 256 + g) * 256 + b; every other colour to 0."""
    table = _table(student)
    order = draw.permutation(rng, 21)
    colors = [ref.VOC_COLORMAP[i] for i in order]
    expect.close(
        _lookup(table, colors),
        torch.tensor(order),
        "a VOC colour does not map to its class: the entry of [r, g, b] is at (r * 256 + g) * 256 + b, red first",
    )
    expect.close(
        _lookup(table, _other_colors(rng, ref.VOC_COLORMAP, 40)),
        torch.zeros(40, dtype=torch.long),
        "colours outside VOC_COLORMAP (the border colour, blue-green-red orders, others) should map to 0",
    )


@exercise("build_colormap2label")
@points(1)
def test_colormap2label_other_colormap(student, rng):
    """build_colormap2label(colormap) for a colour table the grader makes up."""
    count = randint(rng, 5, 12)
    colors = []
    while len(colors) < count:
        color = draw.integers(rng, 0, 256, 3).tolist()
        if color not in colors and color != [0, 0, 0]:
            colors.append(color)
    table = _table(student, colors)
    expect.close(
        _lookup(table, colors),
        torch.arange(count),
        "with a colormap argument, its i-th colour should map to i at (r * 256 + g) * 256 + b",
    )
    expect.close(
        _lookup(table, _other_colors(rng, colors, 30)), torch.zeros(30, dtype=torch.long), "other colours should map to 0"
    )


# --- voc_label_indices -----------------------------------------------------------------------


def _label_picture(rng, h, w):
    """(h, w, 3) uint8: VOC colours in random blocks, some pixels in colours outside the table."""
    classes = draw.integers(rng, 0, 21, h, w)
    picture = torch.tensor(ref.VOC_COLORMAP, dtype=torch.uint8)[classes]
    strange = draw.rand(rng, h, w) < 0.15
    picture[strange] = torch.tensor(_other_colors(rng, ref.VOC_COLORMAP, 60), dtype=torch.uint8)[
        draw.integers(rng, 0, 60, int(strange.sum()))
    ]
    return picture


@exercise("voc_label_indices")
@points(2)
def test_voc_label_indices_rgb(student, rng):
    """An RGB label image of size (w, h), h != w, becomes (h, w) class indices."""
    table = student.put(ref.build_colormap2label())
    local = ref.build_colormap2label()
    for h, w in ((randint(rng, 6, 12), randint(rng, 14, 22)), (randint(rng, 14, 22), randint(rng, 6, 12))):
        image = pil(_label_picture(rng, h, w))
        got = expect.tensor(student.voc_label_indices(image, table), "voc_label_indices(label image, table)", (h, w))
        assert got.dtype in INTEGER_DTYPES, "voc_label_indices should return integer class indices"
        expect.close(
            got,
            ref.voc_label_indices(image, local),
            "wrong class indices: number each pixel's colour as (r * 256 + g) * 256 + b (red first, in int32) "
            "and look it up in colormap2label",
        )


@exercise("voc_label_indices")
@points(1)
def test_voc_label_indices_palette_png(student, rng):
    """A palette ('P') label image, as stored in SegmentationClass, with border pixels."""
    h, w = randint(rng, 14, 22), randint(rng, 6, 12)
    indices = draw.integers(rng, 0, 21, h, w, dtype=torch.uint8)
    indices[draw.rand(rng, h, w) < 0.2] = 255
    image = Image.fromarray(indices.numpy(), "L").convert("P")
    image.putpalette(bytes(voc_palette()), "RGB")
    got = expect.tensor(
        student.voc_label_indices(image, student.put(ref.build_colormap2label())), "voc_label_indices(palette image)", (h, w)
    )
    expect.close(
        got,
        ref.voc_label_indices(image, ref.build_colormap2label()),
        "a palette label image gives wrong indices: convert it to RGB first; the border colour maps to 0",
    )


# --- voc_rand_crop ----------------------------------------------------------------------------


def _crop_case(rng, exact=None):
    """A feature, its label and a crop (height, width); exact='height' or 'width' makes that side the image's own."""
    h, w = randint(rng, 16, 26), randint(rng, 28, 40)
    if randint(rng, 0, 2):
        h, w = w, h
    height, width = randint(rng, 6, min(h, w) - 2), randint(rng, 6, min(h, w) - 2)
    if height == width:
        height -= 1
    if exact == "height":
        height = h
    elif exact == "width":
        width = w
    return pil(pixels(rng, h, w)), pil(_label_picture(rng, h, w)), height, width


def _crop_offsets(student, feature, label, height, width, times):
    """voc_rand_crop on one pair `times` times, each crop checked -> the (top, left) of each crop."""
    offsets = []
    for _ in range(times):
        got = student.voc_rand_crop(feature, label, height, width)
        assert type(got) is tuple and len(got) == 2, "voc_rand_crop should return (feature, label)"
        feat, lab = pil_images(list(got), "voc_rand_crop(...)", 2)
        assert feat.size == (width, height) and lab.size == (width, height), (
            "the crops should have PIL size (width, height), that is height rows and width columns"
        )
        spots = windows(chw(feat), chw(feature))
        assert spots, "the cropped feature is not a window of the feature image"
        assert any(torch.equal(chw(lab), chw(label)[:, i : i + height, j : j + width]) for i, j in spots), (
            "the label was not cropped by the same rectangle as the feature: draw the window once and crop both with it"
        )
        offsets.append(spots[0])
    return offsets


@exercise("voc_rand_crop")
@points(2)
def test_voc_rand_crop_same_window(student, rng):
    """Feature and label are cropped by one rectangle of height rows and width columns, also when a side is the image's."""
    for exact in (None, None, "height", "width"):  # the boundary, a crop as tall or as wide as the image, on purpose
        _crop_offsets(student, *_crop_case(rng, exact), times=3)


@exercise("voc_rand_crop")
@points(1)
def test_voc_rand_crop_is_random(student, rng):
    """Repeated crops of one pair land in different places."""
    offsets = _crop_offsets(student, *_crop_case(rng), times=8)
    assert len(set(offsets)) > 1, "eight crops of the same images were all at the same place: the window should be random"


# --- VOCSegDataset --------------------------------------------------------------------------


def _datasets(student, trees, table, is_train, max_num=None):
    """The student's and the reference's VOCSegDataset on the same tree -> (remote, local)."""
    kwargs = {} if max_num is None else {"max_num": max_num}
    remote = student.VOCSegDataset(is_train, trees.crop, trees.remote, table, **kwargs)
    local = ref.VOCSegDataset(is_train, trees.crop, trees.local, ref.build_colormap2label(), **kwargs)
    return remote, local


@exercise("VOCSegDataset")
@points(2)
def test_voc_dataset_filters_small_images(student, rng):
    """Only images at least crop_size = (height, width) remain; PIL's size is (width, height)."""
    with VocTrees(student, rng) as trees:
        table = student.put(ref.build_colormap2label())
        for is_train in (True, False):
            remote, local = _datasets(student, trees, table, is_train)
            assert len(remote) == len(local), (
                "the data set keeps the wrong images: drop those smaller than crop_size = (height, width) in either "
                "dimension, remembering that PIL's size is (width, height)"
            )
        remote, local = _datasets(student, trees, table, True, max_num=4)
        assert len(remote) == len(local), "with max_num, filter the first max_num pairs that read_voc_images returns"


@exercise("VOCSegDataset")
@points(2)
def test_voc_dataset_items(student, rng):
    """Item idx: a normalised float32 crop of image idx and the class indices of the same window, a fresh crop on every access."""
    with VocTrees(student, rng) as trees:
        remote, local = _datasets(student, trees, student.put(ref.build_colormap2label()), True)
        assert len(remote) == len(local), "the data set keeps the wrong images (see the filtering check)"
        for idx in range(len(local)):
            _item_windows(remote, local, idx, trees.crop)
        # the same item again and again, on purpose: an item that keeps its first crop (or crops its own last crop)
        # gives the same window every time, which a single pass over the data set never shows
        height, width = trees.crop
        room = [(image.size[1] - height + 1) * (image.size[0] - width + 1) for image in local.features]
        idx = room.index(max(room))
        seen = {_item_windows(remote, local, idx, trees.crop) for _ in range(8)}
        assert len(seen) > 1, (
            "eight accesses to the same item gave the same window: __getitem__ should crop the stored image afresh "
            "each time (and leave self.features and self.labels as they are)"
        )


def _item_windows(remote, local, idx, crop):
    """The places (top, left) in image idx where remote[idx]'s feature fits, its label cropped at one of them (checked)."""
    height, width = crop
    got = remote[idx]
    assert type(got) is tuple and len(got) == 2, "an item should be a pair (feature, label)"
    X = expect.tensor(got[0], "the feature of an item", (3, height, width), torch.float32)
    Y = expect.tensor(got[1], "the label of an item", (height, width))
    assert Y.dtype in INTEGER_DTYPES, "the label of an item should hold integer class indices"
    full_X = local.tsf(local.features[idx])
    full_Y = ref.voc_label_indices(local.labels[idx], local.colormap2label)
    spots = windows(X, full_X)
    assert spots, (
        "the feature of an item is not a crop of the matching image after ToTensor and Normalize with the "
        "ImageNet mean and std (are features and labels filtered alike, in order?)"
    )
    assert any(torch.equal(Y.long(), full_Y[i : i + height, j : j + width].long()) for i, j in spots), (
        "the label of an item is not the class indices of the same window as its feature"
    )
    return tuple(spots)


# --- bilinear_kernel ----------------------------------------------------------------------------


def _kernel(student, channels, size):
    """The student's bilinear_kernel(channels, channels, size): a float32 (channels, channels, size, size) weight."""
    got = expect.tensor(
        student.bilinear_kernel(channels, channels, size), f"bilinear_kernel(c, c, {size})", (channels, channels, size, size)
    )
    assert got.dtype == torch.float32, (
        "bilinear_kernel should return a float32 weight, the dtype of the layers it initialises (numpy and Python "
        "floats default to float64)"
    )
    return got


def _kernels_match(student, rng, kernel_sizes, message):
    """bilinear_kernel equals the reference at each size of kernel_sizes, for a random channel count."""
    for size in kernel_sizes:
        channels = randint(rng, 2, 5)
        expect.close(_kernel(student, channels, size), ref.bilinear_kernel(channels, channels, size), message)


@exercise("bilinear_kernel")
@points(1)
def test_bilinear_kernel_odd(student, rng):
    """Odd kernel sizes: the centre is a pixel."""
    _kernels_match(
        student,
        rng,
        (randint(rng, 1, 3) * 2 + 1, randint(rng, 3, 6) * 2 + 1),
        "wrong bilinear kernel for an odd size: factor = (k + 1) // 2, center = factor - 1, the filter on the "
        "diagonal channel pairs (c, c) only",
    )


@exercise("bilinear_kernel")
@points(2)
def test_bilinear_kernel_even(student, rng):
    """Even kernel sizes: the centre lies between two pixels."""
    _kernels_match(
        student,
        rng,
        (4, randint(rng, 3, 9) * 2),
        "wrong bilinear kernel for an even size: the centre lies between two pixels (center = factor - 0.5), "
        "and only the channel pairs (c, c) hold the filter",
    )


@exercise("bilinear_kernel")
@points(2)
def test_bilinear_kernel_upsamples(student, rng):
    """A transposed convolution with this weight upsamples like bilinear interpolation (away from the border)."""
    stride = [2, 4, 8][randint(rng, 0, 3)]
    channels = randint(rng, 2, 5)
    weight = _kernel(student, channels, 2 * stride).double()
    X = draw.randn(rng, 2, channels, randint(rng, 4, 7), randint(rng, 8, 11))
    got = F.conv_transpose2d(X, weight, stride=stride, padding=stride // 2)
    expected = F.interpolate(X, scale_factor=stride, mode="bilinear", align_corners=False)
    inner = (..., slice(stride, -stride), slice(stride, -stride))
    expect.close(
        got[inner],
        expected[inner],
        "ConvTranspose2d(kernel_size=2s, stride=s, padding=s/2) with this weight should upsample like bilinear interpolation",
        **UPSAMPLING_TOL,
    )


# --- fcn_net --------------------------------------------------------------------------------------


def _head(student, net, num_classes):
    """Names of the 1 x 1 convolution (512 -> num_classes) and of the transposed convolution of a remote FCN."""
    types = [tuple(t) for t in student.harness.module_types(net)]
    transposed = [name for name, kind in types if kind == CONV_T]
    assert len(transposed) == 1, "the FCN should have exactly one nn.ConvTranspose2d"
    one_by_one = [
        name
        for name, kind in types
        if kind == CONV and tuple(net.get_submodule(name).kernel_size) == (1, 1) and net.get_submodule(name).in_channels == 512
    ]
    assert len(one_by_one) == 1, "the FCN should have one 1 x 1 nn.Conv2d from 512 channels to num_classes"
    return one_by_one[0], transposed[0]


@exercise("fcn_net")
@points(2)
def test_fcn_net_output_shape(student, rng):
    """(1, 3, H, W) -> (1, num_classes, H, W) for H and W divisible by 32."""
    num_classes = randint(rng, 3, 10)
    net = student.fcn_net(num_classes)
    assert is_instance(net, expect.MODULE), "fcn_net should return an nn.Module"
    net.eval()
    for H, W in ((64, 96), (96, 64)):
        x = draw.randn(rng, 1, 3, H, W, dtype=torch.float32)
        expect.tensor(net(x), f"fcn_net(num_classes)(x) for x of shape {(1, 3, H, W)}", (1, num_classes, H, W))


@exercise("fcn_net")
@points(2)
def test_fcn_net_head(student, rng):
    """1 x 1 conv to num_classes, then ConvTranspose2d(k=64, s=32, p=16) initialised with bilinear_kernel."""
    num_classes = randint(rng, 3, 10)
    net = student.fcn_net(num_classes)
    conv_name, transposed_name = _head(student, net, num_classes)
    conv = net.get_submodule(conv_name)
    assert conv.out_channels == num_classes, "the 1 x 1 convolution should have num_classes output channels"
    up = net.get_submodule(transposed_name)
    settings = (up.in_channels, up.out_channels, tuple(up.kernel_size), tuple(up.stride), tuple(up.padding))
    assert settings == (num_classes, num_classes, (64, 64), (32, 32), (16, 16)), (
        "the transposed convolution should be ConvTranspose2d(num_classes, num_classes, kernel_size=64, padding=16, stride=32)"
    )
    expect.close(
        up.weight,
        ref.bilinear_kernel(num_classes, num_classes, 64),
        "the transposed convolution's weight should start as bilinear_kernel(num_classes, num_classes, 64)",
    )


@exercise("fcn_net")
@points(2)
@timeout(90)
def test_fcn_net_body(student, rng):
    """With weights_path, the ResNet-18 body (without avgpool and fc) holds the file's weights and feeds the head."""
    num_classes, seed = randint(rng, 3, 10), draw.seed(rng)
    net = student.fcn_net(num_classes, weights_path=_stand_in_file(student, seed))
    conv_name, transposed_name = _head(student, net, num_classes)
    net.eval()
    x = draw.randn(rng, 1, 3, 64, 96, dtype=torch.float32)
    got = expect.tensor(net(x), "fcn_net(num_classes, weights_path)(x)", (1, num_classes, 64, 96))
    with tempfile.TemporaryDirectory() as folder:
        local = ref.fcn_net(num_classes, harness.write_stand_in_weights(os.path.join(folder, "w.pth"), seed))
    for local_name, remote_name in (("final_conv", conv_name), ("transpose_conv", transposed_name)):
        module, mine = net.get_submodule(remote_name), getattr(local, local_name)
        bias = module.bias
        mine.load_state_dict({"weight": module.weight, "bias": torch.zeros_like(mine.bias) if bias is None else bias})
    local.eval()
    with torch.no_grad():
        expected = local(x)
    expect.close(
        got,
        expected,
        "with the weights of weights_path the outputs differ: the body should be the children of resnet18 up to, "
        "not including, avgpool and fc, with the file's weights, followed by the 1 x 1 and the transposed convolution",
        **RESNET_TOL,
    )
