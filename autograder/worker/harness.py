"""Public helpers the grader calls inside the worker to wire student code together.

They hold no solution and no expected value: only glue, such as running a
backward pass or batching data that the grader sent. Generic glue comes first;
then, one section per assignment in course order, the stand-ins and files that
only that assignment's checks use. This module runs in the sandboxed worker, so
it imports only torch and the standard library (numpy, PIL and torchvision
inside the functions that need them), never the kit.
"""

import torch

# --- generic: autograd ----------------------------------------------------------------


def vjp(fn, args, grad_output=None, index=None):
    """Call fn(*args), backpropagate grad_output (or a scalar's 1) from it, return (out, grads).

    index: backpropagate from fn(*args)[index] instead, for a function that returns a
    tuple (out is then that item). grads lists the .grad of each tensor argument that
    requires grad, in order (None where no gradient reached it). A module fn has its
    parameters' gradients cleared first, so grads_of(fn) afterwards reads this pass only.
    """
    if isinstance(fn, torch.nn.Module):
        fn.zero_grad(set_to_none=True)
    out = fn(*args)
    if index is not None:
        out = out[index]
    if not isinstance(out, torch.Tensor):
        raise TypeError(f"expected a tensor result, got {type(out).__name__}")
    out.backward(grad_output)
    grads = [a.grad for a in args if isinstance(a, torch.Tensor) and a.requires_grad]
    return out.detach(), grads


def grads_of(obj):
    """The gradients of a module's parameters as {name: .grad}, or of a list of tensors as [.grad] (None where absent)."""
    if isinstance(obj, torch.nn.Module):
        return {name: p.grad for name, p in obj.named_parameters()}
    return [p.grad for p in obj]


def set_grads(obj, grads):
    """Give parameters the gradients the grader sent (copies in each parameter's dtype and device); returns None.

    obj a module: grads is {name: gradient} for each of its named parameters;
    obj a list of tensors: grads is a list of gradients in the same order.
    """
    if isinstance(obj, torch.nn.Module):
        pairs = [(p, grads[name]) for name, p in obj.named_parameters()]
    else:
        pairs = list(zip(obj, grads))
    for p, g in pairs:
        p.grad = g.detach().clone().to(p.device, p.dtype)


def graph_state(obj):
    """Autograd facts about a tensor: is_leaf, requires_grad, grad_fn (its type name or None) and data_ptr.

    A list or tuple gives a list of them; a module gives {name: facts} for its named parameters.
    """
    if isinstance(obj, torch.nn.Module):
        return {name: graph_state(p) for name, p in obj.named_parameters()}
    if isinstance(obj, (list, tuple)):
        return [graph_state(t) for t in obj]
    grad_fn = obj.grad_fn
    return {
        "is_leaf": obj.is_leaf,
        "requires_grad": obj.requires_grad,
        "grad_fn": None if grad_fn is None else type(grad_fn).__name__,
        "data_ptr": obj.data_ptr(),
    }


# --- generic: data, files and containers ----------------------------------------------


def batches(features, labels, batch_size):
    """Split tensors into a list of (X, y) minibatches, in order; the list is reusable."""
    return [(features[i : i + batch_size], labels[i : i + batch_size]) for i in range(0, len(features), batch_size)]


def collect(iterable, limit=100_000):
    """Materialise up to limit items of an iterable (a generator stays here until asked)."""
    items = []
    for item in iterable:
        items.append(item)
        if len(items) >= limit:
            break
    return items


def fresh_dir(prefix="data-"):
    """A new empty folder in the worker's private temporary space."""
    import tempfile

    return tempfile.mkdtemp(prefix=prefix)


def save_file(obj, path):
    """torch.save(obj, path) in the worker; returns path."""
    torch.save(obj, path)
    return path


def load_file(path):
    """torch.load(path, weights_only=True): tensors and containers of tensors only, never arbitrary objects."""
    return torch.load(path, weights_only=True)


def ordered_dict(pairs):
    """collections.OrderedDict of (key, value) pairs (ask for it as a handle to keep its type)."""
    from collections import OrderedDict

    return OrderedDict(pairs)


# --- generic: running and inspecting modules ------------------------------------------


def bind(fn, *args, **kwargs):
    """A one-argument net: X -> fn(X, *args, **kwargs) (e.g. an MLP from scratch with its params)."""

    def net(X):
        return fn(X, *args, **kwargs)

    return net


def forward(module, X, training=False):
    """module(X) without building a graph, in eval mode (or train mode when training)."""
    module.train(training)
    with torch.no_grad():
        return module(X)


def train_steps(net, optimizer, loss, batches):
    """One optimizer step per (X, y) in batches: zero_grad, loss(net(X), y).backward(), step."""
    for X, y in batches:
        optimizer.zero_grad()
        loss(net(X), y).backward()
        optimizer.step()


def device_of(tensor):
    """The device a tensor lives on, as a string such as 'cpu', 'cuda:0' or 'meta'."""
    return str(tensor.device)


def module_devices(net):
    """Sorted distinct devices (as strings) of net's parameters and buffers."""
    return sorted({str(t.device) for t in list(net.parameters()) + list(net.buffers())})


def with_fake_cuda(count, fake, fn, *args, **kwargs):
    """Call fn(*args, **kwargs) while torch.cuda reports `count` GPUs and torch.cuda.synchronize is fake.sync.

    fake None leaves torch.cuda.synchronize alone. Everything is restored afterwards.
    """
    cuda = torch.cuda
    saved = cuda.synchronize, cuda.is_available, cuda.device_count
    if fake is not None:
        cuda.synchronize = fake.sync
    cuda.is_available = lambda: count > 0
    cuda.device_count = lambda: count
    try:
        return fn(*args, **kwargs)
    finally:
        cuda.synchronize, cuda.is_available, cuda.device_count = saved


def layout(fn, *args):
    """Call fn(*args) and describe the result without its values: each tensor becomes [shape, device name].

    Works for tensors on the 'meta' device (shapes, no data), which cannot travel by value.
    """

    def describe(value):
        if isinstance(value, torch.Tensor):
            return [list(value.shape), str(value.device)]
        if isinstance(value, (list, tuple)):
            return [describe(item) for item in value]
        return None

    return describe(fn(*args))


def parameter_names(net):
    """Names of net.named_parameters(), in order."""
    return [name for name, _ in net.named_parameters()]


def child_names(net):
    """Names of net.named_children(), in order."""
    return [name for name, _ in net.named_children()]


def module_types(net):
    """(name, fully qualified class name) of net and every submodule, in order ('' is net itself)."""
    return [(name, f"{type(m).__module__}.{type(m).__qualname__}") for name, m in net.named_modules()]


def module_attr(net, name, attr):
    """The attribute attr of the submodule called name (e.g. a Dropout's p)."""
    return getattr(net.get_submodule(name), attr)


def param_groups(optimizer, net):
    """The optimizer's parameter groups: their numeric settings and 'names', the names in net of their parameters."""
    names = {id(p): n for n, p in net.named_parameters()}
    groups = []
    for group in optimizer.param_groups:
        info = {k: v for k, v in group.items() if k != "params" and type(v) in (int, float, bool)}
        info["names"] = [names.get(id(p), "?") for p in group["params"]]
        groups.append(info)
    return groups


def assign(module, name, value):
    """Set module.<name> to value: in place for a parameter, by assignment otherwise (buffers, plain tensors)."""
    current = getattr(module, name, None)
    if isinstance(current, torch.nn.Parameter):
        with torch.no_grad():
            current.copy_(value)
    else:
        setattr(module, name, value)


def count_parameters(module):
    """The number of scalar parameters of module."""
    return sum(p.numel() for p in module.parameters())


# --- generic: networks by shape and seeded weights (autograder/nets.py) ---------------


def state_shapes(module, buffers=True):
    """[(name, shape)] of the floating-point entries of module.state_dict(), in order; parameters only if not buffers."""
    entries = module.state_dict().items() if buffers else module.named_parameters()
    return [(name, tuple(value.shape)) for name, value in entries if value.is_floating_point()]


def build_on_meta(factory, *args, **kwargs):
    """factory(*args, **kwargs) built on the meta device: shapes without memory or arithmetic."""
    with torch.device("meta"):
        return factory(*args, **kwargs)


def child_shapes(module, shape, device="meta"):
    """Run a zero input of `shape` through each child of module in turn: [(child name, output shape)]."""
    X = torch.zeros(tuple(shape), device=device)
    shapes = []
    with torch.no_grad():
        for name, child in module.named_children():
            X = child(X)
            shapes.append((name, tuple(X.shape)))
    return shapes


def child_outputs(module, X, training=False):
    """Run X through each child of module in turn, in eval (or train) mode: [(child name, output)]."""
    module.train(training)
    outputs = []
    with torch.no_grad():
        for name, child in module.named_children():
            X = child(X)
            outputs.append((name, X))
    return outputs


def layer_shapes(module, shape, kinds=("Conv2d", "Linear", "MaxPool2d", "AvgPool2d"), device="meta"):
    """Output shapes of module's layers of these kinds (class names), in the order forward calls them."""
    shapes = []
    hooks = [
        layer.register_forward_hook(lambda _layer, _inputs, output: shapes.append(tuple(output.shape)))
        for layer in module.modules()
        if type(layer).__name__ in kinds
    ]
    try:
        with torch.no_grad():
            module(torch.zeros(tuple(shape), device=device))
    finally:
        for hook in hooks:
            hook.remove()
    return shapes


def seeded_entry(seed, key, shape):
    """A reproducible random tensor for a parameter or buffer called `key`, of the given shape.

    Weights of 2 or more dimensions are uniform with variance 2 / fan_in; 1-D weights
    (norm layer scales) and running variances lie in [0.5, 1.5]; biases and running means are small.
    """
    import hashlib
    import math

    digest = hashlib.sha256(f"{seed}|{key}".encode()).digest()
    generator = torch.Generator().manual_seed(int.from_bytes(digest[:8], "big") >> 1)
    uniform = torch.rand(tuple(shape), generator=generator)
    leaf = key.rsplit(".", 1)[-1]
    if leaf == "running_var" or (leaf == "weight" and len(shape) <= 1):
        return uniform + 0.5
    if len(shape) <= 1:
        return (uniform - 0.5) * 0.2
    bound = math.sqrt(6.0 / math.prod(shape[1:]))
    return uniform.mul_(2 * bound).sub_(bound)


def fill_state(module, seed, names):
    """Overwrite state entries of module with seeded values; names maps each entry's name to the key that seeds it."""
    state = module.state_dict()
    with torch.no_grad():
        for name, key in names.items():
            state[name].copy_(seeded_entry(seed, key, tuple(state[name].shape)))


# --- 01_preliminaries -----------------------------------------------------------------


def add_(obj, value):
    """obj += value in place, for a tensor (outside autograd) or a NumPy array; returns None."""
    if isinstance(obj, torch.Tensor):
        with torch.no_grad():
            obj.add_(value)
    else:
        obj += value


# --- 02_linear_regression -------------------------------------------------------------


def in_order(batch_size, features, labels):
    """A stand-in for data_iter that yields the minibatches in order, without shuffling."""
    yield from batches(features, labels, batch_size)


def train_linreg(data_iter, net, loss, sgd, features, labels, w, b, lr, num_epochs, batch_size):
    """The notes' training loop for linear regression from scratch, with the given pieces.

    Per minibatch: loss(net(X, w, b), y).sum(), backward, sgd([w, b], lr, batch_size),
    zero both gradients. Updates w and b in place; returns detached copies [w, b].
    """
    for _ in range(num_epochs):
        for X, y in data_iter(batch_size, features, labels):
            batch_loss = loss(net(X, w, b), y).sum()
            batch_loss.backward()
            sgd([w, b], lr, batch_size)
            for param in (w, b):
                if param.grad is not None:
                    param.grad.data.zero_()
    return [w.detach().clone(), b.detach().clone()]


# --- 03_softmax_regression: Fashion-MNIST files and a from-scratch net ----------------


def write_idx(path, array):
    """Write a uint8 array in the IDX format of (Fashion-)MNIST: magic, sizes, then the bytes."""
    import struct

    import numpy

    array = numpy.ascontiguousarray(array, dtype=numpy.uint8)
    with open(path, "wb") as handle:
        handle.write(struct.pack(">HBB", 0, 0x08, array.ndim))
        handle.write(struct.pack(f">{array.ndim}I", *array.shape))
        handle.write(array.tobytes())


def write_fashion_mnist(root, train_images, train_labels, test_images, test_labels):
    """Lay out root/FashionMNIST/raw as torchvision expects, with uncompressed IDX files."""
    import os

    raw = os.path.join(root, "FashionMNIST", "raw")
    os.makedirs(raw, exist_ok=True)
    for name, array in (
        ("train-images-idx3-ubyte", train_images),
        ("train-labels-idx1-ubyte", train_labels),
        ("t10k-images-idx3-ubyte", test_images),
        ("t10k-labels-idx1-ubyte", test_labels),
    ):
        write_idx(os.path.join(raw, name), array.numpy() if hasattr(array, "numpy") else array)
    return root


def softmax_regression(W, b, softmax=None):
    """A from-scratch net: X (n, ...) -> softmax(X.reshape(n, -1) @ W + b); torch's softmax unless one is given."""

    def net(X):
        scores = X.reshape(len(X), -1) @ W + b
        return softmax(scores) if softmax is not None else torch.softmax(scores, dim=1)

    return net


def nll_rows(y_hat, y):
    """Negative log-likelihood per example from probabilities y_hat (n, q) and labels y (n,) -> (n,)."""
    return torch.nn.functional.nll_loss(torch.log(y_hat), y, reduction="none")


# --- 04_mlp_regularization ------------------------------------------------------------
# (nothing of its own: its checks use the generic glue above)


# --- 05_deep_learning_computation -----------------------------------------------------
# (nothing of its own: its checks use the generic glue above)


# --- 06_convolution_basics ------------------------------------------------------------
# (nothing of its own: its checks use the generic glue above)


# --- 07_modern_cnns -------------------------------------------------------------------


def dropout_calls(module, X):
    """How many times torch.nn.functional.dropout runs in one training-mode forward of module on X (nn.Dropout uses it)."""
    import torch.nn.functional as F

    original, calls = F.dropout, []

    def counting(*args, **kwargs):
        calls.append(None)
        return original(*args, **kwargs)

    F.dropout = counting
    try:
        forward(module, X, training=True)
    finally:
        F.dropout = original
    return len(calls)


# --- 08_optimization: stand-in trainers -----------------------------------------------


def state_probe(x1, x2, s1, s2, shift=1.0):
    """A stand-in 2-D trainer for checking train_2d: it moves the point by its states and counts steps in them."""
    return x1 + shift * s1 + 0.5, x2 - shift * s2, s1 + 1.0, s2 + 0.25


def train_softmax_regression(optimizer_fn, states, hyperparams, params, batches, num_epochs):
    """Softmax regression trained by a d2l-style optimizer: params = [W (d, q), b (q,)].

    Per minibatch (X, y): mean cross-entropy of X.reshape(n, -1) @ W + b, fresh
    gradients, backward, optimizer_fn(params, states, hyperparams). Returns None.
    """
    W, b = params
    for _ in range(num_epochs):
        for X, y in batches:
            loss = torch.nn.functional.cross_entropy(X.reshape(len(X), -1) @ W + b, y)
            for p in params:
                p.grad = None
            loss.backward()
            optimizer_fn(params, states, hyperparams)


# --- 09_computational_performance: simulated and real accelerators --------------------


class FakeAsyncDevice:
    """A simulated accelerator for checking timing code on a CPU.

    launch() queues work of the next duration and returns at once, as a CUDA
    kernel launch does; sync(device=None) makes the host wait until the queue
    is empty; timer() reads the host clock, which only waiting moves. The
    first launch costs first_extra more (a first call that compiles), and
    `pending` seconds of earlier work are queued from the start. `log` lists
    the calls ('launch', 'sync', 'timer'); `synced` the devices sync was given.
    """

    def __init__(self, durations, first_extra=0.0, pending=0.0):
        self.durations = list(durations)
        self.first_extra = first_extra
        self.now = 0.0
        self.busy_until = pending
        self.launches = 0
        self.log = []
        self.synced = []

    def launch(self):
        duration = self.durations[self.launches % len(self.durations)]
        if self.launches == 0:
            duration += self.first_extra
        self.busy_until = max(self.busy_until, self.now) + duration
        self.launches += 1
        self.log.append("launch")

    def sync(self, device=None):
        self.now = max(self.now, self.busy_until)
        self.log.append("sync")
        self.synced.append(None if device is None else str(device))

    def timer(self):
        self.log.append("timer")
        return self.now


class Sleeper:
    """A callable that sleeps `seconds` per call and counts its calls."""

    def __init__(self, seconds):
        self.seconds = seconds
        self.calls = 0

    def __call__(self):
        import time

        time.sleep(self.seconds)
        self.calls += 1


def queue_gpu_work(device, size=4096, repeats=200):
    """Queue `repeats` matrix products on a CUDA device and return at once, without waiting for them."""
    x = torch.randn(size, size, device=device)
    out = torch.empty_like(x)
    for _ in range(repeats):
        torch.mm(x, x, out=out)


def gpu_work(device, size=4096, repeats=20):
    """A function that queues `repeats` matrix products on a CUDA device each time it is called."""
    x = torch.randn(size, size, device=device)
    out = torch.empty_like(x)

    def work():
        for _ in range(repeats):
            torch.mm(x, x, out=out)

    return work


def gpu_idle(device):
    """Whether all work queued on the device's current CUDA stream has finished (asks without waiting)."""
    return torch.cuda.current_stream(torch.device(device)).query()


def branchy(x: torch.Tensor) -> torch.Tensor:
    """A function whose result depends on the data through an if: for checking compiled forms."""
    if x.sum() > 0:
        return x * 2.0 + 1.0
    return x.abs() - 3.0


# --- 10_computer_vision: files in the real formats, stand-in weights ------------------


def _uint8(array):
    """An array or tensor as a contiguous uint8 NumPy array (for PIL)."""
    import numpy

    return numpy.ascontiguousarray(array.numpy() if hasattr(array, "numpy") else array, dtype=numpy.uint8)


def write_voc2012(root, splits, images, labels, palette, quality=95):
    """Lay out root/VOCdevkit/VOC2012 as the VOC2012 download does; returns that folder.

    splits: {"train": [names], "val": [names]} -> ImageSets/Segmentation/<split>.txt;
    images: {name: uint8 (h, w, 3)} -> JPEGImages/<name>.jpg;
    labels: {name: uint8 (h, w) palette indices} -> SegmentationClass/<name>.png, palette
    PNGs like the real ones, with `palette` (a flat list of RGB values).
    """
    import os

    from PIL import Image

    voc = os.path.join(root, "VOCdevkit", "VOC2012")
    for folder in ("JPEGImages", "SegmentationClass", os.path.join("ImageSets", "Segmentation")):
        os.makedirs(os.path.join(voc, folder), exist_ok=True)
    for split, names in splits.items():
        with open(os.path.join(voc, "ImageSets", "Segmentation", f"{split}.txt"), "w") as handle:
            handle.write("".join(f"{name}\n" for name in names))
    for name, pixels in images.items():
        Image.fromarray(_uint8(pixels), "RGB").save(os.path.join(voc, "JPEGImages", f"{name}.jpg"), quality=quality)
    for name, indices in labels.items():
        label = Image.fromarray(_uint8(indices), "L").convert("P")
        label.putpalette(bytes(palette), "RGB")
        label.save(os.path.join(voc, "SegmentationClass", f"{name}.png"))
    return voc


class SizeProbe:
    """A transform that notes the size (w, h) of each PIL image it is given, in order, then applies `inner`."""

    def __init__(self, inner):
        self.inner = inner
        self.seen = []

    def __call__(self, image):
        self.seen.append(tuple(image.size))
        return self.inner(image)


def write_image_folder(root, tree, quality=95):
    """torchvision's ImageFolder layout: tree {split: {class name: [uint8 (h, w, 3)]}} -> root/split/class/NNNN.jpg."""
    import os

    from PIL import Image

    for split, classes in tree.items():
        for name, pictures in classes.items():
            folder = os.path.join(root, split, name)
            os.makedirs(folder, exist_ok=True)
            for i, pixels in enumerate(pictures):
                Image.fromarray(_uint8(pixels), "RGB").save(os.path.join(folder, f"{i:04d}.jpg"), quality=quality)
    return root


def seeded_resnet18(num_classes, seed):
    """torchvision's resnet18(weights=None, num_classes=num_classes), initialised from `seed` (same numbers on every run)."""
    import torchvision

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return torchvision.models.resnet18(weights=None, num_classes=num_classes)


def stand_in_weights(seed):
    """A stand-in for downloaded ImageNet weights: a 1000-class resnet18 state_dict, deterministic in seed.

    Batch-norm statistics and affine parameters are drawn too, so they differ from a fresh network's.
    """
    net = seeded_resnet18(1000, seed)
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for module in net.modules():
            if isinstance(module, torch.nn.BatchNorm2d):
                size = module.num_features
                module.weight.copy_(0.75 + 0.5 * torch.rand(size, generator=generator))
                module.bias.copy_(0.1 * torch.randn(size, generator=generator))
                module.running_mean.copy_(0.1 * torch.randn(size, generator=generator))
                module.running_var.copy_(0.75 + 0.5 * torch.rand(size, generator=generator))
    return net.state_dict()


def write_stand_in_weights(path, seed):
    """Save stand_in_weights(seed) with torch.save, as a downloaded weights file would be; returns path."""
    torch.save(stand_in_weights(seed), path)
    return path
