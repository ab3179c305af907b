"""Grader-side helpers for judging networks: a pair of nn.Linear (01, 03) up to the CNNs of 06 and 07.

A student's network and the reference network get the same seeded weights
(``harness.fill_state`` runs on both sides with the same seed, so no state_dict
crosses the protocol, however large the network), then their outputs are
compared on the same random input. Parameters are paired by name when both
networks use the notes' names, else in registration order; shapes must agree.
Messages name the broken block and never show expected values.
"""

import ast

import torch

from autograder import draw
from autograder.expect import DYNAMIC, MODULE, close, parse, tensor
from autograder.student import StudentError, is_instance
from autograder.worker import harness

# Names a shape function may not touch: it computes with conv_output_shape alone.
NETWORK_NAMES = {
    "torch",
    "nn",
    "F",
    "LeNet",
    "AlexNet",
    "vgg",
    "vgg_block",
    "nin",
    "nin_block",
    "GlobalAvgPool2d",
    "FlattenLayer",
    "Inception",
    "googlenet",
    "Residual",
    "resnet_block",
    "resnet18",
    "conv_block",
    "DenseBlock",
    "transition_block",
    "densenet",
    "BatchNorm",
    "batch_norm",
}


def as_shape(value):
    """A tuple of non-negative ints from a tuple or list of them; None for anything else."""
    if type(value) not in (tuple, list) or not all(type(n) is int and n >= 0 for n in value):
        return None
    return tuple(value)


def entries(value, what):
    """Validate [(name, shape)] as sent back by the worker."""
    ok = type(value) is list and all(
        type(e) in (tuple, list) and len(e) == 2 and type(e[0]) is str and as_shape(e[1]) is not None for e in value
    )
    if not ok:
        raise AssertionError(f"the grader could not read the parameters of your {what}")
    return [(name, as_shape(shape)) for name, shape in value]


def weight_names(student_entries, reference_entries, what):
    """{student entry name: reference entry name}: by name when the names agree, else in registration order."""
    student, reference = dict(student_entries), dict(reference_entries)
    if student.keys() == reference.keys():
        for name, shape in student_entries:
            if shape != reference[name]:
                raise AssertionError(
                    f"'{name}' in your {what} has shape {shape}, unlike the notes' layer of that name: "
                    "check the channel counts and kernel sizes"
                )
        return {name: name for name in student}
    if len(student_entries) != len(reference_entries):
        raise AssertionError(
            f"your {what} has {len(student_entries)} parameter and buffer tensors, not as many as the notes' network: "
            "is a layer missing or extra (a bias, a batch norm, a convolution)?"
        )
    pairs = {}
    for (name, shape), (ref_name, ref_shape) in zip(student_entries, reference_entries):
        if shape != ref_shape:
            raise AssertionError(
                f"'{name}' in your {what} has shape {shape}, unlike the notes' layer in that place: "
                "check the layer order, channel counts and kernel sizes"
            )
        pairs[name] = ref_name
    return pairs


def build(student, factory, args, what):
    """factory(*args) built in the worker on the meta device."""
    return student.call(student.harness.build_on_meta, [factory, *args], label=f"building your {what}")


def single_thread(student):
    """One torch thread in the worker: these networks run on tiny batches, where threads cost more than they give."""
    student.lib("torch").set_num_threads(1)


def same_weights(student, remote, local, seed, what):
    """Give the student's network (remote) and the reference network (local) the same seeded weights."""
    single_thread(student)
    found = student.call(student.harness.state_shapes, [remote], label=f"reading the parameters of your {what}")
    names = weight_names(entries(found, what), harness.state_shapes(local), what)
    student.call(student.harness.fill_state, [remote, seed, names], label=f"loading weights into your {what}")
    harness.fill_state(local, seed, {name: name for name, _ in harness.state_shapes(local)})


def is_close(actual, expected):
    """Float32 agreement relative to the output's scale."""
    if type(actual) is not torch.Tensor or actual.shape != expected.shape:
        return False
    actual, expected = actual.detach().to(torch.float64), expected.detach().to(torch.float64)
    scale = expected.abs().max().item() if expected.numel() else 0.0
    return bool(torch.allclose(actual, expected, rtol=1e-4, atol=1e-4 * scale + 1e-6))


def compare_outputs(student, remote, local, X, what, hint, training=False):
    """The student's network gives the reference's output on X (n, c, h, w); on failure, name the first child that differs.

    X is held in the worker for the whole judgement, so that the checks also see what the student's
    forward leaves behind: X itself must come back unchanged (a block that adds to or rectifies its
    input in place breaks backpropagation through the layer before it); in eval mode a second forward
    must give the same output (nothing kept from the first call); after a training-mode forward, an
    eval-mode forward must agree too (the batch norm running statistics it updated, the buffers that
    the outputs of training mode never show).
    """
    held = student.put(X)
    expected = harness.forward(local, X.clone(), training)
    got = student.call(student.harness.forward, [remote, held, training], label=f"running your {what}")
    got = tensor(got, f"the output of your {what}", expected.shape)
    after = student.fetch(held)
    if type(after) is not torch.Tensor or after.shape != X.shape or not torch.equal(after, X):
        raise AssertionError(
            f"your {what} changes its input tensor in place (an in-place operation such as X += Y, X.relu_() or "
            "ReLU(inplace=True) applied to X): a block must leave its input as it is, which the layer before it "
            "needs for backpropagation"
        )
    if not is_close(got, expected):
        _locate(student, remote, local, X, what, hint, training)
    if training:
        expected = harness.forward(local, X, False)
        got = student.call(student.harness.forward, [remote, held, False], label=f"running your {what}")
        if not is_close(got, expected):
            raise AssertionError(
                f"after one training-mode forward, your {what} in eval mode gives different outputs from the notes' "
                "network: its batch norm layers updated their running statistics differently (use nn.BatchNorm2d "
                "with its default momentum and eps, one per convolution as in the notes)"
            )
    else:
        again = student.call(student.harness.forward, [remote, held, False], label=f"running your {what} again")
        if not is_close(again, expected):
            raise AssertionError(
                f"your {what} gives a different output when it runs a second time on the same input: does its forward "
                "keep something from the previous call (a list it appends to, a tensor it stores on self)?"
            )


def _locate(student, remote, local, X, what, hint, training):
    """Fail naming the first child of the network whose output differs on X, when the network runs its children in turn."""
    where = ""
    try:  # localising is a courtesy (it needs a network that runs its children in turn); the failure stands anyway
        mine = harness.child_outputs(local, X, training)
        theirs = student.harness.child_outputs(remote, X, training)
    except Exception:  # noqa: BLE001
        mine, theirs = [], None
    if type(theirs) is list and [n for n, _ in mine] == [e[0] if type(e) is tuple else None for e in theirs]:
        for (name, expected_part), (_, got_part) in zip(mine, theirs):
            if not is_close(got_part, expected_part):
                where = f" The first block whose output differs is '{name}'."
                break
    mode = "training" if training else "eval"
    raise AssertionError(
        f"your {what} ({mode} mode) gives different outputs from the notes' network with the same weights: {hint}.{where}"
    )


def judge(student, remote, local, X, what, hint, rng, training=False):
    """Same seeded weights on both sides (seed drawn from rng), then the same outputs on X (see compare_outputs)."""
    same_weights(student, remote, local, draw.seed(rng), what)
    compare_outputs(student, remote, local, X, what, hint, training)


def linear_pair(student, rng, d, k):
    """A student-side and a local nn.Linear(d, k) holding the same random float32 weights: (Remote, nn.Linear)."""
    weights = {"weight": draw.randn(rng, k, d, dtype=torch.float32), "bias": draw.randn(rng, k, dtype=torch.float32)}
    remote = student.lib("torch.nn").Linear(d, k)
    remote.load_state_dict(weights)
    local = torch.nn.Linear(d, k)
    local.load_state_dict(weights)
    return remote, local


def drops_out(student, remote, X, what, hint, layers=2):
    """Two training-mode forwards of the same X (n, ...) through remote differ: its dropout is active when training.

    Judged by behaviour, so dropout written by hand counts as well as nn.Dropout; where the library's dropout
    runs at all, it must run once per hidden layer (`layers` times per forward).
    """
    calls = student.call(student.harness.dropout_calls, [remote, X], label=f"running {what} in training mode")
    if 0 < calls < layers:
        raise AssertionError(
            f"{what} applies dropout {calls} time(s) per forward in training mode, where the notes apply it after "
            f"each of its {layers} hidden dense layers ({hint})"
        )
    outputs = [
        student.call(student.harness.forward, [remote, X], {"training": True}, label=f"running {what} in training mode")
        for _ in range(2)
    ]
    tensor(outputs[0], f"{what}(X) in training mode")
    if torch.equal(outputs[0], outputs[1]):
        raise AssertionError(f"{what} gives the same output twice in training mode: its dropout is missing ({hint})")


def shapes(got, expected, what, labels=None, note=""):
    """A shape function's answer: a list of shapes (tuples of ints), equal to expected, entry by entry."""
    if type(got) not in (list, tuple) or any(as_shape(entry) is None for entry in got):
        raise AssertionError(f"{what} should return a list of shapes, each a tuple of ints")
    got = [as_shape(entry) for entry in got]
    if len(got) != len(expected):
        raise AssertionError(f"{what} should list {len(expected)} shapes, one per block, but it lists {len(got)}")
    for i, (mine, theirs) in enumerate(zip(got, expected)):
        if mine != tuple(theirs):
            label = f" ({labels[i]})" if labels else ""
            raise AssertionError(
                f"{what}: entry {i}{label} is wrong at this input size; recompute every layer with "
                f"floor((n - k + 2p) / s) + 1 and carry the channel counts{note}"
            )


def formula_only(source, what):
    """A shape function's cell calls conv_output_shape and neither builds nor runs a network."""
    tree = parse(source, what)
    calls_formula = False
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            raise AssertionError(f"{what} should compute shapes with conv_output_shape alone: no imports in this cell")
        if isinstance(node, ast.Name) and node.id in NETWORK_NAMES:
            raise AssertionError(
                f"{what} should compute shapes with conv_output_shape alone, without torch or the network ({node.id})"
            )
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            if node.func.id in DYNAMIC:
                raise AssertionError(f"{what}: {node.func.id}() is not allowed in this cell")
            calls_formula |= node.func.id == "conv_output_shape"
    if not calls_formula:
        raise AssertionError(f"{what} should call conv_output_shape for each layer that changes the height and width")


def parameter_count(student, factory, args, what):
    """The number of parameters of factory(*args) built in the worker on the meta device (no memory used)."""
    net = build(student, factory, args, what)
    count = student.call(student.harness.count_parameters, [net], label=f"counting the parameters of your {what}")
    if type(count) is not int:
        raise AssertionError(f"the grader could not count the parameters of your {what}")
    return count, net


def child_shapes(student, remote, shape, what):
    """[(name, shape)] of each child of the student's network (built on meta) for a zero input of `shape`."""
    found = student.call(student.harness.child_shapes, [remote, tuple(shape)], label=f"running your {what} block by block")
    return entries(found, what)


def images(rng, n, c, h, w):
    """A float32 batch (n, c, h, w) of standard normal pixels drawn from rng."""
    return draw.randn(rng, n, c, h, w, dtype=torch.float32)


def on_meta(factory, *args):
    """factory(*args) built here on the meta device (the reference side of a shape comparison)."""
    with torch.device("meta"):
        return factory(*args)


def has_module(remote, name):
    """Whether the student's object has an attribute `name` that is an nn.Module."""
    try:
        return is_instance(getattr(remote, name), MODULE)
    except StudentError:
        return False


def returns_module(value, what):
    """value (what a student's factory returned) must be an nn.Module; returns it."""
    assert is_instance(value, MODULE), f"{what} should return an nn.Module (for example an nn.Sequential)"
    return value


def count_is(student, factory, args, expected, what):
    """factory(*args), built on meta in the worker, must have `expected` parameters; returns the meta network."""
    count, net = parameter_count(student, factory, args, what)
    assert count == expected, f"your {what} has {count} parameters; the notes' network has {expected:,}: compare the layers"
    return net


def block_shapes_match(student, remote_meta, local_meta, shape, what):
    """Each top-level block of the student's network (built on meta) outputs the reference block's shape.

    shape: the input (n, c, h, w); compared: each child's output shape, children in order.
    """
    got = child_shapes(student, remote_meta, shape, what)
    want = harness.child_shapes(local_meta, shape)
    assert len(got) == len(want), f"your {what} should have {len(want)} top-level blocks (children), as in the notes"
    for (name, got_shape), (_, want_shape) in zip(got, want):
        assert got_shape == want_shape, f"block '{name}' of your {what} outputs the wrong shape at this input size"


def layer_shapes_match(student, remote_meta, local_meta, shape, what, labels=None):
    """Each convolution, pooling and dense layer of the student's network (on meta) outputs the reference layer's shape.

    shape: the input (n, c, h, w); compared: the output shape of every such layer in the order forward calls
    them; labels name the layers in messages (else their position in call order).
    """
    want = harness.layer_shapes(local_meta, shape)
    got = student.call(student.harness.layer_shapes, [remote_meta, shape], label=f"running your {what}")
    assert type(got) is list and len(got) == len(want), (
        f"{what} should have {len(want)} convolution, pooling and dense layers, as in the notes"
    )
    for i, (got_shape, want_shape) in enumerate(zip(got, want)):
        where = f"layer {i} ({labels[i]})" if labels else f"layer {i} (in call order)"
        assert as_shape(got_shape) == want_shape, f"{where} of your {what} outputs the wrong shape"


def trace(net, size, keep):
    """Shapes (batch left out) of the reference network's children that keep(name, child) selects, for a (1, 1, size, size) input on meta."""
    net.eval()  # batch norm at a 1 x 1 map with one example
    with torch.device("meta"):
        X = torch.zeros(1, 1, size, size)
    found = []
    for name, child in net.named_children():
        X = child(X)
        if keep(name, child):
            found.append(tuple(X.shape[1:]))
    return found


def same_state(got, local, message, **tolerance):
    """got (a state_dict fetched by value from the worker) equals the local module's state_dict, entry by entry.

    Parameters and buffers alike (batch norm running statistics included), each within tolerance.
    """
    if not isinstance(got, dict):  # a plain dict from the worker, an OrderedDict from a local module
        raise AssertionError("the grader could not read the trained network")
    for name, value in local.state_dict().items():
        close(got.get(name), value, message, **tolerance)
