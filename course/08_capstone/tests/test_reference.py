"""The reference of 08_capstone: its data, its gradients, its contracts, and the accuracy figures the
grading suites rely on (the targets of the end-to-end cases and their margins, over seeds)."""
import functools
import json
import subprocess
import sys

import numpy as np
import pytest

from autograder import framework
from autograder.course import REPO_ROOT, load_reference
from autograder.suites.capstone import common
from tests.catalogue import assignment

A = assignment("capstone")
framework.load_cases(A.suite, hidden=True)
hidden = sys.modules["_suite_capstone_hidden"]   # the hidden suite as the grader loads it (by path)
ref = load_reference(A)
SEEDS = range(10)


@functools.lru_cache(maxsize=None)
def accuracies():
    """tools/capstone_accuracies.py for seeds 0-9 and the seeds the grading cases use (11: public, 23:
    hidden), in a subprocess with one BLAS thread (three times faster than threads fighting here)."""
    proc = subprocess.run([sys.executable, str(REPO_ROOT / "tools" / "capstone_accuracies.py")],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_data_files_and_notice():
    shipped = REPO_ROOT / "source" / "08_capstone" / "data"
    notice = (shipped / "LICENSE-digits.txt").read_text()
    assert "BSD 3-Clause" in notice and "UCI" in notice and "scikit-learn" in notice
    from course_plots.capstone import load_digits
    data = load_digits(shipped / "digits.npz")
    assert data["X_train"].shape == (150, 64) and data["X_val"].shape == (300, 64)
    assert 0.0 <= data["X_train"].min() and data["X_train"].max() <= 1.0
    assert np.bincount(data["y_val"], minlength=10).tolist() == [30] * 10
    X_test, y_test = hidden._test_split()
    assert X_test.shape == (1797 - 450, 64) and set(np.unique(y_test)) == set(range(10))
    with np.load(shipped / "digits.npz") as raw:
        assert not any("test" in key for key in raw.files)
        assert 0.15 < float(np.mean(raw["y_train"] != raw["y_train_clean"])) < 0.35   # 25% randomized, 9/10 wrong


def test_test_split_never_reaches_students():
    released = [p.name for p in (REPO_ROOT / "assignments" / "08_capstone").rglob("*")]
    assert "digits_test.npz" not in released and "hidden" not in released


@pytest.mark.parametrize("p, eps", [(0.0, 0.0), (0.5, 0.1)])
def test_gradient_matches_central_differences(p, eps):
    rng = np.random.default_rng(0)
    params = common.he_init([5, 4, 3, 3], 1)
    params = {k: v + rng.normal(0, 0.1, v.shape) for k, v in params.items()}
    X, y = rng.normal(size=(6, 5)), rng.integers(0, 3, 6)
    _, grads = ref.loss_and_grads(params, X, y, p, eps, np.random.default_rng(3))
    for name, w in params.items():
        for i in np.ndindex(w.shape):
            plus, minus = ({**params, name: w.copy()} for _ in range(2))
            plus[name][i] += 1e-6
            minus[name][i] -= 1e-6
            fd = (ref.loss_and_grads(plus, X, y, p, eps, np.random.default_rng(3))[0]
                  - ref.loss_and_grads(minus, X, y, p, eps, np.random.default_rng(3))[0]) / 2e-6
            # central differences with step 1e-6: error ~1e-9 absolute on O(1) gradients
            assert abs(fd - grads[name][i]) <= 1e-7 + 1e-6 * abs(fd), (name, i)


def test_loss_is_stable_and_matches_label_smoothing_convention():
    loss, grad = ref.smoothed_cross_entropy(np.array([[1000.0, -1000.0, 0.0]]), np.array([1]), 0.3)
    # targets (0.1, 0.8, 0.1): -log p = (0, 2000, 1000) up to e^-1000
    assert loss == pytest.approx(0.1 * 0 + 0.8 * 2000 + 0.1 * 1000, rel=1e-12)
    assert np.allclose(grad, [[0.9, -0.8, -0.1]], rtol=0, atol=1e-12)


def test_adamw_update_never_decays_biases():
    params = common.he_init([3, 4, 2], 0)
    params = {k: v + 1.0 for k, v in params.items()}
    zero = {k: np.zeros_like(v) for k, v in params.items()}
    new, states = ref.adamw_update(params, zero, None, 0.1, 0.5)
    assert all(np.array_equal(new[b], params[b]) for b in ("b1", "b2"))
    assert all(np.allclose(new[w], 0.95 * params[w], rtol=1e-15) for w in ("W1", "W2"))
    assert states["W1"]["step"] == 1


def test_train_is_pure_deterministic_and_restores_the_best_epoch():
    # the run of the public case "train: returns the parameters of the best epoch"
    data = {k: v[:40].copy() for k, v in common.digits().items()}
    params = {k: np.random.default_rng(3).normal(0, 0.1, s) for k, s in common.shapes_of([64, 16, 10]).items()}
    before = ({k: v.copy() for k, v in params.items()}, {k: v.copy() for k, v in data.items()})
    config = {"epochs": 60, "lr": 0.05, "patience": 3, "eps": 0.2}
    best, history = ref.train(params, data, config, np.random.default_rng(3))
    again, _ = ref.train(params, data, config, np.random.default_rng(3))
    assert all(np.array_equal(params[k], before[0][k]) for k in params)
    assert all(np.array_equal(data[k], before[1][k]) for k in data)
    assert all(np.array_equal(best[k], again[k]) for k in best)
    assert history["epochs_run"] < 60, "the public early-stopping cases rely on this configuration stopping early"
    assert history["best_epoch"] == int(np.argmin(history["val_loss"]))
    assert history["epochs_run"] == history["best_epoch"] + 3 + 1
    assert ref.evaluate(best, data["X_val"], data["y_val"])[0] == history["val_loss"][history["best_epoch"]]


@pytest.mark.parametrize("bad", [
    lambda: ref.train(common.he_init([64, 8, 10], 0), common.data_copy(), {"lr": 0.1, "momentum": 0.9},
                      np.random.default_rng(0)),
    lambda: ref.train(common.he_init([64, 8, 10], 0), common.data_copy(), {"p_drop": 1.0}, np.random.default_rng(0)),
    lambda: ref.mlp_forward({"W1": np.zeros((3, 2))}, np.zeros((1, 3)), 0.0, None),
    lambda: ref.mlp_forward(common.he_init([3, 2], 0), np.zeros((1, 4)), 0.0, None, training=False),
    lambda: ref.smoothed_cross_entropy(np.zeros((2, 3)), np.array([0, 3]), 0.1),
    lambda: ref.init_mlp([64], np.random.default_rng(0)),
    lambda: ref.adamw_update(common.he_init([3, 2], 0), {"W1": np.zeros((3, 2))}, None, 0.1, 0.0),
])
def test_invalid_input_is_a_value_error(bad):
    with pytest.raises(ValueError):
        bad()


def test_regularization_closes_the_gap_with_the_stated_margins():
    runs = accuracies()
    plain, regular = runs["unregularized"].values(), runs["regularized"].values()
    assert len(plain) == len(regular) == len(SEEDS) + 2
    # the unregularized network memorizes its training split (noisy labels included)...
    assert min(a["train"] for a in plain) >= 0.98
    # ...and both targets sit between the two runs with the margins the suites state, on every seed
    assert max(a["val"] for a in plain) <= common.VAL_TARGET - 0.03
    assert min(a["val"] for a in regular) >= common.VAL_TARGET + 0.03
    assert max(a["test"] for a in plain) <= hidden.TEST_TARGET - 0.03
    assert min(a["test"] for a in regular) >= hidden.TEST_TARGET + 0.03
