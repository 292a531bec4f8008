"""Assignment 03: inverted dropout, its gradient, and the variance it adds.

Convention used throughout this module
--------------------------------------
p is the probability of DROPPING a unit (setting it to zero), as in
torch.nn.Dropout(p). A unit is therefore kept with probability q = 1 - p, and the
mask entries are m_i ~ Bernoulli(1 - p), independent of each other.

This is *inverted* dropout: the units that survive are divided by (1 - p) during
training, so that E[out] = x and nothing has to change at inference time (where
dropout is switched off and the layer is the identity). At p = 0.5 the survivors
are multiplied by 2.

Only NumPy and the standard library are used. In each function you fill in the
marked solution region (in your copy, the place that raises NotImplementedError);
the code before it converts and checks the inputs for you (and raises ValueError
on invalid ones), so inside it you may assume valid inputs already converted
to NumPy arrays.
"""
import numbers

import numpy as np

MAX_ENUMERATED_UNITS = 16  # 2**16 = 65,536 masks: exact enumeration stays fast and small


# ----------------------------------------------------------------------------- input checks (given)
def _as_array(value, name):
    """Convert `value` (array, list or number) to a float64 array, or raise ValueError."""
    try:
        arr = np.array(value, dtype=np.float64)  # np.array copies: callers never alias the input
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be numeric (an array, a list or a number)") from None
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or infinity")
    return arr


def _check_drop_probability(p):
    """p must be a real number with 0 <= p < 1 (p = 1 would drop everything and divide by 0)."""
    if isinstance(p, bool) or not isinstance(p, numbers.Real):
        raise ValueError(f"p must be a real number in [0, 1), got {p!r}")
    p = float(p)
    if not 0.0 <= p < 1.0:
        raise ValueError(f"p is the drop probability and must satisfy 0 <= p < 1, got {p}"
                         + (" (p = 1 drops every unit and the 1/(1 - p) rescale is undefined)"
                            if p == 1.0 else ""))
    return p


def _check_generator(rng):
    if not isinstance(rng, np.random.Generator):
        raise ValueError("rng must be a numpy.random.Generator, e.g. np.random.default_rng(0), "
                         f"got {type(rng).__name__}")
    return rng


def _check_units(w, h):
    if w.ndim != 1 or h.ndim != 1:
        raise ValueError(f"w and h must be 1-D arrays, got shapes {w.shape} and {h.shape}")
    if w.shape != h.shape:
        raise ValueError(f"w and h must have the same length, got {w.shape[0]} and {h.shape[0]}")
    if w.shape[0] > MAX_ENUMERATED_UNITS:
        raise ValueError(f"exact enumeration of 2^n masks is limited to n <= {MAX_ENUMERATED_UNITS} "
                         f"units, got n = {w.shape[0]}")


# ----------------------------------------------------------------------------- the assignment
def dropout_forward(x, p, rng, training=True):
    """Forward pass of inverted dropout.

    During training every entry of x is kept independently with probability
    1 - p (mask_i ~ Bernoulli(1 - p), drawn from `rng`) and the kept entries
    are divided by (1 - p):

        out = x * mask / (1 - p),   so that E[out] = x.

    At inference (training=False) dropout is off: out = x (a copy) and the mask
    is all ones. With p = 0 every unit is kept and out equals x.

    Inputs:
    - x: array of any shape, the activations (a list is accepted).
    - p: float in [0, 1), the probability of DROPPING each unit.
    - rng: numpy.random.Generator; draw the mask from it (not from np.random),
      so that the same seed gives the same mask.
    - training: bool, True during training, False at inference.

    Returns a tuple (out, mask):
    - out: float64 array, same shape as x.
    - mask: array of the same shape as x with entries 0 (dropped) or 1 (kept);
      float or bool.

    Raises ValueError if p is not in [0, 1) or rng is not a Generator when
    training.
    """
    x = _as_array(x, "x")
    p = _check_drop_probability(p)
    if training:
        _check_generator(rng)
    if not training:
        return x.copy(), np.ones_like(x)
    keep = 1.0 - p
    mask = (rng.random(x.shape) < keep).astype(np.float64)
    out = x * mask / keep
    return out, mask


def dropout_backward(dout, mask, p):
    """Backward pass of inverted dropout.

    The forward pass is out = x * mask / (1 - p), an elementwise linear map of
    x, so the upstream gradient flows only through the kept units and is
    rescaled by the same factor:

        dx = dout * mask / (1 - p).

    Inputs:
    - dout: array of any shape, the gradient of the loss with respect to out.
    - mask: array of the same shape, the 0/1 mask of the forward pass
      (float or bool).
    - p: float in [0, 1), the drop probability used in the forward pass.

    Returns:
    - dx: float64 array, same shape as dout.

    Raises ValueError if p is not in [0, 1) or the shapes differ.
    """
    dout = _as_array(dout, "dout")
    mask = _as_array(mask, "mask")
    p = _check_drop_probability(p)
    if dout.shape != mask.shape:
        raise ValueError(f"dout and mask must have the same shape, got {dout.shape} and {mask.shape}")
    return dout * mask / (1.0 - p)


def dropout_output_moments(w, h, p):
    """Exact mean and variance of a linear output under inverted dropout.

    A layer with n hidden units h_1..h_n and output weights w_1..w_n computes,
    with dropout on the hidden units,

        y = sum_i w_i * h_i * m_i / (1 - p),   m_i ~ Bernoulli(1 - p) independent.

    Compute E[y] and Var(y) exactly by enumerating all 2^n masks m in {0, 1}^n,
    each with probability (1 - p)^(number kept) * p^(number dropped) (worked
    example 2: with n = 2 and p = 0.5 each of the 4 masks has probability 1/4
    and E[y] = w_1 h_1 + w_2 h_2, the output without dropout).

    Inputs:
    - w: 1-D array (n,), the output weights.
    - h: 1-D array (n,), the hidden activations (fixed, not random).
    - p: float in [0, 1), the drop probability.

    Returns a tuple (mean, var) of floats.

    Raises ValueError if w and h differ in length, are not 1-D, p is not in
    [0, 1), or n > 16 (enumeration would be too large).
    """
    w = _as_array(w, "w")
    h = _as_array(h, "h")
    p = _check_drop_probability(p)
    _check_units(w, h)
    n = w.shape[0]
    keep = 1.0 - p
    # row j of `masks` is the binary expansion of j: all 2^n masks, one per row
    masks = (np.arange(2 ** n)[:, None] >> np.arange(n)[None, :]) & 1
    kept = masks.sum(axis=1)
    probs = keep ** kept * p ** (n - kept)
    outputs = masks @ (w * h) / keep
    mean = float(probs @ outputs)
    var = float(probs @ (outputs - mean) ** 2)
    return mean, var


def dropout_variance(mean, var, p):
    """Variance of one inverted-dropout output d = a * m / (1 - p).

    Here a is a random activation with E[a] = mean and Var(a) = var, and
    m ~ Bernoulli(1 - p) is independent of a. Return Var(d) = E[d^2] - E[d]^2, exactly
    (no sampling). The notebook (section 4) guides the derivation through E[d] and
    E[d^2] (hint: m^2 = m). At p = 0, d = a and the answer is var; with mean = 1,
    var = 0.25, p = 0.5 it is 1.5.

    Beware of the formula var * p / (1 - p) that appears in some notes: it is not
    the variance of d (at p = 0 it gives 0 instead of var).

    Inputs:
    - mean: float (or array), E[a].
    - var: float >= 0 (or array broadcastable with mean), Var(a).
    - p: float in [0, 1), the drop probability.

    Returns:
    - Var(d): float (an array if mean or var is an array).

    Raises ValueError if var < 0 or p is not in [0, 1).
    """
    mean = _as_array(mean, "mean")
    var = _as_array(var, "var")
    p = _check_drop_probability(p)
    if np.any(var < 0):
        raise ValueError("var is a variance and must be >= 0")
    try:
        np.broadcast_shapes(mean.shape, var.shape)
    except ValueError:
        raise ValueError(f"mean and var have shapes {mean.shape} and {var.shape}, "
                         "which do not broadcast together") from None
    return var / (1.0 - p) + mean ** 2 * p / (1.0 - p)
