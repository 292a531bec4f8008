"""Catalogue of student implementations of proximal.py, for tests/test_suites.py.

MISTAKES: wrong implementations a student could plausibly write; each must lose points on
its own function only, and some failed case of that function must give a hint containing
`hint` (case-insensitive).
CORRECT: unusual but correct implementations; each must score 100%.
"""
from tests.catalogue import Variant

_REG = '''    X, y = _check_regression(X, y)
    lam = _check_nonnegative(lam, "lam")
    n_iter, step = _check_iterations(n_iter, step)
'''

MISTAKES = [
    # ------------------------------------------------------------------ proximal operators
    Variant("prox_l1_sign_lost", "prox_l1", '''
def prox_l1(v, t):
    v = _as_array(v, "v")
    t = _check_nonnegative(t, "t")
    return np.maximum(np.abs(v) - t, 0)
''', hint="keeps the sign"),

    Variant("prox_l1_one_sided", "prox_l1", '''
def prox_l1(v, t):
    v = _as_array(v, "v")
    t = _check_nonnegative(t, "t")
    return np.maximum(v - t, 0.0)
''', hint="only handles positive v"),

    Variant("prox_l1_no_clamp", "prox_l1", '''
def prox_l1(v, t):
    v = _as_array(v, "v")
    t = _check_nonnegative(t, "t")
    return v - t * np.sign(v)
''', hint="clamp |v| - t at 0"),

    Variant("prox_l1_in_place", "prox_l1", '''
def prox_l1(v, t):
    v = _as_array(v, "v")
    t = _check_nonnegative(t, "t")
    small = np.abs(v) <= t
    v -= t * np.sign(v)
    v[small] = 0.0
    return v
''', hint="changed the caller's array"),

    Variant("prox_l2_gradient_step", "prox_l2", '''
def prox_l2(v, t):
    v = _as_array(v, "v")
    t = _check_nonnegative(t, "t")
    return v * (1 - t)
''', hint="x = v / (1 + t)"),

    Variant("prox_l2_factor_2", "prox_l2", '''
def prox_l2(v, t):
    v = _as_array(v, "v")
    t = _check_nonnegative(t, "t")
    return v / (1 + 2 * t)
''', hint="v / (1 + 2t)"),

    Variant("prox_elastic_net_scale_first", "prox_elastic_net", '''
def prox_elastic_net(v, t1, t2):
    v = _as_array(v, "v")
    t1 = _check_nonnegative(t1, "t1")
    t2 = _check_nonnegative(t2, "t2")
    u = v / (1 + t2)
    return np.sign(u) * np.maximum(np.abs(u) - t1, 0)
''', hint="before soft-thresholding"),

    Variant("prox_elastic_net_no_l2", "prox_elastic_net", '''
def prox_elastic_net(v, t1, t2):
    v = _as_array(v, "v")
    t1 = _check_nonnegative(t1, "t1")
    t2 = _check_nonnegative(t2, "t2")
    return np.sign(v) * np.maximum(np.abs(v) - t1, 0)
''', hint="divides it by (1 + t2)"),

    Variant("prox_l0_threshold_t", "prox_l0", '''
def prox_l0(v, t):
    v = _as_array(v, "v")
    t = _check_nonnegative(t, "t")
    return np.where(np.abs(v) > t, v, 0.0)
''', hint="sqrt(2t)"),

    Variant("prox_l0_soft", "prox_l0", '''
def prox_l0(v, t):
    v = _as_array(v, "v")
    t = _check_nonnegative(t, "t")
    thr = np.sqrt(2 * t)
    return np.sign(v) * np.maximum(np.abs(v) - thr, 0)
''', hint="keeps v_i unchanged"),

    Variant("prox_l0_ties_kept", "prox_l0", '''
def prox_l0(v, t):
    v = _as_array(v, "v")
    t = _check_nonnegative(t, "t")
    return np.where(np.abs(v) >= np.sqrt(2 * t), v, 0.0)
''', hint="strictly"),

    # ------------------------------------------------------------------ projection
    Variant("project_always_rescale", "project_max_norm", '''
def project_max_norm(w, r, axis=None):
    w = _as_array(w, "w")
    r = _check_nonnegative(r, "r")
    if axis is not None:
        axis = np.lib.array_utils.normalize_axis_index(int(axis), w.ndim)
    norms = np.sqrt(np.sum(w ** 2, axis=axis, keepdims=True))
    return w * r / np.maximum(norms, 1e-300)
''', hint="only rescales when ||w|| > r"),

    Variant("project_wrong_axis", "project_max_norm", '''
def project_max_norm(w, r, axis=None):
    w = _as_array(w, "w")
    r = _check_nonnegative(r, "r")
    if axis is not None:
        axis = np.lib.array_utils.normalize_axis_index(int(axis), w.ndim)
    if axis is not None and w.ndim == 2:
        axis = 1 - axis          # "rows" taken as axis 0
    norms = np.sqrt(np.sum(w ** 2, axis=axis, keepdims=True))
    factor = np.minimum(1.0, r / np.where(norms > 0, norms, 1.0))
    return w * factor
''', hint="wrong axis"),

    Variant("project_ignores_axis", "project_max_norm", '''
def project_max_norm(w, r, axis=None):
    w = _as_array(w, "w")
    r = _check_nonnegative(r, "r")
    if axis is not None:
        axis = np.lib.array_utils.normalize_axis_index(int(axis), w.ndim)
    norm = np.sqrt(np.sum(w ** 2))
    if norm <= r:
        return w.copy()
    return w * (r / norm)
''', hint="own norm"),

    # ------------------------------------------------------------------ ISTA / FISTA
    Variant("ista_step_without_n", "ista", '''
def ista(X, y, lam, n_iter=500, step=None):
''' + _REG + '''    n, d = X.shape
    if step is None:
        step = 1.0 / np.linalg.eigvalsh(X.T @ X)[-1]
    w = np.zeros(d)
    for _ in range(n_iter):
        v = w - step * X.T @ (X @ w - y) / n
        w = np.sign(v) * np.maximum(np.abs(v) - step * lam, 0)
    return w
''', hint="X^T X / n (with the / n)"),

    Variant("ista_threshold_lam", "ista", '''
def ista(X, y, lam, n_iter=500, step=None):
''' + _REG + '''    n, d = X.shape
    if step is None:
        step = 1.0 / np.linalg.eigvalsh(X.T @ X / n)[-1]
    w = np.zeros(d)
    for _ in range(n_iter):
        v = w - step * X.T @ (X @ w - y) / n
        w = np.sign(v) * np.maximum(np.abs(v) - lam, 0)
    return w
''', hint="step * lam"),

    Variant("ista_gradient_without_n", "ista", '''
def ista(X, y, lam, n_iter=500, step=None):
''' + _REG + '''    n, d = X.shape
    if step is None:
        step = 1.0 / np.linalg.eigvalsh(X.T @ X / n)[-1]
    w = np.zeros(d)
    for _ in range(n_iter):
        v = w - step * X.T @ (X @ w - y)
        w = np.sign(v) * np.maximum(np.abs(v) - step * lam, 0)
    return w
''', hint="gradient looks n times too large"),

    Variant("ista_subgradient", "ista", '''
def ista(X, y, lam, n_iter=500, step=None):
''' + _REG + '''    n, d = X.shape
    if step is None:
        step = 1.0 / np.linalg.eigvalsh(X.T @ X / n)[-1]
    w = np.zeros(d)
    for _ in range(n_iter):
        w = w - step * (X.T @ (X @ w - y) / n + lam * np.sign(w))
    return w
''', hint="subgradient method"),

    Variant("fista_no_momentum", "fista", '''
def fista(X, y, lam, n_iter=500, step=None):
''' + _REG + '''    n, d = X.shape
    if step is None:
        step = 1.0 / np.linalg.eigvalsh(X.T @ X / n)[-1]
    w = np.zeros(d)
    z = w.copy()
    t = 1.0
    for _ in range(n_iter):
        v = z - step * X.T @ (X @ z - y) / n
        w_new = np.sign(v) * np.maximum(np.abs(v) - step * lam, 0)
        t_new = (1 + np.sqrt(1 + 4 * t * t)) / 2
        z = w_new                      # momentum forgotten
        w, t = w_new, t_new
    return w
''', hint="exactly ISTA's"),

    Variant("fista_returns_z", "fista", '''
def fista(X, y, lam, n_iter=500, step=None):
''' + _REG + '''    n, d = X.shape
    if step is None:
        step = 1.0 / np.linalg.eigvalsh(X.T @ X / n)[-1]
    w = np.zeros(d)
    z = w.copy()
    t = 1.0
    for _ in range(n_iter):
        v = z - step * X.T @ (X @ z - y) / n
        w_new = np.sign(v) * np.maximum(np.abs(v) - step * lam, 0)
        t_new = (1 + np.sqrt(1 + 4 * t * t)) / 2
        z = w_new + (t - 1) / t_new * (w_new - w)
        w, t = w_new, t_new
    return z
''', hint="extrapolated point z"),

    Variant("fista_step_without_n", "fista", '''
def fista(X, y, lam, n_iter=500, step=None):
''' + _REG + '''    n, d = X.shape
    if step is None:
        step = 1.0 / np.linalg.norm(X, 2) ** 2
    w = np.zeros(d)
    z = w.copy()
    t = 1.0
    for _ in range(n_iter):
        v = z - step * X.T @ (X @ z - y) / n
        w_new = np.sign(v) * np.maximum(np.abs(v) - step * lam, 0)
        t_new = (1 + np.sqrt(1 + 4 * t * t)) / 2
        z = w_new + (t - 1) / t_new * (w_new - w)
        w, t = w_new, t_new
    return w
''', hint="X^T X / n (with the / n)"),

    # ------------------------------------------------------------------ ridge
    Variant("ridge_lam_over_n", "ridge_closed_form", '''
def ridge_closed_form(X, y, lam):
    X, y = _check_regression(X, y)
    lam = _check_nonnegative(lam, "lam")
    n, d = X.shape
    return np.linalg.solve(X.T @ X + lam / n * np.eye(d), X.T @ y)
''', hint="lam / n"),

    Variant("ridge_without_lam", "ridge_closed_form", '''
def ridge_closed_form(X, y, lam):
    X, y = _check_regression(X, y)
    lam = _check_nonnegative(lam, "lam")
    return np.linalg.lstsq(X, y, rcond=None)[0]
''', hint="lam * I is missing"),

    Variant("ridge_two_lam", "ridge_closed_form", '''
def ridge_closed_form(X, y, lam):
    X, y = _check_regression(X, y)
    lam = _check_nonnegative(lam, "lam")
    d = X.shape[1]
    return np.linalg.solve(X.T @ X + 2 * lam * np.eye(d), X.T @ y)
''', hint="2*lam"),
]

CORRECT = [
    Variant("prox_l1_clip", "prox_l1", '''
def prox_l1(v, t):
    v = _as_array(v, "v")
    t = _check_nonnegative(t, "t")
    return v - np.clip(v, -t, t)
'''),

    Variant("prox_l1_where", "prox_l1", '''
def prox_l1(v, t):
    v = _as_array(v, "v")
    t = _check_nonnegative(t, "t")
    return np.where(v > t, v - t, np.where(v < -t, v + t, 0.0))
'''),

    Variant("prox_l1_loop_copy", "prox_l1", '''
def prox_l1(v, t):
    v = _as_array(v, "v")
    t = _check_nonnegative(t, "t")
    out = v.copy()
    for i in np.ndindex(v.shape):
        if abs(v[i]) <= t:
            out[i] = 0.0
        elif v[i] > 0:
            out[i] = v[i] - t
        else:
            out[i] = v[i] + t
    return out
'''),

    Variant("prox_l2_multiply", "prox_l2", '''
def prox_l2(v, t):
    v = _as_array(v, "v")
    t = _check_nonnegative(t, "t")
    return (1.0 / (1.0 + t)) * v
'''),

    Variant("prox_elastic_net_scaled_threshold", "prox_elastic_net", '''
def prox_elastic_net(v, t1, t2):
    v = _as_array(v, "v")
    t1 = _check_nonnegative(t1, "t1")
    t2 = _check_nonnegative(t2, "t2")
    u = v / (1 + t2)
    thr = t1 / (1 + t2)
    return u - np.clip(u, -thr, thr)
'''),

    Variant("prox_l0_squared_test", "prox_l0", '''
def prox_l0(v, t):
    v = _as_array(v, "v")
    t = _check_nonnegative(t, "t")
    keep = v ** 2 / 2 > t
    return v * keep
'''),

    Variant("project_loop_over_rows", "project_max_norm", '''
def project_max_norm(w, r, axis=None):
    w = _as_array(w, "w")
    r = _check_nonnegative(r, "r")
    if axis is not None:
        axis = np.lib.array_utils.normalize_axis_index(int(axis), w.ndim)
    if axis is None:
        norm = np.linalg.norm(w.ravel())
        return w * (r / norm) if norm > r else w.copy()
    moved = np.moveaxis(w, axis, -1)
    out = moved.copy()
    for idx in np.ndindex(moved.shape[:-1]):
        norm = np.linalg.norm(moved[idx])
        if norm > r:
            out[idx] = moved[idx] * (r / norm)
    return np.moveaxis(out, -1, axis)
'''),

    Variant("project_clip_factor", "project_max_norm", '''
def project_max_norm(w, r, axis=None):
    w = _as_array(w, "w")
    r = _check_nonnegative(r, "r")
    if axis is not None:
        axis = np.lib.array_utils.normalize_axis_index(int(axis), w.ndim)
    norms = np.linalg.norm(w, axis=axis, keepdims=True) if w.ndim else np.abs(w)
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = np.clip(r / norms, None, 1.0)
    factor = np.where(norms > r, factor, 1.0)
    return w * factor
'''),

    Variant("ista_early_stop_norm2", "ista", '''
def ista(X, y, lam, n_iter=500, step=None):
''' + _REG + '''    n, d = X.shape
    if step is None:
        L = np.linalg.norm(X, 2) ** 2 / n if d else 0.0
        step = 1.0 / L if L > 0 else 1.0
    G = X.T @ X / n
    b = X.T @ y / n
    w = np.zeros(d)
    for _ in range(n_iter):
        v = w - step * (G @ w - b)
        w_new = v - np.clip(v, -step * lam, step * lam)
        if np.max(np.abs(w_new - w), initial=0.0) <= 1e-10:
            return w_new
        w = w_new
    return w
'''),

    Variant("ista_lists_and_svd", "ista", '''
def ista(X, y, lam, n_iter=500, step=None):
''' + _REG + '''    n, d = X.shape
    if step is None:
        s = np.linalg.svd(X, compute_uv=False)
        step = n / s[0] ** 2 if d and s[0] > 0 else 1.0
    w = [0.0] * d
    for _ in range(n_iter):
        r = X @ np.array(w) - y
        g = X.T @ r / n
        new = []
        for j in range(d):
            v = w[j] - step * g[j]
            new.append(max(v - step * lam, 0.0) if v > 0 else min(v + step * lam, 0.0))
        w = new
    return np.array(w)
'''),

    Variant("fista_k_loop_tracking", "fista", '''
def fista(X, y, lam, n_iter=500, step=None):
''' + _REG + '''    n, d = X.shape
    if step is None:
        L = np.linalg.eigvalsh(X.T @ X)[-1] / n if d else 0.0
        step = 1.0 / L if L > 0 else 1.0
    xs = [np.zeros(d)]
    ts = [1.0]
    z = np.zeros(d)
    for k in range(n_iter):
        v = z - step * (X.T @ (X @ z) - X.T @ y) / n
        xs.append(np.where(np.abs(v) > step * lam, v - step * lam * np.sign(v), 0.0))
        ts.append(0.5 * (1 + (1 + 4 * ts[-1] ** 2) ** 0.5))
        z = xs[-1] + (ts[-2] - 1) / ts[-1] * (xs[-1] - xs[-2])
    return xs[-1]
'''),

    Variant("ridge_inverse", "ridge_closed_form", '''
def ridge_closed_form(X, y, lam):
    X, y = _check_regression(X, y)
    lam = _check_nonnegative(lam, "lam")
    d = X.shape[1]
    return np.linalg.inv(X.T @ X + lam * np.eye(d)) @ X.T @ y
'''),

    Variant("ridge_augmented_lstsq", "ridge_closed_form", '''
def ridge_closed_form(X, y, lam):
    X, y = _check_regression(X, y)
    lam = _check_nonnegative(lam, "lam")
    d = X.shape[1]
    A = np.vstack([X, np.sqrt(lam) * np.eye(d)])
    b = np.concatenate([y, np.zeros(d)])
    return np.linalg.lstsq(A, b, rcond=None)[0]
'''),
]


# ----------------------------------------------------------------------------- red-team review
# Written from the student stub's docstrings alone (without reading the entries above), the way a
# student would; each one was first run against the grader as it stood, and the suites were
# extended where a correct variant lost points or a mistake got no (or a misleading) hint.
CORRECT += [
    Variant("project_apply_along_axis_empty_guard", "project_max_norm", '''
def project_max_norm(w, r, axis=None):
    w = _as_array(w, "w")
    r = _check_nonnegative(r, "r")
    if axis is not None:
        if isinstance(axis, bool) or not isinstance(axis, numbers.Integral):
            raise ValueError(f"axis must be None or an int, got {axis!r}")
        axis = np.lib.array_utils.normalize_axis_index(int(axis), w.ndim)
    def one(x):
        n = np.sqrt(np.sum(x ** 2))
        return x * (r / n) if n > r else x
    if axis is None:
        return one(w)
    if w.size == 0:
        return w.copy()
    return np.apply_along_axis(one, axis, w)
'''),
    Variant("prox_l1_v_minus_clip", "prox_l1", '''
def prox_l1(v, t):
    v = _as_array(v, "v")
    t = _check_nonnegative(t, "t")
    return v - np.clip(v, -t, t)
'''),
    Variant("prox_l1_max_plus_min", "prox_l1", '''
def prox_l1(v, t):
    v = _as_array(v, "v")
    t = _check_nonnegative(t, "t")
    return np.maximum(v - t, 0) + np.minimum(v + t, 0)
'''),
    Variant("prox_l1_math_loop_list", "prox_l1", '''
import math
def prox_l1(v, t):
    v = _as_array(v, "v")
    t = _check_nonnegative(t, "t")
    flat = [math.copysign(max(abs(x) - t, 0.0), x) for x in v.ravel().tolist()]
    return np.array(flat, dtype=float).reshape(v.shape)
'''),
    Variant("prox_l2_shrink_form", "prox_l2", '''
def prox_l2(v, t):
    v = _as_array(v, "v")
    t = _check_nonnegative(t, "t")
    return v - t * v / (1 + t)
'''),
    Variant("prox_elastic_net_composition", "prox_elastic_net", '''
def prox_elastic_net(v, t1, t2):
    v = _as_array(v, "v")
    t1 = _check_nonnegative(t1, "t1")
    t2 = _check_nonnegative(t2, "t2")
    return prox_l2(prox_l1(v, t1), t2)
'''),
    Variant("prox_elastic_net_cases", "prox_elastic_net", '''
def prox_elastic_net(v, t1, t2):
    v = _as_array(v, "v")
    t1 = _check_nonnegative(t1, "t1")
    t2 = _check_nonnegative(t2, "t2")
    out = np.zeros_like(v)
    pos, neg = v > t1, v < -t1
    out[pos] = (v[pos] - t1) / (1 + t2)
    out[neg] = (v[neg] + t1) / (1 + t2)
    return out
'''),
    Variant("prox_l0_where_le", "prox_l0", '''
def prox_l0(v, t):
    v = _as_array(v, "v")
    t = _check_nonnegative(t, "t")
    return np.where(np.abs(v) <= np.sqrt(2 * t), 0.0, v)
'''),
    Variant("prox_l0_cost_comparison", "prox_l0", '''
def prox_l0(v, t):
    v = _as_array(v, "v")
    t = _check_nonnegative(t, "t")
    keep = 0.5 * v ** 2 > t
    return v * keep
'''),
    Variant("project_linalg_norm_keepdims_minimum", "project_max_norm", '''
def project_max_norm(w, r, axis=None):
    w = _as_array(w, "w")
    r = _check_nonnegative(r, "r")
    if axis is not None:
        if isinstance(axis, bool) or not isinstance(axis, numbers.Integral):
            raise ValueError(f"axis must be None or an int, got {axis!r}")
        axis = np.lib.array_utils.normalize_axis_index(int(axis), w.ndim)
    norms = np.linalg.norm(w, axis=axis, keepdims=True) if axis is not None else np.linalg.norm(w)
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = np.minimum(1.0, r / norms)
    factor = np.where(norms > r, factor, 1.0)
    return w * factor
'''),
    Variant("ista_L_from_gram_of_rows_early_stop", "ista", '''
def ista(X, y, lam, n_iter=500, step=None):
    X, y = _check_regression(X, y)
    lam = _check_nonnegative(lam, "lam")
    n_iter, step = _check_iterations(n_iter, step)
    n, d = X.shape
    if step is None:
        L = np.linalg.eigvalsh(X @ X.T / n)[-1]
        if L <= 0:
            return np.zeros(d)
        step = 1.0 / L
    G = X.T @ X / n
    b = X.T @ y / n
    w = np.zeros(d)
    for _ in range(n_iter):
        v = w - step * (G @ w - b)
        w_new = np.sign(v) * np.maximum(np.abs(v) - step * lam, 0)
        if np.max(np.abs(w_new - w), initial=0.0) < 1e-13:
            w = w_new
            break
        w = w_new
    return w
'''),
    Variant("ista_power_iteration_list", "ista", '''
def ista(X, y, lam, n_iter=500, step=None):
    X, y = _check_regression(X, y)
    lam = _check_nonnegative(lam, "lam")
    n_iter, step = _check_iterations(n_iter, step)
    n, d = X.shape
    if step is None:
        A = X.T @ X / n
        u = np.ones(d) / np.sqrt(max(d, 1))
        L = 0.0
        for _ in range(10000):
            Au = A @ u
            nrm = np.linalg.norm(Au)
            if nrm == 0:
                break
            L_new = float(u @ Au)
            u = Au / nrm
            if abs(L_new - L) <= 1e-15 * L_new:
                L = L_new
                break
            L = L_new
        if L <= 0:
            return [0.0] * d
        step = 1 / L
    w = [0.0] * d
    for _ in range(n_iter):
        r = [sum(X[i, j] * w[j] for j in range(d)) - y[i] for i in range(n)]
        g = [sum(X[i, j] * r[i] for i in range(n)) / n for j in range(d)]
        v = [w[j] - step * g[j] for j in range(d)]
        w = [max(abs(x) - step * lam, 0.0) * (1 if x > 0 else -1) for x in v]
    return w
'''),
    Variant("fista_textbook_y_sequence", "fista", '''
import math
def fista(X, y, lam, n_iter=500, step=None):
    X, y = _check_regression(X, y)
    lam = _check_nonnegative(lam, "lam")
    n_iter, step = _check_iterations(n_iter, step)
    n, d = X.shape
    if step is None:
        L = np.linalg.norm(X, 2) ** 2 / n
        if L == 0:
            return np.zeros(d)
        step = 1 / L
    ts = [1.0]
    ws = [np.zeros(d)]
    z = ws[0]
    for k in range(n_iter):
        v = z - step * (X.T @ (X @ z) - X.T @ y) / n
        ws.append(np.sign(v) * np.maximum(np.abs(v) - step * lam, 0))
        ts.append((1 + math.sqrt(1 + 4 * ts[-1] ** 2)) / 2)
        z = ws[-1] + (ts[-2] - 1) / ts[-1] * (ws[-1] - ws[-2])
    return ws[-1]
'''),
    Variant("ridge_dual_form", "ridge_closed_form", '''
def ridge_closed_form(X, y, lam):
    X, y = _check_regression(X, y)
    lam = _check_nonnegative(lam, "lam")
    n, d = X.shape
    if n < d and lam > 0:
        return X.T @ np.linalg.solve(X @ X.T + lam * np.eye(n), y)
    return np.linalg.solve(X.T @ X + lam * np.eye(d), X.T @ y)
'''),
    Variant("ridge_pinv", "ridge_closed_form", '''
def ridge_closed_form(X, y, lam):
    X, y = _check_regression(X, y)
    lam = _check_nonnegative(lam, "lam")
    A = X.T @ X
    A[np.diag_indices_from(A)] += lam
    return np.linalg.pinv(A) @ (y @ X)
'''),
    Variant("ridge_cholesky", "ridge_closed_form", '''
def ridge_closed_form(X, y, lam):
    X, y = _check_regression(X, y)
    lam = _check_nonnegative(lam, "lam")
    C = np.linalg.cholesky(X.T @ X + lam * np.identity(X.shape[1]))
    z = np.linalg.solve(C, X.T @ y)
    return np.linalg.solve(C.T, z)
'''),
]
MISTAKES += [
    Variant("project_apply_along_axis_crashes_on_empty", "project_max_norm", '''
def project_max_norm(w, r, axis=None):
    w = _as_array(w, "w")
    r = _check_nonnegative(r, "r")
    if axis is not None:
        if isinstance(axis, bool) or not isinstance(axis, numbers.Integral):
            raise ValueError(f"axis must be None or an int, got {axis!r}")
        axis = np.lib.array_utils.normalize_axis_index(int(axis), w.ndim)
    def one(x):
        n = np.sqrt(np.sum(x ** 2))
        return x * (r / n) if n > r else x
    if axis is None:
        return one(w)
    return np.apply_along_axis(one, axis, w)
''', hint="empty array"),
    Variant("project_moveaxis_loop_crashes_on_empty", "project_max_norm", '''
import math
def project_max_norm(w, r, axis=None):
    w = _as_array(w, "w")
    r = _check_nonnegative(r, "r")
    if axis is not None:
        if isinstance(axis, bool) or not isinstance(axis, numbers.Integral):
            raise ValueError(f"axis must be None or an int, got {axis!r}")
        axis = np.lib.array_utils.normalize_axis_index(int(axis), w.ndim)
    if axis is None:
        n = math.sqrt(float(np.sum(w * w)))
        return w * (r / n) if n > r else w.copy()
    moved = np.moveaxis(w, axis, -1).copy()
    flat = moved.reshape(-1, moved.shape[-1]) if moved.size else moved.reshape(-1, moved.shape[-1] if moved.ndim else 1)
    for i in range(flat.shape[0]):
        n = math.sqrt(float(flat[i] @ flat[i]))
        if n > r:
            flat[i] = flat[i] * (r / n)
    return np.moveaxis(flat.reshape(moved.shape), -1, axis)
''', hint="empty array"),
    Variant("prox_elastic_net_l2_gradient_step", "prox_elastic_net", '''
def prox_elastic_net(v, t1, t2):
    v = _as_array(v, "v")
    t1 = _check_nonnegative(t1, "t1")
    t2 = _check_nonnegative(t2, "t2")
    return np.sign(v) * np.maximum(np.abs(v) - t1, 0) * (1 - t2)
''', hint="1 + t2"),
    Variant("prox_elastic_net_threshold_scaled_v_not", "prox_elastic_net", '''
def prox_elastic_net(v, t1, t2):
    v = _as_array(v, "v")
    t1 = _check_nonnegative(t1, "t1")
    t2 = _check_nonnegative(t2, "t2")
    s = t1 / (1 + t2)
    return np.sign(v) * np.maximum(np.abs(v) - s, 0)
''', hint="t1 / (1 + t2)"),
    Variant("prox_l0_one_sided", "prox_l0", '''
def prox_l0(v, t):
    v = _as_array(v, "v")
    t = _check_nonnegative(t, "t")
    return np.where(v > np.sqrt(2 * t), v, 0.0)
''', hint="negative"),
    Variant("project_max_abs_norm", "project_max_norm", '''
def project_max_norm(w, r, axis=None):
    w = _as_array(w, "w")
    r = _check_nonnegative(r, "r")
    if axis is not None:
        if isinstance(axis, bool) or not isinstance(axis, numbers.Integral):
            raise ValueError(f"axis must be None or an int, got {axis!r}")
        axis = np.lib.array_utils.normalize_axis_index(int(axis), w.ndim)
    norms = np.max(np.abs(w), axis=axis, keepdims=True) if w.size else np.zeros_like(w)
    safe = np.where(norms > 0, norms, 1.0)
    return w * np.where(norms > r, r / safe, 1.0)
''', hint="largest"),
    Variant("project_clip_entries", "project_max_norm", '''
def project_max_norm(w, r, axis=None):
    w = _as_array(w, "w")
    r = _check_nonnegative(r, "r")
    if axis is not None:
        if isinstance(axis, bool) or not isinstance(axis, numbers.Integral):
            raise ValueError(f"axis must be None or an int, got {axis!r}")
        axis = np.lib.array_utils.normalize_axis_index(int(axis), w.ndim)
    return np.clip(w, -r, r)
''', hint="clip"),
    Variant("project_divide_by_squared_norm", "project_max_norm", '''
def project_max_norm(w, r, axis=None):
    w = _as_array(w, "w")
    r = _check_nonnegative(r, "r")
    if axis is not None:
        if isinstance(axis, bool) or not isinstance(axis, numbers.Integral):
            raise ValueError(f"axis must be None or an int, got {axis!r}")
        axis = np.lib.array_utils.normalize_axis_index(int(axis), w.ndim)
    sq = np.sum(w * w, axis=axis, keepdims=True)
    safe = np.where(sq > 0, sq, 1.0)
    return w * np.where(sq > r * r, r / safe, 1.0)
''', hint="||w||^2"),
    Variant("ista_frobenius_L", "ista", '''
def ista(X, y, lam, n_iter=500, step=None):
    X, y = _check_regression(X, y)
    lam = _check_nonnegative(lam, "lam")
    n_iter, step = _check_iterations(n_iter, step)
    n, d = X.shape
    if step is None:
        L = np.linalg.norm(X) ** 2 / n
        if L == 0:
            return np.zeros(d)
        step = 1 / L
    w = np.zeros(d)
    for _ in range(n_iter):
        v = w - step * X.T @ (X @ w - y) / n
        w = np.sign(v) * np.maximum(np.abs(v) - step * lam, 0)
    return w
''', hint="spectral"),
    Variant("ista_smallest_eigenvalue", "ista", '''
def ista(X, y, lam, n_iter=500, step=None):
    X, y = _check_regression(X, y)
    lam = _check_nonnegative(lam, "lam")
    n_iter, step = _check_iterations(n_iter, step)
    n, d = X.shape
    if step is None:
        L = np.linalg.eigvalsh(X.T @ X / n)[0]
        if L <= 0:
            return np.zeros(d)
        step = 1 / L
    w = np.zeros(d)
    for _ in range(n_iter):
        v = w - step * X.T @ (X @ w - y) / n
        w = np.sign(v) * np.maximum(np.abs(v) - step * lam, 0)
    return w
''', hint="ascending"),
    Variant("ista_gradient_sign_flipped", "ista", '''
def ista(X, y, lam, n_iter=500, step=None):
    X, y = _check_regression(X, y)
    lam = _check_nonnegative(lam, "lam")
    n_iter, step = _check_iterations(n_iter, step)
    n, d = X.shape
    if step is None:
        L = np.linalg.eigvalsh(X.T @ X / n)[-1]
        if L <= 0:
            return np.zeros(d)
        step = 1 / L
    w = np.zeros(d)
    for _ in range(n_iter):
        grad = X.T @ (y - X @ w) / n
        v = w - step * grad
        w = np.sign(v) * np.maximum(np.abs(v) - step * lam, 0)
    return w
''', hint="X w - y"),
    Variant("ista_off_by_one", "ista", '''
def ista(X, y, lam, n_iter=500, step=None):
    X, y = _check_regression(X, y)
    lam = _check_nonnegative(lam, "lam")
    n_iter, step = _check_iterations(n_iter, step)
    n, d = X.shape
    if step is None:
        L = np.linalg.eigvalsh(X.T @ X / n)[-1]
        if L <= 0:
            return np.zeros(d)
        step = 1 / L
    w = np.zeros(d)
    for _ in range(1, n_iter):
        v = w - step * X.T @ (X @ w - y) / n
        w = np.sign(v) * np.maximum(np.abs(v) - step * lam, 0)
    return w
''', hint="one iteration"),
    Variant("fista_updated_t_in_momentum", "fista", '''
import math
def fista(X, y, lam, n_iter=500, step=None):
    X, y = _check_regression(X, y)
    lam = _check_nonnegative(lam, "lam")
    n_iter, step = _check_iterations(n_iter, step)
    n, d = X.shape
    if step is None:
        L = np.linalg.eigvalsh(X.T @ X / n)[-1]
        if L <= 0:
            return np.zeros(d)
        step = 1 / L
    w = np.zeros(d); z = w.copy(); t = 1.0
    for _ in range(n_iter):
        v = z - step * X.T @ (X @ z - y) / n
        w_new = np.sign(v) * np.maximum(np.abs(v) - step * lam, 0)
        t = (1 + math.sqrt(1 + 4 * t * t)) / 2
        t_new = t
        z = w_new + (t - 1) / t_new * (w_new - w)
        w = w_new
    return w
''', hint="before"),
    Variant("fista_gradient_at_w", "fista", '''
import math
def fista(X, y, lam, n_iter=500, step=None):
    X, y = _check_regression(X, y)
    lam = _check_nonnegative(lam, "lam")
    n_iter, step = _check_iterations(n_iter, step)
    n, d = X.shape
    if step is None:
        L = np.linalg.eigvalsh(X.T @ X / n)[-1]
        if L <= 0:
            return np.zeros(d)
        step = 1 / L
    w = np.zeros(d); z = w.copy(); t = 1.0
    for _ in range(n_iter):
        v = w - step * X.T @ (X @ w - y) / n
        w_new = np.sign(v) * np.maximum(np.abs(v) - step * lam, 0)
        t_new = (1 + math.sqrt(1 + 4 * t * t)) / 2
        z = w_new + (t - 1) / t_new * (w_new - w)
        w, t = w_new, t_new
    return w
''', hint="ISTA"),
    Variant("fista_stale_w", "fista", '''
import math
def fista(X, y, lam, n_iter=500, step=None):
    X, y = _check_regression(X, y)
    lam = _check_nonnegative(lam, "lam")
    n_iter, step = _check_iterations(n_iter, step)
    n, d = X.shape
    if step is None:
        L = np.linalg.eigvalsh(X.T @ X / n)[-1]
        if L <= 0:
            return np.zeros(d)
        step = 1 / L
    w = np.zeros(d); z = w.copy(); t = 1.0
    for _ in range(n_iter):
        v = z - step * X.T @ (X @ z - y) / n
        w_new = np.sign(v) * np.maximum(np.abs(v) - step * lam, 0)
        t_new = (1 + math.sqrt(1 + 4 * t * t)) / 2
        z = w_new + (t - 1) / t_new * (w_new - w)
        t = t_new
    return w_new
''', hint="previous iterate"),
    Variant("ridge_lam_added_everywhere", "ridge_closed_form", '''
def ridge_closed_form(X, y, lam):
    X, y = _check_regression(X, y)
    lam = _check_nonnegative(lam, "lam")
    return np.linalg.solve(X.T @ X + lam, X.T @ y)
''', hint="diagonal"),
    Variant("ridge_shrunk_least_squares", "ridge_closed_form", '''
def ridge_closed_form(X, y, lam):
    X, y = _check_regression(X, y)
    lam = _check_nonnegative(lam, "lam")
    return np.linalg.lstsq(X, y, rcond=None)[0] / (1 + lam)
''', hint="X^T X = I"),
]

CORRECT += [
    # "You may stop before n_iter iterations once the iterates no longer change": a common tolerance
    Variant("ista_early_stop_abs_1e-6", "ista", '''
def ista(X, y, lam, n_iter=500, step=None):
    X, y = _check_regression(X, y)
    lam = _check_nonnegative(lam, "lam")
    n_iter, step = _check_iterations(n_iter, step)
    n, d = X.shape
    if step is None:
        L = np.linalg.norm(X, 2) ** 2 / n
        if L == 0:
            return np.zeros(d)
        step = 1 / L
    w = np.zeros(d)
    for _ in range(n_iter):
        v = w - step * X.T @ (X @ w - y) / n
        w_new = np.sign(v) * np.maximum(np.abs(v) - step * lam, 0)
        if np.linalg.norm(w_new - w) < 1e-06:
            return w_new
        w = w_new
    return w
'''),
]
MISTAKES += [
    # stops while the iterates still change by 1e-4 (relative): close to the optimum, not converged
    Variant("ista_early_stop_too_loose", "ista", '''
def ista(X, y, lam, n_iter=500, step=None):
    X, y = _check_regression(X, y)
    lam = _check_nonnegative(lam, "lam")
    n_iter, step = _check_iterations(n_iter, step)
    n, d = X.shape
    if step is None:
        L = np.linalg.norm(X, 2) ** 2 / n
        if L == 0:
            return np.zeros(d)
        step = 1 / L
    w = np.zeros(d)
    for _ in range(n_iter):
        v = w - step * X.T @ (X @ w - y) / n
        w_new = np.sign(v) * np.maximum(np.abs(v) - step * lam, 0)
        if np.linalg.norm(w_new - w) <= 0.0001 * max(np.linalg.norm(w), 1e-300):
            return w_new
        w = w_new
    return w
''', hint="not converged"),
]
MISTAKES += [
    # the docstring says: if X is all zeros (L = 0) the answer is w = 0
    Variant("ista_no_guard_for_zero_X", "ista", '''
def ista(X, y, lam, n_iter=500, step=None):
    X, y = _check_regression(X, y)
    lam = _check_nonnegative(lam, "lam")
    n_iter, step = _check_iterations(n_iter, step)
    n, d = X.shape
    if step is None:
        step = 1.0 / np.linalg.eigvalsh(X.T @ X / n)[-1]
    w = np.zeros(d)
    for _ in range(n_iter):
        v = w - step * X.T @ (X @ w - y) / n
        w = np.sign(v) * np.maximum(np.abs(v) - step * lam, 0)
    return w
''', hint="L = 0", named=False),
Variant("fista_python_float_zero_division", "fista", '''
import math
def fista(X, y, lam, n_iter=500, step=None):
    X, y = _check_regression(X, y)
    lam = _check_nonnegative(lam, "lam")
    n_iter, step = _check_iterations(n_iter, step)
    n, d = X.shape
    if step is None:
        step = 1.0 / float(np.linalg.norm(X, 2) ** 2 / n)
    w = np.zeros(d); z = w.copy(); t = 1.0
    for _ in range(n_iter):
        v = z - step * X.T @ (X @ z - y) / n
        w_new = np.sign(v) * np.maximum(np.abs(v) - step * lam, 0)
        t_new = (1 + math.sqrt(1 + 4 * t * t)) / 2
        z = w_new + (t - 1) / t_new * (w_new - w)
        w, t = w_new, t_new
    return w
''', hint="L = 0"),
]
MISTAKES += [
    # the docstring warns about all-zero slices; r = 0 with min(1, r / norm) gives 0/0
    Variant("project_nan_on_zero_slice_at_r_0", "project_max_norm", '''
def project_max_norm(w, r, axis=None):
    w = _as_array(w, "w")
    r = _check_nonnegative(r, "r")
    if axis is not None:
        if isinstance(axis, bool) or not isinstance(axis, numbers.Integral):
            raise ValueError(f"axis must be None or an int, got {axis!r}")
        axis = np.lib.array_utils.normalize_axis_index(int(axis), w.ndim)
    norms = np.sqrt(np.sum(w ** 2, axis=axis, keepdims=True))
    with np.errstate(divide="ignore", invalid="ignore"):
        return w * np.minimum(1.0, r / norms)
''', hint="0/0")]
CORRECT += [
    # FISTA stopping once the iterates no longer change: the convergence cases ask for a certified
    # n_iter, and an early stop must not cost points there either
    Variant("fista_early_stop_1e-10", "fista", '''
import math
def fista(X, y, lam, n_iter=500, step=None):
    X, y = _check_regression(X, y)
    lam = _check_nonnegative(lam, "lam")
    n_iter, step = _check_iterations(n_iter, step)
    n, d = X.shape
    if step is None:
        L = np.linalg.norm(X, 2) ** 2 / n if d else 0.0
        if L == 0:
            return np.zeros(d)
        step = 1.0 / L
    w = np.zeros(d)
    z = w.copy()
    t = 1.0
    for _ in range(n_iter):
        v = z - step * X.T @ (X @ z - y) / n
        w_new = np.sign(v) * np.maximum(np.abs(v) - step * lam, 0.0)
        t_new = (1 + math.sqrt(1 + 4 * t * t)) / 2
        if np.max(np.abs(w_new - w), initial=0.0) < 1e-10:
            return w_new
        z = w_new + (t - 1) / t_new * (w_new - w)
        w, t = w_new, t_new
    return w
'''),
]

# ------------------------------------------------------------------ close relatives (issue 15) and their families
_ISTA_HEAD = '''
def ista(X, y, lam, n_iter=500, step=None):
    X, y = _check_regression(X, y)
    lam = _check_nonnegative(lam, "lam")
    n_iter, step = _check_iterations(n_iter, step)
    n, d = X.shape
'''
MISTAKES += [
    Variant("ista_one_iteration_too_many", "ista", _ISTA_HEAD + '''
    if step is None:
        L = np.linalg.eigvalsh(X.T @ X / n)[-1] if d else 0.0
        step = 1.0 / L if L > 0 else 1.0
    w = np.zeros(d)
    for _ in range(n_iter + 1):
        v = w - step * (X.T @ (X @ w - y)) / n
        w = np.sign(v) * np.maximum(np.abs(v) - step * lam, 0.0)
    return w
''', hint="one iteration too many"),
    Variant("ista_L_singular_value_not_squared", "ista", _ISTA_HEAD + '''
    if step is None:
        L = np.linalg.norm(X, 2) / n if d else 0.0
        step = 1.0 / L if L > 0 else 1.0
    w = np.zeros(d)
    for _ in range(n_iter):
        v = w - step * (X.T @ (X @ w - y)) / n
        w = np.sign(v) * np.maximum(np.abs(v) - step * lam, 0.0)
    return w
''', hint="step is set by"),
    Variant("ista_threshold_lam_not_step_lam", "ista", _ISTA_HEAD + '''
    if step is None:
        L = np.linalg.eigvalsh(X.T @ X / n)[-1] if d else 0.0
        step = 1.0 / L if L > 0 else 1.0
    w = np.zeros(d)
    for _ in range(n_iter):
        v = w - step * (X.T @ (X @ w - y)) / n
        w = np.sign(v) * np.maximum(np.abs(v) - lam, 0.0)
    return w
''', hint="threshold", named=False),
    Variant("prox_l1_half_threshold", "prox_l1", '''
def prox_l1(v, t):
    v = _as_array(v, "v")
    t = _check_nonnegative(t, "t")
    return np.sign(v) * np.maximum(np.abs(v) - t / 2, 0.0)
''', hint="t/2"),
    Variant("prox_l1_double_threshold", "prox_l1", '''
def prox_l1(v, t):
    v = _as_array(v, "v")
    t = _check_nonnegative(t, "t")
    return np.sign(v) * np.maximum(np.abs(v) - 2 * t, 0.0)
''', hint="2t", named=False),
    Variant("prox_l2_half_t", "prox_l2", '''
def prox_l2(v, t):
    v = _as_array(v, "v")
    t = _check_nonnegative(t, "t")
    return v / (1 + t / 2)
''', hint="v / (1 + t/2)"),
]

CORRECT += [
    Variant("prox_l1_via_clip", "prox_l1", '''
def prox_l1(v, t):
    v = _as_array(v, "v")
    t = _check_nonnegative(t, "t")
    return v - np.clip(v, -t, t)
'''),
    Variant("ista_while_loop_counter", "ista", _ISTA_HEAD + '''
    if step is None:
        s = np.linalg.svd(X, compute_uv=False) if d else np.zeros(0)
        L = (s[0] ** 2) / n if s.size else 0.0
        step = 1.0 / L if L > 0 else 1.0
    w = np.zeros(d)
    k = 0
    while k < n_iter:
        v = w - step * (X.T @ (X @ w - y)) / n
        w = np.sign(v) * np.maximum(np.abs(v) - step * lam, 0.0)
        k += 1
    return w
'''),
]
