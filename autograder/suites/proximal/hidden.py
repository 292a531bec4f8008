"""Hidden tests of 02_proximal: seeded random comparisons with the reference, edge cases,
properties (exact zeros, non-expansiveness, projection feasibility and idempotence), and
mistake models that turn a wrong answer into a hint.

ISTA/FISTA fairness: the contract fixes the start (w = 0), the default step (1/L) and
FISTA's momentum sequence, so iterates after a few steps are compared directly. For
converged answers only the objective value is compared with the lasso optimum (plus
exact zeros where the lasso solution is clearly zero), so an implementation that stops
early once converged, or computes L or the gradient another valid way, is not penalized.
The optimum is computed exactly and certified by the KKT conditions, and each problem asks
for an n_iter at which the contract's iterate provably (ISTA) or measurably (FISTA) reaches
it (see _OBJECTIVE_PROBLEMS). Inputs that are the same for every submission, and the
reference's answers to them, are built once per process (autograder.cases).
"""
import functools

import numpy as np

from autograder.cases import Tol, entry, fixed_calls, fixed_case, once, reference_case
from autograder.diagnose import declare
from autograder.framework import Fail, Mistake, StudentRaised, call_args, case, check_close, expect
from autograder.suites.proximal.common import (
    HINT_SIGN_LOST, HINT_NO_CLAMP, HINT_ONE_SIDED, HINT_NO_L2_SCALING, HINT_L2_ONLY,
    HINT_V_NOT_SCALED, HINT_HARD_ONE_SIDED, HINT_DIVIDE_BY_NORM_ONLY,
    HINT_MOMENTUM_WITH_THE_UPDATED_T, HINT_STALE_W, HINT_LAM_ON_EVERY_ENTRY, HINT_SHRUNK_LEAST_SQUARES
)

# ----------------------------------------------------------------------------- tolerances
ELEMENT = Tol(1e-12, 1e-12, why="elementwise closed forms: equivalent formulas differ by a few ulps; 1e-12 relative "
              "(and absolute, for entries near 0 of O(1) inputs) is far below any mistake's effect")
ITERATES = Tol(1e-8, 1e-10, why="a few ISTA/FISTA iterates: eigvalsh / norm(X, 2) / svd agree on L to ~1e-15 and a "
               "few iterations of a contraction cannot amplify that past ~1e-12; 1e-8 relative also admits a "
               "well-converged power iteration for L. Wrong steps, thresholds or momentum move the iterates by "
               "more than 1e-3")
# Objective values at convergence (on problems whose X^T X / n has condition number below
# 5, with an n_iter at which the contract's iterate is proven or measured to be within 1e-12
# relative of the optimum: see _OBJECTIVE_PROBLEMS): 1e-9 relative admits an early stop whose
# iterates change by up to ~1e-5, and is 1000x below the gap left by a step n times too small.
OBJECTIVE_RTOL = 1e-9
RIDGE = Tol(1e-8, 1e-10, why="ridge solves: X^T X + lam I has condition number up to ~1e5 below, so solve, inv, "
            "lstsq and Cholesky agree to ~1e-11 relative")
# The module's contract: no function modifies its input arrays.
PURE = ("your function changed the caller's array (for example with `v -= ...` or `v[...] = 0`); compute the "
        "result in a new array and leave the inputs alone.")

SHAPES = [(), (1,), (9,), (0,), (4, 5), (2, 3, 4), (0, 3)]


def _a(x):
    return np.asarray(x, dtype=np.float64)


def _v(seed, shape, scale=None):
    """Seeded values; the same arguments always give the same values (a new array)."""
    rng = np.random.default_rng(seed)
    return rng.normal(scale=scale or rng.choice([0.3, 1.0, 4.0]), size=shape)


# ----------------------------------------------------------------------------- mistake models
def _soft(v, t):
    v = _a(v)
    return np.sign(v) * np.maximum(np.abs(v) - t, 0.0)


def _lipschitz(X, divide_by_n=True, which="largest"):
    """L of the contract (which="largest"), or a classic wrong one: "frobenius" is ||X||_F^2 (the sum of
    all eigenvalues of X^T X, what np.linalg.norm(X) squared gives), "smallest" is eigvalsh(...)[0]."""
    X = _a(X)
    if X.shape[1] == 0:
        return 1.0
    if which == "frobenius":
        L = float(np.sum(X * X))
    else:
        eigs = np.linalg.eigvalsh(X.T @ X)
        L = eigs[0] if which == "smallest" else eigs[-1]
    L = L / (X.shape[0] if divide_by_n else 1)
    return L if L > 0 else 1.0


def _proximal_gradient(X, y, lam, n_iter=500, step=None, *, step_over_n=True, threshold="step*lam",
                       grad_over_n=True, momentum="fista", return_z=False, prox=True, lipschitz="largest",
                       grad_sign=1.0, iterations_short=0):
    """ISTA/FISTA and their classic mistakes, selected by keyword."""
    with np.errstate(all="ignore"):   # some mistakes diverge; their values are only compared
        return _proximal_gradient_loop(X, y, lam, n_iter - iterations_short, step, step_over_n=step_over_n,
                                       threshold=threshold, grad_over_n=grad_over_n, momentum=momentum,
                                       return_z=return_z, prox=prox, lipschitz=lipschitz, grad_sign=grad_sign)


def _proximal_gradient_loop(X, y, lam, n_iter, step, *, step_over_n, threshold, grad_over_n, momentum,
                            return_z, prox, lipschitz, grad_sign):
    X, y = _a(X), _a(y)
    n, d = X.shape
    if step is None:
        step = 1.0 / _lipschitz(X, divide_by_n=step_over_n, which=lipschitz)
    thr = step * lam if threshold == "step*lam" else lam
    w = np.zeros(d)
    z = w
    t = 1.0
    for k in range(1, n_iter + 1):
        grad = grad_sign * X.T @ (X @ z - y) / (n if grad_over_n else 1)
        if prox:
            w_new = _soft(z - step * grad, thr)
        else:                                   # subgradient method: no exact zeros
            w_new = z - step * (grad + lam * np.sign(z))
        if momentum in ("fista", "stale w"):
            t_new = (1 + np.sqrt(1 + 4 * t * t)) / 2
            beta = (t - 1) / t_new
        elif momentum == "updated t":           # t overwritten before the weight is formed
            t_new = (1 + np.sqrt(1 + 4 * t * t)) / 2
            beta = (t_new - 1) / t_new
        elif momentum == "k/(k+3)":
            t_new, beta = t, (k - 1) / (k + 2)
        else:
            t_new, beta = t, 0.0
        z = w_new + beta * (w_new - w)
        if momentum == "stale w":               # w is never updated: stays the starting point 0
            w_last, t = w_new, t_new
            continue
        w, t = w_new, t_new
    if momentum == "stale w":
        return w_last if n_iter >= 1 else w
    return z if return_z else w


def _ista_model(**options):
    return lambda X, y, lam, n_iter=500, step=None: _proximal_gradient(
        X, y, lam, n_iter, step, momentum="none", **options)


def _fista_model(**options):
    return lambda X, y, lam, n_iter=500, step=None: _proximal_gradient(X, y, lam, n_iter, step, **options)


def _project(w, r, axis=None, *, always=False, wrong_axis=False, ignore_axis=False, norm="l2"):
    w = _a(w)
    if ignore_axis:
        axis = None
    elif wrong_axis and axis is not None:
        axis = 1 - axis if w.ndim == 2 and axis in (0, 1) else 0
    if norm == "max":                        # the largest |entry| instead of the Euclidean norm
        norms = np.max(np.abs(w), axis=axis, keepdims=True)
    else:
        norms = np.sqrt(np.sum(w * w, axis=axis, keepdims=True))
    safe = np.where(norms > 0, norms, 1.0)
    if norm == "min(1, r/norm)":             # r / ||w|| computed everywhere: 0/0 = NaN on a zero slice at r = 0
        with np.errstate(divide="ignore", invalid="ignore"):
            return w * np.minimum(1.0, r / norms)
    if norm == "squared":                    # compared correctly, but divided by ||w||^2
        return w * np.where(norms > r, r / safe ** 2, 1.0)
    return w * r / safe if always else w * np.where(norms > r, r / safe, 1.0)


_STEP_N_HINT = ("your iterates look like steps n times too small: the default step is 1/L with L the largest "
                "eigenvalue of X^T X / n (with the / n), not of X^T X.")
_THRESHOLD_HINT = "your soft threshold looks like lam; in a proximal gradient step it is step * lam."
_GRAD_N_HINT = ("your gradient looks n times too large: the smooth part is (1/(2n))||y - Xw||^2, whose "
                "gradient is X^T (X w - y) / n.")
_SUBGRADIENT_HINT = ("your iterates look like a subgradient method (adding lam*sign(w) to the gradient): ISTA "
                     "applies the prox instead, soft-thresholding w - step*grad at step*lam.")
_NO_PROX_HINT = "your iterates ignore lam: after the gradient step, soft-threshold at step * lam."
_ZERO_X_HINT = ("with X all zeros, L = 0 and the default step 1/L is infinite: return w = 0 in that case "
                "(the docstring asks for it) instead of dividing by L.")
_FROBENIUS_HINT = ("your steps look shorter than 1/L with L = ||X||_F^2 / n: np.linalg.norm(X) of a matrix is "
                   "the Frobenius norm, whose square is the sum of ALL eigenvalues of X^T X. L is the largest "
                   "eigenvalue of X^T X / n, i.e. np.linalg.norm(X, 2)**2 / n (the spectral norm).")
_SMALLEST_EIG_HINT = ("your step looks like 1 over the SMALLEST eigenvalue of X^T X / n: np.linalg.eigvalsh "
                      "returns the eigenvalues in ascending order, so the largest one, L, is the last, [-1].")
_GRAD_SIGN_HINT = ("your iterates move away from the solution: the gradient of (1/(2n))||y - Xw||^2 is "
                   "X^T (X w - y) / n; with X^T (y - X w) / n you have to add step * that, not subtract it.")
_SHORT_HINT = ("your iterates are one iteration behind: with n_iter = k the loop must take k prox-gradient "
               "steps from w = 0 (check range(...) bounds).")


# what the generic diagnostics cannot guess: the iteration count (compared at n_iter - 1 and + 1) and the step
_STEP = "1/L, with L the largest eigenvalue of X^T X / n (np.linalg.norm(X, 2)**2 / n, the square of the largest singular value, divided by n)"
declare("ista", iterations="n_iter", step=_STEP)
declare("fista", iterations="n_iter", step=_STEP)

MISTAKES = {
    "prox_l1": [
        Mistake("threshold t/2", lambda v, t: _soft(v, t / 2),
                "your threshold looks like t/2: the prox of t*||x||_1 moves each entry toward 0 by t itself "
                "(minimize t|x| + (1/2)(x - v)^2: the 1/2 is on the quadratic, not on t)."),
        Mistake("sign lost", lambda v, t: np.maximum(np.abs(_a(v)) - t, 0.0), HINT_SIGN_LOST),
        Mistake("no clamp", lambda v, t: _a(v) - t * np.sign(_a(v)), HINT_NO_CLAMP),
        Mistake("one-sided", lambda v, t: np.maximum(_a(v) - t, 0.0), HINT_ONE_SIDED),
        Mistake("v - t", lambda v, t: _a(v) - t,
                "your result is v - t: every entry moves toward 0 by t, and entries with |v| <= t become 0."),
        Mistake("hard", lambda v, t: np.where(np.abs(_a(v)) > t, _a(v), 0.0),
                "entries above the threshold were kept unchanged (hard thresholding); soft thresholding "
                "also shrinks them by t."),
    ],
    "prox_l2": [
        Mistake("t/2", lambda v, t: _a(v) / (1 + t / 2),
                "your answer is v / (1 + t/2): the gradient of (t/2)||x||^2 is t*x, so t*x + (x - v) = 0 gives "
                "x = v / (1 + t)."),
        Mistake("gradient step", lambda v, t: _a(v) * (1 - t),
                "your result is v * (1 - t), one gradient step; the prox solves t*x + (x - v) = 0 exactly: "
                "x = v / (1 + t)."),
        Mistake("factor 2", lambda v, t: _a(v) / (1 + 2 * t),
                "your result is v / (1 + 2t), the prox of t*||x||^2; this one is of (t/2)*||x||^2: v / (1 + t)."),
        Mistake("divide by t", lambda v, t: _a(v) / t,
                "your result is v / t; the prox of (t/2)||x||^2 is v / (1 + t)."),
    ],
    "prox_elastic_net": [
        Mistake("no L2 scaling", lambda v, t1, t2: _soft(v, t1), HINT_NO_L2_SCALING),
        Mistake("scale first", lambda v, t1, t2: _soft(_a(v) / (1 + t2), t1),
                "you divided v by (1 + t2) before soft-thresholding at t1: threshold first and then divide "
                "(or threshold the scaled v at t1 / (1 + t2))."),
        Mistake("L2 only", lambda v, t1, t2: _a(v) / (1 + t2), HINT_L2_ONLY),
        Mistake("L2 factor 2", lambda v, t1, t2: _soft(v, t1) / (1 + 2 * t2),
                "you divided by (1 + 2*t2): the L2 part is (t2/2)||x||^2, so divide by (1 + t2)."),
        Mistake("threshold t1/(1+t2), v not scaled", lambda v, t1, t2: _soft(v, t1 / (1 + t2)), HINT_V_NOT_SCALED),
        Mistake("L2 as a gradient step", lambda v, t1, t2: _soft(v, t1) * (1 - t2),
                "after the soft threshold you multiplied by (1 - t2), a gradient step on the L2 part; the "
                "prox solves (1 + t2) x = soft_threshold(v, t1) exactly: divide by (1 + t2)."),
    ],
    "prox_l0": [
        Mistake(">=", lambda v, t: np.where(np.abs(_a(v)) >= np.sqrt(2 * t), _a(v), 0.0),
                "entries with |v_i| exactly sqrt(2t) were kept; the contract keeps v_i only when "
                "|v_i| > sqrt(2t) strictly."),
        Mistake("threshold t", lambda v, t: np.where(np.abs(_a(v)) > t, _a(v), 0.0),
                "your threshold looks like t: keeping v_i costs t and dropping it costs v_i^2/2, so the "
                "threshold is sqrt(2t)."),
        Mistake("threshold sqrt(t)", lambda v, t: np.where(np.abs(_a(v)) > np.sqrt(t), _a(v), 0.0),
                "your threshold looks like sqrt(t): keeping v_i costs t and dropping it costs v_i^2/2, so "
                "the threshold is sqrt(2t)."),
        Mistake("threshold 2t", lambda v, t: np.where(np.abs(_a(v)) > 2 * t, _a(v), 0.0),
                "your threshold looks like 2t; it is sqrt(2t)."),
        Mistake("soft", lambda v, t: _soft(v, np.sqrt(2 * t)),
                "your kept entries were shrunk (soft thresholding); hard thresholding keeps v_i unchanged."),
        Mistake("one-sided", lambda v, t: np.where(_a(v) > np.sqrt(2 * t), _a(v), 0.0), HINT_HARD_ONE_SIDED),
    ],
    "project_max_norm": [
        Mistake("always rescale", lambda w, r, axis=None: _project(w, r, axis, always=True),
                "points inside the ball were moved to its boundary: the projection leaves w unchanged when "
                "||w|| <= r and only rescales when ||w|| > r."),
        Mistake("wrong axis", lambda w, r, axis=None: _project(w, r, axis, wrong_axis=True),
                "your norms look taken along the wrong axis: with axis=k the norm runs along axis k "
                "(axis=1 on a matrix: one norm per row)."),
        Mistake("axis ignored", lambda w, r, axis=None: _project(w, r, axis, ignore_axis=True),
                "your projection uses the norm of the whole array even though an axis was given: each "
                "slice along that axis has its own norm."),
        Mistake("max-abs norm", lambda w, r, axis=None: _project(w, r, axis, norm="max"),
                "your norm looks like the largest |entry| (the max / infinity norm); the ball is the Euclidean "
                "one, ||w||_2 = sqrt(sum of w^2), e.g. np.linalg.norm(w, axis=axis, keepdims=True)."),
        Mistake("clip entries", lambda w, r, axis=None: np.clip(_a(w), -r, r),
                "you clipped each entry to [-r, r] (a box); the constraint is on the Euclidean norm of the "
                "whole slice: rescale the slice by r / ||w|| when ||w|| > r, keeping its direction."),
        Mistake("divide by squared norm", lambda w, r, axis=None: _project(w, r, axis, norm="squared"),
                HINT_DIVIDE_BY_NORM_ONLY),
        Mistake("0/0 on a zero slice", lambda w, r, axis=None: _project(w, r, axis, norm="min(1, r/norm)"),
                "your result is NaN on an all-zero slice when r = 0: r / ||w|| is 0/0 there. Rescale only the "
                "slices whose norm exceeds r, e.g. np.where(norms > r, r / norms, 1.0) with the zero norms "
                "replaced before dividing."),
    ],
    "ista": [
        Mistake("step without /n", _ista_model(step_over_n=False), _STEP_N_HINT),
        Mistake("threshold lam", _ista_model(threshold="lam"), _THRESHOLD_HINT),
        Mistake("gradient without /n", _ista_model(grad_over_n=False), _GRAD_N_HINT),
        Mistake("subgradient", _ista_model(prox=False), _SUBGRADIENT_HINT),
        Mistake("no prox", lambda X, y, lam, n_iter=500, step=None: _proximal_gradient(
            X, y, 0.0, n_iter, step, momentum="none"), _NO_PROX_HINT),
        Mistake("fista", _fista_model(),
                "your iterates look like FISTA's (with momentum); ista is the plain proximal gradient method."),
        Mistake("Frobenius L", _ista_model(lipschitz="frobenius"), _FROBENIUS_HINT),
        Mistake("smallest eigenvalue", _ista_model(lipschitz="smallest"), _SMALLEST_EIG_HINT),
        Mistake("gradient sign", _ista_model(grad_sign=-1.0), _GRAD_SIGN_HINT),
        Mistake("one iteration short", _ista_model(iterations_short=1), _SHORT_HINT),
    ],
    "fista": [
        Mistake("no momentum", _ista_model(),
                "your iterates are exactly ISTA's: the momentum step z = w_new + ((t - 1)/t_new)(w_new - w) "
                "is missing or has no effect."),
        Mistake("returns z", _fista_model(return_z=True),
                "you returned the extrapolated point z; FISTA returns w, the last prox-step iterate."),
        Mistake("k/(k+3) momentum", _fista_model(momentum="k/(k+3)"),
                "your momentum weights look like (k - 1)/(k + 2); the contract fixes the sequence "
                "t_{k+1} = (1 + sqrt(1 + 4 t_k^2)) / 2 with weight (t_k - 1)/t_{k+1}."),
        Mistake("step without /n", _fista_model(step_over_n=False), _STEP_N_HINT),
        Mistake("threshold lam", _fista_model(threshold="lam"), _THRESHOLD_HINT),
        Mistake("gradient without /n", _fista_model(grad_over_n=False), _GRAD_N_HINT),
        Mistake("momentum with the updated t", _fista_model(momentum="updated t"),
                HINT_MOMENTUM_WITH_THE_UPDATED_T),
        Mistake("stale w", _fista_model(momentum="stale w"), HINT_STALE_W),
        Mistake("Frobenius L", _fista_model(lipschitz="frobenius"), _FROBENIUS_HINT),
        Mistake("smallest eigenvalue", _fista_model(lipschitz="smallest"), _SMALLEST_EIG_HINT),
        Mistake("gradient sign", _fista_model(grad_sign=-1.0), _GRAD_SIGN_HINT),
        Mistake("one iteration short", _fista_model(iterations_short=1), _SHORT_HINT),
    ],
    "ridge_closed_form": [
        Mistake("no lam", lambda X, y, lam: np.linalg.lstsq(_a(X), _a(y), rcond=None)[0],
                "your answer is the plain least-squares solution: lam * I is missing from X^T X."),
        Mistake("lam / n", lambda X, y, lam: np.linalg.solve(
            _a(X).T @ _a(X) + lam / len(y) * np.eye(_a(X).shape[1]), _a(X).T @ _a(y)),
                "your answer uses lam / n: the objective ||y - Xw||^2 + lam*||w||^2 has no 1/n, so solve "
                "(X^T X + lam I) w = X^T y."),
        Mistake("lam * n", lambda X, y, lam: np.linalg.solve(
            _a(X).T @ _a(X) + lam * len(y) * np.eye(_a(X).shape[1]), _a(X).T @ _a(y)),
                "your answer uses n * lam: solve (X^T X + lam I) w = X^T y."),
        Mistake("2 lam", lambda X, y, lam: np.linalg.solve(
            _a(X).T @ _a(X) + 2 * lam * np.eye(_a(X).shape[1]), _a(X).T @ _a(y)),
                "your answer uses 2*lam: solve (X^T X + lam I) w = X^T y."),
        Mistake("lam on every entry", lambda X, y, lam: np.linalg.solve(_a(X).T @ _a(X) + lam, _a(X).T @ _a(y)),
                HINT_LAM_ON_EVERY_ENTRY),
        Mistake("shrunk least squares", lambda X, y, lam: np.linalg.lstsq(_a(X), _a(y), rcond=None)[0] / (1 + lam),
                HINT_SHRUNK_LEAST_SQUARES),
    ],
}


# ----------------------------------------------------------------------------- fixed inputs
# Builders of the calls of reference cases: module-level functions, each run once per process.
def _elementwise_calls(seed, strengths):
    """Two calls per shape of SHAPES, shape by shape, with two of the four strengths (tuples of the
    arguments after v) in turn: shape k gets strengths k and k + 1 (mod 4). Every shape is seen twice
    and every strength on 3-4 shapes, each of them on a non-empty array of 9 to 24 entries; the
    operators act entry by entry, so shape and strength do not interact (the catalogue and every
    mistake model are caught as with all 28 pairs, with the same hints)."""
    return [(_v(seed + k, shape), *strengths[(k + j) % 4]) for k, shape in enumerate(SHAPES) for j in (0, 1)]


def _prox_l1_calls():
    return _elementwise_calls(10, [(0.0,), (0.7,), (1e-9,), (1e6,)])


def _prox_l2_calls():
    return _elementwise_calls(20, [(0.0,), (0.3,), (2.5,), (1e6,)])


def _prox_elastic_net_calls():
    # t1 = 0 last: there "soft threshold alone" and "threshold t1/(1+t2) on v" both return v, so a
    # mistake is first seen (and its hint chosen) on an input that tells them apart
    return _elementwise_calls(30, [(0.4, 0.6), (1.1, 0.0), (0.05, 3.0), (0.0, 1.3)])


def _prox_l0_calls():
    return _elementwise_calls(40, [(0.0,), (0.3,), (1.7,), (1e6,)])


def _project_whole_calls():
    return _elementwise_calls(50, [(0.0,), (0.5,), (3.0,), (1e3,)])


def _project_slice_calls():
    # (empty arrays are checked with the edge cases: a per-slice loop that is right on every
    # non-empty array should not lose this case to an array with no slices)
    r = 1.5          # some slices of norm ~2 are inside the ball, some outside
    return [call_args(_v(60 + k, shape, scale=1.0), r, axis=axis) for k, (shape, axis)
            in enumerate([((6, 4), 1), ((6, 4), 0), ((4, 6), -1), ((2, 3, 5), 2), ((2, 3, 5), 1)])]


_EMPTY_SHAPES = [((3, 0), 1), ((0, 3), 1)]


def _project_edge_calls():
    W = _v(71, (4, 3), scale=2.0)
    W[1] = 0.0
    calls = [call_args(W, 1.0, axis=1), call_args(W, 0.0, axis=1), (W, 0.0), (np.float64(-3.0), 2.0),
             (np.array([3e150, 4e150]), 1.0)]
    # empty arrays: slices of length 0 (shape (3, 0), axis 1) or no slices at all (shape (0, 3), axis 1)
    return calls + [entry(call_args(_v(65 + k, shape, scale=1.0), 1.5, axis=axis),
                          what=f"project_max_norm on an empty {shape} array")
                    for k, (shape, axis) in enumerate(_EMPTY_SHAPES)]


def _ridge_calls():
    calls = []
    for k, (n, d) in enumerate([(30, 5), (10, 25), (50, 1), (1, 3), (40, 40)]):
        rng = np.random.default_rng(140 + k)
        X, y = rng.normal(size=(n, d)), rng.normal(size=n)
        # two of the three strengths in turn (problem k: strengths k and k + 1 mod 3), each strength on
        # 3-4 problems, tall and wide
        calls += [(X, y, (1e-2, 0.5, 10.0)[(k + j) % 3]) for j in (0, 1)]
    return calls


@once
def _fixed(name):
    """Other fixed inputs, built once per process and read-only."""
    if name == "non-expansive":
        rng = np.random.default_rng(31)
        return rng.normal(size=200), rng.normal(size=200)
    if name == "prox_l2 residual":
        return np.random.default_rng(32).normal(scale=3.0, size=15)
    if name == "inside the ball":
        W = _v(70, (8, 5), scale=1.0)
        r = 2.0
        norms = np.sqrt((W ** 2).sum(axis=1))
        inside = norms <= r
        return W, inside, (W * r / norms[:, None])[inside], r
    if name == "ridge normal equations":
        rng = np.random.default_rng(150)
        X = rng.normal(size=(20, 6))
        X[:, 5] = X[:, 4] + 1e-4 * rng.normal(size=20)     # nearly collinear columns
        y = rng.normal(size=20)
        return X, y
    raise KeyError(name)


# ----------------------------------------------------------------------------- proximal operators
reference_case("prox_l1: random inputs of many shapes (0-d, empty, 1-3 dims) and thresholds match the reference",
               "prox_l1", _prox_l1_calls, tol=ELEMENT, points=3, pure=PURE, mistakes=MISTAKES["prox_l1"])


@case("prox_l1: exactly 0 inside [-t, t], including |v| == t", points=1)
def _(sub, ref):
    v = np.array([0.5, -0.5, 0.25, -0.1, 0.0, 0.4999, 2.0])
    got = sub.prox_l1(v, 0.5)
    # exact zeros: this is the sparsity of L1; the one entry outside gives 1.5
    check_close(got, [0, 0, 0, 0, 0, 0, 1.5], rtol=0.0, atol=0.0, what="prox_l1(v, 0.5)",
                mistakes=MISTAKES["prox_l1"], args=(v, 0.5))


@case("prox_l1: non-expansive, |prox(a) - prox(b)| <= |a - b| entrywise", points=1)
def _(sub, ref):
    a, b = _fixed("non-expansive")
    pa, pb = map(_a, sub.call_many("prox_l1", [(a, 0.6), (b, 0.6)]))
    # the property counts only for the right values on these inputs (any constant map is non-expansive)
    for v, got in ((a, pa), (b, pb)):
        check_close(got, ref.prox_l1(v, 0.6), **ELEMENT, what="prox_l1(v, 0.6) for 200 random entries",
                    mistakes=MISTAKES["prox_l1"], args=(v, 0.6))
    # 1e-12 slack for rounding; an expansive map exceeds |a - b| by far more
    excess = np.abs(pa - pb) - np.abs(a - b)
    expect(bool(np.all(excess <= 1e-12)),
           f"|prox(a) - prox(b)| exceeds |a - b| by {excess.max():.3g}: a prox never moves points apart",
           "soft thresholding moves each entry toward 0 by at most t and never past 0.")


reference_case("prox_l2: random inputs of many shapes and strengths match the reference", "prox_l2", _prox_l2_calls,
               tol=ELEMENT, points=2, pure=PURE, mistakes=MISTAKES["prox_l2"])


@case("prox_l2: the result solves t*x + (x - v) = 0", points=1)
def _(sub, ref):
    v = _fixed("prox_l2 residual")
    t = 0.8
    x = _a(sub.prox_l2(v, t))
    expect(x.shape == v.shape, f"result has shape {x.shape}, expected {v.shape}")
    residual = t * x + (x - v)
    # |v| <= ~10: rounding leaves ~1e-15; any mistake leaves O(1)
    expect(bool(np.all(np.abs(residual) <= 1e-12)),
           f"t*x + (x - v) is {residual[np.argmax(np.abs(residual))]:.3g} at your answer, not 0",
           "the prox of (t/2)||x||^2 at v minimizes (t/2)||x||^2 + (1/2)||x - v||^2: set the gradient "
           "t*x + (x - v) to 0.")


reference_case("prox_elastic_net: random inputs of many shapes and strengths match the reference", "prox_elastic_net",
               _prox_elastic_net_calls, tol=ELEMENT, points=2, pure=PURE, mistakes=MISTAKES["prox_elastic_net"])


@case("prox_elastic_net: exactly 0 where |v| <= t1, and the optimality condition elsewhere", points=1)
def _(sub, ref):
    v = np.array([0.7, -0.7, 0.3, 0.0, 2.0, -3.5])
    t1, t2 = 0.7, 0.5
    x = _a(sub.prox_elastic_net(v, t1, t2))
    check_close(x[:4] if x.shape == v.shape else x, np.zeros(4), rtol=0.0, atol=0.0,
                what="prox_elastic_net(v, 0.7, 0.5) where |v| <= t1")
    # where x != 0: (1 + t2) x - v + t1 sign(x) = 0
    residual = (1 + t2) * x[4:] - v[4:] + t1 * np.sign(x[4:])
    expect(bool(np.all(np.abs(residual) <= 1e-12)) and bool(np.all(x[4:] != 0)),
           f"(1 + t2) x - v + t1*sign(x) should be 0 where x != 0, got {residual}",
           "minimize t1|x| + (t2/2)x^2 + (1/2)(x - v)^2: soft-threshold v at t1, then divide by (1 + t2).")


reference_case("prox_l0: random inputs of many shapes and strengths match the reference", "prox_l0", _prox_l0_calls,
               tol=ELEMENT, points=2, pure=PURE, mistakes=MISTAKES["prox_l0"])


def _ties():
    """Hard thresholding returns v or 0 exactly: the expected values are the rule itself."""
    for t, v in ((0.5, [1.0, -1.0, 1.0 + 1e-12, -1.5]), (0.125, [0.5, -0.5, 0.5000001, 0.49])):
        v = np.array(v)
        yield entry((v, t), expected=np.where(np.abs(v) > np.sqrt(2 * t), v, 0.0), what=f"prox_l0(v, {t})")


fixed_case("prox_l0: ties |v| == sqrt(2t) give 0, just above keeps v unchanged", "prox_l0", _ties,
           tol=Tol(0.0, why="hard thresholding returns v or 0 exactly: no tolerance"), mistakes=MISTAKES["prox_l0"])


# ----------------------------------------------------------------------------- projection
reference_case("project_max_norm: whole-array projection (axis=None) on many shapes and radii matches the reference",
               "project_max_norm", _project_whole_calls, tol=ELEMENT, points=2, pure=PURE,
               mistakes=MISTAKES["project_max_norm"])
reference_case("project_max_norm: per-slice projection along axis 0, 1, -1 on matrices and 3-d arrays",
               "project_max_norm", _project_slice_calls, tol=ELEMENT, points=2, pure=PURE,
               mistakes=MISTAKES["project_max_norm"])


@case("project_max_norm: result inside the ball, inside slices untouched, projecting twice changes nothing",
      points=1)
def _(sub, ref):
    W, inside, rescaled_inside, r = _fixed("inside the ball")
    P = _a(sub.project_max_norm(W, r, axis=1))
    expect(P.shape == W.shape, f"result has shape {P.shape}, expected {W.shape}")
    norms = np.sqrt((P ** 2).sum(axis=1))
    # norms of rescaled rows are r up to rounding (1e-12 relative)
    expect(bool(np.all(norms <= r * (1 + 1e-12))), f"a row has norm {norms.max():.15g} > r = {r}",
           "a row outside the ball should be scaled to norm exactly r.")
    expect(bool(inside.any()) and bool((~inside).any()), "internal: the test data should mix rows")
    # rows already inside the ball: unchanged up to the rounding of w*r/r
    check_close(P[inside], W[inside], rtol=1e-15, atol=0.0, what="rows already inside the ball",
                mistakes=[Mistake("always rescale", rescaled_inside, MISTAKES["project_max_norm"][0].hint)])
    again = _a(sub.project_max_norm(P, r, axis=1))
    # idempotent: a projected point is its own projection (up to the rounding of one rescale)
    check_close(again, P, rtol=1e-12, atol=0.0, what="project_max_norm applied twice")


def _empty_array_raised(k, problem):
    """Calls 5 and 6 are the empty arrays: an exception there gets its own hint."""
    if k >= 5 and isinstance(problem, StudentRaised):
        shape, axis = _EMPTY_SHAPES[k - 5]
        raise Fail(f"project_max_norm(w of shape {shape}, 1.5, axis={axis}): {problem.message}",
                   "your code fails on an empty array. The result is then just an empty array of the same "
                   "shape; np.apply_along_axis and reshape(-1, ...) need care (or an early return) "
                   "when a dimension is 0.") from None


reference_case("project_max_norm: edge cases (zero slices, r = 0, a number, huge values)", "project_max_norm",
               _project_edge_calls, tol=ELEMENT, pure=PURE, mistakes=MISTAKES["project_max_norm"],
               on_raise=_empty_array_raised)


# ----------------------------------------------------------------------------- ISTA / FISTA
@once
def _problem(seed, n, d, frac=0.2):
    """A well-conditioned lasso problem: X^T X / n has condition number below ~10 for n >= 5d.
    Built once per process; the arrays are read-only."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    w_true = np.where(rng.random(d) < 0.5, rng.normal(scale=2.0, size=d), 0.0)
    y = X @ w_true + 0.3 * rng.normal(size=n)
    lam = frac * float(np.max(np.abs(X.T @ y)) / n)
    return X, y, lam


@once
def _ill_conditioned(seed, n=80, d=20, cond=1e3):
    """X^T X / n with eigenvalues spread over `cond` (log-spaced): ISTA is slow, FISTA is not."""
    rng = np.random.default_rng(seed)
    U, _ = np.linalg.qr(rng.normal(size=(n, d)))
    V, _ = np.linalg.qr(rng.normal(size=(d, d)))
    X = (U * (np.sqrt(n) * np.logspace(0, -0.5 * np.log10(cond), d))) @ V.T
    w_true = np.zeros(d)
    w_true[:5] = 3 * rng.normal(size=5)
    y = X @ w_true + 0.1 * rng.normal(size=n)
    return X, y, 0.05 * float(np.max(np.abs(X.T @ y)) / n)


def _objective(X, y, lam, w):
    return float(np.sum((y - X @ w) ** 2) / (2 * len(y)) + lam * np.sum(np.abs(w)))


def _lasso_solution(X, y, lam):
    """The lasso solution, exact up to rounding (X has full column rank here, so it is unique).

    FISTA iterations find the support and the signs; the optimality condition restricted to
    that support, (X_A^T X_A / n) w_A = X_A^T y / n - lam * sign(w_A), is then solved directly,
    and the result is kept only when it satisfies the KKT conditions of the lasso: the signs
    of w_A are the assumed ones and |X_j^T (y - X w)| / n < lam off the support (with a 1e-6
    relative margin, far above rounding). Those conditions prove optimality, so no iteration
    count has to be trusted (20,000 FISTA iterations gave the same values to ~1e-16).
    """
    n, d = X.shape
    G, b = X.T @ X / n, X.T @ y / n
    step = 1.0 / np.linalg.eigvalsh(G)[-1]
    w = z = np.zeros(d)
    t = 1.0
    for _ in range(100):
        for _ in range(50):
            v = z - step * (G @ z - b)
            w_new = np.sign(v) * np.maximum(np.abs(v) - step * lam, 0.0)
            t_new = (1.0 + np.sqrt(1.0 + 4.0 * t * t)) / 2.0
            z = w_new + ((t - 1.0) / t_new) * (w_new - w)
            w, t = w_new, t_new
        active = w != 0
        signs = np.sign(w[active])
        polished = np.zeros(d)
        if active.any():
            polished[active] = np.linalg.solve(G[np.ix_(active, active)], b[active] - lam * signs)
        if np.array_equal(np.sign(polished[active]), signs) and \
                bool(np.all(np.abs((b - G @ polished)[~active]) <= lam * (1 - 1e-6))):
            return polished
    raise RuntimeError("internal: no certified lasso solution found")


# Iterations for the convergence cases (objective value, exact zeros). The test problems are
# well conditioned, so a few dozen prox steps already reach the optimum far within
# OBJECTIVE_RTOL; each problem is asked for its own n_iter (instead of the default 500, which
# costs the student's code 4-10x more time). ISTA, proven: with step 1/L and mu = the smallest
# eigenvalue of X^T X / n (> 0: n > d), one prox-gradient step is a contraction by (1 - mu/L),
# and F(w_k) - F* <= (L/2) ||w_{k-1} - w*||^2 (Beck & Teboulle 2009, Lemma 2.3 with x = w*), so
# from w_0 = 0:   F(w_k) - F* <= (L/2) (1 - mu/L)^(2(k-1)) ||w*||^2.
# _converged_problem checks that this bound is below 1e-3 * OBJECTIVE_RTOL * max(1, |F*|) at
# k = the problem's n_iter (the listed n_iter are that smallest k rounded up to a multiple of 5;
# 25 rather than 20 for the 100 x 5 one, where FISTA needs it).
# FISTA's fixed momentum sequence has no such linear bound, but the contract fixes its iterates:
# the reference's n_iter-th iterate is measured against the certified optimum, within the same
# 1e-3 * OBJECTIVE_RTOL (_certify_fista; it is below 1e-13 relative on every problem). An
# internal error otherwise. (An early stop once the iterates no longer change ends even sooner.)
_CERTIFIED_MARGIN = 1e-3 * OBJECTIVE_RTOL


@once
def _converged_problem(seed, n, d, frac, n_iter):
    """_problem(seed, n, d, frac) with its certified solution w* (read-only) and optimum F*, after
    checking the ISTA bound above at k = n_iter."""
    X, y, lam = _problem(seed, n, d, frac)
    w_star = _lasso_solution(X, y, lam)
    best = _objective(X, y, lam, w_star)
    eigs = np.linalg.eigvalsh(X.T @ X / n)
    mu, L = eigs[0], eigs[-1]
    bound = L / 2 * (1 - mu / L) ** (2 * (n_iter - 1)) * float(w_star @ w_star)
    if not bound <= _CERTIFIED_MARGIN * max(1.0, abs(best)):
        raise RuntimeError(f"internal: ISTA bound {bound:.3g} after {n_iter} steps on problem {seed}")
    return X, y, lam, w_star, best


@once
def _certify_fista(ref, problem):
    """Check (once per process and reference) that the contract's FISTA iterate n_iter reaches the
    certified optimum of _converged_problem(*problem) within _CERTIFIED_MARGIN."""
    X, y, lam, _, best = _converged_problem(*problem)
    n_iter = problem[-1]
    gap = _objective(X, y, lam, ref.fista(X, y, lam, n_iter=n_iter)) - best
    if not gap <= _CERTIFIED_MARGIN * max(1.0, abs(best)):
        raise RuntimeError(f"internal: FISTA gap {gap:.3g} after {n_iter} steps on {problem}")


def _solution_checked(fn, value, d):
    """The student's answer as an array, after checking its shape (d,) and that it is finite."""
    got = _a(value)
    expect(got.shape == (d,), f"{fn}() returned shape {got.shape}, expected ({d},)")
    expect(bool(np.all(np.isfinite(got))), f"{fn}() returned NaN or infinity")
    return got


def _solution_calls(fn, problems, check, on_raise=None):
    """fixed_calls of fn(X, y, lam, n_iter=n_iter) for each (X, y, lam, n_iter) of problems(), the k-th
    value checked by check(fn, k, value)."""
    return fixed_calls(fn, lambda: [entry(call_args(X, y, lam, n_iter=n_iter), check=functools.partial(check, fn, k))
                                    for k, (X, y, lam, n_iter) in enumerate(problems())], on_raise=on_raise)


# (seed, n, d, frac, n_iter): n_iter certified as above
_OBJECTIVE_PROBLEMS = [(100, 60, 8, 0.2, 40), (101, 100, 5, 0.2, 25), (102, 40, 1, 0.2, 5), (103, 90, 15, 0.2, 60)]
_SPARSE_PROBLEMS = [(110, 60, 8, 0.3, 45), (111, 100, 5, 0.3, 15)]
_TRIVIAL_ITER = 5      # above lam_max and with X = 0 every iterate is exactly 0


def _objective_hint(fn, X, y, lam, value, n_iter=500):
    """The hint of the first mistake model that reaches the same objective value, if any."""
    for m in MISTAKES[fn]:
        try:
            model_value = _objective(X, y, lam, _a(m.value(X, y, lam, n_iter)))
        except Exception:  # noqa: BLE001 - a model that does not apply here
            continue
        if np.isfinite(model_value) and abs(model_value - value) <= 1e-9 * max(1.0, abs(value)):
            return m.hint
    return None


_ITERATES_PROBLEMS = [(80 + k, n, d, 0.1) for k, (n, d) in enumerate([(30, 6), (12, 3), (20, 20)])]


def _iterates_calls(fn, n_iters):
    return [entry(call_args(X, y, lam, n_iter=n_iter), what=f"{fn}(X, y, lam, n_iter={n_iter}) on a {n} x {d} problem")
            for seed, n, d, frac in _ITERATES_PROBLEMS for X, y, lam in [_problem(seed, n, d, frac)]
            for n_iter in n_iters]


def _explicit_step_calls(fn):
    X, y, lam = _problem(90, 25, 4, frac=0.15)
    L = np.linalg.eigvalsh(X.T @ X / 25)[-1]
    return [entry(call_args(X, y, lam, n_iter=4, step=step), what=f"{fn}(X, y, lam, n_iter=4, step={step:.4g})")
            for step in (0.5 / L, 0.9 / L)]


def _objective_check(fn, k, got):
    X, y, lam, _, best = _converged_problem(*_OBJECTIVE_PROBLEMS[k])
    n, d = X.shape
    n_iter = _OBJECTIVE_PROBLEMS[k][-1]
    value = _objective(X, y, lam, _solution_checked(fn, got, d))
    if value > best + OBJECTIVE_RTOL * max(1.0, abs(best)):
        hint = _objective_hint(fn, X, y, lam, value, n_iter=n_iter)
        if hint is None and value <= best + 1e-4 * max(1.0, abs(best)):
            hint = ("your answer is close to the optimum but not converged. If you stop early, stop "
                    "only once the iterates no longer change (a step that moves w by less than about "
                    "1e-10), or simply run all n_iter iterations.")
        raise Fail(f"{fn}(X, y, lam, n_iter={n_iter}) on a well-conditioned {n} x {d} problem reaches "
                   f"objective {value:.12g}; the lasso optimum is {best:.12g} (tolerance "
                   f"{OBJECTIVE_RTOL:g} relative; {n_iter} iterations of the contract's method reach it "
                   f"within 1e-12 on this problem)", hint)


def _objective_case(fn):
    calls = _solution_calls(fn, lambda: [(*_converged_problem(*p)[:3], p[-1]) for p in _OBJECTIVE_PROBLEMS],
                            _objective_check)

    def body(sub, ref):
        if fn == "fista":
            for p in _OBJECTIVE_PROBLEMS:
                _certify_fista(ref, p)
        calls.check(sub)
    return body


@once
def _sparse_problems():
    """The exact-zeros problems with the coordinates that are zero with a margin at the solution."""
    out = []
    for p in _SPARSE_PROBLEMS:
        X, y, lam, w_star, best = _converged_problem(*p)
        corr = np.abs(X.T @ (y - X @ w_star)) / X.shape[0]
        # coordinates that are zero with a margin (|correlation| < 0.9 lam): any converged proximal
        # method returns them as exact zeros, whatever its rounding
        clear = (w_star == 0) & (corr < 0.9 * lam)
        if not clear.any():
            raise RuntimeError("internal: the test problem should have zero coefficients")
        out.append((X, y, lam, w_star, best, clear))
    X, y, _ = _problem(120, 30, 5)
    lam_max = float(np.max(np.abs(X.T @ y)) / 30)
    return out, (X, y, 1.01 * lam_max), (np.zeros((4, 3)), np.ones(4))


def _sparsity_problems():
    sparse, above, (X0, y0) = _sparse_problems()
    return [(X, y, lam, p[-1]) for (X, y, lam, *_), p in zip(sparse, _SPARSE_PROBLEMS)] + \
        [(*above, _TRIVIAL_ITER), (X0, y0, 0.1, _TRIVIAL_ITER)]


def _sparsity_check(fn, k, got):
    sparse = _sparse_problems()[0]
    if k < len(sparse):
        X, y, lam, w_star, best, clear = sparse[k]
        got = _solution_checked(fn, got, X.shape[1])
        nonzero = np.flatnonzero(clear & (got != 0))
        if nonzero.size:
            # the subgradient hint fits an answer that is near the optimum but not sparse; an answer
            # far from it (a wrong step, a diverging iteration) gets the hint of a matching model
            value = _objective(X, y, lam, got)
            near = value <= best + 1e-3 * max(1.0, abs(best))
            n_iter = _SPARSE_PROBLEMS[k][-1]
            hint = _SUBGRADIENT_HINT if near else _objective_hint(fn, X, y, lam, value, n_iter)
            raise Fail(f"{fn}(X, y, lam, n_iter={n_iter}): coefficient {nonzero[:1].tolist()} "
                       f"should be exactly 0 at the lasso solution, got {got[nonzero[:1]].tolist()}", hint)
    elif k == len(sparse):
        # above lam_max the soft threshold zeroes the very first step, so w stays exactly 0
        got = _solution_checked(fn, got, 5)
        check_close(got, np.zeros(5), rtol=0.0, atol=0.0, what=f"{fn}(X, y, lam > max|X^T y|/n)")
    else:
        # X = 0: lam_max = 0 and L = 0; the docstring says the answer is w = 0 (exactly)
        check_close(got, np.zeros(3), rtol=0.0, atol=0.0, what=f"{fn}(X = 0, y, 0.1)",
                    mistakes=[Mistake("1/L with L = 0", np.full(3, np.nan), _ZERO_X_HINT)])


def _sparsity_case(fn):
    calls = _solution_calls(fn, _sparsity_problems, _sparsity_check, on_raise=functools.partial(_zero_x_raised, fn))

    def body(sub, ref):
        if fn == "fista":
            for p in _SPARSE_PROBLEMS:
                _certify_fista(ref, p)
        calls.check(sub)
    return body


def _zero_x_raised(fn, k, problem):
    """The last call has X = 0 (L = 0): an exception there gets its own hint."""
    if k == len(_SPARSE_PROBLEMS) + 1 and isinstance(problem, StudentRaised):
        raise Fail(f"{fn}(X = 0, y, 0.1): {problem.message}", _ZERO_X_HINT) from None


for _fn, _n_iters, _iterates_name in (("ista", (1, 2, 5), "first iterates from w = 0 with the default step 1/L "
                                                     "(n_iter = 1, 2, 5)"),
                                     ("fista", (1, 3, 5, 10), "iterates follow the contract's momentum sequence "
                                                              "(n_iter = 1, 3, 5, 10)")):
    reference_case(f"{_fn}: {_iterates_name}", _fn, functools.partial(_iterates_calls, _fn, _n_iters), tol=ITERATES,
                   points=2, pure=PURE, mistakes=MISTAKES[_fn])
    reference_case(f"{_fn}: iterates with an explicit step", _fn, functools.partial(_explicit_step_calls, _fn),
                   tol=ITERATES, pure=PURE, mistakes=MISTAKES[_fn])
    case(f"{_fn}: reaches the lasso optimum on well-conditioned problems (objective value)", points=2)(
        _objective_case(_fn))
    case(f"{_fn}: exact zeros where the lasso solution is zero, all zeros above lam_max", points=1)(
        _sparsity_case(_fn))


@once
def _ill_conditioned_problem(seed):
    """_ill_conditioned(seed) with its certified optimum F*."""
    X, y, lam = _ill_conditioned(seed)
    return X, y, lam, _objective(X, y, lam, _lasso_solution(X, y, lam))


@case("fista: accelerated on an ill-conditioned problem (50 iterations)", points=1)
def _(sub, ref):
    problems = [_ill_conditioned_problem(seed) for seed in (130, 131)]

    def check(k, got):
        X, y, lam, best = problems[k]
        gap_ref = _objective(X, y, lam, ref.fista(X, y, lam, n_iter=50)) - best
        value = _objective(X, y, lam, _solution_checked("fista", got, X.shape[1]))
        gap = value - best
        # FISTA's gap here is ~100x smaller than ISTA's; 3x the reference's gap leaves room for rounding
        # and still tells accelerated from plain proximal gradient
        if gap > 3 * gap_ref + 1e-12:
            # the "exactly ISTA" hint only when the gap is ISTA's (within 10%); otherwise a matching model's
            gap_ista = _objective(X, y, lam, ref.ista(X, y, lam, n_iter=50)) - best
            hint = MISTAKES["fista"][0].hint if abs(gap - gap_ista) <= 0.1 * gap_ista else \
                _objective_hint("fista", X, y, lam, value, n_iter=50)
            raise Fail(f"after 50 iterations on an ill-conditioned problem your objective gap is {gap:.3g}, "
                       f"the accelerated method reaches {gap_ref:.3g}",
                       hint or "your method is not accelerated as it should be: check the momentum step "
                       "z = w_new + ((t - 1)/t_new)(w_new - w) and the t sequence of the contract.")

    position = iter(range(len(problems)))     # both calls in one message, each checked in turn
    sub.call_each("fista", [call_args(X, y, lam, n_iter=50) for X, y, lam, _ in problems],
                  lambda got: check(next(position), got))


# ----------------------------------------------------------------------------- ridge
reference_case("ridge_closed_form: random problems (tall, wide, one feature) and strengths match the reference",
               "ridge_closed_form", _ridge_calls, tol=RIDGE, points=3, pure=PURE, mistakes=MISTAKES["ridge_closed_form"])


@case("ridge_closed_form: the answer satisfies the normal equations (X^T X + lam I) w = X^T y", points=1)
def _(sub, ref):
    X, y = _fixed("ridge normal equations")     # two nearly collinear columns
    lam = 0.05
    w = _a(sub.ridge_closed_form(X, y, lam))
    expect(w.shape == (6,), f"result has shape {w.shape}, expected (6,)")
    residual = (X.T @ X + lam * np.eye(6)) @ w - X.T @ y
    scale = np.linalg.norm(X.T @ y)
    # a backward-stable solve leaves a residual ~1e-15 * ||X^T X|| ||w||; 1e-9 relative is loose for that
    expect(bool(np.linalg.norm(residual) <= 1e-9 * max(scale, 1.0)),
           f"the normal-equation residual is {np.linalg.norm(residual):.3g}",
           "ridge solves (X^T X + lam I) w = X^T y; use np.linalg.solve on that system.")
