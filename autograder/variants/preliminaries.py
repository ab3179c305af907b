"""Sample submissions for 01_preliminaries: real bugs and correct alternatives."""

from autograder.variants import Alternative, Bug, dedent

BUGS = {
    "rebind-not-in-place": Bug(
        cell="add_in_place",
        old="    y.add_(x)",
        new="    y = x + y",
        loses=("test_add_in_place_values", "test_add_in_place_on_a_view"),
        why="the notes' `y = x + y`: new memory, the caller's y is untouched",
    ),
    "add-without-underscore": Bug(
        cell="add_in_place",
        old="    y.add_(x)",
        new="    y = y.add(x)",
        loses=("test_add_in_place_values", "test_add_in_place_on_a_view"),
        why="out-of-place add",
    ),
    "replace-data": Bug(
        cell="add_in_place",
        old="    y.add_(x)",
        new="    y.data = x + y",
        loses=("test_add_in_place_on_a_view",),
        why="y gets new memory: a view no longer writes into its base",
    ),
    "view-without-clone": Bug(
        cell="reshaped_copy",
        old="x.clone().view(shape)",
        new="x.view(shape)",
        loses=("test_reshaped_copy_shares_no_memory",),
        why="view shares the data",
    ),
    "reshape-without-clone": Bug(
        cell="reshaped_copy",
        old="x.clone().view(shape)",
        new="x.reshape(shape)",
        loses=("test_reshaped_copy_shares_no_memory",),
        why="reshape need not copy",
    ),
    "copy-outside-autograd": Bug(
        cell="reshaped_copy",
        old="x.clone().view(shape)",
        new="torch.tensor(x.tolist()).view(shape)",
        loses=("test_reshaped_copy_gradient",),
        why="a copy autograd does not record",
    ),
    "numpy-copies": Bug(
        cell="numpy_bridge",
        old="return t.numpy()",
        new="return np.array(t)",
        loses=("test_tensor_to_numpy_shares_memory",),
        why="np.array copies",
    ),
    "always-copy": Bug(
        cell="numpy_bridge",
        old="    return torch.from_numpy(array)",
        new="    return torch.tensor(array)",
        loses=("test_numpy_to_tensor_shares_memory",),
        why="torch.tensor instead of from_numpy",
    ),
    "never-copy": Bug(
        cell="numpy_bridge",
        old="        return torch.tensor(array)",
        new="        return torch.from_numpy(array)",
        loses=("test_numpy_to_tensor_copies",),
        why="copy flag ignored",
    ),
    "legacy-constructor": Bug(
        cell="numpy_bridge",
        old="        return torch.tensor(array)",
        new="        return torch.Tensor(array)",
        loses=("test_numpy_to_tensor_copies",),
        why="torch.Tensor makes float32",
    ),
    "outer-transposed": Bug(
        cell="outer_sum",
        old="a.view(-1, 1) + b.view(1, -1)",
        new="a.view(1, -1) + b.view(-1, 1)",
        loses=("test_outer_sum_values",),
        why="b as the column: (n, m)",
    ),
    "outer-elementwise": Bug(
        cell="outer_sum",
        old="a.view(-1, 1) + b.view(1, -1)",
        new="a + b",
        loses=("test_outer_sum_values", "test_outer_sum_gradient"),
        why="no broadcasting at all",
    ),
    "outer-loop": Bug(
        cell="outer_sum",
        old="    return a.view(-1, 1) + b.view(1, -1)",
        new="    return torch.stack([a[i] + b for i in range(len(a))])",
        loses=("test_outer_sum_without_loops",),
        why="right values, Python loop",
    ),
    "device-ignored": Bug(
        cell="add_ones_on",
        old=dedent(
            """\
            y = torch.ones_like(x, device=device)
            x = x.to(device)
            return x + y""",
            indent=4,
        ),
        new="    return x + torch.ones_like(x)",
        loses=("test_add_ones_on_another_device",),
        why="everything stays on the CPU",
    ),
    "to-not-assigned": Bug(
        cell="add_ones_on",
        old="    x = x.to(device)",
        new="    x.to(device)",
        loses=("test_add_ones_on_another_device",),
        why="x.to returns a copy; x stays where it was",
    ),
    "ones-on-cpu": Bug(
        cell="add_ones_on",
        old="y = torch.ones_like(x, device=device)",
        new="y = torch.ones_like(x)",
        loses=("test_add_ones_on_another_device",),
        why="ones created on the CPU",
    ),
    "scalar-grad-on-callers-x": Bug(
        cell="scalar_grad",
        old="x = x.detach().clone().requires_grad_(True)",
        new="x.requires_grad_(True)",
        loses=("test_scalar_grad_values",),
        why="marks the caller's x: its gradient piles up in x.grad on a second call (old checks sent a fresh copy each time)",
    ),
    "accumulate-on-callers-x": Bug(
        cell="accumulate_then_zero",
        old="x = x.detach().clone().requires_grad_(True)",
        new="x.requires_grad_(True)",
        loses=("test_accumulated_gradient",),
        why="marks the caller's x: the second call starts from the last call's x.grad",
    ),
    "vjp-on-callers-x": Bug(
        cell="vector_jacobian_product",
        old="x = x.detach().clone().requires_grad_(True)",
        new="x.requires_grad_(True)",
        loses=("test_vjp_elementwise",),
        why="marks the caller's x: v^T J doubles on a second call with the same x",
    ),
    "detached-on-callers-x": Bug(
        cell="grad_through_detached",
        old="x = x.detach().clone().requires_grad_(True)",
        new="x.requires_grad_(True)",
        loses=("test_grad_through_detached",),
        why="marks the caller's x: the gradient piles up in x.grad on a second call",
    ),
    "ones-default-dtype": Bug(
        cell="add_ones_on",
        old="y = torch.ones_like(x, device=device)",
        new="y = torch.ones(x.shape, device=device)",
        loses=("test_add_ones_on_the_grading_device",),
        why="ones in the default float32: a float16 x comes back float32 (old checks drew float32 only)",
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
        cell="scalar_grad",
        old="out = z.mean()",
        new="out = z.sum()",
        loses=("test_scalar_grad_values", "test_scalar_grad_uses_autograd"),
        why="sums z instead of averaging it, so the gradient is n times too large",
    ),
    "gradient-by-hand": Bug(
        cell="scalar_grad",
        old=dedent(
            """\
            x = x.detach().clone().requires_grad_(True)
            y = x + 2
            z = y * y * 3
            out = z.mean()
            out.backward()
            return x.grad""",
            indent=4,
        ),
        new="    return 6 * (x + 2) / x.numel()",
        loses=("test_scalar_grad_uses_autograd",),
        why="right values, no autograd",
    ),
    "no-zeroing": Bug(
        cell="accumulate_then_zero",
        old="    x.grad.data.zero_()\n",
        new="",
        loses=("test_gradient_after_zeroing",),
        why="gradients keep accumulating",
    ),
    "aliased-grad": Bug(
        cell="accumulate_then_zero",
        old="accumulated = x.grad.clone()",
        new="accumulated = x.grad",
        loses=("test_accumulated_gradient",),
        why="the kept gradient is zeroed in place later",
    ),
    "zeroed-too-early": Bug(
        cell="accumulate_then_zero",
        old=dedent(
            """\
            (3 * (x + 2) ** 2).mean().backward()
            x.sum().backward()""",
            indent=4,
        ),
        new=dedent(
            """\
            (3 * (x + 2) ** 2).mean().backward()
            x.grad.data.zero_()
            x.sum().backward()""",
            indent=4,
        ),
        loses=("test_accumulated_gradient",),
        why="zeroed between the two passes",
    ),
    "v-ignored": Bug(
        cell="vector_jacobian_product",
        old="    y.backward(v)",
        new="    y.sum().backward()",
        loses=("test_vjp_elementwise", "test_vjp_through_mixing_functions"),
        why="backward of the sum: v never used",
    ),
    "v-multiplied-after": Bug(
        cell="vector_jacobian_product",
        old=dedent(
            """\
            y.backward(v)
            return x.grad""",
            indent=4,
        ),
        new=dedent(
            """\
            y.sum().backward()
            return x.grad * v""",
            indent=4,
        ),
        loses=("test_vjp_through_mixing_functions",),
        why="right only for elementwise functions",
    ),
    "detach-not-data": Bug(
        cell="scale_data_",
        old="x.data *= factor",
        new="x.detach().mul_(factor)",
        loses=("test_scale_data_keeps_the_graph",),
        why="detach shares the version counter",
    ),
    "no-grad-not-data": Bug(
        cell="scale_data_",
        old="    x.data *= factor",
        new=dedent(
            """\
            with torch.no_grad():
                x.mul_(factor)""",
            indent=4,
        ),
        loses=("test_scale_data_keeps_the_graph",),
        why="no_grad still counts the in-place change",
    ),
    "rebind-scaled": Bug(
        cell="scale_data_",
        old="x.data *= factor",
        new="x = x * factor",
        loses=("test_scale_data_values",),
        why="the caller's x is untouched",
    ),
    "no-detach": Bug(
        cell="grad_through_detached",
        old="u = (x * x).detach()",
        new="u = x * x",
        loses=("test_grad_through_detached",),
        why="gradient also flows through u",
    ),
    "detach-wrong-factor": Bug(
        cell="grad_through_detached",
        old=dedent(
            """\
            u = (x * x).detach()
            z = (u * x).sum()""",
            indent=4,
        ),
        new=dedent(
            """\
            u = x * x
            z = (u * x.detach()).sum()""",
            indent=4,
        ),
        loses=("test_grad_through_detached",),
        why="the other factor detached",
    ),
    "no-with": Bug(
        cell="predict_no_grad",
        old=dedent(
            """\
            with torch.no_grad():
                return net(X)""",
            indent=4,
        ),
        new=dedent(
            """\
            torch.no_grad()
            return net(X)""",
            indent=4,
        ),
        loses=("test_predict_no_grad",),
        why="the context manager is created but never entered",
    ),
    "eval-instead": Bug(
        cell="predict_no_grad",
        old=dedent(
            """\
            with torch.no_grad():
                return net(X)""",
            indent=4,
        ),
        new=dedent(
            """\
            net.eval()
            return net(X)""",
            indent=4,
        ),
        loses=("test_predict_no_grad",),
        why="eval mode is not no_grad",
    ),
    "grad-left-off": Bug(
        cell="predict_no_grad",
        old=dedent(
            """\
            with torch.no_grad():
                return net(X)""",
            indent=4,
        ),
        new=dedent(
            """\
            torch.set_grad_enabled(False)
            return net(X)""",
            indent=4,
        ),
        loses=("test_grad_mode_restored",),
        why="recording switched off for good",
    ),
}

ALTERNATIVES = {
    "slice-assign": Alternative(
        cell="add_in_place",
        code=dedent("""\
            def add_in_place(x, y):
                y[:] = x + y"""),
        why="writes the sum into y through y[:] =",
    ),
    "out-argument": Alternative(
        cell="add_in_place",
        code=dedent("""\
            def add_in_place(x, y):
                torch.add(x, y, out=y)"""),
        why="torch.add with out=y",
    ),
    "plus-equals": Alternative(
        cell="add_in_place",
        code=dedent("""\
            def add_in_place(x, y):
                y += x"""),
        why="y += x",
    ),
    "clone-reshape": Alternative(
        cell="reshaped_copy",
        code=dedent("""\
            def reshaped_copy(x, shape):
                return torch.clone(x).reshape(*shape)"""),
        why="torch.clone then reshape",
    ),
    "view-then-clone": Alternative(
        cell="reshaped_copy",
        code=dedent("""\
            def reshaped_copy(x, shape):
                return x.view(shape).clone()"""),
        why="view first, then clone",
    ),
    "as-tensor-and-copy": Alternative(
        cell="numpy_bridge",
        code=dedent("""\
            def tensor_to_numpy(t):
                return t.detach().numpy()


            def numpy_to_tensor(array, copy=False):
                shared = torch.as_tensor(array)
                return shared.clone() if copy else shared"""),
        why="torch.as_tensor shares the memory; clone when a copy is asked for",
    ),
    "from-numpy-of-a-copy": Alternative(
        cell="numpy_bridge",
        code=dedent("""\
            def tensor_to_numpy(t):
                return np.asarray(t)


            def numpy_to_tensor(array, copy=False):
                return torch.from_numpy(array.copy() if copy else array)"""),
        why="np.asarray shares a CPU tensor's memory",
    ),
    "none-indexing": Alternative(
        cell="outer_sum",
        code=dedent("""\
            def outer_sum(a, b):
                return a[:, None] + b"""),
        why="broadcasts with a[:, None] + b",
    ),
    "unsqueeze": Alternative(
        cell="outer_sum",
        code=dedent("""\
            def outer_sum(a, b):
                return torch.add(a.unsqueeze(1), b.unsqueeze(0))"""),
        why="unsqueeze on both vectors and torch.add",
    ),
    "device-in-one-line": Alternative(
        cell="add_ones_on",
        code=dedent("""\
            def add_ones_on(x, device):
                return x.to(device) + torch.ones(x.shape, dtype=x.dtype, device=device)"""),
        why="moves x and builds the ones on the device in one expression",
    ),
    "scalar-autograd-grad": Alternative(
        cell="scalar_grad",
        code=dedent("""\
            def scalar_grad(x):
                x = torch.tensor(x.tolist(), dtype=x.dtype, requires_grad=True)
                out = torch.mean(3 * (x + 2) ** 2)
                return torch.autograd.grad(out, x)[0]"""),
        why="a fresh leaf tensor and torch.autograd.grad instead of backward",
    ),
    "grad-set-to-none": Alternative(
        cell="accumulate_then_zero",
        code=dedent("""\
            def accumulate_then_zero(x):
                x = x.clone().requires_grad_()
                out = (3 * (x + 2) * (x + 2)).mean()
                out.backward()
                x.sum().backward()
                first = x.grad
                x.grad = None
                x.sum().backward()
                return first, x.grad"""),
        why="a new .grad tensor, so the old one can be kept without a copy",
    ),
    "vjp-weighted-sum": Alternative(
        cell="vector_jacobian_product",
        code=dedent("""\
            def vector_jacobian_product(f, x, v):
                x = x.detach().requires_grad_()
                (f(x) * v).sum().backward()
                return x.grad"""),
        why="backpropagates the weighted sum (f(x) * v).sum()",
    ),
    "vjp-autograd-grad": Alternative(
        cell="vector_jacobian_product",
        code=dedent("""\
            def vector_jacobian_product(f, x, v):
                x = x.clone().requires_grad_()
                return torch.autograd.grad(f(x), x, grad_outputs=v)[0]"""),
        why="torch.autograd.grad with grad_outputs=v",
    ),
    "data-mul": Alternative(
        cell="scale_data_",
        code=dedent("""\
            def scale_data_(x, factor):
                x.data.mul_(factor)"""),
        why="x.data.mul_(factor)",
    ),
    "data-assign": Alternative(
        cell="scale_data_",
        code=dedent("""\
            def scale_data_(x, factor):
                x.data = x.data * factor"""),
        why="assigns x.data a scaled copy",
    ),
    "detach-via-data": Alternative(
        cell="grad_through_detached",
        code=dedent("""\
            def grad_through_detached(x):
                x = x.clone().requires_grad_()
                u = x.data * x.data
                (u * x).sum().backward()
                return x.grad"""),
        why="cuts the graph with x.data instead of detach()",
    ),
    "detach-result": Alternative(
        cell="predict_no_grad",
        code=dedent("""\
            def predict_no_grad(net, X):
                return net(X).detach()"""),
        why="detaches the result instead of running under torch.no_grad()",
    ),
    "no-grad-decorator": Alternative(
        cell="predict_no_grad",
        code=dedent("""\
            @torch.no_grad()
            def predict_no_grad(net, X):
                return net(X)"""),
        why="no_grad as a decorator",
    ),
}
