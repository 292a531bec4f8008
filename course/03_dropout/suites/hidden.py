"""Hidden tests of 03_dropout (never shipped to students).

dropout_forward is random and no check depends on the stream a submission draws
from. It is graded by
  - identities that hold for every mask (0/1 entries, out == x * mask / (1 - p)
    for the submission's own mask, same seed -> same mask);
  - Monte Carlo bounds over 10,000 units. Each bound comes from Hoeffding's
    inequality, P(|S - E S| >= t) <= 2 exp(-2 t^2 / sum_i range_i^2) for a sum S of
    independent bounded terms; the tolerance is set so that a correct
    implementation fails a check with probability below DELTA = 1e-10, whatever
    its random stream (no normal approximation involved). The tolerances are
    computed from the actual number of units, so the bound holds at any size;
    the sizes only set how small a deviation is detected (every mistake of the
    catalogue is off by far more than the widest tolerance);
  - comparisons with x where the output is not random (training=False, p = 0: the
    reference returns x there).
The other functions are deterministic and compared with the reference on many
seeded inputs; MISTAKES models the classic errors so that a wrong answer gets a hint.
"""
import math

import numpy as np

from autograder.cases import Tol, entry, fixed_calls, once, reference_case
from autograder.framework import (Fail, Mistake, StudentRaised, call_args, case, check_close, check_pure,
                                  check_within, compare, expect, reference_value, within)
from autograder.protocol import Rng
from autograder.suites.dropout.common import (
    RTOL, HINT_NO_RESCALE, HINT_TIMES_KEEP, HINT_KEEP_IS_P, HINT_INFERENCE, HINT_MASK_INVERTED,
    _forward_result, check_binary_mask, forward, HINT_GRAD_NO_RESCALE, HINT_GRAD_TIMES_KEEP,
    HINT_DIVIDE_BY_P, HINT_MASK_IGNORED, HINT_GRAD_MASK_INVERTED, HINT_RESCALED_TWICE,
    HINT_SECOND_MOMENT, HINT_STANDARD_DEVIATION, HINT_PLAIN_AVERAGE_OVER_MASKS,
    HINT_MOMENTS_NO_RESCALE, HINT_PROBABILITIES_SWAPPED, HINT_MEAN_TERM_NOT_RESCALED, HINT_SCALED_AT_INFERENCE,
    HINT_RNG, HINT_INDEPENDENT, HINT_EXACT_FRACTION
)

# Sums over up to 2^8 masks (enumeration) or E[y^2] - E[y]^2: a few digits may cancel.
RTOL_SUM = 1e-9
PRODUCTS = Tol(RTOL, why="products and quotients of a handful of floats: correct implementations differ in the last "
               "bits at most, far below any real mistake")
SUMS = Tol(RTOL_SUM, why="sums over up to 2^8 masks (enumeration) or E[y^2] - E[y]^2: a few digits may cancel")
MOMENTS = Tol(RTOL_SUM, 1e-12, why="sums over up to 2^8 masks: a few digits may cancel; atol for a variance that is "
              "exactly 0, where rounding in the sum of squares stays far below 1e-12")
# Failure probability allowed to a correct implementation in one Monte Carlo check.
DELTA = 1e-10

HINT_DIVIDE_P = ("your kept values equal x / p: you divided by the drop probability. "
                 "Inverted dropout divides by the keep probability 1 - p.")
def forward_calls(settings, check):
    """The calls dropout_forward(x, p, Rng(seed), training=training) for each (x, p, seed, training) of settings(),
    each result checked as forward() does and then by check(i, (out, mask)) for the i-th setting."""
    def entries():
        return [entry(call_args(x, p, Rng(seed), training=training),
                      check=lambda result, i=i, x=x: check(i, _forward_result(result, x)))
                for i, (x, p, seed, training) in enumerate(settings())]
    return fixed_calls("dropout_forward", entries)


def mask_inverted(x, out, mask, p):
    """True when out is x * (1 - mask) / (1 - p): the returned mask marks the dropped units."""
    flipped = x * (1 - mask) / (1 - p)
    return bool(np.allclose(out, flipped, rtol=RTOL, atol=0)) and not np.allclose(out, x * mask / (1 - p),
                                                                                   rtol=RTOL, atol=0)


def check_rescaled(x, out, mask, p, what):
    """out == x * mask / (1 - p) for the student's own 0/1 mask, with a targeted hint if not."""
    keep = 1 - p
    candidates = [(x * mask, HINT_NO_RESCALE), (x * mask * keep, HINT_TIMES_KEEP),
                  (x * (1 - mask) / keep, HINT_MASK_INVERTED)]
    if p > 0:
        candidates.append((x * mask / p, HINT_DIVIDE_P))
    try:
        check_close(out, x * mask / keep, rtol=RTOL, what=what)
    except Fail as failure:
        hint = next((message for wrong, message in candidates
                     if np.allclose(out, wrong, rtol=RTOL, atol=0)), None)
        raise Fail(failure.message, hint) from None


def check_consistent(x, out, mask, p):
    """A training-mode result is a valid dropout of x: a 0/1 mask and out == x * mask / (1 - p) for it. A
    statistical check of out counts only for such a result (constant or NaN garbage has the right mean)."""
    check_binary_mask(mask, p)
    check_rescaled(x, out, mask, p, f"out at p = {p}")


def hoeffding(ranges_sq_sum, delta=DELTA):
    """Half-width t with P(|S - E S| >= t) <= delta for a sum of independent terms."""
    return math.sqrt(ranges_sq_sum * math.log(2 / delta) / 2)


# ============================================================================ mistake models
def _moments(w, h, p, weights="exact", rescale=True, centred=True, spread="var"):
    w, h = np.asarray(w, float), np.asarray(h, float)
    n = w.size
    masks = (np.arange(2 ** n)[:, None] >> np.arange(n)) & 1
    kept = masks.sum(1)
    if weights == "exact":
        probs = (1 - p) ** kept * p ** (n - kept)
    elif weights == "swapped":            # p taken as the probability of keeping
        probs = p ** kept * (1 - p) ** (n - kept)
    else:
        probs = np.full(2 ** n, 2.0 ** -n)
    y = masks @ (w * h) / ((1 - p) if rescale else 1.0)
    mean = probs @ y
    var = probs @ (y - mean) ** 2 if centred else probs @ y ** 2
    if spread == "std":
        var = np.sqrt(var)
    elif spread == "unbiased":            # np.cov(y, aweights=probs): divides by 1 - sum(probs^2)
        with np.errstate(divide="ignore", invalid="ignore"):
            var = var / (1 - np.sum(probs ** 2))
    return mean, var


def _over(a, b):
    """a / b in floating point: inf (not ZeroDivisionError) at b = 0, as a student's NumPy code gives."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.divide(np.float64(a), np.float64(b))


MISTAKES = {
    "dropout_forward": [
        Mistake("scaled at inference", lambda x, p, rng, training=True: (np.asarray(x) * (1 - p), None),
                HINT_SCALED_AT_INFERENCE),
    ],
    "dropout_backward": [
        Mistake("no rescale", lambda dout, mask, p: np.asarray(dout) * np.asarray(mask), HINT_GRAD_NO_RESCALE),
        Mistake("times keep", lambda dout, mask, p: np.asarray(dout) * np.asarray(mask) * (1 - p),
                HINT_GRAD_TIMES_KEEP),
        Mistake("divide by p", lambda dout, mask, p: np.asarray(dout) * np.asarray(mask) / p, HINT_DIVIDE_BY_P),
        Mistake("mask ignored", lambda dout, mask, p: np.asarray(dout) / (1 - p), HINT_MASK_IGNORED),
        Mistake("mask inverted", lambda dout, mask, p: np.asarray(dout) * (1 - np.asarray(mask, float)) / (1 - p),
                HINT_GRAD_MASK_INVERTED),
        Mistake("rescaled twice", lambda dout, mask, p: np.asarray(dout) * np.asarray(mask) / (1 - p) ** 2,
                HINT_RESCALED_TWICE),
    ],
    "dropout_output_moments": [
        Mistake("plain average over masks", lambda w, h, p: _moments(w, h, p, weights="equal"),
                HINT_PLAIN_AVERAGE_OVER_MASKS),
        Mistake("no rescale", lambda w, h, p: _moments(w, h, p, rescale=False), HINT_MOMENTS_NO_RESCALE),
        Mistake("second moment", lambda w, h, p: _moments(w, h, p, centred=False), HINT_SECOND_MOMENT),
        Mistake("probabilities swapped", lambda w, h, p: _moments(w, h, p, weights="swapped"),
                HINT_PROBABILITIES_SWAPPED),
        Mistake("standard deviation", lambda w, h, p: _moments(w, h, p, spread="std"), HINT_STANDARD_DEVIATION),
        Mistake("unbiased variance", lambda w, h, p: _moments(w, h, p, spread="unbiased"),
                "your variance is too large by the factor 1/(1 - sum of squared probabilities): np.cov (like "
                "np.var(..., ddof=1)) applies a sample-size correction. The masks and their probabilities are "
                "exact, not a sample: Var(y) = sum over masks of P(m) * (y_m - E[y])^2."),
    ],
    "dropout_variance": [
        Mistake("material", lambda mean, var, p: var * p / (1 - p),
                "your value is var * p / (1 - p), a formula printed in some texts, which is "
                "wrong: it is only the increase Var(d) - Var(a) when the mean is 0. The variance of "
                "d = a m / (1 - p) is var / (1 - p) + mean^2 * p / (1 - p)."),
        Mistake("var not rescaled", lambda mean, var, p: var + mean ** 2 * p / (1 - p),
                "your value is var + mean^2 * p / (1 - p): var is not divided by (1 - p). The output is "
                "d = a m / (1 - p), so E[d^2] = (var + mean^2) / (1 - p): the whole second moment is rescaled, "
                "and Var(d) = var / (1 - p) + mean^2 * p / (1 - p)."),
        Mistake("no mean term", lambda mean, var, p: var / (1 - p),
                "you left out the mean term: E[d^2] = (var + mean^2) / (1 - p), so "
                "Var(d) = var / (1 - p) + mean^2 * p / (1 - p)."),
        Mistake("fixed activation", lambda mean, var, p: mean ** 2 * p / (1 - p),
                "your value is mean^2 * p / (1 - p), the variance for a fixed activation. Here a is random "
                "with variance var, which adds var / (1 - p)."),
        Mistake("mean term not rescaled", lambda mean, var, p: var / (1 - p) + mean ** 2 * p,
                HINT_MEAN_TERM_NOT_RESCALED),
        Mistake("no rescale", lambda mean, var, p: (var + mean ** 2) * (1 - p) - (mean * (1 - p)) ** 2,
                "your value is the variance of a * m, without the inverted-dropout rescale: the output is "
                "d = a * m / (1 - p), so E[d^2] = (var + mean^2) / (1 - p) and E[d] = mean."),
        Mistake("p taken as keep probability", lambda mean, var, p: _over(var + mean ** 2 * (1 - p), p),
                "your formula has p and 1 - p swapped: p is the probability of DROPPING a unit, the kept "
                "units are divided by 1 - p, and Var(d) = var / (1 - p) + mean^2 * p / (1 - p)."),
        Mistake("var scaled by 1/(1 - p)^2", lambda mean, var, p: var / (1 - p) ** 2 + mean ** 2 * p / (1 - p),
                "your var term is var / (1 - p)^2, as if m / (1 - p) were a constant factor. m is random "
                "with m^2 = m, so E[d^2] = E[a^2] / (1 - p) and the var term is var / (1 - p)."),
    ],
}


# ============================================================================ dropout_forward
_OWN_MASK_SETTINGS = (((7,), 0.1), ((5, 6), 0.35), ((2, 3, 4), 0.6), ((300,), 0.9), ((64, 32), 0.5), ((3, 1), 0.25),
                      ((), 0.4))      # 0-d: "any shape" includes a single number


@once
def _own_mask_inputs():
    rng = np.random.default_rng(301)
    return [(rng.standard_normal(shape) * 3, p, 1000 + i, True) for i, (shape, p) in enumerate(_OWN_MASK_SETTINGS)]


def _check_own_mask(i, result):
    (x, p, _, _), (out, mask) = _own_mask_inputs()[i], result
    check_binary_mask(mask, p)
    check_rescaled(x, out, mask, p, f"out for x of shape {_OWN_MASK_SETTINGS[i][0]}, p = {p}")


_OWN_MASK = forward_calls(_own_mask_inputs, _check_own_mask)


@case("dropout_forward: out equals x * mask / (1 - p) for your own mask, many shapes and p", points=3)
def _(sub, ref):
    calls = _own_mask_inputs()
    kept = sum(float(_forward_result(result, x)[1].sum()) for result, (x, *_) in zip(_OWN_MASK.check(sub), calls))
    # The identity alone holds for a mask that drops everything (out = 0, mask = 0): it counts only with a
    # plausible number of kept units. Hoeffding over all 2,412 units (range 1 each): tol = 169 units around
    # the expected 1,092, false alarm probability < DELTA = 1e-10; dropping everything keeps 0.
    units = sum(x.size for x, *_ in calls)
    expected = sum(x.size * (1 - p) for x, p, *_ in calls)
    check_within(kept, expected, hoeffding(units),
                 f"your masks kept {kept:g} of {units} units over these calls; about {expected:g} were expected "
                 f"(each unit kept with probability 1 - p; false alarm probability < {DELTA:g})",
                 HINT_KEEP_IS_P if within(kept, sum(x.size * p for x, p, *_ in calls), hoeffding(units)) else None)


@case("dropout_forward: keeps a fraction 1 - p of the units (Monte Carlo, 10,000 units)", points=3)
def _(sub, ref):
    n_rows, n_cols = 100, 100
    n = n_rows * n_cols
    # Each unit contributes a 0/1 indicator to the kept count: Hoeffding with range 1 each,
    # t = sqrt(n ln(2 / DELTA) / 2) = sqrt(10,000 * 23.72 / 2) = 344 units, so tol = t / n = 0.0344 in the
    # kept fraction, and a correct mask fails a check with probability < DELTA = 1e-10 (2e-10 for both p).
    # The mistakes are off by far more: a mask kept with probability p (or one that marks the dropped
    # units) keeps 0.2 instead of 0.8 and 0.7 instead of 0.3, 17 and 12 times tol away.
    tol = hoeffding(n) / n
    x = np.ones((n_rows, n_cols))
    for p, seed in ((0.2, 11), (0.7, 12)):
        out, mask = forward(sub, x, p, seed=seed)
        check_binary_mask(mask, p)
        frac = float(mask.mean())
        if not within(frac, 1 - p, tol):
            hint = HINT_KEEP_IS_P if within(frac, p, tol) else None
            if mask_inverted(x, out, mask, p):
                hint = HINT_MASK_INVERTED
            raise Fail(f"at p = {p} your mask kept a fraction {frac:.4f} of {n} units; a correct mask keeps "
                       f"1 - p = {1 - p:.4f} (tolerance {tol:.4f}: false alarm probability < {DELTA:g})", hint)


@once
def _uniform_input(seed):
    """The fixed 100 x 100 input (10,000 units) of a Monte Carlo case (drawn once per process; read-only)."""
    return np.random.default_rng(seed).uniform(0.5, 1.5, size=(100, 100))


@case("dropout_forward: E[out] = x, the mean of out matches the mean of x (Monte Carlo)", points=2)
def _(sub, ref):
    x = _uniform_input(303)
    for p, seed in ((0.3, 21), (0.6, 22)):
        keep = 1 - p
        out, mask = forward(sub, x, p, seed=seed)
        check_consistent(x, out, mask, p)
        # out_i = x_i m_i / (1 - p) lies in [0, x_i / (1 - p)]: Hoeffding, tol = sqrt(sum((x / keep)^2)
        # ln(2 / DELTA) / 2), false alarm probability < DELTA = 1e-10 per p. Over these 10,000 units tol is
        # about 5.1% of sum(x) at p = 0.3 and 9.0% at p = 0.6, while the mistakes scale sum(out) by a factor
        # of 1 - p, (1 - p)^2 or p / (1 - p): 0.7, 0.49, 0.43 at p = 0.3 and 0.4, 0.16, 1.5 at p = 0.6, each
        # more than 5 tol away, beyond their own spread of about 1% of sum(x).
        tol = hoeffding(float(np.sum((x / keep) ** 2)))
        total, target = float(out.sum()), float(x.sum())
        if not within(total, target, tol):
            ratio = total / target
            # the hint of the closest mistake factor, if the sum is within tol of it (at p = 0.3 the
            # factors 0.49 and 0.43 are only 1.2 tol apart: the nearest one is the likely mistake)
            factors = ((keep, HINT_NO_RESCALE), (keep ** 2, HINT_TIMES_KEEP), (p / keep, HINT_KEEP_IS_P))
            factor, message = min(factors, key=lambda fm: abs(total - fm[0] * target))
            hint = message if within(total, factor * target, tol * max(factor, 1.0)) else None
            raise Fail(f"at p = {p}, sum(out) / sum(x) = {ratio:.4f}; inverted dropout keeps the expectation, "
                       f"so it should be 1 within {tol / target:.4f} (false alarm probability < {DELTA:g})", hint)


@case("dropout_forward: Var(out_i) = x_i^2 p / (1 - p) (Monte Carlo)", points=2)
def _(sub, ref):
    x = _uniform_input(304)
    p, keep = 0.3, 0.7
    out, mask = forward(sub, x, p, seed=31)
    check_consistent(x, out, mask, p)
    # (out_i - x_i)^2 is x_i^2 (dropped) or x_i^2 (p/(1-p))^2 (kept), mean x_i^2 p/(1-p): Hoeffding with
    # range x_i^2 |1 - (p/(1-p))^2|, false alarm probability < DELTA = 1e-10. Over these 10,000 units tol is
    # about 7.4% of the target; the mistakes move sum((out - x)^2) by -30% (no rescale), -15% (times 1 - p)
    # and +76% (keep probability p), each with a spread of about 1% of the target.
    spread = x ** 2 * abs(1 - (p / keep) ** 2)
    tol = hoeffding(float(np.sum(spread ** 2)))
    total, target = float(np.sum((out - x) ** 2)), float(np.sum(x ** 2) * p / keep)
    if not within(total, target, tol):
        raise Fail(f"at p = {p}, sum((out - x)^2) = {total:.6g}, expected about sum(x^2) p/(1 - p) = "
                   f"{target:.6g} within {tol:.3g} (false alarm probability < {DELTA:g}): each unit should be "
                   "x/(1 - p) with probability 1 - p and 0 otherwise, independently",
                   "check that each unit is kept with probability 1 - p and divided by (1 - p).")


@case("dropout_forward: draws the mask from the given rng", points=2)
def _(sub, ref):
    x = np.ones((10, 20))
    out1, mask1 = forward(sub, x, 0.5, seed=41)
    check_consistent(x, out1, mask1, 0.5)     # reproducibility counts only for a valid dropout of x
    out2, mask2 = forward(sub, x, 0.5, seed=41)
    # Same code, same generator state: the masks must be identical, bit for bit.
    expect(np.array_equal(mask1, mask2) and np.array_equal(out1, out2),
           "two calls with the same seed gave different masks", HINT_RNG)
    _, mask3 = forward(sub, x, 0.5, seed=42)
    # 200 units at p = 0.5: equal masks from two different seeds has probability 2^-200.
    expect(not np.array_equal(mask1, mask3), "two different seeds gave the same mask", HINT_RNG)


# counts only for a valid dropout of x
_EIGHT_SEEDS = forward_calls(lambda: [(np.ones(500), 0.5, seed, True) for seed in range(600, 608)],
                             lambda _, result: check_consistent(np.ones(500), *result, 0.5))


@case("dropout_forward: the number of kept units varies from call to call (independent draws)", points=1)
def _(sub, ref):
    # Under independent Bernoulli(1/2) draws the kept count c of n = 500 units has the binomial
    # probabilities b(c) = C(500, c) / 2^500, so 8 calls all giving the same count has probability
    # sum_c b(c)^8 = 2.6e-11 (< DELTA; computed exactly). A fixed count means "drop exactly round(p n) units".
    masks = [_forward_result(result, np.ones(500))[1] for result in _EIGHT_SEEDS.check(sub)]
    counts, masks = {int(mask.sum()) for mask in masks}, {mask.astype(bool).tobytes() for mask in masks}
    # one mask for every seed is a mask that ignores the rng (checked with its own hint elsewhere)
    expect(len(masks) > 1, "8 calls with different seeds all returned the same mask", HINT_RNG)
    expect(len(counts) > 1, f"8 calls with different seeds all kept exactly {counts.pop()} of 500 units",
           HINT_EXACT_FRACTION)


@case("dropout_forward: a 2-D input gets an independent mask entry per element", points=2)
def _(sub, ref):
    out, mask = forward(sub, np.ones((50, 40)), 0.5, seed=51)
    check_consistent(np.ones((50, 40)), out, mask, 0.5)     # independence counts only for a valid dropout of x
    # Rows 1, 2, 3 all equal to row 0 (40 independent entries each, p = 0.5) has probability 2^-120, and
    # columns 1, 2, 3 all equal to column 0 (50 entries each) 2^-150: identical rows or columns mean a
    # shared mask.
    rows_same = all(np.array_equal(mask[0], mask[i]) for i in (1, 2, 3))
    cols_same = all(np.array_equal(mask[:, 0], mask[:, j]) for j in (1, 2, 3))
    expect(not rows_same, "every row of your mask is the same: the rows share one mask", HINT_INDEPENDENT)
    expect(not cols_same, "every column of your mask is the same: the columns share one mask",
           HINT_INDEPENDENT)


@once
def _identity_settings():
    """(shape, x, p, training) of each call. Each setting is one call: its mask is checked, then its out is
    compared with x, which is what the reference returns here (the identity at inference; at p = 0 every
    unit is kept and x * 1 / 1 = x). Every (p, training) pair is tried on at least two shapes, the 3-D
    one with all four."""
    rng = np.random.default_rng(306)
    inference, off = ((0.5, False), (0.9, False)), ((0.0, True), (0.0, False))
    return [(shape, x, p, training)
            for shape, pairs in (((5,), (inference[0], off[0])), ((4, 6), (inference[1], off[1])),
                                 ((2, 3, 4), inference + off), ((0, 3), (inference[0], off[0])))
            for x in [rng.standard_normal(shape)]            # one x per shape, drawn in this order
            for p, training in pairs]


def _identity_calls():
    # then an empty batch in training mode: only the shapes (0, 4) are checked
    return [(x, p, 7, training) for _, x, p, training in _identity_settings()] + [(np.zeros((0, 4)), 0.5, 8, True)]


def _check_identity(i, result):
    if i == len(_identity_settings()):        # the empty batch: _forward_result checked the shapes
        return
    shape, x, p, training = _identity_settings()[i]
    out, mask = result
    if not np.all(mask == 1):
        inverted = training and x.size and np.all(mask == 0) and np.allclose(out, x, rtol=RTOL, atol=0)
        raise Fail(f"p = {p}, training={training}: the mask must be all ones",
                   HINT_MASK_INVERTED if inverted else HINT_KEEP_IS_P if training else HINT_INFERENCE)
    check_close(out, x, rtol=RTOL, what=f"out for x of shape {shape}, p = {p}, training={training}",
                mistakes=[Mistake(m.name, m.value(x, p, None, training=training)[0], m.hint)
                          for m in MISTAKES["dropout_forward"]])


_IDENTITY = forward_calls(_identity_calls, _check_identity)


@case("dropout_forward: training=False and p = 0 return x, many shapes, empty batch", points=2)
def _(sub, ref):
    _IDENTITY.check(sub)


@case("dropout_forward: does not modify x", points=1)
def _(sub, ref):
    x = np.random.default_rng(307).standard_normal((6, 5))

    def right(result):   # counts only for a valid (out, mask) on this very call
        out, mask = _forward_result(result, x)
        check_consistent(x, out, mask, 0.4)
        expect(mask.any(), "your mask dropped every unit of x (30 units at p = 0.4)", HINT_KEEP_IS_P)

    # an untouched input is bit-for-bit identical
    check_pure(sub, "dropout_forward", (x.copy(), 0.4, Rng(9)), {}, ["x"], right,
               "dropout_forward must not modify its input x: build out as a new array")


# ============================================================================ dropout_backward
def _backward_random():
    rng = np.random.default_rng(311)
    calls = []
    for shape, p in (((6,), 0.5), ((4, 7), 0.2), ((3, 2, 5), 0.75), ((50, 20), 0.9), ((1, 1), 0.1), ((), 0.3)):
        dout = rng.standard_normal(shape)
        mask = (rng.random(shape) < 1 - p).astype(float)
        calls.append((dout, mask, p))
    # the mask may come back from the forward pass as booleans
    dout = rng.standard_normal((5, 5))
    return calls + [entry((dout, rng.random((5, 5)) < 0.6, 0.4), what="dropout_backward with a boolean mask")]


reference_case("dropout_backward: random shapes and p agree with the reference", "dropout_backward", _backward_random,
               tol=PRODUCTS, points=3, mistakes=MISTAKES["dropout_backward"])


@case("dropout_backward: p = 0 passes dout through; inputs are not modified", points=1)
def _(sub, ref):
    dout = np.random.default_rng(312).standard_normal((3, 4))
    mask = np.ones((3, 4))
    compare(sub, ref, "dropout_backward", dout, mask, 0.0, rtol=RTOL, mistakes=MISTAKES["dropout_backward"])
    mask = np.array([[1.0, 0.0, 1.0, 1.0]] * 3)
    args = (dout.copy(), mask.copy(), 0.3)
    # counts only with the right gradient on these inputs; then dout and mask are bit-for-bit untouched
    check_pure(sub, "dropout_backward", args, {}, ["dout", "mask"],
               reference_value(ref, "dropout_backward", args, rtol=RTOL, mistakes=MISTAKES["dropout_backward"]))


# ============================================================================ moments
def _moments_random():
    rng = np.random.default_rng(321)
    calls = []
    for n, p in ((1, 0.3), (2, 0.1), (3, 0.5), (4, 0.25), (5, 0.6), (6, 0.9), (8, 0.4)):
        w, h = rng.standard_normal(n), rng.uniform(0.0, 2.0, n)
        calls.append(entry((w, h, p), what=f"dropout_output_moments for n = {n}, p = {p} as (mean, var)"))
    return calls


reference_case("dropout_output_moments: random w, h, p agree with the reference", "dropout_output_moments",
               _moments_random, tol=MOMENTS, points=4, mistakes=MISTAKES["dropout_output_moments"])

reference_case("dropout_output_moments: p = 0 gives the plain output and zero variance", "dropout_output_moments",
               lambda: [([0.5, -1.0, 2.0], [1.0, 3.0, 0.25], 0.0)], tol=MOMENTS,
               what="dropout_output_moments(w, h, 0) as (mean, var)", mistakes=MISTAKES["dropout_output_moments"])


# ============================================================================ variance
def _variance_random():
    rng = np.random.default_rng(331)
    calls = []
    for p in (0.0, 0.05, 0.2, 0.5, 0.7, 0.9):
        for _ in range(2):
            mean, var = float(rng.uniform(-3, 3)), float(rng.uniform(0.01, 4))
            calls.append(entry((mean, var, p), what=f"dropout_variance({mean:.4g}, {var:.4g}, {p})"))
    return calls + [entry((1.5, 0.0, 0.4), what="dropout_variance(1.5, 0, 0.4) (a fixed activation)")]


reference_case("dropout_variance: random mean, var, p agree with the reference", "dropout_variance", _variance_random,
               tol=SUMS, points=3, mistakes=MISTAKES["dropout_variance"])


@once
def _variance_arrays():
    rng = np.random.default_rng(332)
    return [(rng.uniform(-3, 3, 5), rng.uniform(0.01, 4, 5), 0.3),
            (rng.uniform(-3, 3, (3, 1)), rng.uniform(0.01, 4, 4), 0.6),
            (1.5, rng.uniform(0.0, 2.0, (2, 3)), 0.25)]


def _variance_array_raised(k, problem):
    """An exception on arrays: the docstring promises an array result when mean or var is an array."""
    if isinstance(problem, StudentRaised):
        mean, var, p = _variance_arrays()[k]
        shape = np.broadcast_shapes(np.shape(mean), np.shape(var))
        raise Fail(f"dropout_variance(mean of shape {np.shape(mean)}, var of shape {np.shape(var)}, {p}): "
                   f"{problem.message}",
                   "mean and var may be arrays, and then the result is the array of variances, elementwise "
                   f"(here of shape {shape}): write the formula with NumPy operations and do not convert the "
                   "result with float(...).") from None


reference_case("dropout_variance: elementwise over arrays of mean and var (broadcasting)", "dropout_variance",
               _variance_arrays, tol=SUMS, mistakes=MISTAKES["dropout_variance"], on_raise=_variance_array_raised,
               what=lambda args, _: f"dropout_variance with mean of shape {np.shape(args[0])} and var of shape "
                                    f"{np.shape(args[1])}")
