"""Public checks for 05_deep_learning_computation: run them in the notebook with check("MySequential") or check().

A quick, visible sample: the grade comes from hidden checks on other inputs.
"""

import os
import tempfile
from collections import OrderedDict

import torch
from torch import nn

from kitcheck import close, public, randint, tensor


def _x(rng, n, d):
    return torch.randn(n, d, generator=rng)


@public("MLP")
def mlp_layers_and_output(student, rng):
    """`hidden` Linear(784, 256), `act`, `output` Linear(256, 10); output = output(act(hidden(x)))."""
    net = student.MLP()
    assert isinstance(getattr(net, "hidden", None), nn.Linear) and isinstance(getattr(net, "output", None), nn.Linear), (
        "MLP should have the attributes `hidden` and `output` (nn.Linear) and `act`"
    )
    assert (net.hidden.in_features, net.hidden.out_features, net.output.out_features) == (784, 256, 10), (
        "hidden should be Linear(784, 256) and output Linear(256, 10)"
    )
    X = _x(rng, randint(rng, 2, 5), 784)
    close(net(X), net.output(net.hidden(X).clamp(min=0)), "forward should be output(act(hidden(x))) with act a ReLU")


@public("MySequential")
def my_sequential_registers_in_order(student, rng):
    """Children registered under '0', '1', ... (or the OrderedDict's names), applied in order."""
    a, b = nn.Linear(4, 3), nn.Linear(3, 2)
    net = student.MySequential(a, nn.ReLU(), b)
    assert list(net.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias"], (
        "the children should be registered as modules under '0', '1', ... (self._modules or add_module)"
    )
    X = _x(rng, randint(rng, 2, 6), 4)
    close(net(X), b(a(X).clamp(min=0)), "forward should apply the modules in the order they were given")
    named = student.MySequential(OrderedDict([("first", a), ("act", nn.ReLU()), ("last", b)]))
    assert list(named.state_dict()) == ["first.weight", "first.bias", "last.weight", "last.bias"], (
        "with an OrderedDict the children should keep its names"
    )
    square = nn.Linear(4, 4)
    twice = student.MySequential(square, square)
    close(twice(X), square(square(X)), "a module given twice should run twice (iterate over self._modules.values())")


@public("FlexibleMLP")
def flexible_mlp_registers_containers(student, rng):
    """`linears` (ModuleList) and `activations` (ModuleDict) are registered; the activation goes between linears only."""
    sizes = [randint(rng, 3, 7), 5, 4, randint(rng, 2, 4)]
    net = student.FlexibleMLP(sizes)
    assert len(list(net.parameters())) == 2 * (len(sizes) - 1), (
        "the linear layers' parameters are not registered: keep them in an nn.ModuleList"
    )
    X = _x(rng, 3, sizes[0])
    out = X
    for k, linear in enumerate(net.linears):
        out = linear(out)
        if k < len(net.linears) - 1:
            out = torch.tanh(out)
    close(net(X, act="tanh"), out, "forward should apply activations[act] between two linears, not after the last")


@public("param_shapes")
def param_shapes_by_name(student, rng):
    """{name: shape} in the order of named_parameters(), names with their prefixes."""
    d = randint(rng, 2, 6)
    net = nn.Sequential(nn.Linear(d, 3), nn.ReLU(), nn.Sequential(nn.Linear(3, 2), nn.Linear(2, 1)))
    got = student.param_shapes(net)
    want = {name: tuple(p.shape) for name, p in net.named_parameters()}
    assert isinstance(got, dict) and list(got) == list(want), "the keys should be named_parameters()'s names, in order"
    assert {k: tuple(v) for k, v in got.items()} == want, "the values should be the parameters' shapes as tuples"


@public("grads_by_name")
def grads_by_name_fresh_each_call(student, rng):
    """The gradients of net(X).sum(), not added to those of an earlier call."""
    net = nn.Linear(randint(rng, 2, 5), 2)
    X = _x(rng, randint(rng, 2, 6), net.in_features)
    student.grads_by_name(net, X)
    grads = student.grads_by_name(net, X)
    close(grads["weight"], X.sum(dim=0).expand(2, -1), "the weight's gradient is wrong: zero the gradients first, and sum the output")
    close(grads["bias"], torch.full((2,), float(len(X))), "the bias's gradient should be the number of examples")


@public("init_by_name")
def init_by_name_weights_and_biases(student, rng):
    """Weights from N(0, 0.01^2), biases 0."""
    net = nn.Sequential(nn.Linear(randint(rng, 80, 120), 60), nn.ReLU(), nn.Linear(60, 10))
    assert student.init_by_name(net) is None, "init_by_name should work in place and return nothing"
    assert all(float(net[k].bias.detach().abs().max()) == 0 for k in (0, 2)), "every bias should be set to 0"
    assert abs(float(net[0].weight.detach().std()) - 0.01) < 0.002, "the weights should be drawn from N(0, 0.01^2)"


@public("init_weight_")
def init_weight_in_place(student, rng):
    """In place, no graph: values in [-10, 10] with |w| >= 5 or exactly 0."""
    layer = nn.Linear(randint(rng, 40, 60), 40)
    address = layer.weight.data_ptr()
    result = student.init_weight_(layer.weight)
    assert result is None or result is layer.weight, "init_weight_ should work in place (return nothing or the tensor)"
    w = layer.weight.detach()
    assert layer.weight.data_ptr() == address and layer.weight.grad_fn is None, "fill the weight in place inside torch.no_grad()"
    assert float(w.abs().max()) <= 10 and float(w.abs().max()) > 9, "the values should come from U(-10, 10)"
    kept = (w.abs() >= 5).float().mean()
    assert bool(((w == 0) | (w.abs() >= 5)).all()) and 0.35 < float(kept) < 0.65, "entries with |w| < 5 should become 0, the others stay"


@public("SharedNet")
def shared_net_uses_one_layer_twice(student, rng):
    """One Linear `shared` used twice: two parameters, output shared(relu(shared(x)))."""
    width = randint(rng, 2, 6)
    net = student.SharedNet(width)
    assert len(list(net.parameters())) == 2, "the shared layer's weight and bias should be the only parameters"
    X = _x(rng, 3, width)
    close(net(X), net.shared(net.shared(X).clamp(min=0)), "forward should be shared(relu(shared(x)))")


@public("CenteredLayer")
def centered_layer_values(student, rng):
    """x - x.mean() over all elements, no parameters."""
    layer = student.CenteredLayer()
    X = _x(rng, randint(rng, 2, 5), randint(rng, 3, 6)) + 3
    close(layer(X), X - X.mean(), "subtract the mean of all elements (not per row or column)")
    assert not list(layer.parameters()), "CenteredLayer should have no parameters"


@public("MyDense")
def my_dense_parameter_list(student, rng):
    """`params` is an nn.ParameterList of (4, 4), (4, 4), (4, 4), (4, 1); forward chains all four."""
    net = student.MyDense()
    assert list(net.state_dict()) == ["params.0", "params.1", "params.2", "params.3"], (
        "the parameters should be registered in an nn.ParameterList named params"
    )
    X = _x(rng, randint(rng, 2, 5), 4)
    p = list(net.params)
    close(net(X), X @ p[0] @ p[1] @ p[2] @ p[3], "forward should be x @ p0 @ p1 @ p2 @ p3")


@public("MyDictDense")
def my_dict_dense_choice(student, rng):
    """`params` is an nn.ParameterDict; forward(x, choice) is x @ params[choice]."""
    net = student.MyDictDense()
    assert sorted(net.state_dict()) == ["params.linear1", "params.linear2", "params.linear3"], (
        "the parameters should be registered in an nn.ParameterDict named params"
    )
    X = _x(rng, randint(rng, 2, 5), 4)
    for choice in ("linear1", "linear2", "linear3"):
        close(net(X, choice), X @ net.params[choice], f"forward(x, {choice!r}) should be x @ params[{choice!r}]")


@public("tensor_io")
def tensor_round_trip(student, rng):
    """save_tensors writes to the given path; load_tensors reads it back."""
    tensors = {"x": _x(rng, 2, randint(rng, 2, 5)), "y": torch.arange(randint(rng, 2, 6))}
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, f"t{randint(rng, 0, 1000)}.pt")
        student.save_tensors(tensors, path)
        assert os.path.isfile(path), "save_tensors should write the file `path`"
        loaded = student.load_tensors(path)
    assert isinstance(loaded, dict) and set(loaded) == {"x", "y"}, "load_tensors should return what was saved"
    close(loaded["x"], tensors["x"], "the loaded tensor differs from the saved one")


@public("state_dict_io")
def state_dict_round_trip(student, rng):
    """save_params writes net.state_dict(); load_params loads it into another net and returns it."""
    net, other = nn.Linear(randint(rng, 2, 5), 3), None
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "net.params")
        student.save_params(net, path)
        saved = torch.load(path, weights_only=False)
        assert isinstance(saved, dict), "save the state_dict (net.state_dict()), not the whole module"
        other = nn.Linear(net.in_features, 3)
        result = student.load_params(other, path)
    assert result is other, "load_params should return the net it loaded into"
    close(other.weight, net.weight, "the loaded net should have the saved parameters (net.load_state_dict)")


@public("devices")
def devices_move_net_and_input(student, rng):
    """try_gpu(i) is torch.device('cpu') when GPU i is missing; predict_on moves net and X (here to 'meta')."""
    device = student.try_gpu(randint(rng, 1000, 2000))
    assert isinstance(device, torch.device) and device.type == "cpu", "try_gpu(i) should be torch.device('cpu') without GPU i"
    net = nn.Linear(3, 2)
    X = _x(rng, randint(rng, 2, 5), 3)
    close(student.predict_on(net, X, torch.device("cpu")), net(X), "predict_on should return net(X)")
    out = student.predict_on(net, X, torch.device("meta"))
    assert out.device.type == "meta", "the result should be on the device: move both net and X there (X = X.to(device))"
    tensor(out, "predict_on(net, X, 'meta')", (len(X), 2))
