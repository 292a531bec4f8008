"""Figures of 08_capstone: what regularization does to a network that can memorize its training split.

Each function takes the capstone module it computes with (the student's own in the notebook, the
reference for `python -m autograder figures` and the pre-rendered picture at the top of the notebook)
and returns a matplotlib Figure; the numbers a figure shows are attached to it as `fig.numbers`, so
any text that quotes them is computed by the same code that drew them.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

__all__ = ["load_digits", "PLAIN", "REGULARIZED", "SWEEPS", "capstone_run", "fig_generalization_gap", "regularizer_sweep",
           "fig_regularizer_sweep"]

LAYERS = [64, 128, 10]
PLAIN = {"lr": 0.003, "epochs": 100, "batch_size": 32}
REGULARIZED = {**PLAIN, "weight_decay": 0.3, "p_drop": 0.5, "eps": 0.1, "patience": 10}
# One regularizer at a time, the others off and no early stopping: strength -> held-out accuracy.
# Strength 0 is the same plain run for all three: it is trained once.
SWEEPS = {"weight_decay": [0.0, 0.3, 1.0, 3.0], "p_drop": [0.0, 0.25, 0.5, 0.75], "eps": [0.0, 0.1, 0.3]}
LABELS = {"weight_decay": "weight decay (AdamW)", "p_drop": "dropout rate p", "eps": "label smoothing eps"}


def load_digits(path=None, capstone=None):
    """The digits shipped with 08_capstone, as a dict of arrays.

    Returns {"X_train", "y_train", "X_val", "y_val"}: X_* float64 of shape (N, 64), pixel intensities
    scaled to [0, 1]; y_* int64 labels 0..9 of shape (N,). `path` defaults to data/digits.npz next to
    the module `capstone` (or in the current folder). The test split is not in the file: the
    instructor keeps it, and the grader measures the trained network on it.
    """
    if path is None:
        folder = Path(capstone.__file__).resolve().parent if capstone is not None else Path.cwd()
        path = folder / "data" / "digits.npz"
    with np.load(path) as raw:
        data = {f"X_{s}": raw[f"X_{s}"].astype(np.float64) / 16.0 for s in ("train", "val")}
        data.update({f"y_{s}": raw[f"y_{s}"].astype(np.int64) for s in ("train", "val")})
    return data


def capstone_run(capstone, config, seed=0, data=None):
    """(best_params, history) of capstone.train from init_mlp(LAYERS) with the given seed."""
    data = data if data is not None else load_digits(capstone=capstone)
    rng = np.random.default_rng(seed)
    return capstone.train(capstone.init_mlp(LAYERS, rng), data, config, rng)


def _panel(ax, history, title):
    epochs = np.arange(1, history["epochs_run"] + 1)
    ax.plot(epochs, history["train_acc"], color="tab:blue", label="training split (noisy labels)")
    ax.plot(epochs, history["val_acc"], color="tab:orange", label="validation split (held out)")
    ax.fill_between(epochs, history["val_acc"], history["train_acc"], color="tab:red", alpha=0.12,
                    label="generalization gap")
    best = history["best_epoch"]
    ax.axvline(best + 1, color="gray", ls="--", lw=1)
    train, val = history["train_acc"][best], history["val_acc"][best]
    ax.set_title(f"{title}\nreturned epoch {best + 1}: train {train:.2f}, held-out {val:.2f}", fontsize=10)
    ax.set_xlabel("epoch")
    ax.set_ylim(0, 1.02)
    return {"train_acc": train, "val_acc": val, "gap": train - val, "best_epoch": best, "epochs_run": len(epochs)}


def fig_generalization_gap(capstone, seed=0, data=None):
    """Training vs held-out accuracy over the epochs, without and with regularization."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(10, 4.3), sharey=True)
    numbers = {}
    for ax, (name, config, title) in zip(axes, (
            ("plain", PLAIN, "no regularization"),
            ("regularized", REGULARIZED, "weight decay 0.3, dropout 0.5, smoothing 0.1,\nearly stopping (patience 10)"))):
        _, history = capstone_run(capstone, config, seed, data)
        numbers[name] = _panel(ax, history, title)
    axes[0].set_ylabel("accuracy")
    axes[1].legend(loc="lower right", fontsize=8)
    fig.suptitle("An MLP on 150 digits, a quarter of their labels randomized", fontsize=11)
    fig.tight_layout()
    fig.numbers = numbers
    return fig


def regularizer_sweep(capstone, seed=0, data=None, sweeps=None):
    """{regularizer: [(strength, train accuracy, held-out accuracy), ...]}, one regularizer at a time."""
    data = data if data is not None else load_digits(capstone=capstone)
    out, plain = {}, None
    for name, values in (sweeps or SWEEPS).items():
        rows = []
        for value in values:
            if value == 0 and plain is not None:
                history = plain
            else:
                _, history = capstone_run(capstone, {**PLAIN, name: value}, seed, data)
                plain = history if value == 0 else plain
            rows.append((value, history["train_acc"][-1], history["val_acc"][-1]))
        out[name] = rows
    return out


def fig_regularizer_sweep(capstone, seed=0, data=None, results=None):
    """Training and held-out accuracy after 100 epochs against the strength of each regularizer."""
    import matplotlib.pyplot as plt

    results = results if results is not None else regularizer_sweep(capstone, seed, data)
    fig, axes = plt.subplots(1, len(results), figsize=(4 * len(results), 4.2), sharey=True)
    for ax, (name, rows) in zip(np.atleast_1d(axes), results.items()):
        values, train, val = (np.array(c) for c in zip(*rows))
        ax.plot(values, train, "o-", color="tab:blue", label="training split")
        ax.plot(values, val, "o-", color="tab:orange", label="validation split")
        best = int(np.argmax(val))
        ax.annotate(f"best held-out {val[best]:.2f}", (values[best], val[best]), textcoords="offset points",
                    xytext=(0, -14), ha="right" if best else "left", fontsize=8)
        ax.set_xlabel(LABELS.get(name, name))
        ax.set_ylim(0.5, 1.02)
    np.atleast_1d(axes)[0].set_ylabel("accuracy after 100 epochs")
    np.atleast_1d(axes)[-1].legend(loc="lower left", fontsize=8)
    fig.suptitle("One regularizer at a time (the others off, no early stopping)", fontsize=11)
    fig.tight_layout()
    fig.numbers = results
    return fig
