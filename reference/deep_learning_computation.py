"""Reference solutions for 05_deep_learning_computation: modules, parameters, custom layers, saving, devices."""

from collections import OrderedDict

import torch
from torch import nn
from torch.nn import init


class MLP(nn.Module):
    """One hidden layer: x (n, 784) -> (n, 10) through `hidden` (Linear(784, 256)), `act` (ReLU), `output` (Linear(256, 10))."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        ### BEGIN SOLUTION
        self.hidden = nn.Linear(784, 256)
        self.act = nn.ReLU()
        self.output = nn.Linear(256, 10)
        ### END SOLUTION

    def forward(self, x):
        ### BEGIN SOLUTION
        a = self.act(self.hidden(x))
        return self.output(a)
        ### END SOLUTION


class MySequential(nn.Module):
    """A Sequential of our own: MySequential(m0, m1, ...) or MySequential(OrderedDict([(name, module), ...])).

    Children are registered under '0', '1', ... (or the dict's names) in the
    order given; forward(x) feeds x through them in that order.
    """

    def __init__(self, *args):
        super().__init__()
        ### BEGIN SOLUTION
        if len(args) == 1 and isinstance(args[0], OrderedDict):
            for key, module in args[0].items():
                self.add_module(key, module)
        else:
            for idx, module in enumerate(args):
                self.add_module(str(idx), module)
        ### END SOLUTION

    def forward(self, x):
        ### BEGIN SOLUTION
        for module in self._modules.values():
            x = module(x)
        return x
        ### END SOLUTION


class FlexibleMLP(nn.Module):
    """Linear layers in an nn.ModuleList, activations in an nn.ModuleDict: x (n, sizes[0]) -> (n, sizes[-1]).

    `linears`: ModuleList of Linear(sizes[i], sizes[i + 1]); `activations`:
    ModuleDict with 'relu', 'sigmoid' and 'tanh'. forward(x, act='relu')
    applies every linear in order, with activations[act] between two linears
    (not after the last one).
    """

    def __init__(self, sizes):
        super().__init__()
        ### BEGIN SOLUTION
        self.linears = nn.ModuleList([nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:])])
        self.activations = nn.ModuleDict({"relu": nn.ReLU(), "sigmoid": nn.Sigmoid(), "tanh": nn.Tanh()})
        ### END SOLUTION

    def forward(self, x, act="relu"):
        ### BEGIN SOLUTION
        for i, linear in enumerate(self.linears):
            if i > 0:
                x = self.activations[act](x)
            x = linear(x)
        return x
        ### END SOLUTION


def param_shapes(net):
    """{name: shape tuple} of every parameter of net, in the order of net.named_parameters()."""
    ### BEGIN SOLUTION
    return {name: tuple(param.shape) for name, param in net.named_parameters()}
    ### END SOLUTION


def grads_by_name(net, X):
    """{name: gradient} of net(X).sum() with respect to each parameter, each the shape of its parameter.

    Gradients left over from earlier backward passes must not count.
    """
    ### BEGIN SOLUTION
    net.zero_grad()
    net(X).sum().backward()
    return {name: param.grad.clone() for name, param in net.named_parameters()}
    ### END SOLUTION


def init_by_name(net):
    """In place: every parameter whose name contains 'weight' from N(0, 0.01^2), every 'bias' set to 0. Returns None."""
    ### BEGIN SOLUTION
    for name, param in net.named_parameters():
        if "weight" in name:
            init.normal_(param, mean=0, std=0.01)
        if "bias" in name:
            init.constant_(param, val=0)
    ### END SOLUTION


def init_weight_(tensor):
    """In place, without recording a graph: U(-10, 10), then entries with |w| < 5 set to 0. Returns None."""
    ### BEGIN SOLUTION
    with torch.no_grad():
        tensor.uniform_(-10, 10)
        tensor *= (tensor.abs() >= 5).float()
    ### END SOLUTION


class SharedNet(nn.Module):
    """One Linear(width, width), `shared`, used twice: x (n, width) -> shared(relu(shared(x))) (n, width).

    `act` is the ReLU. Its parameters appear once; their gradients add up
    the contributions of both uses.
    """

    def __init__(self, width):
        super().__init__()
        ### BEGIN SOLUTION
        self.shared = nn.Linear(width, width)
        self.act = nn.ReLU()
        ### END SOLUTION

    def forward(self, x):
        ### BEGIN SOLUTION
        return self.shared(self.act(self.shared(x)))
        ### END SOLUTION


class CenteredLayer(nn.Module):
    """No parameters: x of any shape -> x - x.mean() (the mean over all elements)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)

    def forward(self, x):
        ### BEGIN SOLUTION
        return x - x.mean()
        ### END SOLUTION


class MyDense(nn.Module):
    """`params`: nn.ParameterList of three (4, 4) and one (4, 1) randn parameters; x (n, 4) -> x @ p0 @ p1 @ p2 @ p3 (n, 1)."""

    def __init__(self):
        super().__init__()
        ### BEGIN SOLUTION
        self.params = nn.ParameterList([nn.Parameter(torch.randn(4, 4)) for i in range(3)])
        self.params.append(nn.Parameter(torch.randn(4, 1)))
        ### END SOLUTION

    def forward(self, x):
        ### BEGIN SOLUTION
        for i in range(len(self.params)):
            x = torch.mm(x, self.params[i])
        return x
        ### END SOLUTION


class MyDictDense(nn.Module):
    """`params`: nn.ParameterDict 'linear1' (4, 4), 'linear2' (4, 1), 'linear3' (4, 2), randn.

    forward(x, choice='linear1'): x (n, 4) -> x @ params[choice].
    """

    def __init__(self):
        super().__init__()
        ### BEGIN SOLUTION
        self.params = nn.ParameterDict(
            {"linear1": nn.Parameter(torch.randn(4, 4)), "linear2": nn.Parameter(torch.randn(4, 1))}
        )
        self.params.update({"linear3": nn.Parameter(torch.randn(4, 2))})
        ### END SOLUTION

    def forward(self, x, choice="linear1"):
        ### BEGIN SOLUTION
        return torch.mm(x, self.params[choice])
        ### END SOLUTION


def save_tensors(tensors, path):
    """Write a tensor, or a list or dict of tensors, to the file `path` with torch.save. Returns None."""
    ### BEGIN SOLUTION
    torch.save(tensors, path)
    ### END SOLUTION


def load_tensors(path):
    """What save_tensors wrote to `path`, read back with torch.load."""
    ### BEGIN SOLUTION
    return torch.load(path)
    ### END SOLUTION


def save_params(net, path):
    """Write net's state_dict (not the whole module) to `path`. Returns None."""
    ### BEGIN SOLUTION
    torch.save(net.state_dict(), path)
    ### END SOLUTION


def load_params(net, path):
    """Load the state_dict stored at `path` into net, in place; returns net."""
    ### BEGIN SOLUTION
    net.load_state_dict(torch.load(path))
    return net
    ### END SOLUTION


def try_gpu(i=0):
    """torch.device('cuda:i') when GPU i exists, otherwise torch.device('cpu')."""
    ### BEGIN SOLUTION
    if torch.cuda.device_count() >= i + 1:
        return torch.device(f"cuda:{i}")
    return torch.device("cpu")
    ### END SOLUTION


def predict_on(net, X, device):
    """Move net and X to `device` and return net(X), which stays on that device."""
    ### BEGIN SOLUTION
    net = net.to(device)
    X = X.to(device)
    return net(X)
    ### END SOLUTION
