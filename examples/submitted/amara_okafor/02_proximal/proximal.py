"""Assignment 02: proximal operators, projection onto a ball, ISTA/FISTA for the lasso, ridge.

The proximal operator of a function g at a point v is

    prox_g(v) = argmin_x  g(x) + (1/2) * ||x - v||^2 ,

the point that trades "small g" against "close to v". Proximal gradient methods take a
gradient step on the smooth part of an objective and then apply the prox of the
non-smooth part (here: an L1 penalty). Note the 1/2 in front of the squared distance:
it is why soft thresholding shrinks by t itself (compare l1_scalar_minimizer of
assignment 01, whose quadratic has no 1/2 and whose threshold is lam/2).

In this module t (or t1, t2) is the strength of the function inside the prox; in a
proximal gradient method it is step * lam.

The lasso problem solved by ista and fista is

    minimize_w  F(w) = (1 / (2n)) * ||y - X w||^2 + lam * ||w||_1 ,

exactly scikit-learn's Lasso(alpha=lam, fit_intercept=False). Its smooth part has
gradient X^T (X w - y) / n, which is Lipschitz with constant L = the largest eigenvalue
of X^T X / n; a step of 1/L guarantees progress.

Every function accepts NumPy arrays, Python lists or plain numbers. The lines outside the
solution regions convert the inputs and reject invalid ones with a ValueError; you only
write the mathematics. Do not modify the input arrays in place. Every function is graded
on its own; you may call your prox_l1 from ista and fista, but then a mistake in prox_l1
costs points there too, so test it first.

Only NumPy and the Python standard library may be used.
"""
import numbers

import numpy as np


# ----------------------------------------------------------------------------- input checks
# (scaffolding: already written for you, used by every function below)
def _as_array(x, name):
    """Return `x` as a float64 NumPy array (no copy if it already is one)."""
    try:
        return np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be numbers (an array, a list or a scalar), "
                         f"got {type(x).__name__}") from None


def _check_nonnegative(value, name):
    """Return `value` as a Python float after checking it is one finite number >= 0."""
    if np.ndim(value) != 0:
        raise ValueError(f"{name} must be a single number, got an array of shape {np.shape(value)}")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number, got {value!r}") from None
    if not np.isfinite(number):
        raise ValueError(f"{name} must be finite, got {number}")
    if number < 0:
        raise ValueError(f"{name} must be >= 0, got {number}")
    return number


def _check_regression(X, y):
    """Return X (n, d) and y (n,) as float64 arrays after checking their shapes agree."""
    X = _as_array(X, "X")
    y = _as_array(y, "y")
    if X.ndim != 2:
        raise ValueError(f"X must be a 2-D array (n samples, d features), got shape {X.shape}")
    if y.ndim != 1:
        raise ValueError(f"y must be a 1-D array of n targets, got shape {y.shape}")
    if X.shape[0] != y.shape[0]:
        raise ValueError(f"X and y disagree: X has {X.shape[0]} rows (samples) but y has {y.shape[0]} entries")
    if X.shape[0] == 0:
        raise ValueError("X and y must hold at least one sample")
    return X, y


def _check_iterations(n_iter, step):
    """Return n_iter as an int >= 1 and step as None or a float > 0."""
    if isinstance(n_iter, bool) or not isinstance(n_iter, numbers.Integral):
        raise ValueError(f"n_iter must be an integer, got {n_iter!r}")
    if n_iter < 1:
        raise ValueError(f"n_iter must be positive, got {n_iter}")
    if step is not None:
        step = _check_nonnegative(step, "step")
        if step == 0:
            raise ValueError("step must be > 0 (or None for the default 1/L)")
    return int(n_iter), step


# ----------------------------------------------------------------------------- proximal operators
def prox_l1(v, t):
    """Proximal operator of t * ||x||_1: soft thresholding.

    prox(v)_i = argmin_x t*|x| + (1/2)(x - v_i)^2 = sign(v_i) * max(|v_i| - t, 0).

    Entries with |v_i| <= t become exactly 0 (this is where L1 sparsity comes from); the
    others move toward 0 by t. With t = 0 the result equals v.

    Inputs:
    - v: array of any shape (a list or a scalar is accepted).
    - t: float >= 0, the threshold.

    Returns:
    - x: array with the shape of v.

    Raises ValueError if t is negative (or not a finite number) or v is not numeric.
    """
    v = _as_array(v, "v")
    t = _check_nonnegative(t, "t")
    return np.sign(v) * np.maximum(np.abs(v) - t, 0.0)


def prox_l2(v, t):
    """Proximal operator of (t/2) * ||x||^2: uniform shrinkage, v / (1 + t).

    Setting the gradient t*x + (x - v) to zero gives x = v / (1 + t). Unlike soft
    thresholding, no entry becomes exactly 0 (unless it already was).

    Inputs:
    - v: array of any shape.
    - t: float >= 0.

    Returns:
    - x: array with the shape of v.

    Raises ValueError if t is negative (or not a finite number) or v is not numeric.
    """
    v = _as_array(v, "v")
    t = _check_nonnegative(t, "t")
    return v / (1.0 + t)


def prox_elastic_net(v, t1, t2):
    """Proximal operator of t1 * ||x||_1 + (t2/2) * ||x||^2.

    Per coordinate, return the minimizer of t1*|x| + (t2/2) x^2 + (1/2)(x - v)^2 (deriving
    it is written question 2 of the notebook: combine the two quadratics, or use the
    optimality condition with a subgradient of |x|). With t2 = 0 it is prox_l1(v, t1),
    with t1 = 0 it is prox_l2(v, t2).

    Inputs:
    - v: array of any shape.
    - t1: float >= 0, the L1 strength.
    - t2: float >= 0, the L2 strength.

    Returns:
    - x: array with the shape of v.

    Raises ValueError if t1 or t2 is negative (or not a finite number) or v is not numeric.
    """
    v = _as_array(v, "v")
    t1 = _check_nonnegative(t1, "t1")
    t2 = _check_nonnegative(t2, "t2")
    return np.sign(v) * np.maximum(np.abs(v) - t1, 0.0) / (1.0 + t2)


def prox_l0(v, t):
    """Proximal operator of t * ||x||_0 (t times the number of nonzero entries): hard thresholding.

    Per coordinate, x = 0 costs (1/2) v_i^2 and x = v_i costs t. Keeping v_i is strictly
    better when v_i^2 / 2 > t, that is |v_i| > sqrt(2t). So

        x_i = v_i  if |v_i| > sqrt(2 t),   else 0.

    At |v_i| == sqrt(2t) both choices cost the same; the contract sets those entries to
    0 (keep only when strictly above). Kept entries are not shrunk - compare prox_l1.
    (torch.nn.functional.hardshrink(v, lambd) is this operator with lambd = sqrt(2t).)

    Inputs:
    - v: array of any shape.
    - t: float >= 0.

    Returns:
    - x: array with the shape of v.

    Raises ValueError if t is negative (or not a finite number) or v is not numeric.
    """
    v = _as_array(v, "v")
    t = _check_nonnegative(t, "t")
    return np.where(np.abs(v) > np.sqrt(2.0 * t), v, 0.0)


# ----------------------------------------------------------------------------- max-norm projection
def project_max_norm(w, r, axis=None):
    """Euclidean projection onto the ball ||w||_2 <= r (the max-norm constraint).

    The closest point of the ball to w is w itself when ||w|| <= r, and w * r / ||w||
    (same direction, length r) otherwise.

    - axis=None: the norm is taken over the whole array, which is projected as one vector.
    - axis=k: every slice along `axis` is projected on its own, with its own norm. For a
      weight matrix W of shape (n_out, n_in) whose row i holds the incoming weights of
      neuron i, project_max_norm(W, r, axis=1) caps each neuron's incoming weight vector.

    Slices already inside the ball (norm <= r) are returned unchanged; slices outside
    are scaled down to norm exactly r. r = 0 maps everything to 0. Be careful with
    all-zero slices: their norm is 0, do not divide by it. Empty arrays are valid
    input too (say shape (0, 3): no rows; or (3, 0): rows of length 0) and come back
    as an empty array of the same shape.

    Inputs:
    - w: array of any shape (empty arrays included).
    - r: float >= 0, the radius.
    - axis: None, or an int (negative counts from the end) naming the axis along which norms are taken.

    Returns:
    - w_proj: array with the shape of w.

    Raises ValueError if r is negative (or not a finite number) or w is not numeric; numpy's
    AxisError (a ValueError) if axis is out of range.
    """
    w = _as_array(w, "w")
    r = _check_nonnegative(r, "r")
    if axis is not None:
        if isinstance(axis, bool) or not isinstance(axis, numbers.Integral):
            raise ValueError(f"axis must be None or an int, got {axis!r}")
        axis = np.lib.array_utils.normalize_axis_index(int(axis), w.ndim)
    # Norms computed on a rescaled copy so that huge entries do not overflow when squared.
    scale = np.max(np.abs(w), axis=axis, keepdims=True) if w.size else np.ones([1] * w.ndim)
    scale = np.where(scale > 0, scale, 1.0)
    norms = scale * np.sqrt(np.sum((w / scale) ** 2, axis=axis, keepdims=True))
    factor = np.where(norms > r, r / np.where(norms > 0, norms, 1.0), 1.0)
    return w * factor


# ----------------------------------------------------------------------------- lasso by proximal gradient
def ista(X, y, lam, n_iter=500, step=None):
    """ISTA (proximal gradient descent) for the lasso.

    Minimizes F(w) = (1/(2n)) ||y - X w||^2 + lam * ||w||_1 (scikit-learn's
    Lasso(alpha=lam, fit_intercept=False)). Start from w = 0 and repeat n_iter times:

        grad = X^T (X w - y) / n                          # gradient of the smooth part
        w    = soft_threshold(w - step * grad, step * lam) # prox of step * lam * ||.||_1

    where soft_threshold(v, t) = sign(v) * max(|v| - t, 0). When step is None it is
    1/L, with L the largest eigenvalue of X^T X / n (mind the / n: it belongs to the
    objective). If X is all zeros (L = 0) the answer is w = 0.

    You may stop before n_iter iterations once the iterates no longer change.

    Inputs:
    - X: array of shape (n, d), the design matrix (n samples, d features).
    - y: array of shape (n,), the targets.
    - lam: float >= 0, the L1 strength.
    - n_iter: int >= 1, the number of iterations.
    - step: None (default: 1/L) or a float > 0.

    Returns:
    - w: array of shape (d,).

    Raises ValueError if X is not 2-D, y is not 1-D, their numbers of samples differ,
    lam is negative, n_iter is not a positive integer, or step is not positive.
    """
    X, y = _check_regression(X, y)
    lam = _check_nonnegative(lam, "lam")
    n_iter, step = _check_iterations(n_iter, step)
    n, d = X.shape
    if step is None:
        L = np.linalg.eigvalsh(X.T @ X / n)[-1] if d else 0.0
        step = 1.0 / L if L > 0 else 1.0   # L = 0: the gradient is 0 and w stays at 0
    w = np.zeros(d)
    for _ in range(n_iter):
        v = w - step * (X.T @ (X @ w - y)) / n
        w = np.sign(v) * np.maximum(np.abs(v) - step * lam, 0.0)
    return w


def fista(X, y, lam, n_iter=500, step=None):
    """FISTA (accelerated proximal gradient, Beck and Teboulle 2009) for the lasso.

    Same problem, start (w = 0) and default step (1/L) as ista. Each iteration takes the
    ISTA step from an extrapolated point z instead of from w, with the standard momentum
    sequence t_1 = 1, t_{k+1} = (1 + sqrt(1 + 4 t_k^2)) / 2:

        z = w_0 = 0, t = 1
        repeat n_iter times:
            w_new = soft_threshold(z - step * X^T (X z - y) / n, step * lam)
            t_new = (1 + sqrt(1 + 4 t^2)) / 2
            z     = w_new + ((t - 1) / t_new) * (w_new - w)
            w, t  = w_new, t_new
        return w                     # the last prox-step iterate, not z

    The first two iterations coincide with ISTA (the momentum weight (t - 1)/t_new is 0
    at first); after that FISTA's objective gap shrinks like 1/k^2 instead of 1/k.

    Inputs:
    - X: array of shape (n, d).
    - y: array of shape (n,).
    - lam: float >= 0.
    - n_iter: int >= 1, the number of iterations (prox steps).
    - step: None (default: 1/L, L = largest eigenvalue of X^T X / n) or a float > 0.

    Returns:
    - w: array of shape (d,).

    Raises ValueError on the same invalid inputs as ista.
    """
    X, y = _check_regression(X, y)
    lam = _check_nonnegative(lam, "lam")
    n_iter, step = _check_iterations(n_iter, step)
    n, d = X.shape
    if step is None:
        L = np.linalg.eigvalsh(X.T @ X / n)[-1] if d else 0.0
        step = 1.0 / L if L > 0 else 1.0
    w = np.zeros(d)
    z = w
    t = 1.0
    for _ in range(n_iter):
        v = z - step * (X.T @ (X @ z - y)) / n
        w_new = np.sign(v) * np.maximum(np.abs(v) - step * lam, 0.0)
        t_new = (1.0 + np.sqrt(1.0 + 4.0 * t * t)) / 2.0
        z = w_new + ((t - 1.0) / t_new) * (w_new - w)
        w, t = w_new, t_new
    return w


# ----------------------------------------------------------------------------- ridge
def ridge_closed_form(X, y, lam):
    """Ridge regression in closed form: w = (X^T X + lam I)^{-1} X^T y.

    This minimizes ||y - X w||^2 + lam * ||w||^2, scikit-learn's
    Ridge(alpha=lam, fit_intercept=False). (Note: no 1/n and no 1/2 in this objective,
    so lam enters the normal equations as it is.) Solve the d x d linear system
    (X^T X + lam I) w = X^T y with np.linalg.solve rather than forming an inverse:
    it is cheaper and more accurate.

    Inputs:
    - X: array of shape (n, d).
    - y: array of shape (n,).
    - lam: float >= 0 (with lam = 0 the system must be nonsingular, i.e. X has full column rank).

    Returns:
    - w: array of shape (d,).

    Raises ValueError if X is not 2-D, y is not 1-D, their numbers of samples differ, or
    lam is negative; numpy.linalg.LinAlgError if lam = 0 and X^T X is singular.
    """
    X, y = _check_regression(X, y)
    lam = _check_nonnegative(lam, "lam")
    d = X.shape[1]
    return np.linalg.solve(X.T @ X + lam * np.eye(d), X.T @ y)
