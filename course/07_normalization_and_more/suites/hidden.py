"""Hidden tests of 07_normalization_and_more (never shipped to students).

Deterministic functions (batch/layer norm forward and backward, the Jacobian penalty)
are compared with the reference on seeded random inputs covering N = 1 (layer norm),
D = 1, N = D, a small batch with many features and a large batch with few features.
MISTAKES models the classic errors so that a wrong answer gets a targeted hint.

Backward passes: grading never depends on the layout of the student's cache. A
backward case calls the student's forward on (x, gamma, beta, eps) only to obtain
the student's cache, passes it to the student's backward with dout, and compares
dx, dgamma, dbeta with the REFERENCE backward at the same (x, gamma, beta, eps, dout)
(the reference's own cache is never given to the student). Which case counts where:
  - *_forward cases score the forward output only (never the cache);
  - *_backward cases score the gradients; a forward mistake that only changes the
    output (say, a missing beta) leaves them untouched, while a forward mistake that
    puts wrong statistics in the cache (N - 1, eps outside the root, wrong axis)
    costs points in both, and the backward failure then says to fix the forward first;
  - dbeta does not depend on the cache; it shares its case with dgamma (which does).
Because the backward models take (x, gamma, beta, eps, dout) and not the cache,
they are applied with check_close(args=...) rather than compare(...).

mixup and stochastic_depth are random. They are graded by identities that hold for
every random draw (one lam and one permutation partner per call, the same for x and
y; each sample's branch multiplied by 0 or 1/survival_prob) and by Monte Carlo
tests whose acceptance intervals come from the EXACT law of their statistic for a
correct implementation (binomial counts; a sum of integer scores, whose law is a
convolution power), so that a correct implementation fails a check with probability
below DELTA = 1e-6 whatever its random stream. Property failures raise Fail(message, hint).

The cases are declared with autograder.cases: the calls of a case travel in one message, seeded
inputs are built once per process (read-only), and the reference's answers on them are kept per process.
"""
import functools
import math

import numpy as np

from autograder.cases import Tol, entry, fixed_calls, reference_calls, reference_case
from autograder.framework import (Fail, Mistake, StudentRaised, as_float_array, call_args, case, check_close, expect,
                                  passes_either, read_only, within)
from autograder.protocol import Callable, Rng, materialize
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

# Forward outputs are O(1) results of a few float64 operations and a mean over <= 256
# terms; correct implementations (np.var, loops, two-pass sums) agree to ~1e-13, while
# the smallest modelled mistake (eps = 1e-5 outside the root) moves outputs by > 1e-6.
RTOL, ATOL = 1e-9, 1e-10
# Gradients combine three O(1) terms that nearly cancel and sums over <= 256 rows;
# correct formulations (compact or staged backward) agree to ~1e-13.
RTOL_GRAD, ATOL_GRAD = 1e-8, 1e-10
# The Jacobian penalty is a sum of at most 40 positive terms: agreement to ~1e-15.
RTOL_JAC = 1e-10
# Identities on random outputs (lam*x + (1 - lam)*x_j, x + c*r) on O(1) data hold to
# ~1e-15 in any evaluation order.
TOL = 1e-10
# Probability that one Monte Carlo check fails a correct implementation.
DELTA = 1e-6


# ============================================================================ hints
HINT_NO_EPS = "your output matches (x - mean) / sqrt(var) without eps: add eps to the variance, sqrt(var + eps)."
HINT_GRAD_AXIS = ("the mean terms of your dx are taken over axis {other}: they run over the same axis as the "
                  "forward statistics, axis {axis} (keepdims=True), because that is the axis the mean and "
                  "variance mix.")
HINT_NO_INV_STD = "your dx lacks the final factor 1 / sqrt(var + eps) of the chain rule through the division."
HINT_BAD_CACHE = ("your gradients are the right formula applied to wrong statistics: they match the backward "
                  "pass of a forward that {what}. Your backward reads those statistics from the cache your "
                  "forward returns, so fix the forward first.")

HINT_MIX_BETA = ("your lam values do not look like draws from Beta(alpha, alpha) (symmetric around 1/2, piling "
                 "up near 0 and 1 for small alpha, near 1/2 for large alpha): draw lam = rng.beta(alpha, alpha).")

HINT_SD_DROP_PROB = ("kept branches are divided by 1 - survival_prob: divide by survival_prob, the probability "
                     "of keeping the branch.")
HINT_SD_KEEP_PROB = ("survival_prob is the probability of KEEPING the branch; your branches survive at a rate "
                     "near 1 - survival_prob.")


# ============================================================================ mistake models
def _normalize(x, axis, ddof=0, eps=1e-5, where="inside"):
    x = np.asarray(x, dtype=float)
    with np.errstate(all="ignore"):
        centred = x - x.mean(axis=axis, keepdims=True)
        var = np.sum(centred ** 2, axis=axis, keepdims=True) / (x.shape[axis] - ddof)
        std = {"inside": np.sqrt(var + eps), "outside": np.sqrt(var) + eps, "none": np.sqrt(var),
               "variance": var + eps}[where]
        return centred / std, 1.0 / std


def _forward_model(axis, ddof=0, where="inside", affine=True):
    """affine: True (gamma * xhat + beta), False (xhat), "gamma" (gamma * xhat) or "beta" (xhat + beta)."""
    def model(x, gamma, beta, eps=1e-5):
        xhat, _ = _normalize(x, axis, ddof, eps, where)
        gamma, beta = np.asarray(gamma), np.asarray(beta)
        out = {True: lambda: gamma * xhat + beta, False: lambda: xhat, "gamma": lambda: gamma * xhat,
               "beta": lambda: xhat + beta}[affine]()
        return out, None
    return model


def _backward_model(axis, ddof=0, where="inside", mean_term=True, xhat_term=True, use_gamma=True,
                    inv_std=True, param_axis=0, grad_axis=None, means_ddof=0, param_reduce="sum",
                    dgamma_raw=False):
    """(x, gamma, beta, eps, dout) -> (dx, dgamma, dbeta) of one modelled forward/backward pair.

    means_ddof: the mean terms of dx divide their sums by (count - means_ddof); param_reduce: "sum",
    "mean" or "none" (per-sample dgamma, dbeta); dgamma_raw: dgamma sums dout * x instead of dout * xhat.
    """
    def model(x, gamma, beta, eps, dout):
        xhat, inv = _normalize(x, axis, ddof, eps, where)
        g = axis if grad_axis is None else grad_axis     # axis of the mean terms in dx
        dout = np.asarray(dout, dtype=float)
        count = xhat.shape[g] - means_ddof
        with np.errstate(all="ignore"):
            dxhat = dout * np.asarray(gamma) if use_gamma else dout
            dx = dxhat.copy()
            if mean_term:
                dx = dx - dxhat.sum(axis=g, keepdims=True) / count
            if xhat_term:
                dx = dx - xhat * np.sum(dxhat * xhat, axis=g, keepdims=True) / count
            if inv_std:
                dx = dx * inv
        reduce = {"sum": lambda a: np.sum(a, axis=param_axis), "mean": lambda a: np.mean(a, axis=param_axis),
                  "none": lambda a: a}[param_reduce]
        return dx, reduce(dout * (np.asarray(x, dtype=float) if dgamma_raw else xhat)), reduce(dout)
    return model


def _jac_terms(W, b, x):
    W, b = np.asarray(W, dtype=float), np.asarray(b, dtype=float)
    X = np.atleast_2d(np.asarray(x, dtype=float))
    return W, np.tanh(X @ W.T + b)


def _jac_model(kind):
    def model(W, b, x):
        W, t = _jac_terms(W, np.zeros(np.shape(b)) if kind == "no_bias" else b, x)
        rows = np.sum(W ** 2, axis=1)
        if kind == "no_deriv":
            per = np.ones_like(t) @ rows
        elif kind == "one_minus_tanh":
            per = (1 - t) ** 2 @ rows
        elif kind == "not_squared":
            per = (1 - t ** 2) @ rows
        elif kind == "columns":                      # only defined when H = D
            per = ((1 - t ** 2) ** 2) @ np.sum(W ** 2, axis=0)
        elif kind == "no_bias":
            per = ((1 - t ** 2) ** 2) @ rows
        elif kind == "root":                         # the Frobenius norm itself, per sample
            per = np.sqrt(((1 - t ** 2) ** 2) @ rows)
        elif kind == "unit_mean":                    # mean over the H outputs too
            per = ((1 - t ** 2) ** 2) @ rows / len(rows)
        else:                                        # "sum": right per-sample value, summed over the batch
            return float((((1 - t ** 2) ** 2) @ rows).sum())
        return float(per.mean())
    return model


def _norm_mistakes(axis):
    other = 1 - axis
    return [
        Mistake("unbiased variance", _forward_model(axis, ddof=1), HINT_DDOF),
        Mistake("eps outside the root", _forward_model(axis, where="outside"), HINT_EPS),
        Mistake("no eps", _forward_model(axis, where="none"), HINT_NO_EPS),
        Mistake("wrong axis", _forward_model(other), HINT_BN_AXIS if axis == 0 else HINT_LN_AXIS),
        Mistake("no gamma/beta", _forward_model(axis, affine=False), HINT_NO_AFFINE),
        Mistake("no beta", _forward_model(axis, affine="gamma"), HINT_NO_BETA),
        Mistake("no gamma", _forward_model(axis, affine="beta"), HINT_NO_SCALE),
        Mistake("divided by the variance", _forward_model(axis, where="variance"), HINT_BY_VAR),
    ]


def _backward_mistakes(axis):
    other = 1 - axis
    return [
        Mistake("no mean term", _backward_model(axis, mean_term=False), HINT_NO_MEAN),
        Mistake("no xhat term", _backward_model(axis, xhat_term=False), HINT_NO_XHAT),
        Mistake("no gamma", _backward_model(axis, use_gamma=False), HINT_NO_GAMMA),
        Mistake("no 1/std", _backward_model(axis, inv_std=False), HINT_NO_INV_STD),
        Mistake("params over axis 1", _backward_model(axis, param_axis=1), HINT_PARAM_AXIS),
        Mistake("means over the other axis", _backward_model(axis, grad_axis=other),
                HINT_GRAD_AXIS.format(axis=axis, other=other)),
        Mistake("cache with N - 1", _backward_model(axis, ddof=1),
                HINT_BAD_CACHE.format(what="divides the variance by the count minus one")),
        Mistake("cache with eps outside", _backward_model(axis, where="outside"),
                HINT_BAD_CACHE.format(what="adds eps outside the square root")),
        Mistake("cache over the wrong axis", _backward_model(other),
                HINT_BAD_CACHE.format(what=f"normalizes over axis {other}")),
        Mistake("neither mean term", _backward_model(axis, mean_term=False, xhat_term=False), HINT_NAIVE),
        Mistake("dgamma from x", _backward_model(axis, dgamma_raw=True), HINT_DGAMMA_X),
        Mistake("params averaged", _backward_model(axis, param_reduce="mean"), HINT_PARAM_MEAN),
        Mistake("params per sample", _backward_model(axis, param_reduce="none"), HINT_PARAM_AXIS),
        Mistake("means over count - 1", _backward_model(axis, means_ddof=1), HINT_MEANS_N1),
        Mistake("cache divided by the variance", _backward_model(axis, where="variance"),
                HINT_BAD_CACHE.format(what="divides by the variance instead of the standard deviation")),
    ]


MISTAKES = {
    "batchnorm_forward": _norm_mistakes(0),
    "layernorm_forward": _norm_mistakes(1),
    "batchnorm_backward": _backward_mistakes(0),
    "layernorm_backward": _backward_mistakes(1),
    "jacobian_penalty": [
        Mistake("no tanh derivative", _jac_model("no_deriv"), HINT_J_NO_DERIV),
        Mistake("1 - tanh", _jac_model("one_minus_tanh"), HINT_J_ONE_MINUS_TANH),
        Mistake("derivative not squared", _jac_model("not_squared"), HINT_J_NOT_SQUARED),
        Mistake("column norms", _jac_model("columns"), HINT_J_COLUMNS),
        Mistake("sum over the batch", _jac_model("sum"), HINT_J_MEAN),
        Mistake("bias left out", _jac_model("no_bias"), HINT_J_NO_BIAS),
        Mistake("norm, not squared", _jac_model("root"), HINT_J_ROOT),
        Mistake("mean over the outputs", _jac_model("unit_mean"), HINT_J_UNIT_MEAN),
    ],
    # mixup and stochastic_depth are random: property checks below raise Fail(message, hint).
}


# ============================================================================ normalization
BN_SHAPES = [(8, 5), (2, 3), (16, 1), (3, 3), (4, 64), (256, 3)]     # N >= 2, D = 1, N = D, N << D, N >> D
LN_SHAPES = [(8, 5), (1, 7), (3, 2), (3, 3), (4, 64), (256, 3), (5, 1)]   # N = 1 and D = 1 included
GENERIC_SHAPES = {(8, 5), (2, 3), (3, 2)}                            # none of the edge cases above

FORWARD = Tol(RTOL, ATOL, why="O(1) outputs of a few operations and a mean over <= 256 terms: correct forms agree "
                              "to ~1e-13; the smallest modelled mistake (eps outside the root) moves them by > 1e-6")
GRADIENT = Tol(RTOL_GRAD, ATOL_GRAD, why="three nearly cancelling O(1) terms and sums over <= 256 rows: correct "
                                         "formulations (compact or staged backward) agree to ~1e-13")


def norm_inputs(seed, n, d, spread=(0.5, 2.0)):
    """(x, gamma, beta, dout), the same for every submission (the cases' builders run once per process)."""
    g = np.random.default_rng(seed)
    loc = g.normal(0.0, 2.0, size=(1, d)) + g.normal(0.0, 2.0, size=(n, 1))   # offsets per feature and per row
    x = loc + g.uniform(*spread, size=(1, d)) * g.uniform(*spread, size=(n, 1)) * g.normal(size=(n, d))
    return x, g.normal(1.0, 0.5, size=d), g.normal(size=d), g.normal(size=(n, d))


def _tuple(result, what, n):
    if not isinstance(result, (tuple, list)) or len(result) != n:
        raise Fail(f"{what} must return a tuple of {n} values, got {type(result).__name__}"
                   + (f" of length {len(result)}" if isinstance(result, (tuple, list)) else ""))
    return result


def _broadcast_hint(kind, settings):
    """on_raise of a forward case: a broadcasting error that betrays a known mistake gets its hint."""
    def explain(index, problem):
        if not isinstance(problem, StudentRaised):
            return
        _, n, d, *_ = settings[index]
        # layer norm's row statistics without keepdims: (N, D) - (N,) fails unless N = D
        if kind == "layernorm" and "broadcast" in problem.message and f"({n},)" in problem.message:
            raise Fail(problem.message, HINT_KEEPDIMS) from None
        # gamma or beta reshaped to a column (D, 1): fails against (N, D) unless N = D
        if "broadcast" in problem.message and f"({d},1)" in problem.message.replace(" ", ""):
            raise Fail(problem.message, HINT_GAMMA_AXIS) from None
    return explain


def forward_case(name, kind, settings, points):
    """The student's forward output (part 0) on norm_inputs(seed, n, d, spread) with eps, for each setting
    (seed, n, d, spread, eps), against the reference's, with the mistake models of MISTAKES."""
    fn = f"{kind}_forward"
    reference_case(name, fn, lambda: [(*norm_inputs(seed, n, d, spread)[:3], eps) for seed, n, d, spread, eps in settings],
                   tol=FORWARD, points=points, part=0, mistakes=MISTAKES[fn],
                   what=lambda args, kwargs: f"{fn}(x of shape {args[0].shape}, eps={args[3]:g})[0]",
                   on_raise=_broadcast_hint(kind, settings))


# the backward mistake models, one list per part of (dx, dgamma, dbeta)
_BACKWARD_PART_MODELS = {bwd: [[Mistake(m.name, (lambda *a, _m=m.value, _k=k: _m(*a)[_k]), m.hint)
                                for m in MISTAKES[bwd]] for k in range(3)]
                         for bwd in ("batchnorm_backward", "layernorm_backward")}


def _through_forward(kind, k):
    """Part k of the backward through the forward of the same code (the student's or the reference's), as a
    function of the models' arguments: how the framework tries the backward models on other inputs."""
    def replay(target, x, gamma, beta, eps, dout):
        _, cache = target.call(f"{kind}_forward", x, gamma, beta, eps)
        return target.call(f"{kind}_backward", dout, cache)[k]
    return replay


def backward_case(name, kind, settings, parts, points):
    """The student's backward against the reference backward at the same inputs, for each setting (seed, n, d,
    eps) of norm_inputs, comparing the parts `parts` of (dx, dgamma, dbeta); on the student's own cache or else
    on the reference forward's cache: one mistake, one function. A backward that is right on the caches of the
    reference forward passes even when the student's own forward is wrong, so a forward mistake costs the
    forward only; when both fail, the failure on the student's own cache is reported, with a hint that points
    at the forward if its output is wrong too."""
    fwd, bwd = f"{kind}_forward", f"{kind}_backward"
    # the reference's forward outputs, and its gradients on its own caches: the engine's answers, once per process
    forward = reference_calls(fwd, lambda: [(*norm_inputs(seed, n, d)[:3], eps) for seed, n, d, eps in settings],
                              tol=FORWARD, part=0)
    on_reference_caches = reference_calls(
        bwd, lambda ref: [(dout, getattr(ref, fwd)(x, gamma, beta, eps)[1])
                          for (x, gamma, beta, dout), (*_, eps) in ((norm_inputs(*s[:3]), s) for s in settings)],
        tol=GRADIENT)

    @case(name, points=points)
    def _(sub, ref):
        passes_either(lambda: _backward_on_own_caches(sub, ref, kind, forward, on_reference_caches, parts),
                      lambda: _backward_on_reference_caches(sub, ref, bwd, on_reference_caches, parts))


def _backward_on_reference_caches(sub, ref, bwd, on_reference_caches, parts):
    """The student's backward on every (dout, the reference forward's cache), in one round trip."""
    prepared = on_reference_caches.prepared(ref)
    done = iter(prepared)

    def check(result):
        grads, expected = _tuple(result, bwd, 3), next(done).expected
        for k in parts:
            check_close(grads[k], expected[k], rtol=GRADIENT.rtol, atol=GRADIENT.atol, what=f"{bwd}(...)[{k}]")

    sub.call_each(bwd, [p.args for p in prepared], check)


def _backward_on_own_caches(sub, ref, kind, forward, on_reference_caches, parts):
    """Student forward -> student cache -> student backward, against the reference backward at the same inputs.

    Two round trips: the student's forward on every setting (for its caches), then the student's backward on
    every (dout, cache), each result checked as it comes.
    """
    fwd, bwd = f"{kind}_forward", f"{kind}_backward"
    inputs, answers = forward.prepared(ref), on_reference_caches.prepared(ref)
    forwards = sub.call_each(fwd, [p.args for p in inputs], lambda result: _tuple(result, fwd, 2))
    names = ("dx", "dgamma", "dbeta")
    done = iter(range(len(inputs)))

    def check(result):
        i = next(done)
        grads = _tuple(result, bwd, 3)
        (x, gamma, beta, eps), ref_out, (dout, _), expected = inputs[i].args, inputs[i].expected, \
            answers[i].args, answers[i].expected
        for k in parts:
            try:
                check_close(grads[k], expected[k], rtol=GRADIENT.rtol, atol=GRADIENT.atol,
                            mistakes=_BACKWARD_PART_MODELS[bwd][k], what=f"{names[k]} of {bwd} (x of shape {x.shape})",
                            args=(x, gamma, beta, eps, dout), replay=_through_forward(kind, k))
            except Fail as f:
                out = forwards[i][0]
                try:
                    forward_ok = np.asarray(out, dtype=float).shape == ref_out.shape and np.allclose(
                        np.asarray(out, dtype=float), ref_out, rtol=RTOL, atol=ATOL)
                except (TypeError, ValueError):
                    forward_ok = False
                if forward_ok:
                    raise
                raise Fail(f.message + f" (your {fwd} output is wrong on this input as well)",
                           f.hint or HINT_FIX_FORWARD) from None

    sub.call_each(bwd, [(a.args[0], cache) for a, (_, cache) in zip(answers, forwards)], check)


def _norm_cases(kind, shapes, seed0):
    fwd, bwd = f"{kind}_forward", f"{kind}_backward"
    # batch norm's fourth point goes to its large-mean case below (the function's total is unchanged)
    forward_case(f"{fwd}: random shapes (incl. D = 1, N = D, N << D, N >> D{', N = 1' if kind == 'layernorm' else ''}) "
                 "match the reference", kind, [(seed0 + i, n, d, (0.5, 2.0), [1e-5, 1e-3, 0.5][i % 3])
                                               for i, (n, d) in enumerate(shapes)],
                 points=3 if kind == "batchnorm" else 4)
    forward_case(f"{fwd}: eps inside the square root (low-variance features, eps = 0.1)", kind,
                 [(seed0 + 50 + i, n, d, (0.05, 0.2), 0.1) for i, (n, d) in enumerate([(6, 4), (32, 8)])], points=1)
    backward_case(f"{bwd}: dx matches the reference backward (random shapes, through your own forward)", kind,
                  [(seed0 + 100 + i, n, d, [1e-5, 1e-3, 0.5][i % 3]) for i, (n, d) in enumerate(shapes)],
                  parts=(0,), points=4)
    # dgamma and dbeta are plain sums over the batch: the shapes of the dx case but the two generic ones
    # (the edge cases D = 1 or N = 1, N = D, N << D, N >> D are all kept)
    backward_case(f"{bwd}: dgamma and dbeta match the reference backward (random shapes)", kind,
                  [(seed0 + 200 + i, n, d, 1e-5) for i, (n, d) in enumerate(shapes) if (n, d) not in GENERIC_SHAPES],
                  parts=(2, 1), points=3)


_norm_cases("batchnorm", BN_SHAPES, 1000)
_norm_cases("layernorm", LN_SHAPES, 2000)


def _large_mean_inputs():
    """Features of mean ~1e6 and spread ~1: E[x^2] - E[x]^2 cancels ~12 of the 16 digits there."""
    g = np.random.default_rng(1700)
    x = 1e6 * (1 + g.uniform(-0.5, 0.5, size=(1, 4))) + g.normal(size=(16, 4))
    return [(x, g.normal(1.0, 0.5, size=4), g.normal(size=4), 1e-5)]


reference_case("batchnorm_forward: features with a large mean (1e6) keep their precision", "batchnorm_forward",
               _large_mean_inputs, points=1, part=0, mistakes=MISTAKES["batchnorm_forward"],
               tol=Tol(1e-7, 1e-7, why="x - mean carries ~1e6 * 1e-16 = 1e-10 of rounding on O(1) outputs; the "
                                       "one-pass variance E[x^2] - E[x]^2 is off by ~1e-4 and fails by three "
                                       "orders of magnitude"))


# The calls of mixup and stochastic_depth are checked through identities that hold for every random draw:
# each call's check (entry(check=...)) raises Fail with the message and hint; IDENTITY states their tolerance.
IDENTITY = Tol(0, TOL, why="identities on random outputs (lam*x + (1 - lam)*x_j, x + c*r) of O(1) data hold to "
                           "~1e-15 in any evaluation order")
HINT_MIXUP_PURE = "mixup must be pure: build x_mix and y_mix as new arrays."
HINT_DEPTH_PURE = "stochastic_depth must be pure: return a new array, x + ..., instead of updating x."


# ============================================================================ mixup
def _mixup_result(result, x, y):
    x_mix, y_mix, lam = _tuple(result, "mixup", 3)
    x_mix, y_mix, lam = as_float_array(x_mix, "x_mix"), as_float_array(y_mix, "y_mix"), as_float_array(lam, "lam")
    lam = _one_lam(lam)
    expect(x_mix.shape == x.shape, f"x_mix has shape {x_mix.shape}, expected {x.shape}")
    expect(y_mix.shape == y.shape, f"y_mix has shape {y_mix.shape}, expected {y.shape}")
    return x_mix, y_mix, lam


def _one_lam(lam):
    expect(lam.size == 1, f"lam has {lam.size} values, expected one number", HINT_MIX_ONE_LAM)
    lam = float(lam.reshape(()))
    expect(0.0 <= lam <= 1.0, f"lam = {lam} is outside [0, 1]", HINT_MIX_BETA)
    return lam


def _partners(x, x_mix, lam, y=None, y_mix=None):
    """For each row i, the row j minimizing |x_mix[i] - (lam x[i] + (1 - lam) x[j])|, and that error.

    When several rows fit x_mix within TOL (lam within ~1e-10 of 1), the one that also fits y_mix best
    is taken, so a near-tie between partners never fails a correct implementation.
    """
    n = x.shape[0]
    flat, mixed = x.reshape(n, -1), x_mix.reshape(n, -1)
    err = np.abs(mixed[:, None, :] - (lam * flat[:, None, :] + (1 - lam) * flat[None, :, :])).max(axis=2)
    j = err.argmin(axis=1)
    fits = err <= TOL
    # (with at most one row within TOL, that row is the argmin: y is only needed to break near-ties)
    if y is not None and bool((fits.sum(axis=1) > 1).any()):
        err_y = np.abs(y_mix[:, None, :] - (lam * y[:, None, :] + (1 - lam) * y[None, :, :])).max(axis=2)
        tied = np.where(fits, err_y, np.inf)
        j = np.where(np.isfinite(tied.min(axis=1)), tied.argmin(axis=1), j)
    return j, err[np.arange(n), j]


def _row_weights(a, b, target):
    """Per row, the w with target = w * a + (1 - w) * b (least squares) and the residual."""
    diff = a - b
    with np.errstate(all="ignore"):
        w = np.sum((target - b) * diff, axis=1) / np.sum(diff * diff, axis=1)
    w = np.where(np.isfinite(w), w, 0.0)
    return w, np.abs(target - (w[:, None] * a + (1 - w[:, None]) * b)).max(axis=1)


def check_mixup_structure(x, y, x_mix, y_mix, lam):
    """Fail unless x_mix = lam x + (1-lam) x[perm] and y_mix likewise, for one perm; return perm or None."""
    n = x.shape[0]
    perm, err = _partners(x, x_mix, lam, y, y_mix)
    if not within(err, 0.0, TOL):          # (a NaN error never fits)
        i = int(err.argmax())
        _, swapped = _partners(x, x_mix, 1 - lam)
        hint = HINT_MIX_SIDE if swapped.max() <= TOL else None
        if hint is None and n > 1:                     # every row a mix with its own weight?
            flat, mixed = x.reshape(n, -1), x_mix.reshape(n, -1)
            fits = np.array([min(_row_weights(flat[[r]], flat[[j]], mixed[[r]])[1][0] for j in range(n) if j != r)
                             for r in range(n)])
            hint = HINT_MIX_ONE_LAM if fits.max() <= TOL else None
        raise Fail(f"x_mix[{i}] is not lam * x[{i}] + (1 - lam) * x[j] for your lam = {lam:.6g} and any row j",
                   hint)
    expected_y = lam * y + (1 - lam) * y[perm]
    if not bool(np.all(np.abs(y_mix - expected_y) <= TOL)):     # np.allclose(rtol=0, atol=TOL), y finite
        if np.allclose(y_mix, y, rtol=0, atol=TOL):
            hint = HINT_MIX_LABELS
        else:
            hint = HINT_MIX_SAME
        raise Fail("y_mix is not lam * y + (1 - lam) * y[perm] with the lam you returned and the partners "
                   "found in x_mix", hint)
    return perm if 1 - lam > 1e-3 else None      # too close to 1: the partner is not identifiable


MIX_SHAPES = [((6, 3), 4, 0.4), ((1, 2), 3, 1.0), ((5, 2, 3, 3), 2, 2.0), ((32, 4), 10, 1.0), ((3, 1), 3, 0.7)]


def mix_inputs(seed, shape, k, soft=False):
    """(x, y_onehot), the same for every submission."""
    g = np.random.default_rng(seed)
    x = g.normal(size=shape)
    y = np.eye(k)[g.integers(0, k, size=shape[0])]
    return x, (0.9 * y + 0.1 / k if soft else y)


def _mixed(x, y, then=check_mixup_structure):
    """The check of one mixup(x, y, ...) call: then(x, y, x_mix, y_mix, lam) on the parsed result."""
    return lambda result: then(x, y, *_mixup_result(result, x, y))


def _structure_calls(seed):
    """Per shape, mixup on its inputs with seed 10 * i + seed (only seed 0 for N = 1, where x_mix = x
    whatever lam), each result checked for one lam and one permutation partner per row."""
    def build():
        calls = []
        for i, (shape, k, alpha) in enumerate(MIX_SHAPES):
            if shape[0] > 1 or seed == 0:
                x, y = mix_inputs(3000 + i, shape, k, soft=(i == 3))
                calls.append(entry((x, y, alpha, Rng(10 * i + seed)), check=_mixed(x, y)))
        return calls
    return build


# two messages: the seed-0 calls, which must also leave x and y_onehot unmodified, then the others
_MIX_STRUCTURE = [fixed_calls("mixup", _structure_calls(0), tol=IDENTITY, pure=HINT_MIXUP_PURE),
                  fixed_calls("mixup", _structure_calls(1), tol=IDENTITY)]


@case("mixup: inputs and labels mixed with one lam and the same permutation partner", points=2)
def _(sub, ref):
    for calls in _MIX_STRUCTURE:
        calls.check(sub)


def _permutation_partners(x, y, x_mix, y_mix, lam):
    """check_mixup_structure, and partners that are a permutation when they are identifiable; returns them."""
    perm = check_mixup_structure(x, y, x_mix, y_mix, lam)
    if perm is not None:
        expect(sorted(perm.tolist()) == list(range(len(x))),
               f"the partners {perm.tolist()} repeat some samples and skip others", HINT_MIX_PERM)
    return perm


def _permutation_calls():
    # seeds 500, ..., 505, then 500 again (one message): the last call must reproduce the first
    x, y = mix_inputs(3100, (8, 3), 4)
    return [entry((x, y, 1.0, Rng(500 + seed)), check=_mixed(x, y, _permutation_partners))
            for seed in [*range(6), 0]]


_MIX_PERMUTATIONS = fixed_calls("mixup", _permutation_calls, tol=IDENTITY)


@case("mixup: partners form a random permutation; the same seed reproduces the result", points=1)
def _(sub, ref):
    values = _MIX_PERMUTATIONS.check(sub)
    x, y = _MIX_PERMUTATIONS.entries()[0][0][:2]
    mixed = [_mixup_result(value, x, y) for value in values]
    perms = {tuple(perm.tolist()) for perm in (check_mixup_structure(x, y, *m) for m in mixed) if perm is not None}
    # A correct implementation fails this with probability < 1e-14. With alpha = 1 a call is unidentifiable
    # (1 - lam <= 1e-3) with probability 1e-3, so at most one of the 6 is identifiable with probability < 6e-15;
    # k >= 2 identifiable calls all share one permutation of 8 with probability (1/8!)^(k - 1), which summed
    # with the weights C(6, k) 1e-3^(6 - k) gives < 1e-15.
    expect(len(perms) >= 2, "the partners are the same in every call", HINT_MIX_PERM)
    (first, _, first_lam), (again, _, again_lam) = mixed[0], mixed[-1]
    expect(np.array_equal(again, first) and again_lam == first_lam,
           "two calls with the same seed gave different results", HINT_RNG)


@functools.lru_cache(maxsize=None)
def binomial_acceptance(n, prob, delta=DELTA):
    """[lo, hi] with P(K < lo) <= delta/2 and P(K > hi) <= delta/2 for K ~ Binomial(n, prob), exactly.

    The pmf is summed in log space (math.lgamma), so no SciPy is needed; a count outside the
    interval happens to a correct implementation with probability at most delta.
    """
    log_pmf = [math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)
               + (k * math.log(prob) if k else 0.0) + ((n - k) * math.log1p(-prob) if n - k else 0.0)
               for k in range(n + 1)]
    return acceptance_interval([math.exp(v) for v in log_pmf], delta)


def acceptance_interval(pmf, delta=DELTA):
    """[lo, hi] with P(S < lo) <= delta/2 and P(S > hi) <= delta/2 for S with P(S = k) = pmf[k]."""
    lo, tail = 0, 0.0
    while lo < len(pmf) - 1 and tail + pmf[lo] <= delta / 2:
        tail += pmf[lo]
        lo += 1
    hi, tail = len(pmf) - 1, 0.0
    while hi > 0 and tail + pmf[hi] <= delta / 2:
        tail += pmf[hi]
        hi -= 1
    return lo, hi


def regularized_beta(a, b, x):
    """I_x(a, b) = P(Beta(a, b) <= x), by the continued fraction of Numerical Recipes (6.4, modified Lentz),
    which converges fast for x < (a + 1) / (a + b + 2) (x < 1/2 when a = b); relative error ~1e-15."""
    if x <= 0.0:
        return 0.0
    if x > (a + 1) / (a + b + 2):
        return 1.0 - regularized_beta(b, a, 1.0 - x)
    tiny = 1e-300
    c, d = 1.0, 1.0 - (a + b) * x / (a + 1)
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 10_000):
        for numerator in (m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
                          -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))):
            d = 1.0 + numerator * d
            d = 1.0 / (d if abs(d) > tiny else tiny)
            c = 1.0 + numerator / c
            c = c if abs(c) > tiny else tiny
            h *= d * c
        if abs(d * c - 1.0) < 1e-16:
            break
    log_front = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    return math.exp(log_front) * h / a


# The shape of lam's law is tested on the folded value u = min(lam, 1 - lam) (which, for a symmetric law,
# is independent of the side lam falls on: the symmetry has its own check). u is binned at these edges
# (fine where Beta(alpha, alpha) and its likely impostors, such as Uniform(0, 1), differ most).
BETA_BINS = {0.2: (0.0, 1e-5, 1e-4, 1e-3, 0.003, 0.01, 0.03, 0.1, 0.25, 0.5),
             4.0: (0.0, 0.03, 0.06, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5)}


@functools.lru_cache(maxsize=None)
def beta_shape_test(alpha, n, delta=DELTA):
    """(edges, expected bin probabilities, integer score per bin, [lo, hi]) of the shape test for n draws.

    Each draw scores round(4 * log(P_beta(bin) / P_uniform(bin))), shifted to start at 0: the binned
    log-likelihood ratio of Beta(alpha, alpha) against Uniform(0, 1) (the Neyman-Pearson statistic against
    that mistake, on binned values). For a correct implementation the n scores are independent with a known
    law, so their sum S has the EXACT law pmf^(*n) (a convolution power, computed here), and [lo, hi] leaves
    at most delta/2 in each tail: S falls outside with probability <= delta, up to rounding (the bin
    probabilities are exact to ~1e-15, which moves it by < 1e-12). Any choice of bins and scores keeps this
    guarantee; they only decide the power.
    """
    edges = BETA_BINS[alpha]
    cdf = [2 * regularized_beta(alpha, alpha, c) if c < 0.5 else 1.0 for c in edges]   # P(u <= c)
    probs = np.diff(cdf)
    llr = np.log(probs / np.diff(2 * np.array(edges)))
    scores = np.round(4 * (llr - llr.min())).astype(int)
    per_draw = np.zeros(scores.max() + 1)
    np.add.at(per_draw, scores, probs)
    pmf, power, k = np.array([1.0]), per_draw, n
    while k:                                            # pmf = per_draw convolved with itself n times
        if k & 1:
            pmf = np.convolve(pmf, power)
        k >>= 1
        if k:
            power = np.convolve(power, power)
    return np.array(edges), probs, scores, acceptance_interval(pmf.tolist(), delta)


def _lam_of(result):
    return _one_lam(as_float_array(_tuple(result, "mixup", 3)[2], "lam"))


def _beta_calls():
    # n = 40 calls per alpha (one lam per call: the tiny x and y keep calls cheap)
    x, y = np.array([[0.0], [1.0]]), np.eye(2)
    return [entry((x, y, alpha, Rng(7000 + offset + s)), check=_lam_of)
            for alpha, offset in zip(BETA_ALPHAS, (0, 10_000)) for s in range(BETA_DRAWS)]


BETA_DRAWS, BETA_ALPHAS = 40, (0.2, 4.0)
_MIX_BETA = fixed_calls("mixup", _beta_calls, tol=IDENTITY)


@case("mixup: lam follows Beta(alpha, alpha) (Monte Carlo, alpha = 0.2 and 4)", points=2)
def _(sub, ref):
    # n = 40 calls per alpha, all 80 in one message.
    # Two checks per alpha, each with an EXACT law for a correct implementation, so each fails it with
    # probability <= 1e-6 (exactly: symmetry 1.9e-7; shape 9.4e-7 at alpha = 0.2, 6.9e-7 at alpha = 4):
    #  - symmetry: the count of lam > 1/2 is Binomial(n, 1/2); a lam folded into [1/2, 1] gives n (> hi = 35);
    #  - shape: the binned log-likelihood-ratio score of min(lam, 1 - lam) (beta_shape_test).
    # Power (exact, from the same laws): the case misses lam ~ Uniform(0, 1) with probability
    # 7.3e-5 (alpha = 0.2) x 9.0e-3 (alpha = 4) = 6.5e-7, and lam ~ Beta(alpha, 1) with 0.60 (alpha = 0.2,
    # symmetry) x 5.3e-7 (alpha = 4, shape) = 3.2e-7; a folded lam never passes. The former test (100 calls
    # per alpha, counts of lam > 1/2 and of lam in [1/4, 3/4]) missed them with probability 4.6e-6, < 1e-15
    # and 0.
    n, alphas = BETA_DRAWS, BETA_ALPHAS
    lams = np.array([_lam_of(value) for value in _MIX_BETA.check(sub)])
    for alpha, sample in zip(alphas, lams.reshape(len(alphas), n)):
        above = int(np.sum(sample > 0.5))
        lo, hi = binomial_acceptance(n, 0.5)
        expect(lo <= above <= hi,
               f"alpha = {alpha}: {above} of {n} lam values are above 1/2; Beta(alpha, alpha) is symmetric "
               f"around 1/2, so between {lo} and {hi} are expected (1 - 1e-6 confidence)", HINT_MIX_BETA)
        edges, probs, scores, (lo, hi) = beta_shape_test(alpha, n)
        bins = np.searchsorted(edges, np.minimum(sample, 1 - sample), side="right").clip(1, len(probs)) - 1
        counts = np.bincount(bins, minlength=len(probs))
        score = int(counts @ scores)
        expect(lo <= score <= hi,
               f"alpha = {alpha}: your {n} lam values do not spread like draws from Beta(alpha, alpha): counted by "
               f"min(lam, 1 - lam) in the bins {_bins_text(edges)} they are {counts.tolist()}, where about "
               f"{np.round(n * probs, 1).tolist()} are expected (likelihood score {score}, expected between {lo} "
               f"and {hi}, 1 - 1e-6 confidence)", HINT_MIX_BETA)


def _bins_text(edges):
    return ", ".join(f"[{a:g}, {b:g})" for a, b in zip(edges[:-1], edges[1:]))


# ============================================================================ stochastic depth
def depth_calls(settings, check, pure=False):
    """The stochastic_depth(x, residual, p, Rng(seed), training=training) calls of `settings()` (a builder of
    settings (x, residual, p, seed, training, residual(x))), each result checked by check(x, out, setting);
    with pure=True x must also come back unmodified (stochastic_depth is pure)."""
    def build():
        return [entry(call_args(s[0], s[1], s[2], Rng(s[3]), training=s[4]),
                      check=lambda out, s=s: check(s[0], _depth_result(out, s[0]), s)) for s in settings()]
    return fixed_calls("stochastic_depth", build, tol=IDENTITY, pure=HINT_DEPTH_PURE if pure else False)


def _depth_result(out, x):
    out = as_float_array(out, "out")
    expect(out.shape == x.shape, f"out has shape {out.shape}, expected the shape of x {x.shape}")
    return out


def branch_coefficients(x, out, branch, p):
    """Per sample, c with out[i] = x[i] + c * branch[i]; Fail (with a hint) unless every c is 0 or 1/p."""
    n = x.shape[0]
    d, r = (out - x).reshape(n, -1), branch.reshape(n, -1)
    c = np.sum(d * r, axis=1) / np.sum(r * r, axis=1)
    resid = np.abs(d - c[:, None] * r).max(axis=1)
    if not within(resid, 0.0, TOL):        # (a NaN residual never fits)
        i = int(resid.argmax())
        # the whole output divided by p: out * p - x is 0 or the branch, row by row
        d2 = (out * p - x).reshape(n, -1)
        if np.all(np.isclose(d2, 0, rtol=0, atol=TOL).all(axis=1) | np.isclose(d2, r, rtol=0, atol=TOL).all(axis=1)):
            raise Fail(f"out[{i}] - x[{i}] is not a multiple of residual(x)[{i}]: the branch of a sample must be "
                       "kept or dropped as a whole", HINT_SD_WHOLE_OUTPUT)
        per_entry = np.all(np.isclose(d[i], 0, rtol=0, atol=TOL) | np.isclose(d[i], r[i] / p, rtol=0, atol=TOL)
                           | np.isclose(d[i], r[i], rtol=0, atol=TOL))
        raise Fail(f"out[{i}] - x[{i}] is not a multiple of residual(x)[{i}]: the branch of a sample must be "
                   "kept or dropped as a whole", HINT_SD_WHOLE if per_entry else None)
    # np.isclose(c, 0, rtol=0, atol=TOL) | np.isclose(c, 1 / p, rtol=1e-12, atol=TOL), written out (faster)
    ok = (np.abs(c) <= TOL) | (np.abs(c - 1 / p) <= TOL + 1e-12 / p)
    if not ok.all():
        bad = float(c[~ok][0])
        hint = (HINT_SD_RESCALE if abs(bad - 1) <= TOL
                else HINT_SD_DROP_PROB if p < 1 and abs(bad - 1 / (1 - p)) <= 1e-9 else None)
        raise Fail(f"a sample's residual branch was multiplied by {bad:.6g}; in training it must be 0 (dropped) "
                   f"or 1/survival_prob = {1 / p:.6g} (kept)", hint)
    return c > 0


def protocol_apply(residual, x):
    """residual(x) on the trusted side, for a Callable marker."""
    return np.asarray(materialize(residual)(x), dtype=float)


def _residuals(d):
    g = np.random.default_rng(4000 + d)
    return [Callable("tanh"), Callable("scale", -1.5), Callable("linear_tanh", g.normal(size=(d, d)), g.normal(size=d))]


def depth_settings(seed0, seed_step, configs):
    """(x, residual, p, seed, training, residual(x)) for each (shape, p, training, residuals) of configs and each
    residual index j in residuals (into _residuals(D) = tanh, -1.5 x, linear_tanh for 2-D x; tanh for images),
    with seed seed_step * i + j for config i."""
    g = np.random.default_rng(seed0)
    settings = []
    for i, (shape, p, training, residuals) in enumerate(configs):
        x = g.normal(size=shape)
        choices = _residuals(shape[1]) if len(shape) == 2 else [Callable("tanh")]
        for j in residuals:
            r = read_only(protocol_apply(choices[j], x))
            settings.append((x, choices[j], p, seed_step * i + j, training, r))
    return settings


# Each 2-D setting runs the row-mixing residual linear_tanh and one of the elementwise ones (tanh, -1.5 x),
# in turn; images run tanh.
TANH, SCALE, LINEAR = 0, 1, 2


def _training_settings(first):
    """The settings of the training-output case: the first call of each shape (first=True), or the others."""
    def build():
        settings = depth_settings(4100, 100, (((10, 3), 0.3, True, (TANH, LINEAR)),
                                              ((7, 4), 0.8, True, (SCALE, LINEAR)),
                                              ((5, 2, 3, 3), 0.5, True, (TANH,)),
                                              ((1, 6), 0.6, True, (TANH, LINEAR)),
                                              ((6, 3), 1.0, True, (SCALE, LINEAR))))
        return [s for k, s in enumerate(settings) if (k == 0 or settings[k - 1][0] is not s[0]) == first]
    return build


def _kept_or_dropped(x, out, setting):
    _, _, p, _, _, branch = setting
    kept = branch_coefficients(x, out, branch, p)
    if p == 1.0:
        expect(kept.all(), "with survival_prob = 1 every branch must be kept",
               HINT_SD_KEEP_PROB if not kept.any() else None)


# 9 calls in two messages: the first call of each shape, which must also leave x unmodified, then the others
_DEPTH_TRAINING = [depth_calls(_training_settings(True), _kept_or_dropped, pure=True),
                   depth_calls(_training_settings(False), _kept_or_dropped)]


@case("stochastic_depth: training output is x + b_i * residual(x)_i / survival_prob for every sample", points=1)
def _(sub, ref):
    for calls in _DEPTH_TRAINING:
        calls.check(sub)


SD_MC_ROWS, SD_MC_PROBS = 1000, (0.8, 0.3)


def _monte_carlo_settings():
    x = np.tile(np.array([[0.5, -1.0, 2.0]]), (SD_MC_ROWS, 1))
    return [(x, Callable("tanh"), p, 9000 + int(100 * p), True, read_only(np.tanh(x))) for p in SD_MC_PROBS]


def _branch_kept(x, out, setting):
    return branch_coefficients(x, out, setting[5], setting[2])


_DEPTH_MONTE_CARLO = depth_calls(_monte_carlo_settings, _branch_kept)


@case("stochastic_depth: samples survive independently with probability survival_prob (Monte Carlo)", points=2)
def _(sub, ref):
    # One call of 1000 samples per survival_prob, both calls in one message. For a correct implementation
    # the number kept is EXACTLY Binomial(1000, survival_prob), so the exact acceptance interval fails it
    # with probability <= 1e-6: [736, 859] for 0.8 and [231, 372] for 0.3, inside the +-0.085 around
    # survival_prob that the Hoeffding bound used before allowed for the same 1000 samples (10 calls x 100),
    # so a wrong keep rate is caught at least as surely. A call where all 1000 samples agree has probability
    # below 0.8^1000 + 0.2^1000 < 1e-96 for a per-sample draw.
    probs = SD_MC_PROBS
    kept = [branch_coefficients(args[0], _depth_result(out, args[0]), np.tanh(args[0]), args[2])
            for out, (args, _, _) in zip(_DEPTH_MONTE_CARLO.check(sub), _DEPTH_MONTE_CARLO.entries())]
    for p, k in zip(probs, kept):
        expect(not (k.all() or not k.any()),
               f"survival_prob = {p}: all {k.size} samples of the call were kept or dropped together",
               HINT_SD_PER_SAMPLE)
        count, (lo, hi) = int(k.sum()), binomial_acceptance(k.size, p)
        drop_lo, drop_hi = binomial_acceptance(k.size, 1 - p)
        expect(lo <= count <= hi,
               f"survival_prob = {p}: {count} of {k.size} branches were kept; between {lo} and {hi} are expected "
               "(1 - 1e-6 confidence)", HINT_SD_KEEP_PROB if drop_lo <= count <= drop_hi else None)


def _exactly_x_plus_residual(x, out, setting):
    _, _, p, _, training, r = setting
    try:
        check_close(out, x + r, rtol=RTOL, atol=ATOL,
                    what=f"stochastic_depth(..., survival_prob={p}, training={training})", mistakes=[
                        Mistake("divided at inference", x + r / p, HINT_SD_INFERENCE),
                        Mistake("times p at inference", x + r * p, HINT_SD_PAPER),
                        Mistake("branch off", x, HINT_SD_INFERENCE)])
    except Fail as f:
        n = x.shape[0]
        d, rr = (out - x).reshape(n, -1), r.reshape(n, -1)
        rows_random = (np.isclose(d, 0, rtol=0, atol=TOL).all(axis=1)
                       | np.isclose(d, rr / p, rtol=0, atol=TOL).all(axis=1))
        random_like = training is False and p < 1 and bool(rows_random.all())
        raise Fail(f.message, f.hint or (HINT_SD_RANDOM_AT_INFERENCE if random_like else None)) from None


# 7 calls in one message
_DEPTH_EXACT = depth_calls(lambda: depth_settings(4200, 10, (((6, 3), 0.3, False, (TANH, LINEAR)),
                                                             ((4, 2, 2, 2), 0.7, False, (TANH,)),
                                                             ((5, 4), 1.0, True, (SCALE, LINEAR)),
                                                             ((1, 3), 0.5, False, (SCALE, LINEAR)))),
                           _exactly_x_plus_residual)


@case("stochastic_depth: inference, and training with survival_prob = 1, give exactly x + residual(x)", points=1)
def _(sub, ref):
    _DEPTH_EXACT.check(sub)


# ============================================================================ Jacobian penalty
JACOBIAN = Tol(RTOL_JAC, why="a sum of at most 40 positive terms: correct forms agree to ~1e-15")


def jac_inputs(seed, h, d, n=None):
    """(W, b, x)."""
    g = np.random.default_rng(seed)
    W = g.normal(scale=1 / math.sqrt(d), size=(h, d))       # pre-activations O(1): tanh neither linear nor saturated
    x = g.normal(size=(d,) if n is None else (n, d))
    return W, g.normal(scale=0.5, size=h), x


def jacobian_case(name, points, inputs):
    reference_case(name, "jacobian_penalty", inputs, tol=JACOBIAN, points=points, mistakes=MISTAKES["jacobian_penalty"],
                   what=lambda args, kwargs: f"jacobian_penalty(W of shape {args[0].shape}, b, x of shape "
                                             f"{args[2].shape})")


jacobian_case("jacobian_penalty: random layers (H != D, H = D, 1 x 1) match the reference", 2,
              lambda: [jac_inputs(5000 + i, h, d) for i, (h, d) in enumerate([(5, 5), (3, 2), (2, 7), (1, 1), (10, 4), (4, 4)])])
jacobian_case("jacobian_penalty: a batch x of shape (N, D) gives the mean over the samples", 1,
              lambda: [jac_inputs(5100 + i, h, d, n) for i, (h, d, n) in enumerate([(4, 3, 5), (3, 3, 1), (6, 2, 9)])])
