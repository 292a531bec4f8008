"""Catalogue of student implementations of penalties.py, for tests/test_penalties_suite.py.

MISTAKES: wrong implementations a student could plausibly write; each must lose points on
its own function only, and some failed case of that function must give a hint containing
`hint` (case-insensitive).
CORRECT: unusual but correct implementations; each must score 100%.
"""
from tests.catalogue import Variant

MISTAKES = [
    Variant("l1_penalty_no_abs", "l1_penalty", '''
def l1_penalty(w, lam):
    w = _as_array(w, "w")
    lam = _check_nonnegative(lam, "lam")
    return float(lam * np.sum(w))
''', hint="lam * sum(|w|)"),

    Variant("l1_penalty_euclidean", "l1_penalty", '''
def l1_penalty(w, lam):
    w = _as_array(w, "w")
    lam = _check_nonnegative(lam, "lam")
    return float(lam * np.linalg.norm(w))
''', hint="||w||_2"),

    Variant("l1_subgradient_one_at_zero", "l1_subgradient", '''
def l1_subgradient(w, lam):
    w = _as_array(w, "w")
    lam = _check_nonnegative(lam, "lam")
    return lam * np.where(w >= 0, 1.0, -1.0)
''', hint="picks 0 at w == 0"),

    Variant("l1_subgradient_missing_lam", "l1_subgradient", '''
def l1_subgradient(w, lam):
    w = _as_array(w, "w")
    lam = _check_nonnegative(lam, "lam")
    return np.sign(w)
''', hint="without the factor lam"),

    Variant("l2_penalty_no_half", "l2_penalty", '''
def l2_penalty(w, lam):
    w = _as_array(w, "w")
    lam = _check_nonnegative(lam, "lam")
    return float(lam * np.sum(w ** 2))
''', hint="factor 1/2"),

    Variant("l2_gradient_factor_2", "l2_gradient", '''
def l2_gradient(w, lam):
    w = _as_array(w, "w")
    lam = _check_nonnegative(lam, "lam")
    return 2 * lam * w
''', hint="twice the expected one"),

    Variant("l2_gradient_in_place", "l2_gradient", '''
def l2_gradient(w, lam):
    w = _as_array(w, "w")
    lam = _check_nonnegative(lam, "lam")
    w *= lam
    return w
''', hint="changed the caller's array"),

    Variant("elastic_net_penalty_no_half", "elastic_net_penalty", '''
def elastic_net_penalty(w, lam1, lam2):
    w = _as_array(w, "w")
    lam1 = _check_nonnegative(lam1, "lam1")
    lam2 = _check_nonnegative(lam2, "lam2")
    return float(lam1 * np.abs(w).sum() + lam2 * (w ** 2).sum())
''', hint="L2 part is twice too large"),

    Variant("elastic_net_gradient_factor_2", "elastic_net_gradient", '''
def elastic_net_gradient(w, lam1, lam2):
    w = _as_array(w, "w")
    lam1 = _check_nonnegative(lam1, "lam1")
    lam2 = _check_nonnegative(lam2, "lam2")
    return lam1 * np.sign(w) + 2 * lam2 * w
''', hint="2*lam2*w"),

    Variant("elastic_net_gradient_swapped", "elastic_net_gradient", '''
def elastic_net_gradient(w, lam1, lam2):
    w = _as_array(w, "w")
    lam1 = _check_nonnegative(lam1, "lam1")
    lam2 = _check_nonnegative(lam2, "lam2")
    return lam2 * np.sign(w) + lam1 * w
''', hint="swapped lam1 and lam2"),

    Variant("l1_scalar_minimizer_threshold_lam", "l1_scalar_minimizer", '''
def l1_scalar_minimizer(mu, lam):
    mu = _as_array(mu, "mu")
    lam = _check_nonnegative(lam, "lam")
    w = np.sign(mu) * np.maximum(np.abs(mu) - lam, 0.0)
    return float(w) if w.ndim == 0 else w
''', hint="threshold at lam/2"),

    Variant("l1_scalar_minimizer_no_clamp", "l1_scalar_minimizer", '''
def l1_scalar_minimizer(mu, lam):
    mu = _as_array(mu, "mu")
    lam = _check_nonnegative(lam, "lam")
    return mu - lam / 2 * np.sign(mu)
''', hint="clamp with max"),

    Variant("l1_scalar_minimizer_sign_lost", "l1_scalar_minimizer", '''
def l1_scalar_minimizer(mu, lam):
    mu = _as_array(mu, "mu")
    lam = _check_nonnegative(lam, "lam")
    return np.maximum(mu - lam / 2, 0.0)
''', hint="keeps the sign of mu"),

    Variant("l2_scalar_minimizer_half_quadratic", "l2_scalar_minimizer", '''
def l2_scalar_minimizer(mu, lam):
    mu = _as_array(mu, "mu")
    lam = _check_nonnegative(lam, "lam")
    return mu / (1 + lam)
''', hint="without the 1/2"),

    Variant("l2_scalar_minimizer_penalty_without_half", "l2_scalar_minimizer", '''
def l2_scalar_minimizer(mu, lam):
    mu = _as_array(mu, "mu")
    lam = _check_nonnegative(lam, "lam")
    return mu / (1 + 2 * lam)
''', hint="not lam*w^2"),
]

CORRECT = [
    Variant("l1_penalty_loop", "l1_penalty", '''
def l1_penalty(w, lam):
    w = _as_array(w, "w")
    lam = _check_nonnegative(lam, "lam")
    total = 0.0
    for x in w.ravel():
        total += abs(x)
    return lam * total
'''),

    Variant("l1_penalty_norm_ord_1", "l1_penalty", '''
def l1_penalty(w, lam):
    w = _as_array(w, "w")
    lam = _check_nonnegative(lam, "lam")
    return lam * np.linalg.norm(w.ravel(), ord=1)
'''),

    Variant("l1_subgradient_where", "l1_subgradient", '''
def l1_subgradient(w, lam):
    w = _as_array(w, "w")
    lam = _check_nonnegative(lam, "lam")
    return np.where(w > 0, lam, np.where(w < 0, -lam, 0.0))
'''),

    Variant("l1_subgradient_list_loop", "l1_subgradient", '''
def l1_subgradient(w, lam):
    w = _as_array(w, "w")
    lam = _check_nonnegative(lam, "lam")
    out = np.zeros_like(w)
    for i in np.ndindex(w.shape):
        if w[i] > 0:
            out[i] = lam
        elif w[i] < 0:
            out[i] = -lam
    return out
'''),

    Variant("l2_penalty_dot", "l2_penalty", '''
def l2_penalty(w, lam):
    w = _as_array(w, "w")
    lam = _check_nonnegative(lam, "lam")
    flat = w.ravel()
    return lam / 2 * flat @ flat
'''),

    Variant("l2_gradient_tolist", "l2_gradient", '''
def l2_gradient(w, lam):
    w = _as_array(w, "w")
    lam = _check_nonnegative(lam, "lam")
    return np.array([lam * x for x in w.ravel().tolist()]).reshape(w.shape)
'''),

    Variant("elastic_net_penalty_norms", "elastic_net_penalty", '''
def elastic_net_penalty(w, lam1, lam2):
    w = _as_array(w, "w")
    lam1 = _check_nonnegative(lam1, "lam1")
    lam2 = _check_nonnegative(lam2, "lam2")
    flat = w.reshape(-1)
    return lam1 * np.linalg.norm(flat, 1) + lam2 * np.linalg.norm(flat) ** 2 / 2
'''),

    Variant("elastic_net_gradient_copy_then_in_place", "elastic_net_gradient", '''
def elastic_net_gradient(w, lam1, lam2):
    w = _as_array(w, "w")
    lam1 = _check_nonnegative(lam1, "lam1")
    lam2 = _check_nonnegative(lam2, "lam2")
    g = w.copy()
    g *= lam2
    g += lam1 * np.sign(w)
    return g
'''),

    Variant("l1_scalar_minimizer_clip", "l1_scalar_minimizer", '''
def l1_scalar_minimizer(mu, lam):
    mu = _as_array(mu, "mu")
    lam = _check_nonnegative(lam, "lam")
    return mu - np.clip(mu, -lam / 2, lam / 2)
'''),

    Variant("l1_scalar_minimizer_cases", "l1_scalar_minimizer", '''
def l1_scalar_minimizer(mu, lam):
    mu = _as_array(mu, "mu")
    lam = _check_nonnegative(lam, "lam")
    half = lam / 2
    return np.where(mu > half, mu - half, np.where(mu < -half, mu + half, 0.0))
'''),

    Variant("l2_scalar_minimizer_two_over", "l2_scalar_minimizer", '''
def l2_scalar_minimizer(mu, lam):
    mu = _as_array(mu, "mu")
    lam = _check_nonnegative(lam, "lam")
    return 2 * mu / (2 + lam)
'''),
]
