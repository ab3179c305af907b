"""Sample submissions for 03_softmax_regression: real bugs and correct alternatives."""

from autograder.variants import Alternative, Bug, dedent

BUGS = {
    "labels-order": Bug(
        cell="get_fashion_mnist_labels",
        old='"shirt", "sneaker"',
        new='"sneaker", "shirt"',
        loses=("test_label_names",),
        why="classes out of order",
    ),
    "totensor-unscaled": Bug(
        cell="image_to_tensor",
        old=dedent(
            """\
            if np.issubdtype(image.dtype, np.integer) or image.max() > 1:
                image = image.astype(np.float64) / 255.0
            """,
            indent=8,
        ),
        new="",
        loses=("test_non_uint8_images_are_scaled",),
        why="the notes' ToTensor pitfall: non-uint8 pixels left unscaled",
    ),
    "scaled-stays-float64": Bug(
        cell="image_to_tensor",
        old="torch.from_numpy(image.transpose(2, 0, 1).astype(np.float32))",
        new="torch.from_numpy(image.transpose(2, 0, 1))",
        loses=("test_non_uint8_images_are_scaled",),
        why="float64 tensors for non-uint8 images where float32 is documented; old checks compared values only",
    ),
    "scales-callers-array": Bug(
        cell="image_to_tensor",
        old=dedent(
            """\
            if np.issubdtype(image.dtype, np.integer) or image.max() > 1:
                image = image.astype(np.float64) / 255.0
            """,
            indent=8,
        ),
        new=dedent(
            """\
            if np.issubdtype(image.dtype, np.integer):
                image = image.astype(np.float64) / 255.0
            elif image.max() > 1:
                image /= 255.0
            """,
            indent=8,
        ),
        loses=("test_non_uint8_images_are_scaled",),
        why="divides a float caller's array in place (np.asarray does not copy); old checks sent a copy",
    ),
    "float-image-rescaled": Bug(
        cell="image_to_tensor",
        old="or image.max() > 1:",
        new="or image.max() >= 1:",
        loses=("test_non_uint8_images_are_scaled",),
        why="a float image already in [0, 1] whose white pixel is exactly 1.0 is divided by 255 again (never drawn before)",
    ),
    "negative-pixels-accepted": Bug(
        cell="image_to_tensor",
        old="if image.min() < 0 or image.max() > 255:",
        new="if image.max() > 255:",
        loses=("test_grey_and_bad_images",),
        why="only the upper end of [0, 255] is guarded; old checks tried values above 255 only",
    ),
    "test-shuffled": Bug(
        cell="load_data_fashion_mnist",
        old="batch_size=batch_size, shuffle=False",
        new="batch_size=batch_size, shuffle=True",
        loses=("test_reads_idx_files",),
        why="test data shuffled",
    ),
    "drop-last": Bug(
        cell="load_data_fashion_mnist",
        old=dedent(
            """\
            train_iter = torch.utils.data.DataLoader(mnist_train, batch_size=batch_size, shuffle=True)
            test_iter = torch.utils.data.DataLoader(mnist_test, batch_size=batch_size, shuffle=False)
            """,
            indent=4,
        ),
        new=dedent(
            """\
            train_iter = torch.utils.data.DataLoader(mnist_train, batch_size=batch_size, shuffle=True, drop_last=True)
            test_iter = torch.utils.data.DataLoader(mnist_test, batch_size=batch_size, shuffle=False, drop_last=True)
            """,
            indent=4,
        ),
        loses=("test_reads_idx_files",),
        why="drops a smaller last batch; old checks left one by chance (both sizes divided for a few secrets in a hundred)",
    ),
    "test-labels-as-floats": Bug(
        cell="load_data_fashion_mnist",
        old="train=False, download=False, transform=transform)",
        new="train=False, download=False, transform=transform, target_transform=float)",
        loses=("test_reads_idx_files",),
        why="float64 test labels where int64 is documented; old checks compared the values only",
    ),
    "resize-ignored": Bug(
        cell="load_data_fashion_mnist",
        old="trans = [transforms.Resize(resize)] if resize else []",
        new="trans = []",
        loses=("test_resize",),
        why="the resize argument never adds a Resize transform",
    ),
    "softmax-dim0": Bug(
        cell="softmax",
        old="X_exp.sum(dim=1, keepdim=True)",
        new="X_exp.sum(dim=0, keepdim=True)",
        loses=("test_softmax_values", "test_softmax_square_batch"),
        why="summed over the wrong dimension",
    ),
    "softmax-no-keepdim": Bug(
        cell="softmax",
        old="X_exp.sum(dim=1, keepdim=True)",
        new="X_exp.sum(dim=1)",
        loses=("test_softmax_values", "test_softmax_square_batch", "test_softmax_gradient"),
        why="no keepdim: silent for square batches",
    ),
    "softmax-library": Bug(
        cell="softmax",
        old=dedent(
            """\
            X_exp = X.exp()
            partition = X_exp.sum(dim=1, keepdim=True)
            return X_exp / partition""",
            indent=4,
        ),
        new="    return torch.softmax(X, dim=1)",
        loses=("test_softmax_from_scratch",),
        why="calls the library",
    ),
    "gather-dim0": Bug(
        cell="cross_entropy",
        old="y_hat.gather(1, y.view(-1, 1))",
        new="y_hat.gather(0, y.view(-1, 1))",
        loses=("test_cross_entropy_values",),
        why="gathers along dimension 0 instead of picking each row's label probability",
    ),
    "y-not-reshaped": Bug(
        cell="cross_entropy",
        old="-torch.log(y_hat.gather(1, y.view(-1, 1)))",
        new="-torch.log(y_hat[:, y])",
        loses=("test_cross_entropy_values", "test_cross_entropy_gradient"),
        why="indexing broadcasts to n x n",
    ),
    "labels-unsqueezed-in-place": Bug(
        cell="cross_entropy",
        old="y.view(-1, 1)",
        new="y.unsqueeze_(1)",
        loses=("test_cross_entropy_values", "test_softmax_regression_learns_digits"),
        why="reshapes the caller's labels to (n, 1) in place: right losses, but the batch's y is changed for the caller",
    ),
    "accuracy-count": Bug(
        cell="accuracy",
        old=".float().mean().item()",
        new=".float().sum().item()",
        loses=("test_accuracy",),
        why="counts",
    ),
    "accuracy-tensor": Bug(
        cell="accuracy",
        old=".float().mean().item()",
        new=".float().mean()",
        loses=("test_accuracy",),
        why="returns a tensor",
    ),
    "no-eval-mode": Bug(
        cell="evaluate_accuracy",
        old="                net.eval()\n",
        new="",
        loses=("test_evaluate_accuracy_eval_mode",),
        why="dropout stays on",
    ),
    "eval-average-of-batches": Bug(
        cell="evaluate_accuracy",
        old="n += y.shape[0]",
        new="n += 1",
        loses=("test_evaluate_accuracy_function", "test_evaluate_accuracy_eval_mode"),
        why="counts batches",
    ),
    "no-zero-grad": Bug(
        cell="train_ch3",
        old=dedent(
            """\
            elif params is not None and params[0].grad is not None:
                for param in params:
                    param.grad.data.zero_()
            """,
            indent=12,
        ),
        new="",
        loses=("test_train_ch3_with_sgd",),
        why="gradients accumulate",
    ),
    "no-optimizer-zero-grad": Bug(
        cell="train_ch3",
        old="                optimizer.zero_grad()\n",
        new="                pass\n",
        loses=("test_train_ch3_with_optimizer",),
        why="the optimizer's gradients never cleared, so they pile up across minibatches",
    ),
    "zero-after-step": Bug(
        cell="train_ch3",
        old=dedent(
            """\
            elif params is not None and params[0].grad is not None:
                for param in params:
                    param.grad.data.zero_()
            batch_loss.backward()
            if optimizer is None:
                sgd(params, lr, batch_size)
            """,
            indent=12,
        ),
        new=dedent(
            """\
            batch_loss.backward()
            if optimizer is None:
                sgd(params, lr, batch_size)
                for param in params:
                    param.grad.data.zero_()
            """,
            indent=12,
        ),
        loses=("test_train_ch3_with_sgd",),
        why="zeroes after the step: the first batch adds to gradients the params already carry (old checks began at None)",
    ),
    "optimizer-zero-after-step": Bug(
        cell="train_ch3",
        old=dedent(
            """\
            if optimizer is not None:
                optimizer.zero_grad()
            elif params is not None and params[0].grad is not None:
                for param in params:
                    param.grad.data.zero_()
            batch_loss.backward()
            if optimizer is None:
                sgd(params, lr, batch_size)
            else:
                optimizer.step()
            """,
            indent=12,
        ),
        new=dedent(
            """\
            if optimizer is None and params is not None and params[0].grad is not None:
                for param in params:
                    param.grad.data.zero_()
            batch_loss.backward()
            if optimizer is None:
                sgd(params, lr, batch_size)
            else:
                optimizer.step()
                optimizer.zero_grad()
            """,
            indent=12,
        ),
        loses=("test_train_ch3_with_optimizer",),
        why="optimizer.zero_grad() after the step: the first batch adds to the gradients the net already carries",
    ),
    "flatten-batch": Bug(
        cell="FlattenLayer",
        old="x.view(x.shape[0], -1)",
        new="x.view(-1)",
        loses=("test_flatten_layer", "test_flatten_layer_in_a_network"),
        why="flattens the whole batch into one vector instead of each example",
    ),
    # boundaries and contracts that mutation testing found unchecked (autograder/mutants/)
    "accepts-256": Bug(
        cell="image_to_tensor",
        old="image.max() > 255",
        new="image.max() > 256",
        loses=("test_grey_and_bad_images",),
        why="off by one at the top of [0, 255]: an integer image holding 256 is accepted",
    ),
    "integers-scaled-only-above-1": Bug(
        cell="image_to_tensor",
        old="if np.issubdtype(image.dtype, np.integer) or image.max() > 1:",
        new="if image.max() > 1:",
        loses=("test_non_uint8_images_are_scaled",),
        why="decides by the largest value alone, so an integer image of 0s and 1s is not divided by 255",
    ),
    "grey-float-without-channel": Bug(
        cell="image_to_tensor",
        old="            image = image[:, :, None]\n",
        new="            pass\n",
        loses=("test_grey_and_bad_images",),
        why="only the uint8 path (ToTensor) adds the channel of an (H, W) image; a float grey image breaks",
    ),
    "train-batches-of-one": Bug(
        cell="load_data_fashion_mnist",
        old="DataLoader(mnist_train, batch_size=batch_size, shuffle=True)",
        new="DataLoader(mnist_train, shuffle=True)",
        loses=("test_reads_idx_files",),
        why="forgets batch_size for the training loader, which then yields one example per batch",
    ),
}

ALTERNATIVES = {
    "softmax-logsumexp": Alternative(
        cell="softmax",
        code=dedent("""\
            def softmax(X):
                return torch.exp(X - torch.logsumexp(X, dim=1, keepdim=True))"""),
        why="numerically stable, through logsumexp",
    ),
    "softmax-max-shift": Alternative(
        cell="softmax",
        code=dedent("""\
            def softmax(X):
                shifted = X - X.max(dim=1, keepdim=True).values
                e = torch.exp(shifted)
                return e / torch.sum(e, 1, keepdim=True)"""),
        why="subtracts each row's maximum before exp, for stability",
    ),
    "cross-entropy-indexing": Alternative(
        cell="cross_entropy",
        code=dedent("""\
            def cross_entropy(y_hat, y):
                picked = y_hat[torch.arange(len(y)), y]
                return -picked.log().reshape(-1, 1)"""),
        why="picks the label probabilities by advanced indexing instead of gather",
    ),
    "accuracy-loop": Alternative(
        cell="accuracy",
        code=dedent("""\
            def accuracy(y_hat, y):
                correct = 0
                for row, label in zip(y_hat, y):
                    correct += int(torch.argmax(row) == label)
                return correct / len(y)"""),
        why="counts the right predictions in a Python loop",
    ),
    "labels-dict": Alternative(
        cell="get_fashion_mnist_labels",
        code=dedent("""\
            NAMES = dict(enumerate('t-shirt trouser pullover dress coat sandal shirt sneaker bag ankle_boot'.split()))


            def get_fashion_mnist_labels(labels):
                return [NAMES[int(i)].replace('_', ' ') for i in labels]"""),
        why="a dict built from a split string, underscores turned into spaces",
    ),
    "evaluate-with-matmul-device": Alternative(
        cell="evaluate_accuracy",
        code=dedent("""\
            def evaluate_accuracy(data_iter, net, device=None):
                is_module = isinstance(net, torch.nn.Module)
                if is_module:
                    was_training = net.training
                    net.eval()
                    device = device or next(net.parameters()).device
                right = total = 0
                with torch.no_grad():
                    for X, y in data_iter:
                        if is_module:
                            X, y = X.to(device), y.to(device)
                        right += torch.sum(torch.argmax(net(X), 1) == y).item()
                        total += len(y)
                if is_module:
                    net.train(was_training)
                return right / total"""),
        why="eval mode for modules, restored afterwards; counts with torch.sum",
    ),
    "flatten-reshape": Alternative(
        cell="FlattenLayer",
        code=dedent("""\
            class FlattenLayer(nn.Module):
                def forward(self, x):
                    return torch.flatten(x, start_dim=1)"""),
        why="torch.flatten from dimension 1 instead of view",
    ),
}
