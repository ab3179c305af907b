"""Reference solutions for 03_softmax_regression: Fashion-MNIST, softmax regression from scratch and concise."""

import numpy as np
import torch
import torchvision
from torch import nn
from torchvision import transforms

from reference.linear_regression import sgd


def get_fashion_mnist_labels(labels):
    """Text names of Fashion-MNIST class indices: iterable of ints (or a 1-D tensor) -> list of str."""
    ### BEGIN SOLUTION
    text_labels = ["t-shirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "ankle boot"]
    return [text_labels[int(i)] for i in labels]
    ### END SOLUTION


def image_to_tensor(image):
    """A (H, W) or (H, W, C) array of pixels -> float32 tensor (C, H, W) in [0, 1].

    uint8 arrays are divided by 255 (what transforms.ToTensor does). Other
    dtypes with values in 0..255 are scaled the same way, floats already in
    [0, 1] are kept; anything outside [0, 255] raises ValueError.
    """
    ### BEGIN SOLUTION
    image = np.asarray(image)
    if image.dtype != np.uint8:
        if image.min() < 0 or image.max() > 255:
            raise ValueError("pixel values must lie in [0, 255]")
        if np.issubdtype(image.dtype, np.integer) or image.max() > 1:
            image = image.astype(np.float64) / 255.0
        if image.ndim == 2:
            image = image[:, :, None]
        return torch.from_numpy(image.transpose(2, 0, 1).astype(np.float32))
    return transforms.ToTensor()(image)
    ### END SOLUTION


def load_data_fashion_mnist(batch_size, resize=None, root="data"):
    """Fashion-MNIST minibatches read by torchvision from root/FashionMNIST/raw (the four uncompressed IDX files).

    Returns (train_iter, test_iter): DataLoaders of X (b, 1, h, w) float32 in
    [0, 1] (h = w = resize or 28) and y (b,) int64; training batches shuffled,
    test batches in file order. Nothing is ever downloaded (download=False):
    missing files raise RuntimeError.
    """
    ### BEGIN SOLUTION
    trans = [transforms.Resize(resize)] if resize else []
    trans.append(transforms.ToTensor())
    transform = transforms.Compose(trans)
    mnist_train = torchvision.datasets.FashionMNIST(root=root, train=True, download=False, transform=transform)
    mnist_test = torchvision.datasets.FashionMNIST(root=root, train=False, download=False, transform=transform)
    train_iter = torch.utils.data.DataLoader(mnist_train, batch_size=batch_size, shuffle=True)
    test_iter = torch.utils.data.DataLoader(mnist_test, batch_size=batch_size, shuffle=False)
    return train_iter, test_iter
    ### END SOLUTION


def softmax(X):
    """Row-wise softmax from scratch: X (n, q) -> (n, q), each row positive and summing to 1."""
    ### BEGIN SOLUTION
    X_exp = X.exp()
    partition = X_exp.sum(dim=1, keepdim=True)
    return X_exp / partition
    ### END SOLUTION


def cross_entropy(y_hat, y):
    """Cross-entropy per example: probabilities y_hat (n, q), labels y (n,) -> (n, 1)."""
    ### BEGIN SOLUTION
    return -torch.log(y_hat.gather(1, y.view(-1, 1)))
    ### END SOLUTION


def accuracy(y_hat, y):
    """Fraction of rows whose largest entry is at the label: y_hat (n, q), y (n,) -> Python float."""
    ### BEGIN SOLUTION
    return (y_hat.argmax(dim=1) == y).float().mean().item()
    ### END SOLUTION


def evaluate_accuracy(data_iter, net, device=None):
    """Accuracy of net over all batches (X, y) of data_iter -> Python float.

    A Module net is evaluated in eval mode without gradients and put back in
    train mode afterwards; batches move to `device` (default: the net's).
    """
    ### BEGIN SOLUTION
    if device is None and isinstance(net, nn.Module):
        device = next(net.parameters()).device
    acc_sum, n = 0.0, 0
    with torch.no_grad():
        for X, y in data_iter:
            if isinstance(net, nn.Module):
                net.eval()
                acc_sum += (net(X.to(device)).argmax(dim=1) == y.to(device)).float().sum().item()
                net.train()
            else:
                acc_sum += (net(X).argmax(dim=1) == y).float().sum().item()
            n += y.shape[0]
    return acc_sum / n
    ### END SOLUTION


def train_ch3(net, train_iter, test_iter, loss, num_epochs, batch_size, params=None, lr=None, optimizer=None):
    """Train net: per batch, loss(net(X), y).sum(), zero the gradients, backward, step.

    Steps with sgd(params, lr, batch_size) when no optimizer is given. Prints
    loss and accuracies per epoch; returns None.
    """
    ### BEGIN SOLUTION
    for epoch in range(num_epochs):
        train_l_sum, train_acc_sum, n = 0.0, 0.0, 0
        for X, y in train_iter:
            y_hat = net(X)
            batch_loss = loss(y_hat, y).sum()
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
            train_l_sum += batch_loss.item()
            train_acc_sum += (y_hat.argmax(dim=1) == y).sum().item()
            n += y.shape[0]
        test_acc = evaluate_accuracy(test_iter, net)
        print(f"epoch {epoch + 1}, loss {train_l_sum / n:.4f}, train acc {train_acc_sum / n:.3f}, test acc {test_acc:.3f}")
    ### END SOLUTION


class FlattenLayer(nn.Module):
    """Flatten all but the batch dimension: (n, ...) -> (n, -1)."""

    def forward(self, x):
        ### BEGIN SOLUTION
        return x.view(x.shape[0], -1)
        ### END SOLUTION
