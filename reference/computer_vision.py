"""Reference solutions for 10_computer_vision: image augmentation, fine-tuning, VOC2012 segmentation data, FCN."""

import os
import time

import numpy as np
import torch
import torchvision
from PIL import Image
from torch import nn
from torchvision import transforms

# --- image augmentation --------------------------------------------------------------
# One solution cell holds all three objects. train_augs and test_augs map a PIL RGB image
# of any size (h, w) to a float32 tensor (3, 224, 224), normalised with the ImageNet
# statistics the pretrained models were trained with.

normalize = transforms.Normalize(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225])

train_augs = transforms.Compose(
    [
        transforms.RandomResizedCrop(size=224),
        transforms.RandomHorizontalFlip(),
        transforms.ColorJitter(brightness=0.5, contrast=0.5, saturation=0.5),
        transforms.ToTensor(),
        normalize,
    ]
)

test_augs = transforms.Compose(
    [
        transforms.Resize(size=256),
        transforms.CenterCrop(size=224),
        transforms.ToTensor(),
        normalize,
    ]
)


# --- fine-tuning ---------------------------------------------------------------------


def evaluate_accuracy(data_iter, net, device=None):
    """Fraction of correct predictions of net over data_iter -> Python float.

    Scores y_hat (n, q, ...) against labels y (n, ...): one prediction per example, or
    per pixel for segmentation. Eval mode and no gradients while evaluating; the net is
    put back in train mode afterwards.
    """
    if device is None:
        device = next(net.parameters()).device
    acc_sum, n = 0.0, 0
    net.eval()
    with torch.no_grad():
        for X, y in data_iter:
            y = y.to(device).long()
            acc_sum += (net(X.to(device)).argmax(dim=1) == y).float().sum().item()
            n += y.numel()
    net.train()
    return acc_sum / n


def train(train_iter, test_iter, net, loss, optimizer, device, num_epochs):
    """Train net on device: per batch, loss(net(X), y), zero_grad, backward, step; print progress per epoch."""
    net = net.to(device)
    print("training on", device)
    for epoch in range(num_epochs):
        train_l_sum, train_acc_sum, n, batch_count, start = 0.0, 0.0, 0, 0, time.time()
        for X, y in train_iter:
            X, y = X.to(device), y.to(device).long()
            y_hat = net(X)
            batch_loss = loss(y_hat, y)
            optimizer.zero_grad()
            batch_loss.backward()
            optimizer.step()
            train_l_sum += batch_loss.item()
            train_acc_sum += (y_hat.argmax(dim=1) == y).sum().item()
            n += y.numel()
            batch_count += 1
        test_acc = evaluate_accuracy(test_iter, net, device)
        print(
            f"epoch {epoch + 1}, loss {train_l_sum / batch_count:.4f}, train acc {train_acc_sum / n:.3f}, "
            f"test acc {test_acc:.3f}, time {time.time() - start:.1f} sec"
        )


def finetune_net(num_classes, weights_path=None):
    """A torchvision ResNet-18 whose output layer is replaced for num_classes classes.

    weights_path: a local file holding a resnet18 state_dict (the 1000-class ImageNet
    weights), loaded into the network before its head is replaced; None keeps the random
    initialisation. Nothing is downloaded. The new head is fc = nn.Linear(512, num_classes).
    Input (n, 3, h, w) -> scores (n, num_classes).
    """
    ### BEGIN SOLUTION
    net = torchvision.models.resnet18(weights=None)
    if weights_path is not None:
        net.load_state_dict(torch.load(weights_path, map_location="cpu", weights_only=True))
    net.fc = nn.Linear(512, num_classes)
    return net
    ### END SOLUTION


def finetune_optimizer(net, lr, weight_decay):
    """Plain SGD (no momentum) with two parameter groups.

    The parameters of net.fc train at 10 * lr, every other parameter at lr; every
    parameter appears exactly once; both groups use weight_decay.
    """
    ### BEGIN SOLUTION
    output_params = list(map(id, net.fc.parameters()))
    feature_params = filter(lambda p: id(p) not in output_params, net.parameters())
    return torch.optim.SGD(
        [{"params": feature_params}, {"params": net.fc.parameters(), "lr": lr * 10}], lr=lr, weight_decay=weight_decay
    )
    ### END SOLUTION


def train_fine_tuning(net, optimizer, data_dir, batch_size=128, num_epochs=5, train_transform=None, test_transform=None):
    """Fine-tune net on the ImageFolder tree data_dir/train (shuffled), testing on data_dir/test (in order).

    Transforms default to train_augs and test_augs. Loss: nn.CrossEntropyLoss (mean over
    the batch). Trains with train(...) on the device of net's parameters. Returns None.
    """
    ### BEGIN SOLUTION
    train_transform = train_augs if train_transform is None else train_transform
    test_transform = test_augs if test_transform is None else test_transform
    train_set = torchvision.datasets.ImageFolder(os.path.join(data_dir, "train"), transform=train_transform)
    test_set = torchvision.datasets.ImageFolder(os.path.join(data_dir, "test"), transform=test_transform)
    train_iter = torch.utils.data.DataLoader(train_set, batch_size, shuffle=True)
    test_iter = torch.utils.data.DataLoader(test_set, batch_size)
    loss = nn.CrossEntropyLoss()
    device = next(net.parameters()).device
    train(train_iter, test_iter, net, loss, optimizer, device, num_epochs)
    ### END SOLUTION


# --- semantic segmentation: Pascal VOC2012 ----------------------------------------------

VOC_COLORMAP = [
    [0, 0, 0],
    [128, 0, 0],
    [0, 128, 0],
    [128, 128, 0],
    [0, 0, 128],
    [128, 0, 128],
    [0, 128, 128],
    [128, 128, 128],
    [64, 0, 0],
    [192, 0, 0],
    [64, 128, 0],
    [192, 128, 0],
    [64, 0, 128],
    [192, 0, 128],
    [64, 128, 128],
    [192, 128, 128],
    [0, 64, 0],
    [128, 64, 0],
    [0, 192, 0],
    [128, 192, 0],
    [0, 64, 128],
]

VOC_CLASSES = [
    "background",
    "aeroplane",
    "bicycle",
    "bird",
    "boat",
    "bottle",
    "bus",
    "car",
    "cat",
    "chair",
    "cow",
    "diningtable",
    "dog",
    "horse",
    "motorbike",
    "person",
    "potted plant",
    "sheep",
    "sofa",
    "train",
    "tv/monitor",
]


def read_voc_images(root, is_train=True, max_num=None):
    """Read the VOC2012 folder root: (features, labels), two lists of PIL RGB images.

    The names come from root/ImageSets/Segmentation/train.txt (or val.txt when not
    is_train), in file order, at most max_num of them. features[i] is
    root/JPEGImages/<name>.jpg, labels[i] is root/SegmentationClass/<name>.png, both
    converted to RGB (the label PNGs are palette images); each pair has the same size.
    """
    ### BEGIN SOLUTION
    txt_fname = os.path.join(root, "ImageSets", "Segmentation", "train.txt" if is_train else "val.txt")
    with open(txt_fname) as f:
        images = f.read().split()
    if max_num is not None:
        images = images[: min(max_num, len(images))]
    features, labels = [None] * len(images), [None] * len(images)
    for i, fname in enumerate(images):
        features[i] = Image.open(os.path.join(root, "JPEGImages", fname + ".jpg")).convert("RGB")
        labels[i] = Image.open(os.path.join(root, "SegmentationClass", fname + ".png")).convert("RGB")
    return features, labels
    ### END SOLUTION


def build_colormap2label(colormap=None):
    """Lookup table from colour to class index: a (256**3,) uint8 tensor.

    Entry (r * 256 + g) * 256 + b holds i for the i-th colour [r, g, b] of colormap
    (default VOC_COLORMAP); every other colour maps to 0, the background.
    """
    ### BEGIN SOLUTION
    if colormap is None:
        colormap = VOC_COLORMAP
    colormap2label = torch.zeros(256**3, dtype=torch.uint8)
    for i, color in enumerate(colormap):
        colormap2label[(color[0] * 256 + color[1]) * 256 + color[2]] = i
    return colormap2label
    ### END SOLUTION


def voc_label_indices(colormap, colormap2label):
    """Class index of every pixel of a label image: PIL image of size (w, h) -> (h, w) tensor.

    The image is read as RGB (palette images are converted first) and each pixel's colour
    [r, g, b] is looked up at (r * 256 + g) * 256 + b in colormap2label; the result has
    colormap2label's dtype.
    """
    ### BEGIN SOLUTION
    colormap = np.array(colormap.convert("RGB")).astype("int32")
    idx = (colormap[:, :, 0] * 256 + colormap[:, :, 1]) * 256 + colormap[:, :, 2]
    return colormap2label[torch.from_numpy(idx).long()]
    ### END SOLUTION


def voc_rand_crop(feature, label, height, width):
    """One random (height, width) window, the same for both: two PIL images of size (w, h) -> two of size (width, height)."""
    ### BEGIN SOLUTION
    i, j, h, w = transforms.RandomCrop.get_params(feature, output_size=(height, width))
    feature = transforms.functional.crop(feature, i, j, h, w)
    label = transforms.functional.crop(label, i, j, h, w)
    return feature, label
    ### END SOLUTION


class VOCSegDataset(torch.utils.data.Dataset):
    """Random crops of the VOC2012 images under voc_dir, read with read_voc_images.

    crop_size is (height, width); images smaller than it in either dimension are dropped
    (features and labels alike, keeping pairs together). Item idx: a random crop of pair
    idx through voc_rand_crop -> (feature, label): feature float32 (3, height, width),
    ToTensor then normalised with the ImageNet mean and std; label (height, width), the
    class indices from voc_label_indices with colormap2label.
    """

    def __init__(self, is_train, crop_size, voc_dir, colormap2label, max_num=None):
        ### BEGIN SOLUTION
        self.rgb_mean = np.array([0.485, 0.456, 0.406])
        self.rgb_std = np.array([0.229, 0.224, 0.225])
        self.tsf = transforms.Compose([transforms.ToTensor(), transforms.Normalize(mean=self.rgb_mean, std=self.rgb_std)])
        self.crop_size = crop_size
        features, labels = read_voc_images(root=voc_dir, is_train=is_train, max_num=max_num)
        self.features = self.filter(features)
        self.labels = self.filter(labels)
        self.colormap2label = colormap2label
        print("read " + str(len(self.features)) + " valid samples")
        ### END SOLUTION

    def filter(self, imgs):
        """The images at least crop_size = (height, width) large; PIL's size is (width, height)."""
        ### BEGIN SOLUTION
        return [img for img in imgs if (img.size[1] >= self.crop_size[0] and img.size[0] >= self.crop_size[1])]
        ### END SOLUTION

    def __getitem__(self, idx):
        ### BEGIN SOLUTION
        feature, label = voc_rand_crop(self.features[idx], self.labels[idx], *self.crop_size)
        return self.tsf(feature), voc_label_indices(label, self.colormap2label)
        ### END SOLUTION

    def __len__(self):
        ### BEGIN SOLUTION
        return len(self.features)
        ### END SOLUTION


# --- fully convolutional network ---------------------------------------------------------


def bilinear_kernel(in_channels, out_channels, kernel_size):
    """Weight (in_channels, out_channels, k, k) float32 of a transposed convolution that upsamples bilinearly.

    Channel pair (c, c) holds the k x k bilinear filter, the outer product of
    1 - |i - center| / factor with itself, where factor = (k + 1) // 2 and center =
    factor - 1 for odd k, factor - 0.5 for even k (k = 4: [.25, .75, .75, .25]); every other
    pair (c, c') is zero. Used with in_channels == out_channels.
    """
    ### BEGIN SOLUTION
    factor = (kernel_size + 1) // 2
    if kernel_size % 2 == 1:
        center = factor - 1
    else:
        center = factor - 0.5
    og = np.ogrid[:kernel_size, :kernel_size]
    filt = (1 - abs(og[0] - center) / factor) * (1 - abs(og[1] - center) / factor)
    weight = np.zeros((in_channels, out_channels, kernel_size, kernel_size), dtype="float32")
    weight[range(in_channels), range(out_channels), :, :] = filt
    return torch.tensor(weight)
    ### END SOLUTION


def fcn_net(num_classes, weights_path=None):
    """A fully convolutional network: (n, 3, h, w) -> (n, num_classes, h, w) for h and w divisible by 32.

    The ResNet-18 body (every child of torchvision's resnet18 but the global average
    pool and fc; weights from the local state_dict file weights_path when given), then a
    1 x 1 convolution from 512 channels to num_classes, then
    nn.ConvTranspose2d(num_classes, num_classes, kernel_size=64, padding=16, stride=32)
    whose weight is initialised with bilinear_kernel.
    """
    ### BEGIN SOLUTION
    pretrained_net = torchvision.models.resnet18(weights=None)
    if weights_path is not None:
        pretrained_net.load_state_dict(torch.load(weights_path, map_location="cpu", weights_only=True))
    net = nn.Sequential(*list(pretrained_net.children())[:-2])
    net.add_module("final_conv", nn.Conv2d(512, num_classes, kernel_size=1))
    net.add_module("transpose_conv", nn.ConvTranspose2d(num_classes, num_classes, kernel_size=64, padding=16, stride=32))
    net.transpose_conv.weight.data.copy_(bilinear_kernel(num_classes, num_classes, 64))
    return net
    ### END SOLUTION
