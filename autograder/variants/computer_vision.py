"""Sample submissions for 10_computer_vision: real bugs and correct alternatives."""

from autograder.variants import Alternative, Bug, dedent

BUGS = {
    # --- augmentations
    "test-augs-random": Bug(
        cell="augmentations",
        old=dedent(
            """\
            transforms.Resize(size=256),
            transforms.CenterCrop(size=224),
            """,
            indent=8,
        ),
        new="        transforms.RandomResizedCrop(size=224),\n",
        loses=("test_test_augs_deterministic", "test_test_augs_values"),
        why="random cropping at test time",
    ),
    "train-augs-resize-only": Bug(
        cell="augmentations",
        old="transforms.RandomResizedCrop(size=224),",
        new="transforms.Resize(size=224),",
        loses=("test_train_augs_random_and_sized",),
        why="Resize(224) scales the shorter side only: non-square outputs",
    ),
    "mean-std-swapped": Bug(
        cell="augmentations",
        old="transforms.Normalize(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225])",
        new="transforms.Normalize(mean=[0.229, 0.224, 0.225], std=[0.485, 0.456, 0.406])",
        loses=("test_test_augs_values", "test_train_augs_normalisation"),
        why="normalisation constants that differ from the pretrained model's",
    ),
    "test-augs-not-normalised": Bug(
        cell="augmentations",
        old=dedent(
            """\
            transforms.CenterCrop(size=224),
            transforms.ToTensor(),
            normalize,
            """,
            indent=8,
        ),
        new=dedent(
            """\
            transforms.CenterCrop(size=224),
            transforms.ToTensor(),
            """,
            indent=8,
        ),
        loses=("test_test_augs_values",),
        why="test images preprocessed differently from training images",
    ),
    # --- finetune_net
    "fc-replaced-before-loading": Bug(
        cell="finetune_net",
        old=dedent(
            """\
            if weights_path is not None:
                net.load_state_dict(torch.load(weights_path, map_location="cpu", weights_only=True))
            net.fc = nn.Linear(512, num_classes)
            """,
            indent=4,
        ),
        new=dedent(
            """\
            net.fc = nn.Linear(512, num_classes)
            if weights_path is not None:
                net.load_state_dict(torch.load(weights_path, map_location="cpu", weights_only=True))
            """,
            indent=4,
        ),
        loses=("test_finetune_net_loads_local_weights",),
        why="the saved 1000-class fc no longer fits",
    ),
    "weights-ignored": Bug(
        cell="finetune_net",
        old=dedent(
            """\
            if weights_path is not None:
                net.load_state_dict(torch.load(weights_path, map_location="cpu", weights_only=True))
            """,
            indent=4,
        ),
        new="",
        loses=("test_finetune_net_loads_local_weights",),
        why="random body instead of the pretrained one",
    ),
    "fc-two-classes": Bug(
        cell="finetune_net",
        old="net.fc = nn.Linear(512, num_classes)",
        new="net.fc = nn.Linear(512, 2)",
        loses=("test_finetune_net_head", "test_finetune_net_loads_local_weights"),
        why="hot-dog head hard-coded",
    ),
    # --- finetune_optimizer
    "fc-lr-not-scaled": Bug(
        cell="finetune_optimizer",
        old='{"params": net.fc.parameters(), "lr": lr * 10}',
        new='{"params": net.fc.parameters(), "lr": lr}',
        loses=("test_finetune_optimizer_groups", "test_finetune_optimizer_steps"),
        why="the new output layer gets the body's learning rate, not ten times it",
    ),
    "lrs-swapped": Bug(
        cell="finetune_optimizer",
        old='[{"params": feature_params}, {"params": net.fc.parameters(), "lr": lr * 10}]',
        new='[{"params": feature_params, "lr": lr * 10}, {"params": net.fc.parameters()}]',
        loses=("test_finetune_optimizer_groups", "test_finetune_optimizer_steps"),
        why="the pretrained body at the large rate",
    ),
    "no-weight-decay": Bug(
        cell="finetune_optimizer",
        old="], lr=lr, weight_decay=weight_decay",
        new="], lr=lr",
        loses=("test_finetune_optimizer_groups", "test_finetune_optimizer_steps"),
        why="weight_decay accepted but never passed to the optimizer",
    ),
    "momentum": Bug(
        cell="finetune_optimizer",
        old="], lr=lr, weight_decay=weight_decay",
        new="], lr=lr, momentum=0.9, weight_decay=weight_decay",
        loses=("test_finetune_optimizer_steps",),
        why="adds momentum the notes' SGD does not use, so the steps differ",
    ),
    "fc-in-both-groups": Bug(
        cell="finetune_optimizer",
        old="feature_params = filter(lambda p: id(p) not in output_params, net.parameters())",
        new="feature_params = net.parameters()",
        loses=("test_finetune_optimizer_groups", "test_finetune_optimizer_steps"),
        why="torch refuses a parameter in two groups",
    ),
    # --- train_fine_tuning
    "trains-on-test-folder": Bug(
        cell="train_fine_tuning",
        old='ImageFolder(os.path.join(data_dir, "train"), transform=train_transform)',
        new='ImageFolder(os.path.join(data_dir, "test"), transform=train_transform)',
        loses=("test_train_fine_tuning_one_step",),
        why="trains on the test split instead of the training split",
    ),
    "transform-argument-ignored": Bug(
        cell="train_fine_tuning",
        old='ImageFolder(os.path.join(data_dir, "train"), transform=train_transform)',
        new='ImageFolder(os.path.join(data_dir, "train"), transform=train_augs)',
        loses=("test_train_fine_tuning_one_step",),
        why="uses the global train_augs instead of the transform it was given",
    ),
    "summed-loss": Bug(
        cell="train_fine_tuning",
        old="loss = nn.CrossEntropyLoss()",
        new='loss = nn.CrossEntropyLoss(reduction="sum")',
        loses=("test_train_fine_tuning_one_step",),
        why="the step grows with the batch size",
    ),
    "training-not-shuffled": Bug(
        cell="train_fine_tuning",
        old="DataLoader(train_set, batch_size, shuffle=True)",
        new="DataLoader(train_set, batch_size)",
        loses=("test_train_fine_tuning_reads_its_data",),
        why="the training images come in file order (one class, then the other) every epoch",
    ),
    "no-default-transforms": Bug(
        cell="train_fine_tuning",
        old="train_transform = train_augs if train_transform is None else train_transform",
        new="",
        loses=("test_train_fine_tuning_reads_its_data",),
        why="without a train_transform the dataset yields PIL images, which a DataLoader cannot batch",
    ),
    # --- read_voc_images
    "label-left-as-palette": Bug(
        cell="read_voc_images",
        old='labels[i] = Image.open(os.path.join(root, "SegmentationClass", fname + ".png")).convert("RGB")',
        new='labels[i] = Image.open(os.path.join(root, "SegmentationClass", fname + ".png"))',
        loses=("test_read_voc_images_train",),
        why="label PNGs kept as palette images, not converted to RGB",
    ),
    "is-train-ignored": Bug(
        cell="read_voc_images",
        old='"train.txt" if is_train else "val.txt"',
        new='"train.txt"',
        loses=("test_read_voc_images_val_and_max_num",),
        why="always reads train.txt, so is_train=False still gives the training images",
    ),
    "max-num-ignored": Bug(
        cell="read_voc_images",
        old=dedent(
            """\
            if max_num is not None:
                images = images[: min(max_num, len(images))]
            """,
            indent=4,
        ),
        new="",
        loses=("test_read_voc_images_val_and_max_num",),
        why="max_num never limits how many images are read",
    ),
    # --- build_colormap2label
    "bgr-index": Bug(
        cell="build_colormap2label",
        old="(color[0] * 256 + color[1]) * 256 + color[2]",
        new="(color[2] * 256 + color[1]) * 256 + color[0]",
        loses=("test_colormap2label_voc", "test_colormap2label_other_colormap"),
        why="colour index built in BGR order",
    ),
    "colliding-index": Bug(
        cell="build_colormap2label",
        old="(color[0] * 256 + color[1]) * 256 + color[2]",
        new="color[0] * 256 + color[1] * 256 + color[2]",
        loses=("test_colormap2label_voc", "test_colormap2label_other_colormap"),
        why="not a base-256 number: different colours collide",
    ),
    # --- voc_label_indices
    "bgr-lookup": Bug(
        cell="voc_label_indices",
        old="(colormap[:, :, 0] * 256 + colormap[:, :, 1]) * 256 + colormap[:, :, 2]",
        new="(colormap[:, :, 2] * 256 + colormap[:, :, 1]) * 256 + colormap[:, :, 0]",
        loses=("test_voc_label_indices_rgb", "test_voc_label_indices_palette_png"),
        why="reads the channels as OpenCV's BGR",
    ),
    "pil-size-reshape": Bug(
        cell="voc_label_indices",
        old='    colormap = np.array(colormap.convert("RGB")).astype("int32")\n',
        new=dedent(
            """\
            image = colormap.convert("RGB")
            colormap = np.array(list(image.getdata())).reshape(image.size[0], image.size[1], 3).astype("int32")
            """,
            indent=4,
        ),
        loses=("test_voc_label_indices_rgb", "test_voc_label_indices_palette_png"),
        why="height and width swapped: PIL's size is (w, h)",
    ),
    "palette-not-converted": Bug(
        cell="voc_label_indices",
        old='np.array(colormap.convert("RGB")).astype("int32")',
        new='np.array(colormap).astype("int32")',
        loses=("test_voc_label_indices_palette_png",),
        why="reads the palette indices as colours instead of converting the label to RGB first",
    ),
    "uint8-overflow": Bug(
        cell="voc_label_indices",
        old='np.array(colormap.convert("RGB")).astype("int32")',
        new='np.array(colormap.convert("RGB"))',
        loses=("test_voc_label_indices_rgb",),
        why="uint8 arithmetic cannot hold r * 256",
    ),
    # --- voc_rand_crop
    "independent-crops": Bug(
        cell="voc_rand_crop",
        old="    label = transforms.functional.crop(label, i, j, h, w)\n",
        new="    label = transforms.RandomCrop((height, width))(label)\n",
        loses=("test_voc_rand_crop_same_window",),
        why="feature and label cropped independently",
    ),
    "height-width-swapped": Bug(
        cell="voc_rand_crop",
        old="output_size=(height, width)",
        new="output_size=(width, height)",
        loses=("test_voc_rand_crop_same_window",),
        why="crop size given as (width, height) instead of (height, width)",
    ),
    "crop-offset-exclusive": Bug(
        cell="voc_rand_crop",
        old="    i, j, h, w = transforms.RandomCrop.get_params(feature, output_size=(height, width))\n",
        new=dedent(
            """\
            i = int(torch.randint(0, feature.size[1] - height, (1,)))
            j = int(torch.randint(0, feature.size[0] - width, (1,)))
            h, w = height, width
            """,
            indent=4,
        ),
        loses=("test_voc_rand_crop_same_window",),
        why="fails on an image exactly the crop size (randint's high is exclusive); old draws never reached it",
    ),
    "filter-strict": Bug(
        cell="VOCSegDataset",
        old="img.size[1] >= self.crop_size[0] and img.size[0] >= self.crop_size[1]",
        new="img.size[1] > self.crop_size[0] and img.size[0] > self.crop_size[1]",
        loses=("test_voc_dataset_filters_small_images",),
        why="drops images exactly the crop size; old draws made one only by chance",
    ),
    "centre-crop": Bug(
        cell="voc_rand_crop",
        old="    i, j, h, w = transforms.RandomCrop.get_params(feature, output_size=(height, width))\n",
        new="    i, j, h, w = (feature.size[1] - height) // 2, (feature.size[0] - width) // 2, height, width\n",
        loses=("test_voc_rand_crop_is_random",),
        why="always the same window",
    ),
    # --- VOCSegDataset
    "filter-size-swapped": Bug(
        cell="VOCSegDataset",
        old="img.size[1] >= self.crop_size[0] and img.size[0] >= self.crop_size[1]",
        new="img.size[0] >= self.crop_size[0] and img.size[1] >= self.crop_size[1]",
        loses=("test_voc_dataset_filters_small_images",),
        why="PIL's size read as (h, w)",
    ),
    "labels-not-filtered": Bug(
        cell="VOCSegDataset",
        old="self.labels = self.filter(labels)",
        new="self.labels = labels",
        loses=("test_voc_dataset_items",),
        why="features and labels fall out of step",
    ),
    "not-normalised": Bug(
        cell="VOCSegDataset",
        old="transforms.Compose([transforms.ToTensor(), transforms.Normalize(mean=self.rgb_mean, std=self.rgb_std)])",
        new="transforms.Compose([transforms.ToTensor()])",
        loses=("test_voc_dataset_items",),
        why="features not normalised by the ImageNet mean and std",
    ),
    # --- bilinear_kernel
    "even-centre-off-by-one": Bug(
        cell="bilinear_kernel",
        old="        center = factor - 0.5\n",
        new="        center = factor - 1\n",
        loses=("test_bilinear_kernel_even", "test_bilinear_kernel_upsamples"),
        why="bilinear centre off by one for even kernels",
    ),
    "every-channel-pair": Bug(
        cell="bilinear_kernel",
        old="weight[range(in_channels), range(out_channels), :, :] = filt",
        new="weight[:, :, :, :] = filt",
        loses=("test_bilinear_kernel_odd", "test_bilinear_kernel_even", "test_bilinear_kernel_upsamples"),
        why="channels mixed instead of upsampled one by one",
    ),
    "factor-half-kernel": Bug(
        cell="bilinear_kernel",
        old="factor = (kernel_size + 1) // 2",
        new="factor = kernel_size // 2",
        loses=("test_bilinear_kernel_odd",),
        why="factor kernel_size // 2 instead of (kernel_size + 1) // 2: wrong for odd kernels",
    ),
    # --- fcn_net
    "keeps-global-pooling": Bug(
        cell="fcn_net",
        old="children())[:-2]",
        new="children())[:-1]",
        loses=("test_fcn_net_output_shape", "test_fcn_net_body"),
        why="global average pooling throws the spatial layout away",
    ),
    "no-bilinear-init": Bug(
        cell="fcn_net",
        old="    net.transpose_conv.weight.data.copy_(bilinear_kernel(num_classes, num_classes, 64))\n",
        new="",
        loses=("test_fcn_net_head",),
        why="the transposed convolution keeps its random init instead of the bilinear kernel",
    ),
    "no-padding": Bug(
        cell="fcn_net",
        old='"transpose_conv", nn.ConvTranspose2d(num_classes, num_classes, kernel_size=64, padding=16, stride=32)',
        new='"transpose_conv", nn.ConvTranspose2d(num_classes, num_classes, kernel_size=64, stride=32)',
        loses=("test_fcn_net_output_shape", "test_fcn_net_head"),
        why="off-by-32 output size",
    ),
    "fcn-weights-ignored": Bug(
        cell="fcn_net",
        old=dedent(
            """\
            if weights_path is not None:
                pretrained_net.load_state_dict(torch.load(weights_path, map_location="cpu", weights_only=True))
            """,
            indent=4,
        ),
        new="",
        loses=("test_fcn_net_body",),
        why="weights_path never loaded: the body stays randomly initialised",
    ),
    # what an item leaves behind, the dtype a docstring states
    "voc-dataset-keeps-its-crops": Bug(
        cell="VOCSegDataset",
        old="        feature, label = voc_rand_crop(self.features[idx], self.labels[idx], *self.crop_size)\n",
        new=dedent(
            """\
            self.features[idx], self.labels[idx] = voc_rand_crop(self.features[idx], self.labels[idx], *self.crop_size)
            feature, label = self.features[idx], self.labels[idx]
            """,
            indent=8,
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
        cell="augmentations",
        code=dedent("""\
            from torchvision.transforms import v2

            normalize = v2.Normalize(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225])
            to_float = [v2.ToImage(), v2.ToDtype(torch.float32, scale=True)]
            train_augs = v2.Compose(
                [v2.RandomResizedCrop((224, 224), antialias=True), v2.RandomHorizontalFlip(p=0.5),
                 v2.ColorJitter(0.4, 0.4, 0.4)] + to_float + [normalize]
            )
            test_augs = v2.Compose([v2.Resize(256), v2.CenterCrop((224, 224))] + to_float + [normalize])"""),
        why="transforms.v2, tensors of a subclass, other jitter strengths",
    ),
    "augmentations-tensor-stats": Alternative(
        cell="augmentations",
        code=dedent("""\
            IMAGENET_MEAN = torch.tensor([0.485, 0.456, 0.406])
            IMAGENET_STD = torch.tensor([0.229, 0.224, 0.225])
            normalize = transforms.Normalize(IMAGENET_MEAN, IMAGENET_STD)
            train_augs = transforms.Compose([
                transforms.RandomHorizontalFlip(),
                transforms.RandomResizedCrop(224, scale=(0.1, 1), ratio=(0.5, 2)),
                transforms.ColorJitter(brightness=0.5, contrast=0.5, saturation=0.5, hue=0.1),
                transforms.ToTensor(),
                normalize,
            ])
            test_augs = transforms.Compose([transforms.Resize(256), transforms.CenterCrop(224), transforms.ToTensor(), normalize])"""),
        why="ImageNet statistics as tensors in one shared Normalize",
    ),
    "finetune-net-strict-false": Alternative(
        cell="finetune_net",
        code=dedent("""\
            def finetune_net(num_classes, weights_path=None):
                net = torchvision.models.resnet18(num_classes=num_classes)
                if weights_path:
                    state = torch.load(weights_path, map_location='cpu', weights_only=True)
                    body = {k: v for k, v in state.items() if not k.startswith('fc.')}
                    missing, unexpected = net.load_state_dict(body, strict=False)
                    assert set(missing) == {'fc.weight', 'fc.bias'} and not unexpected
                return net"""),
        why="builds the new head first and loads the body only",
    ),
    "finetune-net-in-features": Alternative(
        cell="finetune_net",
        code=dedent("""\
            from torchvision import models


            def finetune_net(num_classes, weights_path=None):
                pretrained = models.resnet18()
                if weights_path is not None:
                    pretrained.load_state_dict(torch.load(weights_path, weights_only=True))
                pretrained.fc = torch.nn.Linear(pretrained.fc.in_features, num_classes)
                return pretrained"""),
        why="sizes the new head from fc.in_features instead of writing 512",
    ),
    "optimizer-by-name": Alternative(
        cell="finetune_optimizer",
        code=dedent("""\
            def finetune_optimizer(net, lr, weight_decay):
                head = [p for name, p in net.named_parameters() if name.startswith('fc.')]
                body = [p for name, p in net.named_parameters() if not name.startswith('fc.')]
                return torch.optim.SGD([
                    {'params': head, 'lr': 10 * lr, 'weight_decay': weight_decay},
                    {'params': body, 'lr': lr, 'weight_decay': weight_decay},
                ], lr=lr)"""),
        why="groups by name, head first, settings per group",
    ),
    "train-fine-tuning-own-loop": Alternative(
        cell="train_fine_tuning",
        code=dedent("""\
            from torch.utils.data import DataLoader
            from torchvision.datasets import ImageFolder


            def train_fine_tuning(net, optimizer, data_dir, batch_size=128, num_epochs=5, train_transform=None, test_transform=None):
                train_data = ImageFolder(f'{data_dir}/train', train_transform or train_augs)
                test_data = ImageFolder(f'{data_dir}/test', test_transform or test_augs)
                train_iter = DataLoader(train_data, batch_size=batch_size, shuffle=True)
                test_iter = DataLoader(test_data, batch_size=batch_size, shuffle=False)
                loss = torch.nn.CrossEntropyLoss()
                device = next(net.parameters()).device
                for epoch in range(num_epochs):
                    net.train()
                    for X, y in train_iter:
                        optimizer.zero_grad()
                        l = loss(net(X.to(device)), y.to(device))
                        l.backward()
                        optimizer.step()
                    print(epoch, evaluate_accuracy(test_iter, net, device))"""),
        why="its own loop instead of the given train()",
    ),
    "read-voc-pathlib": Alternative(
        cell="read_voc_images",
        code=dedent("""\
            from pathlib import Path


            def read_voc_images(root, is_train=True, max_num=None):
                root = Path(root)
                split = 'train' if is_train else 'val'
                names = (root / 'ImageSets' / 'Segmentation' / f'{split}.txt').read_text().split()[:max_num]
                features, labels = [], []
                for name in names:
                    with Image.open(root / 'JPEGImages' / f'{name}.jpg') as image:
                        features.append(image.convert('RGB'))
                    with Image.open(root / 'SegmentationClass' / f'{name}.png') as image:
                        labels.append(image.convert('RGB'))
                return features, labels"""),
        why="pathlib paths, a slice for max_num and images opened in with-blocks",
    ),
    "colormap-vectorised": Alternative(
        cell="build_colormap2label",
        code=dedent("""\
            def build_colormap2label(colormap=None):
                colors = torch.tensor(VOC_COLORMAP if colormap is None else colormap, dtype=torch.long)
                table = torch.zeros(256 ** 3, dtype=torch.uint8)
                table[colors[:, 0] * 65536 + colors[:, 1] * 256 + colors[:, 2]] = torch.arange(len(colors), dtype=torch.uint8)
                return table"""),
        why="fills the lookup table with one indexed assignment instead of a loop",
    ),
    "colormap-int64": Alternative(
        cell="build_colormap2label",
        code=dedent("""\
            def build_colormap2label(colormap=None):
                table = torch.zeros(256 ** 3, dtype=torch.long)
                for label, (r, g, b) in enumerate(colormap or VOC_COLORMAP):
                    table[r << 16 | g << 8 | b] = label
                return table"""),
        why="int64 table (ready for CrossEntropyLoss), bit shifts",
    ),
    "label-indices-torch": Alternative(
        cell="voc_label_indices",
        code=dedent("""\
            def voc_label_indices(colormap, colormap2label):
                rgb = torch.from_numpy(np.asarray(colormap.convert('RGB'), dtype=np.int64))
                return colormap2label[(rgb[..., 0] * 256 + rgb[..., 1]) * 256 + rgb[..., 2]]"""),
        why="computes the colour index in torch instead of NumPy",
    ),
    "rand-crop-by-hand": Alternative(
        cell="voc_rand_crop",
        code=dedent("""\
            import random


            def voc_rand_crop(feature, label, height, width):
                w, h = feature.size
                top, left = random.randint(0, h - height), random.randint(0, w - width)
                box = (left, top, left + width, top + height)
                return feature.crop(box), label.crop(box)"""),
        why="PIL's crop with a (left, upper, right, lower) box",
    ),
    "dataset-pairs-together": Alternative(
        cell="VOCSegDataset",
        code=dedent("""\
            class VOCSegDataset(torch.utils.data.Dataset):
                def __init__(self, is_train, crop_size, voc_dir, colormap2label, max_num=None):
                    self.height, self.width = crop_size
                    features, labels = read_voc_images(voc_dir, is_train, max_num)
                    self.pairs = [(f, l) for f, l in zip(features, labels)
                                  if f.height >= self.height and f.width >= self.width]
                    self.colormap2label = colormap2label
                    self.mean = torch.tensor([0.485, 0.456, 0.406]).view(3, 1, 1)
                    self.std = torch.tensor([0.229, 0.224, 0.225]).view(3, 1, 1)

                def __getitem__(self, idx):
                    feature, label = voc_rand_crop(*self.pairs[idx], self.height, self.width)
                    x = torch.from_numpy(np.array(feature)).permute(2, 0, 1).float() / 255
                    return (x - self.mean) / self.std, voc_label_indices(label, self.colormap2label).long()

                def __len__(self):
                    return len(self.pairs)"""),
        why="filters pairs together, normalises by hand, int64 labels",
    ),
    "bilinear-torch-loop": Alternative(
        cell="bilinear_kernel",
        code=dedent("""\
            def bilinear_kernel(in_channels, out_channels, kernel_size):
                factor = (kernel_size + 1) // 2
                center = factor - 1 if kernel_size % 2 == 1 else factor - 0.5
                v = 1 - (torch.arange(kernel_size, dtype=torch.float32) - center).abs() / factor
                weight = torch.zeros(in_channels, out_channels, kernel_size, kernel_size)
                for c in range(min(in_channels, out_channels)):
                    weight[c, c] = torch.outer(v, v)
                return weight"""),
        why="builds the kernel with torch.outer per channel instead of NumPy's ogrid",
    ),
    "fcn-module": Alternative(
        cell="fcn_net",
        code=dedent("""\
            class FCN(nn.Module):
                def __init__(self, num_classes, weights_path=None):
                    super().__init__()
                    resnet = torchvision.models.resnet18()
                    if weights_path:
                        resnet.load_state_dict(torch.load(weights_path, weights_only=True))
                    self.body = nn.Sequential(resnet.conv1, resnet.bn1, resnet.relu, resnet.maxpool,
                                              resnet.layer1, resnet.layer2, resnet.layer3, resnet.layer4)
                    self.classifier = nn.Conv2d(512, num_classes, 1)
                    self.upsample = nn.ConvTranspose2d(num_classes, num_classes, 64, stride=32, padding=16)
                    with torch.no_grad():
                        self.upsample.weight.copy_(bilinear_kernel(num_classes, num_classes, 64))

                def forward(self, x):
                    return self.upsample(self.classifier(self.body(x)))


            def fcn_net(num_classes, weights_path=None):
                return FCN(num_classes, weights_path)"""),
        why="an nn.Module subclass with its own attribute names",
    ),
}
