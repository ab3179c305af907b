"""Sample submissions for 05_deep_learning_computation: real bugs and correct alternatives."""

from autograder.variants import Alternative, Bug, dedent

BUGS = {
    "mlp-no-activation": Bug(
        cell="MLP",
        old="a = self.act(self.hidden(x))",
        new="a = self.hidden(x)",
        loses=("test_mlp_outputs",),
        why="act defined but never applied",
    ),
    "mlp-renamed-act": Bug(
        cell="MLP",
        old="        self.act = nn.ReLU()\n",
        new="        self.relu = nn.ReLU()\n",
        loses=("test_mlp_attributes",),
        why="the name from the notes' saving example",
    ),
    "mlp-wrong-hidden-size": Bug(
        cell="MLP",
        old="self.hidden = nn.Linear(784, 256)\n",
        new="self.hidden = nn.Linear(784, 128)\n",
        loses=("test_mlp_attributes", "test_mlp_outputs", "test_round_trip_with_your_mlp"),
        why="hidden layer of 128 units instead of 256",
    ),
    "sequential-plain-list": Bug(
        cell="MySequential",
        old=dedent(
            """\
                if len(args) == 1 and isinstance(args[0], OrderedDict):
                    for key, module in args[0].items():
                        self.add_module(key, module)
                else:
                    for idx, module in enumerate(args):
                        self.add_module(str(idx), module)

            def forward(self, x):
                for module in self._modules.values():""",
            indent=4,
        ),
        new=dedent(
            """\
                self.layers = list(args[0].values()) if len(args) == 1 and isinstance(args[0], OrderedDict) else list(args)

            def forward(self, x):
                for module in self.layers:""",
            indent=4,
        ),
        loses=("test_my_sequential_registers_children", "test_my_sequential_ordered_dict"),
        why="parameters kept in a plain list (not registered)",
    ),
    "sequential-single-module": Bug(
        cell="MySequential",
        old="if len(args) == 1 and isinstance(args[0], OrderedDict):",
        new="if len(args) == 1 or isinstance(args[0], OrderedDict):",
        loses=("test_my_sequential_forward",),
        why="a single module is taken for an OrderedDict (a mutation survivor: no check built one)",
    ),
    "sequential-children": Bug(
        cell="MySequential",
        old="for module in self._modules.values():",
        new="for module in self.children():",
        loses=("test_my_sequential_repeated_module",),
        why="children() skips a module given twice",
    ),
    "sequential-ignores-names": Bug(
        cell="MySequential",
        old=dedent(
            """\
            if len(args) == 1 and isinstance(args[0], OrderedDict):
                for key, module in args[0].items():
                    self.add_module(key, module)
            else:
                for idx, module in enumerate(args):
            """,
            indent=8,
        ),
        new=dedent(
            """\
            if len(args) == 1 and isinstance(args[0], OrderedDict):
                args = list(args[0].values())
            if True:
                for idx, module in enumerate(args):
            """,
            indent=8,
        ),
        loses=("test_my_sequential_ordered_dict",),
        why="OrderedDict names dropped",
    ),
    "flexible-plain-list": Bug(
        cell="FlexibleMLP",
        old="self.linears = nn.ModuleList([nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:])])",
        new="self.linears = [nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:])]",
        loses=("test_flexible_mlp_containers", "test_flexible_mlp_forward"),
        why="a Python list is not registered",
    ),
    "flexible-plain-dict": Bug(
        cell="FlexibleMLP",
        old='self.activations = nn.ModuleDict({"relu": nn.ReLU(), "sigmoid": nn.Sigmoid(), "tanh": nn.Tanh()})',
        new='self.activations = {"relu": nn.ReLU(), "sigmoid": nn.Sigmoid(), "tanh": nn.Tanh()}',
        loses=("test_flexible_mlp_containers",),
        why="activations in a plain dict, so the module does not register them",
    ),
    "flexible-act-after-last": Bug(
        cell="FlexibleMLP",
        old=dedent(
            """\
            if i > 0:
                x = self.activations[act](x)
            x = linear(x)""",
            indent=12,
        ),
        new="            x = self.activations[act](linear(x))",
        loses=("test_flexible_mlp_forward",),
        why="an activation after the output layer too",
    ),
    "param-shapes-indices": Bug(
        cell="param_shapes",
        old="return {name: tuple(param.shape) for name, param in net.named_parameters()}",
        new="return {str(i): tuple(param.shape) for i, param in enumerate(net.parameters())}",
        loses=("test_param_shapes",),
        why="parameters() has no names",
    ),
    "param-shapes-child-names": Bug(
        cell="param_shapes",
        old="return {name: tuple(param.shape) for name, param in net.named_parameters()}",
        new="return {name: tuple(p.shape) for child in net.children() for name, p in child.named_parameters()}",
        loses=("test_param_shapes",),
        why="a child's names lack the prefix and collide",
    ),
    "grads-no-zero": Bug(
        cell="grads_by_name",
        old="    net.zero_grad()\n",
        new="",
        loses=("test_grads_by_name",),
        why="gradients accumulate over calls",
    ),
    "grads-mean": Bug(
        cell="grads_by_name",
        old="net(X).sum().backward()",
        new="net(X).mean().backward()",
        loses=("test_grads_by_name",),
        why="backpropagates the mean instead of the sum, scaling every gradient down",
    ),
    "init-biases-normal": Bug(
        cell="init_by_name",
        old=dedent(
            """\
            if "bias" in name:
                init.constant_(param, val=0)""",
            indent=8,
        ),
        new=dedent(
            """\
            if "bias" in name:
                init.normal_(param, mean=0, std=0.01)""",
            indent=8,
        ),
        loses=("test_init_by_name",),
        why="biases drawn from a normal distribution instead of set to zero",
    ),
    "init-default-std": Bug(
        cell="init_by_name",
        old="init.normal_(param, mean=0, std=0.01)",
        new="init.normal_(param)",
        loses=("test_init_by_name",),
        why="std left at 1",
    ),
    "init-by-name-state-dict": Bug(
        cell="init_by_name",
        old=dedent("""\
            for name, param in net.named_parameters():
                    if "weight" in name:
                        init.normal_(param, mean=0, std=0.01)
                    if "bias" in name:"""),
        new=dedent("""\
            for name, param in net.state_dict().items():  # every tensor of the net, by name
                    if "weight" in name:
                        init.normal_(param, mean=0, std=0.01)
                    else:  # the biases"""),
        loses=("test_init_by_name",),
        why="state_dict() holds the buffers too: BatchNorm's running statistics are zeroed; old checks used Linear-only nets",
    ),
    "init-weight-no-no-grad": Bug(
        cell="init_weight_",
        old=dedent(
            """\
            with torch.no_grad():
                tensor.uniform_(-10, 10)
                tensor *= (tensor.abs() >= 5).float()""",
            indent=4,
        ),
        new=dedent(
            """\
            tensor.uniform_(-10, 10)
            tensor *= (tensor.abs() >= 5).float()""",
            indent=4,
        ),
        loses=("test_init_weight_in_place",),
        why="in-place change of a leaf that requires grad",
    ),
    "init-weight-rebinds": Bug(
        cell="init_weight_",
        old="tensor *= (tensor.abs() >= 5).float()",
        new="tensor = tensor * (tensor.abs() >= 5).float()",
        loses=("test_init_weight_distribution", "test_init_weight_in_place"),
        why="the mask lands on a new tensor",
    ),
    "init-weight-inverted": Bug(
        cell="init_weight_",
        old="tensor *= (tensor.abs() >= 5).float()",
        new="tensor *= (tensor.abs() < 5).float()",
        loses=("test_init_weight_distribution", "test_init_weight_in_place"),
        why="keeps the weights with |w| < 5 instead of those with |w| >= 5",
    ),
    "shared-two-layers": Bug(
        cell="SharedNet",
        old=dedent(
            """\
                self.act = nn.ReLU()

            def forward(self, x):
                return self.shared(self.act(self.shared(x)))""",
            indent=4,
        ),
        new=dedent(
            """\
                self.act = nn.ReLU()
                self.second = nn.Linear(width, width)

            def forward(self, x):
                return self.second(self.act(self.shared(x)))""",
            indent=4,
        ),
        loses=("test_shared_parameters_once", "test_shared_forward"),
        why="a second layer is not sharing",
    ),
    "shared-detached": Bug(
        cell="SharedNet",
        old="return self.shared(self.act(self.shared(x)))",
        new="return self.shared(self.act(self.shared(x)).detach())",
        loses=("test_shared_gradients_accumulate",),
        why="only the second use contributes",
    ),
    "centered-per-row": Bug(
        cell="CenteredLayer",
        old="return x - x.mean()",
        new="return x - x.mean(dim=-1, keepdim=True)",
        loses=("test_centered_layer_values",),
        why="subtracts each row's mean instead of the mean of the whole tensor",
    ),
    "centered-per-column": Bug(
        cell="CenteredLayer",
        old="return x - x.mean()",
        new="return x - x.mean(dim=0)",
        loses=("test_centered_layer_values", "test_centered_layer_in_a_network"),
        why="subtracts each column's mean instead of the mean of the whole tensor",
    ),
    "centered-in-place": Bug(
        cell="CenteredLayer",
        old="return x - x.mean()",
        new=dedent("""\
            x -= x.mean()
                    return x"""),
        loses=("test_centered_layer_values",),
        why="changes the caller's tensor: right values, but x is gone (old checks compared copies only)",
    ),
    "dense-plain-list": Bug(
        cell="MyDense",
        old="        self.params = nn.ParameterList([nn.Parameter(torch.randn(4, 4)) for i in range(3)])",
        new="        self.params = [nn.Parameter(torch.randn(4, 4)) for i in range(3)]",
        loses=("test_my_dense_parameters", "test_my_dense_forward"),
        why="parameters kept in a plain list (not registered)",
    ),
    "dense-skips-last": Bug(
        cell="MyDense",
        old="for i in range(len(self.params)):",
        new="for i in range(len(self.params) - 1):",
        loses=("test_my_dense_forward",),
        why="forward stops before the last parameter",
    ),
    "dict-dense-plain-dict": Bug(
        cell="MyDictDense",
        old="        self.params = nn.ParameterDict(\n",
        new="        self.params = dict(\n",
        loses=("test_my_dict_dense_parameters", "test_my_dict_dense_forward"),
        why="parameters kept in a plain dict (not registered)",
    ),
    "dict-dense-ignores-choice": Bug(
        cell="MyDictDense",
        old="return torch.mm(x, self.params[choice])",
        new='return torch.mm(x, self.params["linear1"])',
        loses=("test_my_dict_dense_forward",),
        why="always uses linear1, whatever choice was asked for",
    ),
    "save-fixed-name": Bug(
        cell="tensor_io",
        old="torch.save(tensors, path)",
        new='torch.save(tensors, "x.pt")',
        loses=("test_save_tensors",),
        why="the notes' file name instead of path",
    ),
    "save-arguments-swapped": Bug(
        cell="tensor_io",
        old="torch.save(tensors, path)",
        new="torch.save(path, tensors)",
        loses=("test_save_tensors",),
        why="torch.save(path, tensors): the object and the path swapped",
    ),
    "load-fixed-name": Bug(
        cell="tensor_io",
        old="return torch.load(path)",
        new='return torch.load("x.pt")',
        loses=("test_load_tensors",),
        why="loads a fixed file name instead of the path it was given",
    ),
    "load-tensors-cached": Bug(
        cell="tensor_io",
        old="def load_tensors(path):",
        new=dedent("""\
            import functools


            @functools.lru_cache(maxsize=None)  # a file is read only once
            def load_tensors(path):"""),
        loses=("test_load_tensors",),
        why="state left by an earlier call: a file written again is read as it was; old checks used a new path each time",
    ),
    "save-method-not-called": Bug(
        cell="state_dict_io",
        old="torch.save(net.state_dict(), path)",
        new="torch.save(net.state_dict, path)",
        loses=("test_save_params", "test_round_trip_with_your_mlp"),
        why="the method, not its result",
    ),
    "save-whole-module": Bug(
        cell="state_dict_io",
        old="torch.save(net.state_dict(), path)",
        new="torch.save(net, path)",
        loses=("test_save_params", "test_round_trip_with_your_mlp"),
        why="saves the whole module instead of its state_dict",
    ),
    "load-into-copy": Bug(
        cell="state_dict_io",
        old="net.load_state_dict(torch.load(path))",
        new="net.state_dict().update(torch.load(path))",
        loses=("test_load_params", "test_round_trip_with_your_mlp"),
        why="state_dict() is a new dict: updating it changes nothing",
    ),
    "save-named-parameters": Bug(
        cell="state_dict_io",
        old="torch.save(net.state_dict(), path)",
        new="torch.save(dict(net.named_parameters()), path)",
        loses=("test_save_params",),
        why="loses the buffers (BatchNorm's running statistics); old checks saved Linear-only nets",
    ),
    "load-parameters-only": Bug(
        cell="state_dict_io",
        old="    net.load_state_dict(torch.load(path))\n",
        new=dedent(
            """\
            state = torch.load(path)
            with torch.no_grad():
                for name, param in net.named_parameters():
                    param.copy_(state[name])
            """,
            indent=4,
        ),
        loses=("test_load_params",),
        why="copies the parameters and leaves the buffers at their defaults",
    ),
    "gpu-last-one-missed": Bug(
        cell="devices",
        old="if torch.cuda.device_count() >= i + 1:",
        new="if torch.cuda.device_count() > i + 1:",
        loses=("test_try_gpu",),
        why="off by one: the last GPU is never used; invisible on a machine with no GPU (a mutation survivor)",
    ),
    "gpu-always-cuda": Bug(
        cell="devices",
        old=dedent(
            """\
            if torch.cuda.device_count() >= i + 1:
                return torch.device(f"cuda:{i}")
            return torch.device("cpu")""",
            indent=4,
        ),
        new='    return torch.device(f"cuda:{i}")',
        loses=("test_try_gpu",),
        why="returns a CUDA device even when that GPU does not exist",
    ),
    "gpu-returns-string": Bug(
        cell="devices",
        old='    return torch.device("cpu")',
        new='    return "cpu"',
        loses=("test_try_gpu",),
        why="the CPU fallback is the string 'cpu', not a torch.device",
    ),
    "input-not-reassigned": Bug(
        cell="devices",
        old="    X = X.to(device)\n",
        new="    X.to(device)\n",
        loses=("test_predict_on_another_device",),
        why="Tensor.to returns a copy",
    ),
    "net-not-moved": Bug(
        cell="devices",
        old="    net = net.to(device)\n",
        new="",
        loses=("test_predict_on_another_device",),
        why="moves the input to the device but not the net",
    ),
}

ALTERNATIVES = {
    "mlp-output-first": Alternative(
        cell="MLP",
        code=dedent("""\
            class MLP(nn.Module):
                def __init__(self, **kwargs):
                    super(MLP, self).__init__(**kwargs)
                    self.output = nn.Linear(256, 10)
                    self.act = nn.ReLU()
                    self.hidden = nn.Linear(784, 256)

                def forward(self, x):
                    return self.output(self.act(self.hidden(x)))"""),
        why="layers defined in another order: state_dict order differs, names match",
    ),
    "sequential-modules-dict": Alternative(
        cell="MySequential",
        code=dedent("""\
            class MySequential(nn.Module):
                def __init__(self, *args):
                    super(MySequential, self).__init__()
                    if len(args) == 1 and isinstance(args[0], OrderedDict):
                        for key, module in args[0].items():
                            self._modules[key] = module
                    else:
                        for idx, module in enumerate(args):
                            setattr(self, str(idx), module)

                def forward(self, input):
                    for name in self._modules:
                        input = self._modules[name](input)
                    return input"""),
        why="the d2l way: _modules and setattr",
    ),
    "flexible-append": Alternative(
        cell="FlexibleMLP",
        code=dedent("""\
            class FlexibleMLP(nn.Module):
                def __init__(self, sizes):
                    super().__init__()
                    self.linears = nn.ModuleList()
                    for i in range(len(sizes) - 1):
                        self.linears.append(nn.Linear(sizes[i], sizes[i + 1]))
                    self.activations = nn.ModuleDict([['relu', nn.ReLU()], ['sigmoid', nn.Sigmoid()]])
                    self.activations['tanh'] = nn.Tanh()

                def forward(self, x, act='relu'):
                    *hidden, last = self.linears
                    for layer in hidden:
                        x = self.activations[act](layer(x))
                    return last(x)"""),
        why="containers filled by append and item assignment instead of built in one go",
    ),
    "param-shapes-size": Alternative(
        cell="param_shapes",
        code=dedent("""\
            def param_shapes(net):
                shapes = {}
                for name, param in net.named_parameters():
                    shapes[name] = param.size()
                return shapes"""),
        why="torch.Size is a tuple",
    ),
    "grads-autograd-grad": Alternative(
        cell="grads_by_name",
        code=dedent("""\
            def grads_by_name(net, X):
                names, params = zip(*net.named_parameters())
                grads = torch.autograd.grad(net(X).sum(), params)
                return dict(zip(names, grads))"""),
        why="torch.autograd.grad leaves .grad alone",
    ),
    "grads-set-none": Alternative(
        cell="grads_by_name",
        code=dedent("""\
            def grads_by_name(net, X):
                for p in net.parameters():
                    p.grad = None
                y = net(X).sum()
                y.backward()
                return {n: p.grad.detach().clone() for n, p in net.named_parameters()}"""),
        why="clears gradients by setting p.grad = None instead of zero_grad()",
    ),
    "init-by-data": Alternative(
        cell="init_by_name",
        code=dedent("""\
            def init_by_name(net):
                for name, param in net.named_parameters():
                    if 'weight' in name:
                        param.data.normal_(0, 0.01)
                    elif 'bias' in name:
                        param.data.zero_()"""),
        why="initialises through param.data with normal_ and zero_ instead of nn.init",
    ),
    "init-weight-data-masked-fill": Alternative(
        cell="init_weight_",
        code=dedent("""\
            def init_weight_(tensor):
                tensor.data.uniform_(-10, 10)
                tensor.data[tensor.data.abs() < 5] = 0"""),
        why="through .data",
    ),
    "init-weight-no-grad-masked-fill": Alternative(
        cell="init_weight_",
        code=dedent("""\
            def init_weight_(tensor):
                with torch.no_grad():
                    tensor.uniform_(-10, 10)
                    tensor.masked_fill_(tensor.abs() < 5, 0)
                return tensor"""),
        why="uniform_ then masked_fill_ under no_grad instead of multiplying by a mask",
    ),
    "shared-functional": Alternative(
        cell="SharedNet",
        code=dedent("""\
            class SharedNet(nn.Module):
                def __init__(self, width):
                    super().__init__()
                    self.shared = nn.Linear(width, width)
                    self.act = nn.ReLU()

                def forward(self, x):
                    for i in range(2):
                        x = self.shared(x)
                        if i == 0:
                            x = self.act(x)
                    return x"""),
        why="applies the shared layer twice in a loop instead of writing both calls",
    ),
    "centered-torch-mean": Alternative(
        cell="CenteredLayer",
        code=dedent("""\
            class CenteredLayer(nn.Module):
                def forward(self, x):
                    return x - torch.mean(x)"""),
        why="torch.mean(x) instead of x.mean()",
    ),
    "dense-append-matmul": Alternative(
        cell="MyDense",
        code=dedent("""\
            class MyDense(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.params = nn.ParameterList()
                    for shape in [(4, 4), (4, 4), (4, 4), (4, 1)]:
                        self.params.append(nn.Parameter(torch.randn(*shape)))

                def forward(self, x):
                    for p in self.params:
                        x = x @ p
                    return x"""),
        why="ParameterList filled by append; forward multiplies with @ in a loop",
    ),
    "dict-dense-from-dict": Alternative(
        cell="MyDictDense",
        code=dedent("""\
            class MyDictDense(nn.Module):
                def __init__(self):
                    super().__init__()
                    shapes = {'linear1': (4, 4), 'linear2': (4, 1), 'linear3': (4, 2)}
                    self.params = nn.ParameterDict({k: nn.Parameter(torch.randn(s)) for k, s in shapes.items()})

                def forward(self, x, choice='linear1'):
                    return x @ self.params[choice]"""),
        why="ParameterDict built by a comprehension; forward uses @",
    ),
    "tensor-io-file-objects": Alternative(
        cell="tensor_io",
        code=dedent("""\
            def save_tensors(tensors, path):
                with open(path, 'wb') as f:
                    torch.save(tensors, f)


            def load_tensors(path):
                with open(path, 'rb') as f:
                    return torch.load(f)"""),
        why="saves and loads through open file objects instead of paths",
    ),
    "state-dict-io-map-location": Alternative(
        cell="state_dict_io",
        code=dedent("""\
            def save_params(net, path):
                torch.save(OrderedDict(net.state_dict()), path)


            def load_params(net, path):
                state = torch.load(path, map_location='cpu', weights_only=True)
                net.load_state_dict(state, strict=True)
                return net"""),
        why="loads with map_location and weights_only, then a strict load_state_dict",
    ),
    "devices-index": Alternative(
        cell="devices",
        code=dedent("""\
            def try_gpu(i=0):
                return torch.device('cuda', i) if i < torch.cuda.device_count() else torch.device('cpu')


            def predict_on(net, X, device):
                net.to(device)
                return net(X.to(device))"""),
        why="Module.to moves in place; Tensor.to's copy is used directly",
    ),
}
