"""Catalogue of student implementations of penalties.py, for tests/test_suites.py.

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


# ----------------------------------------------------------------------------- red-team review
# Written from the student stub's docstrings alone (without reading the entries above), the way a
# student would; each one was first run against the grader as it stood, and the suites were
# extended where a correct variant lost points or a mistake got no (or a misleading) hint.
CORRECT += [
    Variant("l1_penalty_fsum_generator", "l1_penalty", '''
import math
def l1_penalty(w, lam):
    w = _as_array(w, "w")
    lam = _check_nonnegative(lam, "lam")
    return lam * math.fsum(abs(x) for x in w.ravel())
'''),
    Variant("l1_penalty_0d_array", "l1_penalty", '''
def l1_penalty(w, lam):
    w = _as_array(w, "w")
    lam = _check_nonnegative(lam, "lam")
    return np.asarray(np.abs(w).sum() * lam).reshape(1)
'''),
    Variant("l1_subgradient_nan_to_num", "l1_subgradient", '''
def l1_subgradient(w, lam):
    w = _as_array(w, "w")
    lam = _check_nonnegative(lam, "lam")
    with np.errstate(invalid="ignore", divide="ignore"):
        s = np.nan_to_num(w / np.abs(w))
    return lam * s
'''),
    Variant("l1_subgradient_heaviside", "l1_subgradient", '''
def l1_subgradient(w, lam):
    w = _as_array(w, "w")
    lam = _check_nonnegative(lam, "lam")
    return lam * (2 * np.heaviside(w, 0.5) - 1)
'''),
    Variant("l1_subgradient_bool_arith", "l1_subgradient", '''
def l1_subgradient(w, lam):
    w = _as_array(w, "w")
    lam = _check_nonnegative(lam, "lam")
    return lam * (w > 0) - lam * (w < 0)
'''),
    Variant("l1_subgradient_vectorize_otypes", "l1_subgradient", '''
def l1_subgradient(w, lam):
    w = _as_array(w, "w")
    lam = _check_nonnegative(lam, "lam")
    f = np.vectorize(lambda x: lam if x > 0 else (-lam if x < 0 else 0.0), otypes=[float])
    return f(w)
'''),
    Variant("l1_subgradient_copysign", "l1_subgradient", '''
def l1_subgradient(w, lam):
    w = _as_array(w, "w")
    lam = _check_nonnegative(lam, "lam")
    return lam * np.copysign(1.0, w) * (w != 0)
'''),
    Variant("l2_penalty_norm_squared", "l2_penalty", '''
def l2_penalty(w, lam):
    w = _as_array(w, "w")
    lam = _check_nonnegative(lam, "lam")
    return lam / 2 * np.linalg.norm(w) ** 2
'''),
    Variant("l2_penalty_loop_float", "l2_penalty", '''
def l2_penalty(w, lam):
    w = _as_array(w, "w")
    lam = _check_nonnegative(lam, "lam")
    total = 0.0
    for x in w.flat:
        total += float(x) * float(x)
    return 0.5 * lam * total
'''),
    Variant("l2_penalty_einsum_list", "l2_penalty", '''
def l2_penalty(w, lam):
    w = _as_array(w, "w")
    lam = _check_nonnegative(lam, "lam")
    v = w.reshape(-1)
    return [np.einsum("i,i->", v, v) * lam / 2]
'''),
    Variant("l2_gradient_multiply_full_like", "l2_gradient", '''
def l2_gradient(w, lam):
    w = _as_array(w, "w")
    lam = _check_nonnegative(lam, "lam")
    return np.multiply(np.full_like(w, lam), w)
'''),
    Variant("elastic_net_penalty_reuse", "elastic_net_penalty", '''
def elastic_net_penalty(w, lam1, lam2):
    w = _as_array(w, "w")
    lam1 = _check_nonnegative(lam1, "lam1")
    lam2 = _check_nonnegative(lam2, "lam2")
    return l1_penalty(w, lam1) + l2_penalty(w, lam2)
'''),
    Variant("elastic_net_penalty_elementwise_then_sum", "elastic_net_penalty", '''
def elastic_net_penalty(w, lam1, lam2):
    w = _as_array(w, "w")
    lam1 = _check_nonnegative(lam1, "lam1")
    lam2 = _check_nonnegative(lam2, "lam2")
    return float(np.sum(lam1 * np.abs(w) + lam2 * w * w / 2))
'''),
    Variant("elastic_net_gradient_reuse_where", "elastic_net_gradient", '''
def elastic_net_gradient(w, lam1, lam2):
    w = _as_array(w, "w")
    lam1 = _check_nonnegative(lam1, "lam1")
    lam2 = _check_nonnegative(lam2, "lam2")
    g = l1_subgradient(w, lam1) + l2_gradient(w, lam2)
    return np.where(w == 0, 0.0, g)
'''),
    Variant("l1_scalar_minimizer_recursive_python", "l1_scalar_minimizer", '''
def l1_scalar_minimizer(mu, lam):
    mu = _as_array(mu, "mu")
    lam = _check_nonnegative(lam, "lam")
    if mu.ndim == 0:
        m = float(mu)
        if m > lam / 2:
            return m - lam / 2
        if m < -lam / 2:
            return m + lam / 2
        return 0.0
    return np.array([l1_scalar_minimizer(m, lam) for m in mu.ravel()], dtype=float).reshape(mu.shape)
'''),
    Variant("l1_scalar_minimizer_mu_minus_clip", "l1_scalar_minimizer", '''
def l1_scalar_minimizer(mu, lam):
    mu = _as_array(mu, "mu")
    lam = _check_nonnegative(lam, "lam")
    return mu - np.clip(mu, -lam / 2, lam / 2)
'''),
    Variant("l1_scalar_minimizer_two_clips", "l1_scalar_minimizer", '''
def l1_scalar_minimizer(mu, lam):
    mu = _as_array(mu, "mu")
    lam = _check_nonnegative(lam, "lam")
    return np.clip(mu - lam / 2, 0, None) + np.clip(mu + lam / 2, None, 0)
'''),
    Variant("l1_scalar_minimizer_vectorize", "l1_scalar_minimizer", '''
import math
def l1_scalar_minimizer(mu, lam):
    mu = _as_array(mu, "mu")
    lam = _check_nonnegative(lam, "lam")
    f = np.vectorize(lambda m: math.copysign(max(abs(m) - lam / 2, 0.0), m), otypes=[np.float64])
    return f(mu)
'''),
    Variant("l2_scalar_minimizer_shrink_form", "l2_scalar_minimizer", '''
def l2_scalar_minimizer(mu, lam):
    mu = _as_array(mu, "mu")
    lam = _check_nonnegative(lam, "lam")
    out = mu - lam * mu / (2 + lam)
    return out.item() if out.ndim == 0 else out
'''),
]
MISTAKES += [
    Variant("l1_penalty_matrix_norm", "l1_penalty", '''
def l1_penalty(w, lam):
    w = _as_array(w, "w")
    lam = _check_nonnegative(lam, "lam")
    return float(lam * np.linalg.norm(np.atleast_1d(w), 1))
''', hint="column"),
    Variant("l1_penalty_builtin_sum", "l1_penalty", '''
def l1_penalty(w, lam):
    w = _as_array(w, "w")
    lam = _check_nonnegative(lam, "lam")
    return lam * sum(abs(np.atleast_1d(w)))
''', hint="every entry"),
    Variant("l1_subgradient_divide_by_abs", "l1_subgradient", '''
def l1_subgradient(w, lam):
    w = _as_array(w, "w")
    lam = _check_nonnegative(lam, "lam")
    return lam * w / np.abs(w)
''', hint="NaN"),
    Variant("l2_penalty_square_of_sum", "l2_penalty", '''
def l2_penalty(w, lam):
    w = _as_array(w, "w")
    lam = _check_nonnegative(lam, "lam")
    return float(lam / 2 * np.sum(w) ** 2)
''', hint="square of the sum"),
    Variant("l2_penalty_builtin_sum_rows", "l2_penalty", '''
def l2_penalty(w, lam):
    w = _as_array(w, "w")
    lam = _check_nonnegative(lam, "lam")
    return lam / 2 * sum(np.atleast_1d(w) ** 2)
''', hint="every entry"),
    Variant("l2_gradient_abs", "l2_gradient", '''
def l2_gradient(w, lam):
    w = _as_array(w, "w")
    lam = _check_nonnegative(lam, "lam")
    return lam * np.abs(w)
''', hint="sign"),
    Variant("elastic_net_penalty_square_of_sum", "elastic_net_penalty", '''
def elastic_net_penalty(w, lam1, lam2):
    w = _as_array(w, "w")
    lam1 = _check_nonnegative(lam1, "lam1")
    lam2 = _check_nonnegative(lam2, "lam2")
    return float(lam1 * np.sum(np.abs(w)) + lam2 / 2 * np.sum(w) ** 2)
''', hint="square of the sum"),
    Variant("elastic_net_gradient_half_l2", "elastic_net_gradient", '''
def elastic_net_gradient(w, lam1, lam2):
    w = _as_array(w, "w")
    lam1 = _check_nonnegative(lam1, "lam1")
    lam2 = _check_nonnegative(lam2, "lam2")
    return lam1 * np.sign(w) + lam2 / 2 * w
''', hint="lam2 * w"),
    Variant("elastic_net_gradient_divide_by_abs", "elastic_net_gradient", '''
def elastic_net_gradient(w, lam1, lam2):
    w = _as_array(w, "w")
    lam1 = _check_nonnegative(lam1, "lam1")
    lam2 = _check_nonnegative(lam2, "lam2")
    return lam1 * w / np.abs(w) + lam2 * w
''', hint="NaN"),
    Variant("l1_scalar_minimizer_divide_by_abs", "l1_scalar_minimizer", '''
def l1_scalar_minimizer(mu, lam):
    mu = _as_array(mu, "mu")
    lam = _check_nonnegative(lam, "lam")
    return mu / np.abs(mu) * np.maximum(np.abs(mu) - lam / 2, 0)
''', hint="NaN"),
    Variant("l2_scalar_minimizer_penalty_derivative_lam_half", "l2_scalar_minimizer", '''
def l2_scalar_minimizer(mu, lam):
    mu = _as_array(mu, "mu")
    lam = _check_nonnegative(lam, "lam")
    return 2 * mu / (2 + lam / 2)
''', hint="lam * w"),
    Variant("l2_scalar_minimizer_sign_slip", "l2_scalar_minimizer", '''
def l2_scalar_minimizer(mu, lam):
    mu = _as_array(mu, "mu")
    lam = _check_nonnegative(lam, "lam")
    return 2 * mu / (2 - lam)
''', hint="sign"),
]

# ------------------------------------------------------------------ close relatives (issue 15) and their families
MISTAKES += [
    Variant("l1_scalar_minimizer_threshold_lam_shift_half", "l1_scalar_minimizer", '''
def l1_scalar_minimizer(mu, lam):
    mu = _as_array(mu, "mu")
    lam = _check_nonnegative(lam, "lam")
    w = np.where(np.abs(mu) > lam, mu - np.sign(mu) * lam / 2, 0.0)
    return float(w) if w.ndim == 0 else w
''', hint="threshold at lam but shift by"),
    Variant("l2_gradient_negated", "l2_gradient", '''
def l2_gradient(w, lam):
    w = _as_array(w, "w")
    lam = _check_nonnegative(lam, "lam")
    return -lam * w
''', hint="sign is flipped"),
    Variant("l2_penalty_mean_of_squares_no_half", "l2_penalty", '''
def l2_penalty(w, lam):
    w = _as_array(w, "w")
    lam = _check_nonnegative(lam, "lam")
    return float(lam * np.mean(w ** 2)) if w.size else 0.0
''', hint="(lam/2) * sum(w^2)", named=False),
]

CORRECT += [
    Variant("l1_scalar_minimizer_piecewise", "l1_scalar_minimizer", '''
def l1_scalar_minimizer(mu, lam):
    mu = _as_array(mu, "mu")
    lam = _check_nonnegative(lam, "lam")
    w = np.where(mu > lam / 2, mu - lam / 2, np.where(mu < -lam / 2, mu + lam / 2, 0.0))
    return float(w) if w.ndim == 0 else w
'''),
]

# ------------------------------------------------------------------ suite gaps (issue 15)
MISTAKES += [
    Variant("l1_subgradient_isclose_zero", "l1_subgradient", '''
def l1_subgradient(w, lam):
    w = _as_array(w, "w")
    lam = _check_nonnegative(lam, "lam")
    return np.where(np.isclose(w, 0.0), 0.0, lam * np.sign(w))
''', hint="sign", named=False),
    Variant("elastic_net_gradient_rounded_sign", "elastic_net_gradient", '''
def elastic_net_gradient(w, lam1, lam2):
    w = _as_array(w, "w")
    lam1 = _check_nonnegative(lam1, "lam1")
    lam2 = _check_nonnegative(lam2, "lam2")
    return lam1 * np.sign(np.round(w, 8)) + lam2 * w
''', hint="sign", named=False),
]
