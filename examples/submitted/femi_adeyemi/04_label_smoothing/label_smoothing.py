"""Assignment 04: label smoothing, a stable softmax and the cross-entropy loss.

Two conventions for label smoothing (watch which one a text uses)
----------------------------------------------------------------
With K classes and smoothing strength eps, the one-hot target of a sample is
replaced by a softer distribution. Sources disagree on how the eps is spread:

- spread="uniform": target = (1 - eps) * onehot + eps / K. Every class, the true
  one included, receives eps/K, so the true class gets 1 - eps + eps/K and each
  other class eps/K. This is PyTorch's `cross_entropy(..., label_smoothing=eps)`.
  K = 3, eps = 0.1 gives [0.9333, 0.0333, 0.0333].
- spread="others": the true class gets exactly 1 - eps and each of the K - 1
  other classes eps/(K - 1). K = 3, eps = 0.1 gives [0.9, 0.05, 0.05].

Some texts write the eps/K formula but print [0.9, 0.05, 0.05] as its example:
that vector is the "others" spread, not the formula they state.

Only NumPy and the standard library are used. In each function you fill in the
marked solution region (in your copy, the place that raises NotImplementedError);
the code before it converts and checks the inputs for you (and raises ValueError
on invalid ones), so inside it you may assume valid inputs already converted
to NumPy arrays.
"""
import numbers

import numpy as np

SPREADS = ("uniform", "others")


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


def _check_num_classes(num_classes):
    if isinstance(num_classes, bool) or not isinstance(num_classes, numbers.Integral):
        raise ValueError(f"num_classes must be an integer, got {num_classes!r}")
    if num_classes < 2:
        raise ValueError(f"num_classes must be at least 2, got {num_classes}")
    return int(num_classes)


def _check_eps(eps):
    if isinstance(eps, bool) or not isinstance(eps, numbers.Real) or not 0.0 <= float(eps) <= 1.0:
        raise ValueError(f"eps must be a real number in [0, 1], got {eps!r}")
    return float(eps)


def _check_spread(spread):
    if spread not in SPREADS:
        raise ValueError(f"unknown spread {spread!r}: use 'uniform' (eps/K on every class) "
                         "or 'others' (eps/(K-1) on each wrong class)")
    return spread


def _as_labels(labels, num_classes):
    """1-D integer class indices in [0, num_classes), or ValueError."""
    arr = np.asarray(labels)
    if arr.dtype == bool or not (np.issubdtype(arr.dtype, np.number) or arr.size == 0):
        raise ValueError("labels must be integer class indices")
    if arr.ndim != 1:
        raise ValueError(f"labels must be a 1-D array of class indices, got shape {arr.shape}")
    if arr.size == 0:
        return np.zeros(0, dtype=np.int64)
    if not np.all(np.isfinite(arr)) or not np.all(arr == np.round(arr)):
        raise ValueError("labels must be integers (class indices), got non-integer values")
    if arr.min() < 0 or arr.max() >= num_classes:
        raise ValueError(f"labels must lie in [0, {num_classes - 1}] for num_classes = {num_classes}, "
                         f"got values from {arr.min()} to {arr.max()}")
    return arr.astype(np.int64)


def _as_logits(z, name="z", matrix=False):
    z = _as_array(z, name)
    if matrix and z.ndim != 2:
        raise ValueError(f"{name} must be a 2-D array (N, K), got shape {z.shape}")
    if z.ndim == 0 or z.shape[-1] == 0:
        raise ValueError(f"{name} needs at least one class along its last axis, got shape {z.shape}")
    return z


def _check_loss_inputs(z, targets):
    z = _as_logits(z, "z", matrix=True)
    targets = _as_array(targets, "targets")
    if targets.shape != z.shape:
        raise ValueError(f"z and targets must have the same shape (N, K), got {z.shape} and {targets.shape}")
    if z.shape[0] == 0:
        raise ValueError("the mean over rows needs at least one row (N >= 1)")
    return z, targets


# ----------------------------------------------------------------------------- the assignment
def smooth_labels(labels, num_classes, eps, spread="uniform"):
    """Smoothed target distributions for integer class labels.

    With onehot the (N, K) one-hot encoding of labels:
    - spread="uniform": targets = (1 - eps) * onehot + eps / K
      (true class 1 - eps + eps/K, every other class eps/K; PyTorch's convention).
    - spread="others":  true class 1 - eps, every other class eps / (K - 1).
    Either way each row is a probability distribution (it sums to 1), and
    eps = 0 gives the one-hot targets back.

    Inputs:
    - labels: 1-D integer array (N,) (a list is accepted), values in [0, K).
    - num_classes: int K >= 2.
    - eps: float in [0, 1], the smoothing strength.
    - spread: "uniform" (default) or "others".

    Returns:
    - targets: float64 array (N, K); N may be 0.

    Raises ValueError for labels that are not integers in [0, K), K < 2, eps
    outside [0, 1], or an unknown spread.
    """
    num_classes = _check_num_classes(num_classes)
    labels = _as_labels(labels, num_classes)
    eps = _check_eps(eps)
    spread = _check_spread(spread)
    # YOUR CODE HERE
    raise NotImplementedError()


def softmax(z):
    """Row-wise softmax, numerically stable.

    softmax(z)_k = exp(z_k) / sum_j exp(z_j) along the last axis. Subtracting
    the row maximum first leaves the result unchanged and keeps exp() from
    overflowing, so logits like 1000 and -1000 give finite probabilities.

    Inputs:
    - z: array (N, K) of logits, one row per sample (a single row (K,) is also
      accepted; the softmax is taken along the last axis). N may be 0.

    Returns:
    - probs: float64 array of the same shape; each row is >= 0 and sums to 1.

    Raises ValueError if z is a scalar, has no class axis, or contains NaN/inf.
    """
    z = _as_logits(z)
    # YOUR CODE HERE
    raise NotImplementedError()


def cross_entropy(z, targets):
    """Mean cross-entropy between soft targets and softmax(z).

        loss = (1/N) * sum_n ( - sum_k targets[n, k] * log softmax(z[n])_k )

    Computed through a stable log-softmax,
        log softmax(z)_k = z_k - m - log(sum_j exp(z_j - m)),  m = max_j z_j,
    so it stays finite at logits of any size (never take log of a softmax
    that may have underflowed to 0). With targets = smooth_labels(labels, K, eps)
    (spread "uniform") this equals torch.nn.functional.cross_entropy(z, labels,
    label_smoothing=eps).

    Inputs:
    - z: array (N, K) of logits, N >= 1.
    - targets: array (N, K), each row a distribution over the K classes.

    Returns:
    - loss: float, the mean over the N rows.

    Raises ValueError if z is not 2-D, the shapes differ, or N = 0.
    """
    z, targets = _check_loss_inputs(z, targets)
    # YOUR CODE HERE
    raise NotImplementedError()


def cross_entropy_grad(z, targets):
    """Gradient of the mean cross-entropy with respect to the logits z.

        d loss / d z = (softmax(z) - targets) / N

    The 1/N comes from the mean over rows. Since every row of softmax(z) and
    of targets sums to 1, every row of the gradient sums to 0.

    Inputs:
    - z: array (N, K) of logits, N >= 1.
    - targets: array (N, K) of target distributions.

    Returns:
    - dz: float64 array (N, K).

    Raises ValueError if z is not 2-D, the shapes differ, or N = 0.
    """
    z, targets = _check_loss_inputs(z, targets)
    # YOUR CODE HERE
    raise NotImplementedError()


def min_cross_entropy(num_classes, eps, spread="uniform"):
    """The smallest cross-entropy any model can reach on smoothed targets.

    For a target distribution t, the cross-entropy -sum_k t_k log q_k over all
    predicted distributions q is smallest at q = t (Gibbs' inequality), where
    it equals the entropy H(t) = -sum_k t_k log t_k (with 0 log 0 = 0). So with
    eps > 0 even a perfect model has a loss above 0. For example K = 3, eps = 0.1:
    about 0.394 with spread "others" and 0.291 with "uniform".

    Inputs:
    - num_classes: int K >= 2.
    - eps: float in [0, 1].
    - spread: "uniform" (default) or "others", as in smooth_labels.

    Returns:
    - the entropy of one smoothed target row, a float >= 0 (natural log).

    Raises ValueError for K < 2, eps outside [0, 1] or an unknown spread.
    """
    num_classes = _check_num_classes(num_classes)
    eps = _check_eps(eps)
    spread = _check_spread(spread)
    # YOUR CODE HERE
    raise NotImplementedError()
