"""Sample submissions for 01_preliminaries: real bugs and correct alternatives."""

from autograder.variants import Alternative, Bug

BUGS = {
    "rebind-not-in-place": Bug(
        "add_in_place",
        "    y.add_(x)",
        "    y = x + y",
        ("test_add_in_place_values", "test_add_in_place_on_a_view"),
        "the notes' `y = x + y`: new memory, the caller's y is untouched",
    ),
    "add-without-underscore": Bug(
        "add_in_place",
        "    y.add_(x)",
        "    y = y.add(x)",
        ("test_add_in_place_values", "test_add_in_place_on_a_view"),
        "out-of-place add",
    ),
    "replace-data": Bug(
        "add_in_place",
        "    y.add_(x)",
        "    y.data = x + y",
        ("test_add_in_place_on_a_view",),
        "y gets new memory: a view no longer writes into its base",
    ),
    "view-without-clone": Bug(
        "reshaped_copy",
        "x.clone().view(shape)",
        "x.view(shape)",
        ("test_reshaped_copy_shares_no_memory",),
        "view shares the data",
    ),
    "reshape-without-clone": Bug(
        "reshaped_copy",
        "x.clone().view(shape)",
        "x.reshape(shape)",
        ("test_reshaped_copy_shares_no_memory",),
        "reshape need not copy",
    ),
    "copy-outside-autograd": Bug(
        "reshaped_copy",
        "x.clone().view(shape)",
        "torch.tensor(x.tolist()).view(shape)",
        ("test_reshaped_copy_gradient",),
        "a copy autograd does not record",
    ),
    "numpy-copies": Bug(
        "numpy_bridge",
        "return t.numpy()",
        "return np.array(t)",
        ("test_tensor_to_numpy_shares_memory",),
        "np.array copies",
    ),
    "always-copy": Bug(
        "numpy_bridge",
        "    return torch.from_numpy(array)",
        "    return torch.tensor(array)",
        ("test_numpy_to_tensor_shares_memory",),
        "torch.tensor instead of from_numpy",
    ),
    "never-copy": Bug(
        "numpy_bridge",
        "        return torch.tensor(array)",
        "        return torch.from_numpy(array)",
        ("test_numpy_to_tensor_copies",),
        "copy flag ignored",
    ),
    "legacy-constructor": Bug(
        "numpy_bridge",
        "        return torch.tensor(array)",
        "        return torch.Tensor(array)",
        ("test_numpy_to_tensor_copies",),
        "torch.Tensor makes float32",
    ),
    "outer-transposed": Bug(
        "outer_sum",
        "a.view(-1, 1) + b.view(1, -1)",
        "a.view(1, -1) + b.view(-1, 1)",
        ("test_outer_sum_values",),
        "b as the column: (n, m)",
    ),
    "outer-elementwise": Bug(
        "outer_sum",
        "a.view(-1, 1) + b.view(1, -1)",
        "a + b",
        ("test_outer_sum_values", "test_outer_sum_gradient"),
        "no broadcasting at all",
    ),
    "outer-loop": Bug(
        "outer_sum",
        "    return a.view(-1, 1) + b.view(1, -1)",
        "    return torch.stack([a[i] + b for i in range(len(a))])",
        ("test_outer_sum_without_loops",),
        "right values, Python loop",
    ),
    "device-ignored": Bug(
        "add_ones_on",
        "    y = torch.ones_like(x, device=device)\n    x = x.to(device)\n    return x + y",
        "    return x + torch.ones_like(x)",
        ("test_add_ones_on_another_device",),
        "everything stays on the CPU",
    ),
    "to-not-assigned": Bug(
        "add_ones_on",
        "    x = x.to(device)",
        "    x.to(device)",
        ("test_add_ones_on_another_device",),
        "x.to returns a copy; x stays where it was",
    ),
    "ones-on-cpu": Bug(
        "add_ones_on",
        "y = torch.ones_like(x, device=device)",
        "y = torch.ones_like(x)",
        ("test_add_ones_on_another_device",),
        "ones created on the CPU",
    ),
    "scalar-grad-on-callers-x": Bug(
        "scalar_grad",
        "x = x.detach().clone().requires_grad_(True)",
        "x.requires_grad_(True)",
        ("test_scalar_grad_values",),
        "marks the caller's x: its gradient piles up in x.grad on a second call (old checks sent a fresh copy each time)",
    ),
    "accumulate-on-callers-x": Bug(
        "accumulate_then_zero",
        "x = x.detach().clone().requires_grad_(True)",
        "x.requires_grad_(True)",
        ("test_accumulated_gradient",),
        "marks the caller's x: the second call starts from the last call's x.grad",
    ),
    "vjp-on-callers-x": Bug(
        "vector_jacobian_product",
        "x = x.detach().clone().requires_grad_(True)",
        "x.requires_grad_(True)",
        ("test_vjp_elementwise",),
        "marks the caller's x: v^T J doubles on a second call with the same x",
    ),
    "detached-on-callers-x": Bug(
        "grad_through_detached",
        "x = x.detach().clone().requires_grad_(True)",
        "x.requires_grad_(True)",
        ("test_grad_through_detached",),
        "marks the caller's x: the gradient piles up in x.grad on a second call",
    ),
    "ones-default-dtype": Bug(
        "add_ones_on",
        "y = torch.ones_like(x, device=device)",
        "y = torch.ones(x.shape, device=device)",
        ("test_add_ones_on_the_grading_device",),
        "ones in the default float32: a float16 x comes back float32 (old checks drew float32 only)",
    ),
    "ones-added-in-place": Bug(
        cell="add_ones_on",
        old="    return x + y",
        new="    return x.add_(y)",
        loses=("test_add_ones_on_the_grading_device",),
        why="x.to(device) is x itself when x is already there, so add_ changes the caller's x (right result, on any device)",
    ),
    "copy-into-fresh-tensor": Bug(
        cell="reshaped_copy",
        old="    return x.clone().view(shape)",
        new="    return torch.empty(shape, dtype=x.dtype).copy_(x.view(shape))",
        loses=("test_reshaped_copy_values", "test_reshaped_copy_shares_no_memory", "test_reshaped_copy_gradient"),
        why="right for a full shape, but torch.empty cannot take the -1 the contract allows (drawn only by chance before)",
    ),
    "sum-not-mean": Bug(
        "scalar_grad", "out = z.mean()", "out = z.sum()", ("test_scalar_grad_values", "test_scalar_grad_uses_autograd")
    ),
    "gradient-by-hand": Bug(
        "scalar_grad",
        "    x = x.detach().clone().requires_grad_(True)\n    y = x + 2\n    z = y * y * 3\n    out = z.mean()\n"
        "    out.backward()\n    return x.grad",
        "    return 6 * (x + 2) / x.numel()",
        ("test_scalar_grad_uses_autograd",),
        "right values, no autograd",
    ),
    "no-zeroing": Bug(
        "accumulate_then_zero",
        "    x.grad.data.zero_()\n",
        "",
        ("test_gradient_after_zeroing",),
        "gradients keep accumulating",
    ),
    "aliased-grad": Bug(
        "accumulate_then_zero",
        "accumulated = x.grad.clone()",
        "accumulated = x.grad",
        ("test_accumulated_gradient",),
        "the kept gradient is zeroed in place later",
    ),
    "zeroed-too-early": Bug(
        "accumulate_then_zero",
        "    (3 * (x + 2) ** 2).mean().backward()\n    x.sum().backward()",
        "    (3 * (x + 2) ** 2).mean().backward()\n    x.grad.data.zero_()\n    x.sum().backward()",
        ("test_accumulated_gradient",),
        "zeroed between the two passes",
    ),
    "v-ignored": Bug(
        "vector_jacobian_product",
        "    y.backward(v)",
        "    y.sum().backward()",
        ("test_vjp_elementwise", "test_vjp_through_mixing_functions"),
        "backward of the sum: v never used",
    ),
    "v-multiplied-after": Bug(
        "vector_jacobian_product",
        "    y.backward(v)\n    return x.grad",
        "    y.sum().backward()\n    return x.grad * v",
        ("test_vjp_through_mixing_functions",),
        "right only for elementwise functions",
    ),
    "detach-not-data": Bug(
        "scale_data_",
        "x.data *= factor",
        "x.detach().mul_(factor)",
        ("test_scale_data_keeps_the_graph",),
        "detach shares the version counter",
    ),
    "no-grad-not-data": Bug(
        "scale_data_",
        "    x.data *= factor",
        "    with torch.no_grad():\n        x.mul_(factor)",
        ("test_scale_data_keeps_the_graph",),
        "no_grad still counts the in-place change",
    ),
    "rebind-scaled": Bug(
        "scale_data_", "x.data *= factor", "x = x * factor", ("test_scale_data_values",), "the caller's x is untouched"
    ),
    "no-detach": Bug(
        "grad_through_detached",
        "u = (x * x).detach()",
        "u = x * x",
        ("test_grad_through_detached",),
        "gradient also flows through u",
    ),
    "detach-wrong-factor": Bug(
        "grad_through_detached",
        "    u = (x * x).detach()\n    z = (u * x).sum()",
        "    u = x * x\n    z = (u * x.detach()).sum()",
        ("test_grad_through_detached",),
        "the other factor detached",
    ),
    "no-with": Bug(
        "predict_no_grad",
        "    with torch.no_grad():\n        return net(X)",
        "    torch.no_grad()\n    return net(X)",
        ("test_predict_no_grad",),
        "the context manager is created but never entered",
    ),
    "eval-instead": Bug(
        "predict_no_grad",
        "    with torch.no_grad():\n        return net(X)",
        "    net.eval()\n    return net(X)",
        ("test_predict_no_grad",),
        "eval mode is not no_grad",
    ),
    "grad-left-off": Bug(
        "predict_no_grad",
        "    with torch.no_grad():\n        return net(X)",
        "    torch.set_grad_enabled(False)\n    return net(X)",
        ("test_grad_mode_restored",),
        "recording switched off for good",
    ),
}

ALTERNATIVES = {
    "slice-assign": Alternative("add_in_place", "def add_in_place(x, y):\n    y[:] = x + y"),
    "out-argument": Alternative("add_in_place", "def add_in_place(x, y):\n    torch.add(x, y, out=y)"),
    "plus-equals": Alternative("add_in_place", "def add_in_place(x, y):\n    y += x"),
    "clone-reshape": Alternative("reshaped_copy", "def reshaped_copy(x, shape):\n    return torch.clone(x).reshape(*shape)"),
    "view-then-clone": Alternative("reshaped_copy", "def reshaped_copy(x, shape):\n    return x.view(shape).clone()"),
    "as-tensor-and-copy": Alternative(
        "numpy_bridge",
        "def tensor_to_numpy(t):\n    return t.detach().numpy()\n\n\n"
        "def numpy_to_tensor(array, copy=False):\n"
        "    shared = torch.as_tensor(array)\n"
        "    return shared.clone() if copy else shared",
    ),
    "from-numpy-of-a-copy": Alternative(
        "numpy_bridge",
        "def tensor_to_numpy(t):\n    return np.asarray(t)\n\n\n"
        "def numpy_to_tensor(array, copy=False):\n"
        "    return torch.from_numpy(array.copy() if copy else array)",
        "np.asarray shares a CPU tensor's memory",
    ),
    "none-indexing": Alternative("outer_sum", "def outer_sum(a, b):\n    return a[:, None] + b"),
    "unsqueeze": Alternative("outer_sum", "def outer_sum(a, b):\n    return torch.add(a.unsqueeze(1), b.unsqueeze(0))"),
    "device-in-one-line": Alternative(
        "add_ones_on",
        "def add_ones_on(x, device):\n    return x.to(device) + torch.ones(x.shape, dtype=x.dtype, device=device)",
    ),
    "scalar-autograd-grad": Alternative(
        "scalar_grad",
        "def scalar_grad(x):\n    x = torch.tensor(x.tolist(), dtype=x.dtype, requires_grad=True)\n"
        "    out = torch.mean(3 * (x + 2) ** 2)\n    return torch.autograd.grad(out, x)[0]",
    ),
    "grad-set-to-none": Alternative(
        "accumulate_then_zero",
        "def accumulate_then_zero(x):\n    x = x.clone().requires_grad_()\n"
        "    out = (3 * (x + 2) * (x + 2)).mean()\n    out.backward()\n    x.sum().backward()\n"
        "    first = x.grad\n    x.grad = None\n    x.sum().backward()\n    return first, x.grad",
        "a new .grad tensor, so the old one can be kept without a copy",
    ),
    "vjp-weighted-sum": Alternative(
        "vector_jacobian_product",
        "def vector_jacobian_product(f, x, v):\n    x = x.detach().requires_grad_()\n"
        "    (f(x) * v).sum().backward()\n    return x.grad",
    ),
    "vjp-autograd-grad": Alternative(
        "vector_jacobian_product",
        "def vector_jacobian_product(f, x, v):\n    x = x.clone().requires_grad_()\n"
        "    return torch.autograd.grad(f(x), x, grad_outputs=v)[0]",
    ),
    "data-mul": Alternative("scale_data_", "def scale_data_(x, factor):\n    x.data.mul_(factor)"),
    "data-assign": Alternative("scale_data_", "def scale_data_(x, factor):\n    x.data = x.data * factor"),
    "detach-via-data": Alternative(
        "grad_through_detached",
        "def grad_through_detached(x):\n    x = x.clone().requires_grad_()\n    u = x.data * x.data\n"
        "    (u * x).sum().backward()\n    return x.grad",
    ),
    "detach-result": Alternative("predict_no_grad", "def predict_no_grad(net, X):\n    return net(X).detach()"),
    "no-grad-decorator": Alternative(
        "predict_no_grad", "@torch.no_grad()\ndef predict_no_grad(net, X):\n    return net(X)", "no_grad as a decorator"
    ),
}
