"""Public tests of 02_proximal (shipped with the assignment).

Expected values are worked out by hand from the contract in proximal.py, or (for the
first few ISTA/FISTA iterates) written out to full precision. The hidden tests check
the same functions on many more inputs.
"""
import numpy as np

from autograder.cases import Tol, entry, fixed_case
from autograder.framework import Fail, Mistake, call_args, check_close
from autograder.suites.proximal.common import (
    HINT_SIGN_LOST, HINT_NO_CLAMP, HINT_ONE_SIDED, HINT_NO_L2_SCALING, HINT_L2_ONLY,
    HINT_V_NOT_SCALED, HINT_HARD_ONE_SIDED, HINT_DIVIDE_BY_NORM_ONLY,
    HINT_MOMENTUM_WITH_THE_UPDATED_T, HINT_STALE_W, HINT_LAM_ON_EVERY_ENTRY, HINT_SHRUNK_LEAST_SQUARES
)

CLOSED_FORM = Tol(1e-12, why="closed forms: correct implementations differ in the last bits at most")
EXACT = Tol(0.0, why="exact: thresholding returns v or 0, and nothing is computed on these entries")
# The module's contract: no function modifies its input arrays; every call of these cases checks it.
PURE_CALLS = ("your function changed the caller's array (for example with `v -= ...` or `v[...] = 0`); "
              "compute the result in a new array and leave the inputs alone.")
ITER = Tol(1e-9, 1e-12, why="iterative methods on 2-variable problems: ways of computing L and the gradient differ by "
           "~1e-15 and a handful of iterations cannot grow that past 1e-12; a wrong step or a missing momentum term "
           "moves the iterates by more than 1e-2")
CONVERGED = Tol(1e-5, 1e-8, why="converged answers (default n_iter = 500): ista's docstring allows stopping once the "
                "iterates no longer change, and a stop when a step moves w by less than 1e-6 leaves it ~4e-6 from the "
                "optimum on this problem (contraction factor 0.79 per step), so 1e-5 relative. Every mistake modelled "
                "here moves the fixed point itself (a wrong threshold, a missing /n in the gradient) by more than "
                "1e-2; a wrong step size alone is caught by the iterate checks above it")
_NOT_CONVERGED = ("your answer is close to the lasso solution but not converged. If you stop early, stop only "
                  "once the iterates no longer change (a step that moves w by less than about 1e-10), or "
                  "simply run all n_iter iterations.")


def check_converged(got, what):
    try:
        check_close(got, W_SMALL, **CONVERGED, what=what)
    except Fail as failure:
        try:
            g = np.asarray(got, dtype=np.float64)
            near = g.shape == (2,) and bool(np.all(np.isfinite(g))) and np.allclose(g, W_SMALL, rtol=1e-2, atol=0)
        except (TypeError, ValueError):
            near = False
        raise Fail(failure.message, failure.hint or (_NOT_CONVERGED if near else None)) from None


# ----------------------------------------------------------------------------- prox_l1
fixed_case("prox_l1: soft thresholding of [-3, -1, -0.5, 0, 0.5, 2] at t = 1", "prox_l1",
           [((np.array([-3.0, -1.0, -0.5, 0.0, 0.5, 2.0]), 1.0), [-2.0, 0.0, 0.0, 0.0, 0.0, 1.0])],
           tol=CLOSED_FORM, points=2, what="prox_l1(v, 1)", mistakes=[
    Mistake("sign lost", [2.0, 0.0, 0.0, 0.0, 0.0, 1.0], HINT_SIGN_LOST),
    Mistake("no clamp", [-2.0, 0.0, 0.5, 0.0, -0.5, 1.0], HINT_NO_CLAMP),
    Mistake("one-sided", [0.0, 0.0, 0.0, 0.0, 0.0, 1.0], HINT_ONE_SIDED),
    Mistake("v - t", [-4.0, -2.0, -1.5, -1.0, -0.5, 1.0],
            "your result is v - t: the shrinkage moves every entry toward 0 (by t), and entries "
            "with |v| <= t become exactly 0."),
])

fixed_case("prox_l1: t = 0 returns v unchanged", "prox_l1", [(([-1.5, 0.0, 2.25], 0.0), [-1.5, 0.0, 2.25])],
           tol=EXACT, what="prox_l1(v, 0)")


# ----------------------------------------------------------------------------- prox_l2
fixed_case("prox_l2: v = [2, -4, 1], t = 0.25 gives v / 1.25", "prox_l2", [(([2.0, -4.0, 1.0], 0.25), [1.6, -3.2, 0.8])],
           tol=CLOSED_FORM, what="prox_l2(v, 0.25)", mistakes=[
    Mistake("gradient step", [1.5, -3.0, 0.75],
            "your result is v * (1 - t), one gradient step on (t/2)||x||^2; the prox solves "
            "t*x + (x - v) = 0 exactly: x = v / (1 + t)."),
    Mistake("factor 2", [4 / 3, -8 / 3, 2 / 3],
            "your result is v / (1 + 2t), the prox of t*||x||^2; this prox is of (t/2)*||x||^2, "
            "which gives v / (1 + t)."),
])


# ----------------------------------------------------------------------------- prox_elastic_net
# soft threshold at 1: [-2, 0, 1]; then divide by 1 + t2 = 2
fixed_case("prox_elastic_net: v = [-3, 0.5, 2], t1 = 1, t2 = 1", "prox_elastic_net",
           [(([-3.0, 0.5, 2.0], 1.0, 1.0), [-1.0, 0.0, 0.5])], tol=CLOSED_FORM, points=2,
           what="prox_elastic_net(v, 1, 1)", mistakes=[
    Mistake("no L2 scaling", [-2.0, 0.0, 1.0], HINT_NO_L2_SCALING),
    Mistake("scale first", [-0.5, 0.0, 0.0],
            "you divided v by (1 + t2) before soft-thresholding at t1: either threshold first and "
            "then divide, or threshold the scaled v at t1 / (1 + t2)."),
    Mistake("L2 only", [-1.5, 0.25, 1.0], HINT_L2_ONLY),
    Mistake("threshold t1/(1+t2), v not scaled", [-2.5, 0.0, 1.5], HINT_V_NOT_SCALED),
])


# ----------------------------------------------------------------------------- prox_l0
fixed_case("prox_l0: hard thresholding of [-3, -1.5, 0.5, 1.2, 2.5] at t = 1 (threshold sqrt(2))", "prox_l0",
           [(([-3.0, -1.5, 0.5, 1.2, 2.5], 1.0), [-3.0, -1.5, 0.0, 0.0, 2.5])], tol=EXACT, points=2,
           what="prox_l0(v, 1)", mistakes=[
    Mistake("threshold t", [-3.0, -1.5, 0.0, 1.2, 2.5],
            "you kept 1.2 although 1.2 < sqrt(2): the threshold of the prox of t*||x||_0 is "
            "sqrt(2t) (keep v_i when v_i^2/2 > t), not t."),
    Mistake("threshold 2t", [-3.0, 0.0, 0.0, 0.0, 2.5],
            "you dropped -1.5 although 1.5 > sqrt(2): the threshold is sqrt(2t), not 2t."),
    Mistake("soft", [-3.0 + 2 ** 0.5, -1.5 + 2 ** 0.5, 0.0, 0.0, 2.5 - 2 ** 0.5],
            "your kept entries were shrunk: hard thresholding keeps v_i unchanged (it is soft "
            "thresholding that subtracts the threshold)."),
    Mistake("one-sided", [0.0, 0.0, 0.0, 0.0, 2.5], HINT_HARD_ONE_SIDED),
])

fixed_case("prox_l0: entries exactly at |v| = sqrt(2t) become 0 (v = [2, -2, 2.5], t = 2)", "prox_l0",
           [(([2.0, -2.0, 2.5], 2.0), [0.0, 0.0, 2.5])], tol=EXACT, what="prox_l0(v, 2)", mistakes=[
    Mistake(">= instead of >", [2.0, -2.0, 2.5],
            "at |v_i| == sqrt(2t) both 0 and v_i are minimizers; the contract keeps v_i only when "
            "|v_i| > sqrt(2t) strictly (as torch's hardshrink does)."),
])


# ----------------------------------------------------------------------------- project_max_norm
fixed_case("project_max_norm: [3, 4] onto the unit ball gives [0.6, 0.8]; [0.3, 0.4] stays", "project_max_norm", [
    entry(([3.0, 4.0], 1.0), expected=[0.6, 0.8], what="project_max_norm([3, 4], 1)", mistakes=[
        Mistake("divide by norm only", [3 / 25, 4 / 25], HINT_DIVIDE_BY_NORM_ONLY),
        Mistake("max-abs norm", [0.75, 1.0],
                "your norm looks like the largest |entry| (4 here), not the Euclidean norm "
                "sqrt(3^2 + 4^2) = 5: the ball is ||w||_2 <= r."),
        Mistake("clip entries", [1.0, 1.0],
                "you clipped each entry to [-r, r] (a box); the constraint is on the "
                "Euclidean norm: rescale w by r / ||w|| when ||w|| > r, keeping its "
                "direction.")]),
    entry(([0.3, 0.4], 1.0), expected=[0.3, 0.4], what="project_max_norm([0.3, 0.4], 1)",
          tol=Tol(1e-15, why="inside the ball: returned as it is (up to a rounding of w*r/r)"), mistakes=[
        Mistake("always rescale", [0.6, 0.8],
                "a point inside the ball (norm 0.5 <= 1) was moved to the boundary: the projection "
                "leaves w unchanged when ||w|| <= r and only rescales when ||w|| > r.")]),
], tol=CLOSED_FORM, points=2)

_W = np.array([[3.0, 4.0], [0.3, 0.4], [0.0, 0.0]])
fixed_case("project_max_norm: axis=1 projects each row of a matrix on its own", "project_max_norm",
           [(call_args(_W, 1.0, axis=1), [[0.6, 0.8], [0.3, 0.4], [0.0, 0.0]])], tol=CLOSED_FORM, points=2,
           what="project_max_norm(W, 1, axis=1)", mistakes=[
    Mistake("axis 0", _W / np.maximum(np.sqrt((_W ** 2).sum(axis=0)), 1.0),
            "you projected the columns: with axis=1 the norm is taken along axis 1, so each row "
            "(one neuron's incoming weights) is projected on its own."),
    Mistake("whole matrix", _W / np.sqrt((_W ** 2).sum()),
            "you used the norm of the whole matrix: with axis=1 each row has its own norm and "
            "rows inside the ball stay unchanged."),
])


# ----------------------------------------------------------------------------- ISTA / FISTA
# Orthogonal design: X^T X / n = I, so L = 1, step = 1 and one ISTA step solves the lasso:
# w = soft_threshold(X^T y / n, lam) = soft([2, 1], 0.5) = [1.5, 0.5].
X_ORTH, Y_ORTH = [[1.0, 1.0], [1.0, -1.0]], [3.0, 1.0]
# A small problem with L = 3.5907 (not 1): the lasso solution at lam = 0.3 has both
# coefficients positive, so it solves X^T X w = X^T y - n*lam*[1, 1], i.e. [8 4; 4 5] w = [9.1, 9.1].
X_SMALL, Y_SMALL, LAM_SMALL = [[2.0, 0.0], [0.0, 1.0], [2.0, 2.0]], [1.0, 2.0, 4.0], 0.3
W_SMALL = [9.1 / 24, 36.4 / 24]
ISTA_SMALL_3 = [0.672092635347745, 1.093974356722275]      # three ISTA steps from 0 with step 1/L
FISTA_SMALL_6 = [0.42756612544854933, 1.4468262249854924]  # six FISTA steps
ISTA_SMALL_6 = [0.5253348684815614, 1.3057458830169824]    # six ISTA steps (FISTA without momentum)


fixed_case("ista: on an orthogonal design one step already gives the lasso solution [1.5, 0.5]", "ista",
           [(call_args(X_ORTH, Y_ORTH, 0.5, n_iter=1), [1.5, 0.5])], tol=ITER, points=2,
           what="ista(X, y, 0.5, n_iter=1)",
           mistakes=[Mistake("step without /n", [0.75, 0.25],
                             "your first step is half as long as expected: L is the largest eigenvalue "
                             "of X^T X / n (with the / n), so here L = 1 and the step is 1. (If you "
                             "used np.linalg.norm(X)**2 / n: that is the Frobenius norm, the sum of all "
                             "eigenvalues; L needs the spectral norm, np.linalg.norm(X, 2).)")])

# max|X^T y| / n = 2: the first soft threshold already gives 0, and every later step too
fixed_case("ista: lam at least max|X^T y| / n gives exactly w = 0", "ista",
           [(call_args(X_ORTH, Y_ORTH, 2.0, n_iter=10), [0.0, 0.0])],
           tol=Tol(0.0, why="exact: every soft threshold gives 0"), what="ista(X, y, 2, n_iter=10)")

fixed_case("ista: a 3 x 2 problem, three iterates from 0 and the converged solution", "ista", [
    entry(call_args(X_SMALL, Y_SMALL, LAM_SMALL, n_iter=3), expected=ISTA_SMALL_3, what="ista(X, y, 0.3, n_iter=3)",
          mistakes=[
        Mistake("step without /n", [0.5666797513368323, 0.6345876142401344],
                "your iterates move n times too slowly: the default step is 1/L with L the largest "
                "eigenvalue of X^T X / n, not of X^T X."),
        Mistake("threshold lam", [0.49988916653929977, 0.8136764199392137],
                "your soft threshold is lam; in a proximal gradient step it is step * lam."),
        Mistake("Frobenius L", [0.7082840236686391, 1.0313609467455622],
                "your steps are 1/L with L = ||X||_F^2 / n: np.linalg.norm(X) of a matrix is the Frobenius "
                "norm, whose square is the sum of ALL eigenvalues of X^T X. L is the largest eigenvalue of "
                "X^T X / n, i.e. np.linalg.norm(X, 2)**2 / n (the spectral norm)."),
        Mistake("smallest eigenvalue", [51.32447395329162, 36.821788467091835],
                "your step is 1 over the SMALLEST eigenvalue of X^T X / n: np.linalg.eigvalsh returns the "
                "eigenvalues in ascending order, so the largest one, L, is the last, [-1]."),
        Mistake("gradient sign", [-6.318614943406249, -5.328866087766151],
                "your iterates move away from the solution: the gradient of (1/(2n))||y - Xw||^2 is "
                "X^T (X w - y) / n; with X^T (y - X w) / n you have to add step * that, not subtract it."),
        Mistake("one iteration short", [0.7484781952240188, 0.9837499580597898],
                "your third iterate is the expected second one: with n_iter = k the loop must take k "
                "prox-gradient steps from w = 0 (check range(...) bounds)."),
    ]),
    entry((X_SMALL, Y_SMALL, LAM_SMALL), check=lambda got: check_converged(got, what="ista(X, y, 0.3)")),
], tol=ITER, points=2)

# the first step lands on the solution (a fixed point), and the momentum term is then 0
fixed_case("fista: on an orthogonal design it gives the lasso solution [1.5, 0.5]", "fista",
           [(call_args(X_ORTH, Y_ORTH, 0.5, n_iter=10), [1.5, 0.5])], tol=ITER, what="fista(X, y, 0.5, n_iter=10)",
           mistakes=[Mistake("step without /n", [1.4969682448149237, 0.49898941493830795],
                             "your iterates look like steps half as long as expected: L is the largest "
                             "eigenvalue of X^T X / n (with the / n), so here L = 1 and the step is 1, "
                             "which lands on the solution at once. (If you used np.linalg.norm(X)**2 / n: "
                             "that is the Frobenius norm, the sum of all eigenvalues; L needs the spectral "
                             "norm, np.linalg.norm(X, 2).)")])

fixed_case("fista: a 3 x 2 problem, six iterates with momentum and the converged solution", "fista", [
    entry(call_args(X_SMALL, Y_SMALL, LAM_SMALL, n_iter=6), expected=FISTA_SMALL_6, what="fista(X, y, 0.3, n_iter=6)",
          mistakes=[
        Mistake("no momentum", ISTA_SMALL_6,
                "your sixth iterate is exactly ISTA's: the momentum step z = w_new + ((t - 1)/t_new)(w_new - w) "
                "is missing or has no effect."),
        Mistake("momentum with the updated t", [0.3488601444806545, 1.5603989923695258],
                HINT_MOMENTUM_WITH_THE_UPDATED_T),
        Mistake("stale w", [0.0, 2.2031342054171814], HINT_STALE_W),
    ]),
    entry((X_SMALL, Y_SMALL, LAM_SMALL), check=lambda got: check_converged(got, what="fista(X, y, 0.3)")),
], tol=ITER, points=2)


# ----------------------------------------------------------------------------- ridge
# X^T X + I = [[3, 1], [1, 3]], X^T y = [4, 5]  ->  w = [7/8, 11/8]
fixed_case("ridge_closed_form: a 3 x 2 problem with lam = 1", "ridge_closed_form",
           [(([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]], [1.0, 2.0, 3.0], 1.0), [0.875, 1.375])], tol=CLOSED_FORM,
           points=2, what="ridge_closed_form(X, y, 1)", mistakes=[
    Mistake("no lam", [1.0, 2.0], "your answer is the least-squares solution: lam * I is missing from X^T X."),
    Mistake("lam / n", [0.975, 1.725],
            "your answer uses lam / n: this objective, ||y - Xw||^2 + lam*||w||^2, has no 1/n, so the "
            "system is (X^T X + lam I) w = X^T y."),
    Mistake("2 lam", [11 / 15, 16 / 15],
            "your answer uses 2*lam: the system is (X^T X + lam I) w = X^T y."),
    Mistake("lam on every entry", [0.4, 1.4], HINT_LAM_ON_EVERY_ENTRY),
    Mistake("shrunk least squares", [0.5, 1.0], HINT_SHRUNK_LEAST_SQUARES),
])


# ----------------------------------------------------------------------------- edge cases the docstrings state
_NOTHING = Tol(0.0, why="exact: nothing to compute")
fixed_case("project_max_norm: empty arrays, and r = 0 with an all-zero row, along axis=1", "project_max_norm", [
    *[entry(call_args(np.zeros(shape), 1.5, axis=1), expected=np.zeros(shape),
            what=f"project_max_norm(w of shape {shape}, 1.5, axis=1)") for shape in ((0, 3), (3, 0))],
    # r = 0 maps everything to 0, an all-zero row included (no 0/0 there); exact
    entry(call_args(np.array([[3.0, 4.0], [0.0, 0.0]]), 0.0, axis=1), expected=np.zeros((2, 2)),
          what="project_max_norm([[3, 4], [0, 0]], 0, axis=1)"),
], tol=_NOTHING)

# exact: the gradient is 0, so w never leaves 0
for _fn in ("ista", "fista"):
    fixed_case(f"{_fn}: X all zeros (L = 0) gives w = 0", _fn,
               [(call_args(np.zeros((3, 2)), np.array([1.0, -1.0, 2.0]), 0.1, n_iter=5), [0.0, 0.0])],
               tol=Tol(0.0, why="exact: the gradient is 0, so w never leaves 0"), what=f"{_fn}(X = 0, y, 0.1, n_iter=5)")
