"""Public tests of 01_penalties (shipped with the assignment).

Every expected value below is worked out by hand from the contract in penalties.py
(mostly on w = [1, -2, 0, 3], where sum|w| = 6 and sum w^2 = 14). The hidden tests
check the same functions on many more inputs.
"""
import numpy as np

from autograder.cases import Tol, entry, fixed_case
from autograder.framework import Mistake
from autograder.suites.penalties.common import (
    HINT_HALF_DERIVATIVE, HINT_SIGN_SLIP, HINT_NO_HALF, HINT_ABS, HINT_NO_HALF_ON_L2,
    HINT_HALF_ON_BOTH, HINT_SWAPPED_STRENGTHS, HINT_SQUARE_OF_SUM, HINT_FACTOR_2_ON_L2,
    HINT_SWAPPED_STRENGTHS_GRAD, HINT_HALF_ON_L2, HINT_SIGN_LOST, HINT_MU_OVER_ABS_MU
)

W = np.array([1.0, -2.0, 0.0, 3.0])   # sum |w| = 6, sum w^2 = 14, one exact zero
# The module's contract: no function modifies its input arrays; every call of these cases checks it.
PURE_CALLS = ("your function changed the caller's array (for example with `w *= ...` or `w[...] = ...`); "
              "compute the result in a new array and leave the inputs alone.")
CLOSED_FORM = Tol(1e-12, why="closed-form answers: only the last bits may differ between correct implementations, "
                           "far below any real mistake")
EXACT = Tol(0.0, why="exactly zero: this is the sparsity the example is about")


# ----------------------------------------------------------------------------- L1
fixed_case("l1_penalty: w = [1, -2, 0, 3], lam = 0.5", "l1_penalty", [((W, 0.5), 3.0)], tol=CLOSED_FORM,
           what="l1_penalty(w, 0.5)", mistakes=[
    Mistake("no absolute value", 1.0,
            "your penalty equals lam * sum(w): negative weights must count positively, "
            "the L1 penalty is lam * sum(|w|)."),
    Mistake("squared weights", 7.0,
            "your penalty equals lam * sum(w^2), which is an L2 quantity; L1 uses absolute values."),
    Mistake("Euclidean norm", 0.5 * 14 ** 0.5,
            "your penalty equals lam * ||w||_2 (the Euclidean norm); the L1 penalty is lam * sum(|w|)."),
])

fixed_case("l1_subgradient: w = [1.5, -2, 0, 3], lam = 0.5 (subgradient 0 at w = 0)", "l1_subgradient",
           [(([1.5, -2.0, 0.0, 3.0], 0.5), [0.5, -0.5, 0.0, 0.5])], tol=CLOSED_FORM,
           what="l1_subgradient(w, 0.5)", mistakes=[
    Mistake("nonzero at zero", [0.5, -0.5, 0.5, 0.5],
            "at w == 0 your subgradient is lam, as if sign(0) were 1; the contract picks 0 there "
            "(np.sign(0) is 0)."),
    Mistake("nonzero at zero (negative)", [0.5, -0.5, -0.5, 0.5],
            "at w == 0 your subgradient is -lam; the contract picks 0 there (np.sign(0) is 0)."),
    Mistake("missing lam", [1.0, -1.0, 0.0, 1.0],
            "your result is sign(w) without the factor lam."),
    Mistake("L2 gradient", [0.75, -1.0, 0.0, 1.5],
            "your result is lam * w, the gradient of the L2 penalty; the L1 subgradient is lam * sign(w)."),
    Mistake("w / |w|", [0.5, -0.5, float("nan"), 0.5],
            "your result is NaN where w == 0: w / |w| divides 0 by 0 there. Use np.sign(w), which is "
            "0 at w == 0, the value the contract picks."),
])


# ----------------------------------------------------------------------------- L2
fixed_case("l2_penalty: w = [1, -2, 0, 3], lam = 0.5", "l2_penalty", [((W, 0.5), 3.5)], tol=CLOSED_FORM,
           what="l2_penalty(w, 0.5)", mistakes=[
    Mistake("no 1/2", 7.0, HINT_NO_HALF),
    Mistake("norm not squared", 0.25 * 14 ** 0.5,
            "your penalty uses ||w||_2 instead of its square; the L2 penalty is (lam/2) * sum(w^2)."),
    Mistake("square of sum", 1.0,        # (0.5/2) * (1 - 2 + 0 + 3)^2
            "your penalty looks like (lam/2) * (sum w)^2, the square of the sum; the L2 penalty sums "
            "the squares: (lam/2) * sum(w^2)."),
])

fixed_case("l2_gradient: w = [1, -2, 0, 3], lam = 0.5", "l2_gradient", [((W, 0.5), [0.5, -1.0, 0.0, 1.5])],
           tol=CLOSED_FORM, what="l2_gradient(w, 0.5)", mistakes=[
    Mistake("factor 2", [1.0, -2.0, 0.0, 3.0],
            "your gradient is exactly twice the expected one: with the penalty (lam/2)*||w||^2 the "
            "gradient is lam * w, not 2 * lam * w (that belongs to the convention lam*||w||^2)."),
    Mistake("half", [0.25, -0.5, 0.0, 0.75],
            "your gradient is half the expected one: the 1/2 of the penalty cancels against the 2 "
            "from differentiating w^2, leaving lam * w."),
    Mistake("abs", [0.5, 1.0, 0.0, 1.5], HINT_ABS),
])


# ----------------------------------------------------------------------------- elastic net
# 0.5 * 6 + (0.2 / 2) * 14 = 3 + 1.4
fixed_case("elastic_net_penalty: w = [1, -2, 0, 3], lam1 = 0.5, lam2 = 0.2", "elastic_net_penalty",
           [((W, 0.5, 0.2), 4.4)], tol=CLOSED_FORM, what="elastic_net_penalty(w, 0.5, 0.2)", mistakes=[
    Mistake("no 1/2 on L2", 5.8, HINT_NO_HALF_ON_L2),
    Mistake("1/2 on both", 2.9, HINT_HALF_ON_BOTH),
    Mistake("swapped strengths", 0.2 * 6 + 0.25 * 14, HINT_SWAPPED_STRENGTHS),
    Mistake("square of sum", 3.4,        # 0.5 * 6 + (0.2/2) * (sum w)^2 = 3 + 0.1 * 4
            HINT_SQUARE_OF_SUM),
])

fixed_case("elastic_net_gradient: w = [1, -2, 0, 3], lam1 = 0.5, lam2 = 0.2", "elastic_net_gradient",
           [((W, 0.5, 0.2), [0.7, -0.9, 0.0, 1.1])], tol=CLOSED_FORM, what="elastic_net_gradient(w, 0.5, 0.2)",
           mistakes=[
    Mistake("factor 2 on L2", [0.9, -1.3, 0.0, 1.7], HINT_FACTOR_2_ON_L2),
    Mistake("nonzero at zero", [0.7, -0.9, 0.5, 1.1],
            "at w == 0 your result is lam1; the contract takes sign(0) = 0 there, so it is 0."),
    Mistake("swapped strengths", [0.4, -1.2, 0.0, 1.7], HINT_SWAPPED_STRENGTHS_GRAD),
    Mistake("half on L2", [0.6, -0.7, 0.0, 0.8], HINT_HALF_ON_L2),
    Mistake("w / |w|", [0.7, -0.9, float("nan"), 1.1],
            "your result is NaN where w == 0: w / |w| divides 0 by 0 there. Use np.sign(w), which is "
            "0 at w == 0, the value the contract picks."),
])


# ----------------------------------------------------------------------------- 1-D minimizers
_L1_MIN_HINT_THRESHOLD = ("your answer soft-thresholds mu at lam; here the quadratic is (w - mu)^2 without a 1/2, "
                          "so the stationarity condition 2(w - mu) + lam*sign(w) = 0 puts the threshold at lam/2.")

fixed_case("l1_scalar_minimizer: mu = 1 and lam = 0.5 gives 0.75", "l1_scalar_minimizer", [((1.0, 0.5), 0.75)],
           tol=CLOSED_FORM, what="l1_scalar_minimizer(1, 0.5)",
           mistakes=[Mistake("threshold lam", 0.5, _L1_MIN_HINT_THRESHOLD)])

fixed_case("l1_scalar_minimizer: mu = 1 and lam = 2 gives exactly 0", "l1_scalar_minimizer", [((1.0, 2.0), 0.0)],
           tol=EXACT, what="l1_scalar_minimizer(1, 2)",
           mistakes=[Mistake("threshold lam, no clamp", -1.0,
                             "your answer is negative: once |mu| <= lam/2 the minimizer is exactly 0 "
                             "(soft thresholding clamps at zero), and the threshold is lam/2.")])

fixed_case("l1_scalar_minimizer: an array of mu, elementwise, lam = 0.5", "l1_scalar_minimizer",
           [(([1.0, -1.0, 0.2, -3.0, 0.0], 0.5), [0.75, -0.75, 0.0, -2.75, 0.0])], tol=CLOSED_FORM,
           what="l1_scalar_minimizer(mu, 0.5)", mistakes=[
    Mistake("sign lost", [0.75, 0.0, 0.0, 0.0, 0.0], HINT_SIGN_LOST),
    Mistake("no clamp", [0.75, -0.75, -0.05, -2.75, 0.0],
            "small mu (|mu| <= lam/2) should give exactly 0, but yours cross zero: clamp with max(., 0)."),
    Mistake("threshold lam", [0.5, -0.5, 0.0, -2.5, 0.0], _L1_MIN_HINT_THRESHOLD),
    Mistake("mu / |mu|", [0.75, -0.75, 0.0, -2.75, float("nan")], HINT_MU_OVER_ABS_MU),
])


_L2_MIN_HINTS = [
    ("1/2 quadratic", lambda lam: 1.0 / (1.0 + lam),
     "your answer is mu/(1 + lam), the minimizer of (1/2)(w - mu)^2 + (lam/2)w^2; here the quadratic is "
     "(w - mu)^2 without the 1/2: solve 2(w - mu) + lam*w = 0."),
    ("penalty without 1/2", lambda lam: 1.0 / (1.0 + 2.0 * lam),
     "your answer is mu/(1 + 2*lam): the penalty is (lam/2)*w^2, not lam*w^2 - solve 2(w - mu) + lam*w = 0."),
    ("penalty derivative lam/2", lambda lam: 1.0 / (1.0 + lam / 4), HINT_HALF_DERIVATIVE),
    ("sign slip", lambda lam: 2.0 / (2.0 - lam) if lam != 2.0 else float("inf"), HINT_SIGN_SLIP),
]

fixed_case("l2_scalar_minimizer: mu = 1: lam = 0.5 gives 0.8, lam = 2 gives 0.5", "l2_scalar_minimizer",
           [entry((1.0, lam), expected=expected, what=f"l2_scalar_minimizer(1, {lam})",
                  mistakes=[Mistake(name, f(lam), hint) for name, f, hint in _L2_MIN_HINTS])
            for lam, expected in [(0.5, 0.8), (2.0, 0.5)]], tol=CLOSED_FORM, points=2)


# ----------------------------------------------------------------------------- rules of every function
# Weights may have any shape; the penalties sum over every entry, and no function changes its input.
W2 = [[1.0, -2.0], [0.0, 3.0], [-4.0, 0.5]]   # sum |w| = 10.5 (column sums 5 and 5.5), sum w^2 = 30.25
HINT_EVERY_ENTRY = ("your penalty is not one number for a matrix of weights: sum over every entry "
                    "(np.sum(np.abs(w)) or np.sum(w ** 2)), not over the first axis only (Python's sum does that).")

fixed_case("l1_penalty: a 2-D weight matrix, every entry counts", "l1_penalty", [((W2, 0.5), 5.25)],
           tol=CLOSED_FORM, what="l1_penalty(W, 0.5) for W of shape (3, 2)",
           mistakes=[Mistake("sum over rows only", [2.5, 2.75], HINT_EVERY_ENTRY),
                     Mistake("matrix 1-norm", 2.75,
                             "your penalty equals lam times the largest column sum of |W| (the matrix "
                             "1-norm np.linalg.norm(W, 1)); the L1 penalty sums |w| over every entry.")])

fixed_case("l2_penalty: a 2-D weight matrix, every entry counts", "l2_penalty", [((W2, 0.5), 7.5625)],
           tol=CLOSED_FORM, what="l2_penalty(W, 0.5) for W of shape (3, 2)",
           mistakes=[Mistake("sum over rows only", [4.25, 3.3125], HINT_EVERY_ENTRY)])
