"""Public tests of 04_label_smoothing (shipped with the assignment).

Every expected value below is worked out by hand from the contract in
label_smoothing.py; the comments show the arithmetic. Logits are often written as
logs of probabilities (z = log([0.1, 0.2, 0.7])) so that softmax(z) is known
exactly. The hidden tests check the same functions on many more inputs.
"""
import math

import numpy as np

from autograder.cases import Tol, entry, fixed_case
from autograder.framework import Fail, Mistake, as_float_array, call_args, case, check_close
from autograder.suites.label_smoothing.common import (
    HINT_GOT_OTHERS, HINT_GOT_UNIFORM, HINT_NO_KEEP, HINT_EPS_NOT_SHARED, HINT_OTHERS_OVER_K,
    HINT_OTHERS_ON_TRUE, HINT_OVERFLOW, HINT_COLUMN_MAX, HINT_GLOBAL_MAX, HINT_GLOBAL_SUM,
    HINT_FORGOT_MAX, HINT_CE_BITS, HINT_CAPPED, HINT_LOG_SOFTMAX, check_finite, HINT_SUM_OVER_ROWS,
    HINT_MEAN_OVER_ALL_ENTRIES, HINT_TRUE_CLASS_ONLY
)

# A handful of exp/log/divisions: correct implementations differ in the last bits only,
# so 1e-12 relative is far below any real mistake. Probabilities that underflow to 0
# (e^-1000) need an absolute tolerance; 1e-15 is still far below any wrong answer.
RTOL = 1e-12
ATOL = 1e-15
CLOSE = Tol(RTOL, why="a handful of exp/log/divisions: correct implementations differ in the last bits only, far below "
            "any real mistake")


LOG_A = [0.0, math.log(2.0), math.log(7.0)]        # softmax = [1, 2, 7] / 10
BIG = [[1000.0, -1000.0, 0.0], [-1000.0, 1000.0, 999.0]]


# ----------------------------------------------------------------------------- smooth_labels
_A, _B = 0.9 + 0.1 / 3, 0.1 / 3                   # 0.9333..., 0.0333...
fixed_case("smooth_labels: K = 3, eps = 0.1, spread='uniform' (eps/K on every class)", "smooth_labels",
           [(call_args([0, 2], 3, 0.1, spread="uniform"), [[_A, _B, _B], [_B, _B, _A]])], tol=CLOSE, points=2,
           what="smooth_labels([0, 2], 3, 0.1, 'uniform')", mistakes=[
    Mistake("others spread", [[0.9, 0.05, 0.05], [0.05, 0.05, 0.9]], HINT_GOT_OTHERS),
    Mistake("no (1 - eps)", [[1 + _B, _B, _B], [_B, _B, 1 + _B]], HINT_NO_KEEP),
    Mistake("eps not divided by K", [[1.0, 0.1, 0.1], [0.1, 0.1, 1.0]], HINT_EPS_NOT_SHARED),
])

fixed_case("smooth_labels: K = 3, eps = 0.1, spread='others' gives [0.9, 0.05, 0.05]", "smooth_labels",
           [(call_args([1], 3, 0.1, spread="others"), [[0.05, 0.9, 0.05]])], tol=CLOSE, points=2,
           what="smooth_labels([1], 3, 0.1, 'others')", mistakes=[
    Mistake("uniform spread", [[_B, _A, _B]], HINT_GOT_UNIFORM),
    Mistake("no (1 - eps)", [[0.05, 1.0, 0.05]], HINT_NO_KEEP),
    Mistake("eps/K on the others", [[_B, 0.9, _B]], HINT_OTHERS_OVER_K),
    Mistake("eps/(K-1) on the true class too", [[0.05, 0.95, 0.05]], HINT_OTHERS_ON_TRUE),
])

_OTHERS = [0.9 if k == 3 else 0.1 / 9 for k in range(10)]
_UNIFORM = [0.91 if k == 3 else 0.01 for k in range(10)]
fixed_case("smooth_labels: quiz Q5, K = 10, eps = 0.1: true class 0.9 ('others') or 0.91 ('uniform')", "smooth_labels", [
    entry(call_args([3], 10, 0.1, spread="others"), expected=[_OTHERS], what="smooth_labels([3], 10, 0.1, 'others')",
          mistakes=[Mistake("uniform spread", [_UNIFORM], HINT_GOT_UNIFORM),
                    Mistake("eps/K on the others", [[0.9 if k == 3 else 0.01 for k in range(10)]], HINT_OTHERS_OVER_K),
                    Mistake("eps/(K-1) on the true class too",
                            [[0.9 + 0.1 / 9 if k == 3 else 0.1 / 9 for k in range(10)]], HINT_OTHERS_ON_TRUE)]),
    entry(call_args([3], 10, 0.1, spread="uniform"), expected=[_UNIFORM], what="smooth_labels([3], 10, 0.1, 'uniform')",
          mistakes=[Mistake("others spread", [_OTHERS], HINT_GOT_OTHERS),
                    Mistake("eps not divided by K", [[1.0 if k == 3 else 0.1 for k in range(10)]],
                            HINT_EPS_NOT_SHARED)]),
], tol=CLOSE, points=2)

fixed_case("smooth_labels: eps = 0 gives one-hot targets (K = 2)", "smooth_labels",
           [entry(call_args([1, 0, 1], 2, 0.0, spread=spread), expected=[[0.0, 1.0], [1.0, 0.0], [0.0, 1.0]],
                  what=f"smooth_labels([1, 0, 1], 2, 0.0, {spread!r})") for spread in ("uniform", "others")], tol=CLOSE)


# ----------------------------------------------------------------------------- softmax
_Z = [LOG_A, [5.0, 5.0, 5.0]]
_E = np.exp(np.array(_Z))
fixed_case("softmax: each row of z becomes a distribution", "softmax",
           [((_Z,), [[0.1, 0.2, 0.7], [1 / 3, 1 / 3, 1 / 3]])], tol=CLOSE, points=2, what="softmax(z)", mistakes=[
    Mistake("normalized columns", _E / _E.sum(axis=0),
            "you normalized each column; softmax normalizes each row (one sample) on its own, "
            "along the last axis."),
    # exp(z - row max) divided by the sum over the whole array
    Mistake("divided by the sum of the whole array",
            np.exp(np.array(_Z) - np.max(_Z, axis=1, keepdims=True))
            / np.exp(np.array(_Z) - np.max(_Z, axis=1, keepdims=True)).sum(), HINT_GLOBAL_SUM),
])


@case("softmax: finite at logits +-1000", points=2)
def _(sub):
    # a third row lies far below the others: one maximum for the whole array would turn it into 0/0
    z = BIG + [[-1000.0, -1000.0, -999.0]]
    got = as_float_array(sub.softmax(z), "softmax at logits +-1000")
    e = math.e
    nan = float("nan")
    # row 2: [e^-2000, 1, e^-1] / (1 + e^-1); row 3: [1, 1, e] / (2 + e)
    try:
        check_close(got, [[1.0, 0.0, 0.0], [0.0, 0.7310585786300049, 0.2689414213699951],
                          [1 / (2 + e), 1 / (2 + e), e / (2 + e)]], rtol=RTOL, atol=ATOL,
                    what="softmax at logits +-1000", mistakes=[
            # shifted by the column maxima [1000, 1000, 999]: row 2 becomes exp([-2000, 0, 0]) / 2, row 3 0/0
            Mistake("column maximum", [[1.0, 0.0, 0.0], [0.0, 0.5, 0.5], [nan] * 3], HINT_COLUMN_MAX),
            # shifted by 1000 everywhere: rows 1 and 2 are right, row 3 is exp(-2000)/(...) = 0/0
            Mistake("one maximum for the whole array", [[1.0, 0.0, 0.0], [0.0, 0.7310585786300049,
                                                                          0.2689414213699951], [nan] * 3],
                    HINT_GLOBAL_MAX),
            # exp(z - row max) = [1, 0, 0], [0, 1, e^-1] and [e^-1, e^-1, 1], divided by their total 3 + 3/e
            Mistake("divided by the sum of the whole array",
                    np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 1 / e], [1 / e, 1 / e, 1.0]]) / (3 + 3 / e),
                    HINT_GLOBAL_SUM)])
    except Fail as f:
        raise Fail(f.message, f.hint or (None if np.all(np.isfinite(got)) else HINT_OVERFLOW)) from None


# ----------------------------------------------------------------------------- cross_entropy
# row 1: -(0.05 log 0.1 + 0.05 log 0.2 + 0.9 log 0.7); row 2: log 3; mean of the two
fixed_case("cross_entropy: two rows, soft and hard targets", "cross_entropy",
           [(([LOG_A, [0.0, 0.0, 0.0]], [[0.05, 0.05, 0.9], [1.0, 0.0, 0.0]]), 0.8076104442421881)], tol=CLOSE,
           points=2, what="cross_entropy(z, targets)", mistakes=[
    Mistake("sum over rows", 1.6152208884843762, HINT_SUM_OVER_ROWS),
    Mistake("mean over all entries", 0.2692034814140627, HINT_MEAN_OVER_ALL_ENTRIES),
    Mistake("true class only", 0.7276436163034211, HINT_TRUE_CLASS_ONLY),
    # the max of row 1 is log 7, of row 2 is 0: the loss drops by log(7) / 2
    Mistake("max left out of the log-softmax", 0.8076104442421881 - math.log(7.0) / 2, HINT_FORGOT_MAX),
    Mistake("log base 2", 0.8076104442421881 / math.log(2.0), HINT_CE_BITS),
])


@case("cross_entropy: finite at logits +-1000", points=2)
def _(sub):
    targets = [[0.9, 0.05, 0.05], [0.05, 0.05, 0.9]]
    # row 1: log-softmax [0, -2000, -1000] -> loss 150; row 2: log-softmax
    # [-2000, 0, -1] - log(1 + e^-1) -> loss 101.2132617...; mean 125.6066...
    got = check_finite(sub.cross_entropy(BIG, targets), "cross_entropy at logits +-1000", HINT_LOG_SOFTMAX)
    try:
        check_close(got, 125.60663084375912, rtol=RTOL, what="cross_entropy at logits +-1000", mistakes=[
            # row 1 keeps class 0 (log-softmax 0), row 2 class 2 (log-softmax -1 - log(1 + e^-1))
            Mistake("true class only", (1 + math.log1p(math.exp(-1))) / 2, HINT_TRUE_CLASS_ONLY),
            # both row maxima are 1000
            Mistake("max left out of the log-softmax", 125.60663084375912 - 1000.0, HINT_FORGOT_MAX),
            Mistake("log base 2", 125.60663084375912 / math.log(2.0), HINT_CE_BITS)])
    except Fail as f:
        # a finite loss far below the true one at these logits: -log p was capped by a clip or an added constant
        # (not negative: a negative loss is a dropped sign, not a clip)
        low = got.size == 1 and 0.0 <= float(got.reshape(-1)[0]) < 125.60663084375912
        raise Fail(f.message, f.hint or (HINT_CAPPED if low else None)) from None


# ----------------------------------------------------------------------------- cross_entropy_grad
_SIGN = ("your gradient has the wrong sign: d loss / d z = (softmax(z) - targets) / N, so the true "
         "class gets a negative entry when its probability is below its target.")
_HARD = ("your gradient uses the one-hot of the largest target instead of the targets themselves: with "
         "smoothed (soft) targets it is (softmax(z) - targets) / N, every class keeping its own target.")
_OVER_NK = ("your gradient is K times too small: the loss is a mean over the N rows (and a sum over the K "
            "classes), so divide (softmax(z) - targets) by N, not by N*K.")
_EXTRA_JACOBIAN = ("your gradient carries an extra factor softmax * (1 - softmax): softmax(z) - targets already "
                   "is the full gradient of the cross-entropy with respect to the logits (the softmax's "
                   "derivative is folded into it), so do not multiply by p(1 - p) again.")
_GRAD_COLUMNS = ("the softmax in your gradient normalizes each column; softmax(z) normalizes each row "
                 "(one sample) along the last axis.")
_NOT_DIVIDED = ("your gradient is N times too large: the loss is a mean over the N rows, so divide "
                "(softmax(z) - targets) by N.")


_Z_721 = [[math.log(0.7), math.log(0.2), math.log(0.1)]]          # softmax = [0.7, 0.2, 0.1]
_GRAD = Tol(RTOL, 1e-12, why="a handful of exp/log/divisions; probabilities of order 1: an absolute 1e-12 is far "
            "below any mistake")

fixed_case("cross_entropy_grad: softmax [0.7, 0.2, 0.1], no smoothing", "cross_entropy_grad",
           [((_Z_721, [[1.0, 0.0, 0.0]]), [[-0.3, 0.2, 0.1]])], tol=_GRAD, points=2,
           what="cross_entropy_grad(z, [[1, 0, 0]])", mistakes=[
    Mistake("sign", [[0.3, -0.2, -0.1]], _SIGN),
    Mistake("divided by N*K", [[-0.1, 0.2 / 3, 0.1 / 3]], _OVER_NK),
    # with one row, a softmax over the columns is 1 everywhere
    Mistake("softmax over columns", [[0.0, 1.0, 1.0]], _GRAD_COLUMNS),
    # p * (1 - p) = [0.21, 0.16, 0.09]
    Mistake("extra p(1 - p)", [[-0.063, 0.032, 0.009]], _EXTRA_JACOBIAN)])

fixed_case("cross_entropy_grad: softmax [0.7, 0.2, 0.1], eps = 0.1 with the 'others' spread", "cross_entropy_grad",
           [((_Z_721, [[0.9, 0.05, 0.05]]), [[-0.2, 0.15, 0.05]])], tol=_GRAD, points=2,
           what="cross_entropy_grad(z, [[0.9, 0.05, 0.05]])",
           mistakes=[Mistake("sign", [[0.2, -0.15, -0.05]], _SIGN),
                     Mistake("one-hot of the largest target", [[-0.3, 0.2, 0.1]], _HARD),
                     Mistake("divided by N*K", [[-0.2 / 3, 0.05, 0.05 / 3]], _OVER_NK),
                     Mistake("softmax over columns", [[0.1, 0.95, 0.95]], _GRAD_COLUMNS),
                     # [-0.2, 0.15, 0.05] * p(1 - p) = [-0.2, 0.15, 0.05] * [0.21, 0.16, 0.09]
                     Mistake("extra p(1 - p)", [[-0.042, 0.024, 0.0045]], _EXTRA_JACOBIAN)])

_Z2, _T2 = [LOG_A, [0.0, 0.0, 0.0]], [[0.05, 0.05, 0.9], [1.0, 0.0, 0.0]]
# ([0.1, 0.2, 0.7] - [0.05, 0.05, 0.9]) / 2 and ([1/3, 1/3, 1/3] - [1, 0, 0]) / 2
_G2 = [[0.025, 0.075, -0.1], [-1 / 3, 1 / 6, 1 / 6]]
fixed_case("cross_entropy_grad: two rows, divided by N = 2", "cross_entropy_grad", [((_Z2, _T2), _G2)], tol=_GRAD,
           points=2, what="cross_entropy_grad(z, targets)", mistakes=[
    Mistake("not divided by N", [[0.05, 0.15, -0.2], [-2 / 3, 1 / 3, 1 / 3]], _NOT_DIVIDED),
    Mistake("sign", [[-0.025, -0.075, 0.1], [1 / 3, -1 / 6, -1 / 6]], _SIGN),
    Mistake("one-hot of the largest target", [[0.05, 0.1, -0.15], [-1 / 3, 1 / 6, 1 / 6]], _HARD),
    Mistake("divided by N*K", np.array(_G2) / 3, _OVER_NK),
    Mistake("extra p(1 - p)", np.array(_G2) * [[0.09, 0.16, 0.21], [2 / 9, 2 / 9, 2 / 9]], _EXTRA_JACOBIAN),
    Mistake("softmax over columns", (np.exp(np.array(_Z2)) / np.exp(np.array(_Z2)).sum(axis=0) - _T2) / 2,
            _GRAD_COLUMNS),
])


# ----------------------------------------------------------------------------- min_cross_entropy
_ZERO = ("a perfect model does not reach 0 on smoothed targets: the smallest loss is the entropy of the "
         "smoothed target, -sum_k t_k log t_k, which is > 0 for eps > 0.")
_NO_K_MINUS_1 = ("you counted the other classes once: each of the K - 1 other classes contributes its own "
                 "-t log t, so that term is multiplied by K - 1.")
_H_BITS = "use the natural logarithm (np.log), as the cross-entropy does, not log base 2."
_MINUS_LOG_1_EPS = ("-log(1 - eps) is the loss of one class predicted with probability 1 - eps; the smallest "
                    "loss is the entropy of the whole smoothed target, -sum_k t_k log t_k over all K classes.")
_TRUE_SHARE = ("under spread='uniform' the true class also receives its share eps/K: its target is "
               "1 - eps + eps/K, not 1 - eps.")
_ONLY_TRUE = ("you kept only the true-class term -t log t; all K classes contribute -t_k log t_k to the "
              "entropy of the smoothed target.")


# 'uniform': -(0.9333 log 0.9333 + 2 * 0.0333 log 0.0333); 'others': -(0.9 log 0.9 + 2 * 0.05 log 0.05)
_H_UNIFORM, _H_OTHERS = 0.29113983883196504, 0.39439769144744274
fixed_case("min_cross_entropy: K = 3, eps = 0.1, both spreads", "min_cross_entropy", [
    entry(call_args(3, 0.1, spread="uniform"), expected=_H_UNIFORM, what="min_cross_entropy(3, 0.1, 'uniform')", mistakes=[
        Mistake("zero", 0.0, _ZERO), Mistake("others spread", _H_OTHERS, HINT_GOT_OTHERS),
        Mistake("true class only", -(0.9 + 0.1 / 3) * math.log(0.9 + 0.1 / 3), _ONLY_TRUE),
        Mistake("minus log of the true target", -math.log(0.9 + 0.1 / 3), _ONLY_TRUE),
        Mistake("other classes counted once", -(0.9 + 0.1 / 3) * math.log(0.9 + 0.1 / 3)
                - (0.1 / 3) * math.log(0.1 / 3), _NO_K_MINUS_1),
        Mistake("log base 2", _H_UNIFORM / math.log(2.0), _H_BITS),
        Mistake("minus log(1 - eps)", -math.log(0.9), _MINUS_LOG_1_EPS),
        Mistake("true class 1 - eps under uniform", -0.9 * math.log(0.9) - 2 * (0.1 / 3) * math.log(0.1 / 3),
                _TRUE_SHARE)]),
    entry(call_args(3, 0.1, spread="others"), expected=_H_OTHERS, what="min_cross_entropy(3, 0.1, 'others')", mistakes=[
        Mistake("zero", 0.0, _ZERO), Mistake("uniform spread", _H_UNIFORM, HINT_GOT_UNIFORM),
        Mistake("true class only", -0.9 * math.log(0.9), _ONLY_TRUE),
        Mistake("minus log of the true target", -math.log(0.9), _ONLY_TRUE),
        Mistake("other classes counted once", -0.9 * math.log(0.9) - 0.05 * math.log(0.05), _NO_K_MINUS_1),
        Mistake("log base 2", _H_OTHERS / math.log(2.0), _H_BITS)]),
], tol=CLOSE, points=2)

fixed_case("min_cross_entropy: eps = 0 gives 0; K = 10 with the default spread", "min_cross_entropy", [
    entry((5, 0.0), expected=0.0, what="min_cross_entropy(5, 0.0)",
          tol=Tol(RTOL, 1e-15, why="the answer is exactly 0: rounding of 0 log 0 terms stays below 1e-15")),
    # default 'uniform': -(0.91 log 0.91 + 9 * 0.01 log 0.01)
    entry((10, 0.1), expected=0.5002880350577578, what="min_cross_entropy(10, 0.1)",
          mistakes=[Mistake("zero", 0.0, _ZERO),
                    Mistake("others spread", 0.5448054311250702, HINT_GOT_OTHERS),
                    Mistake("other classes counted once", -(0.91 * math.log(0.91) + 0.01 * math.log(0.01)),
                            _NO_K_MINUS_1),
                    Mistake("log base 2", 0.5002880350577578 / math.log(2.0), _H_BITS),
                    Mistake("minus log(1 - eps)", -math.log(0.9), _MINUS_LOG_1_EPS),
                    Mistake("true class 1 - eps under uniform",
                            -(0.9 * math.log(0.9) + 9 * 0.01 * math.log(0.01)), _TRUE_SHARE)]),
], tol=CLOSE)


# ----------------------------------------------------------------------------- shapes the docstrings state
fixed_case("smooth_labels: an empty batch gives targets of shape (0, K)", "smooth_labels",
           [(([], 4, 0.1), np.zeros((0, 4)))], tol=Tol(0, why="exact: nothing to compute, only the shape (N, K) with N = 0"),
           what="smooth_labels([], 4, 0.1)")

# an exp, a sum and a division (exp(z - 3) / sum)
fixed_case("softmax: a single row of shape (K,), along its last axis", "softmax",
           [((np.array([1.0, 2.0, 3.0]),), [0.09003057317038046, 0.24472847105479764, 0.6652409557748218])],
           tol=CLOSE, what="softmax([1, 2, 3])")
