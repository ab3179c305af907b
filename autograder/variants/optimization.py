"""Sample submissions for 08_optimization: real bugs and correct alternatives."""

from autograder.variants import Alternative, Bug

BUGS = {
    "train-2d-states-reset": Bug(
        "train_2d",
        "        x1, x2, s1, s2 = trainer(x1, x2, s1, s2, **hyperparams)",
        "        x1, x2, _, _ = trainer(x1, x2, s1, s2, **hyperparams)",
        ("test_train_2d",),
        "the states never reach the next step",
    ),
    "train-2d-no-start-point": Bug(
        "train_2d", "    results = [(x1, x2)]", "    results = []", ("test_train_2d",), "the start point is missing"
    ),
    "train-2d-loop-index": Bug(
        "train_2d",
        '    for _ in range(num_steps):\n        x1, x2, s1, s2 = trainer(x1, x2, s1, s2, **hyperparams)\n        results.append((x1, x2))\n    print(f"epoch {num_steps}, x1 {x1:f}, x2 {x2:f}")\n',
        '    for i in range(num_steps):\n        x1, x2, s1, s2 = trainer(x1, x2, s1, s2, **hyperparams)\n        results.append((x1, x2))\n    print(f"epoch {i + 1}, x1 {x1:f}, x2 {x2:f}")\n',
        ("test_train_2d",),
        "the notes' print of the loop index: no step at all (num_steps=0) leaves it undefined; old draws never asked for 0",
    ),
    "gd-2d-states-passed-on": Bug(
        "gd_2d",
        "x2 - eta * 4 * x2, 0, 0",
        "x2 - eta * 4 * x2, s1, s2",
        ("test_gd_2d",),
        "hands back the states it was given, not (x1, x2, 0, 0); old checks only ever gave it zero states (a mutation survivor)",
    ),
    "gd-2d-old-gradient": Bug(
        "gd_2d",
        "x1 - eta * 0.2 * x1",
        "x1 - eta * 2 * x1",
        ("test_gd_2d",),
        "the gradient of the notes' earlier bowl x1² + 2 x2²",
    ),
    "gd-2d-global-eta": Bug(
        "gd_2d",
        "    return x1 - eta * 0.2 * x1, x2 - eta * 4 * x2, 0, 0",
        "    lr = 0.4\n    return x1 - lr * 0.2 * x1, x2 - lr * 4 * x2, 0, 0",
        ("test_gd_2d",),
        "learning rate hard-coded (as with the notes' global eta)",
    ),
    "momentum-2d-fixed-beta": Bug(
        "momentum_2d",
        "    v1 = beta * v1 + eta * 0.2 * x1\n    v2 = beta * v2 + eta * 4 * x2",
        "    v1 = 0.5 * v1 + eta * 0.2 * x1\n    v2 = 0.5 * v2 + eta * 4 * x2",
        ("test_momentum_2d",),
        "momentum hard-coded",
    ),
    "momentum-2d-velocity-dropped": Bug(
        "momentum_2d",
        "    return x1 - v1, x2 - v2, v1, v2",
        "    return x1 - v1, x2 - v2, 0, 0",
        ("test_momentum_2d",),
        "the velocity is not returned as the state",
    ),
    "adagrad-2d-no-accumulation": Bug(
        "adagrad_2d",
        "    s1 += g1**2\n    s2 += g2**2",
        "    s1 = g1**2\n    s2 = g2**2",
        ("test_adagrad_2d",),
        "s holds the last squared gradient, not the sum",
    ),
    "adagrad-2d-eps-outside": Bug(
        "adagrad_2d",
        "    x1 -= eta / math.sqrt(s1 + eps) * g1\n    x2 -= eta / math.sqrt(s2 + eps) * g2",
        "    x1 -= eta / (math.sqrt(s1) + eps) * g1\n    x2 -= eta / (math.sqrt(s2) + eps) * g2",
        ("test_adagrad_2d",),
        "eps outside the square root",
    ),
    "rmsprop-2d-no-one-minus-gamma": Bug(
        "rmsprop_2d",
        "    s1 = gamma * s1 + (1 - gamma) * g1**2",
        "    s1 = gamma * s1 + g1**2",
        ("test_rmsprop_2d",),
        "the new squared gradient is not weighted by 1 - gamma",
    ),
    "rmsprop-2d-fixed-gamma": Bug(
        "rmsprop_2d",
        "    g1, g2, eps = 0.2 * x1, 4 * x2, 1e-6",
        "    g1, g2, eps = 0.2 * x1, 4 * x2, 1e-6\n    gamma = 0.9",
        ("test_rmsprop_2d",),
        "gamma hard-coded",
    ),
    "momentum-state-rebound": Bug(
        "sgd_momentum",
        '        v.data = hyperparams["momentum"] * v.data + hyperparams["lr"] * p.grad.data\n        p.data -= v.data',
        '        v = hyperparams["momentum"] * v + hyperparams["lr"] * p.grad.data\n        p.data -= v',
        ("test_sgd_momentum_steps", "test_sgd_momentum_from_scratch"),
        "the velocity is a new local tensor: the states never change",
    ),
    "momentum-fixed": Bug(
        "sgd_momentum",
        'hyperparams["momentum"] * v.data',
        "0.9 * v.data",
        ("test_sgd_momentum_steps",),
        "momentum hard-coded instead of read from hyperparams",
    ),
    "momentum-torch-optim": Bug(
        "sgd_momentum",
        "        p.data -= v.data",
        "        p.data -= v.data\n    torch.optim.SGD(params, lr=0.0).step()",
        ("test_sgd_momentum_from_scratch",),
        "a library optimizer in the cell (here a no-op: the values stay right, the source check still notices)",
    ),
    "momentum-states-float32": Bug(
        "sgd_momentum",
        "    return [torch.zeros_like(p.data) for p in params]",
        "    return [torch.zeros(p.shape) for p in params]",
        ("test_sgd_momentum_steps", "test_sgd_momentum_from_scratch"),
        "float32 velocities for float64 parameters; v.data = ... promotes them, so old checks saw right values",
    ),
    "momentum-states-on-cpu": Bug(
        cell="sgd_momentum",
        old="    return [torch.zeros_like(p.data) for p in params]",
        new="    return [torch.zeros(p.shape, dtype=p.dtype) for p in params]",
        loses=("test_sgd_momentum_steps", "test_sgd_momentum_from_scratch"),
        why="the right dtype but always the CPU: on a GPU the first step fails; old checks only ever gave CPU "
        "parameters, and an alternative even did this",
    ),
    "momentum-grad-scaled-in-place": Bug(
        "sgd_momentum",
        'hyperparams["lr"] * p.grad.data',
        'p.grad.data.mul_(hyperparams["lr"])',
        ("test_sgd_momentum_steps", "test_sgd_momentum_from_scratch"),
        "scales the caller's gradients in place; old checks set fresh gradients before each step",
    ),
    "adagrad-eps-outside": Bug(
        "adagrad",
        "torch.sqrt(s + eps)",
        "(torch.sqrt(s) + eps)",
        ("test_adagrad_steps",),
        "eps outside the square root",
    ),
    "adagrad-state-rebound": Bug(
        "adagrad",
        '        s.data += p.grad.data**2\n        p.data -= hyperparams["lr"] * p.grad.data / torch.sqrt(s + eps)',
        '        s = s + p.grad.data**2\n        p.data -= hyperparams["lr"] * p.grad.data / torch.sqrt(s + eps)',
        ("test_adagrad_steps",),
        "the sum is a new local tensor: the states never change",
    ),
    "adagrad-torch-optim": Bug(
        "adagrad",
        "    eps = 1e-6\n    for p, s in zip(params, states):\n"
        '        s.data += p.grad.data**2\n        p.data -= hyperparams["lr"] * p.grad.data / torch.sqrt(s + eps)',
        "    if not states or type(states[-1]) is not torch.optim.Adagrad:\n"
        '        states.append(torch.optim.Adagrad(params, lr=hyperparams["lr"], eps=1e-6 / 1e3))\n'
        "    states[-1].step()",
        ("test_adagrad_steps", "test_adagrad_from_scratch"),
        "torch.optim.Adagrad kept in the states",
    ),
    "rmsprop-eps-outside": Bug(
        "rmsprop",
        "torch.sqrt(s + eps)",
        "(torch.sqrt(s) + eps)",
        ("test_rmsprop_steps",),
        "eps outside the square root (as torch.optim.RMSprop)",
    ),
    "rmsprop-fixed-gamma": Bug(
        "rmsprop",
        'gamma, eps = hyperparams["gamma"], 1e-6',
        "gamma, eps = 0.9, 1e-6",
        ("test_rmsprop_steps",),
        "gamma hard-coded",
    ),
    "adadelta-s-after": Bug(
        "adadelta",
        "        s[:] = rho * s + (1 - rho) * p.grad.data**2\n        g = p.grad.data * torch.sqrt((delta + eps) / (s + eps))",
        "        g = p.grad.data * torch.sqrt((delta + eps) / (s + eps))\n        s[:] = rho * s + (1 - rho) * p.grad.data**2",
        ("test_adadelta_steps",),
        "s updated after the rescaled gradient is computed",
    ),
    "adadelta-eps-outside": Bug(
        "adadelta",
        "torch.sqrt((delta + eps) / (s + eps))",
        "(torch.sqrt(delta) + eps) / (torch.sqrt(s) + eps)",
        ("test_adadelta_steps",),
        "eps outside the square roots",
    ),
    "adam-no-bias-correction": Bug(
        "adam",
        '        v_bias_corr = v / (1 - beta1 ** hyperparams["t"])\n        s_bias_corr = s / (1 - beta2 ** hyperparams["t"])',
        "        v_bias_corr = v\n        s_bias_corr = s",
        ("test_adam_steps",),
        "no bias correction",
    ),
    "adam-t-not-advanced": Bug(
        "adam", '    hyperparams["t"] += 1', '    t = hyperparams["t"] + 1', ("test_adam_steps",), "t never advanced"
    ),
    "adam-eps-inside": Bug(
        "adam",
        "(torch.sqrt(s_bias_corr) + eps)",
        "torch.sqrt(s_bias_corr + eps)",
        ("test_adam_steps",),
        "eps inside the square root",
    ),
    "adam-sign": Bug(
        "adam",
        'p.data -= hyperparams["lr"]',
        'p.data += hyperparams["lr"]',
        ("test_adam_steps", "test_adam_trains_digits", "test_adam_from_scratch"),
        "ascends the loss",
    ),
}

ALTERNATIVES = {
    "train-2d-while": Alternative(
        "train_2d",
        "def train_2d(trainer, x1=-5.0, x2=-2.0, num_steps=20, **hyperparams):\n"
        "    state = (x1, x2, 0.0, 0.0)\n"
        "    points = [state[:2]]\n"
        "    while len(points) <= num_steps:\n"
        "        state = tuple(trainer(*state, **hyperparams))\n"
        "        points.append(state[:2])\n"
        "    return points",
    ),
    "gd-2d-gradient-function": Alternative(
        "gd_2d",
        "def grad_f_2d(x1, x2):\n    return 0.2 * x1, 4 * x2\n\n\n"
        "def gd_2d(x1, x2, s1, s2, eta=0.4):\n    g1, g2 = grad_f_2d(x1, x2)\n    return x1 - eta * g1, x2 - eta * g2, 0.0, 0.0",
    ),
    "momentum-2d-lr-outside": Alternative(
        "momentum_2d",
        "def momentum_2d(x1, x2, v1, v2, eta=0.6, beta=0.5):\n"
        "    v1 = beta * v1 + 0.2 * x1\n    v2 = beta * v2 + 4 * x2\n    return x1 - eta * v1, x2 - eta * v2, v1, v2",
        "the velocity without the learning rate: the same points for a constant eta",
    ),
    "adagrad-2d-numpy": Alternative(
        "adagrad_2d",
        "def adagrad_2d(x1, x2, s1, s2, eta=0.4):\n"
        "    g = np.array([0.2 * x1, 4 * x2])\n    s = np.array([s1, s2]) + g**2\n"
        "    x = np.array([x1, x2]) - eta * g / np.sqrt(s + 1e-6)\n"
        "    return float(x[0]), float(x[1]), float(s[0]), float(s[1])",
    ),
    "rmsprop-2d-power": Alternative(
        "rmsprop_2d",
        "def rmsprop_2d(x1, x2, s1, s2, eta=0.4, gamma=0.9):\n"
        "    g1, g2 = 0.2 * x1, 4 * x2\n"
        "    s1 = gamma * s1 + (1 - gamma) * g1 * g1\n    s2 = gamma * s2 + (1 - gamma) * g2 * g2\n"
        "    return x1 - eta * g1 * (s1 + 1e-6) ** -0.5, x2 - eta * g2 * (s2 + 1e-6) ** -0.5, s1, s2",
    ),
    "momentum-lr-outside-no-grad": Alternative(
        "sgd_momentum",
        "def init_sgd_momentum_states(params):\n"
        "    return [torch.zeros(p.shape, dtype=p.dtype, device=p.device) for p in params]\n\n\n"
        "def sgd_momentum(params, states, hyperparams):\n"
        "    with torch.no_grad():\n"
        "        for p, v in zip(params, states):\n"
        "            v.mul_(hyperparams['momentum']).add_(p.grad)\n"
        "            p.sub_(hyperparams['lr'] * v)",
        "velocity without the learning rate, in-place ops under no_grad",
    ),
    "adagrad-addcmul": Alternative(
        "adagrad",
        "def init_adagrad_states(params):\n    return [p.detach().clone().zero_() for p in params]\n\n\n"
        "def adagrad(params, states, hyperparams):\n"
        "    for p, s in zip(params, states):\n"
        "        g = p.grad\n"
        "        s.addcmul_(g, g)\n"
        "        p.data.addcdiv_(g, (s + 1e-6).sqrt(), value=-hyperparams['lr'])",
    ),
    "rmsprop-lerp": Alternative(
        "rmsprop",
        "def init_rmsprop_states(params):\n    return [torch.zeros_like(p) for p in params]\n\n\n"
        "def rmsprop(params, states, hyperparams):\n"
        "    lr, gamma = hyperparams['lr'], hyperparams['gamma']\n"
        "    for p, s in zip(params, states):\n"
        "        s.copy_(gamma * s + (1 - gamma) * p.grad * p.grad)\n"
        "        p.data = p.data - lr * p.grad / torch.sqrt(s + 1e-6)",
    ),
    "adadelta-tuples-no-grad": Alternative(
        "adadelta",
        "def init_adadelta_states(params):\n    return [tuple(torch.zeros_like(p) for _ in range(2)) for p in params]\n\n\n"
        "def adadelta(params, states, hyperparams):\n"
        "    rho = hyperparams['rho']\n"
        "    with torch.no_grad():\n"
        "        for p, (s, delta) in zip(params, states):\n"
        "            s.mul_(rho).add_((1 - rho) * p.grad**2)\n"
        "            update = p.grad * ((delta + 1e-5) / (s + 1e-5)).sqrt()\n"
        "            p -= update\n"
        "            delta.mul_(rho).add_((1 - rho) * update**2)",
    ),
    "adam-in-place-ops": Alternative(
        "adam",
        "def init_adam_states(params):\n    return [(torch.zeros_like(p), torch.zeros_like(p)) for p in params]\n\n\n"
        "def adam(params, states, hyperparams):\n"
        "    t, lr = hyperparams['t'], hyperparams['lr']\n"
        "    with torch.no_grad():\n"
        "        for p, (v, s) in zip(params, states):\n"
        "            v.mul_(0.9).add_(p.grad, alpha=0.1)\n"
        "            s.mul_(0.999).addcmul_(p.grad, p.grad, value=0.001)\n"
        "            denom = (s / (1 - 0.999**t)).sqrt().add_(1e-6)\n"
        "            p.addcdiv_(v / (1 - 0.9**t), denom, value=-lr)\n"
        "    hyperparams['t'] = t + 1",
    ),
}
