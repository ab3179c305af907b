"""Public checks for 10_computer_vision: run them in the notebook with check("voc_rand_crop") or check().

A quick, visible sample: the grade comes from hidden checks on other inputs.
Every check writes the small files it needs itself; nothing is downloaded.
"""

import os
import tempfile

import numpy as np
import torch
import torchvision
from PIL import Image
from torch import nn

from kitcheck import close, public, randint, tensor

MEAN, STD = torch.tensor([0.485, 0.456, 0.406]), torch.tensor([0.229, 0.224, 0.225])


def _picture(rng, h, w):
    return Image.fromarray(torch.randint(0, 256, (h, w, 3), generator=rng, dtype=torch.uint8).numpy())


@public("augmentations")
def augmentations_sizes_and_normalisation(student, rng):
    """test_augs: deterministic 224 x 224, resized and centre-cropped, ImageNet-normalised; train_augs: 224 x 224."""
    img = _picture(rng, randint(rng, 60, 90), randint(rng, 100, 140))
    x = tensor(student.test_augs(img), "test_augs(img)", (3, 224, 224), torch.float32)
    close(student.test_augs(img), x, "test_augs should be deterministic (Resize and CenterCrop, nothing random)")
    grey = Image.new("RGB", (120, 80), (128, 128, 128))
    want = ((128 / 255 - MEAN) / STD).view(3, 1, 1).expand(3, 224, 224)
    close(student.test_augs(grey), want, "test images should be normalised with the ImageNet mean and std", atol=1e-4)
    tensor(student.train_augs(img), "train_augs(img)", (3, 224, 224), torch.float32)


def _save_weights(path, rng):
    model = torchvision.models.resnet18(weights=None)
    with torch.no_grad():
        model.conv1.weight.normal_(0, 1, generator=rng)
    torch.save(model.state_dict(), path)
    return model


@public("finetune_net")
def finetune_net_head_and_weights(student, rng):
    """A ResNet-18 with fc = Linear(512, num_classes), the body loaded from a local weights file."""
    classes = randint(rng, 3, 9)
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "weights.pth")
        saved = _save_weights(path, rng)
        net = student.finetune_net(classes, path)
    assert isinstance(net, torchvision.models.ResNet), "finetune_net should return torchvision's ResNet-18"
    assert isinstance(net.fc, nn.Linear) and (net.fc.in_features, net.fc.out_features) == (512, classes), (
        "the new head should be fc = nn.Linear(512, num_classes)"
    )
    close(net.conv1.weight.detach(), saved.conv1.weight.detach(), "the body should hold the weights read from weights_path")


@public("finetune_optimizer")
def finetune_optimizer_groups(student, rng):
    """Plain SGD: fc's parameters at 10 * lr, all others at lr, weight decay everywhere, each parameter once."""
    model = torchvision.models.resnet18(weights=None)
    lr, wd = randint(rng, 1, 9) / 1000, randint(rng, 1, 9) / 10000
    optimizer = student.finetune_optimizer(model, lr, wd)
    assert isinstance(optimizer, torch.optim.SGD), "finetune_optimizer should return torch.optim.SGD"
    rate = {}
    for group in optimizer.param_groups:
        assert group.get("momentum", 0) == 0, "plain SGD: no momentum"
        assert group.get("weight_decay", 0) == wd, "both groups should use weight_decay"
        for p in group["params"]:
            rate[id(p)] = group["lr"]
    fc = {id(p) for p in model.fc.parameters()}
    assert len(rate) == len(list(model.parameters())), "every parameter should be in exactly one group"
    assert all(abs(rate[i] - (10 * lr if i in fc else lr)) < 1e-12 for i in rate), "fc trains at 10 * lr, the body at lr"


def _image_folder(root, rng):
    """Two classes of coloured JPEGs: 24 x 20 in train/, 16 x 16 in test/."""
    for split, size in (("train", (20, 24)), ("test", (16, 16))):
        for label, colour in (("a", (200, 40, 40)), ("b", (40, 40, 200))):
            os.makedirs(os.path.join(root, split, label))
            for i in range(2):
                noise = torch.randint(-30, 30, (*size, 3), generator=rng).numpy()
                pixels = np.clip(np.array(colour) + noise, 0, 255).astype(np.uint8)
                Image.fromarray(pixels).save(os.path.join(root, split, label, f"{i}.jpg"))


def _mean_colour(img):
    return torch.tensor(np.asarray(img), dtype=torch.float32).mean(dim=(0, 1)) / 255


@public("train_fine_tuning")
def train_fine_tuning_one_step(student, rng):
    """One epoch of one batch on data_dir/train, through train_transform, is one SGD step on the mean cross-entropy."""
    seen = []

    def train_transform(img):
        seen.append(img.size)
        return _mean_colour(img)

    net = nn.Linear(3, 2)
    mine = nn.Linear(3, 2)
    mine.load_state_dict(net.state_dict())
    with tempfile.TemporaryDirectory() as folder:
        _image_folder(folder, rng)
        student.train_fine_tuning(net, torch.optim.SGD(net.parameters(), lr=0.5), folder, 4, 1, train_transform, _mean_colour)
        data = torchvision.datasets.ImageFolder(os.path.join(folder, "train"), transform=_mean_colour)
        X = torch.stack([x for x, _ in data])
        y = torch.tensor([label for _, label in data])
    assert seen and set(seen) == {(24, 20)}, "train on data_dir/train through train_transform"
    nn.functional.cross_entropy(mine(X), y).backward()
    with torch.no_grad():
        for p in mine.parameters():
            p -= 0.5 * p.grad
    close(net.weight.detach(), mine.weight.detach(), "one step should follow the mean cross-entropy of the batch", atol=1e-5)


def write_tiny_voc(root, rng, colormap, sizes=((40, 60), (20, 30), (50, 35))):
    """A small VOC2012 tree of random pictures and rectangle labels; returns its VOC2012 folder."""
    voc = os.path.join(root, "VOCdevkit", "VOC2012")
    for folder in ("JPEGImages", "SegmentationClass", "ImageSets/Segmentation"):
        os.makedirs(os.path.join(voc, folder), exist_ok=True)
    palette = [c for colour in colormap for c in colour] + [0] * (3 * (256 - len(colormap)))
    names = [f"2007_{i:06d}" for i in range(len(sizes))]
    for name, (h, w) in zip(names, sizes):
        _picture(rng, h, w).save(f"{voc}/JPEGImages/{name}.jpg")
        label = np.zeros((h, w), dtype=np.uint8)
        label[h // 4 : 3 * h // 4, w // 4 : 3 * w // 4] = randint(rng, 1, len(colormap))
        png = Image.fromarray(label, "L").convert("P")
        png.putpalette(palette)
        png.save(f"{voc}/SegmentationClass/{name}.png")
    for split, chosen in (("train", names), ("val", names[:1])):
        with open(f"{voc}/ImageSets/Segmentation/{split}.txt", "w") as f:
            f.write("\n".join(chosen) + "\n")
    return voc


@public("read_voc_images")
def read_voc_images_pairs(student, rng):
    """Pairs of RGB PIL images in file order; val.txt when not is_train; at most max_num."""
    with tempfile.TemporaryDirectory() as folder:
        voc = write_tiny_voc(folder, rng, student.VOC_COLORMAP)
        features, labels = student.read_voc_images(voc)
        assert len(features) == len(labels) == 3, "read every name of train.txt"
        assert features[0].size == labels[0].size == (60, 40), "the first pair should be the first name of train.txt"
        assert labels[0].mode == "RGB", "convert the label PNGs (palette images) to RGB"
        assert len(student.read_voc_images(voc, is_train=False)[0]) == 1, "is_train=False should read val.txt"
        assert len(student.read_voc_images(voc, max_num=2)[0]) == 2, "read at most max_num images"


@public("build_colormap2label")
def colormap2label_index(student, rng):
    """Colour [r, g, b] of class i at (r * 256 + g) * 256 + b, for the default and another colormap."""
    table = tensor(student.build_colormap2label(), "build_colormap2label()", (256**3,))
    colormap = [[int(v) for v in torch.randint(0, 256, (3,), generator=rng)] for _ in range(4)]
    other = student.build_colormap2label(colormap)
    for i, (r, g, b) in enumerate(colormap):
        assert int(other[(r * 256 + g) * 256 + b]) == i, "entry (r * 256 + g) * 256 + b should hold the colour's class"
    r, g, b = student.VOC_COLORMAP[20]
    assert int(table[(r * 256 + g) * 256 + b]) == 20, "the default colormap is VOC_COLORMAP"


@public("voc_label_indices")
def voc_label_indices_rgb(student, rng):
    """An RGB label image of size (w, h) becomes an (h, w) tensor of class indices."""
    colormap = [[0, 0, 0], [200, 10, 30], [30, 200, 10], [10, 30, 200]]
    h, w = randint(rng, 5, 9), randint(rng, 10, 14)
    classes = torch.randint(0, 4, (h, w), generator=rng)
    pixels = torch.tensor(colormap, dtype=torch.uint8)[classes].numpy()
    table = torch.zeros(256**3, dtype=torch.uint8)
    for i, (r, g, b) in enumerate(colormap):
        table[(r * 256 + g) * 256 + b] = i
    got = tensor(student.voc_label_indices(Image.fromarray(pixels), table), "voc_label_indices(label, table)", (h, w))
    assert torch.equal(got.long(), classes), "look up each pixel's [r, g, b] at (r * 256 + g) * 256 + b (beware uint8 overflow)"


@public("voc_rand_crop")
def voc_rand_crop_same_window(student, rng):
    """Feature and label cropped at the same (height, width) window, a random one."""
    h, w = randint(rng, 30, 40), randint(rng, 50, 60)
    feature = _picture(rng, h, w)
    label = feature.copy()
    windows = set()
    for _ in range(6):
        f, lab = student.voc_rand_crop(feature, label, 10, 20)
        assert f.size == lab.size == (20, 10), "crop a window of height rows and width columns (PIL's size is (w, h))"
        assert np.array_equal(np.asarray(f), np.asarray(lab)), "feature and label should be cropped at the same window"
        windows.add(np.asarray(f).tobytes())
    assert len(windows) > 1, "the window should be random (transforms.RandomCrop.get_params)"


@public("VOCSegDataset")
def voc_dataset_items(student, rng):
    """Images smaller than crop_size dropped; items are a normalised (3, h, w) feature and an (h, w) label."""
    with tempfile.TemporaryDirectory() as folder:
        voc = write_tiny_voc(folder, rng, student.VOC_COLORMAP)
        dataset = student.VOCSegDataset(True, (30, 40), voc, student.build_colormap2label())
        assert len(dataset) == 1, "only the 40 x 60 image holds a 30 x 40 crop (crop_size is (h, w), PIL's size (w, h))"
        X, y = dataset[0]
        tensor(X, "a feature", (3, 30, 40), torch.float32)
        tensor(y, "a label", (30, 40))
        assert float(X.min()) < 0, "features should be normalised with the ImageNet mean and std"


@public("bilinear_kernel")
def bilinear_kernel_even(student, rng):
    """Diagonal channel pairs hold the bilinear filter; k = 4 is the outer product of [.25, .75, .75, .25]."""
    c = randint(rng, 2, 5)
    w = tensor(student.bilinear_kernel(c, c, 4), "bilinear_kernel(c, c, 4)", (c, c, 4, 4), torch.float32)
    v = torch.tensor([0.25, 0.75, 0.75, 0.25])
    for i in range(c):
        close(w[i, i], torch.outer(v, v), "pair (c, c) should hold the bilinear filter (centre factor - 0.5 for even k)")
    assert float(w[0, 1].abs().sum()) == 0, "pairs (c, c') with c != c' should be zero: each channel is upsampled alone"


@public("fcn_net")
def fcn_net_shape_and_head(student, rng):
    """(n, 3, h, w) -> (n, num_classes, h, w); the transposed convolution starts bilinear."""
    classes = randint(rng, 3, 8)
    net = student.fcn_net(classes)
    net.eval()
    with torch.no_grad():
        out = net(torch.zeros(1, 3, 64, 96))
    tensor(out, "fcn_net(classes)(X)", (1, classes, 64, 96))
    transposed = [m for m in net.modules() if isinstance(m, nn.ConvTranspose2d)]
    assert len(transposed) == 1, "the head should end with one nn.ConvTranspose2d"
    assert float(transposed[0].weight.detach()[0, 1].abs().sum()) == 0, "initialise the transposed convolution with bilinear_kernel"
