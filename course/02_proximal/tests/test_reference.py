"""The reference solution of 02_proximal: course numbers, PyTorch / scikit-learn fixtures,
properties, stability, purity and input validation."""
import math

import numpy as np
import pytest

from autograder.course import ASSIGNMENTS, load_reference
from tests.fixtures_io import load_fixture

ref = load_reference(ASSIGNMENTS["02_proximal"])
FIX = load_fixture("proximal")

# Closed forms in float64: a few ulps of rounding at most.
TIGHT = dict(rtol=1e-13, atol=1e-15)


def _objective(X, y, lam, w):
    return float(np.sum((y - X @ w) ** 2) / (2 * len(y)) + lam * np.sum(np.abs(w)))


def _problem(seed, n=60, d=8, frac=0.2):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    y = X @ np.where(rng.random(d) < 0.5, rng.normal(scale=2.0, size=d), 0.0) + 0.3 * rng.normal(size=n)
    return X, y, frac * float(np.max(np.abs(X.T @ y)) / n)


def _ill_conditioned(seed, n=80, d=20, cond=1e3):
    rng = np.random.default_rng(seed)
    U, _ = np.linalg.qr(rng.normal(size=(n, d)))
    V, _ = np.linalg.qr(rng.normal(size=(d, d)))
    X = (U * (np.sqrt(n) * np.logspace(0, -0.5 * np.log10(cond), d))) @ V.T
    w = np.zeros(d)
    w[:5] = 3 * rng.normal(size=5)
    y = X @ w + 0.1 * rng.normal(size=n)
    return X, y, 0.05 * float(np.max(np.abs(X.T @ y)) / n)


# ----------------------------------------------------------------------------- course numbers
@pytest.mark.parametrize("mu", [-3.0, -1.0, -0.4, 0.0, 0.3, 0.4, 1.0, 2.5])
@pytest.mark.parametrize("lam", [0.0, 0.4, 1.0, 2.0])
def test_practice_problem_2(mu, lam):
    """argmin (1/2)(w - mu)^2 + lam|w| is soft thresholding of mu at lam (closed form and brute force)."""
    expected = math.copysign(max(abs(mu) - lam, 0.0), mu)
    assert float(ref.prox_l1(mu, lam)) == pytest.approx(expected, abs=1e-15)
    grid = np.linspace(-5, 5, 1_000_001)            # spacing 1e-5
    brute = grid[np.argmin(0.5 * (grid - mu) ** 2 + lam * np.abs(grid))]
    assert float(ref.prox_l1(mu, lam)) == pytest.approx(brute, abs=1e-5)


def test_worked_example_1_through_the_prox():
    """(w - 1)^2 + lam|w| = 2 * [(1/2)(w - 1)^2 + (lam/2)|w|]: prox_l1(1, lam/2) gives 0.75 and 0."""
    assert float(ref.prox_l1(1.0, 0.25)) == 0.75
    assert float(ref.prox_l1(1.0, 1.0)) == 0.0
    # the L2 case: (w - 1)^2 + (lam/2) w^2 = 2 * [(1/2)(w - 1)^2 + (lam/4) w^2] -> prox_l2(1, lam/2)
    assert float(ref.prox_l2(1.0, 0.25)) == pytest.approx(0.8, abs=1e-15)
    assert float(ref.prox_l2(1.0, 1.0)) == pytest.approx(0.5, abs=1e-15)


def test_hand_values():
    np.testing.assert_array_equal(ref.prox_l1([-3, -1, -0.5, 0, 0.5, 2], 1.0), [-2, 0, 0, 0, 0, 1])
    np.testing.assert_allclose(ref.prox_l2([2.0, -4.0, 1.0], 0.25), [1.6, -3.2, 0.8], **TIGHT)
    np.testing.assert_array_equal(ref.prox_elastic_net([-3.0, 0.5, 2.0], 1.0, 1.0), [-1.0, 0.0, 0.5])
    np.testing.assert_array_equal(ref.prox_l0([-3, -1.5, 0.5, 1.2, 2.5], 1.0), [-3, -1.5, 0, 0, 2.5])
    np.testing.assert_array_equal(ref.prox_l0([2.0, -2.0, 2.5], 2.0), [0.0, 0.0, 2.5])  # ties -> 0
    np.testing.assert_allclose(ref.project_max_norm([3.0, 4.0], 1.0), [0.6, 0.8], **TIGHT)
    np.testing.assert_allclose(ref.ridge_closed_form([[1, 0], [0, 1], [1, 1]], [1, 2, 3], 1.0), [0.875, 1.375],
                               **TIGHT)


def test_public_literals_small_problem():
    """The literal iterates written into the public suite come from the contract."""
    X, y, lam = np.array([[2.0, 0.0], [0.0, 1.0], [2.0, 2.0]]), np.array([1.0, 2.0, 4.0]), 0.3
    np.testing.assert_allclose(ref.ista(X, y, lam), [9.1 / 24, 36.4 / 24], rtol=1e-12)
    np.testing.assert_allclose(ref.fista(X, y, lam), [9.1 / 24, 36.4 / 24], rtol=1e-12)
    np.testing.assert_allclose(ref.ista(X, y, lam, n_iter=3), [0.672092635347745, 1.093974356722275], rtol=1e-13)
    np.testing.assert_allclose(ref.fista(X, y, lam, n_iter=6), [0.42756612544854933, 1.4468262249854924],
                               rtol=1e-13)
    np.testing.assert_allclose(ref.ista(X, y, lam, n_iter=6), [0.5253348684815614, 1.3057458830169824], rtol=1e-13)
    # orthogonal design: one ISTA step is the solution soft([2, 1], 0.5)
    np.testing.assert_array_equal(ref.ista([[1, 1], [1, -1]], [3, 1], 0.5, n_iter=1), [1.5, 0.5])


# ----------------------------------------------------------------------------- fixtures
@pytest.mark.parametrize("i", range(len(FIX["softshrink"])))
def test_prox_l1_matches_torch_softshrink(i):
    c = FIX["softshrink"][i]
    np.testing.assert_array_equal(ref.prox_l1(np.array(c["v"]), c["t"]), np.array(c["out"]))


@pytest.mark.parametrize("i", range(len(FIX["hardshrink"])))
def test_prox_l0_matches_torch_hardshrink_at_sqrt_2t(i):
    c = FIX["hardshrink"][i]
    np.testing.assert_array_equal(ref.prox_l0(np.array(c["v"]), c["t"]), np.array(c["out"]))


@pytest.mark.parametrize("i", range(len(FIX["prox_via_sklearn"])))
def test_prox_operators_match_sklearn_on_orthogonal_designs(i):
    c = FIX["prox_via_sklearn"][i]
    v = np.array(c["v"])
    # coordinate descent on an orthogonal design is exact up to the rounding of sqrt(m) scalings
    np.testing.assert_allclose(ref.prox_l1(v, c["t1"]), c["prox_l1"], rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(ref.prox_elastic_net(v, c["t1"], c["t2"]), c["prox_elastic_net"], rtol=1e-12,
                               atol=1e-14)
    np.testing.assert_allclose(ref.prox_l2(v, c["t2"]), c["prox_l2"], rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("i", range(len(FIX["lasso"])))
@pytest.mark.parametrize("method, n_iter", [("ista", 20000), ("fista", 5000)])
def test_ista_fista_match_sklearn_lasso(i, method, n_iter):
    c = FIX["lasso"][i]
    X, y, coef = np.array(c["X"]), np.array(c["y"]), np.array(c["coef"])
    w = getattr(ref, method)(X, y, c["lam"], n_iter=n_iter)
    # sklearn stopped at a duality gap ~1e-14 relative; after these iteration counts both methods sit at
    # the optimum to ~1e-13 on these problems (condition numbers up to ~100 on the active set)
    np.testing.assert_allclose(w, coef, rtol=0, atol=1e-9)
    assert _objective(X, y, c["lam"], w) <= _objective(X, y, c["lam"], coef) + 1e-13
    np.testing.assert_array_equal(w == 0, coef == 0)      # same support, exact zeros


@pytest.mark.parametrize("i", range(len(FIX["ridge"])))
def test_ridge_matches_sklearn(i):
    c = FIX["ridge"][i]
    # both solve the same d x d (or n x n) system directly: agreement to ~1e-13 relative
    np.testing.assert_allclose(ref.ridge_closed_form(c["X"], c["y"], c["lam"]), c["coef"], rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("i", range(len(FIX["elastic_net"])))
def test_prox_elastic_net_solves_sklearn_elastic_net(i):
    """sklearn: (1/(2n))||y - Xw||^2 + alpha*l1_ratio*||w||_1 + (alpha*(1 - l1_ratio)/2)||w||^2.

    Proximal gradient on the data term with prox_elastic_net(., step*t1, step*t2), where
    t1 = alpha*l1_ratio and t2 = alpha*(1 - l1_ratio), must land on sklearn's coefficients.
    """
    c = FIX["elastic_net"][i]
    X, y = np.array(c["X"]), np.array(c["y"])
    n = len(y)
    t1, t2 = c["alpha"] * c["l1_ratio"], c["alpha"] * (1 - c["l1_ratio"])
    step = 1.0 / np.linalg.eigvalsh(X.T @ X / n)[-1]
    w = np.zeros(X.shape[1])
    for _ in range(20000):
        w = ref.prox_elastic_net(w - step * X.T @ (X @ w - y) / n, step * t1, step * t2)
    # converged to ~1e-13 (the L2 part makes the problem strongly convex); sklearn's gap ~1e-14
    np.testing.assert_allclose(w, c["coef"], rtol=0, atol=1e-9)


# ----------------------------------------------------------------------------- ISTA / FISTA properties
def test_fista_faster_than_ista_on_ill_conditioned_problem():
    for seed in (0, 1, 2):
        X, y, lam = _ill_conditioned(seed)
        best = _objective(X, y, lam, ref.fista(X, y, lam, n_iter=20000))
        gap_ista = _objective(X, y, lam, ref.ista(X, y, lam, n_iter=50)) - best
        gap_fista = _objective(X, y, lam, ref.fista(X, y, lam, n_iter=50)) - best
        assert gap_fista * 50 < gap_ista, (gap_fista, gap_ista)   # measured ratios 88-270


def test_ista_objective_decreases_monotonically():
    X, y, lam = _ill_conditioned(3)
    values = [_objective(X, y, lam, ref.ista(X, y, lam, n_iter=k)) for k in range(1, 40)]
    assert all(b <= a + 1e-15 for a, b in zip(values, values[1:]))


def test_first_fista_steps_equal_ista():
    """t_1 = 1 makes the first momentum weight 0: iterates 1 and 2 coincide, 3 does not."""
    X, y, lam = _problem(5)
    for k in (1, 2):
        np.testing.assert_array_equal(ref.fista(X, y, lam, n_iter=k), ref.ista(X, y, lam, n_iter=k))
    assert np.max(np.abs(ref.fista(X, y, lam, n_iter=3) - ref.ista(X, y, lam, n_iter=3))) > 1e-3


def test_lam_above_lam_max_gives_zero_and_lam_zero_gives_least_squares():
    X, y, _ = _problem(6)
    lam_max = float(np.max(np.abs(X.T @ y)) / len(y))
    for method in (ref.ista, ref.fista):
        np.testing.assert_array_equal(method(X, y, lam_max * 1.0001), np.zeros(8))
        np.testing.assert_allclose(method(X, y, 0.0, n_iter=3000), np.linalg.lstsq(X, y, rcond=None)[0],
                                   rtol=1e-10, atol=1e-12)


def test_explicit_step_is_used():
    X, y, lam = _problem(7)
    L = np.linalg.eigvalsh(X.T @ X / len(y))[-1]
    np.testing.assert_array_equal(ref.ista(X, y, lam, n_iter=5, step=1 / L), ref.ista(X, y, lam, n_iter=5))
    assert np.max(np.abs(ref.ista(X, y, lam, n_iter=5, step=0.5 / L) - ref.ista(X, y, lam, n_iter=5))) > 1e-3


def test_zero_design_and_no_features():
    np.testing.assert_array_equal(ref.ista(np.zeros((4, 3)), np.ones(4), 0.1), np.zeros(3))
    np.testing.assert_array_equal(ref.fista(np.zeros((4, 3)), np.ones(4), 0.1), np.zeros(3))
    assert ref.ista(np.zeros((4, 0)), np.ones(4), 0.1).shape == (0,)
    assert ref.ridge_closed_form(np.zeros((4, 0)), np.ones(4), 0.1).shape == (0,)


# ----------------------------------------------------------------------------- prox properties
@pytest.mark.parametrize("fn, args", [("prox_l1", (0.7,)), ("prox_l2", (0.7,)), ("prox_elastic_net", (0.7, 0.3))])
def test_convex_prox_is_non_expansive(fn, args):
    rng = np.random.default_rng(8)
    a, b = rng.normal(size=(2, 500)) * 2
    pa, pb = getattr(ref, fn)(a, *args), getattr(ref, fn)(b, *args)
    assert np.all(np.abs(pa - pb) <= np.abs(a - b) + 1e-15)
    assert np.linalg.norm(pa - pb) <= np.linalg.norm(a - b)


@pytest.mark.parametrize("fn, args, objective", [
    ("prox_l1", (0.6,), lambda x, v: 0.6 * np.abs(x) + 0.5 * (x - v) ** 2),
    ("prox_l2", (0.6,), lambda x, v: 0.3 * x ** 2 + 0.5 * (x - v) ** 2),
    ("prox_elastic_net", (0.6, 0.4), lambda x, v: 0.6 * np.abs(x) + 0.2 * x ** 2 + 0.5 * (x - v) ** 2),
    ("prox_l0", (0.6,), lambda x, v: 0.6 * (x != 0) + 0.5 * (x - v) ** 2),
])
def test_prox_is_the_argmin(fn, args, objective):
    """Each prox minimizes its defining objective: compared with a dense grid (spacing 1e-4) plus 0."""
    grid = np.concatenate([np.linspace(-4, 4, 80001), [0.0]])
    for v in np.random.default_rng(9).normal(scale=1.5, size=25):
        x = float(getattr(ref, fn)(v, *args))
        assert objective(x, v) <= np.min(objective(grid, v)) + 1e-12


def test_soft_threshold_exact_zeros_and_thresholds():
    v = np.array([0.5, -0.5, 0.4999999, 0.0, -0.0])
    np.testing.assert_array_equal(ref.prox_l1(v, 0.5), np.zeros(5))
    np.testing.assert_array_equal(ref.prox_elastic_net(v, 0.5, 2.0), np.zeros(5))
    np.testing.assert_array_equal(ref.prox_l1(v, 0.0), v)


# ----------------------------------------------------------------------------- projection
def test_projection_axis_semantics():
    W = np.array([[3.0, 4.0], [0.3, 0.4], [0.0, 0.0]])
    np.testing.assert_allclose(ref.project_max_norm(W, 1.0, axis=1), [[0.6, 0.8], [0.3, 0.4], [0, 0]], **TIGHT)
    np.testing.assert_allclose(ref.project_max_norm(W, 1.0, axis=-1), ref.project_max_norm(W, 1.0, axis=1), **TIGHT)
    cols = ref.project_max_norm(W, 1.0, axis=0)
    np.testing.assert_allclose(np.linalg.norm(cols, axis=0), [1.0, 1.0], rtol=1e-14)
    np.testing.assert_allclose(ref.project_max_norm(W, 1.0), W / np.linalg.norm(W), **TIGHT)


@pytest.mark.parametrize("shape, axis", [((6, 4), 1), ((6, 4), 0), ((2, 3, 5), 2), ((7,), None), ((3, 4), None)])
def test_projection_feasible_idempotent_and_closest(shape, axis):
    rng = np.random.default_rng(10)
    w = rng.normal(size=shape)
    r = 1.2
    p = ref.project_max_norm(w, r, axis=axis)
    norms = np.sqrt(np.sum(p ** 2, axis=axis))
    assert np.all(norms <= r * (1 + 1e-14))
    np.testing.assert_allclose(ref.project_max_norm(p, r, axis=axis), p, rtol=1e-14)
    inside = np.sqrt(np.sum(w ** 2, axis=axis, keepdims=True)) <= r
    np.testing.assert_array_equal(np.where(inside, p, 0), np.where(inside, w, 0))   # bit for bit
    # closest point: no random feasible point is nearer (checked for the whole-array ball)
    if axis is None:
        for _ in range(200):
            q = rng.normal(size=shape)
            q *= min(1.0, r / np.linalg.norm(q)) * rng.random()
            assert np.linalg.norm(w - p) <= np.linalg.norm(w - q) + 1e-12


def test_projection_edge_cases():
    assert ref.project_max_norm(np.zeros(0), 1.0).shape == (0,)
    assert ref.project_max_norm(np.zeros((3, 0)), 1.0, axis=1).shape == (3, 0)
    assert ref.project_max_norm(np.zeros((0, 3)), 1.0, axis=1).shape == (0, 3)
    np.testing.assert_array_equal(ref.project_max_norm(np.zeros((2, 3)), 0.0, axis=1), np.zeros((2, 3)))
    np.testing.assert_array_equal(ref.project_max_norm([1.0, -2.0], 0.0), [0.0, 0.0])
    assert float(ref.project_max_norm(-3.0, 2.0)) == -2.0
    # huge entries: the norm does not overflow
    np.testing.assert_allclose(ref.project_max_norm(np.array([3e200, 4e200]), 1.0), [0.6, 0.8], rtol=1e-14)
    np.testing.assert_allclose(ref.project_max_norm(np.array([[3e-200, 4e-200]]), 1e-200, axis=1), [[0.6e-200,
                                                                                                        0.8e-200]],
                               rtol=1e-14)


# ----------------------------------------------------------------------------- stability, shapes, purity
ELEMENTWISE = [("prox_l1", (0.5,)), ("prox_l2", (0.5,)), ("prox_elastic_net", (0.5, 0.5)), ("prox_l0", (0.5,)),
               ("project_max_norm", (0.5,))]


@pytest.mark.parametrize("fn, args", ELEMENTWISE)
@pytest.mark.parametrize("shape", [(), (0,), (5,), (3, 4), (2, 0, 3)])
def test_shapes_preserved(fn, args, shape):
    v = np.random.default_rng(11).normal(size=shape)
    out = getattr(ref, fn)(v, *args)
    assert np.shape(out) == shape and np.all(np.isfinite(out))


@pytest.mark.parametrize("fn", ["prox_l1", "prox_l2", "prox_l0"])
@pytest.mark.parametrize("t", [0.0, 1e-300, 1e-12, 1e12, 1e300])
def test_huge_and_tiny_thresholds(fn, t):
    v = np.array([1e300, -1e300, 1.0, -1e-300, 0.0])
    out = getattr(ref, fn)(v, t)
    assert np.all(np.isfinite(out))
    if fn == "prox_l1" and t >= 1e12:
        np.testing.assert_array_equal(out[2:], 0.0)
    if t == 0.0:
        np.testing.assert_array_equal(out, v)


@pytest.mark.parametrize("fn, args", ELEMENTWISE)
def test_elementwise_inputs_not_modified(fn, args):
    v = np.random.default_rng(12).normal(size=(4, 5)) * 3
    before = v.copy()
    getattr(ref, fn)(v, *args)
    np.testing.assert_array_equal(v, before)


@pytest.mark.parametrize("fn", ["ista", "fista", "ridge_closed_form"])
def test_regression_inputs_not_modified(fn):
    X, y, lam = _problem(13)
    Xb, yb = X.copy(), y.copy()
    getattr(ref, fn)(X, y, lam)
    np.testing.assert_array_equal(X, Xb)
    np.testing.assert_array_equal(y, yb)


def test_lists_accepted():
    np.testing.assert_array_equal(ref.prox_l1([1, -2, 3], 1), [0, -1, 2])
    np.testing.assert_allclose(ref.ista([[1, 1], [1, -1]], [3, 1], 0.5), [1.5, 0.5], rtol=1e-12)
    np.testing.assert_allclose(ref.ridge_closed_form([[1, 0], [0, 1], [1, 1]], [1, 2, 3], 1), [0.875, 1.375],
                               rtol=1e-13)


def test_ridge_uses_solve_not_inverse():
    import inspect
    source = inspect.getsource(ref.ridge_closed_form)
    assert "np.linalg.solve" in source and "inv(" not in source


# ----------------------------------------------------------------------------- invalid input
@pytest.mark.parametrize("fn, args", ELEMENTWISE)
@pytest.mark.parametrize("bad, words", [(-0.5, ">= 0"), (float("nan"), "finite"), ([1.0, 2.0], "single number")])
def test_invalid_strength_raises(fn, args, bad, words):
    for position in range(len(args)):
        a = list(args)
        a[position] = bad
        with pytest.raises(ValueError, match=words):
            getattr(ref, fn)(np.ones(3), *a)


def test_project_bad_axis_raises_value_error():
    with pytest.raises(ValueError):
        ref.project_max_norm(np.ones((2, 3)), 1.0, axis=2)


@pytest.mark.parametrize("fn", ["ista", "fista", "ridge_closed_form"])
def test_regression_shape_errors(fn):
    X, y = np.ones((5, 2)), np.ones(5)
    with pytest.raises(ValueError, match="disagree"):
        getattr(ref, fn)(X, np.ones(4), 0.1)
    with pytest.raises(ValueError, match="2-D"):
        getattr(ref, fn)(np.ones(5), y, 0.1)
    with pytest.raises(ValueError, match="1-D"):
        getattr(ref, fn)(X, np.ones((5, 1)), 0.1)
    with pytest.raises(ValueError, match=">= 0"):
        getattr(ref, fn)(X, y, -1.0)


@pytest.mark.parametrize("fn", ["ista", "fista"])
@pytest.mark.parametrize("kwargs, words", [({"n_iter": 0}, "positive"), ({"n_iter": -3}, "positive"),
                                           ({"n_iter": 2.5}, "integer"), ({"n_iter": True}, "integer"),
                                           ({"step": 0.0}, "> 0"), ({"step": -1.0}, ">= 0")])
def test_iteration_arguments_validated(fn, kwargs, words):
    with pytest.raises(ValueError, match=words):
        getattr(ref, fn)(np.ones((5, 2)), np.ones(5), 0.1, **kwargs)
