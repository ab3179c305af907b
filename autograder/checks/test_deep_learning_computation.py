"""Hidden checks for 05_deep_learning_computation.

Modules are judged by what PyTorch sees of them (registered children, parameter
names, state_dict keys) and by their outputs once the same weights are loaded
into the student's module and the reference; files are written in the worker's
private folder and read there with torch.load(weights_only=True).
"""

import math

import pytest
import torch

from autograder import draw, expect
from autograder.draw import randint
from autograder.student import StudentError, is_instance
from reference import deep_learning_computation as ref

points, exercise = pytest.mark.points, pytest.mark.exercise
BUFFERS = "BatchNorm's running statistics are buffers, not parameters"


def random_state(local, rng, scale=0.5):
    """Random values for every entry of local's state_dict, loaded into local too."""
    state = {name: draw.randn(rng, *value.shape, dtype=value.dtype) * scale for name, value in local.state_dict().items()}
    local.load_state_dict(state)
    return state


def types(student, net):
    """{name: class name} of the submodules of a remote module."""
    return {name: kind.rsplit(".", 1)[-1] for name, kind in student.harness.module_types(net) if name}


def load(net, state, what):
    """Load state into a remote module by name; a mismatch gets a teaching message."""
    try:
        net.load_state_dict(state)
    except StudentError as exc:
        raise AssertionError(
            f"the grader could not load weights into your {what} by name: its state_dict() keys or shapes differ "
            "from the documented attributes"
        ) from exc


def new(student, cls, what, *args):
    """A remote instance of the student's class cls(*args), which must be an nn.Module."""
    net = student.call(cls, args, label=f"{what}(...)")
    assert is_instance(net, expect.MODULE), f"{what} should be an nn.Module subclass"
    return net


def _three_layers(student, rng):
    """Linear(d, h), ReLU, Linear(h, q) of random sizes: remote handles and a local Sequential with the same weights."""
    d, h, q = randint(rng, 5, 9), randint(rng, 6, 10), randint(rng, 2, 5)
    nn = student.lib("torch.nn")
    remote = [nn.Linear(d, h), nn.ReLU(), nn.Linear(h, q)]
    local = torch.nn.Sequential(torch.nn.Linear(d, h), torch.nn.ReLU(), torch.nn.Linear(h, q))
    state = random_state(local, rng)
    remote[0].load_state_dict({k[2:]: v for k, v in state.items() if k.startswith("0.")})
    remote[2].load_state_dict({k[2:]: v for k, v in state.items() if k.startswith("2.")})
    return remote, local


# --- MLP ------------------------------------------------------------------------------


@exercise("MLP")
@points(2)
def test_mlp_attributes(student):
    """hidden = Linear(784, 256), act = ReLU, output = Linear(256, 10), registered under those names."""
    net = new(student, student.MLP, "MLP")
    kinds = types(student, net)
    assert kinds.get("hidden") == "Linear" and kinds.get("output") == "Linear", (
        "MLP should have the attributes hidden and output, both nn.Linear"
    )
    assert kinds.get("act") == "ReLU", "MLP should have the attribute act = nn.ReLU()"
    shapes = {name: tuple(value.shape) for name, value in net.state_dict().items()}
    expected = {name: tuple(value.shape) for name, value in ref.MLP().state_dict().items()}
    assert shapes == expected, "hidden should be nn.Linear(784, 256) and output nn.Linear(256, 10)"


@exercise("MLP")
@points(2)
def test_mlp_outputs(student, rng):
    """With the same weights, MLP gives the reference outputs."""
    net = new(student, student.MLP, "MLP")
    local = ref.MLP()
    load(net, random_state(local, rng, 0.1), "MLP")
    X = draw.randn(rng, randint(rng, 5, 12), 784, dtype=torch.float32)
    got = expect.tensor(net(X), "MLP()(X)", (len(X), 10))
    expect.close(got, local(X).detach(), "MLP outputs are wrong: output(act(hidden(x)))", **expect.TOL32)


# --- MySequential ---------------------------------------------------------------------------


@exercise("MySequential")
@points(2)
def test_my_sequential_forward(student, rng):
    """Modules run in the order they were given."""
    remote, local = _three_layers(student, rng)
    d, h, q = local[0].in_features, local[0].out_features, local[2].out_features
    net = new(student, student.MySequential, "MySequential", *remote)
    X = draw.randn(rng, randint(rng, 4, 8), d, dtype=torch.float32)
    got = expect.tensor(net(X), "MySequential(...)(X)", (len(X), q))
    expect.close(got, local(X).detach(), "MySequential should feed x through its modules in the order they were given")
    # the boundary, on purpose: a single module (not an OrderedDict)
    single = new(student, student.MySequential, "MySequential", remote[0])
    got = expect.tensor(single(X), "MySequential(one module)(X)", (len(X), h))
    expect.close(got, local[0](X).detach(), "MySequential(module) with a single module should run just that module")


@exercise("MySequential")
@points(2)
def test_my_sequential_registers_children(student, rng):
    """Children are registered as '0', '1', ...: parameters(), named_parameters() and state_dict() see them all."""
    remote, local = _three_layers(student, rng)
    net = new(student, student.MySequential, "MySequential", *remote)
    message = (
        "the modules are not registered as children named '0', '1', ...: use self.add_module(str(idx), module); a "
        "plain Python list hides their parameters from parameters(), state_dict() and optimizers"
    )
    assert student.harness.child_names(net) == ["0", "1", "2"], message
    assert student.harness.parameter_names(net) == [name for name, _ in local.named_parameters()], message
    state = net.state_dict()
    assert list(state) == list(local.state_dict()), message
    for name, value in local.state_dict().items():
        expect.close(state[name], value, "state_dict() should hold the parameters of the given modules")


@exercise("MySequential")
@points(1)
def test_my_sequential_ordered_dict(student, rng):
    """An OrderedDict gives the children its names, in its order."""
    remote, local = _three_layers(student, rng)
    names = ["hidden", "act", "output"]
    pairs = student.call(student.harness.ordered_dict, [list(zip(names, remote))], as_handle=True, label="OrderedDict")
    net = new(student, student.MySequential, "MySequential", pairs)
    assert student.harness.child_names(net) == names, (
        "MySequential(OrderedDict(...)) should register each module under its key, in order"
    )
    X = draw.randn(rng, randint(rng, 4, 8), local[0].in_features, dtype=torch.float32)
    expect.close(net(X), local(X).detach(), "MySequential(OrderedDict(...)) should run the modules in the dict's order")


@exercise("MySequential")
@points(1)
def test_my_sequential_repeated_module(student, rng):
    """The same module given twice runs twice (its parameters are listed once)."""
    d = randint(rng, 4, 8)
    nn = student.lib("torch.nn")
    layer, local = nn.Linear(d, d), torch.nn.Linear(d, d)
    layer.load_state_dict(random_state(local, rng))
    net = new(student, student.MySequential, "MySequential", layer, nn.ReLU(), layer)
    X = draw.randn(rng, randint(rng, 3, 7), d, dtype=torch.float32)
    expect.close(
        net(X),
        local(torch.relu(local(X))).detach(),
        "a module passed twice should run twice: iterate over self._modules.values() (children() skips repeats)",
    )
    assert student.harness.parameter_names(net) == ["0.weight", "0.bias"], "a shared module's parameters appear once"


# --- FlexibleMLP --------------------------------------------------------------------------


def _flexible(student, rng):
    """The student's and the reference FlexibleMLP for four random sizes: (remote, local, sizes)."""
    sizes = [randint(rng, 5, 9), randint(rng, 6, 10), randint(rng, 4, 8), randint(rng, 2, 4)]
    net = new(student, student.FlexibleMLP, "FlexibleMLP", sizes)
    local = ref.FlexibleMLP(sizes)
    return net, local, sizes


@exercise("FlexibleMLP")
@points(2)
def test_flexible_mlp_containers(student, rng):
    """linears is an nn.ModuleList of Linear layers, activations an nn.ModuleDict with relu, sigmoid and tanh."""
    net, local, _ = _flexible(student, rng)
    kinds = types(student, net)
    assert kinds.get("linears") == "ModuleList", "linears should be an nn.ModuleList (a plain list is not registered)"
    assert kinds.get("activations") == "ModuleDict", "activations should be an nn.ModuleDict (a plain dict is not registered)"
    expected = {"activations.relu": "ReLU", "activations.sigmoid": "Sigmoid", "activations.tanh": "Tanh"}
    assert {k: v for k, v in kinds.items() if k.startswith("activations.")} == expected, (
        "activations should hold exactly 'relu': nn.ReLU(), 'sigmoid': nn.Sigmoid() and 'tanh': nn.Tanh()"
    )
    shapes = [(name, tuple(value.shape)) for name, value in net.state_dict().items()]
    assert shapes == [(name, tuple(value.shape)) for name, value in local.state_dict().items()], (
        "linears should hold nn.Linear(sizes[i], sizes[i + 1]) for each consecutive pair of sizes, in order"
    )


@exercise("FlexibleMLP")
@points(2)
def test_flexible_mlp_forward(student, rng):
    """Each activation choice gives the reference output; no activation after the last layer."""
    net, local, sizes = _flexible(student, rng)
    load(net, random_state(local, rng), "FlexibleMLP")
    X = draw.randn(rng, randint(rng, 4, 8), sizes[0], dtype=torch.float32)
    got = expect.tensor(net(X), "FlexibleMLP(sizes)(X)", (len(X), sizes[-1]))
    message = "FlexibleMLP outputs are wrong: linear layers in order, activations[act] between them, none after the last"
    expect.close(got, local(X).detach(), message)
    for act in ("sigmoid", "tanh", "relu"):
        expect.close(net(X, act=act), local(X, act=act).detach(), f"{message} (act={act!r})")


# --- param_shapes and grads_by_name ----------------------------------------------------


def _same_gradients(got, local, message, missing):
    """got {name: gradient} must hold the .grad of each of local's parameters, shape and dtype too (`missing`: none for one)."""
    for name, p in local.named_parameters():
        assert got.get(name) is not None, missing
        expect.tensor(got[name], f"the gradient for {name}", tuple(p.shape), p.dtype)
        expect.close(got[name], p.grad, message, **expect.TOL64)


def _nested(student, rng, dtype=torch.float32):
    """Sequential(Sequential(Linear, ReLU), Linear(bias=False)), remote and local, same weights."""
    d, h, q = randint(rng, 4, 8), randint(rng, 5, 9), randint(rng, 2, 4)
    nn = student.lib("torch.nn")
    remote = nn.Sequential(nn.Sequential(nn.Linear(d, h), nn.ReLU()), nn.Linear(h, q, bias=False))
    local = torch.nn.Sequential(torch.nn.Sequential(torch.nn.Linear(d, h), torch.nn.ReLU()), torch.nn.Linear(h, q, bias=False))
    local = local.to(dtype)
    remote = remote.to(dtype)
    remote.load_state_dict(random_state(local, rng))
    return remote, local, d


@exercise("param_shapes")
@points(2)
def test_param_shapes(student, rng):
    """Names and shapes of every parameter of a nested network, in order."""
    remote, local, _ = _nested(student, rng)
    got = student.param_shapes(remote)
    assert type(got) is dict, f"param_shapes should return a dict, but it returned {expect.kind(got)}"
    expected = [(name, tuple(p.shape)) for name, p in local.named_parameters()]
    assert list(got) == [name for name, _ in expected], (
        "the keys should be the names from net.named_parameters(), in order (e.g. '0.0.weight' for a nested layer)"
    )
    for name, shape in expected:
        value = got[name]
        assert type(value) in (tuple, list, torch.Size) and tuple(value) == shape, (
            "each value should be the parameter's shape as a tuple"
        )


@exercise("grads_by_name")
@points(2)
def test_grads_by_name(student, rng):
    """Gradients of net(X).sum() by name, not mixed with those of an earlier call."""
    remote, local, d = _nested(student, rng, torch.float64)
    # the net already carries gradients from earlier work, then two calls in a row
    stale = {name: draw.randn(rng, *p.shape) for name, p in local.named_parameters()}
    student.harness.set_named_grads(remote, stale)
    for _ in range(2):
        X = draw.randn(rng, randint(rng, 3, 7), d)
        got = student.grads_by_name(remote, X)
        assert type(got) is dict, f"grads_by_name should return a dict, but it returned {expect.kind(got)}"
        local.zero_grad()
        local(X).sum().backward()
        assert list(got) == [name for name, _ in local.named_parameters()], (
            "the keys should be the names from net.named_parameters(), in order"
        )
        message = "the gradients are wrong, or gradients from an earlier call were added in: zero them before backward()"
        _same_gradients(got, local, message, missing=message)


# --- init_by_name and init_weight_ ---------------------------------------------------------


@exercise("init_by_name")
@points(2)
def test_init_by_name(student, rng):
    """Weights from N(0, 0.01^2), biases 0, in place and without a graph; BatchNorm's buffers left alone."""
    d, h, q = randint(rng, 280, 320), randint(rng, 180, 220), randint(rng, 90, 110)
    nn = student.lib("torch.nn")
    net = nn.Sequential(nn.Linear(d, h), nn.BatchNorm1d(h), nn.ReLU(), nn.Linear(h, q))
    # running statistics far from their defaults: a loop over state_dict() that zeroes "the rest" changes them
    buffers = {
        "1.running_mean": draw.randn(rng, h, dtype=torch.float32),
        "1.running_var": draw.randn(rng, h, dtype=torch.float32).abs() + 0.5,
        "1.num_batches_tracked": torch.tensor(randint(rng, 5, 50)),
    }
    net.load_state_dict(dict(net.state_dict(), **buffers))
    before = student.harness.graph_state(net)
    student.init_by_name(net)
    after = student.harness.graph_state(net)
    for name, state in after.items():
        assert state["data_ptr"] == before[name]["data_ptr"] and state["is_leaf"] and state["grad_fn"] is None, (
            "initialise the parameters in place (init.normal_, init.constant_) without recording a graph"
        )
    state = net.state_dict()
    for name, value in buffers.items():
        assert torch.equal(state[name], value), (
            f"init_by_name changed BatchNorm's running statistics: {BUFFERS}, so initialise net.named_parameters() only"
        )
    message = "every weight should be drawn from a normal distribution with mean 0 and standard deviation 0.01"
    for name in student.harness.parameter_names(net):
        value = state[name].double()
        if "bias" in name:
            assert not value.any(), "every bias should be set to 0"
        else:  # six standard errors of the mean and of the standard deviation for this many values
            expect.scalar_close(value.mean().item(), 0.0, message, rtol=0, atol=6 * 0.01 / math.sqrt(value.numel()))
            expect.scalar_close(value.std().item(), 0.01, message, rtol=0, atol=6 * 0.01 / math.sqrt(2 * value.numel()))


def _judge_init_weight(values):
    """Tolerances of six standard errors for this many values (false alarms < 1e-8)."""
    values = values.double().flatten()
    nonzero = values[values != 0]
    sigmas = 6 / math.sqrt(len(values))
    assert values.abs().max().item() <= 10, "values should come from U(-10, 10)"
    zeros = (values == 0).double().mean().item()
    expect.scalar_close(
        zeros,
        0.5,
        "about half of the entries should be zero: those whose absolute value is below 5",
        rtol=0,
        atol=0.5 * sigmas,
    )
    assert (nonzero.abs() >= 5).all(), "every entry with |w| < 5 should be set to zero"
    assert len(nonzero) > len(values) / 4, "about half of the entries should be kept"
    positive = (nonzero > 0).double().mean().item()
    expect.scalar_close(positive, 0.5, "the kept values should be symmetric around 0", rtol=0, atol=sigmas)
    upper = (nonzero.abs() > 7.5).double().mean().item()
    expect.scalar_close(upper, 0.5, "the kept values should be uniform on [-10, -5] and [5, 10]", rtol=0, atol=sigmas)


@exercise("init_weight_")
@points(2)
def test_init_weight_distribution(student, rng):
    """Half zeros; the rest uniform on [-10, -5] and [5, 10]."""
    shape = (randint(rng, 300, 400), randint(rng, 250, 300))
    remote = student.put(torch.zeros(shape))
    student.init_weight_(remote)
    _judge_init_weight(student.fetch(remote))


@exercise("init_weight_")
@points(2)
def test_init_weight_in_place(student, rng):
    """A parameter of a layer is changed in place under no_grad: same storage, still a leaf, no grad_fn."""
    shape = (randint(rng, 200, 250), randint(rng, 150, 200))
    Parameter = student.lib("torch.nn").Parameter
    param = student.call(Parameter, [torch.zeros(shape)], as_handle=True, label="nn.Parameter(...)")
    before = student.harness.graph_state(param)
    student.init_weight_(param)
    after = student.harness.graph_state(param)
    assert after["data_ptr"] == before["data_ptr"], "init_weight_ should change the given tensor in place"
    assert after["is_leaf"] and after["requires_grad"] and after["grad_fn"] is None, (
        "the parameter is no longer a leaf or has a grad_fn: change it under torch.no_grad()"
    )
    _judge_init_weight(student.fetch(param))


# --- SharedNet ------------------------------------------------------------------------------


def _shared(student, rng, dtype=torch.float32):
    """The student's and the reference SharedNet with the same weights in dtype: (remote, local, width)."""
    width = randint(rng, 4, 8)
    net = new(student, student.SharedNet, "SharedNet", width)
    local = ref.SharedNet(width).to(dtype)
    net = net.to(dtype)
    load(net, random_state(local, rng), "SharedNet")
    return net, local, width


@exercise("SharedNet")
@points(1)
def test_shared_parameters_once(student, rng):
    """One Linear(width, width) called `shared`: its parameters are listed once."""
    width = randint(rng, 4, 8)
    net = new(student, student.SharedNet, "SharedNet", width)
    assert student.harness.parameter_names(net) == ["shared.weight", "shared.bias"], (
        "SharedNet should have a single nn.Linear(width, width) called shared, used twice: no second layer"
    )
    assert types(student, net).get("act") == "ReLU", "SharedNet should have the attribute act = nn.ReLU()"


@exercise("SharedNet")
@points(1)
def test_shared_forward(student, rng):
    """shared(relu(shared(x)))."""
    net, local, width = _shared(student, rng)
    X = draw.randn(rng, randint(rng, 3, 7), width, dtype=torch.float32)
    got = expect.tensor(net(X), "SharedNet(width)(X)", X.shape)
    expect.close(got, local(X).detach(), "SharedNet should compute shared(act(shared(x)))")


@exercise("SharedNet")
@points(2)
def test_shared_gradients_accumulate(student, rng):
    """The shared layer's gradients add up the contributions of both uses (float64)."""
    net, local, width = _shared(student, rng, torch.float64)
    X = draw.randn(rng, randint(rng, 3, 7), width)
    v = draw.randn(rng, *X.shape)
    _, grads = student.harness.param_vjp(net, [X], v)
    local(X).backward(v)
    message = "the shared layer's gradient should be the sum of the contributions of both uses: do not detach either use"
    _same_gradients(grads, local, message, missing="no gradient reached the shared layer")


# --- CenteredLayer --------------------------------------------------------------------------


@exercise("CenteredLayer")
@points(2)
def test_centered_layer_values(student, rng):
    """x - x.mean() over all elements, for a matrix and a 3-D tensor."""
    layer = new(student, student.CenteredLayer, "CenteredLayer")
    for shape in ((randint(rng, 4, 7), randint(rng, 8, 12)), (2, randint(rng, 3, 5), 4)):
        x = draw.randn(rng, *shape) + torch.arange(shape[-1], dtype=torch.float64)
        expected = x - x.mean()  # from the grader's own x, before any call
        got = expect.tensor(layer(x), f"CenteredLayer()(x) for x of shape {shape}", shape, torch.float64)
        expect.close(got, expected, "subtract the mean of all elements (x.mean()), not a mean per row or column")
    # the caller's tensor, held in the worker, must come back unchanged
    remote = student.put(x)
    layer(remote)
    assert torch.equal(student.fetch(remote), x), (
        "CenteredLayer changed its input in place (x -= ...): return a new tensor, x - x.mean(), and leave x as it is"
    )


@exercise("CenteredLayer")
@points(1)
def test_centered_layer_in_a_network(student, rng):
    """No parameters; gradients flow through it inside Sequential(Linear, CenteredLayer)."""
    layer = new(student, student.CenteredLayer, "CenteredLayer")
    assert student.harness.parameter_names(layer) == [], "CenteredLayer has no parameters"
    d, h = randint(rng, 4, 8), randint(rng, 8, 16)
    nn = student.lib("torch.nn")
    linear, local = nn.Linear(d, h).double(), torch.nn.Linear(d, h).double()
    linear.load_state_dict(random_state(local, rng))
    net = nn.Sequential(linear, layer)
    X = draw.randn(rng, randint(rng, 3, 6), d)
    v = draw.randn(rng, len(X), h)
    out, grads = student.harness.param_vjp(net, [X], v)
    y = local(X)
    (y - y.mean()).backward(v)
    expect.close(out, (y - y.mean()).detach(), "Sequential(Linear, CenteredLayer) gives wrong outputs")
    expect.close(grads["0.weight"], local.weight.grad, "the gradient through CenteredLayer is wrong", **expect.TOL64)


# --- MyDense and MyDictDense -------------------------------------------------------------


@exercise("MyDense")
@points(2)
def test_my_dense_parameters(student):
    """params is an nn.ParameterList: three (4, 4) and one (4, 1), all registered."""
    net = new(student, student.MyDense, "MyDense")
    assert types(student, net).get("params") == "ParameterList", (
        "params should be an nn.ParameterList: a plain list of Parameters is not registered"
    )
    shapes = [(name, tuple(value.shape)) for name, value in net.state_dict().items()]
    assert shapes == [("params.0", (4, 4)), ("params.1", (4, 4)), ("params.2", (4, 4)), ("params.3", (4, 1))], (
        "params should hold three (4, 4) parameters followed by one (4, 1)"
    )
    assert student.harness.parameter_names(net) == ["params.0", "params.1", "params.2", "params.3"], (
        "parameters() should reach all four parameters"
    )


@exercise("MyDense")
@points(2)
def test_my_dense_forward(student, rng):
    """x @ p0 @ p1 @ p2 @ p3, with gradients reaching every parameter."""
    net = new(student, student.MyDense, "MyDense").double()
    local = ref.MyDense().double()
    load(net, random_state(local, rng), "MyDense")
    X = draw.randn(rng, randint(rng, 3, 7), 4)
    v = draw.randn(rng, len(X), 1)
    expect.tensor(net(X), "MyDense()(x)", (len(X), 1))
    out, grads = student.harness.param_vjp(net, [X], v)
    y = local(X)
    y.backward(v)
    expect.close(
        expect.tensor(out, "MyDense()(x)", (len(X), 1)), y.detach(), "MyDense should multiply x by each parameter in turn"
    )
    message = "the gradients of MyDense's parameters are wrong"
    _same_gradients(grads, local, message, missing="a parameter of MyDense received no gradient")


@exercise("MyDictDense")
@points(2)
def test_my_dict_dense_parameters(student):
    """params is an nn.ParameterDict: linear1 (4, 4), linear2 (4, 1), linear3 (4, 2), all registered."""
    net = new(student, student.MyDictDense, "MyDictDense")
    assert types(student, net).get("params") == "ParameterDict", (
        "params should be an nn.ParameterDict: a plain dict of Parameters is not registered"
    )
    shapes = {name: tuple(value.shape) for name, value in net.state_dict().items()}
    assert shapes == {"params.linear1": (4, 4), "params.linear2": (4, 1), "params.linear3": (4, 2)}, (
        "params should hold 'linear1' (4, 4), 'linear2' (4, 1) and 'linear3' (4, 2)"
    )


@exercise("MyDictDense")
@points(2)
def test_my_dict_dense_forward(student, rng):
    """forward(x, choice) multiplies by params[choice]; the default choice is 'linear1'."""
    net = new(student, student.MyDictDense, "MyDictDense")
    local = ref.MyDictDense()
    load(net, random_state(local, rng), "MyDictDense")
    X = draw.randn(rng, randint(rng, 3, 7), 4, dtype=torch.float32)
    message = "MyDictDense should return x @ params[choice]"
    expect.close(expect.tensor(net(X), "MyDictDense()(x)", (len(X), 4)), local(X).detach(), message + " (default 'linear1')")
    got = expect.tensor(net(X, "linear2"), "MyDictDense()(x, 'linear2')", (len(X), 1))
    expect.close(got, local(X, "linear2").detach(), message)
    got = expect.tensor(net(X, choice="linear3"), "MyDictDense()(x, choice='linear3')", (len(X), 2))
    expect.close(got, local(X, choice="linear3").detach(), message)


# --- saving and loading -----------------------------------------------------------------------


def _path(student, name):
    """A path for a file called name in a fresh folder of the worker."""
    return student.harness.fresh_dir() + "/" + name


def _read_back(student, path, what):
    """What a file in the worker holds, read there with torch.load(weights_only=True)."""
    try:
        return student.harness.load_file(path)
    except StudentError:
        raise AssertionError(
            f"{what}: the file is missing or is not a torch.save file of tensors (did you save a module or a method "
            "instead of its state_dict()?)"
        ) from None


@exercise("tensor_io")
@points(1)
def test_save_tensors(student, rng):
    """save_tensors writes a file that torch.load reads back: a dict of tensors, then a list, to two files."""
    x, y = (
        draw.randn(rng, randint(rng, 2, 6), dtype=torch.float32),
        draw.randn(rng, 3, randint(rng, 2, 5), dtype=torch.float32),
    )
    first, second = _path(student, "xy_dict.pt"), _path(student, "xy_list.pt")
    student.save_tensors({"x": x, "y": y}, first)
    student.save_tensors([y, x], second)
    got = _read_back(student, first, "save_tensors")
    assert type(got) is dict and list(got) == ["x", "y"], (
        "the first file should hold the dict that was saved (to its own path)"
    )
    expect.close(got["x"], x, "the saved tensors differ from the ones given")
    expect.close(got["y"], y, "the saved tensors differ from the ones given")
    got = _read_back(student, second, "save_tensors")
    assert type(got) is list and len(got) == 2, "the second file should hold the list that was saved"
    expect.close(got[0], y, "the saved tensors differ from the ones given")


@exercise("tensor_io")
@points(1)
def test_load_tensors(student, rng):
    """load_tensors reads back a tensor, a list and a dict written with torch.save, each in turn to the same path."""
    x = draw.randn(rng, randint(rng, 2, 6), dtype=torch.float32)
    path = _path(student, "t.pt")
    for value in (x, [x, x * 2], {"a": x, "b": -x}):
        student.harness.save_file(value, path)  # overwritten on purpose: each call must read the file as it is now
        got = student.load_tensors(path)
        assert type(got) is type(value), (
            f"load_tensors should give back the saved {type(value).__name__}, read from the file each time it is called"
        )
        items = value.items() if type(value) is dict else enumerate(value) if type(value) is list else [(None, value)]
        for key, item in items:
            expect.close(got if key is None else got[key], item, "load_tensors gives different values from those saved")


def _mlp_state(rng):
    """A reference MLP and the random state_dict loaded into it."""
    local = ref.MLP()
    return local, random_state(local, rng, 0.1)


def _buffered(student, rng):
    """Linear, BatchNorm1d, ReLU, Linear in eval mode, remote and local, with the same parameters and buffers.

    The running statistics are far from BatchNorm's defaults, so a file or a load
    that keeps only the parameters (named_parameters()) changes the outputs.
    """
    d, h, q = randint(rng, 4, 8), randint(rng, 5, 9), randint(rng, 2, 4)
    nn = student.lib("torch.nn")
    remote = nn.Sequential(nn.Linear(d, h), nn.BatchNorm1d(h), nn.ReLU(), nn.Linear(h, q))
    local = torch.nn.Sequential(torch.nn.Linear(d, h), torch.nn.BatchNorm1d(h), torch.nn.ReLU(), torch.nn.Linear(h, q))
    state = {}
    for name, value in local.state_dict().items():
        if name.endswith("num_batches_tracked"):
            state[name] = torch.tensor(randint(rng, 5, 50))
        elif name.endswith("running_var"):
            state[name] = draw.randn(rng, *value.shape, dtype=torch.float32).abs() + 0.5
        else:
            state[name] = draw.randn(rng, *value.shape, dtype=torch.float32)
    local.load_state_dict(state)
    remote.load_state_dict(state)
    return remote.eval(), local.eval(), state, d


@exercise("state_dict_io")
@points(1)
def test_save_params(student, rng):
    """save_params writes net.state_dict() itself: parameters and buffers (BatchNorm's running statistics)."""
    net, _, state, _ = _buffered(student, rng)
    path = _path(student, "net.pt")
    student.save_params(net, path)
    got = _read_back(student, path, "save_params")
    params = [name for name in state if not name.split(".")[-1].startswith(("running", "num_batches"))]
    assert type(got) is dict and all(name in got for name in params), (
        "save_params should save net.state_dict() (with the parentheses), not the module"
    )
    assert list(got) == list(state), f"save_params should save all of net.state_dict(): {BUFFERS} and must be saved too"
    for name, value in state.items():
        expect.close(got[name], value, "the saved parameters and buffers differ from net's")


@exercise("state_dict_io")
@points(1)
def test_load_params(student, rng):
    """load_params loads a saved state_dict (buffers included) into a fresh module in place and returns it."""
    _, local, state, d = _buffered(student, rng)
    path = student.harness.save_file(state, _path(student, "net.pt"))
    h, q = len(state["1.weight"]), len(state["3.bias"])
    nn = student.lib("torch.nn")
    fresh = nn.Sequential(nn.Linear(d, h), nn.BatchNorm1d(h), nn.ReLU(), nn.Linear(h, q)).eval()  # default buffers
    returned = student.load_params(fresh, path)
    assert is_instance(returned, expect.MODULE), "load_params should return the net"
    X = draw.randn(rng, randint(rng, 3, 6), d, dtype=torch.float32)
    expected = local(X).detach()
    message = "after load_params the net should compute with the saved parameters: call net.load_state_dict(torch.load(path))"
    expect.close(returned(X), expected, f"{message}; {BUFFERS} and must be loaded too", **expect.TOL32)
    expect.close(fresh(X), expected, message + " (in place, into the net given)", **expect.TOL32)


@exercise("state_dict_io")
@points(1)
def test_round_trip_with_your_mlp(student, rng):
    """Your MLP, saved with save_params and loaded into a fresh MLP(), gives identical outputs."""
    local, state = _mlp_state(rng)
    net = new(student, student.MLP, "MLP")
    load(net, state, "MLP")
    path = _path(student, "mlp.pt")
    student.save_params(net, path)
    fresh = student.load_params(new(student, student.MLP, "MLP"), path)
    assert is_instance(fresh, expect.MODULE), "load_params should return the net"
    X = draw.randn(rng, randint(rng, 3, 6), 784, dtype=torch.float32)
    assert torch.equal(net(X), fresh(X)), "the reloaded MLP does not give the same outputs as the saved one"


# --- try_gpu and predict_on ------------------------------------------------------------------


@exercise("devices")
@points(1)
def test_try_gpu(student, rng):
    """try_gpu(i) is cuda:i when GPU i exists, the CPU otherwise, as a torch.device; also with several GPUs."""
    count = student.lib("torch").cuda.device_count()
    got = student.try_gpu()
    assert type(got) is torch.device, f"try_gpu() should return a torch.device, not {expect.kind(got)}"
    expected = torch.device("cuda:0") if count >= 1 else torch.device("cpu")
    assert got == expected, "try_gpu() should return cuda:0 when a GPU exists and the CPU otherwise"
    got = student.try_gpu(count)
    assert got == torch.device("cpu"), "try_gpu(i) should fall back to the CPU when there is no GPU number i"
    # a stand-in torch.cuda with `gpus` GPUs: the boundary, the last GPU (gpus - 1) and the first missing one (gpus)
    gpus = randint(rng, 2, 5)
    for args, expected in (((), "cuda:0"), ((gpus - 1,), f"cuda:{gpus - 1}"), ((gpus,), "cpu")):
        got = student.harness.with_fake_cuda(gpus, None, student.try_gpu, *args)
        assert got == torch.device(expected), (
            "with several GPUs, try_gpu(i) should return cuda:i for every i below torch.cuda.device_count() (the last "
            "GPU included) and the CPU from there on"
        )


def _predict(student, rng, device):
    """predict_on(net, X, device) for a random three-layer net: (remote net, local net, X, output handle)."""
    remote, local = _three_layers(student, rng)
    net = student.lib("torch.nn").Sequential(*remote)
    X = draw.randn(rng, randint(rng, 3, 6), local[0].in_features, dtype=torch.float32)
    out = student.call(student.predict_on, [net, X, device], as_handle=True, label="predict_on(net, X, device)")
    return net, local, X, out


@exercise("devices")
@points(2)
def test_predict_on_grading_device(student, rng, device):
    """On the grading device (a GPU when there is one), the model and the output end up there with right values."""
    net, local, X, out = _predict(student, rng, device)
    assert is_instance(out, "torch.Tensor"), "predict_on should return net(X), a tensor"
    assert torch.device(student.harness.device_of(out)).type == device.type, "the output should stay on the device"
    devices = student.harness.parameter_devices(net)
    assert len(devices) == 1 and torch.device(devices[0]).type == device.type, "net should be moved to the device"
    expect.close(student.fetch(out), local(X).detach(), "predict_on(net, X, device) should return net(X)", **expect.TOL32)


@exercise("devices")
@points(1)
def test_predict_on_another_device(student, rng):
    """On PyTorch's meta device both the model and the input must be moved, or the call fails."""
    net, _, _, out = _predict(student, rng, torch.device("meta"))
    assert is_instance(out, "torch.Tensor"), "predict_on should return net(X), a tensor"
    assert student.harness.device_of(out) == "meta", "the output should be on the device you were given"
    assert student.harness.parameter_devices(net) == ["meta"], "net should be moved to the device (net.to(device))"
