"""Catalogue of student implementations of normalization.py, for tests/test_suites.py.

MISTAKES: wrong implementations a student could plausibly write; each must lose points on
its own function, and some failed case of that function must give a hint containing
`hint` (case-insensitive).
CORRECT: unusual but correct implementations; each must score 100%.
Every entry keeps the given scaffolding (conversion and checks) and changes only what a
student writes in the solution region.

Forward and backward are graded separately. A backward case first feeds the backward the cache
of the student's own forward; if that fails, the cache the reference forward builds on the same
input. So a forward mistake that stores wrong statistics in the cache (N - 1, eps outside the
root, wrong axis) costs the forward only, like one confined to the output. CACHE_ALSO_COSTS lists
the forward mistakes of the first kind: the suite test checks that their backward keeps its
points with the reference backward, and loses them, with a hint pointing at the forward, when
the backward reads a cache layout of its own that only the student's forward builds.
"""
from tests.catalogue import Variant

_BN_FWD = '''
def batchnorm_forward(x, gamma, beta, eps=1e-5):
    x, gamma, beta, eps = _norm_inputs(x, gamma, beta, eps, min_rows=2)
'''
_LN_FWD = '''
def layernorm_forward(x, gamma, beta, eps=1e-5):
    x, gamma, beta, eps = _norm_inputs(x, gamma, beta, eps, min_rows=1)
'''
_BN_BWD = '''
def batchnorm_backward(dout, cache):
    dout = _as_array(dout, "dout")
    _check_matrix(dout, "dout")
'''
_LN_BWD = '''
def layernorm_backward(dout, cache):
    dout = _as_array(dout, "dout")
    _check_matrix(dout, "dout")
'''
_MIXUP = '''
def mixup(x, y_onehot, alpha, rng):
    x = _as_array(x, "x")
    _check_batch(x, "x")
    y_onehot = _as_array(y_onehot, "y_onehot")
    if y_onehot.ndim != 2 or y_onehot.shape[0] != x.shape[0]:
        raise ValueError("y_onehot must have shape (N, K)")
    alpha = _check_positive(alpha, "alpha")
    rng = _check_generator(rng)
'''
_DEPTH = '''
def stochastic_depth(x, residual, survival_prob, rng, training=True):
    x = _as_array(x, "x")
    _check_batch(x, "x")
    if not callable(residual):
        raise ValueError("residual must be a function of x (the residual branch)")
    survival_prob = _check_survival_prob(survival_prob)
    rng = _check_generator(rng)
'''
_JAC = '''
def jacobian_penalty(W, b, x):
    W = _as_array(W, "W")
    _check_matrix(W, "W")
    b = _as_array(b, "b")
    _check_vector(b, "b", W.shape[0], "output (row of W)")
    x = _as_array(x, "x")
    if x.ndim not in (1, 2) or x.shape[-1] != W.shape[1]:
        raise ValueError("x does not fit W")
'''

# A standard forward (the reference's cache layout), for variants that rewrite a backward only.
_BN_STATS = '''
    mu = x.mean(axis=0)
    var = x.var(axis=0)
    xhat = (x - mu) / np.sqrt(var + eps)
'''
_LN_STATS = '''
    mu = x.mean(axis=1, keepdims=True)
    var = x.var(axis=1, keepdims=True)
    xhat = (x - mu) / np.sqrt(var + eps)
'''
_RETURN_CACHE = '''
    cache = {"xhat": xhat, "inv_std": 1.0 / np.sqrt(var + eps), "gamma": gamma}
    return gamma * xhat + beta, cache
'''
_BACKWARD_HEAD = '''
    xhat, inv_std, gamma = cache["xhat"], cache["inv_std"], cache["gamma"]
    dbeta = dout.sum(axis=0)
    dgamma = (dout * xhat).sum(axis=0)
    dxhat = dout * gamma
'''

MISTAKES = [
    # ------------------------------------------------------------------ batchnorm_forward
    Variant("bn_forward_unbiased_variance", "batchnorm_forward", _BN_FWD + '''
    mu = x.mean(axis=0)
    var = x.var(axis=0, ddof=1)
    xhat = (x - mu) / np.sqrt(var + eps)
''' + _RETURN_CACHE, hint="biased variance"),

    Variant("bn_forward_over_features", "batchnorm_forward", _BN_FWD + '''
    mu = x.mean(axis=1, keepdims=True)
    var = x.var(axis=1, keepdims=True)
    xhat = (x - mu) / np.sqrt(var + eps)
''' + _RETURN_CACHE, hint="over the batch (axis 0)"),

    Variant("bn_forward_eps_outside_sqrt", "batchnorm_forward", _BN_FWD + '''
    mu = x.mean(axis=0)
    std = x.std(axis=0) + eps
    xhat = (x - mu) / std
    return gamma * xhat + beta, {"xhat": xhat, "inv_std": 1.0 / std, "gamma": gamma}
''', hint="inside the square root"),

    Variant("bn_forward_forgot_affine", "batchnorm_forward", _BN_FWD + _BN_STATS + '''
    cache = {"xhat": xhat, "inv_std": 1.0 / np.sqrt(var + eps), "gamma": gamma}
    return xhat, cache
''', hint="gamma * xhat + beta"),

    # ------------------------------------------------------------------ batchnorm_backward
    Variant("bn_backward_no_mean_term", "batchnorm_backward", _BN_BWD + _BACKWARD_HEAD + '''
    dx = inv_std * (dxhat - xhat * (dxhat * xhat).mean(axis=0))
    return dx, dgamma, dbeta
''', hint="mean(dxhat)"),

    Variant("bn_backward_no_xhat_term", "batchnorm_backward", _BN_BWD + _BACKWARD_HEAD + '''
    dx = inv_std * (dxhat - dxhat.mean(axis=0))
    return dx, dgamma, dbeta
''', hint="xhat * mean(dxhat * xhat)"),

    Variant("bn_backward_params_over_features", "batchnorm_backward", _BN_BWD + '''
    xhat, inv_std, gamma = cache["xhat"], cache["inv_std"], cache["gamma"]
    dbeta = dout.sum(axis=1)
    dgamma = (dout * xhat).sum(axis=1)
    dxhat = dout * gamma
    dx = inv_std * (dxhat - dxhat.mean(axis=0) - xhat * (dxhat * xhat).mean(axis=0))
    return dx, dgamma, dbeta
''', hint="sum over the batch (axis 0)"),

    Variant("bn_backward_forgot_gamma", "batchnorm_backward", _BN_BWD + '''
    xhat, inv_std = cache["xhat"], cache["inv_std"]
    dx = inv_std * (dout - dout.mean(axis=0) - xhat * (dout * xhat).mean(axis=0))
    return dx, (dout * xhat).sum(axis=0), dout.sum(axis=0)
''', hint="dout * gamma"),

    Variant("bn_backward_forgot_inv_std", "batchnorm_backward", _BN_BWD + _BACKWARD_HEAD + '''
    dx = dxhat - dxhat.mean(axis=0) - xhat * (dxhat * xhat).mean(axis=0)
    return dx, dgamma, dbeta
''', hint="1 / sqrt(var + eps)"),

    # ------------------------------------------------------------------ layernorm_forward
    Variant("ln_forward_over_batch", "layernorm_forward", _LN_FWD + '''
    mu = x.mean(axis=0)
    var = x.var(axis=0)
    xhat = (x - mu) / np.sqrt(var + eps)
''' + _RETURN_CACHE, hint="over its own features (axis 1)"),

    Variant("ln_forward_unbiased_variance", "layernorm_forward", _LN_FWD + '''
    mu = x.mean(axis=1, keepdims=True)
    var = np.sum((x - mu) ** 2, axis=1, keepdims=True) / max(x.shape[1] - 1, 1)
    xhat = (x - mu) / np.sqrt(var + eps)
''' + _RETURN_CACHE, hint="biased variance"),

    Variant("ln_forward_eps_outside_sqrt", "layernorm_forward", _LN_FWD + '''
    mu = x.mean(axis=1, keepdims=True)
    std = x.std(axis=1, keepdims=True) + eps
    xhat = (x - mu) / std
    return gamma * xhat + beta, {"xhat": xhat, "inv_std": 1.0 / std, "gamma": gamma}
''', hint="inside the square root"),

    # ------------------------------------------------------------------ layernorm_backward
    Variant("ln_backward_params_over_features", "layernorm_backward", _LN_BWD + '''
    xhat, inv_std, gamma = cache["xhat"], cache["inv_std"], cache["gamma"]
    dbeta = dout.sum(axis=1)
    dgamma = (dout * xhat).sum(axis=1)
    dxhat = dout * gamma
    dx = inv_std * (dxhat - dxhat.mean(axis=1, keepdims=True)
                    - xhat * (dxhat * xhat).mean(axis=1, keepdims=True))
    return dx, dgamma, dbeta
''', hint="one number per feature"),

    Variant("ln_backward_no_mean_term", "layernorm_backward", _LN_BWD + _BACKWARD_HEAD + '''
    dx = inv_std * (dxhat - xhat * (dxhat * xhat).mean(axis=1, keepdims=True))
    return dx, dgamma, dbeta
''', hint="mean(dxhat)"),

    Variant("ln_backward_no_xhat_term", "layernorm_backward", _LN_BWD + _BACKWARD_HEAD + '''
    dx = inv_std * (dxhat - dxhat.mean(axis=1, keepdims=True))
    return dx, dgamma, dbeta
''', hint="xhat * mean(dxhat * xhat)"),

    Variant("ln_backward_means_over_batch", "layernorm_backward", _LN_BWD + _BACKWARD_HEAD + '''
    dx = inv_std * (dxhat - dxhat.mean(axis=0) - xhat * (dxhat * xhat).mean(axis=0))
    return dx, dgamma, dbeta
''', hint="same axis as the forward statistics"),

    Variant("bn_backward_means_over_features", "batchnorm_backward", _BN_BWD + _BACKWARD_HEAD + '''
    dx = inv_std * (dxhat - dxhat.mean(axis=1, keepdims=True) - xhat * (dxhat * xhat).mean(axis=1, keepdims=True))
    return dx, dgamma, dbeta
''', hint="same axis as the forward statistics"),

    # ------------------------------------------------------------------ mixup
    Variant("mixup_labels_not_mixed", "mixup", _MIXUP + '''
    lam = float(rng.beta(alpha, alpha))
    perm = rng.permutation(x.shape[0])
    return lam * x + (1 - lam) * x[perm], y_onehot.copy(), lam
''', hint="labels must be mixed"),

    Variant("mixup_second_lam_for_labels", "mixup", _MIXUP + '''
    perm = rng.permutation(x.shape[0])
    lam = float(rng.beta(alpha, alpha))
    x_mix = lam * x + (1 - lam) * x[perm]
    lam_y = float(rng.beta(alpha, alpha))
    y_mix = lam_y * y_onehot + (1 - lam_y) * y_onehot[perm]
    return x_mix, y_mix, lam
''', hint="same lam"),

    Variant("mixup_per_sample_lam_for_x", "mixup", _MIXUP + '''
    n = x.shape[0]
    perm = rng.permutation(n)
    lams = rng.beta(alpha, alpha, size=n)
    lx = lams.reshape((n,) + (1,) * (x.ndim - 1))
    x_mix = lx * x + (1 - lx) * x[perm]
    lam = float(lams.mean())
    y_mix = lam * y_onehot + (1 - lam) * y_onehot[perm]
    return x_mix, y_mix, lam
''', hint="ONE lam"),

    Variant("mixup_returns_per_sample_lams", "mixup", _MIXUP + '''
    n = x.shape[0]
    perm = rng.permutation(n)
    lams = rng.beta(alpha, alpha, size=n)
    lx = lams.reshape((n,) + (1,) * (x.ndim - 1))
    return lx * x + (1 - lx) * x[perm], lams[:, None] * y_onehot + (1 - lams[:, None]) * y_onehot[perm], lams
''', hint="ONE lam"),

    Variant("mixup_uniform_lam", "mixup", _MIXUP + '''
    lam = float(rng.random())
    perm = rng.permutation(x.shape[0])
    return lam * x + (1 - lam) * x[perm], lam * y_onehot + (1 - lam) * y_onehot[perm], lam
''', hint="rng.beta(alpha, alpha)"),

    Variant("mixup_partners_with_replacement", "mixup", _MIXUP + '''
    lam = float(rng.beta(alpha, alpha))
    idx = rng.integers(0, x.shape[0], size=x.shape[0])
    return lam * x + (1 - lam) * x[idx], lam * y_onehot + (1 - lam) * y_onehot[idx], lam
''', hint="random permutation"),

    Variant("mixup_reversed_batch", "mixup", _MIXUP + '''
    lam = float(rng.beta(alpha, alpha))
    return lam * x + (1 - lam) * x[::-1], lam * y_onehot + (1 - lam) * y_onehot[::-1], lam
''', hint="random permutation"),

    Variant("mixup_lam_on_partner", "mixup", _MIXUP + '''
    lam = float(rng.beta(alpha, alpha))
    perm = rng.permutation(x.shape[0])
    return (1 - lam) * x + lam * x[perm], (1 - lam) * y_onehot + lam * y_onehot[perm], lam
''', hint="lam weights the original row"),

    Variant("mixup_global_numpy_random", "mixup", _MIXUP + '''
    lam = float(np.random.beta(alpha, alpha))
    perm = np.random.permutation(x.shape[0])
    return lam * x + (1 - lam) * x[perm], lam * y_onehot + (1 - lam) * y_onehot[perm], lam
''', hint="rng argument"),

    # ------------------------------------------------------------------ stochastic_depth
    Variant("depth_no_rescale", "stochastic_depth", _DEPTH + '''
    r = residual(x)
    if not training:
        return x + r
    keep = (rng.random(x.shape[0]) < survival_prob).reshape((-1,) + (1,) * (x.ndim - 1))
    return x + keep * r
''', hint="divided by survival_prob"),

    Variant("depth_per_batch", "stochastic_depth", _DEPTH + '''
    r = residual(x)
    if not training:
        return x + r
    if rng.random() < survival_prob:
        return x + r / survival_prob
    return x.copy()
''', hint="per sample"),

    Variant("depth_divides_at_inference", "stochastic_depth", _DEPTH + '''
    r = residual(x)
    if not training:
        return x + r / survival_prob
    keep = (rng.random(x.shape[0]) < survival_prob).reshape((-1,) + (1,) * (x.ndim - 1))
    return x + keep * r / survival_prob
''', hint="at inference", named=False),

    Variant("depth_keep_with_drop_probability", "stochastic_depth", _DEPTH + '''
    r = residual(x)
    if not training:
        return x + r
    keep = (rng.random(x.shape[0]) < 1 - survival_prob).reshape((-1,) + (1,) * (x.ndim - 1))
    return x + keep * r / survival_prob
''', hint="probability of KEEPING"),

    Variant("depth_per_element_mask", "stochastic_depth", _DEPTH + '''
    r = residual(x)
    if not training:
        return x + r
    keep = rng.random(x.shape) < survival_prob
    return x + keep * r / survival_prob
''', hint="whole residual branch"),

    Variant("depth_divides_by_drop_probability", "stochastic_depth", _DEPTH + '''
    r = residual(x)
    if not training:
        return x + r
    keep = (rng.random(x.shape[0]) < survival_prob).reshape((-1,) + (1,) * (x.ndim - 1))
    return x + keep * r / max(1 - survival_prob, 1e-12)
''', hint="divided by 1 - survival_prob"),

    # ------------------------------------------------------------------ jacobian_penalty
    Variant("jacobian_no_tanh_derivative", "jacobian_penalty", _JAC + '''
    return float(np.sum(W ** 2))
''', hint="chain rule through tanh"),

    Variant("jacobian_one_minus_tanh", "jacobian_penalty", _JAC + '''
    X = np.atleast_2d(x)
    t = np.tanh(X @ W.T + b)
    return float(np.mean(((1 - t) ** 2) @ np.sum(W ** 2, axis=1)))
''', hint="1 - tanh(a)^2"),

    Variant("jacobian_derivative_not_squared", "jacobian_penalty", _JAC + '''
    X = np.atleast_2d(x)
    t = np.tanh(X @ W.T + b)
    return float(np.mean((1 - t ** 2) @ np.sum(W ** 2, axis=1)))
''', hint="appears squared"),

    Variant("jacobian_column_norms", "jacobian_penalty", _JAC + '''
    X = np.atleast_2d(x)
    t = np.tanh(X @ W.T + b)
    return float(np.mean(((1 - t ** 2) ** 2) @ np.sum(W ** 2, axis=0)))
''', hint="ROWS of W"),

    Variant("jacobian_batch_sum", "jacobian_penalty", _JAC + '''
    X = np.atleast_2d(x)
    t = np.tanh(X @ W.T + b)
    return float(np.sum(((1 - t ** 2) ** 2) @ np.sum(W ** 2, axis=1)))
''', hint="mean of the per-sample penalties"),
]

# Forward mistakes whose cache carries the error (see the module docstring).
CACHE_ALSO_COSTS = {
    "bn_forward_unbiased_variance": "batchnorm_backward",
    "bn_forward_over_features": "batchnorm_backward",
    "bn_forward_eps_outside_sqrt": "batchnorm_backward",
    "ln_forward_over_batch": "layernorm_backward",
    "ln_forward_unbiased_variance": "layernorm_backward",
    "ln_forward_eps_outside_sqrt": "layernorm_backward",
}

CORRECT = [
    Variant("bn_loops_over_features", "batchnorm_forward", _BN_FWD + '''
    n, d = x.shape
    out = np.empty_like(x)
    xhat = np.empty_like(x)
    inv_std = np.empty(d)
    for j in range(d):
        col = x[:, j]
        m = sum(col) / n
        v = sum((c - m) ** 2 for c in col) / n
        inv_std[j] = 1.0 / (v + eps) ** 0.5
        xhat[:, j] = (col - m) * inv_std[j]
        out[:, j] = gamma[j] * xhat[:, j] + beta[j]
    return out, {"xhat": xhat, "inv_std": inv_std, "gamma": gamma}
'''),

    Variant("bn_np_var_and_tuple_cache_staged_backward", "batchnorm_backward", _BN_FWD + '''
    mu = np.mean(x, axis=0)
    var = np.var(x, axis=0)
    out = gamma * (x - mu) / np.sqrt(var + eps) + beta
    return out, (x, mu, var, eps, gamma)
''' + _BN_BWD + '''
    x, mu, var, eps, gamma = cache
    n = x.shape[0]
    xmu = x - mu
    ivar = 1.0 / np.sqrt(var + eps)
    xhat = xmu * ivar
    dbeta = np.sum(dout, axis=0)
    dgamma = np.sum(dout * xhat, axis=0)
    dxhat = dout * gamma
    divar = np.sum(dxhat * xmu, axis=0)
    dxmu1 = dxhat * ivar
    dsqrtvar = -divar / (var + eps)
    dvar = 0.5 * dsqrtvar / np.sqrt(var + eps)
    dsq = np.ones_like(dout) * dvar / n
    dxmu2 = 2 * xmu * dsq
    dx1 = dxmu1 + dxmu2
    dmu = -np.sum(dx1, axis=0)
    dx = dx1 + np.ones_like(dout) * dmu / n
    return dx, dgamma, dbeta
'''),

    Variant("bn_list_cache_recompute", "batchnorm_backward", _BN_FWD + '''
    xhat = (x - x.mean(axis=0)) / np.sqrt(((x - x.mean(axis=0)) ** 2).mean(axis=0) + eps)
    return gamma * xhat + beta, [x, gamma, eps]
''' + _BN_BWD + '''
    x, gamma, eps = cache[0], cache[1], cache[2]
    n = x.shape[0]
    xc = x - x.mean(axis=0)
    std = np.sqrt((xc ** 2).mean(axis=0) + eps)
    xhat = xc / std
    dxhat = dout * gamma
    dx = (n * dxhat - dxhat.sum(axis=0) - xhat * (dxhat * xhat).sum(axis=0)) / (n * std)
    return dx, np.einsum("nd,nd->d", dout, xhat), np.einsum("nd->d", dout)
'''),

    Variant("ln_via_transposed_batchnorm", "layernorm_backward", _LN_FWD + '''
    xt = x.T
    mu = xt.mean(axis=0)
    var = xt.var(axis=0)
    xhat = ((xt - mu) / np.sqrt(var + eps)).T
    return xhat * gamma + beta, {"xhat_t": xhat.T, "istd": 1 / np.sqrt(var + eps), "g": gamma}
''' + _LN_BWD + '''
    xhat_t, istd, gamma = cache["xhat_t"], cache["istd"], cache["g"]
    dxhat_t = (dout * gamma).T
    d = xhat_t.shape[0]
    dx_t = istd / d * (d * dxhat_t - dxhat_t.sum(axis=0) - xhat_t * (dxhat_t * xhat_t).sum(axis=0))
    return dx_t.T, (dout * xhat_t.T).sum(axis=0), dout.sum(axis=0)
'''),

    Variant("ln_loops_over_rows", "layernorm_forward", _LN_FWD + '''
    rows, inv = [], []
    for row in x:
        m = np.mean(row)
        s = np.sqrt(np.mean((row - m) ** 2) + eps)
        rows.append((row - m) / s)
        inv.append([1 / s])
    xhat = np.array(rows)
    return gamma * xhat + beta, {"xhat": xhat, "inv_std": np.array(inv), "gamma": gamma}
'''),

    Variant("mixup_choice_without_replacement", "mixup", _MIXUP + '''
    n = x.shape[0]
    lam = rng.beta(alpha, alpha)
    partner = rng.choice(n, size=n, replace=False)
    x_mix = x[partner] + lam * (x - x[partner])
    y_mix = y_onehot[partner] + lam * (y_onehot - y_onehot[partner])
    return x_mix, y_mix, np.float64(lam)
'''),

    Variant("mixup_argsort_permutation", "mixup", _MIXUP + '''
    perm = np.argsort(rng.random(x.shape[0]))
    lam = rng.beta(alpha, alpha)
    return np.array([lam * a + (1 - lam) * x[j] for a, j in zip(x, perm)]).reshape(x.shape), \\
        np.array([lam * a + (1 - lam) * y_onehot[j] for a, j in zip(y_onehot, perm)]), float(lam)
'''),

    Variant("depth_binomial_mask", "stochastic_depth", _DEPTH + '''
    if not training:
        return x + residual(x)
    b = rng.binomial(1, survival_prob, size=x.shape[0]).astype(float)
    return x + np.einsum("n,n...->n...", b / survival_prob, residual(x))
'''),

    Variant("depth_loop_over_samples", "stochastic_depth", _DEPTH + '''
    out = x.copy()
    r = residual(x)
    for i in range(x.shape[0]):
        if not training:
            out[i] += r[i]
        elif rng.random() < survival_prob:
            out[i] += r[i] / survival_prob
    return out
'''),

    Variant("jacobian_einsum_explicit", "jacobian_penalty", _JAC + '''
    X = x.reshape(-1, W.shape[1])
    total = 0.0
    for row in X:
        J = np.einsum("h,hd->hd", 1 - np.tanh(W @ row + b) ** 2, W)
        total += np.einsum("hd,hd->", J, J)
    return total / X.shape[0]
'''),

    Variant("jacobian_cosh", "jacobian_penalty", _JAC + '''
    a = np.atleast_2d(x) @ W.T + b              # 1 - tanh(a)^2 = 1 / cosh(a)^2
    return float(np.mean((np.cosh(a) ** -4) @ (W ** 2).sum(axis=1)))
'''),
]


# ---------------------------------------------------------------- added by the red-team review
# Written from the stub's docstrings alone, the way a student would; each was run through the
# grader before the suites were adjusted (see the review report).


CORRECT += [
    Variant("bn_long_chain_rule", "batchnorm_backward", _BN_FWD + '''
    mu = x.mean(axis=0)
    xc = x - mu
    var = (xc ** 2).mean(axis=0)
    std = np.sqrt(var + eps)
    xhat = xc / std
    return gamma * xhat + beta, (x, mu, var, eps, gamma, xhat)
''' + _BN_BWD + '''
    x, mu, var, eps, gamma, xhat = cache
    N = x.shape[0]
    dbeta = dout.sum(axis=0)
    dgamma = (dout * xhat).sum(axis=0)
    dxhat = dout * gamma
    dvar = np.sum(dxhat * (x - mu) * -0.5 * (var + eps) ** -1.5, axis=0)
    dmu = np.sum(-dxhat / np.sqrt(var + eps), axis=0) + dvar * np.mean(-2.0 * (x - mu), axis=0)
    dx = dxhat / np.sqrt(var + eps) + dvar * 2.0 * (x - mu) / N + dmu / N
    return dx, dgamma, dbeta
'''),
    Variant("bn_cache_dict_of_lists", "batchnorm_forward", _BN_FWD + '''
    mu = np.mean(x, axis=0)
    var = np.mean((x - mu) ** 2, axis=0)
    inv = 1 / np.sqrt(var + eps)
    xhat = (x - mu) * inv
    cache = {"xhat": xhat.tolist(), "inv_std": inv.tolist(), "gamma": gamma.tolist(), "eps": eps,
             "note": "bn", "shape": list(x.shape)}
    return gamma * xhat + beta, cache
''' + _BN_BWD + '''
    xhat = np.array(cache["xhat"]); inv = np.array(cache["inv_std"]); gamma = np.array(cache["gamma"])
    N = dout.shape[0]
    dxhat = dout * gamma
    dx = (N * dxhat - dxhat.sum(0) - xhat * (dxhat * xhat).sum(0)) * inv / N
    return dx, (dout * xhat).sum(0), dout.sum(0)
'''),
    Variant("ln_long_chain_rule_transposed", "layernorm_backward", _LN_FWD + '''
    xt = x.T
    mu = xt.mean(axis=0)
    var = ((xt - mu) ** 2).mean(axis=0)
    xhat = ((xt - mu) / np.sqrt(var + eps)).T
    return xhat * gamma + beta, [x, mu, var, eps, gamma, xhat]
''' + _LN_BWD + '''
    x, mu, var, eps, gamma, xhat = cache
    D = x.shape[1]
    dbeta = dout.sum(axis=0)
    dgamma = (dout * xhat).sum(axis=0)
    dxhat = (dout * gamma).T
    xc = (x - mu[:, None]).T
    dvar = np.sum(dxhat * xc * -0.5 * (var + eps) ** -1.5, axis=0)
    dmu = np.sum(-dxhat / np.sqrt(var + eps), axis=0) + dvar * np.mean(-2.0 * xc, axis=0)
    dx = dxhat / np.sqrt(var + eps) + dvar * 2.0 * xc / D + dmu / D
    return dx.T, dgamma, dbeta
'''),
    Variant("mixup_gamma_ratio_shuffle", "mixup", _MIXUP + '''
    g1, g2 = rng.gamma(alpha), rng.gamma(alpha)
    lam = g1 / (g1 + g2)
    idx = np.arange(x.shape[0])
    rng.shuffle(idx)
    return lam * x + (1 - lam) * x[idx], lam * y_onehot + (1 - lam) * y_onehot[idx], np.array(lam)
'''),
    Variant("mixup_perm_first_size1_lam", "mixup", _MIXUP + '''
    perm = rng.permutation(len(x))
    lam = rng.beta(alpha, alpha, size=1)
    return lam[0] * x + (1 - lam[0]) * x[perm], lam[0] * y_onehot + (1 - lam[0]) * y_onehot[perm], lam
'''),
    Variant("depth_uniform_kept_rows_only", "stochastic_depth", _DEPTH + '''
    if not training:
        return x + residual(x)
    keep = rng.uniform(size=x.shape[0]) > 1 - survival_prob
    out = x.copy()
    if keep.any():
        out[keep] = x[keep] + residual(x[keep]) / survival_prob
    return out
'''),
    Variant("depth_random_lt_reshape", "stochastic_depth", _DEPTH + '''
    r = residual(x)
    if not training:
        return x + r
    b = (rng.random(x.shape[0]) < survival_prob).astype(float)
    return x + b.reshape((-1,) + (1,) * (x.ndim - 1)) * r / survival_prob
'''),
    Variant("jac_explicit_matrix_loop", "jacobian_penalty", _JAC + '''
    xs = x[None, :] if x.ndim == 1 else x
    vals = []
    for xi in xs:
        h = np.tanh(W @ xi + b)
        J = np.diag(1 - h ** 2) @ W
        vals.append(np.linalg.norm(J, "fro") ** 2)
    return np.float64(np.mean(vals))
'''),
]

MISTAKES += [
    Variant("bn_divides_by_variance", "batchnorm_forward", _BN_FWD + '''
    mu = x.mean(axis=0)
    var = x.var(axis=0)
    xhat = (x - mu) / (var + eps)
    cache = {"xhat": xhat, "inv_std": 1.0 / np.sqrt(var + eps), "gamma": gamma}
    return gamma * xhat + beta, cache
''', hint='divided by the variance'),
    Variant("bn_backward_dgamma_raw_x", "batchnorm_backward", _BN_FWD + '''
    mu = x.mean(axis=0)
    var = x.var(axis=0)
    xhat = (x - mu) / np.sqrt(var + eps)
    cache = {"xhat": xhat, "inv_std": 1.0 / np.sqrt(var + eps), "gamma": gamma, "x": x}
    return gamma * xhat + beta, cache
''' + _BN_BWD + '''
    xhat, inv_std, gamma, x = cache["xhat"], cache["inv_std"], cache["gamma"], cache["x"]
    dbeta = dout.sum(axis=0)
    dgamma = (dout * x).sum(axis=0)
    dxhat = dout * gamma
    dx = (dxhat - dxhat.mean(axis=0) - xhat * (dxhat * xhat).mean(axis=0)) * inv_std
    return dx, dgamma, dbeta
''', hint='dout * xhat'),
    Variant("bn_backward_dbeta_mean", "batchnorm_backward", _BN_BWD + _BACKWARD_HEAD + '''
    dbeta = dout.mean(axis=0)
    dx = (dxhat - dxhat.mean(axis=0) - xhat * (dxhat * xhat).mean(axis=0)) * inv_std
    return dx, dgamma, dbeta
''', hint='not means'),
    Variant("bn_backward_naive", "batchnorm_backward", _BN_BWD + _BACKWARD_HEAD + '''
    return dxhat * inv_std, dgamma, dbeta
''', hint='treats the mean and the variance as constants'),
    Variant("bn_backward_unbiased_means", "batchnorm_backward", _BN_BWD + _BACKWARD_HEAD + '''
    N = dout.shape[0]
    dx = (dxhat - dxhat.sum(axis=0) / (N - 1) - xhat * (dxhat * xhat).sum(axis=0) / (N - 1)) * inv_std
    return dx, dgamma, dbeta
''', hint='count minus one'),
    Variant("ln_no_keepdims", "layernorm_forward", _LN_FWD + '''
    mu = x.mean(axis=1)
    var = x.var(axis=1)
    xhat = (x - mu) / np.sqrt(var + eps)
    cache = {"xhat": xhat, "inv_std": (1.0 / np.sqrt(var + eps))[:, None], "gamma": gamma}
    return gamma * xhat + beta, cache
''', hint='keepdims=True'),
    Variant("ln_forgot_beta", "layernorm_forward", _LN_FWD + _LN_STATS + '''
    cache = {"xhat": xhat, "inv_std": 1.0 / np.sqrt(var + eps), "gamma": gamma}
    return gamma * xhat, cache
''', hint='lacks the shift'),
    Variant("ln_backward_dgamma_per_sample", "layernorm_backward", _LN_BWD + '''
    xhat, inv_std, gamma = cache["xhat"], cache["inv_std"], cache["gamma"]
    dxhat = dout * gamma
    dx = (dxhat - dxhat.mean(axis=1, keepdims=True) - xhat * (dxhat * xhat).mean(axis=1, keepdims=True)) * inv_std
    return dx, dout * xhat, dout
''', hint='sum over the batch'),
    Variant("ln_backward_forgot_gamma", "layernorm_backward", _LN_BWD + '''
    xhat, inv_std, gamma = cache["xhat"], cache["inv_std"], cache["gamma"]
    dxhat = dout
    dx = (dxhat - dxhat.mean(axis=1, keepdims=True) - xhat * (dxhat * xhat).mean(axis=1, keepdims=True)) * inv_std
    return dx, (dout * xhat).sum(0), dout.sum(0)
''', hint='dout * gamma'),
    Variant("mixup_second_perm_for_labels", "mixup", _MIXUP + '''
    lam = rng.beta(alpha, alpha)
    x_mix = lam * x + (1 - lam) * x[rng.permutation(len(x))]
    y_mix = lam * y_onehot + (1 - lam) * y_onehot[rng.permutation(len(x))]
    return x_mix, y_mix, float(lam)
''', hint='same lam and partner'),
    Variant("mixup_lam_folded_above_half", "mixup", _MIXUP + '''
    lam = rng.beta(alpha, alpha)
    lam = max(lam, 1 - lam)
    perm = rng.permutation(len(x))
    return lam * x + (1 - lam) * x[perm], lam * y_onehot + (1 - lam) * y_onehot[perm], float(lam)
''', hint='Beta(alpha, alpha)'),
    Variant("mixup_beta_alpha_one", "mixup", _MIXUP + '''
    lam = rng.beta(alpha, 1.0)
    perm = rng.permutation(len(x))
    return lam * x + (1 - lam) * x[perm], lam * y_onehot + (1 - lam) * y_onehot[perm], float(lam)
''', hint='Beta(alpha, alpha)'),
    Variant("mixup_shuffles_copy_in_place", "mixup", _MIXUP + '''
    lam = rng.beta(alpha, alpha)
    xs = x.copy(); ys = y_onehot.copy()
    rng.shuffle(xs); rng.shuffle(ys)
    return lam * x + (1 - lam) * xs, lam * y_onehot + (1 - lam) * ys, float(lam)
''', hint='same lam and partner'),
    Variant("depth_random_at_inference", "stochastic_depth", _DEPTH + '''
    b = (rng.random(x.shape[0]) < survival_prob).astype(float)
    b = b.reshape((-1,) + (1,) * (x.ndim - 1))
    return x + b * residual(x) / survival_prob
''', hint='inference output is random'),
    Variant("depth_paper_convention", "stochastic_depth", _DEPTH + '''
    r = residual(x)
    if not training:
        return x + survival_prob * r
    b = (rng.random(x.shape[0]) < survival_prob).astype(float)
    return x + b.reshape((-1,) + (1,) * (x.ndim - 1)) * r
''', hint='original stochastic-depth paper', named=False),
    Variant("depth_rescales_whole_output", "stochastic_depth", _DEPTH + '''
    r = residual(x)
    if not training:
        return x + r
    b = (rng.random(x.shape[0]) < survival_prob).astype(float)
    return (x + b.reshape((-1,) + (1,) * (x.ndim - 1)) * r) / survival_prob
''', hint='whole output'),
    Variant("depth_mask_along_last_axis", "stochastic_depth", _DEPTH + '''
    r = residual(x)
    if not training:
        return x + r
    b = (rng.random(x.shape[-1]) < survival_prob).astype(float)
    return x + b * r / survival_prob
''', hint='whole residual branch'),
    Variant("jac_not_squared_norm", "jacobian_penalty", _JAC + '''
    xs = np.atleast_2d(x)
    h = np.tanh(xs @ W.T + b)
    per = np.sqrt(((1 - h ** 2) ** 2 * (W ** 2).sum(axis=1)).sum(axis=1))
    return float(per.mean())
''', hint='Frobenius norm ||J||_F'),
    Variant("jac_forgot_bias", "jacobian_penalty", _JAC + '''
    xs = np.atleast_2d(x)
    h = np.tanh(xs @ W.T)
    return float(((1 - h ** 2) ** 2 * (W ** 2).sum(axis=1)).sum(axis=1).mean())
''', hint='ignores b'),
    Variant("jac_mean_over_units", "jacobian_penalty", _JAC + '''
    xs = np.atleast_2d(x)
    h = np.tanh(xs @ W.T + b)
    return float(((1 - h ** 2) ** 2 * (W ** 2).sum(axis=1)).mean())
''', hint='averaged over the H outputs'),
]
MISTAKES.append(Variant("ln_gamma_per_row", "layernorm_forward", _LN_FWD + _LN_STATS + '''
    cache = {"xhat": xhat, "inv_std": 1.0 / np.sqrt(var + eps), "gamma": gamma}
    return gamma[:, None] * xhat + beta[:, None], cache
''', hint="one number per feature"))

# Forward mistakes of the review whose cache (or crash) also costs the backward.
CACHE_ALSO_COSTS.update({
    "bn_divides_by_variance": "batchnorm_backward",
    "ln_no_keepdims": "layernorm_backward",
    "ln_gamma_per_row": "layernorm_backward",
})

# ------------------------------------------------------------------ suite gaps (issue 15)
MISTAKES += [
    Variant("ln_as_batchnorm_of_transpose", "layernorm_forward", '''
def layernorm_forward(x, gamma, beta, eps=1e-5):
    x, gamma, beta, eps = _norm_inputs(x, gamma, beta, eps, min_rows=1)
    xhat_t, cache_t = batchnorm_forward(x.T, np.ones(x.shape[0]), np.zeros(x.shape[0]), eps)
    xhat = xhat_t.T
    inv_std = np.asarray(cache_t["inv_std"]).reshape(-1, 1)
    return gamma * xhat + beta, {"xhat": xhat, "inv_std": inv_std, "gamma": gamma}
''', hint="D = 1", named=False),
    Variant("bn_one_pass_variance", "batchnorm_forward", '''
def batchnorm_forward(x, gamma, beta, eps=1e-5):
    x, gamma, beta, eps = _norm_inputs(x, gamma, beta, eps, min_rows=2)
    mean = x.mean(axis=0)
    var = (x ** 2).mean(axis=0) - mean ** 2
    inv_std = 1.0 / np.sqrt(var + eps)
    xhat = (x - mean) * inv_std
    return gamma * xhat + beta, {"xhat": xhat, "inv_std": inv_std, "gamma": gamma}
''', hint="E[x^2]", named=False),
]
# the backward runs through the student's own forward, which raises for D = 1
CACHE_ALSO_COSTS["ln_as_batchnorm_of_transpose"] = "layernorm_backward"
