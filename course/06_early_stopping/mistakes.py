"""Catalogue of student implementations of early_stopping.py (assignment 06).

MISTAKES: classic wrong versions; each must lose points on its own function only,
and some failed result of that function must carry a hint containing `hint`.
CORRECT: unusual but correct versions; each must score 100%.
Each `code` is the full source of the replacement function (scaffolding included).
"""
from tests.catalogue import Variant

_GD_HEAD = '''
def gd_least_squares(X, y, lr, steps, w0=None):
    X = _as_array(X, "X")
    y = _as_array(y, "y")
    n, d = X.shape
    lr = _check_real(lr, "lr")
    steps = _check_count(steps, "steps")
    if w0 is None:
        w0 = np.zeros(d)
    w0 = _as_array(w0, "w0")
'''

_ES_HEAD = '''
def early_stopping_epoch(val_losses, patience, min_delta=0.0):
    losses = _as_array(val_losses, "val_losses")
    patience = _check_count(patience, "patience", minimum=1)
    min_delta = _check_real(min_delta, "min_delta")
'''

MISTAKES = [
    # ---------------------------------------------------------------- gd_least_squares
    Variant("gd_starting_point_missing", "gd_least_squares", _GD_HEAD + '''
    W, w = [], w0
    for _ in range(steps):
        w = w - lr * X.T @ (X @ w - y) / n
        W.append(w)
    return np.array(W).reshape(steps, d)
''', "starting point"),
    Variant("gd_gradient_not_divided_by_n", "gd_least_squares", _GD_HEAD + '''
    W = [w0]
    for _ in range(steps):
        W.append(W[-1] - lr * X.T @ (X @ W[-1] - y))
    return np.array(W)
''', "divide by the number of rows"),
    Variant("gd_ignores_w0", "gd_least_squares", _GD_HEAD + '''
    W = [np.zeros(d)]
    for _ in range(steps):
        W.append(W[-1] - lr * X.T @ (X @ W[-1] - y) / n)
    return np.array(W)
''', "w0 was given"),
    Variant("gd_updates_w0_in_place", "gd_least_squares", _GD_HEAD + '''
    w = w0
    W = [w.copy()]
    for _ in range(steps):
        w -= lr * X.T @ (X @ w - y) / n
        W.append(w.copy())
    return np.array(W)
''', "in place"),
    # ---------------------------------------------------------------- filters
    Variant("gd_filter_forgot_one_minus", "gd_spectral_filter", '''
def gd_spectral_filter(eigvals, lr, steps):
    s = _check_eigvals(eigvals)
    lr = _check_real(lr, "lr")
    steps = _check_count(steps, "steps")
    return (1.0 - lr * s) ** steps
''', "still missing"),
    Variant("gd_filter_continuous_time", "gd_spectral_filter", '''
def gd_spectral_filter(eigvals, lr, steps):
    s = _check_eigvals(eigvals)
    lr = _check_real(lr, "lr")
    steps = _check_count(steps, "steps")
    return 1.0 - np.exp(-lr * s * steps)
''', "small-step approximation"),
    Variant("ridge_filter_lam_on_top", "ridge_spectral_filter", '''
def ridge_spectral_filter(eigvals, lam):
    s = _check_eigvals(eigvals)
    lam = _check_real(lam, "lam")
    return lam / (s + lam)
''', "the part ridge removes"),
    Variant("ridge_filter_nan_at_zero", "ridge_spectral_filter", '''
def ridge_spectral_filter(eigvals, lam):
    s = _check_eigvals(eigvals)
    lam = _check_real(lam, "lam")
    with np.errstate(invalid="ignore"):
        return s / (s + lam)
''', "0/0"),
    Variant("equivalent_lambda_lr_times_steps", "equivalent_lambda", '''
def equivalent_lambda(lr, steps):
    lr = _check_real(lr, "lr", positive=True)
    steps = _check_real(steps, "steps", positive=True)
    return lr * steps
''', "training longer means regularizing less"),
    # ---------------------------------------------------------------- early_stopping_epoch
    Variant("es_stops_one_epoch_late", "early_stopping_epoch", _ES_HEAD + '''
    best_epoch, best, wait = 0, losses[0], 0
    for epoch in range(1, len(losses)):
        if losses[epoch] < best - min_delta:
            best_epoch, best, wait = epoch, losses[epoch], 0
        else:
            wait += 1
            if wait > patience:
                return best_epoch, epoch
    return best_epoch, len(losses) - 1
''', "one epoch late"),
    Variant("es_stops_one_epoch_early", "early_stopping_epoch", _ES_HEAD + '''
    best_epoch, best, wait = 0, losses[0], 0
    for epoch in range(1, len(losses)):
        if losses[epoch] < best - min_delta:
            best_epoch, best, wait = epoch, losses[epoch], 0
        else:
            wait += 1
            if wait >= patience - 1:
                return best_epoch, epoch
    return best_epoch, len(losses) - 1
''', "one epoch early"),
    Variant("es_min_delta_ignored", "early_stopping_epoch", _ES_HEAD + '''
    best_epoch = 0
    for epoch in range(1, len(losses)):
        if losses[epoch] < losses[best_epoch]:
            best_epoch = epoch
        elif epoch - best_epoch >= patience:
            return best_epoch, epoch
    return best_epoch, len(losses) - 1
''', "ignored min_delta"),
    Variant("es_one_based_epochs", "early_stopping_epoch", _ES_HEAD + '''
    best_epoch, best = 1, losses[0]
    for epoch in range(2, len(losses) + 1):
        if losses[epoch - 1] < best - min_delta:
            best_epoch, best = epoch, losses[epoch - 1]
        elif epoch - best_epoch >= patience:
            return best_epoch, epoch
    return best_epoch, len(losses)
''', "1-based"),
    Variant("es_best_is_argmin_of_whole_run", "early_stopping_epoch", _ES_HEAD + '''
    best_epoch, best = 0, losses[0]
    stop = len(losses) - 1
    for epoch in range(1, len(losses)):
        if losses[epoch] < best - min_delta:
            best_epoch, best = epoch, losses[epoch]
        elif epoch - best_epoch >= patience:
            stop = epoch
            break
    return int(np.argmin(losses)), stop
''', "after the stopping point"),
    Variant("es_ties_count_as_improvements", "early_stopping_epoch", _ES_HEAD + '''
    best_epoch, best = 0, losses[0]
    for epoch in range(1, len(losses)):
        if losses[epoch] <= best - min_delta:
            best_epoch, best = epoch, losses[epoch]
        elif epoch - best_epoch >= patience:
            return best_epoch, epoch
    return best_epoch, len(losses) - 1
''', "tie is not an improvement"),
    Variant("es_patience_count_never_reset", "early_stopping_epoch", _ES_HEAD + '''
    best_epoch, best, bad_epochs = 0, losses[0], 0
    for epoch in range(1, len(losses)):
        if losses[epoch] < best - min_delta:
            best_epoch, best = epoch, losses[epoch]
        else:
            bad_epochs += 1
            if bad_epochs >= patience:
                return best_epoch, epoch
    return best_epoch, len(losses) - 1
''', "not restarted"),
    Variant("es_compares_with_previous_epoch", "early_stopping_epoch", _ES_HEAD + '''
    best_epoch, wait = 0, 0
    for epoch in range(1, len(losses)):
        if losses[epoch] < losses[epoch - 1] - min_delta:
            best_epoch, wait = epoch, 0
        else:
            wait += 1
            if wait >= patience:
                return best_epoch, epoch
    return best_epoch, len(losses) - 1
''', "previous epoch"),
    Variant("es_never_stopping_returns_length", "early_stopping_epoch", _ES_HEAD + '''
    best_epoch, best = 0, losses[0]
    for epoch in range(1, len(losses)):
        if losses[epoch] < best - min_delta:
            best_epoch, best = epoch, losses[epoch]
        elif epoch - best_epoch >= patience:
            return best_epoch, epoch
    return best_epoch, len(losses)
''', "len(val_losses) - 1"),
]

CORRECT = [
    Variant("gd_precomputed_normal_equations_list", "gd_least_squares", _GD_HEAD + '''
    A = X.T @ X / n
    b = X.T @ y / n
    trajectory = [w0.copy()]
    for _ in range(steps):
        trajectory.append(trajectory[-1] - lr * (A @ trajectory[-1] - b))
    return np.array(trajectory).reshape(steps + 1, d)
'''),
    Variant("gd_in_place_on_a_copy", "gd_least_squares", _GD_HEAD + '''
    w = np.array(w0, dtype=float, copy=True)
    W = np.zeros((steps + 1, d))
    W[0] = w
    for k in range(1, steps + 1):
        residual = X @ w - y
        w -= (lr / n) * (X.T @ residual)
        W[k] = w
    return W
'''),
    Variant("gd_filter_plain_power", "gd_spectral_filter", '''
def gd_spectral_filter(eigvals, lr, steps):
    s = _check_eigvals(eigvals)
    lr = _check_real(lr, "lr")
    steps = _check_count(steps, "steps")
    return 1 - np.power(1 - lr * s, steps)
'''),
    Variant("gd_filter_product_loop", "gd_spectral_filter", '''
def gd_spectral_filter(eigvals, lr, steps):
    s = _check_eigvals(eigvals)
    lr = _check_real(lr, "lr")
    steps = _check_count(steps, "steps")
    remaining = np.ones_like(s)
    for _ in range(steps):
        remaining = remaining * (1.0 - lr * s)
    return 1.0 - remaining
'''),
    Variant("ridge_filter_masked_one_minus", "ridge_spectral_filter", '''
def ridge_spectral_filter(eigvals, lam):
    s = _check_eigvals(eigvals)
    lam = _check_real(lam, "lam")
    out = np.zeros(s.shape)
    seen = s > 0
    out[seen] = 1.0 - lam / (s[seen] + lam)
    return out
'''),
    Variant("equivalent_lambda_two_divisions", "equivalent_lambda", '''
def equivalent_lambda(lr, steps):
    lr = _check_real(lr, "lr", positive=True)
    steps = _check_real(steps, "steps", positive=True)
    return float(np.float64(1.0) / lr / steps)
'''),
    Variant("es_counter_loop_difference_test", "early_stopping_epoch", _ES_HEAD + '''
    best = float(losses[0])
    best_epoch = 0
    epochs_without_gain = 0
    for epoch, loss in enumerate(losses.tolist()):
        if epoch == 0:
            continue
        if best - loss > min_delta:
            best, best_epoch, epochs_without_gain = loss, epoch, 0
            continue
        epochs_without_gain += 1
        if epochs_without_gain == patience:
            return (best_epoch, epoch)
    return (best_epoch, losses.size - 1)
'''),
    Variant("es_numpy_ints_from_argmin_windows", "early_stopping_epoch", _ES_HEAD + '''
    best_epoch = np.int64(0)
    epoch = np.int64(1)
    while epoch < losses.size:
        if losses[epoch] < losses[best_epoch] - min_delta:
            best_epoch = epoch
        elif epoch - best_epoch == patience:
            return np.int64(best_epoch), np.int64(epoch)
        epoch += 1
    return best_epoch, np.int64(losses.size - 1)
'''),
    Variant("es_improvements_first_then_index_arithmetic", "early_stopping_epoch", _ES_HEAD + '''
    improvements = [0]
    for epoch in range(1, len(losses)):
        if losses[epoch] < losses[improvements[-1]] - min_delta:
            improvements.append(epoch)
    for i, b in enumerate(improvements):
        nxt = improvements[i + 1] if i + 1 < len(improvements) else len(losses)
        if nxt - b > patience:
            return [b, b + patience]
    return [improvements[-1], len(losses) - 1]
'''),
]


# ---------------------------------------------------------------- added by the red-team review
# Written from the stub's docstrings alone, the way a student would; each was run through the
# grader before the suites were adjusted (see the review report).
_GDF = '''
def gd_spectral_filter(eigvals, lr, steps):
    s = _check_eigvals(eigvals)
    lr = _check_real(lr, "lr")
    steps = _check_count(steps, "steps")
'''
_RF = '''
def ridge_spectral_filter(eigvals, lam):
    s = _check_eigvals(eigvals)
    lam = _check_real(lam, "lam")
'''
_EL = '''
def equivalent_lambda(lr, steps):
    lr = _check_real(lr, "lr", positive=True)
    steps = _check_real(steps, "steps", positive=True)
'''

CORRECT += [
    Variant("gd_recursion_list", "gd_least_squares", _GD_HEAD + '''
    import sys
    sys.setrecursionlimit(max(sys.getrecursionlimit(), steps + 200))
    def run(w, k):
        if k == 0:
            return [w]
        nxt = w - lr * X.T @ (X @ w - y) / n
        return [w] + run(nxt, k - 1)
    return run(w0.copy(), steps)
'''),
    Variant("gd_iteration_matrix", "gd_least_squares", _GD_HEAD + '''
    M = np.eye(d) - lr * (X.T @ X) / n
    c = lr * (X.T @ y) / n
    W = np.empty((steps + 1, d))
    W[0] = w0
    for k in range(steps):
        W[k + 1] = M @ W[k] + c
    return W
'''),
    Variant("gdf_expm1_where_safe", "gd_spectral_filter", _GDF + '''
    x = lr * s
    safe = x < 1
    with np.errstate(all="ignore"):
        stable = -np.expm1(steps * np.log1p(-np.where(safe, x, 0.0)))
    return np.where(safe, stable, 1 - (1 - x) ** steps)
'''),
    Variant("gdf_python_list", "gd_spectral_filter", _GDF + '''
    if s.ndim == 0:
        return 1 - (1 - lr * float(s)) ** steps
    return np.array([1 - (1 - lr * v) ** steps for v in s.ravel().tolist()]).reshape(s.shape)
'''),
    Variant("ridge_nan_to_num", "ridge_spectral_filter", _RF + '''
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.nan_to_num(s / (s + lam))
'''),
    Variant("ridge_one_minus_guarded", "ridge_spectral_filter", _RF + '''
    out = np.zeros_like(s)
    pos = (s + lam) > 0
    out[pos] = 1.0 - lam / (s[pos] + lam)
    return out
'''),
    Variant("eqlam_pow_np_float", "equivalent_lambda", _EL + '''
    return np.float64(pow(lr * steps, -1))
'''),
    Variant("eqlam_0d_array_double_div", "equivalent_lambda", _EL + '''
    return np.array(1.0) / lr / steps
'''),
    Variant("es_early_return_loop_list", "early_stopping_epoch", _ES_HEAD + '''
    best, best_e = losses[0], 0
    for e in range(1, len(losses)):
        if losses[e] + min_delta < best:
            best, best_e = losses[e], e
        elif e - best_e >= patience:
            return [best_e, e]
    return [best_e, len(losses) - 1]
'''),
    Variant("es_while_numpy_ints", "early_stopping_epoch", _ES_HEAD + '''
    best_e = np.int64(0)
    e = np.int64(0)
    last = np.int64(losses.size - 1)
    while e < last and e - best_e < patience:
        e += 1
        if losses[e] < losses[best_e] - min_delta:
            best_e = e
    return best_e, e
'''),
]

MISTAKES += [
    Variant("gd_two_over_n", "gd_least_squares", _GD_HEAD + '''
    W = [w0.copy()]
    w = w0.copy()
    for _ in range(steps):
        w = w - lr * 2 * X.T @ (X @ w - y) / n
        W.append(w)
    return np.array(W)
''', hint='twice as large'),
    Variant("gd_appends_same_array", "gd_least_squares", _GD_HEAD + '''
    w = w0.copy()
    W = [w]
    for _ in range(steps):
        w -= lr * X.T @ (X @ w - y) / n
        W.append(w)
    return np.array(W)
''', hint='updated it in place'),
    Variant("gd_ascent", "gd_least_squares", _GD_HEAD + '''
    W = [w0.copy()]
    w = w0.copy()
    for _ in range(steps):
        w = w + lr * X.T @ (X @ w - y) / n
        W.append(w)
    return np.array(W)
''', hint='move away from the solution'),
    Variant("gd_records_after_update", "gd_least_squares", _GD_HEAD + '''
    W = []
    w = w0.copy()
    for _ in range(steps + 1):
        w = w - lr * X.T @ (X @ w - y) / n
        W.append(w)
    return np.array(W)
''', hint='one step ahead'),
    Variant("gdf_t_plus_one", "gd_spectral_filter", _GDF + '''
    return 1 - (1 - lr * s) ** (steps + 1)
''', hint='one too large'),
    Variant("gdf_times_not_power", "gd_spectral_filter", _GDF + '''
    return 1 - (1 - lr * s) * steps
''', hint='not multiplied by t'),
    Variant("gdf_log1p_everywhere", "gd_spectral_filter", _GDF + '''
    with np.errstate(all="ignore"):
        return -np.expm1(steps * np.log1p(-lr * s))
''', hint='NaN where lr*s >= 1'),
    Variant("ridge_squares_eigvals", "ridge_spectral_filter", _RF + '''
    with np.errstate(invalid="ignore"):
        return np.nan_to_num(s ** 2 / (s ** 2 + lam))
''', hint='already squared singular values'),
    Variant("ridge_one_at_zero", "ridge_spectral_filter", _RF + '''
    with np.errstate(invalid="ignore"):
        return np.where(s + lam == 0, 1.0, s / (s + lam))
''', hint='defined as 0, not 1'),
    Variant("eqlam_precedence", "equivalent_lambda", _EL + '''
    return 1 / lr * steps
''', hint='both lr and steps go in the denominator'),
    Variant("eqlam_lr_over_steps", "equivalent_lambda", _EL + '''
    return lr / steps
''', hint='lr goes in the denominator too'),
    Variant("eqlam_floor_division", "equivalent_lambda", _EL + '''
    return 1 // (lr * steps)
''', hint='floor division'),
    Variant("es_best_tracks_any_decrease", "early_stopping_epoch", _ES_HEAD + '''
    best, best_e, wait = losses[0], 0, 0
    for e in range(1, len(losses)):
        if losses[e] < best - min_delta:
            best_e, wait = e, 0
        else:
            wait += 1
        best = min(best, losses[e])
        if wait >= patience:
            return best_e, e
    return best_e, len(losses) - 1
''', hint='moves on every decrease'),
    Variant("es_relative_min_delta", "early_stopping_epoch", _ES_HEAD + '''
    best, best_e = losses[0], 0
    for e in range(1, len(losses)):
        if losses[e] < best * (1 - min_delta):
            best, best_e = losses[e], e
        elif e - best_e >= patience:
            return best_e, e
    return best_e, len(losses) - 1
''', hint='absolute amount'),
    Variant("es_stop_not_clipped", "early_stopping_epoch", _ES_HEAD + '''
    best, best_e = losses[0], 0
    for e in range(1, len(losses)):
        if losses[e] < best - min_delta:
            best, best_e = losses[e], e
        elif e - best_e >= patience:
            break
    return best_e, best_e + patience
''', hint='past the end', same_as=('stop_epoch is the index of the last epoch',)),
    Variant("es_keras_best_is_last_seen_min", "early_stopping_epoch", _ES_HEAD + '''
    # restores the epoch with the smallest loss seen before stopping, ignoring min_delta for the choice
    best, best_e = losses[0], 0
    stop = len(losses) - 1
    for e in range(1, len(losses)):
        if losses[e] < best - min_delta:
            best, best_e = losses[e], e
        elif e - best_e >= patience:
            stop = e
            break
    return int(np.argmin(losses[:stop + 1])), stop
''', hint='last improvement'),
]

# ------------------------------------------------------------------ close relatives (issue 15) and their families
MISTAKES += [
    Variant("gd_filter_exponent_minus_one", "gd_spectral_filter", '''
def gd_spectral_filter(eigvals, lr, steps):
    s = _check_eigvals(eigvals)
    lr = _check_real(lr, "lr")
    steps = _check_count(steps, "steps")
    return 1.0 - (1.0 - lr * s) ** (steps - 1)
''', hint="one iteration too few"),
    Variant("ridge_filter_two_lam", "ridge_spectral_filter", '''
def ridge_spectral_filter(eigvals, lam):
    s = _check_eigvals(eigvals)
    lam = _check_real(lam, "lam")
    denom = s + 2 * lam
    return np.divide(s, denom, out=np.zeros_like(s), where=denom > 0)
''', hint="s/(s + 2 lam)"),
    Variant("es_best_never_updated", "early_stopping_epoch", '''
def early_stopping_epoch(val_losses, patience, min_delta=0.0):
    losses = _as_array(val_losses, "val_losses")
    patience = _check_count(patience, "patience", minimum=1)
    min_delta = _check_real(min_delta, "min_delta")
    best_epoch, best = 0, losses[0]
    for epoch in range(1, losses.size):
        if losses[epoch] < best - min_delta:
            best_epoch = epoch
        elif epoch - best_epoch >= patience:
            return best_epoch, epoch
    return best_epoch, int(losses.size - 1)
''', hint="never changes after epoch 0"),
]

CORRECT += [
    Variant("gd_filter_loop_product", "gd_spectral_filter", '''
def gd_spectral_filter(eigvals, lr, steps):
    s = _check_eigvals(eigvals)
    lr = _check_real(lr, "lr")
    steps = _check_count(steps, "steps")
    x = lr * s
    below_one = x < 1.0
    accurate = 0.0 - np.expm1(steps * np.log1p(-np.where(below_one, x, 0.0)))
    return np.where(below_one, accurate, 1.0 - (1.0 - x) ** steps)
'''),
]
