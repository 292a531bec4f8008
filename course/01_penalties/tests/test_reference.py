"""The reference solution of 01_penalties: course numbers, PyTorch fixtures, stability,
purity and input validation."""
import math

import numpy as np
import pytest

from autograder.course import ASSIGNMENTS, load_reference
from tests.fixtures_io import load_fixture

ref = load_reference(ASSIGNMENTS["01_penalties"])
FIX = load_fixture("penalties")

# Closed forms evaluated in float64: a few ulps of rounding at most.
TIGHT = dict(rtol=1e-13, atol=1e-15)


def _grid_argmin(f, lo=-5.0, hi=5.0, num=1_000_001):
    """Brute-force minimizer on a grid of spacing 1e-5 (so within 1e-5 of the true one)."""
    grid = np.linspace(lo, hi, num)
    return grid[np.argmin(f(grid))]


# ----------------------------------------------------------------------------- course numbers
@pytest.mark.parametrize("lam, l1, l2", [(0.5, 0.75, 0.8), (2.0, 0.0, 0.5)])
def test_worked_example_1(lam, l1, l2):
    """min (w - 1)^2 + penalty: lam = 0.5 -> L1 0.75, L2 0.8; lam = 2 -> L1 exactly 0, L2 0.5."""
    assert ref.l1_scalar_minimizer(1.0, lam) == pytest.approx(l1, abs=1e-15)
    assert ref.l2_scalar_minimizer(1.0, lam) == pytest.approx(l2, abs=1e-15)
    if l1 == 0.0:
        assert ref.l1_scalar_minimizer(1.0, lam) == 0.0  # exactly zero, not just small
    # the same answers by brute force, independently of the closed forms (grid spacing 1e-5)
    assert _grid_argmin(lambda w: (w - 1) ** 2 + lam * np.abs(w)) == pytest.approx(l1, abs=1e-5)
    assert _grid_argmin(lambda w: (w - 1) ** 2 + lam / 2 * w ** 2) == pytest.approx(l2, abs=1e-5)


def test_worked_example_1_returns_python_floats():
    assert isinstance(ref.l1_scalar_minimizer(1.0, 0.5), float)
    assert isinstance(ref.l2_scalar_minimizer(1.0, 0.5), float)


@pytest.mark.parametrize("mu", [-3.0, -1.0, -0.3, 0.0, 0.2, 0.7, 2.5])
@pytest.mark.parametrize("lam", [0.0, 0.4, 1.0, 2.0])
def test_practice_problem_2_scaled(mu, lam):
    """argmin (1/2)(w - mu)^2 + lam|w| = soft threshold at lam = argmin (w - mu)^2 + 2*lam*|w|."""
    soft = math.copysign(max(abs(mu) - lam, 0.0), mu)
    assert ref.l1_scalar_minimizer(mu, 2 * lam) == pytest.approx(soft, abs=1e-15)
    assert _grid_argmin(lambda w: 0.5 * (w - mu) ** 2 + lam * np.abs(w)) == pytest.approx(soft, abs=1e-5)


def test_l1_minimizer_threshold_is_lam_over_2():
    assert ref.l1_scalar_minimizer(0.25, 0.5) == 0.0       # |mu| == lam/2: exactly zero
    assert ref.l1_scalar_minimizer(-0.25, 0.5) == 0.0
    assert ref.l1_scalar_minimizer(0.26, 0.5) == pytest.approx(0.01, abs=1e-15)


def test_quiz_q1_priors():
    """Q1: L1 is the negative log of a Laplace prior, (lam/2)||w||^2 of a Gaussian N(0, 1/lam)."""
    lam = 1.7
    w1, w2 = np.array([0.3, -1.2, 2.0]), np.array([-0.5, 0.0, 0.9])

    def nll_laplace(w):   # density (lam/2) exp(-lam|w|) per coordinate
        return -np.sum(np.log(lam / 2) - lam * np.abs(w))

    def nll_gauss(w):     # density N(0, variance 1/lam) per coordinate
        return -np.sum(0.5 * np.log(lam / (2 * np.pi)) - lam * w ** 2 / 2)

    # equal up to an additive constant: compare differences between two weight vectors
    assert nll_laplace(w1) - nll_laplace(w2) == pytest.approx(ref.l1_penalty(w1, lam) - ref.l1_penalty(w2, lam),
                                                              rel=1e-12)
    assert nll_gauss(w1) - nll_gauss(w2) == pytest.approx(ref.l2_penalty(w1, lam) - ref.l2_penalty(w2, lam),
                                                          rel=1e-12)


def test_erratum_4_l2_convention():
    """(lam/2)||w||^2 has gradient lam*w; a text writing lam*||w||^2 gets twice that."""
    w = np.array([1.0, -2.0, 0.0, 3.0])
    assert ref.l2_penalty(w, 0.5) == 3.5
    np.testing.assert_allclose(ref.l2_gradient(w, 0.5), [0.5, -1.0, 0.0, 1.5], **TIGHT)
    np.testing.assert_allclose(2 * ref.l2_gradient(w, 0.5), 2 * 0.5 * w, **TIGHT)


def test_hand_values():
    w = [1.0, -2.0, 0.0, 3.0]
    assert ref.l1_penalty(w, 0.5) == 3.0
    np.testing.assert_array_equal(ref.l1_subgradient(w, 0.5), [0.5, -0.5, 0.0, 0.5])
    assert ref.elastic_net_penalty(w, 0.5, 0.2) == pytest.approx(4.4, rel=1e-15)
    np.testing.assert_allclose(ref.elastic_net_gradient(w, 0.5, 0.2), [0.7, -0.9, 0.0, 1.1], **TIGHT)


def test_elastic_net_is_sum_of_parts():
    w = np.random.default_rng(3).normal(size=(4, 5))
    assert ref.elastic_net_penalty(w, 0.3, 1.1) == pytest.approx(ref.l1_penalty(w, 0.3) + ref.l2_penalty(w, 1.1),
                                                                 rel=1e-14)
    np.testing.assert_allclose(ref.elastic_net_gradient(w, 0.3, 1.1),
                               ref.l1_subgradient(w, 0.3) + ref.l2_gradient(w, 1.1), **TIGHT)


def test_gradients_match_finite_differences():
    """Central differences of each penalty agree with its gradient (at w without zeros)."""
    rng = np.random.default_rng(4)
    w = rng.normal(size=6)
    w[np.abs(w) < 0.1] = 0.5
    h = 1e-6
    pairs = [(lambda v: ref.l1_penalty(v, 0.7), ref.l1_subgradient(w, 0.7)),
             (lambda v: ref.l2_penalty(v, 0.7), ref.l2_gradient(w, 0.7)),
             (lambda v: ref.elastic_net_penalty(v, 0.7, 0.4), ref.elastic_net_gradient(w, 0.7, 0.4))]
    for f, grad in pairs:
        fd = np.array([(f(w + h * e) - f(w - h * e)) / (2 * h) for e in np.eye(6)])
        # central differences: truncation O(h^2) is 0 here (|w| is linear, w^2 quadratic),
        # rounding ~eps/h ~ 1e-10
        np.testing.assert_allclose(grad, fd, rtol=0, atol=1e-8)


# ----------------------------------------------------------------------------- fixtures (PyTorch)
@pytest.mark.parametrize("i", range(len(FIX["gradients"])))
def test_fixture_gradients(i):
    c = FIX["gradients"][i]
    w = np.array(c["w"], dtype=float).reshape(c["shape"])
    # torch sums in another order: a few ulps relative on sums of up to 12 terms
    assert ref.l1_penalty(w, c["lam"]) == pytest.approx(c["values"]["l1"], rel=1e-13)
    assert ref.l2_penalty(w, c["lam"]) == pytest.approx(c["values"]["l2"], rel=1e-13)
    assert ref.elastic_net_penalty(w, c["lam1"], c["lam2"]) == pytest.approx(c["values"]["elastic_net"], rel=1e-13)
    np.testing.assert_allclose(ref.l1_subgradient(w, c["lam"]), c["grads"]["l1"], **TIGHT)
    np.testing.assert_allclose(ref.l2_gradient(w, c["lam"]), c["grads"]["l2"], **TIGHT)
    np.testing.assert_allclose(ref.elastic_net_gradient(w, c["lam1"], c["lam2"]), c["grads"]["elastic_net"], **TIGHT)


@pytest.mark.parametrize("i", range(len(FIX["scalar_minimizers"])))
def test_fixture_scalar_minimizers(i):
    c = FIX["scalar_minimizers"][i]
    mu = np.array(c["mu"])
    np.testing.assert_allclose(ref.l1_scalar_minimizer(mu, c["lam"]), c["l1"], **TIGHT)
    np.testing.assert_allclose(ref.l2_scalar_minimizer(mu, c["lam"]), c["l2"], **TIGHT)
    # elementwise: each entry alone gives the same number
    for m, a, b in zip(mu, c["l1"], c["l2"]):
        assert ref.l1_scalar_minimizer(float(m), c["lam"]) == pytest.approx(a, abs=1e-15)
        assert ref.l2_scalar_minimizer(float(m), c["lam"]) == pytest.approx(b, rel=1e-14, abs=1e-15)


# ----------------------------------------------------------------------------- shapes, stability, purity
ARRAY_FNS = [("l1_subgradient", (0.4,)), ("l2_gradient", (0.4,)), ("elastic_net_gradient", (0.4, 0.2)),
             ("l1_scalar_minimizer", (0.4,)), ("l2_scalar_minimizer", (0.4,))]
SCALAR_FNS = [("l1_penalty", (0.4,)), ("l2_penalty", (0.4,)), ("elastic_net_penalty", (0.4, 0.2))]


@pytest.mark.parametrize("shape", [(0,), (3, 0), (5,), (2, 3, 4)])
@pytest.mark.parametrize("fn, lams", ARRAY_FNS)
def test_array_results_keep_shape(fn, lams, shape):
    w = np.random.default_rng(1).normal(size=shape)
    out = getattr(ref, fn)(w, *lams)
    assert np.shape(out) == shape and np.all(np.isfinite(out))


@pytest.mark.parametrize("fn, lams", SCALAR_FNS)
def test_penalties_are_floats_and_empty_is_zero(fn, lams):
    assert getattr(ref, fn)(np.zeros(0), *lams) == 0.0
    out = getattr(ref, fn)([[1.0, 2.0], [3.0, -4.0]], *lams)
    assert isinstance(out, float)
    assert isinstance(getattr(ref, fn)(2.0, *lams), float)


@pytest.mark.parametrize("fn, lams", ARRAY_FNS + SCALAR_FNS)
def test_huge_and_tiny_values_stay_finite(fn, lams):
    for scale in (1e150, 1e-300):
        w = np.array([scale, -scale, 0.0, 3 * scale])
        assert np.all(np.isfinite(getattr(ref, fn)(w, *lams)))


def test_subgradient_exactly_zero_at_zero():
    g = ref.l1_subgradient(np.array([0.0, -0.0, 1e-300, -1e-300]), 2.0)
    np.testing.assert_array_equal(g, [0.0, 0.0, 2.0, -2.0])


@pytest.mark.parametrize("fn, lams", ARRAY_FNS + SCALAR_FNS)
def test_inputs_not_modified(fn, lams):
    w = np.random.default_rng(2).normal(size=(3, 4))
    w[0, 0] = 0.0
    before = w.copy()
    getattr(ref, fn)(w, *lams)
    np.testing.assert_array_equal(w, before)


@pytest.mark.parametrize("fn, lams", ARRAY_FNS + SCALAR_FNS)
def test_lists_and_ints_accepted(fn, lams):
    np.testing.assert_allclose(getattr(ref, fn)([1, -2, 0, 3], *lams),
                               getattr(ref, fn)(np.array([1.0, -2.0, 0.0, 3.0]), *lams), **TIGHT)


# ----------------------------------------------------------------------------- invalid input
@pytest.mark.parametrize("fn, lams", ARRAY_FNS + SCALAR_FNS)
@pytest.mark.parametrize("position", [0, -1])
@pytest.mark.parametrize("bad, words", [(-0.1, ">= 0"), (float("nan"), "finite"), (float("inf"), "finite"),
                                        ([0.1, 0.2], "single number"), ("big", "number")])
def test_invalid_strength_raises(fn, lams, position, bad, words):
    args = list(lams)
    args[position] = bad
    with pytest.raises(ValueError, match=words):
        getattr(ref, fn)(np.ones(3), *args)


@pytest.mark.parametrize("fn, lams", ARRAY_FNS + SCALAR_FNS)
def test_non_numeric_weights_raise(fn, lams):
    with pytest.raises(ValueError, match="must be numbers"):
        getattr(ref, fn)(["a", "b"], *lams)
