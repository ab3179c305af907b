"""Public checks for 04_mlp_regularization: run them in the notebook with check("dropout") or check().

A quick, visible sample: the grade comes from hidden checks on other inputs.
"""

import math

import torch
from torch import nn

from kitcheck import close, public, randint, tensor


@public("relu")
def relu_values(student, rng):
    """max(x, 0) elementwise, same shape and dtype."""
    X = torch.randn(randint(rng, 2, 5), randint(rng, 3, 7), generator=rng, dtype=torch.float64)
    out = tensor(student.relu(X), "relu(X)", X.shape, torch.float64)
    close(out, X.clamp(min=0), "relu should keep positive entries and set the others to 0, elementwise")


@public("init_mlp_params")
def init_mlp_params_shapes_and_scale(student, rng):
    """[W1, b1, W2, b2] with the documented shapes, small random weights, zero biases, all requiring grad."""
    d, h, q = randint(rng, 40, 60), randint(rng, 30, 50), randint(rng, 3, 8)
    params = student.init_mlp_params(d, h, q)
    assert isinstance(params, (list, tuple)) and len(params) == 4, "init_mlp_params should return [W1, b1, W2, b2]"
    for p, shape, name in zip(params, [(d, h), (h,), (h, q), (q,)], ["W1", "b1", "W2", "b2"]):
        tensor(p, name, shape, torch.float32)
        assert p.requires_grad, f"{name} should require grad"
    W1, b1 = params[0], params[1]
    assert 0.005 < float(W1.std()) < 0.02, "W1 should be drawn from N(0, 0.01^2)"
    assert float(b1.abs().max()) == 0, "the biases should start at zero"


@public("mlp")
def mlp_values(student, rng):
    """relu(X W1 + b1) W2 + b2 on flattened examples, no softmax."""
    n, d, h, q = randint(rng, 2, 5), 12, randint(rng, 4, 8), randint(rng, 2, 5)
    W1, b1, W2, b2 = (torch.randn(*s, generator=rng) for s in [(d, h), (h,), (h, q), (q,)])
    X = torch.randn(n, 1, 3, 4, generator=rng)
    out = tensor(student.mlp(X, [W1, b1, W2, b2]), "mlp(X, params)", (n, q))
    close(out, (X.reshape(n, d) @ W1 + b1).clamp(min=0) @ W2 + b2, "the scores should be relu(X @ W1 + b1) @ W2 + b2 (no softmax)")


@public("l2_penalty")
def l2_penalty_values(student, rng):
    """sum(w^2) / 2 as a 0-dim tensor."""
    w = torch.randn(randint(rng, 2, 5), randint(rng, 2, 5), generator=rng)
    got = tensor(student.l2_penalty(w), "l2_penalty(w)", ())
    close(got, (w * w).sum() * 0.5, "the penalty should be the sum of squares divided by 2")


@public("weight_decay_optimizers")
def weight_decay_on_weights_only(student, rng):
    """Every parameter is in one optimizer group: the weights with weight_decay wd, the biases without decay."""
    net = nn.Sequential(nn.Linear(randint(rng, 2, 6), 4), nn.ReLU(), nn.Linear(4, 1))
    wd = float(randint(rng, 1, 9))
    optimizers = student.weight_decay_optimizers(net, 0.1, wd)
    assert isinstance(optimizers, (list, tuple)), "weight_decay_optimizers should return a list of optimizers"
    decay = {}
    for optimizer in optimizers:
        for group in optimizer.param_groups:
            for p in group["params"]:
                assert id(p) not in decay, "a parameter is in two optimizers: it would be stepped twice"
                decay[id(p)] = group.get("weight_decay", 0)
    for name, p in net.named_parameters():
        assert id(p) in decay, f"{name} is in no optimizer: it would never be trained"
        want = wd if name.endswith("weight") else 0
        assert decay[id(p)] == want, "the weights should decay with weight_decay=wd, the biases not at all"


@public("dropout")
def dropout_keeps_and_rescales(student, rng):
    """p=0 keeps X, p=1 gives zeros; otherwise kept values are X / (1 - p), about 1 - p of them, independently."""
    X = torch.randn(4, 6, generator=rng)
    close(student.dropout(X, 0), X, "dropout(X, 0) should return X unchanged")
    zeros = student.dropout(X, 1)
    close(zeros, torch.zeros_like(X), "dropout(X, 1) should give all zeros (careful: 0 / 0 is NaN)")
    p = randint(rng, 2, 4) / 10
    Y = tensor(student.dropout(torch.ones(200, 200), p), "dropout(ones, p)", (200, 200))
    values = set(Y.unique().tolist())
    assert all(abs(v) < 1e-6 or abs(v - 1 / (1 - p)) < 1e-5 for v in values), (
        "kept values should be divided by 1 - drop_prob (inverted dropout) and dropped ones be 0"
    )
    kept = float((Y != 0).float().mean())
    assert abs(kept - (1 - p)) < 0.03, "each element should be kept with probability 1 - drop_prob"
    assert not torch.equal(Y[0], Y[1]), "each element needs its own random draw (not one mask for every row)"


@public("dropout_mlp")
def dropout_mlp_placement(student, rng):
    """No dropout when not training; dropout(H1, p1) and dropout(H2, p2) after each hidden ReLU when training."""
    d, h1, h2, q = 5, randint(rng, 3, 6), randint(rng, 3, 6), 3
    params = [torch.randn(*s, generator=rng) for s in [(d, h1), (h1,), (h1, h2), (h2,), (h2, q), (q,)]]
    params[3] = params[3].abs() + 0.5  # relu(b2) > 0: dropping H1 entirely still leaves H2 non-zero
    X = torch.randn(4, d, generator=rng)
    H1 = (X @ params[0] + params[1]).clamp(min=0)
    H2 = (H1 @ params[2] + params[3]).clamp(min=0)
    close(student.dropout_mlp(X, params, 0.5, 0.5, False), H2 @ params[4] + params[5], "with is_training=False there is no dropout")
    got = student.dropout_mlp(X, params, 0.0, 1.0)
    close(got, params[5].expand(4, q), "with drop_prob2 = 1 every H2 unit is dropped: the output is b3 (dropout after the ReLUs)")


@public("dropout_net")
def dropout_net_layers(student, rng):
    """Flatten, Linear, ReLU, Dropout(p1), Linear, ReLU, Dropout(p2), Linear; no dropout in eval mode."""
    p1, p2 = randint(rng, 1, 4) / 10, randint(rng, 5, 9) / 10
    net = student.dropout_net(12, 8, 6, 3, p1, p2)
    kinds = [type(m).__name__ for m in net.children()]
    assert kinds[1:] == ["Linear", "ReLU", "Dropout", "Linear", "ReLU", "Dropout", "Linear"], (
        "the layers should be Flatten, Linear, ReLU, Dropout, Linear, ReLU, Dropout, Linear"
    )
    assert [m.p for m in net.children() if isinstance(m, nn.Dropout)] == [p1, p2], "Dropout(drop_prob1) comes first"
    net.eval()
    X = torch.randn(4, 3, 4, generator=rng)
    out = tensor(net(X), "net(X)", (4, 3))
    close(out, net(X), "in eval mode the output should not be random")


@public("xavier_uniform_")
def xavier_fills_in_place(student, rng):
    """A Linear weight is filled in place from U(-a, a), a = sqrt(6 / (fan_in + fan_out)), with no graph."""
    layer = nn.Linear(randint(rng, 150, 300), randint(rng, 50, 150))
    address = layer.weight.data_ptr()
    result = student.xavier_uniform_(layer.weight)
    assert result is layer.weight, "xavier_uniform_ should return the tensor it filled"
    assert layer.weight.data_ptr() == address, "fill the tensor in place"
    assert layer.weight.grad_fn is None, "no graph should be recorded (torch.no_grad())"
    bound = math.sqrt(6 / (layer.in_features + layer.out_features))
    top = float(layer.weight.abs().max())
    assert 0.95 * bound < top <= bound, "the values should fill U(-a, a) with a = sqrt(6 / (fan_in + fan_out))"
    spread = float(layer.weight.std())
    assert abs(spread - bound / math.sqrt(3)) < 0.1 * bound, "the values should be uniform on (-a, a), not normal"
