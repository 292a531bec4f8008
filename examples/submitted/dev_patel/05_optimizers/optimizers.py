"""Assignment 05: weight decay in SGD and in Adam (Adam with an L2 term vs AdamW).

Every step function here is *pure*: it returns new arrays (and a new state dict)
and never changes the arrays it was given. That is what lets you compare two
optimizers from the same starting point, and it is what the grader checks.

Conventions used throughout:
- The L2 penalty is (lam/2) * ||w||^2, so its gradient is lam * w.
- `grad` is the gradient of the data loss only; the functions add the
  regularization themselves, each in its own way.
- The Adam state is a dict {"step": int, "m": array, "v": array}. "step" counts
  the updates already taken; a step increments it first, so the first update
  uses t = 1 in the bias corrections, exactly as torch.optim.Adam does.

Only NumPy and the standard library may be used in this file.
"""
import numbers

import numpy as np


# ----------------------------------------------------------------------------- input checks
# (given to you: they run before your code and reject invalid arguments)
def _as_array(x, name):
    """x as a float64 array (lists are accepted). No copy is made for float64 arrays."""
    try:
        arr = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be an array of numbers") from None
    return arr


def _as_pair(w, grad):
    w = _as_array(w, "w")
    grad = _as_array(grad, "grad")
    if grad.shape != w.shape:
        raise ValueError(f"grad has shape {grad.shape} but w has shape {w.shape}; they must match")
    return w, grad


def _check_nonnegative(value, name):
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not np.isfinite(value):
        raise ValueError(f"{name} must be a finite real number, got {value!r}")
    if value < 0:
        raise ValueError(f"{name} must be >= 0, got {value!r}")
    return float(value)


def _check_adam_hyper(lr, betas, eps, weight_decay):
    """Validate Adam's hyperparameters; returns (lr, beta1, beta2, eps, weight_decay) as floats."""
    lr = _check_nonnegative(lr, "lr")
    weight_decay = _check_nonnegative(weight_decay, "weight_decay")
    try:
        beta1, beta2 = betas
    except (TypeError, ValueError):
        raise ValueError(f"betas must be a pair (beta1, beta2), got {betas!r}") from None
    for name, b in (("beta1", beta1), ("beta2", beta2)):
        if isinstance(b, bool) or not isinstance(b, numbers.Real) or not 0.0 <= b < 1.0:
            raise ValueError(f"{name} must lie in [0, 1), got {b!r}")
    if isinstance(eps, bool) or not isinstance(eps, numbers.Real) or not np.isfinite(eps) or eps <= 0:
        raise ValueError(f"eps must be a finite number > 0, got {eps!r}")
    return lr, float(beta1), float(beta2), float(eps), weight_decay


def _read_state(state, shape):
    """Return (step, m, v) from an Adam state dict after checking it fits weights of `shape`."""
    if not isinstance(state, dict) or not {"step", "m", "v"} <= set(state):
        raise ValueError('state must be a dict with keys "step", "m" and "v" (see adam_init)')
    step = state["step"]
    if (isinstance(step, bool) or not isinstance(step, numbers.Real) or not np.isfinite(step)
            or step != int(step) or step < 0):
        raise ValueError(f'state["step"] must be a whole number >= 0, got {step!r}')
    m = _as_array(state["m"], 'state["m"]')
    v = _as_array(state["v"], 'state["v"]')
    for name, arr in (('state["m"]', m), ('state["v"]', v)):
        if arr.shape != shape:
            raise ValueError(f"{name} has shape {arr.shape} but w has shape {shape}")
    if np.any(v < 0):
        raise ValueError('state["v"] is a running mean of squares and cannot be negative')
    return int(step), m, v


# ----------------------------------------------------------------------------- SGD
def sgd_l2_step(w, grad, lr, lam):
    """One SGD step on the data loss plus the L2 penalty (lam/2) * ||w||^2.

    The penalty's gradient lam * w is added to the data gradient, and the sum
    is followed downhill:

        w_new = w - lr * (grad + lam * w)

    Inputs:
    - w: array of any shape, the current weights.
    - grad: array of the same shape as w, the gradient of the data loss at w.
    - lr: float >= 0, the learning rate.
    - lam: float >= 0, the L2 strength.

    Returns:
    - w_new: array of the same shape as w (a new array; w is left unchanged).

    Raises ValueError if the shapes of w and grad differ or lr or lam is negative.
    """
    w, grad = _as_pair(w, grad)
    lr = _check_nonnegative(lr, "lr")
    lam = _check_nonnegative(lam, "lam")
    return w - lr * (grad + 2 * lam * w)


def sgd_weight_decay_step(w, grad, lr, lam):
    """One SGD step with weight decay: shrink the current weights, then step.

    The weights are multiplied by (1 - lr * lam) *before* the gradient step,
    and the gradient is the one evaluated at the current w:

        w_new = (1 - lr * lam) * w - lr * grad

    Expanding shows this is the same number as sgd_l2_step: for plain SGD, L2
    regularization and weight decay coincide. The order matters, though:
    decaying *after* the gradient step, (1 - lr*lam) * (w - lr*grad), is a
    different update; it is off by lr^2 * lam * grad.

    Inputs:
    - w: array of any shape, the current weights.
    - grad: array of the same shape as w, the gradient of the data loss at w.
    - lr: float >= 0, the learning rate.
    - lam: float >= 0, the decay rate per unit of learning rate.

    Returns:
    - w_new: array of the same shape as w (a new array; w is left unchanged).

    Raises ValueError if the shapes of w and grad differ or lr or lam is negative.
    """
    w, grad = _as_pair(w, grad)
    lr = _check_nonnegative(lr, "lr")
    lam = _check_nonnegative(lam, "lam")
    return (1.0 - lr * lam) * w - lr * grad


# ----------------------------------------------------------------------------- Adam
def adam_init(w):
    """A fresh Adam state for weights shaped like w.

    Inputs:
    - w: array of any shape, the weights the state will belong to.

    Returns:
    - state: dict with
        "step": 0 (no update taken yet),
        "m": zeros shaped like w (running mean of the gradients),
        "v": zeros shaped like w (running mean of the squared gradients).
      m and v are new arrays: writing into them must not change w or each other.
    """
    w = _as_array(w, "w")
    return {"step": 0, "m": np.zeros_like(w), "v": np.zeros_like(w)}


def adam_l2_step(w, grad, state, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
    """One Adam step on the data loss plus an L2 penalty (torch.optim.Adam's weight_decay).

    The L2 gradient weight_decay * w is added to the data gradient *before*
    the moment estimates, so it is rescaled by Adam like any other gradient.
    With t = state["step"] + 1 (the count of this update, starting at 1):

        g     = grad + weight_decay * w
        m     = beta1 * m + (1 - beta1) * g
        v     = beta2 * v + (1 - beta2) * g**2
        m_hat = m / (1 - beta1**t)
        v_hat = v / (1 - beta2**t)
        w_new = w - lr * m_hat / (sqrt(v_hat) + eps)

    eps is added after the square root, to sqrt(v_hat) (not to sqrt(v)). The
    Adam paper's "efficient" form folds the bias corrections into the step size,
    lr_t = lr * sqrt(1 - beta2**t) / (1 - beta1**t), and divides m by
    sqrt(v) + eps: that is the same update only if eps is scaled too, to
    eps * sqrt(1 - beta2**t); with eps left as it is, it is a different step.
    Because the decay term is divided by sqrt(v_hat), weights with large
    gradients are decayed less than weights with small ones.

    Inputs:
    - w: array of any shape, the current weights.
    - grad: array of the same shape as w, the gradient of the data loss at w.
    - state: dict {"step": int >= 0, "m": array, "v": array}, m and v shaped like w
      (adam_init(w) for the first step).
    - lr: float >= 0, the learning rate.
    - betas: pair (beta1, beta2), each in [0, 1): decay rates of m and v.
    - eps: float > 0, added to sqrt(v_hat) to avoid dividing by zero.
    - weight_decay: float >= 0, the L2 strength.

    Returns a tuple (w_new, state_new):
    - w_new: array shaped like w.
    - state_new: a new dict {"step": t, "m": new m, "v": new v}.
    Neither w nor state (nor the arrays inside it) is modified.

    Raises ValueError for mismatched shapes, a malformed state, lr or
    weight_decay < 0, a beta outside [0, 1), or eps <= 0.
    """
    w, grad = _as_pair(w, grad)
    lr, beta1, beta2, eps, weight_decay = _check_adam_hyper(lr, betas, eps, weight_decay)
    step, m, v = _read_state(state, w.shape)
    g = grad + weight_decay * w
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g ** 2
    return w - lr * m / (np.sqrt(v) + eps), {"step": step + 1, "m": m, "v": v}


def adamw_step(w, grad, state, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
    """One AdamW step: decoupled weight decay, then Adam on the raw gradient (torch.optim.AdamW).

    The decay does not go through the moment estimates. The weights are first
    shrunk by the factor (1 - lr * weight_decay), the same for every weight,
    and then the ordinary Adam update built from `grad` alone is applied.
    With t = state["step"] + 1:

        w_dec = (1 - lr * weight_decay) * w
        m     = beta1 * m + (1 - beta1) * grad
        v     = beta2 * v + (1 - beta2) * grad**2
        m_hat = m / (1 - beta1**t)
        v_hat = v / (1 - beta2**t)
        w_new = w_dec - lr * m_hat / (sqrt(v_hat) + eps)

    With weight_decay = 0 this is the same step as adam_l2_step with
    weight_decay = 0; with weight_decay > 0 the two differ (adam_l2_step
    rescales the decay per weight, AdamW does not).

    Inputs:
    - w: array of any shape, the current weights.
    - grad: array of the same shape as w, the gradient of the data loss at w.
    - state: dict {"step": int >= 0, "m": array, "v": array}, m and v shaped like w.
    - lr: float >= 0, the learning rate.
    - betas: pair (beta1, beta2), each in [0, 1).
    - eps: float > 0, added to sqrt(v_hat).
    - weight_decay: float >= 0, the decoupled decay rate (multiplied by lr).

    Returns a tuple (w_new, state_new):
    - w_new: array shaped like w.
    - state_new: a new dict {"step": t, "m": new m, "v": new v}.
    Neither w nor state (nor the arrays inside it) is modified.

    Raises ValueError for mismatched shapes, a malformed state, lr or
    weight_decay < 0, a beta outside [0, 1), or eps <= 0.
    """
    w, grad = _as_pair(w, grad)
    lr, beta1, beta2, eps, weight_decay = _check_adam_hyper(lr, betas, eps, weight_decay)
    step, m, v = _read_state(state, w.shape)
    t = step + 1
    w_dec = (1.0 - lr * weight_decay) * w
    m_new = beta1 * m + (1.0 - beta1) * grad
    v_new = beta2 * v + (1.0 - beta2) * grad * grad
    m_hat = m_new / (1.0 - beta1 ** t)
    v_hat = v_new / (1.0 - beta2 ** t)
    w_new = w_dec - lr * m_hat / (np.sqrt(v_hat) + eps)
    return w_new, {"step": t, "m": m_new, "v": v_new}
