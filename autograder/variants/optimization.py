"""Sample submissions for 08_optimization: real bugs and correct alternatives."""

from autograder.variants import Alternative, Bug, dedent

BUGS = {
    "train-2d-states-reset": Bug(
        cell="train_2d",
        old="        x1, x2, s1, s2 = trainer(x1, x2, s1, s2, **hyperparams)",
        new="        x1, x2, _, _ = trainer(x1, x2, s1, s2, **hyperparams)",
        loses=("test_train_2d",),
        why="the states never reach the next step",
    ),
    "train-2d-no-start-point": Bug(
        cell="train_2d",
        old="    results = [(x1, x2)]",
        new="    results = []",
        loses=("test_train_2d",),
        why="the start point is missing",
    ),
    "train-2d-loop-index": Bug(
        cell="train_2d",
        old=dedent(
            """\
            for _ in range(num_steps):
                x1, x2, s1, s2 = trainer(x1, x2, s1, s2, **hyperparams)
                results.append((x1, x2))
            print(f"epoch {num_steps}, x1 {x1:f}, x2 {x2:f}")
            """,
            indent=4,
        ),
        new=dedent(
            """\
            for i in range(num_steps):
                x1, x2, s1, s2 = trainer(x1, x2, s1, s2, **hyperparams)
                results.append((x1, x2))
            print(f"epoch {i + 1}, x1 {x1:f}, x2 {x2:f}")
            """,
            indent=4,
        ),
        loses=("test_train_2d",),
        why="the notes' print of the loop index: no step at all (num_steps=0) leaves it undefined; old draws never asked for 0",
    ),
    "gd-2d-states-passed-on": Bug(
        cell="gd_2d",
        old="x2 - eta * 4 * x2, 0, 0",
        new="x2 - eta * 4 * x2, s1, s2",
        loses=("test_gd_2d",),
        why="hands back the states it was given, not (x1, x2, 0, 0); old checks only ever gave it zero states (a mutation survivor)",
    ),
    "gd-2d-old-gradient": Bug(
        cell="gd_2d",
        old="x1 - eta * 0.2 * x1",
        new="x1 - eta * 2 * x1",
        loses=("test_gd_2d",),
        why="the gradient of the notes' earlier bowl x1² + 2 x2²",
    ),
    "gd-2d-global-eta": Bug(
        cell="gd_2d",
        old="    return x1 - eta * 0.2 * x1, x2 - eta * 4 * x2, 0, 0",
        new=dedent(
            """\
            lr = 0.4
            return x1 - lr * 0.2 * x1, x2 - lr * 4 * x2, 0, 0""",
            indent=4,
        ),
        loses=("test_gd_2d",),
        why="learning rate hard-coded (as with the notes' global eta)",
    ),
    "momentum-2d-fixed-beta": Bug(
        cell="momentum_2d",
        old=dedent(
            """\
            v1 = beta * v1 + eta * 0.2 * x1
            v2 = beta * v2 + eta * 4 * x2""",
            indent=4,
        ),
        new=dedent(
            """\
            v1 = 0.5 * v1 + eta * 0.2 * x1
            v2 = 0.5 * v2 + eta * 4 * x2""",
            indent=4,
        ),
        loses=("test_momentum_2d",),
        why="momentum hard-coded",
    ),
    "momentum-2d-velocity-dropped": Bug(
        cell="momentum_2d",
        old="    return x1 - v1, x2 - v2, v1, v2",
        new="    return x1 - v1, x2 - v2, 0, 0",
        loses=("test_momentum_2d",),
        why="the velocity is not returned as the state",
    ),
    "adagrad-2d-no-accumulation": Bug(
        cell="adagrad_2d",
        old=dedent(
            """\
            s1 += g1**2
            s2 += g2**2""",
            indent=4,
        ),
        new=dedent(
            """\
            s1 = g1**2
            s2 = g2**2""",
            indent=4,
        ),
        loses=("test_adagrad_2d",),
        why="s holds the last squared gradient, not the sum",
    ),
    "adagrad-2d-eps-outside": Bug(
        cell="adagrad_2d",
        old=dedent(
            """\
            x1 -= eta / math.sqrt(s1 + eps) * g1
            x2 -= eta / math.sqrt(s2 + eps) * g2""",
            indent=4,
        ),
        new=dedent(
            """\
            x1 -= eta / (math.sqrt(s1) + eps) * g1
            x2 -= eta / (math.sqrt(s2) + eps) * g2""",
            indent=4,
        ),
        loses=("test_adagrad_2d",),
        why="eps outside the square root",
    ),
    "rmsprop-2d-no-one-minus-gamma": Bug(
        cell="rmsprop_2d",
        old="    s1 = gamma * s1 + (1 - gamma) * g1**2",
        new="    s1 = gamma * s1 + g1**2",
        loses=("test_rmsprop_2d",),
        why="the new squared gradient is not weighted by 1 - gamma",
    ),
    "rmsprop-2d-fixed-gamma": Bug(
        cell="rmsprop_2d",
        old="    g1, g2, eps = 0.2 * x1, 4 * x2, 1e-6",
        new=dedent(
            """\
            g1, g2, eps = 0.2 * x1, 4 * x2, 1e-6
            gamma = 0.9""",
            indent=4,
        ),
        loses=("test_rmsprop_2d",),
        why="gamma hard-coded",
    ),
    "momentum-state-rebound": Bug(
        cell="sgd_momentum",
        old=dedent(
            """\
            v.data = hyperparams["momentum"] * v.data + hyperparams["lr"] * p.grad.data
            p.data -= v.data""",
            indent=8,
        ),
        new=dedent(
            """\
            v = hyperparams["momentum"] * v + hyperparams["lr"] * p.grad.data
            p.data -= v""",
            indent=8,
        ),
        loses=("test_sgd_momentum_steps", "test_sgd_momentum_from_scratch"),
        why="the velocity is a new local tensor: the states never change",
    ),
    "momentum-fixed": Bug(
        cell="sgd_momentum",
        old='hyperparams["momentum"] * v.data',
        new="0.9 * v.data",
        loses=("test_sgd_momentum_steps",),
        why="momentum hard-coded instead of read from hyperparams",
    ),
    "momentum-torch-optim": Bug(
        cell="sgd_momentum",
        old="        p.data -= v.data",
        new=dedent(
            """\
                p.data -= v.data
            torch.optim.SGD(params, lr=0.0).step()""",
            indent=4,
        ),
        loses=("test_sgd_momentum_from_scratch",),
        why="a library optimizer in the cell (here a no-op: the values stay right, the source check still notices)",
    ),
    "momentum-states-float32": Bug(
        cell="sgd_momentum",
        old="    return [torch.zeros_like(p.data) for p in params]",
        new="    return [torch.zeros(p.shape) for p in params]",
        loses=("test_sgd_momentum_steps", "test_sgd_momentum_from_scratch"),
        why="float32 velocities for float64 parameters; v.data = ... promotes them, so old checks saw right values",
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
        cell="sgd_momentum",
        old='hyperparams["lr"] * p.grad.data',
        new='p.grad.data.mul_(hyperparams["lr"])',
        loses=("test_sgd_momentum_steps", "test_sgd_momentum_from_scratch"),
        why="scales the caller's gradients in place; old checks set fresh gradients before each step",
    ),
    "adagrad-eps-outside": Bug(
        cell="adagrad",
        old="torch.sqrt(s + eps)",
        new="(torch.sqrt(s) + eps)",
        loses=("test_adagrad_steps",),
        why="eps outside the square root",
    ),
    "adagrad-state-rebound": Bug(
        cell="adagrad",
        old=dedent(
            """\
            s.data += p.grad.data**2
            p.data -= hyperparams["lr"] * p.grad.data / torch.sqrt(s + eps)""",
            indent=8,
        ),
        new=dedent(
            """\
            s = s + p.grad.data**2
            p.data -= hyperparams["lr"] * p.grad.data / torch.sqrt(s + eps)""",
            indent=8,
        ),
        loses=("test_adagrad_steps",),
        why="the sum is a new local tensor: the states never change",
    ),
    "adagrad-torch-optim": Bug(
        cell="adagrad",
        old=dedent(
            """\
            eps = 1e-6
            for p, s in zip(params, states):
                s.data += p.grad.data**2
                p.data -= hyperparams["lr"] * p.grad.data / torch.sqrt(s + eps)""",
            indent=4,
        ),
        new=dedent(
            """\
            if not states or type(states[-1]) is not torch.optim.Adagrad:
                states.append(torch.optim.Adagrad(params, lr=hyperparams["lr"], eps=1e-6 / 1e3))
            states[-1].step()""",
            indent=4,
        ),
        loses=("test_adagrad_steps", "test_adagrad_from_scratch"),
        why="torch.optim.Adagrad kept in the states",
    ),
    "rmsprop-eps-outside": Bug(
        cell="rmsprop",
        old="torch.sqrt(s + eps)",
        new="(torch.sqrt(s) + eps)",
        loses=("test_rmsprop_steps",),
        why="eps outside the square root (as torch.optim.RMSprop)",
    ),
    "rmsprop-fixed-gamma": Bug(
        cell="rmsprop",
        old='gamma, eps = hyperparams["gamma"], 1e-6',
        new="gamma, eps = 0.9, 1e-6",
        loses=("test_rmsprop_steps",),
        why="gamma hard-coded",
    ),
    "adadelta-s-after": Bug(
        cell="adadelta",
        old=dedent(
            """\
            s[:] = rho * s + (1 - rho) * p.grad.data**2
            g = p.grad.data * torch.sqrt((delta + eps) / (s + eps))""",
            indent=8,
        ),
        new=dedent(
            """\
            g = p.grad.data * torch.sqrt((delta + eps) / (s + eps))
            s[:] = rho * s + (1 - rho) * p.grad.data**2""",
            indent=8,
        ),
        loses=("test_adadelta_steps",),
        why="s updated after the rescaled gradient is computed",
    ),
    "adadelta-eps-outside": Bug(
        cell="adadelta",
        old="torch.sqrt((delta + eps) / (s + eps))",
        new="(torch.sqrt(delta) + eps) / (torch.sqrt(s) + eps)",
        loses=("test_adadelta_steps",),
        why="eps outside the square roots",
    ),
    "adam-no-bias-correction": Bug(
        cell="adam",
        old=dedent(
            """\
            v_bias_corr = v / (1 - beta1 ** hyperparams["t"])
            s_bias_corr = s / (1 - beta2 ** hyperparams["t"])""",
            indent=8,
        ),
        new=dedent(
            """\
            v_bias_corr = v
            s_bias_corr = s""",
            indent=8,
        ),
        loses=("test_adam_steps",),
        why="no bias correction",
    ),
    "adam-t-not-advanced": Bug(
        cell="adam",
        old='    hyperparams["t"] += 1',
        new='    t = hyperparams["t"] + 1',
        loses=("test_adam_steps",),
        why="t never advanced",
    ),
    "adam-eps-inside": Bug(
        cell="adam",
        old="(torch.sqrt(s_bias_corr) + eps)",
        new="torch.sqrt(s_bias_corr + eps)",
        loses=("test_adam_steps",),
        why="eps inside the square root",
    ),
    "adam-sign": Bug(
        cell="adam",
        old='p.data -= hyperparams["lr"]',
        new='p.data += hyperparams["lr"]',
        loses=("test_adam_steps", "test_adam_trains_digits", "test_adam_from_scratch"),
        why="ascends the loss",
    ),
    # AdaGrad and RMSProp divide by sqrt(s), so a gradient off by a constant factor barely moves the points
    "adagrad-2d-gradient-halved": Bug(
        cell="adagrad_2d",
        old="g1, g2, eps = 0.2 * x1, 4 * x2, 1e-6",
        new="g1, g2, eps = 0.2 * x1, 2 * x2, 1e-6",
        loses=("test_adagrad_2d",),
        why="differentiates 2 x2² as 2 x2 (the factor 2 lost); the points stay close, the states s2 do not",
    ),
    "rmsprop-2d-gradient-halved": Bug(
        cell="rmsprop_2d",
        old="g1, g2, eps = 0.2 * x1, 4 * x2, 1e-6",
        new="g1, g2, eps = 0.2 * x1, 2 * x2, 1e-6",
        loses=("test_rmsprop_2d",),
        why="differentiates 2 x2² as 2 x2 (the factor 2 lost); the points stay close, the states s2 do not",
    ),
}

ALTERNATIVES = {
    "train-2d-while": Alternative(
        cell="train_2d",
        code=dedent("""\
            def train_2d(trainer, x1=-5.0, x2=-2.0, num_steps=20, **hyperparams):
                state = (x1, x2, 0.0, 0.0)
                points = [state[:2]]
                while len(points) <= num_steps:
                    state = tuple(trainer(*state, **hyperparams))
                    points.append(state[:2])
                return points"""),
        why="a while loop over a state tuple instead of a for loop",
    ),
    "gd-2d-gradient-function": Alternative(
        cell="gd_2d",
        code=dedent("""\
            def grad_f_2d(x1, x2):
                return 0.2 * x1, 4 * x2


            def gd_2d(x1, x2, s1, s2, eta=0.4):
                g1, g2 = grad_f_2d(x1, x2)
                return x1 - eta * g1, x2 - eta * g2, 0.0, 0.0"""),
        why="the gradient from a helper function",
    ),
    "momentum-2d-lr-outside": Alternative(
        cell="momentum_2d",
        code=dedent("""\
            def momentum_2d(x1, x2, v1, v2, eta=0.6, beta=0.5):
                v1 = beta * v1 + 0.2 * x1
                v2 = beta * v2 + 4 * x2
                return x1 - eta * v1, x2 - eta * v2, v1, v2"""),
        why="the velocity without the learning rate: the same points for a constant eta",
    ),
    "adagrad-2d-numpy": Alternative(
        cell="adagrad_2d",
        code=dedent("""\
            def adagrad_2d(x1, x2, s1, s2, eta=0.4):
                g = np.array([0.2 * x1, 4 * x2])
                s = np.array([s1, s2]) + g**2
                x = np.array([x1, x2]) - eta * g / np.sqrt(s + 1e-6)
                return float(x[0]), float(x[1]), float(s[0]), float(s[1])"""),
        why="the update on NumPy arrays of both coordinates, returned as floats",
    ),
    "rmsprop-2d-power": Alternative(
        cell="rmsprop_2d",
        code=dedent("""\
            def rmsprop_2d(x1, x2, s1, s2, eta=0.4, gamma=0.9):
                g1, g2 = 0.2 * x1, 4 * x2
                s1 = gamma * s1 + (1 - gamma) * g1 * g1
                s2 = gamma * s2 + (1 - gamma) * g2 * g2
                return x1 - eta * g1 * (s1 + 1e-6) ** -0.5, x2 - eta * g2 * (s2 + 1e-6) ** -0.5, s1, s2"""),
        why="products and ** -0.5 instead of ** 2 and math.sqrt",
    ),
    "momentum-lr-outside-no-grad": Alternative(
        cell="sgd_momentum",
        code=dedent("""\
            def init_sgd_momentum_states(params):
                return [torch.zeros(p.shape, dtype=p.dtype, device=p.device) for p in params]


            def sgd_momentum(params, states, hyperparams):
                with torch.no_grad():
                    for p, v in zip(params, states):
                        v.mul_(hyperparams['momentum']).add_(p.grad)
                        p.sub_(hyperparams['lr'] * v)"""),
        why="velocity without the learning rate, in-place ops under no_grad",
    ),
    "adagrad-addcmul": Alternative(
        cell="adagrad",
        code=dedent("""\
            def init_adagrad_states(params):
                return [p.detach().clone().zero_() for p in params]


            def adagrad(params, states, hyperparams):
                for p, s in zip(params, states):
                    g = p.grad
                    s.addcmul_(g, g)
                    p.data.addcdiv_(g, (s + 1e-6).sqrt(), value=-hyperparams['lr'])"""),
        why="in-place addcmul_ and addcdiv_; states from clone().zero_()",
    ),
    "rmsprop-lerp": Alternative(
        cell="rmsprop",
        code=dedent("""\
            def init_rmsprop_states(params):
                return [torch.zeros_like(p) for p in params]


            def rmsprop(params, states, hyperparams):
                lr, gamma = hyperparams['lr'], hyperparams['gamma']
                for p, s in zip(params, states):
                    s.copy_(gamma * s + (1 - gamma) * p.grad * p.grad)
                    p.data = p.data - lr * p.grad / torch.sqrt(s + 1e-6)"""),
        why="state updated with copy_ and the parameter by assigning p.data",
    ),
    "adadelta-tuples-no-grad": Alternative(
        cell="adadelta",
        code=dedent("""\
            def init_adadelta_states(params):
                return [tuple(torch.zeros_like(p) for _ in range(2)) for p in params]


            def adadelta(params, states, hyperparams):
                rho = hyperparams['rho']
                with torch.no_grad():
                    for p, (s, delta) in zip(params, states):
                        s.mul_(rho).add_((1 - rho) * p.grad**2)
                        update = p.grad * ((delta + 1e-5) / (s + 1e-5)).sqrt()
                        p -= update
                        delta.mul_(rho).add_((1 - rho) * update**2)"""),
        why="states as tuples and in-place updates under torch.no_grad()",
    ),
    "adam-in-place-ops": Alternative(
        cell="adam",
        code=dedent("""\
            def init_adam_states(params):
                return [(torch.zeros_like(p), torch.zeros_like(p)) for p in params]


            def adam(params, states, hyperparams):
                t, lr = hyperparams['t'], hyperparams['lr']
                with torch.no_grad():
                    for p, (v, s) in zip(params, states):
                        v.mul_(0.9).add_(p.grad, alpha=0.1)
                        s.mul_(0.999).addcmul_(p.grad, p.grad, value=0.001)
                        denom = (s / (1 - 0.999**t)).sqrt().add_(1e-6)
                        p.addcdiv_(v / (1 - 0.9**t), denom, value=-lr)
                hyperparams['t'] = t + 1"""),
        why="in-place mul_/add_/addcmul_/addcdiv_ under torch.no_grad()",
    ),
}
