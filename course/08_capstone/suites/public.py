"""Public tests of 08_capstone (shipped with the assignment).

The functions pasted from earlier assignments are checked on small worked inputs. The network's
gradient is checked numerically against YOUR OWN forward pass (central differences, so the check
holds whatever random stream your dropout draws from: the same seed gives the same masks in every
call); loss_and_grads is checked against your own forward pass, loss and backward pass, so each
function is graded on its own.
train() is checked through its contract (history, early stopping, determinism, no changes to the
caller's arrays) and end to end on the validation split: the regularized configuration must reach
VAL_TARGET (common.py) while the unregularized one, on the same network, stays below it. The hidden
tests check the same on more inputs and the end-to-end run on a test split you never see.
"""
import numpy as np

from autograder.framework import Fail, Mistake, call_args, case, check_close, expect
from autograder.protocol import Rng
from autograder.suites.capstone.common import (
    HINT_BEST_EPOCH, HINT_BIAS_DECAY, HINT_EVAL_DROPOUT, HINT_PIPELINE, HINT_DOUBLE_DECAY, HINT_NO_DECAY, HINT_NOT_RESTORED,
    HINT_SMOOTHED_VALIDATION, LAYERS, REGULARIZED, TRAIN_BUDGET, UNREGULARIZED, VAL_TARGET, as_params,
    check_composition, data_copy, digits, he_init, predict, shapes_of, train_result)

# Sums and products of a few float64 numbers: correct implementations differ in the last bits only.
RTOL = 1e-10
# Central differences with step 1e-6 on float64: truncation ~1e-12 and rounding ~1e-10 relative to the
# loss; 1e-6 relative (plus 1e-8 absolute for entries near 0) is far below any real mistake (a factor,
# a missing mask, a missing ReLU derivative change entries by O(1) relative).
FD_STEP, FD_RTOL, FD_ATOL = 1e-6, 1e-6, 1e-8


def _tiny_network(seed=0, sizes=(5, 4, 3, 3)):
    rng = np.random.default_rng(seed)
    params = {}
    for l, (a, b) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
        params[f"W{l}"] = rng.normal(0, 0.8, (a, b))
        params[f"b{l}"] = rng.normal(0, 0.3, b)
    X = rng.normal(0, 1.0, (6, sizes[0]))
    y = rng.integers(0, sizes[-1], 6)
    return params, X, y


def _check_grads(got, expected, what, hint=None):
    if not isinstance(got, dict) or set(got) != set(expected):
        raise Fail(f"{what} must be a dict with the keys {sorted(expected)}, got "
                   f"{sorted(got) if isinstance(got, dict) else type(got).__name__}")
    for name in expected:
        try:
            check_close(got[name], expected[name], rtol=FD_RTOL, atol=FD_ATOL, what=f"{what}[{name!r}]")
        except Fail as failure:
            raise Fail(failure.message + " (compared with central differences of your own loss)", hint) from None


# ----------------------------------------------------------------------------- pasted from earlier
@case("dropout_forward: kept units doubled at p = 0.5, identity with training=False", points=1)
def _(sub):
    x = np.linspace(0.5, 5.0, 60).reshape(6, 10)
    out, mask = sub.dropout_forward(x, 0.5, Rng(1))
    out, mask = np.asarray(out, dtype=float), np.asarray(mask, dtype=float)
    expect(out.shape == x.shape and mask.shape == x.shape, "out and mask must have the shape of x")
    expect(bool(np.all((mask == 0) | (mask == 1))), "the mask must hold only 0 and 1")
    check_close(out, 2.0 * x * mask, rtol=RTOL, what="out at p = 0.5")
    out, mask = sub.dropout_forward(x, 0.5, None, training=False)
    check_close(out, x, rtol=RTOL, what="out with training=False")


@case("dropout_backward: dout * mask / (1 - p)", points=1)
def _(sub):
    check_close(sub.dropout_backward(np.array([1.0, -2.0, 3.0]), np.array([1.0, 0.0, 1.0]), 0.25),
                [4 / 3, 0.0, 4.0], rtol=RTOL, what="dropout_backward")


@case("smooth_labels: uniform and others, K = 4, eps = 0.2", points=1)
def _(sub):
    check_close(sub.smooth_labels(np.array([2]), 4, 0.2), [[0.05, 0.05, 0.85, 0.05]], rtol=RTOL,
                what="smooth_labels(uniform)")
    check_close(sub.smooth_labels(np.array([0]), 4, 0.2, spread="others"), [[0.8, 0.2 / 3, 0.2 / 3, 0.2 / 3]],
                rtol=RTOL, what="smooth_labels(others)")


@case("softmax: rows sum to one, finite for logits 1000 and -1000", points=1)
def _(sub):
    check_close(sub.softmax(np.array([[0.0, np.log(3.0)], [1000.0, -1000.0]])), [[0.25, 0.75], [1.0, 0.0]],
                rtol=RTOL, atol=1e-300, what="softmax")


@case("adamw_step: the first step from zero moments", points=1)
def _(sub):
    w, g, lr, wd = np.array([1.0, -2.0]), np.array([0.5, -0.1]), 0.1, 0.1
    state = {"step": 0, "m": np.zeros(2), "v": np.zeros(2)}
    result = sub.adamw_step(w, g, state, lr=lr, weight_decay=wd)
    # t = 1: m_hat = g and v_hat = g^2, so the Adam step is lr * g / (|g| + 1e-8)
    check_close(result[0], (1 - lr * wd) * w - lr * g / (np.abs(g) + 1e-8), rtol=RTOL, what="w_new")
    expect(result[1]["step"] == 1, "state_new['step'] must be 1 after the first step")


# ----------------------------------------------------------------------------- the network
@case("init_mlp: shapes, zero biases, He variance 2 / fan_in", points=2)
def _(sub):
    params = as_params(sub.init_mlp([400, 300, 10], Rng(3)), shapes_of([400, 300, 10]))
    for name in ("b1", "b2"):
        expect(bool(np.all(params[name] == 0)), f"{name} must start at zero",
               "the biases start at zero; only the weight matrices are drawn at random.")
    for name, fan_in in (("W1", 400), ("W2", 300)):
        w = params[name]
        # sample variance of n >= 3000 Gaussians: relative standard deviation sqrt(2/n) <= 0.026, so a
        # 15% band is more than 5.7 standard deviations (failure probability < 1e-8)
        ratio = float(np.mean(w ** 2)) / (2.0 / fan_in)
        expect(abs(ratio - 1) < 0.15 and abs(float(np.mean(w))) < 4 * np.sqrt(2 / fan_in / w.size),
               f"{name}: entries have mean {np.mean(w):.3g} and mean square {np.mean(w ** 2):.4g}; "
               f"He initialization has mean 0 and variance 2 / fan_in = {2 / fan_in:.4g}")


@case("mlp_forward: logits of a small network with dropout off", points=2)
def _(sub):
    params, X, _ = _tiny_network(1)
    h1 = np.maximum(X @ params["W1"] + params["b1"], 0)
    h2 = np.maximum(h1 @ params["W2"] + params["b2"], 0)
    expected = h2 @ params["W3"] + params["b3"]
    for training, p in ((True, 0.0), (False, 0.5)):
        result = sub.mlp_forward(params, X, p, Rng(0), training=training)
        check_close(result[0], expected, rtol=RTOL, what=f"logits (training={training}, p_drop={p})",
                    mistakes=[Mistake("dropout at inference", lambda *a: result[0], HINT_EVAL_DROPOUT)] if p else [])


@case("smoothed_cross_entropy: loss and gradient computed by hand, eps = 0 and 0.1", points=2)
def _(sub):
    logits, labels = np.array([[2.0, 1.0, 0.0], [0.0, 0.0, 3.0]]), np.array([0, 1])
    log_p = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    for eps in (0.0, 0.1):
        targets = (1 - eps) * np.eye(3)[labels] + eps / 3
        loss, grad = sub.smoothed_cross_entropy(logits, labels, eps)
        check_close(loss, -(targets * log_p).sum() / 2, rtol=RTOL, what=f"loss (eps = {eps})")
        check_close(grad, (np.exp(log_p) - targets) / 2, rtol=RTOL, what=f"dlogits (eps = {eps})", mistakes=[
            Mistake("sum, not mean", np.exp(log_p) - targets,
                    "your gradient is N times too large: the loss is a MEAN over the rows, so divide by N."),
            Mistake("unsmoothed targets", (np.exp(log_p) - np.eye(3)[labels]) / 2,
                    "your gradient ignores the smoothing: it is (softmax - targets) / N with the SMOOTHED "
                    "targets, the same ones the loss uses.")])
    loss, _ = sub.smoothed_cross_entropy(np.array([[1000.0, -1000.0]]), np.array([1]), 0.0)
    expect(bool(np.isfinite(np.asarray(loss, dtype=float)).all()),
           "the loss for logits (1000, -1000) is not finite",
           "exp(1000) overflows: compute log-softmax as z - max(z) - log(sum(exp(z - max(z)))), row by row.")
    check_close(loss, 2000.0, rtol=RTOL, what="loss for logits (1000, -1000), true class 1")


@case("mlp_backward: gradient of sum(G * logits) matches central differences of your forward pass", points=3)
def _(sub):
    params, X, _ = _tiny_network(2)
    G = np.random.default_rng(5).normal(size=(X.shape[0], 3))
    logits, cache = sub.mlp_forward(params, X, 0.0, Rng(0), training=True)
    grads = sub.mlp_backward(G, cache)
    numeric = {}
    calls = []
    for name, weights in params.items():
        for i in np.ndindex(weights.shape):
            for sign in (1, -1):
                moved = {k: v.copy() for k, v in params.items()}
                moved[name][i] += sign * FD_STEP
                calls.append(call_args(moved, X, 0.0, Rng(0), training=False))
    values = [float(np.sum(G * np.asarray(r[0], dtype=float))) for r in sub.call_many("mlp_forward", calls)]
    k = 0
    for name, weights in params.items():
        numeric[name] = np.zeros_like(weights)
        for i in np.ndindex(weights.shape):
            numeric[name][i] = (values[k] - values[k + 1]) / (2 * FD_STEP)
            k += 2
    _check_grads(grads, numeric, "mlp_backward(...)")


@case("loss_and_grads: your forward pass, smoothed_cross_entropy and backward pass, in that order", points=3)
def _(sub):
    params, X, y = _tiny_network(3)
    for p, eps in ((0.0, 0.0), (0.5, 0.1)):
        check_composition(sub, params, X, y, p, eps, seed=7)


@case("adamw_update: decays weight matrices, never biases", points=3)
def _(sub):
    params, _, _ = _tiny_network(4, sizes=(3, 4, 2))
    zero = {k: np.zeros_like(v) for k, v in params.items()}
    new, states = sub.adamw_update(params, zero, None, 0.1, 0.5)
    new = as_params(new, {k: v.shape for k, v in params.items()}, "new_params")
    for name in ("b1", "b2"):
        check_close(new[name], params[name], rtol=RTOL, what=f"new_params[{name!r}] after a zero gradient",
                    mistakes=[Mistake("bias decayed", 0.95 * params[name], HINT_BIAS_DECAY)])
    for name in ("W1", "W2"):
        check_close(new[name], 0.95 * params[name], rtol=RTOL, what=f"new_params[{name!r}] after a zero gradient",
                    mistakes=[Mistake("no decay", params[name], HINT_NO_DECAY)])
    grads = {k: np.full_like(v, 0.25) for k, v in params.items()}
    new, _ = sub.adamw_update(params, grads, None, 0.1, 0.5)
    for name in ("W1", "W2"):
        # first step: m_hat = g, v_hat = g^2; with decay added to the gradient as well, g would be g + 0.5 W
        g2 = 0.25 + 0.5 * params[name]
        check_close(new[name], 0.95 * params[name] - 0.1 * 0.25 / (0.25 + 1e-8), rtol=RTOL,
                    what=f"new_params[{name!r}]", mistakes=[
                        Mistake("decay twice", 0.95 * params[name] - 0.1 * g2 / (np.abs(g2) + 1e-8), HINT_DOUBLE_DECAY)])


@case("evaluate: plain cross-entropy and accuracy with dropout off", points=2)
def _(sub):
    params = {"W1": np.array([[1.0, 0.0], [0.0, 1.0]]), "b1": np.zeros(2)}
    X = np.array([[2.0, 0.0], [0.0, 1.0], [3.0, 1.0], [0.0, 0.5], [1.0, 2.0]])
    y = np.array([0, 0, 1, 1, 1])
    loss, acc = sub.evaluate(params, X, y)
    log_p = X - np.log(np.exp(X).sum(axis=1, keepdims=True))
    check_close(loss, -np.mean(log_p[np.arange(5), y]), rtol=RTOL, what="loss", mistakes=[
        Mistake("sum", -np.sum(log_p[np.arange(5), y]), "your loss is the SUM over the rows; evaluate() returns "
                "the mean cross-entropy, comparable between splits of different sizes.")])
    # the logits are the rows of X: rows 0, 3 and 4 are predicted right, 3 of 5
    check_close(acc, 0.6, rtol=RTOL, what="accuracy", mistakes=[
        Mistake("error rate", 0.4, "you returned the fraction of WRONG predictions; accuracy is the fraction "
                "whose largest logit is at the true label."),
        Mistake("count", 3.0, "accuracy is a fraction in [0, 1], not a count of correct rows.")])


# ----------------------------------------------------------------------------- the training loop
def _small_run(sub, seed, config, n=40, inputs=False):
    """train() on a slice of the digits with a small network (fast), from the given seed."""
    data = {k: v[:n].copy() for k, v in digits().items()}
    params = {k: np.random.default_rng(seed).normal(0, 0.1, s) for k, s in shapes_of([64, 16, 10]).items()}
    if inputs:
        return sub.call_with_inputs("train", params, data, config, Rng(seed)), params, data
    return train_result(sub.train(params, data, config, Rng(seed)), shapes_of([64, 16, 10])), params, data


@case("train: history has one entry per epoch; no early stopping runs every epoch", points=2)
def _(sub):
    (params, history), _, _ = _small_run(sub, 1, {"epochs": 7, "lr": 0.01})
    expect(history["epochs_run"] == 7, f"with patience None all 7 epochs run, got {history['epochs_run']}")
    expect(history["best_epoch"] == 6, "with patience None the final parameters are returned: best_epoch "
           f"is the last epoch (6), got {history['best_epoch']}")


@case("train: early stopping picks the lowest validation loss and stops after `patience` epochs", points=3)
def _(sub):
    # lr 0.05 on 40 examples: the validation loss turns up within a few epochs, so patience 3 stops early
    (params, history), _, _ = _small_run(sub, 2, {"epochs": 60, "lr": 0.05, "patience": 3})
    val = history["val_loss"]
    best = int(np.argmin(val))
    expect(history["best_epoch"] == best, f"best_epoch is {history['best_epoch']} but the lowest validation "
           f"loss of your history is at epoch {best}", HINT_BEST_EPOCH)
    expected_run = min(60, best + 3 + 1)
    expect(history["epochs_run"] == expected_run, f"the best epoch is {best} and patience 3, so training "
           f"stops after epoch {best + 3} ({expected_run} epochs); yours ran {history['epochs_run']}", HINT_BEST_EPOCH)


@case("train: returns the parameters of the best epoch (your evaluate() on them gives its validation loss)", points=3)
def _(sub):
    (params, history), _, data = _small_run(sub, 3, {"epochs": 60, "lr": 0.05, "patience": 3, "eps": 0.2})
    loss, _ = sub.evaluate(params, data["X_val"], data["y_val"])
    best, last = history["best_epoch"], history["epochs_run"] - 1
    # evaluate() on the same parameters and data: only the last bits may differ (1e-9 relative)
    if not np.isclose(float(loss), history["val_loss"][best], rtol=1e-9, atol=0):
        hint = HINT_NOT_RESTORED if best != last and np.isclose(float(loss), history["val_loss"][last], rtol=1e-9) \
            else HINT_SMOOTHED_VALIDATION
        raise Fail(f"evaluate() on the returned parameters gives a validation loss {float(loss):.10g}, but "
                   f"history['val_loss'][best_epoch = {best}] is {history['val_loss'][best]:.10g}", hint)


@case("train: the same seed gives the same run; params and data are not modified", points=2)
def _(sub):
    (first, args_after, _), params, data = _small_run(sub, 4, {"epochs": 3, "lr": 0.01, "p_drop": 0.3}, inputs=True)
    expect(all(np.array_equal(np.asarray(args_after[0][k], dtype=float), params[k]) for k in params),
           "train modified the params it was given: work on copies (the caller's arrays must not change)")
    expect(all(np.array_equal(np.asarray(args_after[1][k]), data[k]) for k in data),
           "train modified the data it was given (shuffle an index array, not the data)")
    (second, _), _, _ = _small_run(sub, 4, {"epochs": 3, "lr": 0.01, "p_drop": 0.3})
    first, _ = train_result(first, shapes_of([64, 16, 10]))
    for k in first:
        expect(np.array_equal(first[k], second[k]), f"two runs with the same seed returned different {k!r}: draw "
               "every random number (the shuffling and the dropout masks) from the rng argument")


@case("train: on the digits, regularization lifts validation accuracy above the target the plain run misses",
      points=4, call_timeout=TRAIN_BUDGET)   # budget: TRAIN_BUDGET s per train() call (common.py)
def _(sub):
    data = data_copy()
    accuracy = {}
    for name, config in (("unregularized", UNREGULARIZED), ("regularized", REGULARIZED)):
        params = he_init(LAYERS, 11)   # built here: this case grades train(), not init_mlp()
        best, _ = train_result(sub.train(params, data, config, Rng(11)), shapes_of(LAYERS))
        accuracy[name] = float(np.mean(predict(best, data["X_val"]) == data["y_val"]))
    expect(accuracy["regularized"] >= VAL_TARGET,
           f"the regularized run reaches a validation accuracy of {accuracy['regularized']:.3f}, below the "
           f"target {VAL_TARGET} (the unregularized run: {accuracy['unregularized']:.3f})", HINT_PIPELINE)
    expect(accuracy["unregularized"] < VAL_TARGET,
           f"the unregularized run already reaches {accuracy['unregularized']:.3f} >= {VAL_TARGET}: with "
           "weight_decay, p_drop and eps at 0 and patience None, does your loop still regularize?", HINT_PIPELINE)
