"""Hidden tests of 01_penalties: seeded random comparisons with the reference, edge cases,
properties, and mistake models that turn a wrong answer into a hint.

Inputs are drawn from fixed seeds, but nothing depends on the stream itself: every
expected value comes from the reference on the very same input.
"""
import functools

import numpy as np

from autograder.cases import Tol, fixed_case, once, reference_case
from autograder.framework import Fail, Mistake, case, expect
from autograder.suites.penalties.common import (
    HINT_HALF_DERIVATIVE, HINT_SIGN_SLIP, HINT_NO_HALF, HINT_ABS, HINT_NO_HALF_ON_L2,
    HINT_HALF_ON_BOTH, HINT_SWAPPED_STRENGTHS, HINT_SQUARE_OF_SUM, HINT_FACTOR_2_ON_L2,
    HINT_SWAPPED_STRENGTHS_GRAD, HINT_HALF_ON_L2, HINT_SIGN_LOST, HINT_MU_OVER_ABS_MU
)

# ----------------------------------------------------------------------------- tolerances
ELEMENT = Tol(1e-12, 1e-12, why="elementwise closed forms (gradients, minimizers): equivalent formulas differ by a "
              "few ulps at most; 1e-12 relative (plus 1e-12 absolute for entries near 0) is far below the smallest "
              "mistake below, which changes values by a factor or by lam/2")
SUM = Tol(1e-10, 1e-12, why="sums (penalties): a Python loop and np.sum's pairwise summation differ by ~n*eps; with "
          "at most 24 terms of similar size, 1e-10 relative leaves ample room and still catches a missing 1/2 "
          "(a factor of 2)")
# The module's contract: no function modifies its input arrays.
PURE = ("your function changed the caller's array (for example with `w *= ...` or `w[...] = ...`); compute the "
        "result in a new array and leave the inputs alone.")

SHAPES = [(), (1,), (7,), (0,), (3, 4), (2, 3, 4), (0, 3)]


def _weights(seed, shape, zeros=False):
    """Seeded weights; the same (seed, shape, zeros) always gives the same values."""
    rng = np.random.default_rng(seed)
    w = rng.normal(scale=rng.choice([0.1, 1.0, 5.0]), size=shape)
    if zeros and w.size:
        w[rng.random(shape) < 0.3] = 0.0
    return w


def _lam(seed):
    return float(np.random.default_rng(seed + 1000).uniform(0.05, 3.0))


def _a(w):
    return np.asarray(w, dtype=np.float64)


# ----------------------------------------------------------------------------- mistake models
def _sign_one_at_zero(w):
    return np.where(_a(w) >= 0, 1.0, -1.0)


def _sign_by_division(w):
    """w / |w|: the sign away from 0, NaN (0/0) at w == 0."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return _a(w) / np.abs(_a(w))


def _matrix_norm_1(w):
    """np.linalg.norm(W, 1) on a matrix: the largest column sum of |W| (an induced norm)."""
    w = _a(w)
    if w.ndim != 2:
        raise ValueError("only a matrix has an induced 1-norm")
    return np.linalg.norm(w, 1)


def _first_axis_sum(x):
    """What Python's sum() (or np.sum(axis=0)) gives on an array: a sum over the first axis only."""
    x = np.atleast_1d(_a(x))
    if x.ndim < 2:
        raise ValueError("on a 1-D array the first-axis sum is the full sum")
    return np.sum(x, axis=0)


_NAN_AT_ZERO = ("your result is NaN where w == 0: w / |w| divides 0 by 0 there. Use np.sign(w), which is "
                "0 at w == 0, the value the contract picks.")
_FIRST_AXIS = ("your penalty has one value per column: Python's sum() (like np.sum(..., axis=0)) only adds "
               "along the first axis of a matrix. The penalty is one number, summed over every entry of w.")
_SQUARE_OF_SUM = ("your penalty looks like (lam/2) * (sum w)^2, the square of the sum; the L2 penalty sums "
                  "the squares: (lam/2) * sum(w^2).")


MISTAKES = {
    "l1_penalty": [
        Mistake("no abs", lambda w, lam: lam * np.sum(_a(w)),
                "your penalty looks like lam * sum(w): negative weights must add to the penalty too, "
                "it is lam * sum(|w|)."),
        Mistake("squared", lambda w, lam: lam * np.sum(_a(w) ** 2),
                "your penalty looks like lam * sum(w^2), an L2 quantity; the L1 penalty is lam * sum(|w|)."),
        Mistake("euclidean", lambda w, lam: lam * np.sqrt(np.sum(_a(w) ** 2)),
                "your penalty looks like lam * ||w||_2; the L1 penalty is lam * sum(|w|)."),
        Mistake("half", lambda w, lam: 0.5 * lam * np.sum(np.abs(_a(w))),
                "your penalty is half the expected one: the L1 penalty has no factor 1/2."),
        Mistake("mean", lambda w, lam: lam * np.mean(np.abs(_a(w))),
                "your penalty looks like an average of |w|; the contract sums: lam * sum(|w|)."),
        Mistake("matrix 1-norm", lambda w, lam: lam * _matrix_norm_1(w),
                "for a matrix your penalty looks like lam times the largest column sum of |w|: "
                "np.linalg.norm(W, 1) is the induced matrix norm, not the entrywise L1 norm. "
                "Use lam * np.sum(np.abs(w)), over every entry."),
        Mistake("first-axis sum", lambda w, lam: lam * _first_axis_sum(np.abs(_a(w))), _FIRST_AXIS),
    ],
    "l1_subgradient": [
        Mistake("one at zero", lambda w, lam: lam * _sign_one_at_zero(w),
                "where w == 0 your subgradient is +-lam; the contract picks 0 at w == 0 (np.sign(0) is 0)."),
        Mistake("no lam", lambda w, lam: np.sign(_a(w)),
                "your result looks like sign(w) without the factor lam."),
        Mistake("L2 gradient", lambda w, lam: lam * _a(w),
                "your result looks like lam * w, the L2 gradient; the L1 subgradient is lam * sign(w)."),
        Mistake("w / |w|", lambda w, lam: lam * _sign_by_division(w), _NAN_AT_ZERO),
    ],
    "l2_penalty": [
        Mistake("no 1/2", lambda w, lam: lam * np.sum(_a(w) ** 2), HINT_NO_HALF),
        Mistake("norm not squared", lambda w, lam: 0.5 * lam * np.sqrt(np.sum(_a(w) ** 2)),
                "your penalty uses ||w||_2 where its square is needed: (lam/2) * sum(w^2)."),
        Mistake("mean", lambda w, lam: 0.5 * lam * np.mean(_a(w) ** 2),
                "your penalty looks like an average of w^2; the contract sums: (lam/2) * sum(w^2)."),
        Mistake("square of sum", lambda w, lam: 0.5 * lam * np.sum(_a(w)) ** 2, _SQUARE_OF_SUM),
        Mistake("first-axis sum", lambda w, lam: 0.5 * lam * _first_axis_sum(_a(w) ** 2), _FIRST_AXIS),
    ],
    "l2_gradient": [
        Mistake("factor 2", lambda w, lam: 2 * lam * _a(w),
                "your gradient is exactly twice the expected one: with the penalty (lam/2)*||w||^2 the "
                "gradient is lam * w, not 2 * lam * w."),
        Mistake("half", lambda w, lam: 0.5 * lam * _a(w),
                "your gradient is half the expected one: the 1/2 of the penalty cancels the 2 from "
                "differentiating w^2, leaving lam * w."),
        Mistake("sign", lambda w, lam: lam * np.sign(_a(w)),
                "your gradient looks like lam * sign(w), the L1 subgradient; the L2 gradient is lam * w."),
        Mistake("abs", lambda w, lam: lam * np.abs(_a(w)), HINT_ABS),
    ],
    "elastic_net_penalty": [
        Mistake("no 1/2 on L2", lambda w, l1, l2: l1 * np.sum(np.abs(_a(w))) + l2 * np.sum(_a(w) ** 2),
                HINT_NO_HALF_ON_L2),
        Mistake("1/2 on both", lambda w, l1, l2: 0.5 * l1 * np.sum(np.abs(_a(w))) + 0.5 * l2 * np.sum(_a(w) ** 2),
                HINT_HALF_ON_BOTH),
        Mistake("swapped", lambda w, l1, l2: l2 * np.sum(np.abs(_a(w))) + 0.5 * l1 * np.sum(_a(w) ** 2),
                HINT_SWAPPED_STRENGTHS),
        Mistake("square of sum", lambda w, l1, l2: l1 * np.sum(np.abs(_a(w))) + 0.5 * l2 * np.sum(_a(w)) ** 2,
                HINT_SQUARE_OF_SUM),
    ],
    "elastic_net_gradient": [
        Mistake("factor 2 on L2", lambda w, l1, l2: l1 * np.sign(_a(w)) + 2 * l2 * _a(w), HINT_FACTOR_2_ON_L2),
        Mistake("one at zero", lambda w, l1, l2: l1 * _sign_one_at_zero(w) + l2 * _a(w),
                "where w == 0 your result is +-lam1; the contract takes sign(0) = 0, so it is 0 there."),
        Mistake("swapped", lambda w, l1, l2: l2 * np.sign(_a(w)) + l1 * _a(w), HINT_SWAPPED_STRENGTHS_GRAD),
        Mistake("L2 only", lambda w, l1, l2: l2 * _a(w),
                "your result is missing the L1 part lam1 * sign(w)."),
        Mistake("half on L2", lambda w, l1, l2: l1 * np.sign(_a(w)) + 0.5 * l2 * _a(w), HINT_HALF_ON_L2),
        Mistake("w / |w|", lambda w, l1, l2: l1 * _sign_by_division(w) + l2 * _a(w), _NAN_AT_ZERO),
    ],
    "l1_scalar_minimizer": [
        Mistake("threshold lam", lambda mu, lam: np.sign(_a(mu)) * np.maximum(np.abs(_a(mu)) - lam, 0),
                "your answer soft-thresholds mu at lam; the quadratic here is (w - mu)^2 without a 1/2, "
                "so 2(w - mu) + lam*sign(w) = 0 puts the threshold at lam/2."),
        Mistake("threshold lam, shift lam/2",
                lambda mu, lam: np.where(np.abs(_a(mu)) > lam, _a(mu) - 0.5 * lam * np.sign(_a(mu)), 0.0),
                "your answer is 0 up to |mu| = lam and shifts by lam/2 beyond: you threshold at lam but shift by "
                "lam/2. The stationarity condition 2(w - mu) + lam*sign(w) = 0 gives both at lam/2: the "
                "minimizer is exactly 0 for |mu| <= lam/2, and mu - sign(mu)*lam/2 beyond."),
        Mistake("no clamp", lambda mu, lam: _a(mu) - 0.5 * lam * np.sign(_a(mu)),
                "for |mu| <= lam/2 the minimizer is exactly 0, but yours crosses zero: clamp with max(., 0)."),
        Mistake("sign lost", lambda mu, lam: np.maximum(_a(mu) - 0.5 * lam, 0), HINT_SIGN_LOST),
        Mistake("hard threshold", lambda mu, lam: np.where(np.abs(_a(mu)) > 0.5 * lam, _a(mu), 0.0),
                "your answer keeps mu unchanged above the threshold (hard thresholding); the L1 minimizer "
                "also shrinks it toward 0 by lam/2."),
        Mistake("mu / |mu|", lambda mu, lam: _sign_by_division(mu) * np.maximum(np.abs(_a(mu)) - 0.5 * lam, 0),
                HINT_MU_OVER_ABS_MU),
    ],
    "l2_scalar_minimizer": [
        Mistake("1/2 quadratic", lambda mu, lam: _a(mu) / (1 + lam),
                "your answer is mu/(1 + lam), which minimizes (1/2)(w - mu)^2 + (lam/2)w^2; here the "
                "quadratic is (w - mu)^2 without the 1/2: solve 2(w - mu) + lam*w = 0."),
        Mistake("penalty without 1/2", lambda mu, lam: _a(mu) / (1 + 2 * lam),
                "your answer is mu/(1 + 2*lam): the penalty is (lam/2)*w^2, not lam*w^2."),
        Mistake("linearized", lambda mu, lam: _a(mu) * (1 - 0.5 * lam),
                "your answer is mu*(1 - lam/2), a first-order approximation; solve 2(w - mu) + lam*w = 0 "
                "exactly: mu/(1 + lam/2)."),
        Mistake("penalty derivative lam/2", lambda mu, lam: _a(mu) / (1 + 0.25 * lam), HINT_HALF_DERIVATIVE),
        Mistake("sign slip", lambda mu, lam: 2 * _a(mu) / (2 - lam), HINT_SIGN_SLIP),
    ],
}


# ----------------------------------------------------------------------------- penalties and gradients
_SINGLE = ["l1_penalty", "l1_subgradient", "l2_penalty", "l2_gradient"]
_DOUBLE = ["elastic_net_penalty", "elastic_net_gradient"]
_IS_SUM = {"l1_penalty", "l2_penalty", "elastic_net_penalty"}


def _random_inputs(fn):
    inputs = [(_weights(100 * k + 7, shape, zeros=True), _lam(k), _lam(k + 50)) if fn in _DOUBLE
              else (_weights(100 * k + 7, shape, zeros=True), _lam(k))
              for k, shape in enumerate(SHAPES)]
    # the 3x4 matrix first: every mistake model above shows on it, so a wrong formula fails on the first reply
    return inputs[4:5] + inputs[:4] + inputs[5:]


def _edge_inputs(fn):
    w = _weights(5, (6,), zeros=True)
    lams = (0.0, 1.7) if fn in _DOUBLE else (0.0,)
    return [
        (w, *lams),                                            # lam = 0 (only lam2 > 0 for the elastic net)
        (np.zeros((2, 3)), *([0.9] * len(lams))),              # all-zero weights
        (np.float64(-1.5), *([0.6] * len(lams))),              # a plain number
        ([1.0, -2.0, 0.5], *([1.1] * len(lams))),              # a Python list
        (np.array([1e150, -1e150]), *([0.5] * len(lams))),     # huge but finite
    ]


for _fn in _SINGLE + _DOUBLE:
    reference_case(f"{_fn}: random weights of many shapes (0-d, empty, 1-3 dims) match the reference", _fn,
                   functools.partial(_random_inputs, _fn), tol=SUM if _fn in _IS_SUM else ELEMENT, points=3,
                   pure=PURE, mistakes=MISTAKES[_fn])
    # Values only: the random case checks that the inputs are left alone, on inputs where any in-place
    # update shows (lam > 0 and never 1, nonzero weights); these edge inputs would add nothing to that.
    reference_case(f"{_fn}: edge cases (lam = 0, all-zero weights, a number, a list, huge values)", _fn,
                   functools.partial(_edge_inputs, _fn), tol=SUM if _fn in _IS_SUM else ELEMENT,
                   mistakes=MISTAKES[_fn])


def _tiny_inputs(fn):
    """Weights far below any threshold but not 0: sign(w) is +-1 there, however small |w| is."""
    w = np.array([1e-10, -1e-10, 3e-300, -5e-324, 0.0, 2.0])
    return [(w, 0.8)] if fn == "l1_subgradient" else [(w, 0.8, 0.3)]


for _fn in ("l1_subgradient", "elastic_net_gradient"):
    reference_case(f"{_fn}: tiny nonzero weights (|w| ~ 1e-10, subnormal) give lam * sign(w), 0 only at w == 0",
                   _fn, functools.partial(_tiny_inputs, _fn), tol=ELEMENT, mistakes=MISTAKES[_fn])


# ----------------------------------------------------------------------------- 1-D minimizers
def _minimizer_inputs(seed):
    """Every shape with a random lam; a number, a matrix and a long vector also with lam = 0 (mu itself)
    and lam = 4 (most entries inside the threshold): 14 calls, each a reply to wait for. They were the 3
    lams on every shape (24 calls); each mistake model above still differs from the reference on 6 or
    more of these 14. The answer is elementwise: the shapes test the handling of 0-d, empty and n-d
    input, the lam values the formula."""
    inputs = [(_weights(seed + k, shape), lam) for k, shape in enumerate(SHAPES + [(40,)])
              for lam in ((0.0, _lam(k), 4.0) if shape in ((), (3, 4), (40,)) else (_lam(k),))]
    # the 3x4 matrix at lam = 4 first: every mistake model above (but mu/|mu|, which needs mu == 0) shows on
    # it, so a wrong formula fails on the first reply
    return inputs[8:9] + inputs[:8] + inputs[9:]


reference_case("l1_scalar_minimizer: random mu of many shapes, elementwise, match the reference",
               "l1_scalar_minimizer", functools.partial(_minimizer_inputs, 300), tol=ELEMENT, points=3, pure=PURE,
               mistakes=MISTAKES["l1_scalar_minimizer"])

# the last two entries lie outside the threshold (answers 0.75 and -1.75): all zeros is not the answer
fixed_case("l1_scalar_minimizer: exactly 0 whenever |mu| <= lam/2, including |mu| == lam/2", "l1_scalar_minimizer",
           [((np.array([0.25, -0.25, 0.1, -0.2, 0.0, 0.2499, 1.0, -2.0]), 0.5), np.array([0.0] * 6 + [0.75, -1.75]))],
           tol=Tol(0.0, why="exact: soft thresholding returns a true zero inside the threshold, that is the point "
                   "of L1, and mu -+ lam/2 outside it is exact in binary here"),
           what="l1_scalar_minimizer(mu, 0.5)", mistakes=MISTAKES["l1_scalar_minimizer"])


@once
def _grid_problem():
    """(mu, lam, the minima over grid = linspace(-8, 8, 160001) of (grid - m)^2 + lam*|grid| for each m of
    mu), computed once per process: they depend on the fixed mu and lam only."""
    mu = np.random.default_rng(77).normal(scale=2.0, size=12)
    lam = 1.3
    grid = np.linspace(-8, 8, 160001)          # spacing 1e-4
    return mu, lam, np.array([np.min((grid - m) ** 2 + lam * np.abs(grid)) for m in mu])


@case("l1_scalar_minimizer: the answer minimizes (w - mu)^2 + lam*|w| (checked on a fine grid)", points=1)
def _(sub, ref):
    mu, lam, f_best = _grid_problem()
    got = np.asarray(sub.l1_scalar_minimizer(mu, lam), dtype=float)
    expect(got.shape == mu.shape, f"result has shape {got.shape}, expected {mu.shape}")
    with np.errstate(all="ignore"):
        f_got = (got - mu) ** 2 + lam * np.abs(got)
    # the grid minimum is within 1e-8 of the true minimum (spacing 1e-4, quadratic near the
    # optimum, slope at most lam off it): anything more than 1e-7 above it is not a minimizer
    bad = ~(np.isfinite(f_got) & (f_got <= f_best + 1e-7))
    if bad.any():
        i = int(np.argmax(bad))                  # the first entry that is not a minimizer
        raise Fail(f"for mu = {mu[i]:.6f}, lam = {lam}: your w = {got[i]:.6f} gives objective {f_got[i]:.8f}, "
                   f"but {f_best[i]:.8f} is reachable",
                   "the answer should minimize (w - mu)^2 + lam*|w|: soft thresholding of mu at lam/2.")


reference_case("l2_scalar_minimizer: random mu of many shapes, elementwise, match the reference",
               "l2_scalar_minimizer", functools.partial(_minimizer_inputs, 400), tol=ELEMENT, points=3, pure=PURE,
               mistakes=MISTAKES["l2_scalar_minimizer"])


@once
def _stationary_mu():
    return np.random.default_rng(78).normal(scale=3.0, size=10)


@case("l2_scalar_minimizer: the answer is a stationary point, 2(w - mu) + lam*w = 0", points=1)
def _(sub, ref):
    mu, lam = _stationary_mu(), 0.7
    got = np.asarray(sub.l2_scalar_minimizer(mu, lam), dtype=float)
    expect(got.shape == mu.shape, f"result has shape {got.shape}, expected {mu.shape}")
    residual = 2 * (got - mu) + lam * got
    # |mu| <= ~10, so rounding leaves residuals of ~1e-14; 1e-10 is loose for that, tight for any mistake
    if not bool(np.all(np.abs(residual) <= 1e-10)):
        raise Fail(f"2(w - mu) + lam*w is {residual[np.argmax(np.abs(residual))]:.3g} at your answer, not 0",
                   "the minimizer of (w - mu)^2 + (lam/2)w^2 solves 2(w - mu) + lam*w = 0, i.e. "
                   "w = mu/(1 + lam/2).")
