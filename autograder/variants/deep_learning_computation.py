"""Sample submissions for 05_deep_learning_computation: real bugs and correct alternatives."""

from textwrap import dedent

from autograder.variants import Alternative, Bug

BUGS = {
    "mlp-no-activation": Bug(
        "MLP",
        "a = self.act(self.hidden(x))",
        "a = self.hidden(x)",
        ("test_mlp_outputs",),
        "act defined but never applied",
    ),
    "mlp-renamed-act": Bug(
        "MLP",
        "        self.act = nn.ReLU()\n",
        "        self.relu = nn.ReLU()\n",
        ("test_mlp_attributes",),
        "the name from the notes' saving example",
    ),
    "mlp-wrong-hidden-size": Bug(
        "MLP",
        "self.hidden = nn.Linear(784, 256)\n",
        "self.hidden = nn.Linear(784, 128)\n",
        ("test_mlp_attributes", "test_mlp_outputs", "test_round_trip_with_your_mlp"),
    ),
    "sequential-plain-list": Bug(
        "MySequential",
        "        if len(args) == 1 and isinstance(args[0], OrderedDict):\n"
        "            for key, module in args[0].items():\n"
        "                self.add_module(key, module)\n"
        "        else:\n"
        "            for idx, module in enumerate(args):\n"
        "                self.add_module(str(idx), module)\n\n"
        "    def forward(self, x):\n"
        "        for module in self._modules.values():",
        "        self.layers = list(args[0].values()) if len(args) == 1 and isinstance(args[0], OrderedDict) else list(args)\n\n"
        "    def forward(self, x):\n"
        "        for module in self.layers:",
        ("test_my_sequential_registers_children", "test_my_sequential_ordered_dict"),
        "parameters kept in a plain list (not registered)",
    ),
    "sequential-single-module": Bug(
        "MySequential",
        "if len(args) == 1 and isinstance(args[0], OrderedDict):",
        "if len(args) == 1 or isinstance(args[0], OrderedDict):",
        ("test_my_sequential_forward",),
        "a single module is taken for an OrderedDict (a mutation survivor: no check built one)",
    ),
    "sequential-children": Bug(
        "MySequential",
        "for module in self._modules.values():",
        "for module in self.children():",
        ("test_my_sequential_repeated_module",),
        "children() skips a module given twice",
    ),
    "sequential-ignores-names": Bug(
        "MySequential",
        "        if len(args) == 1 and isinstance(args[0], OrderedDict):\n"
        "            for key, module in args[0].items():\n"
        "                self.add_module(key, module)\n"
        "        else:\n"
        "            for idx, module in enumerate(args):\n",
        "        if len(args) == 1 and isinstance(args[0], OrderedDict):\n"
        "            args = list(args[0].values())\n"
        "        if True:\n"
        "            for idx, module in enumerate(args):\n",
        ("test_my_sequential_ordered_dict",),
        "OrderedDict names dropped",
    ),
    "flexible-plain-list": Bug(
        "FlexibleMLP",
        "self.linears = nn.ModuleList([nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:])])",
        "self.linears = [nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:])]",
        ("test_flexible_mlp_containers", "test_flexible_mlp_forward"),
        "a Python list is not registered",
    ),
    "flexible-plain-dict": Bug(
        "FlexibleMLP",
        'self.activations = nn.ModuleDict({"relu": nn.ReLU(), "sigmoid": nn.Sigmoid(), "tanh": nn.Tanh()})',
        'self.activations = {"relu": nn.ReLU(), "sigmoid": nn.Sigmoid(), "tanh": nn.Tanh()}',
        ("test_flexible_mlp_containers",),
    ),
    "flexible-act-after-last": Bug(
        "FlexibleMLP",
        "            if i > 0:\n                x = self.activations[act](x)\n            x = linear(x)",
        "            x = self.activations[act](linear(x))",
        ("test_flexible_mlp_forward",),
        "an activation after the output layer too",
    ),
    "param-shapes-indices": Bug(
        "param_shapes",
        "return {name: tuple(param.shape) for name, param in net.named_parameters()}",
        "return {str(i): tuple(param.shape) for i, param in enumerate(net.parameters())}",
        ("test_param_shapes",),
        "parameters() has no names",
    ),
    "param-shapes-child-names": Bug(
        "param_shapes",
        "return {name: tuple(param.shape) for name, param in net.named_parameters()}",
        "return {name: tuple(p.shape) for child in net.children() for name, p in child.named_parameters()}",
        ("test_param_shapes",),
        "a child's names lack the prefix and collide",
    ),
    "grads-no-zero": Bug(
        "grads_by_name",
        "    net.zero_grad()\n",
        "",
        ("test_grads_by_name",),
        "gradients accumulate over calls",
    ),
    "grads-mean": Bug(
        "grads_by_name",
        "net(X).sum().backward()",
        "net(X).mean().backward()",
        ("test_grads_by_name",),
    ),
    "init-biases-normal": Bug(
        "init_by_name",
        '        if "bias" in name:\n            init.constant_(param, val=0)',
        '        if "bias" in name:\n            init.normal_(param, mean=0, std=0.01)',
        ("test_init_by_name",),
    ),
    "init-default-std": Bug(
        "init_by_name",
        "init.normal_(param, mean=0, std=0.01)",
        "init.normal_(param)",
        ("test_init_by_name",),
        "std left at 1",
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
        "init_weight_",
        "    with torch.no_grad():\n        tensor.uniform_(-10, 10)\n        tensor *= (tensor.abs() >= 5).float()",
        "    tensor.uniform_(-10, 10)\n    tensor *= (tensor.abs() >= 5).float()",
        ("test_init_weight_in_place",),
        "in-place change of a leaf that requires grad",
    ),
    "init-weight-rebinds": Bug(
        "init_weight_",
        "tensor *= (tensor.abs() >= 5).float()",
        "tensor = tensor * (tensor.abs() >= 5).float()",
        ("test_init_weight_distribution", "test_init_weight_in_place"),
        "the mask lands on a new tensor",
    ),
    "init-weight-inverted": Bug(
        "init_weight_",
        "tensor *= (tensor.abs() >= 5).float()",
        "tensor *= (tensor.abs() < 5).float()",
        ("test_init_weight_distribution", "test_init_weight_in_place"),
    ),
    "shared-two-layers": Bug(
        "SharedNet",
        "        self.act = nn.ReLU()\n\n    def forward(self, x):\n        return self.shared(self.act(self.shared(x)))",
        "        self.act = nn.ReLU()\n        self.second = nn.Linear(width, width)\n\n"
        "    def forward(self, x):\n        return self.second(self.act(self.shared(x)))",
        ("test_shared_parameters_once", "test_shared_forward"),
        "a second layer is not sharing",
    ),
    "shared-detached": Bug(
        "SharedNet",
        "return self.shared(self.act(self.shared(x)))",
        "return self.shared(self.act(self.shared(x)).detach())",
        ("test_shared_gradients_accumulate",),
        "only the second use contributes",
    ),
    "centered-per-row": Bug(
        "CenteredLayer",
        "return x - x.mean()",
        "return x - x.mean(dim=-1, keepdim=True)",
        ("test_centered_layer_values",),
    ),
    "centered-per-column": Bug(
        "CenteredLayer",
        "return x - x.mean()",
        "return x - x.mean(dim=0)",
        ("test_centered_layer_values", "test_centered_layer_in_a_network"),
    ),
    "centered-in-place": Bug(
        "CenteredLayer",
        "return x - x.mean()",
        "x -= x.mean()\n        return x",
        ("test_centered_layer_values",),
        "changes the caller's tensor: right values, but x is gone (old checks compared copies only)",
    ),
    "dense-plain-list": Bug(
        "MyDense",
        "        self.params = nn.ParameterList([nn.Parameter(torch.randn(4, 4)) for i in range(3)])",
        "        self.params = [nn.Parameter(torch.randn(4, 4)) for i in range(3)]",
        ("test_my_dense_parameters", "test_my_dense_forward"),
        "parameters kept in a plain list (not registered)",
    ),
    "dense-skips-last": Bug(
        "MyDense",
        "for i in range(len(self.params)):",
        "for i in range(len(self.params) - 1):",
        ("test_my_dense_forward",),
    ),
    "dict-dense-plain-dict": Bug(
        "MyDictDense",
        "        self.params = nn.ParameterDict(\n",
        "        self.params = dict(\n",
        ("test_my_dict_dense_parameters", "test_my_dict_dense_forward"),
        "parameters kept in a plain dict (not registered)",
    ),
    "dict-dense-ignores-choice": Bug(
        "MyDictDense",
        "return torch.mm(x, self.params[choice])",
        'return torch.mm(x, self.params["linear1"])',
        ("test_my_dict_dense_forward",),
    ),
    "save-fixed-name": Bug(
        "tensor_io",
        "torch.save(tensors, path)",
        'torch.save(tensors, "x.pt")',
        ("test_save_tensors",),
        "the notes' file name instead of path",
    ),
    "save-arguments-swapped": Bug(
        "tensor_io",
        "torch.save(tensors, path)",
        "torch.save(path, tensors)",
        ("test_save_tensors",),
    ),
    "load-fixed-name": Bug("tensor_io", "return torch.load(path)", 'return torch.load("x.pt")', ("test_load_tensors",)),
    "load-tensors-cached": Bug(
        cell="tensor_io",
        old="def load_tensors(path):",
        new="import functools\n\n\n@functools.lru_cache(maxsize=None)  # a file is read only once\ndef load_tensors(path):",
        loses=("test_load_tensors",),
        why="state left by an earlier call: a file written again is read as it was; old checks used a new path each time",
    ),
    "save-method-not-called": Bug(
        "state_dict_io",
        "torch.save(net.state_dict(), path)",
        "torch.save(net.state_dict, path)",
        ("test_save_params", "test_round_trip_with_your_mlp"),
        "the method, not its result",
    ),
    "save-whole-module": Bug(
        "state_dict_io",
        "torch.save(net.state_dict(), path)",
        "torch.save(net, path)",
        ("test_save_params", "test_round_trip_with_your_mlp"),
    ),
    "load-into-copy": Bug(
        "state_dict_io",
        "net.load_state_dict(torch.load(path))",
        "net.state_dict().update(torch.load(path))",
        ("test_load_params", "test_round_trip_with_your_mlp"),
        "state_dict() is a new dict: updating it changes nothing",
    ),
    "save-named-parameters": Bug(
        "state_dict_io",
        "torch.save(net.state_dict(), path)",
        "torch.save(dict(net.named_parameters()), path)",
        ("test_save_params",),
        "loses the buffers (BatchNorm's running statistics); old checks saved Linear-only nets",
    ),
    "load-parameters-only": Bug(
        "state_dict_io",
        "    net.load_state_dict(torch.load(path))\n",
        "    state = torch.load(path)\n"
        "    with torch.no_grad():\n"
        "        for name, param in net.named_parameters():\n"
        "            param.copy_(state[name])\n",
        ("test_load_params",),
        "copies the parameters and leaves the buffers at their defaults",
    ),
    "gpu-last-one-missed": Bug(
        "devices",
        "if torch.cuda.device_count() >= i + 1:",
        "if torch.cuda.device_count() > i + 1:",
        ("test_try_gpu",),
        "off by one: the last GPU is never used; invisible on a machine with no GPU (a mutation survivor)",
    ),
    "gpu-always-cuda": Bug(
        "devices",
        '    if torch.cuda.device_count() >= i + 1:\n        return torch.device(f"cuda:{i}")\n    return torch.device("cpu")',
        '    return torch.device(f"cuda:{i}")',
        ("test_try_gpu",),
    ),
    "gpu-returns-string": Bug(
        "devices",
        '    return torch.device("cpu")',
        '    return "cpu"',
        ("test_try_gpu",),
    ),
    "input-not-reassigned": Bug(
        "devices",
        "    X = X.to(device)\n",
        "    X.to(device)\n",
        ("test_predict_on_another_device",),
        "Tensor.to returns a copy",
    ),
    "net-not-moved": Bug(
        "devices",
        "    net = net.to(device)\n",
        "",
        ("test_predict_on_another_device",),
    ),
}

ALTERNATIVES = {
    "mlp-output-first": Alternative(
        "MLP",
        "class MLP(nn.Module):\n"
        "    def __init__(self, **kwargs):\n"
        "        super(MLP, self).__init__(**kwargs)\n"
        "        self.output = nn.Linear(256, 10)\n"
        "        self.act = nn.ReLU()\n"
        "        self.hidden = nn.Linear(784, 256)\n\n"
        "    def forward(self, x):\n"
        "        return self.output(self.act(self.hidden(x)))",
        "layers defined in another order: state_dict order differs, names match",
    ),
    "sequential-modules-dict": Alternative(
        "MySequential",
        "class MySequential(nn.Module):\n"
        "    def __init__(self, *args):\n"
        "        super(MySequential, self).__init__()\n"
        "        if len(args) == 1 and isinstance(args[0], OrderedDict):\n"
        "            for key, module in args[0].items():\n"
        "                self._modules[key] = module\n"
        "        else:\n"
        "            for idx, module in enumerate(args):\n"
        "                setattr(self, str(idx), module)\n\n"
        "    def forward(self, input):\n"
        "        for name in self._modules:\n"
        "            input = self._modules[name](input)\n"
        "        return input",
        "the d2l way: _modules and setattr",
    ),
    "flexible-append": Alternative(
        "FlexibleMLP",
        "class FlexibleMLP(nn.Module):\n"
        "    def __init__(self, sizes):\n"
        "        super().__init__()\n"
        "        self.linears = nn.ModuleList()\n"
        "        for i in range(len(sizes) - 1):\n"
        "            self.linears.append(nn.Linear(sizes[i], sizes[i + 1]))\n"
        "        self.activations = nn.ModuleDict([['relu', nn.ReLU()], ['sigmoid', nn.Sigmoid()]])\n"
        "        self.activations['tanh'] = nn.Tanh()\n\n"
        "    def forward(self, x, act='relu'):\n"
        "        *hidden, last = self.linears\n"
        "        for layer in hidden:\n"
        "            x = self.activations[act](layer(x))\n"
        "        return last(x)",
    ),
    "param-shapes-size": Alternative(
        "param_shapes",
        "def param_shapes(net):\n"
        "    shapes = {}\n"
        "    for name, param in net.named_parameters():\n"
        "        shapes[name] = param.size()\n"
        "    return shapes",
        "torch.Size is a tuple",
    ),
    "grads-autograd-grad": Alternative(
        "grads_by_name",
        "def grads_by_name(net, X):\n"
        "    names, params = zip(*net.named_parameters())\n"
        "    grads = torch.autograd.grad(net(X).sum(), params)\n"
        "    return dict(zip(names, grads))",
        "torch.autograd.grad leaves .grad alone",
    ),
    "grads-set-none": Alternative(
        "grads_by_name",
        "def grads_by_name(net, X):\n"
        "    for p in net.parameters():\n"
        "        p.grad = None\n"
        "    y = net(X).sum()\n"
        "    y.backward()\n"
        "    return {n: p.grad.detach().clone() for n, p in net.named_parameters()}",
    ),
    "init-by-data": Alternative(
        "init_by_name",
        "def init_by_name(net):\n"
        "    for name, param in net.named_parameters():\n"
        "        if 'weight' in name:\n"
        "            param.data.normal_(0, 0.01)\n"
        "        elif 'bias' in name:\n"
        "            param.data.zero_()",
    ),
    "init-weight-data-masked-fill": Alternative(
        "init_weight_",
        "def init_weight_(tensor):\n    tensor.data.uniform_(-10, 10)\n    tensor.data[tensor.data.abs() < 5] = 0",
        "through .data",
    ),
    "init-weight-no-grad-masked-fill": Alternative(
        "init_weight_",
        "def init_weight_(tensor):\n"
        "    with torch.no_grad():\n"
        "        tensor.uniform_(-10, 10)\n"
        "        tensor.masked_fill_(tensor.abs() < 5, 0)\n"
        "    return tensor",
    ),
    "shared-functional": Alternative(
        "SharedNet",
        "class SharedNet(nn.Module):\n"
        "    def __init__(self, width):\n"
        "        super().__init__()\n"
        "        self.shared = nn.Linear(width, width)\n"
        "        self.act = nn.ReLU()\n\n"
        "    def forward(self, x):\n"
        "        for i in range(2):\n"
        "            x = self.shared(x)\n"
        "            if i == 0:\n"
        "                x = self.act(x)\n"
        "        return x",
    ),
    "centered-torch-mean": Alternative(
        "CenteredLayer",
        "class CenteredLayer(nn.Module):\n    def forward(self, x):\n        return x - torch.mean(x)",
    ),
    "dense-append-matmul": Alternative(
        "MyDense",
        "class MyDense(nn.Module):\n"
        "    def __init__(self):\n"
        "        super().__init__()\n"
        "        self.params = nn.ParameterList()\n"
        "        for shape in [(4, 4), (4, 4), (4, 4), (4, 1)]:\n"
        "            self.params.append(nn.Parameter(torch.randn(*shape)))\n\n"
        "    def forward(self, x):\n"
        "        for p in self.params:\n"
        "            x = x @ p\n"
        "        return x",
    ),
    "dict-dense-from-dict": Alternative(
        "MyDictDense",
        "class MyDictDense(nn.Module):\n"
        "    def __init__(self):\n"
        "        super().__init__()\n"
        "        shapes = {'linear1': (4, 4), 'linear2': (4, 1), 'linear3': (4, 2)}\n"
        "        self.params = nn.ParameterDict({k: nn.Parameter(torch.randn(s)) for k, s in shapes.items()})\n\n"
        "    def forward(self, x, choice='linear1'):\n"
        "        return x @ self.params[choice]",
    ),
    "tensor-io-file-objects": Alternative(
        "tensor_io",
        "def save_tensors(tensors, path):\n"
        "    with open(path, 'wb') as f:\n"
        "        torch.save(tensors, f)\n\n\n"
        "def load_tensors(path):\n"
        "    with open(path, 'rb') as f:\n"
        "        return torch.load(f)",
    ),
    "state-dict-io-map-location": Alternative(
        "state_dict_io",
        "def save_params(net, path):\n"
        "    torch.save(OrderedDict(net.state_dict()), path)\n\n\n"
        "def load_params(net, path):\n"
        "    state = torch.load(path, map_location='cpu', weights_only=True)\n"
        "    net.load_state_dict(state, strict=True)\n"
        "    return net",
    ),
    "devices-index": Alternative(
        "devices",
        "def try_gpu(i=0):\n"
        "    return torch.device('cuda', i) if i < torch.cuda.device_count() else torch.device('cpu')\n\n\n"
        "def predict_on(net, X, device):\n"
        "    net.to(device)\n"
        "    return net(X.to(device))",
        "Module.to moves in place; Tensor.to's copy is used directly",
    ),
}
