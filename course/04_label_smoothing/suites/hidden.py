"""Hidden tests of 04_label_smoothing (never shipped to students).

Every function is deterministic: it is compared with the reference on many seeded
inputs (several N, K, eps, both spreads, logit scales up to 1000), plus properties
(rows of targets sum to 1, rows of the gradient sum to 0, results finite at +-1000).
MISTAKES models the classic errors so that a wrong answer gets a targeted hint.
"""
import math

import numpy as np

from autograder.cases import Tol, entry, reference_case
from autograder.framework import (Fail, Mistake, StudentRaised, as_float_array, call_args, case, check_close, check_pure,
                                  expect, reference_value)
from autograder.suites.label_smoothing.common import (
    HINT_GOT_OTHERS, HINT_GOT_UNIFORM, HINT_NO_KEEP, HINT_EPS_NOT_SHARED, HINT_OTHERS_OVER_K,
    HINT_OTHERS_ON_TRUE, HINT_OVERFLOW, HINT_COLUMN_MAX, HINT_GLOBAL_MAX, HINT_GLOBAL_SUM,
    HINT_FORGOT_MAX, HINT_CE_BITS, HINT_CAPPED, HINT_LOG_SOFTMAX, check_finite, HINT_SUM_OVER_ROWS,
    HINT_MEAN_OVER_ALL_ENTRIES, HINT_TRUE_CLASS_ONLY
)

# Elementwise arithmetic with exp/log: correct implementations differ in the last few
# bits; relative 1e-10 (plus 1e-14 absolute for probabilities near 0, e.g. e^-30, whose
# relative error grows with the size of the exponent) is far below any real mistake.
RTOL = 1e-10
ATOL = 1e-14
CLOSE = Tol(RTOL, ATOL, why="elementwise arithmetic with exp/log: correct implementations differ in the last few bits; "
            "relative 1e-10 (plus 1e-14 absolute for probabilities near 0, e.g. e^-30, whose relative error grows "
            "with the size of the exponent) is far below any real mistake")

HINT_ROWS = ("you normalized each column; softmax normalizes each row (one sample) on its own, "
             "along the last axis.")
HINT_SIGN = ("your gradient has the wrong sign: d loss / d z = (softmax(z) - targets) / N, so the true "
             "class gets a negative entry when its probability is below its target.")
HINT_NOT_DIVIDED = ("your gradient is N times too large: the loss is a mean over the N rows, so divide "
                    "(softmax(z) - targets) by N.")
HINT_ZERO = ("a perfect model does not reach 0 on smoothed targets: the smallest loss is the entropy of the "
             "smoothed target, -sum_k t_k log t_k, which is > 0 for eps > 0.")
HINT_ONLY_TRUE = ("you kept only the true-class term; all K classes contribute -t_k log t_k to the "
                  "entropy of the smoothed target.")
HINT_ZERO_LOG_ZERO = ("your entropy is NaN where a target is exactly 0 (eps = 0, or eps = 1 with the 'others' "
                      "spread): by convention 0 log 0 = 0, so skip the zero entries.")
HINT_BITS = "use the natural logarithm (np.log), as the cross-entropy does, not log base 2."
HINT_EMPTY = ("with no labels (N = 0) the targets still have K columns: return an array of shape (0, K). "
              "np.array([]) of an empty list of rows has shape (0,); np.zeros((N, K)) or np.eye(K)[labels] "
              "keep the shape.")
HINT_LAST_AXIS = ("softmax must also accept a single row of shape (K,): take the maximum and the sum along "
                  "the last axis (axis=-1, keepdims=True), which is axis 1 for a matrix and axis 0 for one row.")
HINT_HARD = ("your gradient uses the one-hot of the largest target instead of the targets themselves: with "
             "smoothed (soft) targets it is (softmax(z) - targets) / N, every class keeping its own target.")
HINT_OVER_NK = ("your gradient is K times too small: the loss is a mean over the N rows (and a sum over the K "
                "classes), so divide (softmax(z) - targets) by N, not by N*K.")
HINT_EXTRA_JACOBIAN = ("your gradient carries an extra factor softmax * (1 - softmax): softmax(z) - targets "
                       "already is the full gradient of the cross-entropy with respect to the logits (the "
                       "softmax's derivative is folded into it), so do not multiply by p(1 - p) again.")
HINT_GRAD_COLUMNS = ("the softmax in your gradient normalizes each column; softmax(z) normalizes each row "
                     "(one sample) along the last axis.")
HINT_NO_K_MINUS_1 = ("you counted the other classes once: each of the K - 1 other classes contributes its own "
                     "-t log t, so that term is multiplied by K - 1.")
HINT_MINUS_LOG_1_EPS = ("-log(1 - eps) is the loss of one class predicted with probability 1 - eps; the smallest "
                        "loss is the entropy of the whole smoothed target, -sum_k t_k log t_k over all K classes.")
HINT_TRUE_SHARE = ("under spread='uniform' the true class also receives its share eps/K: its target is "
                   "1 - eps + eps/K, not 1 - eps.")


# ============================================================================ mistake models
def _targets(labels, k, eps, spread):
    onehot = np.eye(k)[np.asarray(labels, dtype=int)]
    if spread == "uniform":
        return (1 - eps) * onehot + eps / k
    return (1 - eps) * onehot + eps / (k - 1) * (1 - onehot)


def _only_if(condition):
    if not condition:
        raise ValueError("this mistake model does not apply here")  # skipped by the matcher


def _log_softmax(z):
    z = np.asarray(z, dtype=float)
    s = z - z.max(axis=-1, keepdims=True)
    return s - np.log(np.exp(s).sum(axis=-1, keepdims=True))


def _entropy_terms(k, eps, spread):
    if spread == "uniform":
        return 1 - eps + eps / k, eps / k
    return 1 - eps, eps / (k - 1)


def _xlogx(t):
    return 0.0 if t == 0 else t * math.log(t)


def _entropy(k, eps, spread):
    a, b = _entropy_terms(k, eps, spread)
    return -(_xlogx(a) + (k - 1) * _xlogx(b))


def _softmax_shifted(z, shift):
    """exp(z - shift) normalized per row: the softmax with a (possibly wrong) shift."""
    z = np.asarray(z, dtype=float)
    with np.errstate(all="ignore"):
        e = np.exp(z - shift)
        return e / e.sum(axis=-1, keepdims=True)


def _grad_model(probs, targets_of=lambda t: np.asarray(t, dtype=float), scale=lambda z: len(z), extra=False):
    def model(z, t):
        z = np.asarray(z, dtype=float)
        p = probs(z)
        g = (p - targets_of(t)) / scale(z)
        return g * p * (1 - p) if extra else g
    return model


def _onehot_of_largest(t):
    t = np.asarray(t, dtype=float)
    return np.eye(t.shape[1])[np.argmax(t, axis=1)]


def _other(spread):
    return "others" if spread == "uniform" else "uniform"


MISTAKES = {
    "smooth_labels": [
        Mistake("others instead of uniform",
                lambda labels, k, eps, spread="uniform": (_only_if(spread == "uniform"),
                                                          _targets(labels, k, eps, "others"))[1], HINT_GOT_OTHERS),
        Mistake("uniform instead of others",
                lambda labels, k, eps, spread="uniform": (_only_if(spread == "others"),
                                                          _targets(labels, k, eps, "uniform"))[1],
                HINT_GOT_UNIFORM),
        Mistake("no (1 - eps)",
                lambda labels, k, eps, spread="uniform":
                    _targets(labels, k, 0, spread) + (eps / k if spread == "uniform"
                                                      else eps / (k - 1) * (1 - _targets(labels, k, 0, spread))),
                HINT_NO_KEEP),
        Mistake("eps not divided",
                lambda labels, k, eps, spread="uniform":
                    _targets(labels, k, 0, spread) * (1 - eps) + (eps if spread == "uniform"
                                                                  else eps * (1 - _targets(labels, k, 0, spread))),
                HINT_EPS_NOT_SHARED),
        Mistake("eps/K on the others",
                lambda labels, k, eps, spread="uniform": (_only_if(spread == "others"),
                    (1 - eps) * _targets(labels, k, 0, spread) + eps / k * (1 - _targets(labels, k, 0, spread)))[1],
                HINT_OTHERS_OVER_K),
        Mistake("eps/(K-1) on the true class too",
                lambda labels, k, eps, spread="uniform": (_only_if(spread == "others"),
                    (1 - eps) * _targets(labels, k, 0, spread) + eps / (k - 1))[1], HINT_OTHERS_ON_TRUE),
    ],
    "softmax": [
        Mistake("normalized columns", lambda z: np.exp(_log_softmax(np.asarray(z, dtype=float).T).T) if np.ndim(z) == 2
                else None, HINT_ROWS),
        Mistake("divided by the sum of the whole array",   # after the usual shift by the row maximum
                lambda z: (lambda e: e / e.sum())(np.exp(np.asarray(z, dtype=float)
                                                         - np.max(z, axis=-1, keepdims=True))), HINT_GLOBAL_SUM),
        Mistake("one maximum for the whole array", lambda z: _softmax_shifted(z, np.max(z)), HINT_GLOBAL_MAX),
        Mistake("maximum of each column", lambda z: (_only_if(np.ndim(z) == 2),
                                                     _softmax_shifted(z, np.max(z, axis=0, keepdims=True)))[1],
                HINT_COLUMN_MAX),
        Mistake("no maximum subtracted", lambda z: _softmax_shifted(z, 0.0), HINT_OVERFLOW),
    ],
    "cross_entropy": [
        Mistake("sum over rows", lambda z, t: -float(np.sum(np.asarray(t) * _log_softmax(z))), HINT_SUM_OVER_ROWS),
        Mistake("mean over all entries", lambda z, t: -float(np.mean(np.asarray(t) * _log_softmax(z))),
                HINT_MEAN_OVER_ALL_ENTRIES),
        Mistake("true class only", lambda z, t: -float(np.mean(
                    np.take_along_axis(_log_softmax(z), np.argmax(np.asarray(t), axis=1)[:, None], axis=1))),
                HINT_TRUE_CLASS_ONLY),
        Mistake("max left out of the log-softmax", lambda z, t: -float(np.mean(np.sum(
                    np.asarray(t) * (_log_softmax(z) + np.max(z, axis=1, keepdims=True)), axis=1))),
                HINT_FORGOT_MAX),
        Mistake("log base 2", lambda z, t: -float(np.mean(np.sum(np.asarray(t) * _log_softmax(z), axis=1)))
                / math.log(2), HINT_CE_BITS),
    ],
    "cross_entropy_grad": [
        Mistake("not divided by N", lambda z, t: np.exp(_log_softmax(z)) - np.asarray(t), HINT_NOT_DIVIDED),
        Mistake("sign", lambda z, t: (np.asarray(t) - np.exp(_log_softmax(z))) / len(t), HINT_SIGN),
        Mistake("sign and not divided", lambda z, t: np.asarray(t) - np.exp(_log_softmax(z)),
                HINT_SIGN + " Also divide by N: the loss is a mean over the rows."),
        Mistake("one-hot of the largest target", _grad_model(lambda z: np.exp(_log_softmax(z)),
                                                             targets_of=_onehot_of_largest), HINT_HARD),
        Mistake("divided by N*K", _grad_model(lambda z: np.exp(_log_softmax(z)), scale=lambda z: z.size),
                HINT_OVER_NK),
        Mistake("extra p(1 - p)", _grad_model(lambda z: np.exp(_log_softmax(z)), extra=True), HINT_EXTRA_JACOBIAN),
        Mistake("softmax over columns", _grad_model(lambda z: np.exp(_log_softmax(z.T).T)), HINT_GRAD_COLUMNS),
    ],
    "min_cross_entropy": [
        Mistake("zero", lambda k, eps, spread="uniform": 0.0, HINT_ZERO),
        Mistake("log K", lambda k, eps, spread="uniform": math.log(k),
                "your value is log K, the entropy of a uniform distribution over the K classes; the smoothed "
                "targets are not uniform: their entropy is -sum_k t_k log t_k over the target row."),
        Mistake("others instead of uniform", lambda k, eps, spread="uniform":
                (_only_if(spread == "uniform"), _entropy(k, eps, "others"))[1], HINT_GOT_OTHERS),
        Mistake("uniform instead of others", lambda k, eps, spread="uniform":
                (_only_if(spread == "others"), _entropy(k, eps, "uniform"))[1], HINT_GOT_UNIFORM),
        Mistake("true class only", lambda k, eps, spread="uniform":
                -_xlogx(_entropy_terms(k, eps, spread)[0]), HINT_ONLY_TRUE),
        Mistake("minus log of the true target", lambda k, eps, spread="uniform":
                -math.log(_entropy_terms(k, eps, spread)[0]), HINT_ONLY_TRUE),
        Mistake("log base 2", lambda k, eps, spread="uniform": _entropy(k, eps, spread) / math.log(2), HINT_BITS),
        Mistake("other classes counted once", lambda k, eps, spread="uniform":
                -(_xlogx(_entropy_terms(k, eps, spread)[0]) + _xlogx(_entropy_terms(k, eps, spread)[1])),
                HINT_NO_K_MINUS_1),
        Mistake("minus log(1 - eps)", lambda k, eps, spread="uniform": -math.log(1 - eps), HINT_MINUS_LOG_1_EPS),
        Mistake("true class 1 - eps under uniform", lambda k, eps, spread="uniform":
                (_only_if(spread == "uniform"), -(_xlogx(1 - eps) + (k - 1) * _xlogx(eps / k)))[1],
                HINT_TRUE_SHARE),
    ],
}


def logits(rng, n, k, scale):
    return rng.standard_normal((n, k)) * scale


def soft_targets(rng, n, k):
    t = rng.gamma(0.5, size=(n, k)) + 1e-3
    return t / t.sum(axis=1, keepdims=True)


BIG = np.array([[1000.0, -1000.0, 0.0, 3.0], [-1000.0, 1000.0, 999.0, -1000.0],
                [1000.0, 1000.0, 1000.0, 1000.0], [-1000.0, -1000.0, -999.5, -1000.0]])


# ============================================================================ smooth_labels
def _smooth_random():
    rng = np.random.default_rng(401)
    calls = []
    # every K of 2, 3, 5, 10, 100 and eps of 0.1, 0.3, 0.9, 1.0 (1.0 with K = 2 and 5: the 'others' spread
    # then gives the true class 0), both spreads each time. Every mistake model is off at every setting,
    # except "eps not divided" with 'others' at K = 2, where eps / (K - 1) = eps.
    for k, eps in ((2, 1.0), (3, 0.1), (5, 1.0), (10, 0.9), (100, 0.3)):
        labels = rng.integers(0, k, size=int(rng.integers(1, 40)))
        for spread in ("uniform", "others"):
            calls.append(entry(call_args(labels, k, eps, spread=spread),
                               what=f"smooth_labels(labels, {k}, {eps}, {spread!r})"))
    return calls


reference_case("smooth_labels: random labels, K, eps and both spreads agree with the reference", "smooth_labels",
               _smooth_random, tol=CLOSE, points=4, mistakes=MISTAKES["smooth_labels"])


def _row_sums(spread):
    def check(got):
        got = as_float_array(got, "targets")
        expect(got.shape == (25, 7), f"targets have shape {got.shape}, expected (25, 7)")
        # sums of 7 numbers of order 1: 1e-12 absolute covers the rounding
        check_close(got.sum(axis=1), np.ones(25), rtol=0, atol=1e-12, what=f"row sums of the targets ({spread})",
                    mistakes=[Mistake("no (1 - eps)", np.full(25, 1.25), HINT_NO_KEEP),
                              Mistake("eps not divided", np.full(25, 0.75 + (7 if spread == "uniform" else 6) * 0.25),
                                      HINT_EPS_NOT_SHARED),
                              Mistake("eps/K on the others", np.full(25, 1 - 0.25 / 7), HINT_OTHERS_OVER_K),
                              Mistake("eps/(K-1) on the true class too", np.full(25, 0.75 + 7 * 0.25 / 6),
                                      HINT_OTHERS_ON_TRUE)])
    return check


def _smooth_edges():
    rng = np.random.default_rng(402)
    calls = []                      # per spread: the row-sum call, then three calls compared with the reference
    for spread in ("uniform", "others"):
        labels = rng.integers(0, 7, size=25)
        calls += [
            entry(call_args(labels, 7, 0.25, spread=spread), check=_row_sums(spread)),
            entry(call_args(labels, 7, 0.0, spread=spread), what=f"smooth_labels(labels, 7, 0.0, {spread!r})"),
            entry(call_args(np.array([0, 1, 1, 0]), 2, 0.2, spread=spread), what=f"smooth_labels with K = 2 ({spread})"),
            entry(call_args(np.zeros(0, dtype=np.int64), 4, 0.1, spread=spread),
                  what=f"smooth_labels on an empty batch ({spread}), shape (0, 4)",
                  tol=Tol(RTOL, why="an empty array: only its shape is checked"),
                  mistakes=[Mistake("shape (0,)", np.zeros(0), HINT_EMPTY)])]
    return calls


reference_case("smooth_labels: rows sum to 1; eps = 0 is one-hot; K = 2; empty batch", "smooth_labels", _smooth_edges,
               tol=CLOSE, points=2, mistakes=MISTAKES["smooth_labels"])

reference_case("smooth_labels: a list of labels and the default spread ('uniform')", "smooth_labels",
               lambda: [([2, 0, 1, 3], 4, 0.2)], tol=CLOSE,
               what="smooth_labels([2, 0, 1, 3], 4, 0.2) with the default spread", mistakes=MISTAKES["smooth_labels"])


# ============================================================================ softmax
def _softmax_random():
    rng = np.random.default_rng(411)
    settings = ((1, 2, 1.0), (5, 3, 2.0), (10, 10, 5.0), (4, 100, 10.0), (8, 6, 30.0))
    calls = [entry((logits(rng, n, k, scale),), what=f"softmax of a ({n}, {k}) array") for n, k, scale in settings]
    return calls + [entry((rng.standard_normal(6),), what="softmax of a single row, shape (6,)")]


def _single_row_raised(k, problem):
    """The last call is a single row: an error about an axis there gets its own hint."""
    if k == 5 and isinstance(problem, StudentRaised) and "axis" in problem.message.lower():
        raise Fail(f"softmax of a single row, shape (6,): {problem.message}", HINT_LAST_AXIS) from None


reference_case("softmax: random logits of many shapes agree with the reference", "softmax", _softmax_random, tol=CLOSE,
               points=3, mistakes=MISTAKES["softmax"], on_raise=_single_row_raised)


def _softmax_big_check(got, compare):
    got = as_float_array(got, "softmax at logits +-1000")
    try:
        # the mistake models are evaluated only on a mismatch (a model that does not apply is skipped)
        compare(got)
    except Fail as f:
        raise Fail(f.message, f.hint or (None if np.all(np.isfinite(got)) else HINT_OVERFLOW)) from None
    # sums of 4 probabilities: 1e-12 absolute covers the rounding
    check_close(got.sum(axis=1), np.ones(4), rtol=0, atol=1e-12, what="row sums of softmax at logits +-1000")


reference_case("softmax: finite at logits +-1000, rows sum to 1, empty batch", "softmax", lambda: [
    entry((BIG,), what="softmax at logits +-1000", check=_softmax_big_check),
    entry((np.zeros((0, 5)),), what="softmax of an empty batch, shape (0, 5)", mistakes=(),
          tol=Tol(RTOL, why="an empty array: only its shape is checked"))], tol=CLOSE, points=2,
    mistakes=MISTAKES["softmax"])


@case("softmax: does not modify z", points=1)
def _(sub, ref):
    z = np.random.default_rng(413).standard_normal((4, 3)) * 5
    # counts only with the right probabilities on this z (RTOL as in the random-logits case); then z must
    # come back bit-for-bit unchanged
    check_pure(sub, "softmax", (z.copy(),), {}, ["z"],
               reference_value(ref, "softmax", (z,), rtol=RTOL, mistakes=MISTAKES["softmax"]),
               "softmax must not modify z in place (for example `z -= z.max(...)`): work on a new array")


# ============================================================================ cross_entropy
def _ce_random(ref):
    rng = np.random.default_rng(421)
    kinds = {"smoothed": lambda n, k: ref.smooth_labels(rng.integers(0, k, n), k, 0.1),
             "soft": lambda n, k: soft_targets(rng, n, k),
             "hard": lambda n, k: ref.smooth_labels(rng.integers(0, k, n), k, 0.0)}
    calls = []
    # two kinds of targets per shape, each kind with at least three shapes: smoothed (eps = 0.1), soft
    # (random distributions) and hard (one-hot). Every mistake model is off on most entries; "true class
    # only" is right on hard targets, and "sum over rows" at N = 1, where the other entries catch them.
    for n, k, scale, target_kinds in ((1, 2, 1.0, ("smoothed", "hard")), (3, 3, 2.0, ("soft", "hard")),
                                      (16, 10, 4.0, ("smoothed", "soft")), (7, 50, 8.0, ("soft", "hard")),
                                      (5, 4, 30.0, ("smoothed", "soft"))):
        z = logits(rng, n, k, scale)
        for kind in target_kinds:
            calls.append(entry((z, kinds[kind](n, k)), what=f"cross_entropy for N = {n}, K = {k}, logits of scale {scale}"))
    return calls


reference_case("cross_entropy: random logits and targets agree with the reference", "cross_entropy", _ce_random,
               tol=CLOSE, points=3, mistakes=MISTAKES["cross_entropy"])


@case("cross_entropy: finite and correct at logits +-1000", points=2)
def _(sub, ref):
    # eps = 0 gives the same one-hot targets under both spreads (the same call twice): one call
    for eps, spread in ((0.1, "uniform"), (0.1, "others"), (0.0, "uniform")):
        targets = ref.smooth_labels([0, 2, 1, 3], 4, eps, spread)
        expected = ref.cross_entropy(BIG, targets)          # the reference's answers are cached per process
        got = check_finite(sub.cross_entropy(BIG, targets), "cross_entropy at logits +-1000", HINT_LOG_SOFTMAX)
        try:
            # the mistake models are evaluated only on a mismatch
            check_close(got, expected, rtol=RTOL, what=f"cross_entropy at logits +-1000 (eps = {eps}, {spread})",
                        mistakes=MISTAKES["cross_entropy"], args=(BIG, targets))
        except Fail as f:
            # capped: below the true loss but not negative (a negative loss is a dropped sign, not a clip)
            low = got.size == 1 and 0.0 <= float(got.reshape(-1)[0]) < expected
            raise Fail(f.message, f.hint or (HINT_CAPPED if low else None)) from None


# ============================================================================ cross_entropy_grad
def _grad_random(ref):
    rng = np.random.default_rng(431)
    calls = []
    for n, k, scale in ((1, 2, 1.0), (3, 3, 2.0), (16, 10, 4.0), (7, 50, 8.0), (5, 4, 30.0)):
        z = logits(rng, n, k, scale)
        for targets in (ref.smooth_labels(rng.integers(0, k, n), k, 0.2, "others"), soft_targets(rng, n, k)):
            calls.append(entry((z, targets), what=f"cross_entropy_grad for N = {n}, K = {k}"))
    return calls


reference_case("cross_entropy_grad: random logits and targets agree with the reference", "cross_entropy_grad",
               _grad_random, tol=CLOSE, points=3, mistakes=MISTAKES["cross_entropy_grad"])


@case("cross_entropy_grad: rows sum to 0 and stay finite at logits +-1000", points=2)
def _(sub, ref):
    targets = ref.smooth_labels([1, 0, 3, 2], 4, 0.1)
    expected = ref.cross_entropy_grad(BIG, targets)         # the reference's answers are cached per process
    got = check_finite(sub.cross_entropy_grad(BIG, targets), "cross_entropy_grad at logits +-1000", HINT_OVERFLOW)
    # the mistake models are evaluated only on a mismatch
    check_close(got, expected, rtol=RTOL, atol=ATOL, what="cross_entropy_grad at logits +-1000",
                mistakes=MISTAKES["cross_entropy_grad"], args=(BIG, targets))
    # each row: (1 - 1) / N up to rounding of 4 terms of order 1
    check_close(got.sum(axis=1), np.zeros(4), rtol=0, atol=1e-12, what="row sums of the gradient")


# ============================================================================ min_cross_entropy
def _min_ce_random(ref):
    rng = np.random.default_rng(441)
    calls = []
    # every K of 3, 7, 10, 1000 and every eps of 0.01, 0.1, 0.6 and one drawn from [0.05, 0.5] (r), both
    # spreads each time (K = 2 is in the edge cases below); every mistake model is off at every setting.
    for k, eps in ((3, "r"), (7, 0.6), (10, 0.1), (1000, 0.01), (1000, 0.6)):
        eps = float(rng.uniform(0.05, 0.5)) if eps == "r" else eps
        for spread in ("uniform", "others"):
            calls.append(entry(call_args(k, eps, spread=spread), what=f"min_cross_entropy({k}, {eps:.4g}, {spread!r})"))
    return calls


reference_case("min_cross_entropy: random K and eps, both spreads agree with the reference", "min_cross_entropy",
               _min_ce_random, tol=CLOSE, points=3, mistakes=MISTAKES["min_cross_entropy"])


def _finite_first(label):
    """A check that the value is finite (0 log 0 is 0 by convention), then the comparison with the reference."""
    def check(got, compare):
        if not np.all(np.isfinite(as_float_array(got, label))):
            raise Fail(f"{label} is NaN or infinite", HINT_ZERO_LOG_ZERO)
        compare(got)
    return check


def _min_ce_edges():
    # eps = 1: 'uniform' targets are all 1/K (entropy log K); 'others' puts 0 on the true class
    # (entropy log(K - 1), and exactly 0 for K = 2).
    return [entry(call_args(k, eps, spread=spread), what=label, check=_finite_first(label))
            for k, eps, spread in ((4, 1.0, "uniform"), (4, 1.0, "others"), (2, 1.0, "others"), (2, 0.0, "others"),
                                   (2, 0.3, "uniform"), (6, 0.0, "uniform"))
            for label in [f"min_cross_entropy({k}, {eps}, {spread!r})"]]


# one call per setting: its value must be finite, then agree with the reference; all in one round trip
reference_case("min_cross_entropy: edge cases eps = 0 and eps = 1, K = 2", "min_cross_entropy", _min_ce_edges, tol=CLOSE,
               mistakes=MISTAKES["min_cross_entropy"])
