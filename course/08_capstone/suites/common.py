"""Helpers shared by the capstone suites (shipped with public.py: no case, nothing hidden-only)."""
import functools

import numpy as np

from autograder.course import REPO_ROOT
from autograder.framework import Fail, Mistake, as_float_array, check_close, expect, read_only
from autograder.protocol import Rng

LAYERS = [64, 128, 10]
# The two runs of the end-to-end cases: the same network, lr, batch size and epochs; the regularized one
# adds weight decay, dropout, label smoothing and early stopping (the values the reference was tuned with
# on the validation split: see tests/test_capstone_reference.py for what they reach over seeds).
UNREGULARIZED = {"lr": 0.003, "epochs": 100, "batch_size": 32}
REGULARIZED = {**UNREGULARIZED, "weight_decay": 0.3, "p_drop": 0.5, "eps": 0.1, "patience": 10}
# Validation accuracy the regularized run must reach and the unregularized run must miss. Measured from
# the reference (tools/capstone_accuracies.py, checked by tests/test_capstone_reference.py) over seeds 0-9,
# 11 and 23: unregularized 0.717-0.750 (mean 0.732, sd 0.011), regularized 0.833-0.883 (mean 0.854,
# sd 0.015). The target leaves a margin >= 0.03 to every measured run, 4.6 sd from the regularized mean and
# 4.8 sd from the unregularized one, so a correct submission drawing other random numbers passes too.
VAL_TARGET = 0.785
# Seconds per call of train() in the end-to-end cases. The reference's run takes ~0.3 s of worker CPU in the
# sandbox (tools/profile_cases.py 08) and ~0.9 s of wall time with a load of 8 on 2 cores: 10 s leaves a
# margin of 10x for a slower but reasonable implementation, and stops an endless loop.
TRAIN_BUDGET = 10.0


def _data_file():
    for folder in ("assignments", "source", "solutions"):
        path = REPO_ROOT / folder / "08_capstone" / "data" / "digits.npz"
        if path.is_file():
            return path
    raise FileNotFoundError("the digits of 08_capstone (08_capstone/data/digits.npz) are missing")


@functools.lru_cache(maxsize=None)
def digits():
    """The shipped train and validation splits as course_plots.load_digits returns them (read-only)."""
    with np.load(_data_file()) as raw:
        data = {f"X_{s}": raw[f"X_{s}"].astype(np.float64) / 16.0 for s in ("train", "val")}
        data.update({f"y_{s}": raw[f"y_{s}"].astype(np.int64) for s in ("train", "val")})
    return read_only(data)


def data_copy():
    return {k: v.copy() for k, v in digits().items()}


def predict(params, X):
    """Labels the trained network predicts for X (dropout off): the trusted side's own check."""
    layers = len(params) // 2
    h = X
    for l in range(1, layers + 1):
        h = h @ params[f"W{l}"] + params[f"b{l}"]
        if l < layers:
            h = np.maximum(h, 0.0)
    return np.argmax(h, axis=1)


def he_init(layer_sizes, seed):
    """Initial parameters of the end-to-end runs, built on the grading side (He initialization)."""
    rng = np.random.default_rng(seed)
    return {name: rng.normal(0.0, np.sqrt(2.0 / shape[0]), shape) if name[0] == "W" else np.zeros(shape)
            for name, shape in shapes_of(layer_sizes).items()}


def as_params(value, shapes, what="params"):
    """The student's returned parameter dict as float arrays, checked against the expected shapes."""
    if not isinstance(value, dict):
        raise Fail(f"{what} must be a dict {{'W1': ..., 'b1': ...}}, got {type(value).__name__}")
    expect(set(value) == set(shapes), f"{what} has keys {sorted(value)}, expected {sorted(shapes)}")
    out = {}
    for name, shape in shapes.items():
        out[name] = as_float_array(value[name], f"{what}[{name!r}]")
        expect(out[name].shape == tuple(shape), f"{what}[{name!r}] has shape {out[name].shape}, expected {tuple(shape)}")
        expect(bool(np.all(np.isfinite(out[name]))), f"{what}[{name!r}] contains NaN or infinity")
    return out


def shapes_of(layer_sizes):
    shapes = {}
    for l, (a, b) in enumerate(zip(layer_sizes[:-1], layer_sizes[1:]), start=1):
        shapes[f"W{l}"], shapes[f"b{l}"] = (a, b), (b,)
    return shapes


HISTORY_LISTS = ("train_loss", "train_acc", "val_loss", "val_acc")


def train_result(result, shapes):
    """(params, history) from the student's train(), with the history's types and lengths checked."""
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        raise Fail("train must return a tuple (best_params, history)")
    params = as_params(result[0], shapes, "best_params")
    history = result[1]
    if not isinstance(history, dict):
        raise Fail(f"history must be a dict, got {type(history).__name__}")
    for key in HISTORY_LISTS + ("best_epoch", "epochs_run"):
        expect(key in history, f"history has no {key!r} entry")
    run = history["epochs_run"]
    expect(isinstance(run, int) and run >= 1, f"history['epochs_run'] must be an int >= 1, got {run!r}")
    lists = {}
    for key in HISTORY_LISTS:
        lists[key] = as_float_array(history[key], f"history[{key!r}]")
        expect(lists[key].shape == (run,), f"history[{key!r}] has {lists[key].size} entries for "
               f"{run} epochs run: one value per epoch")
    best = history["best_epoch"]
    expect(isinstance(best, int) and 0 <= best < run, f"history['best_epoch'] must be an int in 0..{run - 1}, "
           f"got {best!r}")
    return params, {**lists, "best_epoch": best, "epochs_run": run}


def check_composition(sub, params, X, y, p, eps, seed):
    """loss_and_grads(...) against the student's own mlp_forward -> smoothed_cross_entropy -> mlp_backward
    with the same seed (so the same dropout masks): graded on its own, whatever those three return."""
    loss, grads = sub.loss_and_grads(params, X, y, p, eps, Rng(seed))
    logits, cache = sub.mlp_forward(params, X, p, Rng(seed), training=True)
    expected_loss, dlogits = sub.smoothed_cross_entropy(logits, y, eps)
    expected = sub.mlp_backward(dlogits, cache)
    what = f"(p_drop = {p}, eps = {eps})"
    hint = HINT_NO_DROPOUT_IN_TRAINING if p else None
    # the same computation in the same order: only the last bits may differ
    if eps and not np.isclose(float(loss), float(expected_loss), rtol=1e-12):
        plain, _ = sub.smoothed_cross_entropy(logits, y, 0.0)
        expect(not np.isclose(float(loss), float(plain), rtol=1e-12), f"loss {what} is the loss without smoothing",
               "pass eps on to smoothed_cross_entropy: the training loss is the smoothed one.")
    check_close(loss, expected_loss, rtol=1e-12, what=f"loss {what}",
                mistakes=[Mistake("no dropout", lambda *a: loss, hint)] if hint else [])
    if not isinstance(grads, dict) or not isinstance(expected, dict) or set(grads) != set(expected):
        raise Fail(f"grads {what} must be a dict with the keys of params")
    for name in expected:
        check_close(grads[name], expected[name], rtol=1e-12, what=f"grads[{name!r}] {what}")


HINT_NO_DROPOUT_IN_TRAINING = ("loss_and_grads is the TRAINING loss: your loss differs from your forward pass with "
                               "training=True and the same seed; run the forward pass in training mode, so that "
                               "dropout is applied.")
HINT_PIPELINE = ("train() calls your other functions: if any of them loses points, fix it first; then check the "
                 "order of the steps in the loop (shuffle, update on each minibatch, evaluate, early stopping).")
HINT_NOT_RESTORED = ("the parameters you returned are those of the LAST epoch, not of the best one: early "
                     "stopping keeps a copy of the parameters whenever the validation loss reaches a new "
                     "best, and returns that copy when training stops.")
HINT_SMOOTHED_VALIDATION = ("your validation loss includes label smoothing: smoothing belongs to the training "
                            "objective only. Measure the validation split with evaluate() (plain "
                            "cross-entropy, dropout off), or early stopping compares the wrong numbers.")
HINT_BEST_EPOCH = ("the best epoch is the first one with the lowest validation loss of the run; stop after "
                   "`patience` epochs in a row without a new best.")
HINT_EVAL_DROPOUT = ("with training=False dropout is off: the forward pass must not draw masks or rescale "
                     "anything at inference, whatever p_drop is.")
HINT_BIAS_DECAY = ("your biases shrank although their gradient was zero: weight decay applies to the weight "
                   "matrices W1..WL only; call adamw_step with weight_decay=0 for b1..bL.")
HINT_DOUBLE_DECAY = ("your update decays the weights twice: once through weight_decay in adamw_step and once "
                     "more by adding weight_decay * W to the gradient. AdamW's decay is decoupled: the gradient "
                     "stays the data gradient, adamw_step applies the decay.")
HINT_NO_DECAY = ("your weight matrices were not decayed: with a zero gradient, one AdamW step multiplies W by "
                 "(1 - lr * weight_decay).")
