"""Public tests of 03_dropout (shipped with the assignment).

Dropout is random, so dropout_forward is checked through properties that hold
for every possible mask: the mask holds only 0s and 1s, every kept entry equals
x / (1 - p), every dropped entry is 0. The seed of the generator is fixed
(`Rng(seed)` becomes np.random.default_rng(seed) where your code runs), but no
check depends on which units that particular stream happens to drop, except
that among 100 units at p = 0.5 at least one is kept and one dropped (each of
those fails with probability 2^-100).

The other functions are deterministic and their expected values are worked out
by hand below. The hidden tests check the same functions on many more inputs.
"""
import numpy as np

from autograder.cases import Tol, entry, fixed_case
from autograder.framework import Fail, Mistake, case, check_close, expect
from autograder.suites.dropout.common import (
    RTOL, HINT_NO_RESCALE, HINT_TIMES_KEEP, HINT_KEEP_IS_P, HINT_INFERENCE, HINT_MASK_INVERTED,
    check_binary_mask, forward, HINT_GRAD_NO_RESCALE, HINT_GRAD_TIMES_KEEP, HINT_DIVIDE_BY_P,
    HINT_MASK_IGNORED, HINT_GRAD_MASK_INVERTED, HINT_RESCALED_TWICE, HINT_SECOND_MOMENT,
    HINT_STANDARD_DEVIATION, HINT_PLAIN_AVERAGE_OVER_MASKS, HINT_MOMENTS_NO_RESCALE,
    HINT_PROBABILITIES_SWAPPED, HINT_MEAN_TERM_NOT_RESCALED, HINT_SCALED_AT_INFERENCE,
    HINT_RNG, HINT_INDEPENDENT, HINT_EXACT_FRACTION
)


# ----------------------------------------------------------------------------- forward
@case("dropout_forward: returns (out, mask) with the shape of x", points=2)
def _(sub):
    forward(sub, np.arange(1.0, 21.0).reshape(4, 5), 0.5, seed=0)


@case("dropout_forward: mask entries are 0 or 1", points=2)
def _(sub):
    _, mask = forward(sub, np.ones((20, 30)), 0.3, seed=1)
    check_binary_mask(mask, 0.3)


@case("dropout_forward: kept units are multiplied by 2.0 at p = 0.5 (quiz Q2)", points=3)
def _(sub):
    x = np.linspace(0.5, 5.0, 100).reshape(10, 10)
    out, mask = forward(sub, x, 0.5, seed=2)
    check_binary_mask(mask, 0.5)
    kept = mask == 1
    # 100 independent units at p = 0.5: all kept or all dropped has probability 2^-100.
    expect(kept.any() and (~kept).any(),
           f"at p = 0.5 your mask kept {int(kept.sum())} of 100 units; about half should be kept")
    inverted = np.all(out[kept] == 0) and np.allclose(out[~kept], 2.0 * x[~kept], rtol=RTOL, atol=0)
    expect(np.all(out[~kept] == 0), "dropped units (mask 0) must be exactly 0 in out",
           HINT_MASK_INVERTED if inverted else None)
    try:
        check_close(out[kept], 2.0 * x[kept], rtol=RTOL, what="out at the kept units")
    except Fail as failure:
        hint = None
        for wrong, message in ((x[kept], HINT_NO_RESCALE), (0.5 * x[kept], HINT_TIMES_KEEP)):
            if np.allclose(out[kept], wrong, rtol=RTOL, atol=0):
                hint = message
        raise Fail(failure.message + "; at p = 0.5 inverted dropout doubles every kept unit", hint) from None


@case("dropout_forward: p = 0 keeps every unit and returns x", points=2)
def _(sub):
    x = np.array([[1.5, -2.0, 0.25], [3.0, 0.0, -7.5]])
    out, mask = forward(sub, x, 0.0, seed=3)
    if np.all(mask == 0):
        inverted = np.allclose(out, x, rtol=RTOL, atol=0)
        raise Fail("at p = 0 your mask dropped every unit", HINT_MASK_INVERTED if inverted else HINT_KEEP_IS_P)
    expect(np.all(mask == 1), "at p = 0 nothing may be dropped: the mask must be all ones")
    check_close(out, x, rtol=RTOL, what="out at p = 0")


@case("dropout_forward: training=False returns x and a mask of ones", points=3)
def _(sub):
    x = np.array([[1.5, -2.0, 0.25, 4.0], [3.0, 0.5, -7.5, 1.0]])
    for p in (0.5, 0.8):
        out, mask = forward(sub, x, p, seed=4, training=False)
        if not np.all(mask == 1):
            raise Fail(f"training=False, p = {p}: the mask must be all ones (nothing is dropped at inference)",
                       HINT_INFERENCE)
        check_close(out, x, rtol=RTOL, what=f"out with training=False, p = {p}", mistakes=[
            Mistake("scaled at inference", x * (1 - p), HINT_SCALED_AT_INFERENCE),
            Mistake("rescaled at inference", x / (1 - p), HINT_INFERENCE),
        ])


PRODUCTS = Tol(RTOL, why="products and quotients of a handful of floats: correct implementations differ in the last "
               "bits at most, far below any real mistake")

# ----------------------------------------------------------------------------- backward
fixed_case("dropout_backward: kept gradients are divided by (1 - p), dropped ones are 0", "dropout_backward",
           [(([[1.0, 2.0], [3.0, 4.0]], [[1.0, 0.0], [0.0, 1.0]], 0.75), [[4.0, 0.0], [0.0, 16.0]])], tol=PRODUCTS,
           points=2, what="dropout_backward(dout, mask, 0.75)", mistakes=[
    Mistake("no rescale", [[1.0, 0.0], [0.0, 4.0]], HINT_GRAD_NO_RESCALE),
    Mistake("times keep", [[0.25, 0.0], [0.0, 1.0]], HINT_GRAD_TIMES_KEEP),
    Mistake("divide by p", [[4 / 3, 0.0], [0.0, 16 / 3]], HINT_DIVIDE_BY_P),
    Mistake("mask ignored", [[4.0, 8.0], [12.0, 16.0]], HINT_MASK_IGNORED),
    Mistake("mask inverted", [[0.0, 8.0], [12.0, 0.0]], HINT_GRAD_MASK_INVERTED),
    Mistake("rescaled twice", [[16.0, 0.0], [0.0, 64.0]], HINT_RESCALED_TWICE),
])


# ----------------------------------------------------------------------------- moments
# w*h = [6, -0.5]; the 4 masks give y = 0, -1, 12, 11, each with probability 1/4:
# mean 5.5 = w1 h1 + w2 h2, variance (5.5^2 + 6.5^2 + 6.5^2 + 5.5^2) / 4 = 36.25.
fixed_case("dropout_output_moments: two units, p = 0.5", "dropout_output_moments",
           [(([2.0, -1.0], [3.0, 0.5], 0.5), [5.5, 36.25])], tol=PRODUCTS, points=3,
           what="dropout_output_moments([2, -1], [3, 0.5], 0.5) as (mean, var)", mistakes=[
    Mistake("no rescale", [2.75, 9.0625],
            "your moments are those of y without the 1/(1 - p) rescale: with inverted dropout "
            "y = sum_i w_i h_i m_i / (1 - p), and then E[y] equals the no-dropout output."),
    Mistake("second moment", [5.5, 66.5], HINT_SECOND_MOMENT),
    Mistake("standard deviation", [5.5, 36.25 ** 0.5], HINT_STANDARD_DEVIATION),
    Mistake("unbiased variance", [5.5, 36.25 / 0.75],
            "your variance is too large by the factor 1/(1 - sum of squared probabilities) = 4/3 here: "
            "np.cov (like np.var(..., ddof=1)) applies a sample-size correction. The masks and their "
            "probabilities are exact, not a sample: Var(y) = sum over masks of P(m) * (y_m - E[y])^2."),
])

fixed_case("dropout_output_moments: three units, p = 0.2 (masks are not equally likely)", "dropout_output_moments", [
    # w*h = [1, 1, -2]: mean = 0, variance = sum (w_i h_i)^2 p/(1-p) = 6 * 0.25 = 1.5.
    entry(([1.0, 2.0, -1.0], [1.0, 0.5, 2.0], 0.2), expected=[0.0, 1.5],
          what="dropout_output_moments(w, h, 0.2) as (mean, var)", mistakes=[
        Mistake("plain average over masks", [0.0, 2.34375], HINT_PLAIN_AVERAGE_OVER_MASKS),
        Mistake("no rescale", [0.0, 0.96], HINT_MOMENTS_NO_RESCALE)]),
    # w*h = [2, 2, 1]: mean = 5 (the output without dropout), variance = 9 * 0.25 = 2.25. A nonzero
    # mean tells the mask probabilities apart from the swapped ones p^(kept) (1 - p)^(dropped),
    # which give the same variance but the mean 5 * 0.25.
    entry(([1.0, 2.0, 0.5], [2.0, 1.0, 2.0], 0.2), expected=[5.0, 2.25],
          what="dropout_output_moments([1, 2, 0.5], [2, 1, 2], 0.2) as (mean, var)", mistakes=[
        Mistake("probabilities swapped", [1.25, 2.25], HINT_PROBABILITIES_SWAPPED),
        Mistake("plain average over masks", [3.125, 3.515625], HINT_PLAIN_AVERAGE_OVER_MASKS),
        Mistake("no rescale", [4.0, 1.44], HINT_MOMENTS_NO_RESCALE),
        Mistake("second moment", [5.0, 27.25], HINT_SECOND_MOMENT)]),
], tol=Tol(RTOL, 1e-12, why="a handful of products; atol for the mean that is exactly 0"), points=2)


# ----------------------------------------------------------------------------- variance
_MATERIAL = ("your value is var * p / (1 - p), a formula printed in some texts, which is wrong: "
             "it is only the increase Var(d) - Var(a) when the mean is 0. The variance of d = a m / (1 - p) "
             "is var / (1 - p) + mean^2 * p / (1 - p).")
_NO_MEAN_TERM = ("you left out the mean term: E[d^2] = (var + mean^2) / (1 - p), so "
                 "Var(d) = var / (1 - p) + mean^2 * p / (1 - p).")
_FIXED = ("your value is mean^2 * p / (1 - p), the variance for a fixed activation. Here a is random "
          "with variance var, which adds var / (1 - p).")
_NO_RESCALE_VAR = ("your value is the variance of a * m, without the inverted-dropout rescale: the output is "
                   "d = a * m / (1 - p), so E[d^2] = (var + mean^2) / (1 - p) and E[d] = mean.")
_P_AS_KEEP = ("your formula has p and 1 - p swapped: p is the probability of DROPPING a unit, the kept "
              "units are divided by 1 - p, and Var(d) = var / (1 - p) + mean^2 * p / (1 - p).")
_SCALE_SQUARED = ("your var term is var / (1 - p)^2, as if m / (1 - p) were a constant factor. m is random "
                  "with m^2 = m, so E[d^2] = E[a^2] / (1 - p) and the var term is var / (1 - p).")


def _zero_mean(var, p, expected, material, no_rescale, p_as_keep, squared):
    mistakes = [Mistake("material", material, _MATERIAL), Mistake("no rescale", no_rescale, _NO_RESCALE_VAR),
                Mistake("var scaled by 1/(1 - p)^2", squared, _SCALE_SQUARED)]
    if p_as_keep is not None:
        mistakes.append(Mistake("p taken as keep probability", p_as_keep, _P_AS_KEEP))
    return entry((0.0, var, p), expected=expected, what=f"dropout_variance(0, {var}, {p})", mistakes=mistakes)


# (at p = 0.5, p and 1 - p are the same number: the second input tells them apart)
fixed_case("dropout_variance: zero-mean activation", "dropout_variance",
           [_zero_mean(1.0, 0.5, 2.0, 1.0, 0.5, None, 4.0), _zero_mean(3.0, 0.2, 3.75, 0.75, 2.4, 15.0, 4.6875)],
           tol=PRODUCTS, points=2)

fixed_case("dropout_variance: a nonzero mean adds mean^2 p / (1 - p)", "dropout_variance", [
    # var/(1-p) = 2, mean^2 p/(1-p) = 4
    entry((2.0, 1.0, 0.5), expected=6.0, what="dropout_variance(2, 1, 0.5)",
          mistakes=[Mistake("no mean term", 2.0, _NO_MEAN_TERM), Mistake("material", 1.0, _MATERIAL),
                    Mistake("fixed activation", 4.0, _FIXED), Mistake("no rescale", 1.5, _NO_RESCALE_VAR),
                    Mistake("var scaled by 1/(1 - p)^2", 8.0, _SCALE_SQUARED)]),
    # var/(1-p) = 1.25, mean^2 p/(1-p) = 9 * 0.25 = 2.25
    entry((-3.0, 1.0, 0.2), expected=3.5, what="dropout_variance(-3, 1, 0.2)",
          mistakes=[Mistake("no mean term", 1.25, _NO_MEAN_TERM), Mistake("material", 0.25, _MATERIAL),
                    Mistake("fixed activation", 2.25, _FIXED),
                    Mistake("mean term not rescaled", 1.25 + 1.8, HINT_MEAN_TERM_NOT_RESCALED),
                    Mistake("no rescale", 2.24, _NO_RESCALE_VAR), Mistake("p taken as keep probability", 41.0, _P_AS_KEEP),
                    Mistake("var scaled by 1/(1 - p)^2", 3.8125, _SCALE_SQUARED)]),
], tol=PRODUCTS, points=2)


# ----------------------------------------------------------------------------- rules the docstrings state
@case("dropout_forward: the mask comes from the given rng (same seed, same mask; another seed, another)", points=1)
def _(sub):
    x = np.ones((10, 20))
    out1, mask1 = forward(sub, x, 0.5, seed=41)
    out2, mask2 = forward(sub, x, 0.5, seed=41)
    # same generator state: identical masks, bit for bit
    expect(np.array_equal(mask1, mask2) and np.array_equal(out1, out2),
           "two calls with the same seed gave different masks", HINT_RNG)
    _, mask3 = forward(sub, x, 0.5, seed=42)
    # 200 units at p = 0.5: equal masks from two different seeds has probability 2^-200
    expect(not np.array_equal(mask1, mask3), "two different seeds gave the same mask", HINT_RNG)


@case("dropout_forward: every element is kept or dropped on its own (no shared rows, no fixed count)", points=1)
def _(sub):
    _, mask = forward(sub, np.ones((40, 30)), 0.5, seed=61)
    check_binary_mask(mask, 0.5)
    # rows 1-3 equal to row 0 (30 entries each at p = 0.5) has probability 2^-90; columns 2^-120
    expect(not all(np.array_equal(mask[0], mask[i]) for i in (1, 2, 3)),
           "every row of your mask is the same: the rows share one mask", HINT_INDEPENDENT)
    expect(not all(np.array_equal(mask[:, 0], mask[:, j]) for j in (1, 2, 3)),
           "every column of your mask is the same: the columns share one mask", HINT_INDEPENDENT)
    # the kept count of 500 units at p = 0.5 is the same in 8 independent calls with probability 2.6e-11
    counts = {int(forward(sub, np.ones(500), 0.5, seed=seed)[1].sum()) for seed in range(700, 708)}
    expect(len(counts) > 1, f"8 calls with different seeds all kept exactly {counts.pop()} of 500 units",
           HINT_EXACT_FRACTION)


# p = 0.5: var / 0.5 + mean^2 * 0.5 / 0.5 = 2 var + mean^2
fixed_case("dropout_variance: arrays of mean and var, elementwise", "dropout_variance",
           [((np.array([0.0, 1.0, 2.0]), np.array([1.0, 1.0, 0.5]), 0.5), [2.0, 3.0, 5.0])], tol=PRODUCTS,
           what="dropout_variance(mean, var, 0.5) with arrays of 3")
