"""Assignment 01: the L1, L2 and elastic-net penalties, their gradients, and two 1-D minimizers.

Conventions used throughout this module (the graded contract):

- L1 (lasso) penalty:   lam * sum_i |w_i|
- L2 (ridge) penalty:   (lam / 2) * sum_i w_i^2      <- note the factor 1/2
- Elastic net:          lam1 * sum_i |w_i| + (lam2 / 2) * sum_i w_i^2

The factor 1/2 on the L2 term is a convention, not a law of nature: some texts write the
L2 penalty as lam * ||w||^2, whose gradient is 2 * lam * w. With the 1/2 used here the
gradient is simply lam * w, which is why "L2 regularization" and "weight decay by lam"
line up in SGD. Keep the convention in mind whenever you compare with another source.

Every function accepts NumPy arrays, Python lists or plain numbers for the weights and
returns NumPy values (or a Python float for the penalties). The lines outside the
solution regions convert the inputs and reject invalid ones with a ValueError; you only
write the mathematics. Do not modify the input arrays in place.

Only NumPy and the Python standard library may be used.
"""
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


# ----------------------------------------------------------------------------- L1
def l1_penalty(w, lam):
    """L1 (lasso) penalty: lam * sum_i |w_i|.

    Inputs:
    - w: array of any shape (a list or a scalar is accepted), the weights.
    - lam: float >= 0, the regularization strength.

    Returns:
    - penalty: Python float. An empty w has penalty 0.

    Raises ValueError if lam is negative (or not a finite number) or w is not numeric.
    """
    w = _as_array(w, "w")
    lam = _check_nonnegative(lam, "lam")
    return float(lam * np.sum(np.abs(w)))


def l1_subgradient(w, lam):
    """A subgradient of the L1 penalty lam * sum_i |w_i|.

    Away from zero |w_i| is differentiable with derivative sign(w_i). At w_i = 0 any
    value in [-lam, lam] is a valid subgradient; this course picks 0, the choice that
    leaves a weight sitting exactly at zero where it is. So the result is
    lam * sign(w), with 0 wherever w == 0 (NumPy's np.sign already does that).

    Inputs:
    - w: array of any shape, the weights.
    - lam: float >= 0.

    Returns:
    - g: array with the shape of w.

    Raises ValueError if lam is negative (or not a finite number) or w is not numeric.
    """
    w = _as_array(w, "w")
    lam = _check_nonnegative(lam, "lam")
    return lam * np.sign(w))


# ----------------------------------------------------------------------------- L2
def l2_penalty(w, lam):
    """L2 (ridge) penalty with the course's factor 1/2: (lam / 2) * sum_i w_i^2.

    Some texts write lam * ||w||^2 instead (no 1/2); this course does not.

    Inputs:
    - w: array of any shape, the weights.
    - lam: float >= 0.

    Returns:
    - penalty: Python float. An empty w has penalty 0.

    Raises ValueError if lam is negative (or not a finite number) or w is not numeric.
    """
    w = _as_array(w, "w")
    lam = _check_nonnegative(lam, "lam")
    return float(0.5 * lam * np.sum(w * w))


def l2_gradient(w, lam):
    """Gradient of the L2 penalty (lam / 2) * ||w||^2.

    Because the penalty carries the factor 1/2, the gradient is lam * w. (A text that
    writes the penalty as lam * ||w||^2 gets 2 * lam * w; that is not our convention.)

    Inputs:
    - w: array of any shape, the weights.
    - lam: float >= 0.

    Returns:
    - grad: array with the shape of w.

    Raises ValueError if lam is negative (or not a finite number) or w is not numeric.
    """
    w = _as_array(w, "w")
    lam = _check_nonnegative(lam, "lam")
    return lam * w


# ----------------------------------------------------------------------------- elastic net
def elastic_net_penalty(w, lam1, lam2):
    """Elastic-net penalty: lam1 * sum_i |w_i| + (lam2 / 2) * sum_i w_i^2.

    The L1 part has no 1/2 and the L2 part has one, exactly as in l1_penalty and
    l2_penalty: elastic_net_penalty(w, a, b) == l1_penalty(w, a) + l2_penalty(w, b).

    Inputs:
    - w: array of any shape, the weights.
    - lam1: float >= 0, strength of the L1 part.
    - lam2: float >= 0, strength of the L2 part.

    Returns:
    - penalty: Python float.

    Raises ValueError if lam1 or lam2 is negative (or not a finite number) or w is not numeric.
    """
    w = _as_array(w, "w")
    lam1 = _check_nonnegative(lam1, "lam1")
    lam2 = _check_nonnegative(lam2, "lam2")
    return float(lam1 * np.sum(np.abs(w)) + 0.5 * lam2 * np.sum(w * w))


def elastic_net_gradient(w, lam1, lam2):
    """(Sub)gradient of the elastic-net penalty: lam1 * sign(w) + lam2 * w.

    At w_i = 0 the L1 part contributes 0 (same choice as l1_subgradient), and so does
    the L2 part, so the result is 0 there.

    Inputs:
    - w: array of any shape, the weights.
    - lam1: float >= 0, strength of the L1 part.
    - lam2: float >= 0, strength of the L2 part.

    Returns:
    - g: array with the shape of w.

    Raises ValueError if lam1 or lam2 is negative (or not a finite number) or w is not numeric.
    """
    w = _as_array(w, "w")
    lam1 = _check_nonnegative(lam1, "lam1")
    lam2 = _check_nonnegative(lam2, "lam2")
    return lam1 * np.sign(w) + lam2 * w


# ----------------------------------------------------------------------------- 1-D minimizers
def l1_scalar_minimizer(mu, lam):
    """Minimizer of f(w) = (w - mu)^2 + lam * |w| over a real number w.

    f is convex but not differentiable at w = 0; its minimizer is unique. Careful with
    the scaling: the quadratic here is (w - mu)^2, *without* a 1/2. The notebook
    (section 4) guides the derivation, case by case on the sign of w, using the
    subdifferential of |w| at 0. Example: mu = 1 with lam = 0.5 gives 0.75, with
    lam = 2 exactly 0 (a whole interval of mu is mapped to exactly 0).

    Inputs:
    - mu: a number, or an array of any shape (each entry solved on its own).
    - lam: float >= 0.

    Returns:
    - w_star: a float when mu is a number, otherwise an array with the shape of mu.

    Raises ValueError if lam is negative (or not a finite number) or mu is not numeric.
    """
    mu = _as_array(mu, "mu")
    lam = _check_nonnegative(lam, "lam")
    w_star = np.sign(mu) * np.maximum(np.abs(mu) - 0.5 * lam, 0.0)
    return float(w_star) if w_star.ndim == 0 else w_star


def l2_scalar_minimizer(mu, lam):
    """Minimizer of f(w) = (w - mu)^2 + (lam / 2) * w^2 over a real number w.

    f is differentiable and strictly convex: its minimizer is where f'(w) = 0 (derive it;
    mind that the quadratic has no 1/2 and the penalty has one). Example: mu = 1 with
    lam = 0.5 gives 0.8, with lam = 2 gives 0.5; the weight shrinks but never reaches
    zero for finite lam unless mu = 0.

    Inputs:
    - mu: a number, or an array of any shape (each entry solved on its own).
    - lam: float >= 0.

    Returns:
    - w_star: a float when mu is a number, otherwise an array with the shape of mu.

    Raises ValueError if lam is negative (or not a finite number) or mu is not numeric.
    """
    mu = _as_array(mu, "mu")
    lam = _check_nonnegative(lam, "lam")
    w_star = mu / (1.0 + 0.5 * lam)
    return float(w_star) if w_star.ndim == 0 else w_star
