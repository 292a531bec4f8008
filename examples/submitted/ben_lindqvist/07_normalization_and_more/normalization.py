"""Assignment 07: batch norm, layer norm, mixup, stochastic depth, Jacobian penalty.

Conventions used throughout this module
---------------------------------------
Activations come as a matrix x of shape (N, D): N samples (the mini-batch), each
with D features.

* Batch norm standardizes every FEATURE over the batch (statistics along axis 0,
  one mean and one variance per column); layer norm standardizes every SAMPLE
  over its features (statistics along axis 1, one mean and one variance per row).
* Both use training-mode statistics: the mean and variance of the data in hand,
  never running averages.
* The variance is the biased one, the average of squared deviations (divide by
  the count, not by the count minus one): this is what the batch/layer norm
  papers and PyTorch use.
* eps is added to the variance INSIDE the square root:
  xhat = (x - mean) / sqrt(var + eps).
* Then a learned scale and shift per feature: out = gamma * xhat + beta.

A forward pass returns (out, cache). The cache holds whatever your backward pass
needs. The grader hands your own cache back to your own backward, but it travels
between processes as plain data on the way, so it must be built only from NumPy
arrays, Python numbers, and tuples/lists/dicts (with string keys) of those: no
functions, no objects of your own classes.

Random functions take a numpy.random.Generator `rng` and draw every random number
from it (never from np.random.* module functions), so that a seed reproduces a run.

Only NumPy and the standard library are used. In each function you fill in the
marked solution region (in your copy, the place that raises NotImplementedError);
the code before it converts and checks the inputs for you (and raises ValueError
on invalid ones), so inside it you may assume valid inputs already converted to
NumPy arrays.
"""
import numbers

import numpy as np


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


def _check_matrix(x, name, min_rows=1):
    if x.ndim != 2:
        raise ValueError(f"{name} must be a 2-D array of shape (N, D), got shape {x.shape}")
    if x.shape[0] < min_rows or x.shape[1] < 1:
        raise ValueError(f"{name} must have at least {min_rows} row(s) and 1 column, got shape {x.shape}")


def _check_vector(v, name, length, what):
    if v.shape != (length,):
        raise ValueError(f"{name} must have shape ({length},), one entry per {what}, got shape {v.shape}")


def _check_positive(value, name):
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not np.isfinite(value):
        raise ValueError(f"{name} must be a finite real number, got {value!r}")
    if value <= 0:
        raise ValueError(f"{name} must be > 0, got {value}")
    return float(value)


def _check_survival_prob(p):
    if isinstance(p, bool) or not isinstance(p, numbers.Real):
        raise ValueError(f"survival_prob must be a real number in (0, 1], got {p!r}")
    p = float(p)
    if not 0.0 < p <= 1.0:
        raise ValueError(f"survival_prob is the probability of KEEPING a residual branch and must "
                         f"satisfy 0 < survival_prob <= 1, got {p}")
    return p


def _check_generator(rng):
    if not isinstance(rng, np.random.Generator):
        raise ValueError("rng must be a numpy.random.Generator, e.g. np.random.default_rng(0), "
                         f"got {type(rng).__name__}")
    return rng


def _check_batch(x, name):
    if x.ndim < 1 or x.shape[0] < 1:
        raise ValueError(f"{name} must have a leading batch axis with at least one sample, got shape {x.shape}")


def _norm_inputs(x, gamma, beta, eps, min_rows):
    x = _as_array(x, "x")
    _check_matrix(x, "x", min_rows=min_rows)
    gamma = _as_array(gamma, "gamma")
    beta = _as_array(beta, "beta")
    _check_vector(gamma, "gamma", x.shape[1], "feature (column of x)")
    _check_vector(beta, "beta", x.shape[1], "feature (column of x)")
    eps = _check_positive(eps, "eps")
    return x, gamma, beta, eps


# ----------------------------------------------------------------------------- batch normalization
def batchnorm_forward(x, gamma, beta, eps=1e-5):
    """Forward pass of batch normalization, training mode.

    Each feature (column j of x) is standardized with the statistics of the
    current mini-batch, then scaled and shifted:

        mu_j    = (1/N) sum_i x_ij                     (mean over the batch, axis 0)
        var_j   = (1/N) sum_i (x_ij - mu_j)^2          (biased: divide by N, not N - 1)
        xhat_ij = (x_ij - mu_j) / sqrt(var_j + eps)    (eps inside the square root)
        out_ij  = gamma_j * xhat_ij + beta_j

    Training mode only: no running averages are kept or used. Batch statistics
    need at least two samples (as in torch.nn.functional.batch_norm).

    Inputs:
    - x: array of shape (N, D), N >= 2, the activations of a mini-batch.
    - gamma: array of shape (D,), scale per feature.
    - beta: array of shape (D,), shift per feature.
    - eps: float > 0, added to the variance inside the square root.

    Returns a tuple of:
    - out: array of shape (N, D).
    - cache: what batchnorm_backward needs, as plain data (arrays, numbers,
      tuples/lists/dicts of them). The reference keeps the standardized
      activations xhat (N, D), 1/sqrt(var + eps) (D,) and gamma (D,).

    Raises ValueError if x is not 2-D with N >= 2, if gamma or beta is not of
    shape (D,), or if eps <= 0.
    """
    x, gamma, beta, eps = _norm_inputs(x, gamma, beta, eps, min_rows=2)

    mu = x.mean(axis=0)
    var = x.var(axis=0, ddof=1)
    xhat = (x - mu) / np.sqrt(var + eps)

    cache = {"xhat": xhat, "inv_std": 1.0 / np.sqrt(var + eps), "gamma": gamma}
    return gamma * xhat + beta, cache


def batchnorm_backward(dout, cache):
    """Backward pass of batch normalization (training mode).

    Given dL/dout for the forward pass out = gamma * xhat + beta, with xhat computed
    from the batch mean and the biased batch variance of each column (axis 0), return
    the gradients of L with respect to x, gamma and beta. Every entry x_ij enters its
    column's mean and variance, so each sample's gradient depends on all the others
    in its batch. The notebook (section 1) guides the derivation through the chain
    rule; check your result against finite differences of your forward pass.

    Inputs:
    - dout: array of shape (N, D), upstream gradient dL/dout.
    - cache: the cache returned by your batchnorm_forward.

    Returns a tuple of:
    - dx: array of shape (N, D), gradient with respect to x.
    - dgamma: array of shape (D,), gradient with respect to gamma.
    - dbeta: array of shape (D,), gradient with respect to beta.

    Raises ValueError if dout is not a 2-D array.
    """
    dout = _as_array(dout, "dout")
    _check_matrix(dout, "dout")
    xhat = np.asarray(cache["xhat"], dtype=np.float64)
    inv_std = np.asarray(cache["inv_std"], dtype=np.float64)
    gamma = np.asarray(cache["gamma"], dtype=np.float64)
    dbeta = dout.sum(axis=0)
    dgamma = np.sum(dout * xhat, axis=0)
    dxhat = dout * gamma
    dx = inv_std * (dxhat - dxhat.mean(axis=0) - xhat * np.mean(dxhat * xhat, axis=0))
    return dx, dgamma, dbeta


# ----------------------------------------------------------------------------- layer normalization
def layernorm_forward(x, gamma, beta, eps=1e-5):
    """Forward pass of layer normalization.

    Each sample (row i of x) is standardized with the statistics of its own
    features, then every feature is scaled and shifted:

        mu_i    = (1/D) sum_j x_ij                     (mean over the features, axis 1)
        var_i   = (1/D) sum_j (x_ij - mu_i)^2          (biased: divide by D, not D - 1)
        xhat_ij = (x_ij - mu_i) / sqrt(var_i + eps)    (eps inside the square root)
        out_ij  = gamma_j * xhat_ij + beta_j

    No statistic is shared between samples, so a batch of one works and training
    and inference compute the same thing (torch.nn.functional.layer_norm over the
    last axis).

    Inputs:
    - x: array of shape (N, D), N >= 1.
    - gamma: array of shape (D,), scale per feature.
    - beta: array of shape (D,), shift per feature.
    - eps: float > 0, added to the variance inside the square root.

    Returns a tuple of:
    - out: array of shape (N, D).
    - cache: what layernorm_backward needs, as plain data (arrays, numbers,
      tuples/lists/dicts of them). The reference keeps xhat (N, D),
      1/sqrt(var + eps) (N, 1) and gamma (D,).

    Raises ValueError if x is not 2-D, if gamma or beta is not of shape (D,),
    or if eps <= 0.
    """
    x, gamma, beta, eps = _norm_inputs(x, gamma, beta, eps, min_rows=1)
    mu = x.mean(axis=1, keepdims=True)
    centred = x - mu
    var = np.mean(centred ** 2, axis=1, keepdims=True)
    inv_std = 1.0 / np.sqrt(var + eps)
    xhat = centred * inv_std
    out = gamma * xhat + beta
    cache = {"xhat": xhat, "inv_std": inv_std, "gamma": gamma}
    return out, cache


def layernorm_backward(dout, cache):
    """Backward pass of layer normalization.

    The same derivation as batchnorm_backward with the statistics taken over the
    features of each sample (axis 1) instead of over the batch. gamma and beta are
    per-feature parameters shared by all samples, so their gradients add up over the
    batch even though the statistics are per sample.

    Inputs:
    - dout: array of shape (N, D), upstream gradient dL/dout.
    - cache: the cache returned by your layernorm_forward.

    Returns a tuple of:
    - dx: array of shape (N, D).
    - dgamma: array of shape (D,).
    - dbeta: array of shape (D,).

    Raises ValueError if dout is not a 2-D array.
    """
    dout = _as_array(dout, "dout")
    _check_matrix(dout, "dout")
    xhat = np.asarray(cache["xhat"], dtype=np.float64)
    inv_std = np.asarray(cache["inv_std"], dtype=np.float64)
    gamma = np.asarray(cache["gamma"], dtype=np.float64)
    dbeta = dout.sum(axis=0)
    dgamma = np.sum(dout * xhat, axis=0)
    dxhat = dout * gamma
    dx = inv_std * (dxhat - dxhat.mean(axis=1, keepdims=True)
                    - xhat * np.mean(dxhat * xhat, axis=1, keepdims=True))
    return dx, dgamma, dbeta


# ----------------------------------------------------------------------------- mixup
def mixup(x, y_onehot, alpha, rng):
    """Mixup: blend every example (and its label) with a randomly chosen partner.

    One mixing weight is drawn for the whole batch, lam ~ Beta(alpha, alpha), and
    one random permutation perm of the N samples picks each row's partner:

        x_mix[i] = lam * x[i]        + (1 - lam) * x[perm[i]]
        y_mix[i] = lam * y_onehot[i] + (1 - lam) * y_onehot[perm[i]]

    The SAME lam and the SAME perm are used for inputs and labels: the label of a
    blended image is the same blend of the two labels. lam weights the original
    row, 1 - lam its partner. Both lam and perm come from `rng`. Rows of y_mix
    sum to 1 whenever the rows of y_onehot do.

    Inputs:
    - x: array of shape (N, ...), a batch of N inputs (vectors, images, ...).
    - y_onehot: array of shape (N, K), one-hot (or already soft) targets.
    - alpha: float > 0, the parameter of the symmetric Beta distribution.
    - rng: numpy.random.Generator, the source of all randomness.

    Returns a tuple of:
    - x_mix: array of the same shape as x.
    - y_mix: array of shape (N, K).
    - lam: Python float in [0, 1], the weight of the original rows.

    Raises ValueError if y_onehot is not (N, K) with the same N as x, if
    alpha <= 0, or if rng is not a numpy.random.Generator.
    """
    x = _as_array(x, "x")
    _check_batch(x, "x")
    y_onehot = _as_array(y_onehot, "y_onehot")
    if y_onehot.ndim != 2 or y_onehot.shape[0] != x.shape[0]:
        raise ValueError(f"y_onehot must have shape (N, K) with N = {x.shape[0]} (the batch of x), "
                         f"got shape {y_onehot.shape}")
    alpha = _check_positive(alpha, "alpha")
    rng = _check_generator(rng)
    lam = float(rng.beta(alpha, alpha))
    perm = rng.permutation(x.shape[0])
    x_mix = lam * x + (1.0 - lam) * x[perm]
    y_mix = lam * y_onehot + (1.0 - lam) * y_onehot[perm]
    return x_mix, y_mix, lam


# ----------------------------------------------------------------------------- stochastic depth
def stochastic_depth(x, residual, survival_prob, rng, training=True):
    """A residual block whose branch is randomly skipped per sample (stochastic depth).

    During training each sample i keeps its residual branch with probability
    survival_prob, independently of the other samples (b_i ~ Bernoulli(survival_prob),
    drawn from `rng`), and a kept branch is divided by survival_prob:

        out[i] = x[i] + b_i * residual(x)[i] / survival_prob,   so E[out] = x + residual(x).

    This is torchvision's stochastic_depth(mode="row") convention with
    p = 1 - survival_prob. At inference (training=False) nothing is dropped and
    nothing is rescaled: out = x + residual(x), and rng is not used.
    With survival_prob = 1 training gives x + residual(x) as well.

    Inputs:
    - x: array of shape (N, ...), a batch of N samples.
    - residual: a function mapping an array of shape (N, ...) to one of the same
      shape, row by row (the residual branch F of the block).
    - survival_prob: float in (0, 1], the probability of KEEPING the branch.
    - rng: numpy.random.Generator, the source of all randomness.
    - training: bool, True for the training-mode forward pass.

    Returns:
    - out: array of the same shape as x.

    Raises ValueError if survival_prob is not in (0, 1], if residual is not
    callable, or if rng is not a numpy.random.Generator.
    """
    x = _as_array(x, "x")
    _check_batch(x, "x")
    if not callable(residual):
        raise ValueError("residual must be a function of x (the residual branch)")
    survival_prob = _check_survival_prob(survival_prob)
    rng = _check_generator(rng)
    branch = np.asarray(residual(x), dtype=np.float64)
    if branch.shape != x.shape:
        raise ValueError(f"residual(x) has shape {branch.shape}, expected x's shape {x.shape}")
    if not training:
        return x + branch
    keep = rng.random(x.shape[0]) < survival_prob
    scale = keep.astype(np.float64) / survival_prob
    return x + scale.reshape((-1,) + (1,) * (x.ndim - 1)) * branch


# ----------------------------------------------------------------------------- Jacobian penalty
def jacobian_penalty(W, b, x):
    """Squared Frobenius norm of the Jacobian of a tanh layer with respect to its input.

    For one input x of shape (D,), h = tanh(W x + b) has shape (H,) and its Jacobian
    J = dh/dx has shape (H, D), J_ik = d h_i / d x_k. Return ||J||_F^2, the sum of the
    squares of its entries, computed in closed form (no finite differences); deriving
    that form from the derivative of tanh is written question 3 of the notebook.

    For a batch x of shape (N, D) the penalty is computed for every sample and
    the MEAN over the N samples is returned (the penalty is added to a loss that
    is itself a mean over the batch).

    Inputs:
    - W: array of shape (H, D), weights (H outputs, D inputs).
    - b: array of shape (H,), biases.
    - x: array of shape (D,) (one input) or (N, D) (a batch, N >= 1).

    Returns:
    - penalty: Python float >= 0.

    Raises ValueError if W is not 2-D, or b or x does not fit W's shape.
    """
    W = _as_array(W, "W")
    _check_matrix(W, "W")
    b = _as_array(b, "b")
    _check_vector(b, "b", W.shape[0], "output (row of W)")
    x = _as_array(x, "x")
    if x.ndim not in (1, 2) or x.shape[-1] != W.shape[1] or (x.ndim == 2 and x.shape[0] < 1):
        raise ValueError(f"x must have shape ({W.shape[1]},) or (N, {W.shape[1]}) to match W of shape "
                         f"{W.shape}, got shape {x.shape}")
    X = np.atleast_2d(x)                     # (N, D)
    h = np.tanh(X @ W.T + b)                 # (N, H)
    row_norms = np.sum(W ** 2, axis=1)       # (H,)  ||W_i||^2
    per_sample = ((1.0 - h ** 2) ** 2) @ row_norms
    return float(np.mean(per_sample))
