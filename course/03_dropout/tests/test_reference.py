"""The reference solution of 03_dropout against the numbers of COURSE.md, PyTorch's
convention (fixture), Monte Carlo checks with stated confidence, purity and input checks.

Monte Carlo bounds use Hoeffding's inequality for bounded independent terms,
P(|mean - E mean| >= t) <= 2 exp(-2 n t^2 / range^2), with the failure probability
DELTA below; they hold for any random stream, not just the seeded one used here.
"""
import itertools
import math

import numpy as np
import pytest

from autograder.course import find_assignment, load_reference
from tests.fixtures_io import load_fixture

ref = load_reference(find_assignment("03_dropout"))

# Products and quotients of a few floats: only the last bits may differ.
RTOL = 1e-12
DELTA = 1e-9   # allowed false-failure probability of one Monte Carlo check


def hoeffding_halfwidth(n, value_range, delta=DELTA):
    """t such that the mean of n independent terms in an interval of length value_range
    is within t of its expectation with probability >= 1 - delta."""
    return value_range * math.sqrt(math.log(2 / delta) / (2 * n))


# ----------------------------------------------------------------------------- worked example 2
def test_worked_example_2_four_masks_at_half():
    w, h, p = np.array([2.0, -1.0]), np.array([3.0, 0.5]), 0.5
    # the four masks of the worked example, each with probability 1/4
    ys = [np.dot(np.array(m), w * h) / (1 - p) for m in itertools.product((0, 1), repeat=2)]
    assert sorted(ys) == sorted([0.0, 2 * 6.0, 2 * -0.5, 2 * 6.0 + 2 * -0.5])
    mean, var = ref.dropout_output_moments(w, h, p)
    assert mean == pytest.approx(np.mean(ys), rel=RTOL)
    assert mean == pytest.approx(w[0] * h[0] + w[1] * h[1], rel=RTOL)   # E[y] = w1 h1 + w2 h2
    assert var == pytest.approx(np.var(ys), rel=RTOL)
    assert (mean, var) == pytest.approx((5.5, 36.25), rel=RTOL)


@pytest.mark.parametrize("seed", range(5))
def test_expected_output_equals_inference_output_for_any_p(seed):
    rng = np.random.default_rng(seed)
    n = 1 + seed * 2
    w, h = rng.standard_normal(n), rng.standard_normal(n)
    for p in (0.0, 0.1, 0.5, 0.8):
        mean, var = ref.dropout_output_moments(w, h, p)
        # independent units: E[y] = sum w h, Var(y) = sum (w h)^2 p/(1-p)
        assert mean == pytest.approx(np.dot(w, h), rel=1e-9, abs=1e-12)
        assert var == pytest.approx(np.sum((w * h) ** 2) * p / (1 - p), rel=1e-9, abs=1e-12)


def test_moments_weigh_masks_by_their_probability():
    # p = 0.2, w*h = [1, 1, -2]: exact var 1.5; a plain average over masks would give 2.34375
    mean, var = ref.dropout_output_moments([1.0, 2.0, -1.0], [1.0, 0.5, 2.0], 0.2)
    assert mean == pytest.approx(0.0, abs=1e-12)
    assert var == pytest.approx(1.5, rel=RTOL)


def test_moments_with_no_units_and_the_limit():
    assert ref.dropout_output_moments([], [], 0.3) == (0.0, 0.0)
    n = ref.MAX_ENUMERATED_UNITS
    mean, var = ref.dropout_output_moments(np.ones(n), np.ones(n), 0.5)
    assert (mean, var) == pytest.approx((n, n * 1.0), rel=1e-9)


# ----------------------------------------------------------------------------- practice problem 3 / erratum 2
@pytest.mark.parametrize("mean,var,p", [(0.0, 1.0, 0.5), (2.0, 1.0, 0.5), (-3.0, 1.0, 0.2), (1.5, 0.0, 0.4),
                                        (0.7, 2.5, 0.9), (4.0, 0.3, 0.0)])
def test_exact_dropout_variance(mean, var, p):
    expected = var / (1 - p) + mean ** 2 * p / (1 - p)
    assert ref.dropout_variance(mean, var, p) == pytest.approx(expected, rel=RTOL)


def test_material_formula_is_only_the_increase_at_zero_mean():
    for var, p in ((1.0, 0.5), (3.0, 0.2), (0.4, 0.9)):
        increase = ref.dropout_variance(0.0, var, p) - var
        assert increase == pytest.approx(var * p / (1 - p), rel=1e-9)            # the material's quantity
        assert ref.dropout_variance(0.0, var, p) != pytest.approx(var * p / (1 - p), rel=1e-3)
    # with a nonzero mean even the increase is not var p/(1-p)
    assert ref.dropout_variance(2.0, 1.0, 0.5) - 1.0 != pytest.approx(1.0 * 0.5 / 0.5, rel=1e-3)
    # fixed activation (var = 0): a^2 p/(1-p)
    assert ref.dropout_variance(3.0, 0.0, 0.25) == pytest.approx(9.0 / 3.0, rel=RTOL)
    # numbers of the public suite
    assert ref.dropout_variance(0.0, 1.0, 0.5) == pytest.approx(2.0, rel=RTOL)
    assert ref.dropout_variance(2.0, 1.0, 0.5) == pytest.approx(6.0, rel=RTOL)


def test_exact_variance_by_monte_carlo():
    """d = a m / (1 - p) with a ~ Uniform(1, 3) (mean 2, var 1/3), m ~ Bernoulli(0.6).

    d lies in [0, 5] and d^2 in [0, 25]; Hoeffding bounds both sample means, so the
    sample variance m2 - m1^2 is within t2 + t1 (2 E[d] + t1) of the truth with
    probability >= 1 - 2 DELTA, for any stream.
    """
    rng = np.random.default_rng(2026)
    n, p = 1_000_000, 0.4
    a = rng.uniform(1.0, 3.0, n)
    d = a * (rng.random(n) < 1 - p) / (1 - p)
    t1, t2 = hoeffding_halfwidth(n, 5.0), hoeffding_halfwidth(n, 25.0)
    bound = t2 + t1 * (2 * 2.0 + t1)                                 # about 0.16
    exact = ref.dropout_variance(2.0, 1 / 3, p)                      # 3.2222...
    estimate = float(np.mean(d ** 2) - np.mean(d) ** 2)
    assert abs(estimate - exact) <= bound
    assert abs(float(np.mean(d)) - 2.0) <= t1                         # E[d] = E[a]
    # the material's formula (0.222) and the one without the mean term (0.556) are far outside
    assert abs(estimate - (1 / 3) * p / (1 - p)) > 10 * bound
    assert abs(estimate - (1 / 3) / (1 - p)) > 10 * bound


# ----------------------------------------------------------------------------- forward / backward
def test_quiz_q2_survivors_scaled_by_two_at_half():
    x = np.linspace(0.5, 5.0, 100)
    out, mask = ref.dropout_forward(x, 0.5, np.random.default_rng(0))
    assert set(np.unique(mask)) <= {0.0, 1.0}
    assert 0 < mask.sum() < 100                                      # each fails w.p. 2^-100
    np.testing.assert_array_equal(out[mask == 1], 2.0 * x[mask == 1])
    np.testing.assert_array_equal(out[mask == 0], 0.0)


def test_forward_monte_carlo_keep_fraction_and_mean():
    x = np.random.default_rng(1).uniform(0.5, 1.5, size=(500, 400))
    n = x.size
    for p in (0.2, 0.5, 0.7):
        out, mask = ref.dropout_forward(x, p, np.random.default_rng(int(p * 10)))
        assert abs(mask.mean() - (1 - p)) <= hoeffding_halfwidth(n, 1.0)
        # out_i in [0, 1.5/(1-p)]: the mean of out is within t of mean(x)
        assert abs(out.mean() - x.mean()) <= hoeffding_halfwidth(n, 1.5 / (1 - p))
        np.testing.assert_allclose(out, x * mask / (1 - p), rtol=RTOL)


def test_forward_p_zero_inference_and_empty():
    x = np.random.default_rng(2).standard_normal((3, 4))
    out, mask = ref.dropout_forward(x, 0.0, np.random.default_rng(0))
    np.testing.assert_array_equal(out, x)
    np.testing.assert_array_equal(mask, 1.0)
    for p in (0.3, 0.99):
        out, mask = ref.dropout_forward(x, p, None, training=False)
        np.testing.assert_array_equal(out, x)
        np.testing.assert_array_equal(mask, 1.0)
    out, mask = ref.dropout_forward(np.zeros((0, 5)), 0.5, np.random.default_rng(0))
    assert out.shape == mask.shape == (0, 5)


def test_forward_same_seed_same_mask_and_lists_accepted():
    a = ref.dropout_forward([[1.0, 2.0, 3.0]] * 50, 0.5, np.random.default_rng(7))
    b = ref.dropout_forward(np.array([[1.0, 2.0, 3.0]] * 50), 0.5, np.random.default_rng(7))
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])


def test_backward_rescales_kept_gradients_and_accepts_bool_masks():
    dout = np.array([[1.0, 2.0], [3.0, 4.0]])
    np.testing.assert_allclose(ref.dropout_backward(dout, [[1, 0], [0, 1]], 0.75), [[4.0, 0.0], [0.0, 16.0]],
                               rtol=RTOL)
    np.testing.assert_allclose(ref.dropout_backward(dout, np.array([[True, False], [False, True]]), 0.75),
                               [[4.0, 0.0], [0.0, 16.0]], rtol=RTOL)


def test_backward_is_the_derivative_of_forward():
    """out = x * mask / (1 - p) is linear in x: a finite difference gives the backward pass."""
    rng = np.random.default_rng(3)
    x, dout, p = rng.standard_normal((4, 5)), rng.standard_normal((4, 5)), 0.3
    out, mask = ref.dropout_forward(x, p, np.random.default_rng(5))
    step = 1e-3
    shifted, mask2 = ref.dropout_forward(x + step * dout, p, np.random.default_rng(5))
    np.testing.assert_array_equal(mask, mask2)
    directional = np.sum(dout * (shifted - out)) / step           # d/dt <dout, f(x + t dout)>
    # linear map: the finite difference is exact up to rounding (1e-9 relative is generous)
    assert directional == pytest.approx(np.sum(dout * ref.dropout_backward(dout, mask, p)), rel=1e-9)


# ----------------------------------------------------------------------------- PyTorch fixture
FIXTURE = load_fixture("dropout")


@pytest.mark.parametrize("name", sorted(FIXTURE))
def test_pytorch_convention_matches(name):
    case = FIXTURE[name]
    x, p = np.array(case["x"]), case["p"]
    train, evaluation = np.array(case["train_out"]), np.array(case["eval_out"])
    kept = train != 0                      # |x| >= 0.5, so 0 means dropped
    # torch's survivors equal x / (1 - p): inverted dropout with p the DROP probability
    np.testing.assert_allclose(train[kept], x[kept] / (1 - p), rtol=RTOL)
    # ... so torch's output is our formula with torch's own mask
    np.testing.assert_allclose(ref.dropout_backward(x, kept, p), train, rtol=RTOL)
    np.testing.assert_array_equal(evaluation, x)
    if p == 0:
        assert kept.all()
    # keep fraction within a Hoeffding bound (400 units, DELTA = 1e-9)
    assert abs(kept.mean() - (1 - p)) <= hoeffding_halfwidth(kept.size, 1.0)


# ----------------------------------------------------------------------------- purity and input checks
def test_inputs_are_not_modified():
    rng = np.random.default_rng(4)
    x = rng.standard_normal((5, 6))
    keep_x = x.copy()
    ref.dropout_forward(x, 0.5, np.random.default_rng(0))
    ref.dropout_forward(x, 0.5, None, training=False)[0][:] = 99.0   # the inference copy is not x
    np.testing.assert_array_equal(x, keep_x)
    dout, mask = rng.standard_normal((5, 6)), (rng.random((5, 6)) < 0.5).astype(float)
    keep_dout, keep_mask = dout.copy(), mask.copy()
    ref.dropout_backward(dout, mask, 0.5)
    np.testing.assert_array_equal(dout, keep_dout)
    np.testing.assert_array_equal(mask, keep_mask)
    w, h = np.array([1.0, 2.0]), np.array([3.0, 4.0])
    ref.dropout_output_moments(w, h, 0.5)
    np.testing.assert_array_equal(w, [1.0, 2.0])
    np.testing.assert_array_equal(h, [3.0, 4.0])


@pytest.mark.parametrize("call,match", [
    (lambda: ref.dropout_forward([1.0], 1.0, np.random.default_rng(0)), "p = 1"),
    (lambda: ref.dropout_forward([1.0], 1.0, None, training=False), "0 <= p < 1"),
    (lambda: ref.dropout_forward([1.0], -0.1, np.random.default_rng(0)), "0 <= p < 1"),
    (lambda: ref.dropout_forward([1.0], 1.5, np.random.default_rng(0)), "0 <= p < 1"),
    (lambda: ref.dropout_forward([1.0], "0.5", np.random.default_rng(0)), "real number"),
    (lambda: ref.dropout_forward([1.0], True, np.random.default_rng(0)), "real number"),
    (lambda: ref.dropout_forward([1.0], 0.5, None), "Generator"),
    (lambda: ref.dropout_forward([1.0], 0.5, np.random.RandomState(0)), "Generator"),
    (lambda: ref.dropout_forward(["a"], 0.5, np.random.default_rng(0)), "numeric"),
    (lambda: ref.dropout_forward([np.nan], 0.5, np.random.default_rng(0)), "NaN"),
    (lambda: ref.dropout_backward([1.0, 2.0], [1.0], 0.5), "same shape"),
    (lambda: ref.dropout_backward([1.0], [1.0], 1.0), "p = 1"),
    (lambda: ref.dropout_output_moments([1.0, 2.0], [1.0], 0.5), "same length"),
    (lambda: ref.dropout_output_moments([[1.0]], [[1.0]], 0.5), "1-D"),
    (lambda: ref.dropout_output_moments(np.ones(17), np.ones(17), 0.5), "n <= 16"),
    (lambda: ref.dropout_output_moments([1.0], [1.0], 1.0), "p = 1"),
    (lambda: ref.dropout_variance(0.0, -1.0, 0.5), "var"),
    (lambda: ref.dropout_variance(0.0, 1.0, 1.0), "p = 1"),
    (lambda: ref.dropout_variance([0.0, 1.0], [1.0, 2.0, 3.0], 0.5), "broadcast"),
])
def test_invalid_input_raises_value_error(call, match):
    with pytest.raises(ValueError, match=match):
        call()
