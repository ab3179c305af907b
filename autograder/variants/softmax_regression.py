"""Sample submissions for 03_softmax_regression: real bugs and correct alternatives."""

from autograder.variants import Alternative, Bug

BUGS = {
    "labels-order": Bug(
        "get_fashion_mnist_labels", '"shirt", "sneaker"', '"sneaker", "shirt"', ("test_label_names",), "classes out of order"
    ),
    "totensor-unscaled": Bug(
        "image_to_tensor",
        "        if np.issubdtype(image.dtype, np.integer) or image.max() > 1:\n            image = image.astype(np.float64) / 255.0\n",
        "",
        ("test_non_uint8_images_are_scaled",),
        "the notes' ToTensor pitfall: non-uint8 pixels left unscaled",
    ),
    "scaled-stays-float64": Bug(
        "image_to_tensor",
        "torch.from_numpy(image.transpose(2, 0, 1).astype(np.float32))",
        "torch.from_numpy(image.transpose(2, 0, 1))",
        ("test_non_uint8_images_are_scaled",),
        "float64 tensors for non-uint8 images where float32 is documented; old checks compared values only",
    ),
    "scales-callers-array": Bug(
        "image_to_tensor",
        "        if np.issubdtype(image.dtype, np.integer) or image.max() > 1:\n            image = image.astype(np.float64) / 255.0\n",
        "        if np.issubdtype(image.dtype, np.integer):\n            image = image.astype(np.float64) / 255.0\n"
        "        elif image.max() > 1:\n            image /= 255.0\n",
        ("test_non_uint8_images_are_scaled",),
        "divides a float caller's array in place (np.asarray does not copy); old checks sent a copy",
    ),
    "test-shuffled": Bug(
        "load_data_fashion_mnist",
        "batch_size=batch_size, shuffle=False",
        "batch_size=batch_size, shuffle=True",
        ("test_reads_idx_files",),
        "test data shuffled",
    ),
    "drop-last": Bug(
        "load_data_fashion_mnist",
        "    train_iter = torch.utils.data.DataLoader(mnist_train, batch_size=batch_size, shuffle=True)\n"
        "    test_iter = torch.utils.data.DataLoader(mnist_test, batch_size=batch_size, shuffle=False)\n",
        "    train_iter = torch.utils.data.DataLoader(mnist_train, batch_size=batch_size, shuffle=True, drop_last=True)\n"
        "    test_iter = torch.utils.data.DataLoader(mnist_test, batch_size=batch_size, shuffle=False, drop_last=True)\n",
        ("test_reads_idx_files",),
        "drops a smaller last batch; old checks left one by chance (both sizes divided for a few secrets in a hundred)",
    ),
    "resize-ignored": Bug(
        "load_data_fashion_mnist", "trans = [transforms.Resize(resize)] if resize else []", "trans = []", ("test_resize",)
    ),
    "softmax-dim0": Bug(
        "softmax",
        "X_exp.sum(dim=1, keepdim=True)",
        "X_exp.sum(dim=0, keepdim=True)",
        ("test_softmax_values", "test_softmax_square_batch"),
        "summed over the wrong dimension",
    ),
    "softmax-no-keepdim": Bug(
        "softmax",
        "X_exp.sum(dim=1, keepdim=True)",
        "X_exp.sum(dim=1)",
        ("test_softmax_values", "test_softmax_square_batch", "test_softmax_gradient"),
        "no keepdim: silent for square batches",
    ),
    "softmax-library": Bug(
        "softmax",
        "    X_exp = X.exp()\n    partition = X_exp.sum(dim=1, keepdim=True)\n    return X_exp / partition",
        "    return torch.softmax(X, dim=1)",
        ("test_softmax_from_scratch",),
        "calls the library",
    ),
    "gather-dim0": Bug(
        "cross_entropy", "y_hat.gather(1, y.view(-1, 1))", "y_hat.gather(0, y.view(-1, 1))", ("test_cross_entropy_values",)
    ),
    "y-not-reshaped": Bug(
        "cross_entropy",
        "-torch.log(y_hat.gather(1, y.view(-1, 1)))",
        "-torch.log(y_hat[:, y])",
        ("test_cross_entropy_values", "test_cross_entropy_gradient"),
        "indexing broadcasts to n x n",
    ),
    "accuracy-count": Bug("accuracy", ".float().mean().item()", ".float().sum().item()", ("test_accuracy",), "counts"),
    "accuracy-tensor": Bug("accuracy", ".float().mean().item()", ".float().mean()", ("test_accuracy",), "returns a tensor"),
    "no-eval-mode": Bug(
        "evaluate_accuracy", "                net.eval()\n", "", ("test_evaluate_accuracy_eval_mode",), "dropout stays on"
    ),
    "eval-average-of-batches": Bug(
        "evaluate_accuracy",
        "n += y.shape[0]",
        "n += 1",
        ("test_evaluate_accuracy_function", "test_evaluate_accuracy_eval_mode"),
        "counts batches",
    ),
    "no-zero-grad": Bug(
        "train_ch3",
        "            elif params is not None and params[0].grad is not None:\n                for param in params:\n                    param.grad.data.zero_()\n",
        "",
        ("test_train_ch3_with_sgd",),
        "gradients accumulate",
    ),
    "no-optimizer-zero-grad": Bug(
        "train_ch3",
        "                optimizer.zero_grad()\n",
        "                pass\n",
        ("test_train_ch3_with_optimizer",),
    ),
    "zero-after-step": Bug(
        "train_ch3",
        "            elif params is not None and params[0].grad is not None:\n                for param in params:\n                    param.grad.data.zero_()\n"
        "            batch_loss.backward()\n            if optimizer is None:\n                sgd(params, lr, batch_size)\n",
        "            batch_loss.backward()\n            if optimizer is None:\n                sgd(params, lr, batch_size)\n"
        "                for param in params:\n                    param.grad.data.zero_()\n",
        ("test_train_ch3_with_sgd",),
        "zeroes after the step: the first batch adds to gradients the params already carry (old checks began at None)",
    ),
    "optimizer-zero-after-step": Bug(
        "train_ch3",
        "            if optimizer is not None:\n                optimizer.zero_grad()\n            elif params is not None and params[0].grad is not None:\n                for param in params:\n                    param.grad.data.zero_()\n            batch_loss.backward()\n            if optimizer is None:\n                sgd(params, lr, batch_size)\n            else:\n                optimizer.step()\n",
        "            if optimizer is None and params is not None and params[0].grad is not None:\n                for param in params:\n                    param.grad.data.zero_()\n            batch_loss.backward()\n            if optimizer is None:\n                sgd(params, lr, batch_size)\n            else:\n                optimizer.step()\n                optimizer.zero_grad()\n",
        ("test_train_ch3_with_optimizer",),
        "optimizer.zero_grad() after the step: the first batch adds to the gradients the net already carries",
    ),
    "flatten-batch": Bug(
        "FlattenLayer", "x.view(x.shape[0], -1)", "x.view(-1)", ("test_flatten_layer", "test_flatten_layer_in_a_network")
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
    "float-one-rescaled": Bug(
        cell="image_to_tensor",
        old="or image.max() > 1:",
        new="or image.max() >= 1:",
        loses=("test_non_uint8_images_are_scaled",),
        why="a float image already in [0, 1] whose brightest pixel is exactly 1.0 is divided by 255 again",
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
        "softmax",
        "def softmax(X):\n    return torch.exp(X - torch.logsumexp(X, dim=1, keepdim=True))",
        "numerically stable, through logsumexp",
    ),
    "softmax-max-shift": Alternative(
        "softmax",
        "def softmax(X):\n    shifted = X - X.max(dim=1, keepdim=True).values\n    e = torch.exp(shifted)\n    return e / torch.sum(e, 1, keepdim=True)",
    ),
    "cross-entropy-indexing": Alternative(
        "cross_entropy",
        "def cross_entropy(y_hat, y):\n    picked = y_hat[torch.arange(len(y)), y]\n    return -picked.log().reshape(-1, 1)",
    ),
    "accuracy-loop": Alternative(
        "accuracy",
        "def accuracy(y_hat, y):\n    correct = 0\n    for row, label in zip(y_hat, y):\n        correct += int(torch.argmax(row) == label)\n    return correct / len(y)",
    ),
    "labels-dict": Alternative(
        "get_fashion_mnist_labels",
        "NAMES = dict(enumerate('t-shirt trouser pullover dress coat sandal shirt sneaker bag ankle_boot'.split()))\n\n\n"
        "def get_fashion_mnist_labels(labels):\n    return [NAMES[int(i)].replace('_', ' ') for i in labels]",
    ),
    "evaluate-with-matmul-device": Alternative(
        "evaluate_accuracy",
        "def evaluate_accuracy(data_iter, net, device=None):\n"
        "    is_module = isinstance(net, torch.nn.Module)\n"
        "    if is_module:\n"
        "        was_training = net.training\n"
        "        net.eval()\n"
        "        device = device or next(net.parameters()).device\n"
        "    right = total = 0\n"
        "    with torch.no_grad():\n"
        "        for X, y in data_iter:\n"
        "            if is_module:\n"
        "                X, y = X.to(device), y.to(device)\n"
        "            right += torch.sum(torch.argmax(net(X), 1) == y).item()\n"
        "            total += len(y)\n"
        "    if is_module:\n"
        "        net.train(was_training)\n"
        "    return right / total",
    ),
    "flatten-reshape": Alternative(
        "FlattenLayer",
        "class FlattenLayer(nn.Module):\n    def forward(self, x):\n        return torch.flatten(x, start_dim=1)",
    ),
}
