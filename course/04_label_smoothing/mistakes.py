"""Catalogue of student implementations of label_smoothing.py, for tests/test_suites.py.

MISTAKES: wrong implementations a student could plausibly write; each must lose points on
its own function only, and some failed case of that function must give a hint containing
`hint` (case-insensitive).
CORRECT: unusual but correct implementations; each must score 100%.
Every entry keeps the given scaffolding (conversion and checks) and changes only what a
student writes in the solution region.
"""
from tests.catalogue import Variant

_SMOOTH = '''
def smooth_labels(labels, num_classes, eps, spread="uniform"):
    num_classes = _check_num_classes(num_classes)
    labels = _as_labels(labels, num_classes)
    eps = _check_eps(eps)
    spread = _check_spread(spread)
'''
_SOFTMAX = '''
def softmax(z):
    z = _as_logits(z)
'''
_CE = '''
def cross_entropy(z, targets):
    z, targets = _check_loss_inputs(z, targets)
'''
_GRAD = '''
def cross_entropy_grad(z, targets):
    z, targets = _check_loss_inputs(z, targets)
'''
_MIN = '''
def min_cross_entropy(num_classes, eps, spread="uniform"):
    num_classes = _check_num_classes(num_classes)
    eps = _check_eps(eps)
    spread = _check_spread(spread)
'''

MISTAKES = [
    # ------------------------------------------------------------------ smooth_labels
    Variant("smooth_always_others", "smooth_labels", _SMOOTH + '''
    onehot = np.eye(num_classes)[labels]
    return (1 - eps) * onehot + eps / (num_classes - 1) * (1 - onehot)
''', hint="spread='uniform' puts eps/K on every class"),

    Variant("smooth_always_uniform", "smooth_labels", _SMOOTH + '''
    onehot = np.eye(num_classes)[labels]
    return (1 - eps) * onehot + eps / num_classes
''', hint="spread='others' gives the true class exactly 1 - eps"),

    Variant("smooth_spreads_swapped", "smooth_labels", _SMOOTH + '''
    onehot = np.eye(num_classes)[labels]
    if spread == "others":
        return (1 - eps) * onehot + eps / num_classes
    return (1 - eps) * onehot + eps / (num_classes - 1) * (1 - onehot)
''', hint="'uniform' spread", same_as=("that is the 'others' spread",)),

    Variant("smooth_no_one_minus_eps", "smooth_labels", _SMOOTH + '''
    onehot = np.eye(num_classes)[labels]
    if spread == "uniform":
        return onehot + eps / num_classes
    return onehot + eps / (num_classes - 1) * (1 - onehot)
''', hint="(1 - eps)"),

    # ------------------------------------------------------------------ softmax
    Variant("softmax_overflows", "softmax", _SOFTMAX + '''
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)
''', hint="subtract the row maximum"),

    Variant("softmax_over_columns", "softmax", _SOFTMAX + '''
    e = np.exp(z - z.max())
    return e / e.sum(axis=0, keepdims=True)
''', hint="normalizes each row"),

    # ------------------------------------------------------------------ cross_entropy
    Variant("ce_sum_not_mean", "cross_entropy", _CE + '''
    m = z.max(axis=1, keepdims=True)
    log_p = z - m - np.log(np.sum(np.exp(z - m), axis=1, keepdims=True))
    return float(-np.sum(targets * log_p))
''', hint="mean over the rows"),

    Variant("ce_log_of_softmax", "cross_entropy", _CE + '''
    e = np.exp(z - z.max(axis=1, keepdims=True))
    p = e / e.sum(axis=1, keepdims=True)
    return float(-np.mean(np.sum(targets * np.log(p), axis=1)))
''', hint="log-softmax"),

    Variant("ce_mean_over_entries", "cross_entropy", _CE + '''
    m = z.max(axis=1, keepdims=True)
    log_p = z - m - np.log(np.sum(np.exp(z - m), axis=1, keepdims=True))
    return float(-np.mean(targets * log_p))
''', hint="average over the N rows only"),

    Variant("ce_true_class_only", "cross_entropy", _CE + '''
    m = z.max(axis=1, keepdims=True)
    log_p = z - m - np.log(np.sum(np.exp(z - m), axis=1, keepdims=True))
    true = np.argmax(targets, axis=1)
    return float(-np.mean(log_p[np.arange(len(z)), true]))
''', hint="every class contributes"),

    # ------------------------------------------------------------------ cross_entropy_grad
    Variant("grad_not_divided_by_n", "cross_entropy_grad", _GRAD + '''
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True) - targets
''', hint="divide"),

    Variant("grad_wrong_sign", "cross_entropy_grad", _GRAD + '''
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return (targets - e / e.sum(axis=1, keepdims=True)) / len(z)
''', hint="wrong sign"),

    Variant("grad_overflows", "cross_entropy_grad", _GRAD + '''
    e = np.exp(z)
    return (e / e.sum(axis=1, keepdims=True) - targets) / z.shape[0]
''', hint="subtract the row maximum"),

    # ------------------------------------------------------------------ min_cross_entropy
    Variant("min_ce_returns_zero", "min_cross_entropy", _MIN + '''
    return 0.0
''', hint="entropy of the smoothed target"),

    Variant("min_ce_always_others", "min_cross_entropy", _MIN + '''
    a, b = 1 - eps, eps / (num_classes - 1)
    return float(-(a * np.log(a) + (num_classes - 1) * b * np.log(b))) if eps > 0 else 0.0
''', hint="spread='uniform' puts eps/K"),

    Variant("min_ce_minus_log_true_target", "min_cross_entropy", _MIN + '''
    a = 1 - eps if spread == "others" else 1 - eps + eps / num_classes
    return float(-np.log(a))
''', hint="all K classes contribute", named=False),

    Variant("min_ce_nan_at_zero_targets", "min_cross_entropy", _MIN + '''
    t = np.full(num_classes, eps / num_classes if spread == "uniform" else eps / (num_classes - 1))
    t[0] = 1 - eps + eps / num_classes if spread == "uniform" else 1 - eps
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(-np.sum(t * np.log(t)))
''', hint="0 log 0 = 0"),
]


CORRECT = [
    Variant("smooth_loops_and_lists", "smooth_labels", _SMOOTH + '''
    rows = []
    for label in labels:
        if spread == "uniform":
            row = [eps / num_classes] * num_classes
            row[label] += 1 - eps
        else:
            row = [eps / (num_classes - 1)] * num_classes
            row[label] = 1 - eps
        rows.append(row)
    return np.array(rows, dtype=float).reshape(len(labels), num_classes)
'''),

    Variant("smooth_full_and_fancy_index", "smooth_labels", _SMOOTH + '''
    n = labels.shape[0]
    other = eps / num_classes if spread == "uniform" else eps / (num_classes - 1)
    true = 1 - eps + eps / num_classes if spread == "uniform" else 1 - eps
    t = np.full((n, num_classes), other)
    t[np.arange(n), labels] = true
    return t
'''),

    Variant("softmax_via_logsumexp", "softmax", _SOFTMAX + '''
    m = np.max(z, axis=-1, keepdims=True)
    lse = m + np.log(np.sum(np.exp(z - m), axis=-1, keepdims=True))
    return np.exp(z - lse)
'''),

    Variant("softmax_row_loop", "softmax", _SOFTMAX + '''
    flat = z.reshape(-1, z.shape[-1])
    out = np.empty_like(flat)
    for i in range(flat.shape[0]):
        row = flat[i] - max(flat[i])
        e = np.exp(row)
        out[i] = e / sum(e)
    return out.reshape(z.shape)
'''),

    Variant("ce_row_loop", "cross_entropy", _CE + '''
    total = 0.0
    for zi, ti in zip(z, targets):
        m = zi.max()
        log_norm = m + np.log(np.exp(zi - m).sum())
        total += -np.dot(ti, zi - log_norm)
    return total / len(z)
'''),

    Variant("ce_where_skips_zero_targets", "cross_entropy", _CE + '''
    shifted = z - np.max(z, axis=1)[:, None]
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1))[:, None]
    per_row = -np.where(targets != 0, targets * log_p, 0.0).sum(axis=1)
    return per_row.mean()
'''),

    Variant("grad_via_log_softmax", "cross_entropy_grad", _GRAD + '''
    n = z.shape[0]
    shifted = z - z.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return np.exp(log_p) / n - targets / n
'''),

    Variant("min_ce_build_target_and_where", "min_cross_entropy", _MIN + '''
    t = np.full(num_classes, eps / num_classes if spread == "uniform" else eps / (num_classes - 1))
    t[0] = 1 - eps + eps / num_classes if spread == "uniform" else 1 - eps
    safe = np.where(t > 0, t, 1.0)
    return float(-np.sum(t * np.log(safe)))
'''),

    Variant("min_ce_math_closed_form", "min_cross_entropy", _MIN + '''
    import math
    k = num_classes
    if spread == "uniform":
        a, b = 1 - eps + eps / k, eps / k
    else:
        a, b = 1 - eps, eps / (k - 1)
    h = 0.0
    if a > 0:
        h -= a * math.log(a)
    if b > 0:
        h -= (k - 1) * b * math.log(b)
    return h
'''),
]


# ---------------------------------------------------------------- added by the red-team review
# Written from the stub's docstrings alone, the way a student would; each was run through the
# grader before the suites were adjusted (see the review report).
CORRECT += [
    Variant("smooth_eye_where", "smooth_labels", _SMOOTH + '''
    K = num_classes
    onehot = np.eye(K)[labels]
    if spread == "uniform":
        return onehot * (1 - eps) + eps / K
    return np.where(onehot == 1, 1 - eps, eps / (K - 1))
'''),
    Variant("smooth_list_comprehension_rows", "smooth_labels", _SMOOTH + '''
    K = num_classes
    if spread == "uniform":
        hi, lo = 1 - eps + eps / K, eps / K
    else:
        hi, lo = 1 - eps, eps / (K - 1)
    return [[hi if k == c else lo for k in range(K)] for c in labels] if len(labels) else np.zeros((0, K))
'''),
    Variant("softmax_logaddexp_reduce", "softmax", _SOFTMAX + '''
    return np.exp(z - np.logaddexp.reduce(z, axis=-1, keepdims=True))
'''),
    Variant("softmax_swapaxes_rows_list", "softmax", _SOFTMAX + '''
    import math
    if z.ndim == 1:
        m = max(z)
        e = [math.exp(v - m) for v in z]
        s = sum(e)
        return [v / s for v in e]
    out = np.zeros(z.shape)
    for i, row in enumerate(z):
        m = row.max()
        e = np.exp(row - m)
        out[i] = e / e.sum()
    return out
'''),
    Variant("ce_math_loop_float64", "cross_entropy", _CE + '''
    import math
    total = 0.0
    for zr, tr in zip(z.tolist(), targets.tolist()):
        m = max(zr)
        lse = m + math.log(sum(math.exp(v - m) for v in zr))
        total += -sum(t * (v - lse) for v, t in zip(zr, tr))
    return np.float64(total / len(z))
'''),
    Variant("ce_einsum_0d_array", "cross_entropy", _CE + '''
    m = z.max(axis=1, keepdims=True)
    logp = z - m - np.log(np.exp(z - m).sum(axis=1, keepdims=True))
    return np.array(-np.einsum("nk,nk->", targets, logp) / z.shape[0])
'''),
    Variant("ce_lse_minus_dot_weighted_by_row_mass", "cross_entropy", _CE + '''
    # -sum_k t_k (z_k - lse) = lse * sum_k t_k - sum_k t_k z_k
    m = z.max(axis=1)
    lse = m + np.log(np.exp(z - m[:, None]).sum(axis=1))
    return float(np.mean(lse * targets.sum(axis=1) - (targets * z).sum(axis=1)))
'''),
    Variant("grad_list_of_lists", "cross_entropy_grad", _GRAD + '''
    n = z.shape[0]
    out = []
    for zr, tr in zip(z, targets):
        e = np.exp(zr - zr.max())
        p = e / e.sum()
        out.append(list((p - tr) / n))
    return out
'''),
    Variant("grad_log_softmax_exp", "cross_entropy_grad", _GRAD + '''
    shifted = z - z.max(axis=1, keepdims=True)
    logp = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return (np.exp(logp) - targets) / len(z)
'''),
    Variant("min_ce_closed_form_guards", "min_cross_entropy", _MIN + '''
    import math
    K = num_classes
    if spread == "uniform":
        a, b = 1 - eps + eps / K, eps / K
    else:
        a, b = 1 - eps, eps / (K - 1)
    h = 0.0
    if a > 0:
        h -= a * math.log(a)
    if b > 0:
        h -= (K - 1) * b * math.log(b)
    return np.float64(h)
'''),
    Variant("min_ce_own_smooth_labels_0d", "min_cross_entropy", _MIN + '''
    t = smooth_labels(np.array([0]), num_classes, eps, spread)[0]
    safe = np.where(t > 0, t, 1.0)
    return np.array(-np.sum(t * np.log(safe)))
'''),
]

MISTAKES += [
    Variant("smooth_others_divides_by_k", "smooth_labels", _SMOOTH + '''
    onehot = np.eye(num_classes)[labels]
    if spread == "uniform":
        return (1 - eps) * onehot + eps / num_classes
    return (1 - eps) * onehot + eps / num_classes * (1 - onehot)
''', hint='eps/(K-1) each'),
    Variant("smooth_eps_not_divided", "smooth_labels", _SMOOTH + '''
    onehot = np.eye(num_classes)[labels]
    if spread == "uniform":
        return (1 - eps) * onehot + eps
    return (1 - eps) * onehot + eps / (num_classes - 1) * (1 - onehot)
''', hint='received the whole eps'),
    Variant("smooth_others_added_to_true_too", "smooth_labels", _SMOOTH + '''
    onehot = np.eye(num_classes)[labels]
    if spread == "uniform":
        return (1 - eps) * onehot + eps / num_classes
    return (1 - eps) * onehot + eps / (num_classes - 1)
''', hint='gets exactly 1 - eps: you also added'),
    Variant("smooth_empty_batch_wrong_shape", "smooth_labels", _SMOOTH + '''
    K = num_classes
    rows = []
    for c in labels:
        row = np.full(K, eps / K if spread == "uniform" else eps / (K - 1))
        row[c] = (1 - eps + eps / K) if spread == "uniform" else 1 - eps
        rows.append(row)
    return np.array(rows)
''', hint='shape (0, K)', named=False),
    Variant("softmax_global_max", "softmax", _SOFTMAX + '''
    e = np.exp(z - z.max())
    return e / e.sum(axis=-1, keepdims=True)
''', hint='one maximum for the whole array', same_as=('anything but its own maximum',)),
    Variant("softmax_column_max", "softmax", _SOFTMAX + '''
    e = np.exp(z - z.max(axis=0, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)
''', hint='maximum of each column', same_as=('anything but its own maximum',)),
    Variant("softmax_global_sum", "softmax", _SOFTMAX + '''
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum()
''', hint='sum over the whole array'),
    Variant("softmax_axis1_only", "softmax", _SOFTMAX + '''
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)
''', hint='single row of shape (K,)'),
    Variant("ce_clipped_log_softmax", "cross_entropy", _CE + '''
    e = np.exp(z - z.max(axis=1, keepdims=True))
    p = e / e.sum(axis=1, keepdims=True)
    return float(-np.mean(np.sum(targets * np.log(np.clip(p, 1e-12, 1.0)), axis=1)))
''', hint='capped'),
    Variant("ce_lse_forgot_max", "cross_entropy", _CE + '''
    m = z.max(axis=1, keepdims=True)
    logp = z - np.log(np.exp(z - m).sum(axis=1, keepdims=True))
    return float(-np.mean(np.sum(targets * logp, axis=1)))
''', hint='off by the row maximum'),
    Variant("ce_log2", "cross_entropy", _CE + '''
    m = z.max(axis=1, keepdims=True)
    logp = z - m - np.log(np.exp(z - m).sum(axis=1, keepdims=True))
    return float(-np.mean(np.sum(targets * logp, axis=1)) / np.log(2))
''', hint='nats'),
    Variant("grad_hard_labels_from_argmax", "cross_entropy_grad", _GRAD + '''
    e = np.exp(z - z.max(axis=1, keepdims=True))
    p = e / e.sum(axis=1, keepdims=True)
    onehot = np.eye(z.shape[1])[targets.argmax(axis=1)]
    return (p - onehot) / z.shape[0]
''', hint='one-hot of the largest target'),
    Variant("grad_mean_over_entries", "cross_entropy_grad", _GRAD + '''
    e = np.exp(z - z.max(axis=1, keepdims=True))
    p = e / e.sum(axis=1, keepdims=True)
    return (p - targets) / z.size
''', hint='not by N*K'),
    Variant("grad_softmax_over_axis0", "cross_entropy_grad", _GRAD + '''
    e = np.exp(z - z.max(axis=0, keepdims=True))
    p = e / e.sum(axis=0, keepdims=True)
    return (p - targets) / z.shape[0]
''', hint='normalizes each column'),
    Variant("grad_sigmoid_style_chain", "cross_entropy_grad", _GRAD + '''
    e = np.exp(z - z.max(axis=1, keepdims=True))
    p = e / e.sum(axis=1, keepdims=True)
    return (p - targets) * p * (1 - p) / z.shape[0]
''', hint='p(1 - p)'),
    Variant("min_ce_forgot_k_minus_1_factor", "min_cross_entropy", _MIN + '''
    K = num_classes
    a, b = (1 - eps + eps / K, eps / K) if spread == "uniform" else (1 - eps, eps / (K - 1))
    h = -a * np.log(a) if a > 0 else 0.0
    if b > 0:
        h -= b * np.log(b)
    return float(h)
''', hint='multiplied by K - 1'),
    Variant("min_ce_log2", "min_cross_entropy", _MIN + '''
    K = num_classes
    a, b = (1 - eps + eps / K, eps / K) if spread == "uniform" else (1 - eps, eps / (K - 1))
    h = 0.0
    if a > 0: h -= a * np.log2(a)
    if b > 0: h -= (K - 1) * b * np.log2(b)
    return float(h)
''', hint='natural logarithm'),
    Variant("min_ce_minus_log_one_minus_eps", "min_cross_entropy", _MIN + '''
    return float(-np.log(1 - eps)) if eps < 1 else 0.0
''', hint='-log(1 - eps)'),
    Variant("min_ce_uniform_target_ignored_true_share", "min_cross_entropy", _MIN + '''
    # uses 1 - eps for the true class under both spreads, but eps/K for the others under uniform
    K = num_classes
    a = 1 - eps
    b = eps / K if spread == "uniform" else eps / (K - 1)
    h = 0.0
    if a > 0: h -= a * np.log(a)
    if b > 0: h -= (K - 1) * b * np.log(b)
    return float(h)
''', hint='1 - eps + eps/K, not 1 - eps'),
]

# ------------------------------------------------------------------ close relatives (issue 15) and their families
MISTAKES += [
    Variant("ce_sign_dropped", "cross_entropy", '''
def cross_entropy(z, targets):
    z, targets = _check_loss_inputs(z, targets)
    shifted = z - z.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return float((targets * log_probs).sum() / z.shape[0])
''', hint="sign is flipped"),
    Variant("min_ce_log_k", "min_cross_entropy", '''
def min_cross_entropy(num_classes, eps, spread="uniform"):
    num_classes = _check_num_classes(num_classes)
    eps = _check_eps(eps)
    spread = _check_spread(spread)
    return float(np.log(num_classes))
''', hint="log K"),
    Variant("ce_sum_over_rows", "cross_entropy", '''
def cross_entropy(z, targets):
    z, targets = _check_loss_inputs(z, targets)
    shifted = z - z.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return float(-(targets * log_probs).sum())
''', hint="sum over the rows"),
    Variant("grad_sign_flipped", "cross_entropy_grad", '''
def cross_entropy_grad(z, targets):
    z, targets = _check_loss_inputs(z, targets)
    shifted = z - z.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    return (targets - e / e.sum(axis=1, keepdims=True)) / z.shape[0]
''', hint="wrong sign"),
]

CORRECT += [
    Variant("min_ce_by_targets_vector", "min_cross_entropy", '''
def min_cross_entropy(num_classes, eps, spread="uniform"):
    num_classes = _check_num_classes(num_classes)
    eps = _check_eps(eps)
    spread = _check_spread(spread)
    t = smooth_labels(np.array([0]), num_classes, eps, spread)[0]
    t = t[t > 0]
    return float(-(t * np.log(t)).sum())
'''),
]
