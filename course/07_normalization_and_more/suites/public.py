"""Public tests of 07_normalization_and_more (shipped with the assignment).

The normalization examples are built so that the arithmetic is exact by hand: every
column (batch norm) or row (layer norm) is [0, 2, 4, 6] or [1, -1, 3, 5] up to order,
whose mean is 3 or 2 and whose biased variance is 5, and eps = 4, so that
sqrt(var + eps) = 3 and xhat takes the values -1, -1/3, 1/3, 1.

Backward cases call YOUR forward to get a cache, hand that cache to YOUR backward and
compare the gradients with the values worked out by hand. A forward whose output is
wrong but whose cache is right does not cost points here; a forward that caches wrong
statistics (N - 1, eps outside the root, wrong axis) costs points in both.

mixup and stochastic_depth are random: they are checked through identities that
hold for every random draw (one lam per call, a permutation partner, whole samples
kept or dropped), never through one particular random stream.
"""
import numpy as np

from autograder.framework import (Fail, Mistake, StudentRaised, as_float_array, case, check_close, expect,
                                  passes_either, within)
from autograder.protocol import Callable, Rng
from autograder.suites.normalization.common import (
    HINT_DDOF, HINT_EPS, HINT_NO_AFFINE, HINT_BN_AXIS, HINT_LN_AXIS, HINT_NO_MEAN, HINT_NO_XHAT,
    HINT_NO_GAMMA, HINT_NO_BETA, HINT_NO_SCALE, HINT_BY_VAR, HINT_DGAMMA_X, HINT_PARAM_MEAN,
    HINT_NAIVE, HINT_MEANS_N1, HINT_PARAM_AXIS, HINT_FIX_FORWARD, HINT_GAMMA_AXIS, HINT_KEEPDIMS,
    HINT_MIX_LABELS, HINT_MIX_SAME, HINT_MIX_ONE_LAM, HINT_MIX_SIDE, HINT_MIX_PERM,
    HINT_SD_INFERENCE, HINT_SD_RESCALE, HINT_SD_PAPER, HINT_SD_WHOLE_OUTPUT,
    HINT_SD_RANDOM_AT_INFERENCE, HINT_SD_WHOLE, HINT_J_NO_DERIV, HINT_J_ONE_MINUS_TANH,
    HINT_J_NOT_SQUARED, HINT_J_COLUMNS, HINT_J_MEAN, HINT_J_NO_BIAS, HINT_J_ROOT, HINT_J_UNIT_MEAN,
    HINT_RNG, HINT_SD_PER_SAMPLE
)

# The expected values are exact fractions; correct implementations differ from them
# only in the last bits (a few float64 operations on O(1) numbers), so 1e-10 is
# generous for rounding and far below any real mistake (they move results by > 1e-2).
RTOL = 1e-10
ATOL = 1e-12   # for entries that are exactly 0
# Identities checked on random outputs (lam*x + (1 - lam)*x_j, x + c*r): a few float64
# operations on O(1) values, so they hold to ~1e-15; 1e-10 absorbs any evaluation order.
TOL = 1e-10

THIRD = 1 / 3
XHAT = np.array([-1, -THIRD, THIRD, 1])          # (dev) / 3 for dev = [-3, -1, 1, 3]
DEV_A = np.array([-3.0, -1.0, 1.0, 3.0])          # [0, 2, 4, 6] - 3
DEV_B = np.array([-1.0, -3.0, 1.0, 3.0])          # [1, -1, 3, 5] - 2

HINT_GRAD_AXIS = ("the mean terms of your dx are taken over the other axis: they run over the same axis as "
                  "the forward statistics (axis 0 for batch norm, axis 1 for layer norm), because that is the "
                  "axis the mean and variance mix.")


def _checks_after_forward(forward_out, expected_out):
    """check_close for a backward case, pointing at the forward when the forward's output is wrong too."""
    try:
        forward_ok = np.allclose(as_float_array(forward_out), expected_out, rtol=RTOL, atol=ATOL)
    except (Fail, ValueError):
        forward_ok = False

    def check(*args, **kwargs):
        try:
            check_close(*args, **kwargs)
        except Fail as f:
            if forward_ok:
                raise
            raise Fail(f.message + " (your forward's output is wrong on this input as well)",
                       f.hint or HINT_FIX_FORWARD) from None
    return check


def _pair(result, what, names):
    if not isinstance(result, (tuple, list)) or len(result) != len(names):
        raise Fail(f"{what} must return a tuple ({', '.join(names)}), got {type(result).__name__}"
                   + (f" of length {len(result)}" if isinstance(result, (tuple, list)) else ""))
    return result


# ----------------------------------------------------------------------------- batch norm
BN_X = np.array([[0.0, 1.0], [2.0, -1.0], [4.0, 3.0], [6.0, 5.0]])   # columns [0,2,4,6], [1,-1,3,5]
BN_GAMMA, BN_BETA = np.array([2.0, -1.0]), np.array([0.5, 1.0])
BN_XHAT = np.stack([XHAT, [-THIRD, -1, THIRD, 1]], axis=1)
BN_DOUT = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, 2.0], [2.0, -1.0]])
BN_OUT = [[-1.5, 4 / 3], [-1 / 6, 2.0], [7 / 6, 2 / 3], [2.5, 0.0]]


@case("batchnorm_forward: hand-worked 4x2 batch, eps = 4", points=2)
def _(sub):
    out, _ = _pair(sub.batchnorm_forward(BN_X, BN_GAMMA, BN_BETA, 4.0), "batchnorm_forward", ("out", "cache"))
    dev = np.stack([DEV_A, DEV_B], axis=1)
    rows = BN_X - BN_X.mean(axis=1, keepdims=True)                  # +-0.5, +-1.5, +-0.5, +-0.5
    check_close(out, BN_OUT, rtol=RTOL, atol=ATOL,
                what="batchnorm_forward(x, gamma, beta, 4)[0]", mistakes=[
        Mistake("N - 1", BN_GAMMA * dev / np.sqrt(20 / 3 + 4) + BN_BETA, HINT_DDOF),
        Mistake("eps outside", BN_GAMMA * dev / (np.sqrt(5) + 4) + BN_BETA, HINT_EPS),
        Mistake("no gamma/beta", BN_XHAT, HINT_NO_AFFINE),
        Mistake("no beta", BN_GAMMA * BN_XHAT, HINT_NO_BETA),
        Mistake("no gamma", BN_XHAT + BN_BETA, HINT_NO_SCALE),
        Mistake("divided by the variance", BN_GAMMA * dev / 9 + BN_BETA, HINT_BY_VAR),        # var + eps = 9
        Mistake("axis 1", BN_GAMMA * rows / np.sqrt(np.mean(rows ** 2, axis=1, keepdims=True) + 4) + BN_BETA,
                HINT_BN_AXIS),
    ])


@case("batchnorm_backward: hand-worked 4x2 batch through your own forward", points=2)
def _(sub):
    def own_forward():
        out, cache = _pair(sub.batchnorm_forward(BN_X, BN_GAMMA, BN_BETA, 4.0), "batchnorm_forward", ("out", "cache"))
        _check_bn_grads(sub.batchnorm_backward(BN_DOUT, cache), _checks_after_forward(out, BN_OUT))

    # one mistake, one function: a backward that is right on the reference forward's cache passes even when
    # the student's own forward is wrong (that costs the forward's points only)
    passes_either(own_forward, lambda: _check_bn_grads(sub.batchnorm_backward(BN_DOUT, BN_CACHE), check_close))


# the reference forward's cache on BN_X with eps = 4: both columns have variance 5, so 1/sqrt(5 + 4) = 1/3
BN_CACHE = {"xhat": BN_XHAT, "inv_std": np.array([THIRD, THIRD]), "gamma": BN_GAMMA}


def _check_bn_grads(result, check):
    dx, dgamma, dbeta = _pair(result, "batchnorm_backward", ("dx", "dgamma", "dbeta"))
    check(dbeta, [2.0, 2.0], rtol=RTOL, what="dbeta", mistakes=[
        Mistake("axis 1", [1.0, 1.0, 1.0, 1.0], HINT_PARAM_AXIS),
        Mistake("mean over the batch", [0.5, 0.5], HINT_PARAM_MEAN)])
    check(dgamma, [2 / 3, -4 / 3], rtol=RTOL, what="dgamma", mistakes=[
        Mistake("axis 1", [-1.0, -1.0, THIRD, 1.0], HINT_PARAM_AXIS),
        Mistake("mean over the batch", [1 / 6, -THIRD], HINT_PARAM_MEAN),
        Mistake("dout * x", [8.0, 0.0], HINT_DGAMMA_X)])
    check(dx, [[4 / 9, 11 / 54], [-8 / 27, -1 / 18], [-28 / 27, -29 / 54], [8 / 9, 7 / 18]],
                rtol=RTOL, atol=ATOL, what="dx", mistakes=[
        Mistake("no mean term", [[7 / 9, 1 / 27], [1 / 27, -2 / 9], [-19 / 27, -19 / 27], [11 / 9, 2 / 9]],
                HINT_NO_MEAN),
        Mistake("no xhat term", [[THIRD, 1 / 6], [-THIRD, -1 / 6], [-1.0, -0.5], [1.0, 0.5]], HINT_NO_XHAT),
        Mistake("no gamma", [[2 / 9, -11 / 54], [-4 / 27, 1 / 18], [-14 / 27, 29 / 54], [4 / 9, -7 / 18]],
                HINT_NO_GAMMA),
        Mistake("means over axis 1", [[0.0, -4 / 9], [2 / 9, 0.0], [2 / 27, 2 / 27], [-THIRD, -4 / 3]],
                HINT_GRAD_AXIS),
        Mistake("neither mean term", BN_DOUT * BN_GAMMA / 3, HINT_NAIVE),
        Mistake("means over N - 1", [[10 / 27, 22 / 81], [-32 / 81, 1 / 27], [-94 / 81, -40 / 81], [20 / 27, 11 / 27]],
                HINT_MEANS_N1),
    ])


# ----------------------------------------------------------------------------- layer norm
LN_X = np.array([[0.0, 2.0, 4.0, 6.0], [1.0, -1.0, 3.0, 5.0]])
LN_GAMMA, LN_BETA = np.array([2.0, -1.0, 0.5, 1.0]), np.array([0.5, 1.0, 0.0, -1.0])
LN_XHAT = np.stack([XHAT, [-THIRD, -1, THIRD, 1]])
LN_DOUT = np.array([[1.0, 0.0, -1.0, 2.0], [0.0, 1.0, 2.0, -1.0]])
LN_OUT = [[-1.5, 4 / 3, 1 / 6, 0.0], [-1 / 6, 2.0, 1 / 6, 0.0]]


def layernorm_call(sub, x, gamma, beta, eps):
    """The student's layernorm_forward; a broadcasting error from row statistics of shape (N,), or from
    gamma/beta reshaped to (D, 1), gets a hint."""
    try:
        return sub.layernorm_forward(x, gamma, beta, eps)
    except StudentRaised as exc:
        if "broadcast" in exc.message and f"({x.shape[0]},)" in exc.message:
            raise Fail(exc.message, HINT_KEEPDIMS) from None
        if "broadcast" in exc.message and f"({x.shape[1]},1)" in exc.message.replace(" ", ""):
            raise Fail(exc.message, HINT_GAMMA_AXIS) from None
        raise


@case("layernorm_forward: hand-worked 2x4 batch, eps = 4", points=2)
def _(sub):
    out, _ = _pair(layernorm_call(sub, LN_X, LN_GAMMA, LN_BETA, 4.0), "layernorm_forward", ("out", "cache"))
    dev = np.stack([DEV_A, DEV_B])
    cols = LN_X - LN_X.mean(axis=0)                                # +-0.5, +-1.5, +-0.5, +-0.5
    check_close(out, LN_OUT, rtol=RTOL, atol=ATOL,
                what="layernorm_forward(x, gamma, beta, 4)[0]", mistakes=[
        Mistake("N - 1", LN_GAMMA * dev / np.sqrt(20 / 3 + 4) + LN_BETA, HINT_DDOF),
        Mistake("eps outside", LN_GAMMA * dev / (np.sqrt(5) + 4) + LN_BETA, HINT_EPS),
        Mistake("no gamma/beta", LN_XHAT, HINT_NO_AFFINE),
        Mistake("no beta", LN_GAMMA * LN_XHAT, HINT_NO_BETA),
        Mistake("no gamma", LN_XHAT + LN_BETA, HINT_NO_SCALE),
        Mistake("divided by the variance", LN_GAMMA * dev / 9 + LN_BETA, HINT_BY_VAR),        # var + eps = 9
        Mistake("axis 0", LN_GAMMA * cols / np.sqrt(np.mean(cols ** 2, axis=0) + 4) + LN_BETA, HINT_LN_AXIS),
    ])


@case("layernorm_backward: hand-worked 2x4 batch through your own forward", points=2)
def _(sub):
    def own_forward():
        out, cache = _pair(sub.layernorm_forward(LN_X, LN_GAMMA, LN_BETA, 4.0), "layernorm_forward", ("out", "cache"))
        _check_ln_grads(sub.layernorm_backward(LN_DOUT, cache), _checks_after_forward(out, LN_OUT))

    # one mistake, one function: a backward that is right on the reference forward's cache passes even when
    # the student's own forward is wrong (that costs the forward's points only)
    passes_either(own_forward, lambda: _check_ln_grads(sub.layernorm_backward(LN_DOUT, LN_CACHE), check_close))


# the reference forward's cache on LN_X with eps = 4: both rows have variance 5, so 1/sqrt(5 + 4) = 1/3
LN_CACHE = {"xhat": LN_XHAT, "inv_std": np.array([[THIRD], [THIRD]]), "gamma": LN_GAMMA}


def _check_ln_grads(result, check):
    dx, dgamma, dbeta = _pair(result, "layernorm_backward", ("dx", "dgamma", "dbeta"))
    check(dbeta, [1.0, 1.0, 1.0, 1.0], rtol=RTOL, what="dbeta", mistakes=[
        Mistake("axis 1", [2.0, 2.0], HINT_PARAM_AXIS),
        Mistake("per sample", LN_DOUT, HINT_PARAM_AXIS),
        Mistake("mean over the batch", [0.5, 0.5, 0.5, 0.5], HINT_PARAM_MEAN)])
    check(dgamma, [-1.0, -1.0, THIRD, 1.0], rtol=RTOL, what="dgamma", mistakes=[
        Mistake("axis 1", [2 / 3, -4 / 3], HINT_PARAM_AXIS),
        Mistake("per sample", LN_DOUT * LN_XHAT, HINT_PARAM_AXIS),
        Mistake("mean over the batch", [-0.5, -0.5, 1 / 6, 0.5], HINT_PARAM_MEAN),
        Mistake("dout * x", [0.0, -1.0, 2.0, 7.0], HINT_DGAMMA_X)])
    check(dx, [[13 / 36, -8 / 27, -49 / 108, 7 / 18], [5 / 54, -2 / 9, 11 / 27, -5 / 18]],
                rtol=RTOL, atol=ATOL, what="dx", mistakes=[
        Mistake("no mean term", [[47 / 72, -1 / 216, -35 / 216, 49 / 72], [1 / 108, -11 / 36, 35 / 108, -13 / 36]],
                HINT_NO_MEAN),
        Mistake("no xhat term", [[3 / 8, -7 / 24, -11 / 24, 3 / 8], [1 / 12, -1 / 4, 5 / 12, -1 / 4]],
                HINT_NO_XHAT),
        Mistake("no gamma", [[2 / 9, -4 / 27, -14 / 27, 4 / 9], [-11 / 54, 1 / 18, 29 / 54, -7 / 18]],
                HINT_NO_GAMMA),
        Mistake("means over axis 0", [[0.0, 2 / 9, -7 / 27, THIRD], [-4 / 9, 0.0, 13 / 54, -2 / 3]],
                HINT_GRAD_AXIS),
        Mistake("neither mean term", LN_DOUT * LN_GAMMA / 3, HINT_NAIVE),
        Mistake("means over D - 1", [[7 / 27, -32 / 81, -89 / 162, 8 / 27], [10 / 81, -5 / 27, 35 / 81, -7 / 27]],
                HINT_MEANS_N1),
    ])


# ----------------------------------------------------------------------------- mixup


def _rows_fit_own_weights(x, x_mix):
    """True if every row is w_i * x[i] + (1 - w_i) * x[j] for some row j and a weight w_i of its own."""
    for i in range(len(x)):
        fits = False
        for j in range(len(x)):
            d = x[i] - x[j]
            if j != i and d.any():
                w = (x_mix[i] - x[j]) @ d / (d @ d)
                fits |= bool(np.abs(x_mix[i] - (w * x[i] + (1 - w) * x[j])).max() <= TOL)
        if not fits:
            return False
    return True


@case("mixup: one lam in [0, 1], permutation partners, labels mixed alike (rows sum to 1)", points=2)
def _(sub):
    x = np.array([[0.0, 1.0], [2.0, -1.0], [-1.5, 0.5], [3.0, 3.0], [1.0, -2.0]])   # distinct rows
    y = np.eye(3)[[0, 1, 2, 1, 0]]
    perms = []

    def check(result):
        result = _pair(result, "mixup", ("x_mix", "y_mix", "lam"))
        x_mix, y_mix = as_float_array(result[0], "x_mix"), as_float_array(result[1], "y_mix")
        lam = as_float_array(result[2], "lam")
        expect(lam.size == 1, f"lam has {lam.size} values, expected one number", HINT_MIX_ONE_LAM)
        lam = float(lam.reshape(()))
        expect(0.0 <= lam <= 1.0, f"lam = {lam} is outside [0, 1]")
        expect(x_mix.shape == x.shape, f"x_mix has shape {x_mix.shape}, expected {x.shape}")
        expect(y_mix.shape == y.shape, f"y_mix has shape {y_mix.shape}, expected {y.shape}")
        # partner j of row i: x_mix[i] = lam * x[i] + (1 - lam) * x[j]
        err = np.abs(x_mix[:, None, :] - (lam * x[:, None, :] + (1 - lam) * x[None, :, :])).max(axis=2)
        perm = err.argmin(axis=1)
        if ((err <= TOL).sum(axis=1) > 1).any():        # near-ties (lam ~ 1): take the partner fitting y too
            err_y = np.abs(y_mix[:, None, :] - (lam * y[:, None, :] + (1 - lam) * y[None, :, :])).max(axis=2)
            tied = np.where(err <= TOL, err_y, np.inf)
            perm = np.where(np.isfinite(tied.min(axis=1)), tied.argmin(axis=1), perm)
        if not within(err[np.arange(5), perm], 0.0, TOL):       # (a NaN error never fits)
            swapped = np.abs(x_mix[:, None, :] - ((1 - lam) * x[:, None, :] + lam * x[None, :, :])).max(axis=2)
            raise Fail(f"x_mix row {int(err[np.arange(5), perm].argmax())} is not lam * x[i] + (1 - lam) * x[j] "
                       f"for your lam = {lam:.6g} and any row j",
                       HINT_MIX_SIDE if swapped.min(axis=1).max() <= TOL
                       else HINT_MIX_ONE_LAM if _rows_fit_own_weights(x, x_mix) else None)
        expect(np.allclose(y_mix.sum(axis=1), 1.0, rtol=0, atol=TOL),
               "rows of y_mix do not sum to 1 although the rows of y_onehot do", HINT_MIX_SAME)
        if not np.allclose(y_mix, lam * y + (1 - lam) * y[perm], rtol=0, atol=TOL):
            raise Fail("y_mix is not lam * y + (1 - lam) * y[perm] with the lam and partners of x_mix",
                       HINT_MIX_LABELS if np.allclose(y_mix, y, rtol=0, atol=TOL) and lam < 1 - 1e-3
                       else HINT_MIX_SAME)
        if 1 - lam > 1e-3:       # otherwise the partner cannot be identified from x_mix
            expect(sorted(perm) == list(range(5)), f"the partners {perm.tolist()} are not a permutation",
                   HINT_MIX_PERM)
            perms.append(tuple(perm))
        return x_mix, y_mix, lam

    # the 7 calls (seeds 0 to 5, then 0 again) go to your code in one message, each result checked in turn
    results = sub.call_each("mixup", [(x, y, 1.0, Rng(seed)) for seed in (0, 1, 2, 3, 4, 5, 0)], check)
    expect(any(p != tuple(range(5)) for p in perms),
           "every row was mixed with itself in all calls: x_mix equals x", HINT_MIX_PERM)
    # the same seed gives the same generator, so the same lam and partners, bit for bit
    expect(all(np.array_equal(a, b) for a, b in zip(results[0], results[-1])),
           "two calls with the same seed gave different results", HINT_RNG)
    # six independent uniform permutations of 5 rows all equal: probability 120^-5 = 4e-11
    expect(len(perms) < 7 or len(set(perms[:6])) > 1, "the partners are the same in every call", HINT_MIX_PERM)


# ----------------------------------------------------------------------------- stochastic depth


@case("stochastic_depth: inference returns x + residual(x)", points=1)
def _(sub):
    x = np.array([[0.5, -1.0], [2.0, 0.0], [-0.25, 1.5]])
    got = sub.stochastic_depth(x, Callable("scale", 2.0), 0.25, Rng(0), training=False)
    try:
        check_close(got, 3 * x, rtol=RTOL, atol=ATOL, what="stochastic_depth(x, 2x, 0.25, rng, training=False)",
                    mistakes=[Mistake("divided", x + 8 * x, HINT_SD_INFERENCE),
                              Mistake("times p", x + 0.5 * x, HINT_SD_PAPER),
                              Mistake("dropped", x, HINT_SD_INFERENCE)])
    except Fail as f:
        # each row x (dropped) or x + 2x / 0.25 = 9x (kept): the training-mode draw was made at inference
        out = as_float_array(got, "out")
        random_rows = out.shape == x.shape and all(
            np.allclose(o, x_i, rtol=0, atol=TOL) or np.allclose(o, 9 * x_i, rtol=0, atol=TOL) for o, x_i in zip(out, x))
        raise Fail(f.message, f.hint or (HINT_SD_RANDOM_AT_INFERENCE if random_rows else None)) from None


@case("stochastic_depth: training keeps or drops each whole sample, kept ones scaled by 1/survival_prob",
      points=1)
def _(sub):
    x = np.array([[0.5, -1.0, 2.0], [1.0, 0.25, -0.5], [2.0, 1.0, 1.0], [-1.0, -2.0, 0.5]])

    def check(out):
        out = as_float_array(out, "out")
        expect(out.shape == x.shape, f"out has shape {out.shape}, expected {x.shape}")
        # residual(x) = 2x, so out = x + c * 2x with c = b / 0.5 in {0, 2}: out is x or 5x per row
        if np.all((np.abs(out - x) <= TOL).all(axis=1) | (np.abs(out - 5 * x) <= TOL).all(axis=1)):
            return
        for i in range(4):
            if np.allclose(out[i], x[i], rtol=0, atol=TOL) or np.allclose(out[i], 5 * x[i], rtol=0, atol=TOL):
                continue
            if np.allclose(out[i], 3 * x[i], rtol=0, atol=TOL):
                raise Fail(f"row {i} is x + residual(x) in training with survival_prob = 0.5", HINT_SD_RESCALE)
            if np.allclose(out[i], 2 * x[i], rtol=0, atol=TOL) or np.allclose(out[i], 6 * x[i], rtol=0, atol=TOL):
                # (x + b * 2x) / 0.5: the identity path was divided by survival_prob as well
                raise Fail(f"row {i} of out is {out[i].tolist()}: neither x[i] (dropped) nor x[i] + "
                           "residual(x)[i]/0.5 (kept)", HINT_SD_WHOLE_OUTPUT)
            per_entry = np.isclose(out[i], x[i], rtol=0, atol=TOL) | np.isclose(out[i], 5 * x[i], rtol=0, atol=TOL)
            raise Fail(f"row {i} of out is {out[i].tolist()}: neither x[i] (dropped) nor x[i] + residual(x)[i]/0.5 "
                       "(kept)", HINT_SD_WHOLE if per_entry.all() else None)

    # the 4 calls (seeds 0 to 3) go to your code in one message, and each result is checked in turn
    sub.call_each("stochastic_depth", [(x, Callable("scale", 2.0), 0.5, Rng(seed)) for seed in range(4)], check)


@case("stochastic_depth: survival_prob = 1 keeps every branch; samples survive independently", points=1)
def _(sub):
    x = np.array([[0.5, -1.0], [2.0, 0.0], [-0.25, 1.5]])
    # survival_prob = 1: every branch is kept and divided by 1, so training gives x + 2x exactly
    check_close(sub.stochastic_depth(x, Callable("scale", 2.0), 1.0, Rng(0), training=True), 3 * x, rtol=RTOL,
                atol=ATOL, what="stochastic_depth(x, 2x, 1.0, rng, training=True)")
    # 1,000 samples at survival_prob = 0.5: each row is x (dropped) or x + 2x / 0.5 = 5x (kept); all kept or
    # all dropped together has probability 2 * 2^-1000
    out = as_float_array(sub.stochastic_depth(np.ones((1000, 1)), Callable("scale", 2.0), 0.5, Rng(1)), "out")
    expect(out.shape == (1000, 1), f"out has shape {out.shape}, expected (1000, 1)")
    expect(bool(np.any(np.abs(out - 1) <= TOL)) and bool(np.any(np.abs(out - 5) <= TOL)),
           "all 1000 samples of the call were kept or dropped together", HINT_SD_PER_SAMPLE)


# ----------------------------------------------------------------------------- Jacobian penalty
HINT_J_ONE_AT_ZERO = ("your penalty equals ||W||_F^2, as if tanh' were 1 for every output. Here x = 0, so the "
                      "pre-activation is a = b: either the chain rule through tanh is missing (row i of W is "
                      "scaled by tanh'(a_i) = 1 - tanh(a_i)^2), or b was left out of a = W x + b.")


@case("jacobian_penalty: hand-worked 2x2 layer (tanh' = 1 and 0.75)", points=1)
def _(sub):
    W = np.array([[1.0, 2.0], [0.0, 3.0]])     # row norms^2: 5 and 9
    b = np.array([0.0, np.arctanh(0.5)])      # at x = 0: tanh = 0 and 0.5, tanh' = 1 and 0.75
    check_close(sub.jacobian_penalty(W, b, np.zeros(2)), 5 + 0.75 ** 2 * 9, rtol=RTOL,
                what="jacobian_penalty(W, b, 0)", mistakes=[
        Mistake("no derivative, or b left out", 14.0, HINT_J_ONE_AT_ZERO),
        Mistake("1 - tanh", 5 + 0.5 ** 2 * 9, HINT_J_ONE_MINUS_TANH),
        Mistake("norm, not squared", np.sqrt(5 + 0.75 ** 2 * 9), HINT_J_ROOT),
        Mistake("mean over the outputs", (5 + 0.75 ** 2 * 9) / 2, HINT_J_UNIT_MEAN),
        Mistake("not squared", 5 + 0.75 * 9, HINT_J_NOT_SQUARED),
        Mistake("column norms", 1 + 0.75 ** 2 * 13, HINT_J_COLUMNS),      # column norms^2: 1 and 13
    ])


@case("jacobian_penalty: a batch of two inputs gives the mean penalty", points=1)
def _(sub):
    W = np.array([[1.0, 2.0], [0.0, 3.0]])
    b = np.array([0.0, np.arctanh(0.5)])
    # second input x = (0, c) with c = (arctanh(0.8) - arctanh(0.5)) / 3: tanh(a) = (tanh(2c), 0.8)
    c = (np.arctanh(0.8) - np.arctanh(0.5)) / 3
    t1, t2 = np.array([0.0, 0.5]), np.array([np.tanh(2 * c), 0.8])

    def per_sample(deriv, norms):        # sum_i deriv(t_i) * norms_i, averaged over the two samples
        return (deriv(t1) @ norms + deriv(t2) @ norms) / 2

    rows, cols = np.array([5.0, 9.0]), np.array([1.0, 13.0])
    right = per_sample(lambda t: (1 - t ** 2) ** 2, rows)
    check_close(sub.jacobian_penalty(W, b, np.array([[0.0, 0.0], [0.0, c]])), right, rtol=RTOL,
                what="jacobian_penalty(W, b, x) for x of shape (2, 2)", mistakes=[
        Mistake("sum", 2 * right, HINT_J_MEAN),
        Mistake("no derivative", 14.0, HINT_J_NO_DERIV),
        Mistake("1 - tanh", per_sample(lambda t: (1 - t) ** 2, rows), HINT_J_ONE_MINUS_TANH),
        Mistake("not squared", per_sample(lambda t: 1 - t ** 2, rows), HINT_J_NOT_SQUARED),
        Mistake("column norms", per_sample(lambda t: (1 - t ** 2) ** 2, cols), HINT_J_COLUMNS),
        # without b the pre-activations are W x = (0, 0) and (2c, 3c)
        Mistake("b left out", ((1 - np.zeros(2) ** 2) ** 2 @ rows
                               + (1 - np.tanh(np.array([2 * c, 3 * c])) ** 2) ** 2 @ rows) / 2, HINT_J_NO_BIAS),
        Mistake("norm, not squared", (np.sqrt((1 - t1 ** 2) ** 2 @ rows) + np.sqrt((1 - t2 ** 2) ** 2 @ rows)) / 2,
                HINT_J_ROOT),
        Mistake("mean over the outputs", right / 2, HINT_J_UNIT_MEAN),
    ])
