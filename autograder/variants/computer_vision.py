"""Sample submissions for 10_computer_vision: real bugs and correct alternatives."""

from autograder.variants import Alternative, Bug

BUGS = {
    # --- augmentations
    "test-augs-random": Bug(
        "augmentations",
        "        transforms.Resize(size=256),\n        transforms.CenterCrop(size=224),\n",
        "        transforms.RandomResizedCrop(size=224),\n",
        ("test_test_augs_deterministic", "test_test_augs_values"),
        "random cropping at test time",
    ),
    "train-augs-resize-only": Bug(
        "augmentations",
        "transforms.RandomResizedCrop(size=224),",
        "transforms.Resize(size=224),",
        ("test_train_augs_random_and_sized",),
        "Resize(224) scales the shorter side only: non-square outputs",
    ),
    "mean-std-swapped": Bug(
        "augmentations",
        "transforms.Normalize(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225])",
        "transforms.Normalize(mean=[0.229, 0.224, 0.225], std=[0.485, 0.456, 0.406])",
        ("test_test_augs_values", "test_train_augs_normalisation"),
        "normalisation constants that differ from the pretrained model's",
    ),
    "test-augs-not-normalised": Bug(
        "augmentations",
        "        transforms.CenterCrop(size=224),\n        transforms.ToTensor(),\n        normalize,\n",
        "        transforms.CenterCrop(size=224),\n        transforms.ToTensor(),\n",
        ("test_test_augs_values",),
        "test images preprocessed differently from training images",
    ),
    # --- finetune_net
    "fc-replaced-before-loading": Bug(
        "finetune_net",
        "    if weights_path is not None:\n"
        '        net.load_state_dict(torch.load(weights_path, map_location="cpu", weights_only=True))\n'
        "    net.fc = nn.Linear(512, num_classes)\n",
        "    net.fc = nn.Linear(512, num_classes)\n"
        "    if weights_path is not None:\n"
        '        net.load_state_dict(torch.load(weights_path, map_location="cpu", weights_only=True))\n',
        ("test_finetune_net_loads_local_weights",),
        "the saved 1000-class fc no longer fits",
    ),
    "weights-ignored": Bug(
        "finetune_net",
        '    if weights_path is not None:\n        net.load_state_dict(torch.load(weights_path, map_location="cpu", weights_only=True))\n',
        "",
        ("test_finetune_net_loads_local_weights",),
        "random body instead of the pretrained one",
    ),
    "fc-two-classes": Bug(
        "finetune_net",
        "net.fc = nn.Linear(512, num_classes)",
        "net.fc = nn.Linear(512, 2)",
        ("test_finetune_net_head", "test_finetune_net_loads_local_weights"),
        "hot-dog head hard-coded",
    ),
    # --- finetune_optimizer
    "fc-lr-not-scaled": Bug(
        "finetune_optimizer",
        '{"params": net.fc.parameters(), "lr": lr * 10}',
        '{"params": net.fc.parameters(), "lr": lr}',
        ("test_finetune_optimizer_groups", "test_finetune_optimizer_steps"),
    ),
    "lrs-swapped": Bug(
        "finetune_optimizer",
        '[{"params": feature_params}, {"params": net.fc.parameters(), "lr": lr * 10}]',
        '[{"params": feature_params, "lr": lr * 10}, {"params": net.fc.parameters()}]',
        ("test_finetune_optimizer_groups", "test_finetune_optimizer_steps"),
        "the pretrained body at the large rate",
    ),
    "no-weight-decay": Bug(
        "finetune_optimizer",
        "], lr=lr, weight_decay=weight_decay",
        "], lr=lr",
        ("test_finetune_optimizer_groups", "test_finetune_optimizer_steps"),
    ),
    "momentum": Bug(
        "finetune_optimizer",
        "], lr=lr, weight_decay=weight_decay",
        "], lr=lr, momentum=0.9, weight_decay=weight_decay",
        ("test_finetune_optimizer_steps",),
    ),
    "fc-in-both-groups": Bug(
        "finetune_optimizer",
        "feature_params = filter(lambda p: id(p) not in output_params, net.parameters())",
        "feature_params = net.parameters()",
        ("test_finetune_optimizer_groups", "test_finetune_optimizer_steps"),
        "torch refuses a parameter in two groups",
    ),
    # --- train_fine_tuning
    "trains-on-test-folder": Bug(
        "train_fine_tuning",
        'ImageFolder(os.path.join(data_dir, "train"), transform=train_transform)',
        'ImageFolder(os.path.join(data_dir, "test"), transform=train_transform)',
        ("test_train_fine_tuning_one_step",),
    ),
    "transform-argument-ignored": Bug(
        "train_fine_tuning",
        'ImageFolder(os.path.join(data_dir, "train"), transform=train_transform)',
        'ImageFolder(os.path.join(data_dir, "train"), transform=train_augs)',
        ("test_train_fine_tuning_one_step",),
    ),
    "summed-loss": Bug(
        "train_fine_tuning",
        "loss = nn.CrossEntropyLoss()",
        'loss = nn.CrossEntropyLoss(reduction="sum")',
        ("test_train_fine_tuning_one_step",),
        "the step grows with the batch size",
    ),
    # --- read_voc_images
    "label-left-as-palette": Bug(
        "read_voc_images",
        'labels[i] = Image.open(os.path.join(root, "SegmentationClass", fname + ".png")).convert("RGB")',
        'labels[i] = Image.open(os.path.join(root, "SegmentationClass", fname + ".png"))',
        ("test_read_voc_images_train",),
    ),
    "is-train-ignored": Bug(
        "read_voc_images",
        '"train.txt" if is_train else "val.txt"',
        '"train.txt"',
        ("test_read_voc_images_val_and_max_num",),
    ),
    "max-num-ignored": Bug(
        "read_voc_images",
        "    if max_num is not None:\n        images = images[: min(max_num, len(images))]\n",
        "",
        ("test_read_voc_images_val_and_max_num",),
    ),
    # --- build_colormap2label
    "bgr-index": Bug(
        "build_colormap2label",
        "(color[0] * 256 + color[1]) * 256 + color[2]",
        "(color[2] * 256 + color[1]) * 256 + color[0]",
        ("test_colormap2label_voc", "test_colormap2label_other_colormap"),
        "colour index built in BGR order",
    ),
    "colliding-index": Bug(
        "build_colormap2label",
        "(color[0] * 256 + color[1]) * 256 + color[2]",
        "color[0] * 256 + color[1] * 256 + color[2]",
        ("test_colormap2label_voc", "test_colormap2label_other_colormap"),
        "not a base-256 number: different colours collide",
    ),
    # --- voc_label_indices
    "bgr-lookup": Bug(
        "voc_label_indices",
        "(colormap[:, :, 0] * 256 + colormap[:, :, 1]) * 256 + colormap[:, :, 2]",
        "(colormap[:, :, 2] * 256 + colormap[:, :, 1]) * 256 + colormap[:, :, 0]",
        ("test_voc_label_indices_rgb", "test_voc_label_indices_palette_png"),
        "reads the channels as OpenCV's BGR",
    ),
    "pil-size-reshape": Bug(
        "voc_label_indices",
        '    colormap = np.array(colormap.convert("RGB")).astype("int32")\n',
        '    image = colormap.convert("RGB")\n'
        '    colormap = np.array(list(image.getdata())).reshape(image.size[0], image.size[1], 3).astype("int32")\n',
        ("test_voc_label_indices_rgb", "test_voc_label_indices_palette_png"),
        "height and width swapped: PIL's size is (w, h)",
    ),
    "palette-not-converted": Bug(
        "voc_label_indices",
        'np.array(colormap.convert("RGB")).astype("int32")',
        'np.array(colormap).astype("int32")',
        ("test_voc_label_indices_palette_png",),
    ),
    "uint8-overflow": Bug(
        "voc_label_indices",
        'np.array(colormap.convert("RGB")).astype("int32")',
        'np.array(colormap.convert("RGB"))',
        ("test_voc_label_indices_rgb",),
        "uint8 arithmetic cannot hold r * 256",
    ),
    # --- voc_rand_crop
    "independent-crops": Bug(
        "voc_rand_crop",
        "    label = transforms.functional.crop(label, i, j, h, w)\n",
        "    label = transforms.RandomCrop((height, width))(label)\n",
        ("test_voc_rand_crop_same_window",),
        "feature and label cropped independently",
    ),
    "height-width-swapped": Bug(
        "voc_rand_crop",
        "output_size=(height, width)",
        "output_size=(width, height)",
        ("test_voc_rand_crop_same_window",),
    ),
    "crop-offset-exclusive": Bug(
        "voc_rand_crop",
        "    i, j, h, w = transforms.RandomCrop.get_params(feature, output_size=(height, width))\n",
        "    i = int(torch.randint(0, feature.size[1] - height, (1,)))\n"
        "    j = int(torch.randint(0, feature.size[0] - width, (1,)))\n"
        "    h, w = height, width\n",
        ("test_voc_rand_crop_same_window",),
        "fails on an image exactly the crop size (randint's high is exclusive); old draws never reached it",
    ),
    "filter-strict": Bug(
        "VOCSegDataset",
        "img.size[1] >= self.crop_size[0] and img.size[0] >= self.crop_size[1]",
        "img.size[1] > self.crop_size[0] and img.size[0] > self.crop_size[1]",
        ("test_voc_dataset_filters_small_images",),
        "drops images exactly the crop size; old draws made one only by chance",
    ),
    "centre-crop": Bug(
        "voc_rand_crop",
        "    i, j, h, w = transforms.RandomCrop.get_params(feature, output_size=(height, width))\n",
        "    i, j, h, w = (feature.size[1] - height) // 2, (feature.size[0] - width) // 2, height, width\n",
        ("test_voc_rand_crop_is_random",),
        "always the same window",
    ),
    # --- VOCSegDataset
    "filter-size-swapped": Bug(
        "VOCSegDataset",
        "img.size[1] >= self.crop_size[0] and img.size[0] >= self.crop_size[1]",
        "img.size[0] >= self.crop_size[0] and img.size[1] >= self.crop_size[1]",
        ("test_voc_dataset_filters_small_images",),
        "PIL's size read as (h, w)",
    ),
    "labels-not-filtered": Bug(
        "VOCSegDataset",
        "self.labels = self.filter(labels)",
        "self.labels = labels",
        ("test_voc_dataset_items",),
        "features and labels fall out of step",
    ),
    "not-normalised": Bug(
        "VOCSegDataset",
        "transforms.Compose([transforms.ToTensor(), transforms.Normalize(mean=self.rgb_mean, std=self.rgb_std)])",
        "transforms.Compose([transforms.ToTensor()])",
        ("test_voc_dataset_items",),
    ),
    # --- bilinear_kernel
    "even-centre-off-by-one": Bug(
        "bilinear_kernel",
        "        center = factor - 0.5\n",
        "        center = factor - 1\n",
        ("test_bilinear_kernel_even", "test_bilinear_kernel_upsamples"),
        "bilinear centre off by one for even kernels",
    ),
    "every-channel-pair": Bug(
        "bilinear_kernel",
        "weight[range(in_channels), range(out_channels), :, :] = filt",
        "weight[:, :, :, :] = filt",
        ("test_bilinear_kernel_odd", "test_bilinear_kernel_even", "test_bilinear_kernel_upsamples"),
        "channels mixed instead of upsampled one by one",
    ),
    "factor-half-kernel": Bug(
        "bilinear_kernel",
        "factor = (kernel_size + 1) // 2",
        "factor = kernel_size // 2",
        ("test_bilinear_kernel_odd",),
    ),
    # --- fcn_net
    "keeps-global-pooling": Bug(
        "fcn_net",
        "children())[:-2]",
        "children())[:-1]",
        ("test_fcn_net_output_shape", "test_fcn_net_body"),
        "global average pooling throws the spatial layout away",
    ),
    "no-bilinear-init": Bug(
        "fcn_net",
        "    net.transpose_conv.weight.data.copy_(bilinear_kernel(num_classes, num_classes, 64))\n",
        "",
        ("test_fcn_net_head",),
    ),
    "no-padding": Bug(
        "fcn_net",
        '"transpose_conv", nn.ConvTranspose2d(num_classes, num_classes, kernel_size=64, padding=16, stride=32)',
        '"transpose_conv", nn.ConvTranspose2d(num_classes, num_classes, kernel_size=64, stride=32)',
        ("test_fcn_net_output_shape", "test_fcn_net_head"),
        "off-by-32 output size",
    ),
    "fcn-weights-ignored": Bug(
        "fcn_net",
        '    if weights_path is not None:\n        pretrained_net.load_state_dict(torch.load(weights_path, map_location="cpu", weights_only=True))\n',
        "",
        ("test_fcn_net_body",),
    ),
    # what an item leaves behind, the dtype a docstring states
    "voc-dataset-keeps-its-crops": Bug(
        cell="VOCSegDataset",
        old="        feature, label = voc_rand_crop(self.features[idx], self.labels[idx], *self.crop_size)\n",
        new=(
            "        self.features[idx], self.labels[idx] = voc_rand_crop(self.features[idx], self.labels[idx], *self.crop_size)\n"
            "        feature, label = self.features[idx], self.labels[idx]\n"
        ),
        loses=("test_voc_dataset_items",),
        why="the first crop replaces the image: every later epoch sees the same window, no augmentation",
    ),
    "bilinear-float64": Bug(
        cell="bilinear_kernel",
        old='weight = np.zeros((in_channels, out_channels, kernel_size, kernel_size), dtype="float32")',
        new="weight = np.zeros((in_channels, out_channels, kernel_size, kernel_size))",
        loses=("test_bilinear_kernel_odd", "test_bilinear_kernel_even", "test_bilinear_kernel_upsamples"),
        why="numpy's float64 default: right values, a weight that does not fit a float32 layer",
    ),
}

ALTERNATIVES = {
    "augmentations-v2": Alternative(
        "augmentations",
        "from torchvision.transforms import v2\n\n"
        "normalize = v2.Normalize(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225])\n"
        "to_float = [v2.ToImage(), v2.ToDtype(torch.float32, scale=True)]\n"
        "train_augs = v2.Compose(\n"
        "    [v2.RandomResizedCrop((224, 224), antialias=True), v2.RandomHorizontalFlip(p=0.5),\n"
        "     v2.ColorJitter(0.4, 0.4, 0.4)] + to_float + [normalize]\n"
        ")\n"
        "test_augs = v2.Compose([v2.Resize(256), v2.CenterCrop((224, 224))] + to_float + [normalize])",
        "transforms.v2, tensors of a subclass, other jitter strengths",
    ),
    "augmentations-tensor-stats": Alternative(
        "augmentations",
        "IMAGENET_MEAN = torch.tensor([0.485, 0.456, 0.406])\n"
        "IMAGENET_STD = torch.tensor([0.229, 0.224, 0.225])\n"
        "normalize = transforms.Normalize(IMAGENET_MEAN, IMAGENET_STD)\n"
        "train_augs = transforms.Compose([\n"
        "    transforms.RandomHorizontalFlip(),\n"
        "    transforms.RandomResizedCrop(224, scale=(0.1, 1), ratio=(0.5, 2)),\n"
        "    transforms.ColorJitter(brightness=0.5, contrast=0.5, saturation=0.5, hue=0.1),\n"
        "    transforms.ToTensor(),\n"
        "    normalize,\n"
        "])\n"
        "test_augs = transforms.Compose([transforms.Resize(256), transforms.CenterCrop(224), transforms.ToTensor(), normalize])",
    ),
    "finetune-net-strict-false": Alternative(
        "finetune_net",
        "def finetune_net(num_classes, weights_path=None):\n"
        "    net = torchvision.models.resnet18(num_classes=num_classes)\n"
        "    if weights_path:\n"
        "        state = torch.load(weights_path, map_location='cpu', weights_only=True)\n"
        "        body = {k: v for k, v in state.items() if not k.startswith('fc.')}\n"
        "        missing, unexpected = net.load_state_dict(body, strict=False)\n"
        "        assert set(missing) == {'fc.weight', 'fc.bias'} and not unexpected\n"
        "    return net",
        "builds the new head first and loads the body only",
    ),
    "finetune-net-in-features": Alternative(
        "finetune_net",
        "from torchvision import models\n\n\n"
        "def finetune_net(num_classes, weights_path=None):\n"
        "    pretrained = models.resnet18()\n"
        "    if weights_path is not None:\n"
        "        pretrained.load_state_dict(torch.load(weights_path, weights_only=True))\n"
        "    pretrained.fc = torch.nn.Linear(pretrained.fc.in_features, num_classes)\n"
        "    return pretrained",
    ),
    "optimizer-by-name": Alternative(
        "finetune_optimizer",
        "def finetune_optimizer(net, lr, weight_decay):\n"
        "    head = [p for name, p in net.named_parameters() if name.startswith('fc.')]\n"
        "    body = [p for name, p in net.named_parameters() if not name.startswith('fc.')]\n"
        "    return torch.optim.SGD([\n"
        "        {'params': head, 'lr': 10 * lr, 'weight_decay': weight_decay},\n"
        "        {'params': body, 'lr': lr, 'weight_decay': weight_decay},\n"
        "    ], lr=lr)",
        "groups by name, head first, settings per group",
    ),
    "train-fine-tuning-own-loop": Alternative(
        "train_fine_tuning",
        "from torch.utils.data import DataLoader\n"
        "from torchvision.datasets import ImageFolder\n\n\n"
        "def train_fine_tuning(net, optimizer, data_dir, batch_size=128, num_epochs=5, train_transform=None, test_transform=None):\n"
        "    train_data = ImageFolder(f'{data_dir}/train', train_transform or train_augs)\n"
        "    test_data = ImageFolder(f'{data_dir}/test', test_transform or test_augs)\n"
        "    train_iter = DataLoader(train_data, batch_size=batch_size, shuffle=True)\n"
        "    test_iter = DataLoader(test_data, batch_size=batch_size, shuffle=False)\n"
        "    loss = torch.nn.CrossEntropyLoss()\n"
        "    device = next(net.parameters()).device\n"
        "    for epoch in range(num_epochs):\n"
        "        net.train()\n"
        "        for X, y in train_iter:\n"
        "            optimizer.zero_grad()\n"
        "            l = loss(net(X.to(device)), y.to(device))\n"
        "            l.backward()\n"
        "            optimizer.step()\n"
        "        print(epoch, evaluate_accuracy(test_iter, net, device))",
        "its own loop instead of the given train()",
    ),
    "read-voc-pathlib": Alternative(
        "read_voc_images",
        "from pathlib import Path\n\n\n"
        "def read_voc_images(root, is_train=True, max_num=None):\n"
        "    root = Path(root)\n"
        "    split = 'train' if is_train else 'val'\n"
        "    names = (root / 'ImageSets' / 'Segmentation' / f'{split}.txt').read_text().split()[:max_num]\n"
        "    features, labels = [], []\n"
        "    for name in names:\n"
        "        with Image.open(root / 'JPEGImages' / f'{name}.jpg') as image:\n"
        "            features.append(image.convert('RGB'))\n"
        "        with Image.open(root / 'SegmentationClass' / f'{name}.png') as image:\n"
        "            labels.append(image.convert('RGB'))\n"
        "    return features, labels",
    ),
    "colormap-vectorised": Alternative(
        "build_colormap2label",
        "def build_colormap2label(colormap=None):\n"
        "    colors = torch.tensor(VOC_COLORMAP if colormap is None else colormap, dtype=torch.long)\n"
        "    table = torch.zeros(256 ** 3, dtype=torch.uint8)\n"
        "    table[colors[:, 0] * 65536 + colors[:, 1] * 256 + colors[:, 2]] = torch.arange(len(colors), dtype=torch.uint8)\n"
        "    return table",
    ),
    "colormap-int64": Alternative(
        "build_colormap2label",
        "def build_colormap2label(colormap=None):\n"
        "    table = torch.zeros(256 ** 3, dtype=torch.long)\n"
        "    for label, (r, g, b) in enumerate(colormap or VOC_COLORMAP):\n"
        "        table[r << 16 | g << 8 | b] = label\n"
        "    return table",
        "int64 table (ready for CrossEntropyLoss), bit shifts",
    ),
    "label-indices-torch": Alternative(
        "voc_label_indices",
        "def voc_label_indices(colormap, colormap2label):\n"
        "    rgb = torch.from_numpy(np.asarray(colormap.convert('RGB'), dtype=np.int64))\n"
        "    return colormap2label[(rgb[..., 0] * 256 + rgb[..., 1]) * 256 + rgb[..., 2]]",
    ),
    "rand-crop-by-hand": Alternative(
        "voc_rand_crop",
        "import random\n\n\n"
        "def voc_rand_crop(feature, label, height, width):\n"
        "    w, h = feature.size\n"
        "    top, left = random.randint(0, h - height), random.randint(0, w - width)\n"
        "    box = (left, top, left + width, top + height)\n"
        "    return feature.crop(box), label.crop(box)",
        "PIL's crop with a (left, upper, right, lower) box",
    ),
    "dataset-pairs-together": Alternative(
        "VOCSegDataset",
        "class VOCSegDataset(torch.utils.data.Dataset):\n"
        "    def __init__(self, is_train, crop_size, voc_dir, colormap2label, max_num=None):\n"
        "        self.height, self.width = crop_size\n"
        "        features, labels = read_voc_images(voc_dir, is_train, max_num)\n"
        "        self.pairs = [(f, l) for f, l in zip(features, labels)\n"
        "                      if f.height >= self.height and f.width >= self.width]\n"
        "        self.colormap2label = colormap2label\n"
        "        self.mean = torch.tensor([0.485, 0.456, 0.406]).view(3, 1, 1)\n"
        "        self.std = torch.tensor([0.229, 0.224, 0.225]).view(3, 1, 1)\n\n"
        "    def __getitem__(self, idx):\n"
        "        feature, label = voc_rand_crop(*self.pairs[idx], self.height, self.width)\n"
        "        x = torch.from_numpy(np.array(feature)).permute(2, 0, 1).float() / 255\n"
        "        return (x - self.mean) / self.std, voc_label_indices(label, self.colormap2label).long()\n\n"
        "    def __len__(self):\n"
        "        return len(self.pairs)",
        "filters pairs together, normalises by hand, int64 labels",
    ),
    "bilinear-torch-loop": Alternative(
        "bilinear_kernel",
        "def bilinear_kernel(in_channels, out_channels, kernel_size):\n"
        "    factor = (kernel_size + 1) // 2\n"
        "    center = factor - 1 if kernel_size % 2 == 1 else factor - 0.5\n"
        "    v = 1 - (torch.arange(kernel_size, dtype=torch.float32) - center).abs() / factor\n"
        "    weight = torch.zeros(in_channels, out_channels, kernel_size, kernel_size)\n"
        "    for c in range(min(in_channels, out_channels)):\n"
        "        weight[c, c] = torch.outer(v, v)\n"
        "    return weight",
    ),
    "fcn-module": Alternative(
        "fcn_net",
        "class FCN(nn.Module):\n"
        "    def __init__(self, num_classes, weights_path=None):\n"
        "        super().__init__()\n"
        "        resnet = torchvision.models.resnet18()\n"
        "        if weights_path:\n"
        "            resnet.load_state_dict(torch.load(weights_path, weights_only=True))\n"
        "        self.body = nn.Sequential(resnet.conv1, resnet.bn1, resnet.relu, resnet.maxpool,\n"
        "                                  resnet.layer1, resnet.layer2, resnet.layer3, resnet.layer4)\n"
        "        self.classifier = nn.Conv2d(512, num_classes, 1)\n"
        "        self.upsample = nn.ConvTranspose2d(num_classes, num_classes, 64, stride=32, padding=16)\n"
        "        with torch.no_grad():\n"
        "            self.upsample.weight.copy_(bilinear_kernel(num_classes, num_classes, 64))\n\n"
        "    def forward(self, x):\n"
        "        return self.upsample(self.classifier(self.body(x)))\n\n\n"
        "def fcn_net(num_classes, weights_path=None):\n"
        "    return FCN(num_classes, weights_path)",
        "an nn.Module subclass with its own attribute names",
    ),
}
