"""Hidden tests of 08_capstone (never shipped to students).

Deterministic functions are compared with the reference on seeded random networks of several
depths; where dropout draws masks, the checks use only the submission's own stream (central
differences through its own forward pass with a fixed seed, same seed -> same run). The end-to-end
case trains the submission's network twice on the shipped training split, unregularized and
regularized, and measures both on the instructor's test split (hidden/digits_test.npz, never
shipped): the regularized run must reach TEST_TARGET, the unregularized one must miss it.
"""
import functools
from pathlib import Path

import numpy as np

from autograder.framework import Fail, Mistake, call_args, case, check_close, compare, compare_many, expect, read_only
from autograder.protocol import Rng
from autograder.suites.capstone.common import (
    HINT_BIAS_DECAY, HINT_DOUBLE_DECAY, HINT_EVAL_DROPOUT, HINT_NO_DECAY, LAYERS, REGULARIZED, TRAIN_BUDGET, UNREGULARIZED,
    HINT_PIPELINE, check_composition, data_copy, he_init, predict, shapes_of, train_result)

RTOL = 1e-10          # a few float64 sums and products: last-bit differences only
MATMUL_RTOL = 1e-9    # matrix products of up to 64 terms, in any summation order
FD_STEP, FD_RTOL, FD_ATOL = 1e-6, 1e-6, 1e-8   # central differences, as in public.py
# Test accuracy the regularized run must reach and the unregularized one must miss, measured from the
# reference (tools/capstone_accuracies.py, checked by tests/test_capstone_reference.py) over seeds 0-9, 11
# and 23: unregularized 0.701-0.728 (mean 0.716, sd 0.008), regularized 0.796-0.843 (mean 0.816, sd 0.013).
# The target leaves a margin >= 0.03 to every measured run, 3.9 sd from the regularized mean and 6 sd from
# the unregularized one, so a correct submission drawing other random numbers passes too.
TEST_TARGET = 0.765

HINT_SMOOTH_GRAD = ("your gradient ignores the smoothing: it is (softmax - targets) / N with the SMOOTHED "
                    "targets, the same ones the loss uses.")
HINT_SUM_GRAD = "your gradient is N times too large: the loss is a MEAN over the rows, so divide by N."
HINT_COUPLED = ("your update adds weight_decay * W to the gradient (Adam with an L2 term): AdamW's decay is "
                "decoupled, the weights are shrunk by (1 - lr * weight_decay) by adamw_step, outside the moments.")
HINT_PROBABILITY_GRAD = ("your gradient is -targets / softmax / N, the derivative with respect to the "
                         "PROBABILITIES. Through the softmax the gradient with respect to the logits simplifies "
                         "to (softmax(logits) - targets) / N.")
HINT_OTHERS = ("your targets spread eps over the OTHER classes (eps / (K - 1) each); this module uses the "
               "uniform convention, (1 - eps) * onehot + eps / K.")
HINT_RELU = ("units whose pre-activation is negative pass no gradient back: multiply by the ReLU's "
             "derivative (pre-activation > 0) on the way down.")
HINT_MASK = ("the backward pass must reuse the forward pass's dropout masks: dropped units pass no gradient, "
             "kept ones are rescaled by 1/(1 - p) as in the forward pass.")


@functools.lru_cache(maxsize=None)
def _test_split():
    with np.load(Path(__file__).resolve().parent / "hidden" / "digits_test.npz") as raw:
        return read_only((raw["X_test"].astype(np.float64) / 16.0, raw["y_test"].astype(np.int64)))


def _network(seed, sizes, n=7):
    rng = np.random.default_rng(seed)
    params = {}
    for l, (a, b) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
        params[f"W{l}"] = rng.normal(0, 0.8, (a, b))
        params[f"b{l}"] = rng.normal(0, 0.3, b)
    return params, rng.normal(0, 1.0, (n, sizes[0])), rng.integers(0, sizes[-1], n)


NETWORKS = [(10, (4, 3)), (11, (5, 6, 3)), (12, (6, 5, 4, 4)), (13, (8, 7, 10))]


def _check_dict(got, expected, what, rtol, atol=0.0, mistakes=()):
    if not isinstance(got, dict) or set(got) != set(expected):
        raise Fail(f"{what} must be a dict with the keys {sorted(expected)}")
    for name in expected:
        hint = None
        for m in mistakes:
            wrong = m.value[name]
            try:
                if np.allclose(np.asarray(got[name], dtype=float), wrong, rtol=rtol, atol=atol) and \
                        not np.allclose(wrong, expected[name], rtol=rtol, atol=atol):
                    hint = m.hint
                    break
            except (TypeError, ValueError):
                continue
        try:
            check_close(got[name], expected[name], rtol=rtol, atol=atol, what=f"{what}[{name!r}]")
        except Fail as failure:
            raise Fail(failure.message, hint or failure.hint) from None


# ----------------------------------------------------------------------------- pasted from earlier
@case("dropout_forward: out = x * mask / (1 - p) for your mask; identity at inference", points=1)
def _(sub, ref):
    x = np.random.default_rng(20).normal(size=(30, 20))
    for p in (0.2, 0.7):
        out, mask = sub.dropout_forward(x, p, Rng(21))
        mask = np.asarray(mask, dtype=float)
        expect(bool(np.all((mask == 0) | (mask == 1))), "the mask must hold only 0 and 1")
        # 600 units: a kept fraction outside [0.1, 0.9] of 1 - p is astronomically unlikely (Hoeffding < 1e-40)
        expect(abs(mask.mean() - (1 - p)) < 0.1 * (1 - p) + 0.1, f"at p = {p} your mask keeps {mask.mean():.2f} "
               f"of the units; expected about {1 - p}")
        check_close(out, x * mask / (1 - p), rtol=RTOL, what=f"out at p = {p}")
    compare(sub, ref, "dropout_forward", x, 0.5, None, training=False, part=0, rtol=RTOL)


@case("dropout_backward: agrees with the reference", points=1)
def _(sub, ref):
    rng = np.random.default_rng(22)
    compare_many(sub, ref, "dropout_backward", [(rng.normal(size=(5, 4)), (rng.random((5, 4)) < 0.6) * 1.0, p)
                                                for p in (0.0, 0.4, 0.9)], rtol=RTOL)


@case("smooth_labels: agrees with the reference", points=1)
def _(sub, ref):
    labels = np.array([0, 3, 9, 3])
    compare_many(sub, ref, "smooth_labels", [call_args(labels, 10, eps, spread=s) for eps in (0.0, 0.1, 1.0)
                                             for s in ("uniform", "others")], rtol=RTOL, atol=1e-15)


@case("softmax: agrees with the reference, large logits", points=1)
def _(sub, ref):
    rng = np.random.default_rng(23)
    compare_many(sub, ref, "softmax", [(rng.normal(0, s, (4, 6)),) for s in (1.0, 50.0, 800.0)], rtol=1e-9, atol=1e-300)


@case("adamw_step: ten chained steps agree with the reference", points=1)
def _(sub, ref):
    rng = np.random.default_rng(24)
    w = rng.normal(size=5)
    state = {"step": 0, "m": np.zeros(5), "v": np.zeros(5)}
    for k in range(10):
        g = rng.normal(size=5)
        expected = ref.adamw_step(w, g, state, lr=0.05, weight_decay=0.2)
        got = sub.adamw_step(w, g, state, lr=0.05, weight_decay=0.2)
        check_close(got[0], expected[0], rtol=1e-9, what=f"w after step {k + 1}")
        w, state = expected


# ----------------------------------------------------------------------------- the network
@case("init_mlp: three layers, shapes and zero biases; different seeds give different weights", points=1)
def _(sub, ref):
    sizes = [7, 5, 4, 3]
    from autograder.suites.capstone.common import as_params
    first = as_params(sub.init_mlp(sizes, Rng(1)), shapes_of(sizes))
    second = as_params(sub.init_mlp(sizes, Rng(2)), shapes_of(sizes))
    again = as_params(sub.init_mlp(sizes, Rng(1)), shapes_of(sizes))
    expect(all(np.all(first[f"b{l}"] == 0) for l in (1, 2, 3)), "the biases must start at zero")
    expect(not np.array_equal(first["W1"], second["W1"]), "two seeds gave the same W1: draw from the rng argument")
    expect(all(np.array_equal(first[k], again[k]) for k in first), "the same seed gave different weights: "
           "draw from the rng argument only")
    # 25,000 draws of W1 for a 100 -> 250 layer: variance within 5% of 2/100 (> 5 standard deviations)
    big = as_params(sub.init_mlp([100, 250], Rng(3)), shapes_of([100, 250]))["W1"]
    ratio = float(np.mean(big ** 2)) / 0.02
    expect(abs(ratio - 1) < 0.05, f"W1 of a layer with fan_in 100 has mean square {np.mean(big ** 2):.4g}; "
           "He initialization has variance 2 / fan_in = 0.02",
           "the variance is 2 / fan_in (fan_in: the number of INPUTS of the layer, the rows of W), a standard "
           "deviation of sqrt(2 / fan_in)." if abs(ratio - 0.5) < 0.05 or abs(ratio - 0.4) < 0.05 else None)


@case("mlp_forward: logits agree with the reference with dropout off, 1 to 3 hidden layers", points=2)
def _(sub, ref):
    for seed, sizes in NETWORKS:
        params, X, _ = _network(seed, sizes)
        expected = ref.mlp_forward(params, X, 0.6, None, training=False)[0]
        got, without_p = (sub.mlp_forward(params, X, p, Rng(seed), training=False)[0] for p in (0.6, 0.0))
        check_close(without_p, expected, rtol=MATMUL_RTOL, atol=1e-12, what=f"logits, layers {sizes}, p_drop 0")
        check_close(got, expected, rtol=MATMUL_RTOL, atol=1e-12, what=f"logits, layers {sizes}, p_drop 0.6, "
                    "training=False", mistakes=[Mistake("dropout at inference", lambda *a: got, HINT_EVAL_DROPOUT)])


@case("mlp_forward: dropout during training; the same seed gives the same logits", points=1)
def _(sub, ref):
    params, X, _ = _network(14, (6, 40, 3), n=20)
    a = np.asarray(sub.mlp_forward(params, X, 0.5, Rng(3))[0], dtype=float)
    b = np.asarray(sub.mlp_forward(params, X, 0.5, Rng(3))[0], dtype=float)
    off = ref.mlp_forward(params, X, 0.5, None, training=False)[0]
    expect(np.array_equal(a, b), "two calls with the same seed gave different logits: draw the masks from rng")
    # 800 hidden units at p = 0.5: no unit dropped at all has probability 2^-800
    expect(not np.allclose(a, off, rtol=1e-9), "with training=True and p_drop = 0.5 your logits equal those "
           "without dropout: apply dropout_forward after every hidden ReLU")


@case("smoothed_cross_entropy: loss and gradient agree with the reference", points=2)
def _(sub, ref):
    rng = np.random.default_rng(25)
    calls = [(rng.normal(0, s, (n, k)), rng.integers(0, k, n), eps)
             for s, n, k, eps in ((1.0, 5, 3, 0.0), (3.0, 8, 10, 0.1), (500.0, 4, 10, 0.3), (2.0, 1, 2, 1.0))]
    for logits, labels, eps in calls:
        loss, grad = ref.smoothed_cross_entropy(logits, labels, eps)
        n, k = logits.shape
        p = ref.softmax(logits)
        with np.errstate(divide="ignore"):   # probabilities that underflow to 0: the mistake's value is inf there
            by_probabilities = -ref.smooth_labels(labels, k, eps) / p / n
        got = sub.smoothed_cross_entropy(logits, labels, eps)
        shifted = logits - logits.max(axis=1, keepdims=True)
        log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        others = -(ref.smooth_labels(labels, k, eps, spread="others") * log_p).sum() / n
        check_close(got[0], loss, rtol=1e-9, what=f"loss (eps = {eps})",
                    mistakes=[Mistake("others", others, HINT_OTHERS)])
        check_close(got[1], grad, rtol=1e-9, atol=1e-15, what=f"dlogits (eps = {eps})", mistakes=[
            Mistake("sum", grad * n, HINT_SUM_GRAD), Mistake("onehot", (p - np.eye(k)[labels]) / n, HINT_SMOOTH_GRAD),
            Mistake("probabilities", by_probabilities, HINT_PROBABILITY_GRAD),
            Mistake("others", (p - ref.smooth_labels(labels, k, eps, spread="others")) / n, HINT_OTHERS)])


def _fd_forward(sub, params, X, G, p, seed):
    calls = []
    for name, w in params.items():
        for i in np.ndindex(w.shape):
            for sign in (1, -1):
                moved = {k: v.copy() for k, v in params.items()}
                moved[name][i] += sign * FD_STEP
                calls.append(call_args(moved, X, p, Rng(seed), training=True))
    values = [float(np.sum(G * np.asarray(r[0], dtype=float))) for r in sub.call_many("mlp_forward", calls)]
    numeric, k = {}, 0
    for name, w in params.items():
        numeric[name] = np.zeros_like(w)
        for i in np.ndindex(w.shape):
            numeric[name][i] = (values[k] - values[k + 1]) / (2 * FD_STEP)
            k += 2
    return numeric


@case("mlp_backward: agrees with the reference without dropout, 1 to 3 hidden layers", points=2)
def _(sub, ref):
    for seed, sizes in NETWORKS:
        params, X, _ = _network(seed, sizes)
        G = np.random.default_rng(seed + 100).normal(size=(X.shape[0], sizes[-1]))
        _, cache = sub.mlp_forward(params, X, 0.0, Rng(seed))
        expected = ref.mlp_backward(G, ref.mlp_forward(params, X, 0.0, None, training=False)[1])
        _check_dict(sub.mlp_backward(G, cache), expected, f"grads, layers {sizes}", MATMUL_RTOL, 1e-12,
                    mistakes=[Mistake("no ReLU derivative", _backward_without_relu_derivative(params, X, G), HINT_RELU)])


def _backward_without_relu_derivative(params, X, G):
    """The gradients a backward pass gives when it forgets to multiply by the ReLU's derivative."""
    layers = len(params) // 2
    hs = [X]
    for l in range(1, layers):
        hs.append(np.maximum(hs[-1] @ params[f"W{l}"] + params[f"b{l}"], 0.0))
    grads, d = {}, G
    for l in range(layers, 0, -1):
        grads[f"W{l}"], grads[f"b{l}"] = hs[l - 1].T @ d, d.sum(axis=0)
        d = d @ params[f"W{l}"].T
    return grads


@case("mlp_backward: with dropout, matches central differences of your forward pass (same seed, same masks)",
      points=2)
def _(sub, ref):
    params, X, _ = _network(15, (5, 6, 5, 3), n=6)
    G = np.random.default_rng(16).normal(size=(6, 3))
    _, cache = sub.mlp_forward(params, X, 0.4, Rng(9))
    numeric = _fd_forward(sub, params, X, G, 0.4, 9)
    try:
        _check_dict(sub.mlp_backward(G, cache), numeric, "grads with dropout", FD_RTOL, FD_ATOL)
    except Fail as failure:
        raise Fail(failure.message + " (compared with central differences of your forward pass)",
                   failure.hint or HINT_MASK) from None


@case("loss_and_grads: composes your forward pass, loss and backward pass, 1 to 3 hidden layers", points=3)
def _(sub, ref):
    for seed, sizes in NETWORKS[:3]:
        params, X, y = _network(seed, sizes)
        for p, eps in ((0.0, 0.2), (0.3, 0.0), (0.6, 0.5)):
            check_composition(sub, params, X, y, p, eps, seed)


def _adamw_models(adamw_step, params, grads, states, lr, wd):
    """What the reference's update gives, and two classic mistakes, for one step."""
    def _coupled():   # the L2 term added to the gradient instead of the decoupled decay (Adam-L2)
        out = {}
        for name, w in params.items():
            state = states[name] if states else {"step": 0, "m": np.zeros_like(w), "v": np.zeros_like(w)}
            g = grads[name] + (wd * w if name[0] == "W" else 0.0)
            out[name] = adamw_step(w, g, state, lr=lr, weight_decay=0.0)[0]
        return out

    def step(decay_of, extra):
        out = {}
        for name, w in params.items():
            state = states[name] if states else {"step": 0, "m": np.zeros_like(w), "v": np.zeros_like(w)}
            g = grads[name] + (wd * w if extra and name[0] == "W" else 0.0)
            out[name] = adamw_step(w, g, state, lr=lr, weight_decay=decay_of(name))[0]
        return out
    return (step(lambda n: wd if n[0] == "W" else 0.0, False),
            [Mistake("bias decay", step(lambda n: wd, False), HINT_BIAS_DECAY),
             Mistake("double decay", step(lambda n: wd if n[0] == "W" else 0.0, True), HINT_DOUBLE_DECAY),
             Mistake("no decay", step(lambda n: 0.0, False), HINT_NO_DECAY),
             Mistake("coupled L2", _coupled(), HINT_COUPLED)])


@case("adamw_update: five chained updates agree with the reference (decay on W only)", points=3)
def _(sub, ref):
    params, _, _ = _network(18, (4, 5, 3))
    rng = np.random.default_rng(19)
    states, sub_states = None, None
    for k in range(5):
        grads = {n: rng.normal(size=w.shape) for n, w in params.items()}
        expected, mistakes = _adamw_models(ref.adamw_step, params, grads, states, 0.05, 0.4)
        got = sub.adamw_update(params, grads, sub_states if k else None, 0.05, 0.4)
        _check_dict(got[0], expected, f"new_params after update {k + 1}", 1e-9, 1e-12, mistakes=mistakes)
        params, states = ref.adamw_update(params, grads, states, 0.05, 0.4)
        sub_states = states


@case("evaluate: agrees with the reference on random networks", points=2)
def _(sub, ref):
    for seed, sizes in NETWORKS:
        params, X, y = _network(seed, sizes, n=40)
        compare(sub, ref, "evaluate", params, X, y, rtol=1e-9)


# ----------------------------------------------------------------------------- the training loop
@case("train: early stopping on other seeds and patience values", points=2)
def _(sub, ref):
    data = {k: v[:50] for k, v in data_copy().items()}
    for seed, patience in ((5, 1), (6, 4)):
        params = he_init([64, 12, 10], seed)
        _, history = train_result(sub.train(params, data, {"epochs": 40, "lr": 0.05, "patience": patience}, Rng(seed)),
                                  shapes_of([64, 12, 10]))
        best = int(np.argmin(history["val_loss"]))
        expect(history["best_epoch"] == best, f"patience {patience}: best_epoch is {history['best_epoch']}, the "
               f"lowest validation loss is at epoch {best}")
        expect(history["epochs_run"] == min(40, best + patience + 1),
               f"patience {patience}: the best epoch is {best}, so training stops after "
               f"{min(40, best + patience + 1)} epochs; yours ran {history['epochs_run']}")


@case("train: on the digits, regularization reaches the test accuracy target the plain run misses",
      points=6, call_timeout=TRAIN_BUDGET)   # budget: TRAIN_BUDGET s per train() call (common.py)
def _(sub, ref):
    X_test, y_test = _test_split()
    data = data_copy()
    accuracy = {}
    for name, config in (("unregularized", UNREGULARIZED), ("regularized", REGULARIZED)):
        best, _ = train_result(sub.train(he_init(LAYERS, 23), data, config, Rng(23)), shapes_of(LAYERS))
        accuracy[name] = float(np.mean(predict(best, X_test) == y_test))
    expect(accuracy["regularized"] >= TEST_TARGET,
           f"on the test split the regularized run reaches {accuracy['regularized']:.3f}, below the target "
           f"{TEST_TARGET} (the unregularized run: {accuracy['unregularized']:.3f})", HINT_PIPELINE)
    expect(accuracy["unregularized"] < TEST_TARGET,
           f"on the test split the unregularized run reaches {accuracy['unregularized']:.3f} >= {TEST_TARGET}: "
           "with weight_decay, p_drop and eps at 0 and patience None, does your loop still regularize?", HINT_PIPELINE)
