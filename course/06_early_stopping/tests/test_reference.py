"""The reference solution of assignment 06 (early_stopping.py) against COURSE.md, PyTorch and scikit-learn.

Fixtures: course/06_early_stopping/fixtures/early_stopping.json, made by course/06_early_stopping/fixtures/make.py
(torch.optim.SGD full-batch trajectories, scikit-learn Ridge coefficients).
Erratum 6: early stopping corresponds to ridge closely, not exactly; these tests check
the filters, their ordering, their limits and the ~0.2 gap, never equality of weights.
"""
import inspect

import numpy as np
import pytest

from autograder.course import find_assignment, import_path, load_reference
from tests.fixtures_io import load_fixture

A = find_assignment("06_early_stopping")
ref = load_reference(A)
FIX = load_fixture("early_stopping")


def _eig(X):
    n = X.shape[0]
    s, V = np.linalg.eigh(X.T @ X / n)
    return np.clip(s, 0.0, None), V        # round-off can leave -1e-17 on a zero eigenvalue


def _assert_close_to_scale(got, expected, tol):
    got, expected = np.asarray(got, float), np.asarray(expected, float)
    assert got.shape == expected.shape
    err, scale = np.max(np.abs(got - expected)), np.max(np.abs(expected))
    assert err <= tol * scale, f"max error {err:.3g} > {tol:g} * {scale:.3g}"


# ============================================================================ fixtures
def test_gd_trajectory_matches_torch_sgd_full_batch():
    assert len(FIX["gd"]) >= 3 and any(c["w0"] is not None for c in FIX["gd"])
    for c in FIX["gd"]:
        W = ref.gd_least_squares(np.array(c["X"]), np.array(c["y"]), c["lr"], c["steps"], c["w0"])
        assert W.shape == (c["steps"] + 1, len(c["X"][0]))
        # 1e-12 of the trajectory's scale: same iteration, operations ordered differently (measured 2e-16)
        _assert_close_to_scale(W, c["trajectory"], 1e-12)


def test_ridge_filter_times_least_squares_is_sklearn_ridge():
    # scikit-learn's Ridge(alpha) minimizes ||y - Xw||^2 + alpha ||w||^2 = 2n * [course objective]
    # when alpha = n * lam; the fixture stores alpha = n * lam next to lam.
    assert any(len(c["X"]) < len(c["X"][0]) for c in FIX["ridge"]), "a case with a null space (d > n)"
    for c in FIX["ridge"]:
        X, y = np.array(c["X"]), np.array(c["y"])
        assert c["alpha"] == pytest.approx(X.shape[0] * c["lam"], rel=1e-15)
        s, V = _eig(X)
        w_ols = np.linalg.pinv(X) @ y                    # minimum-norm least squares
        w_ridge = V @ (ref.ridge_spectral_filter(s, c["lam"]) * (V.T @ w_ols))
        # 1e-10 of the scale: eigh, pinv and sklearn's SVD solver each carry ~cond * 1e-16 (measured 2e-15)
        _assert_close_to_scale(w_ridge, c["coef"], 1e-10)


def test_fixture_records_the_library_versions():
    import json
    from tests.fixtures_io import fixture_path
    made_with = json.loads(fixture_path("early_stopping").read_text())["generated_with"]
    assert "torch" in made_with and "sklearn" in made_with


# ============================================================================ erratum 6
@pytest.mark.parametrize("n, d, c", [(40, 5, 1.0), (30, 8, 0.5), (6, 10, 0.9)])
def test_gd_from_zero_is_the_gd_filter_applied_to_least_squares(n, d, c):
    rng = np.random.default_rng(n + d)
    X = rng.normal(size=(n, d)) * np.geomspace(1.0, 0.3, d)
    y = rng.normal(size=n)
    s, V = _eig(X)
    lr = c / s.max()
    W = ref.gd_least_squares(X, y, lr, 60)
    w_ols = np.linalg.pinv(X) @ y
    for t in range(61):
        expected = V @ (ref.gd_spectral_filter(s, lr, t) * (V.T @ w_ols))
        # 1e-10 of the scale: eigh and pinv of a matrix with condition number < 1e3 are good to ~1e-13
        np.testing.assert_allclose(W[t], expected, rtol=0, atol=1e-10 * np.max(np.abs(w_ols)))


def test_filters_lie_in_0_1():
    s = np.concatenate([[0.0], np.geomspace(1e-6, 1e3, 400)])
    for lam in (0.0, 1e-3, 0.5, 10.0, 1e4):
        f = ref.ridge_spectral_filter(s, lam)
        assert np.all((f >= 0) & (f <= 1))
    lr = 1.0 / s.max()                                   # lr * s <= 1
    for t in (0, 1, 2, 7, 100, 10_000):
        f = ref.gd_spectral_filter(s, lr, t)
        assert np.all((f >= 0) & (f <= 1))
    assert np.array_equal(ref.gd_spectral_filter(s, lr, 0), np.zeros_like(s))


def test_gd_filter_is_never_below_ridge_at_the_equivalent_lambda():
    # (1 - x)^t <= exp(-x t) <= 1/(1 + x t) for x = lr*s in [0, 1]: GD has learned at least as much
    for lr in (1e-3, 0.01, 0.1, 1.0):
        s = np.linspace(0.0, 1.0 / lr, 5001)
        for t in (1, 2, 5, 30, 1000):
            lam = ref.equivalent_lambda(lr, t)
            gap = ref.gd_spectral_filter(s, lr, t) - ref.ridge_spectral_filter(s, lam)
            assert gap.min() >= -1e-15                   # 1e-15: rounding of two values in [0, 1]


def test_largest_gap_is_about_0_2_for_small_steps():
    # continuous limit: max over u of (1 - e^-u) - u/(1 + u), u = s / lam = lr * s * t
    u = np.linspace(0.0, 20.0, 200_001)
    limit = (1 - np.exp(-u)) - u / (1 + u)
    assert limit.max() == pytest.approx(0.2036, abs=5e-5)
    assert u[limit.argmax()] == pytest.approx(2.513, abs=2e-3)
    # the real filters with many small steps: lr*s <= 1e-2 everywhere on the grid
    lr, t = 1e-4, 20_000
    lam = ref.equivalent_lambda(lr, t)
    s = np.linspace(0.0, 100.0, 400_001)
    gap = ref.gd_spectral_filter(s, lr, t) - ref.ridge_spectral_filter(s, lam)
    assert gap.max() == pytest.approx(0.2036, abs=2e-4)          # discrete vs continuous: O(lr*s) apart
    assert s[gap.argmax()] / lam == pytest.approx(2.5, abs=0.05)
    # ...so the correspondence is close, not an identity
    assert gap.max() > 0.2


def test_filters_share_their_limits():
    lr, t = 1e-5, 100_000
    lam = ref.equivalent_lambda(lr, t)                   # = 1
    assert lam == pytest.approx(1.0, rel=1e-15)
    small = np.array([1e-8, 1e-7, 1e-6])                 # s << lam: both filters ~ s / lam
    np.testing.assert_allclose(ref.gd_spectral_filter(small, lr, t) / (small / lam), 1.0, rtol=1e-5)
    np.testing.assert_allclose(ref.ridge_spectral_filter(small, lam) / (small / lam), 1.0, rtol=1e-5)
    large = np.array([1e3, 1e4])                         # s >> lam (and lr*s <= 0.1): both ~ 1
    np.testing.assert_allclose(ref.gd_spectral_filter(large, lr, t), 1.0, atol=1e-3)
    np.testing.assert_allclose(ref.ridge_spectral_filter(large, lam), 1.0, atol=1e-3)


def test_early_stopped_weights_are_close_to_ridge_but_not_equal():
    rng = np.random.default_rng(7)
    X = rng.normal(size=(50, 6)) * np.geomspace(1.0, 0.1, 6)
    y = X @ rng.normal(size=6) + 0.1 * rng.normal(size=50)
    s, V = _eig(X)
    lr = 0.01 / s.max()                                  # lr * s <= 0.01: small steps
    t = 3000
    w_gd = ref.gd_least_squares(X, y, lr, t)[-1]
    lam = ref.equivalent_lambda(lr, t)
    w_ridge = np.linalg.solve(X.T @ X / 50 + lam * np.eye(6), X.T @ y / 50)
    w_ols = np.linalg.lstsq(X, y, rcond=None)[0]
    diff = V.T @ (w_gd - w_ridge)                        # per eigen-direction
    # never equal, but each component differs by at most ~0.21 of the least-squares component
    assert np.max(np.abs(diff)) > 1e-3 * np.max(np.abs(w_ols))
    assert np.all(np.abs(diff) <= 0.21 * np.abs(V.T @ w_ols) + 1e-12)


def test_ridge_filter_at_lam_zero():
    np.testing.assert_array_equal(ref.ridge_spectral_filter([0.0, 0.5, 3.0], 0.0), [0.0, 1.0, 1.0])


# ============================================================================ worked values
def test_worked_values():
    X, y = np.array([[1.0, 0.0], [0.0, 2.0]]), np.array([1.0, 2.0])
    np.testing.assert_array_equal(ref.gd_least_squares(X, y, 0.25, 3),
                                  [[0, 0], [0.125, 0.5], [0.234375, 0.75], [0.330078125, 0.875]])
    np.testing.assert_array_equal(ref.gd_least_squares(X, y, 0.25, 2, w0=[1.0, -1.0]),
                                  [[1, -1], [1, 0], [1, 0.5]])
    np.testing.assert_array_equal(ref.gd_least_squares(X, y, 0.25, 0), [[0.0, 0.0]])
    np.testing.assert_array_equal(ref.gd_spectral_filter([0, 0.5, 2, 4], 0.25, 3), [0, 0.330078125, 0.875, 1])
    np.testing.assert_allclose(ref.ridge_spectral_filter([0, 0.5, 2, 4], 0.5), [0, 0.5, 0.8, 8 / 9], rtol=1e-15)
    assert ref.equivalent_lambda(0.1, 50) == pytest.approx(0.2, rel=1e-15)
    assert ref.equivalent_lambda(1e-3, 2.5) == pytest.approx(400.0, rel=1e-15)
    assert isinstance(ref.equivalent_lambda(0.5, 4), float)


# ============================================================================ early_stopping_epoch
HAND_MADE = [
    # (losses, patience, min_delta, (best_epoch, stop_epoch)), with the reason
    ([3.0, 2.0, 2.5, 2.4, 1.0], 2, 0.0, (1, 3)),       # docstring example; epoch 4 is never seen
    ([0.7], 1, 0.0, (0, 0)),                           # one epoch: it is both best and last
    ([0.7], 5, 0.0, (0, 0)),
    ([5.0, 4.0, 3.0, 2.0], 1, 0.0, (3, 3)),            # never stops: last epoch, not len
    ([2.0, 1.0, 3.0], 10, 0.0, (1, 2)),                # patience longer than the run
    ([1.0, 1.0, 1.0], 2, 0.0, (0, 2)),                 # ties are not improvements
    ([2.0, 2.0, 2.0, 2.0], 1, 0.0, (0, 1)),            # patience 1 stops at the first non-improvement
    ([1.0, 2.0, 3.0], 2, 0.0, (0, 2)),                 # stop exactly at the last epoch
    ([1.0, 2.0, 3.0, 4.0, 5.0], 3, 0.0, (0, 3)),       # stop = best + patience, off-by-one trap
    ([1.0, 2.0, 0.5, 2.0, 2.0, 2.0], 2, 0.0, (2, 4)),  # the count restarts after an improvement
    ([3.0, 2.0, 2.5, 1.9, 1.8], 2, 0.0, (4, 4)),       # compared with the best (2.0), 1.9 improves
    ([2.0, 1.0, 1.5, 1.2, 1.1, 1.05], 3, 0.0, (1, 4)), # dips below the previous epoch but not the best
    ([1.0, 0.95, 0.9, 0.89, 0.885, 0.895], 2, 0.02, (2, 4)),   # small gains do not count
    ([1.0, 0.75, 0.5, 0.4375], 1, 0.25, (0, 1)),       # a gain of exactly min_delta is not enough
    ([1.0, 0.75, 0.5, 0.4375], 2, 0.25, (2, 3)),
    ([1.75, 1.5, 1.25, 2.0, 1.0, 2.5], 2, 0.25, (2, 4)),
    ([np.inf, 3.0, 4.0], 1, 0.0, (1, 2)),              # a diverged first epoch is beaten by anything finite
]


@pytest.mark.parametrize("losses, patience, min_delta, expected", HAND_MADE)
def test_early_stopping_on_hand_made_curves(losses, patience, min_delta, expected):
    got = ref.early_stopping_epoch(losses, patience, min_delta)
    assert got == expected
    assert all(isinstance(e, int) for e in got)


def _counter_rule(losses, patience, min_delta):
    """An independent statement of the rule: a counter of consecutive epochs without improvement."""
    best, best_epoch, bad = losses[0], 0, 0
    for epoch in range(1, len(losses)):
        if best - losses[epoch] > min_delta:
            best, best_epoch, bad = losses[epoch], epoch, 0
        else:
            bad += 1
            if bad == patience:
                return best_epoch, epoch
    return best_epoch, len(losses) - 1


def test_early_stopping_agrees_with_a_counter_on_random_curves():
    rng = np.random.default_rng(0)
    for _ in range(2000):
        losses = list(rng.integers(0, 12, size=int(rng.integers(1, 30))) / 8.0)  # dyadic: exact comparisons
        patience = int(rng.integers(1, 6))
        min_delta = float(rng.choice([0.0, 0.125, 0.25]))
        best, stop = ref.early_stopping_epoch(losses, patience, min_delta)
        assert (best, stop) == _counter_rule(losses, patience, min_delta)
        assert 0 <= best <= stop <= len(losses) - 1
        assert stop - best <= patience and (stop == len(losses) - 1 or stop - best == patience)
        assert losses[best] == min(losses[: stop + 1]) or min_delta > 0


# ============================================================================ purity and input checks
def test_functions_are_pure_and_accept_lists():
    rng = np.random.default_rng(1)
    X, y, w0 = rng.normal(size=(8, 3)), rng.normal(size=8), rng.normal(size=3)
    copies = [a.copy() for a in (X, y, w0)]
    W = ref.gd_least_squares(X, y, 0.1, 5, w0)
    for a, b in zip((X, y, w0), copies):
        assert np.array_equal(a, b) and not np.shares_memory(W, a)
    np.testing.assert_array_equal(ref.gd_least_squares(X.tolist(), y.tolist(), 0.1, 5, w0.tolist()), W)
    s = np.array([0.0, 1.0, 2.0])
    for out in (ref.gd_spectral_filter(s, 0.1, 3), ref.ridge_spectral_filter(s, 0.5)):
        assert np.array_equal(s, [0.0, 1.0, 2.0]) and not np.shares_memory(out, s)
    losses = np.array([1.0, 0.5, 0.7])
    ref.early_stopping_epoch(losses, 1)
    assert np.array_equal(losses, [1.0, 0.5, 0.7])


@pytest.mark.parametrize("call, word", [
    (lambda: ref.gd_least_squares(np.ones(3), np.ones(3), 0.1, 2), "2-D"),
    (lambda: ref.gd_least_squares(np.ones((3, 2)), np.ones(4), 0.1, 2), "y"),
    (lambda: ref.gd_least_squares(np.ones((3, 2)), np.ones((3, 1)), 0.1, 2), "y"),
    (lambda: ref.gd_least_squares(np.ones((3, 2)), np.ones(3), -0.1, 2), "lr"),
    (lambda: ref.gd_least_squares(np.ones((3, 2)), np.ones(3), 0.1, -1), "steps"),
    (lambda: ref.gd_least_squares(np.ones((3, 2)), np.ones(3), 0.1, 2.5), "steps"),
    (lambda: ref.gd_least_squares(np.ones((3, 2)), np.ones(3), 0.1, 2, w0=np.ones(3)), "w0"),
    (lambda: ref.gd_spectral_filter([1.0, -0.5], 0.1, 2), "eigvals"),
    (lambda: ref.gd_spectral_filter([1.0], -0.1, 2), "lr"),
    (lambda: ref.gd_spectral_filter([1.0], 0.1, -2), "steps"),
    (lambda: ref.ridge_spectral_filter([1.0], -1.0), "lam"),
    (lambda: ref.ridge_spectral_filter([np.nan], 1.0), "eigvals"),
    (lambda: ref.equivalent_lambda(0.0, 10), "lr"),
    (lambda: ref.equivalent_lambda(0.1, 0), "steps"),
    (lambda: ref.equivalent_lambda(0.1, -3), "steps"),
    (lambda: ref.early_stopping_epoch([], 2), "val_losses"),
    (lambda: ref.early_stopping_epoch([[1.0, 2.0]], 2), "val_losses"),
    (lambda: ref.early_stopping_epoch([1.0, np.nan], 2), "NaN"),
    (lambda: ref.early_stopping_epoch([1.0, 2.0], 0), "patience"),
    (lambda: ref.early_stopping_epoch([1.0, 2.0], 1.5), "patience"),
    (lambda: ref.early_stopping_epoch([1.0, 2.0], 2, min_delta=-0.1), "min_delta"),
])
def test_invalid_input_raises_value_error(call, word):
    with pytest.raises(ValueError, match=word):
        call()


# ============================================================================ the release keeps the contract
def test_release_stub_keeps_signatures_docstrings_and_checks():
    stub = import_path(A.release_dir() / A.filename, "_stub_early_stopping_reference_test")
    public = sorted(n for n, f in inspect.getmembers(ref, inspect.isfunction) if not n.startswith("_"))
    assert public == sorted(["gd_least_squares", "gd_spectral_filter", "ridge_spectral_filter",
                             "equivalent_lambda", "early_stopping_epoch"])
    for name in public:
        assert inspect.signature(getattr(stub, name)) == inspect.signature(getattr(ref, name))
        assert inspect.getdoc(getattr(stub, name)) == inspect.getdoc(getattr(ref, name))
    assert inspect.getdoc(stub) == inspect.getdoc(ref)
    for call in (lambda: stub.gd_least_squares(np.ones((2, 2)), np.ones(2), 0.1, 1),
                 lambda: stub.gd_spectral_filter([1.0], 0.1, 1), lambda: stub.ridge_spectral_filter([1.0], 1.0),
                 lambda: stub.equivalent_lambda(0.1, 1), lambda: stub.early_stopping_epoch([1.0], 1)):
        with pytest.raises(NotImplementedError):
            call()
    with pytest.raises(ValueError, match="patience"):
        stub.early_stopping_epoch([1.0], 0)
    source = (A.release_dir() / A.filename).read_text()
    assert "BEGIN SOLUTION" not in source and "best_epoch, best" not in source
