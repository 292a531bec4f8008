"""Catalogue of student implementations of optimizers.py (assignment 05).

MISTAKES: classic wrong versions; each must lose points on its own function only,
and some failed result of that function must carry a hint containing `hint`.
CORRECT: unusual but correct versions; each must score 100%.
Each `code` is the full source of the replacement function (scaffolding included).
"""
from tests.catalogue import Variant

MISTAKES = [
    Variant("sgd_decay_after_step", "sgd_weight_decay_step", '''
def sgd_weight_decay_step(w, grad, lr, lam):
    w, grad = _as_pair(w, grad)
    lr = _check_nonnegative(lr, "lr")
    lam = _check_nonnegative(lam, "lam")
    return (1.0 - lr * lam) * (w - lr * grad)
''', "after the gradient step"),
    Variant("sgd_decay_not_scaled_by_lr", "sgd_weight_decay_step", '''
def sgd_weight_decay_step(w, grad, lr, lam):
    w, grad = _as_pair(w, grad)
    lr = _check_nonnegative(lr, "lr")
    lam = _check_nonnegative(lam, "lam")
    return (1.0 - lam) * w - lr * grad
''', "not (1 - lam)"),
    Variant("sgd_weight_decay_in_place", "sgd_weight_decay_step", '''
def sgd_weight_decay_step(w, grad, lr, lam):
    w, grad = _as_pair(w, grad)
    lr = _check_nonnegative(lr, "lr")
    lam = _check_nonnegative(lam, "lam")
    w *= 1.0 - lr * lam
    w -= lr * grad
    return w
''', "in place"),
    Variant("sgd_l2_sign_flipped", "sgd_l2_step", '''
def sgd_l2_step(w, grad, lr, lam):
    w, grad = _as_pair(w, grad)
    lr = _check_nonnegative(lr, "lr")
    lam = _check_nonnegative(lam, "lam")
    return w - lr * (grad - lam * w)
''', "away from zero"),
    Variant("sgd_l2_gradient_2_lam_w", "sgd_l2_step", '''
def sgd_l2_step(w, grad, lr, lam):
    w, grad = _as_pair(w, grad)
    lr = _check_nonnegative(lr, "lr")
    lam = _check_nonnegative(lam, "lam")
    return w - lr * (grad + 2 * lam * w)
''', "2*lam*w"),
    Variant("adam_init_one_moment_per_row", "adam_init", '''
def adam_init(w):
    w = _as_array(w, "w")
    return {"step": 0, "m": np.zeros(len(w)), "v": np.zeros(len(w))}
''', "shape of w", named=False),
    Variant("adam_l2_written_as_adamw", "adam_l2_step", '''
def adam_l2_step(w, grad, state, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
    w, grad = _as_pair(w, grad)
    lr, beta1, beta2, eps, weight_decay = _check_adam_hyper(lr, betas, eps, weight_decay)
    step, m, v = _read_state(state, w.shape)
    t = step + 1
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad ** 2
    w_new = (1 - lr * weight_decay) * w - lr * (m / (1 - beta1 ** t)) / (np.sqrt(v / (1 - beta2 ** t)) + eps)
    return w_new, {"step": t, "m": m, "v": v}
''', "looks like AdamW"),
    Variant("adamw_written_as_adam_l2", "adamw_step", '''
def adamw_step(w, grad, state, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
    w, grad = _as_pair(w, grad)
    lr, beta1, beta2, eps, weight_decay = _check_adam_hyper(lr, betas, eps, weight_decay)
    step, m, v = _read_state(state, w.shape)
    t = step + 1
    g = grad + weight_decay * w
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g ** 2
    w_new = w - lr * (m / (1 - beta1 ** t)) / (np.sqrt(v / (1 - beta2 ** t)) + eps)
    return w_new, {"step": t, "m": m, "v": v}
''', "matches Adam with the decay added to the gradient"),
    Variant("adamw_decay_not_scaled_by_lr", "adamw_step", '''
def adamw_step(w, grad, state, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
    w, grad = _as_pair(w, grad)
    lr, beta1, beta2, eps, weight_decay = _check_adam_hyper(lr, betas, eps, weight_decay)
    step, m, v = _read_state(state, w.shape)
    t = step + 1
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad ** 2
    w_new = (1 - weight_decay) * w - lr * (m / (1 - beta1 ** t)) / (np.sqrt(v / (1 - beta2 ** t)) + eps)
    return w_new, {"step": t, "m": m, "v": v}
''', "not (1 - weight_decay)"),
    Variant("adamw_decay_after_adam_update", "adamw_step", '''
def adamw_step(w, grad, state, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
    w, grad = _as_pair(w, grad)
    lr, beta1, beta2, eps, weight_decay = _check_adam_hyper(lr, betas, eps, weight_decay)
    step, m, v = _read_state(state, w.shape)
    t = step + 1
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad ** 2
    w_new = w - lr * (m / (1 - beta1 ** t)) / (np.sqrt(v / (1 - beta2 ** t)) + eps)
    return w_new * (1 - lr * weight_decay), {"step": t, "m": m, "v": v}
''', "after the Adam update"),
    Variant("adamw_decay_sign_flipped", "adamw_step", '''
def adamw_step(w, grad, state, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
    w, grad = _as_pair(w, grad)
    lr, beta1, beta2, eps, weight_decay = _check_adam_hyper(lr, betas, eps, weight_decay)
    step, m, v = _read_state(state, w.shape)
    t = step + 1
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad ** 2
    w_new = (1 + lr * weight_decay) * w - lr * (m / (1 - beta1 ** t)) / (np.sqrt(v / (1 - beta2 ** t)) + eps)
    return w_new, {"step": t, "m": m, "v": v}
''', "weights grow"),
    Variant("adam_l2_no_bias_correction", "adam_l2_step", '''
def adam_l2_step(w, grad, state, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
    w, grad = _as_pair(w, grad)
    lr, beta1, beta2, eps, weight_decay = _check_adam_hyper(lr, betas, eps, weight_decay)
    step, m, v = _read_state(state, w.shape)
    g = grad + weight_decay * w
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g ** 2
    return w - lr * m / (np.sqrt(v) + eps), {"step": step + 1, "m": m, "v": v}
''', "bias correction"),
    Variant("adamw_eps_inside_sqrt", "adamw_step", '''
def adamw_step(w, grad, state, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
    w, grad = _as_pair(w, grad)
    lr, beta1, beta2, eps, weight_decay = _check_adam_hyper(lr, betas, eps, weight_decay)
    step, m, v = _read_state(state, w.shape)
    t = step + 1
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad ** 2
    w_new = (1 - lr * weight_decay) * w - lr * (m / (1 - beta1 ** t)) / np.sqrt(v / (1 - beta2 ** t) + eps)
    return w_new, {"step": t, "m": m, "v": v}
''', "outside the square root"),
    Variant("adam_l2_step_counted_from_zero", "adam_l2_step", '''
def adam_l2_step(w, grad, state, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
    w, grad = _as_pair(w, grad)
    lr, beta1, beta2, eps, weight_decay = _check_adam_hyper(lr, betas, eps, weight_decay)
    step, m, v = _read_state(state, w.shape)
    g = grad + weight_decay * w
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g ** 2
    with np.errstate(all="ignore"):
        w_new = w - lr * (m / (1 - beta1 ** step)) / (np.sqrt(v / (1 - beta2 ** step)) + eps)
    return w_new, {"step": step + 1, "m": m, "v": v}
''', "t = 1"),
    Variant("adam_l2_step_not_counted", "adam_l2_step", '''
def adam_l2_step(w, grad, state, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
    w, grad = _as_pair(w, grad)
    lr, beta1, beta2, eps, weight_decay = _check_adam_hyper(lr, betas, eps, weight_decay)
    step, m, v = _read_state(state, w.shape)
    t = step + 1
    g = grad + weight_decay * w
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g ** 2
    w_new = w - lr * (m / (1 - beta1 ** t)) / (np.sqrt(v / (1 - beta2 ** t)) + eps)
    return w_new, {"step": step, "m": m, "v": v}
''', "counts the updates"),
    Variant("adam_l2_decay_sign_flipped", "adam_l2_step", '''
def adam_l2_step(w, grad, state, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
    w, grad = _as_pair(w, grad)
    lr, beta1, beta2, eps, weight_decay = _check_adam_hyper(lr, betas, eps, weight_decay)
    step, m, v = _read_state(state, w.shape)
    t = step + 1
    g = grad - weight_decay * w
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g ** 2
    w_new = w - lr * (m / (1 - beta1 ** t)) / (np.sqrt(v / (1 - beta2 ** t)) + eps)
    return w_new, {"step": t, "m": m, "v": v}
''', "away from zero"),
    Variant("adam_l2_modifies_state_in_place", "adam_l2_step", '''
def adam_l2_step(w, grad, state, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
    w, grad = _as_pair(w, grad)
    lr, beta1, beta2, eps, weight_decay = _check_adam_hyper(lr, betas, eps, weight_decay)
    step, m, v = _read_state(state, w.shape)
    t = step + 1
    g = grad + weight_decay * w
    m *= beta1
    m += (1 - beta1) * g
    v *= beta2
    v += (1 - beta2) * g * g
    w_new = w - lr * (m / (1 - beta1 ** t)) / (np.sqrt(v / (1 - beta2 ** t)) + eps)
    return w_new, {"step": t, "m": m, "v": v}
''', "in place"),
    Variant("adamw_modifies_w_in_place", "adamw_step", '''
def adamw_step(w, grad, state, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
    w, grad = _as_pair(w, grad)
    lr, beta1, beta2, eps, weight_decay = _check_adam_hyper(lr, betas, eps, weight_decay)
    step, m, v = _read_state(state, w.shape)
    t = step + 1
    w *= 1 - lr * weight_decay
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad ** 2
    w -= lr * (m / (1 - beta1 ** t)) / (np.sqrt(v / (1 - beta2 ** t)) + eps)
    return w, {"step": t, "m": m, "v": v}
''', "in place"),
]

CORRECT = [
    Variant("sgd_l2_elementwise_loop", "sgd_l2_step", '''
def sgd_l2_step(w, grad, lr, lam):
    w, grad = _as_pair(w, grad)
    lr = _check_nonnegative(lr, "lr")
    lam = _check_nonnegative(lam, "lam")
    out = np.empty_like(w)
    for index in np.ndindex(w.shape):
        out[index] = w[index] - lr * grad[index] - lr * lam * w[index]
    return out
'''),
    Variant("sgd_weight_decay_in_place_on_a_copy", "sgd_weight_decay_step", '''
def sgd_weight_decay_step(w, grad, lr, lam):
    w, grad = _as_pair(w, grad)
    lr = _check_nonnegative(lr, "lr")
    lam = _check_nonnegative(lam, "lam")
    out = w.copy()
    out *= 1.0 - lr * lam
    out -= lr * grad
    return out
'''),
    Variant("adam_init_float_step_full_like", "adam_init", '''
def adam_init(w):
    w = _as_array(w, "w")
    return {"m": np.full_like(w, 0.0), "v": np.zeros(w.shape), "step": 0.0}
'''),
    Variant("adam_l2_folded_bias_correction", "adam_l2_step", '''
def adam_l2_step(w, grad, state, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
    import math
    w, grad = _as_pair(w, grad)
    lr, beta1, beta2, eps, weight_decay = _check_adam_hyper(lr, betas, eps, weight_decay)
    step, m, v = _read_state(state, w.shape)
    t = step + 1
    g = weight_decay * w + grad
    m = m + (1 - beta1) * (g - m)
    v = v + (1 - beta2) * (g * g - v)
    root_bc2 = math.sqrt(1 - beta2 ** t)
    step_size = lr * root_bc2 / (1 - beta1 ** t)
    return w - step_size * m / (np.sqrt(v) + eps * root_bc2), {"step": t, "m": m, "v": v}
'''),
    Variant("adam_l2_loop_with_math", "adam_l2_step", '''
def adam_l2_step(w, grad, state, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
    import math
    w, grad = _as_pair(w, grad)
    lr, beta1, beta2, eps, weight_decay = _check_adam_hyper(lr, betas, eps, weight_decay)
    step, m, v = _read_state(state, w.shape)
    t = step + 1
    w_new, m_new, v_new = np.empty_like(w), np.empty_like(w), np.empty_like(w)
    for i in np.ndindex(w.shape):
        g = grad[i] + weight_decay * w[i]
        m_new[i] = beta1 * m[i] + (1 - beta1) * g
        v_new[i] = beta2 * v[i] + (1 - beta2) * g * g
        m_hat = m_new[i] / (1 - beta1 ** t)
        v_hat = v_new[i] / (1 - beta2 ** t)
        w_new[i] = w[i] - lr * m_hat / (math.sqrt(v_hat) + eps)
    return w_new, {"step": t, "m": m_new, "v": v_new}
'''),
    Variant("adamw_copies_and_lists", "adamw_step", '''
def adamw_step(w, grad, state, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
    w, grad = _as_pair(w, grad)
    lr, beta1, beta2, eps, weight_decay = _check_adam_hyper(lr, betas, eps, weight_decay)
    step, m, v = _read_state(state, w.shape)
    m, v, p = np.copy(m), np.copy(v), np.copy(w)
    t = step + 1
    p *= 1 - lr * weight_decay
    m *= beta1
    m += (1 - beta1) * grad
    v *= beta2
    v += (1 - beta2) * np.square(grad)
    denom = np.sqrt(v) / np.sqrt(1 - beta2 ** t) + eps
    p -= (lr / (1 - beta1 ** t)) * m / denom
    return p.tolist(), {"step": float(t), "m": m.tolist(), "v": v.tolist()}
'''),
    Variant("adamw_subtract_decay_term", "adamw_step", '''
def adamw_step(w, grad, state, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
    w, grad = _as_pair(w, grad)
    lr, beta1, beta2, eps, weight_decay = _check_adam_hyper(lr, betas, eps, weight_decay)
    step, m, v = _read_state(state, w.shape)
    t = step + 1
    m_new = beta1 * m + (1 - beta1) * grad
    v_new = beta2 * v + (1 - beta2) * grad * grad
    adam_update = lr * (m_new / (1 - beta1 ** t)) / (np.sqrt(v_new / (1 - beta2 ** t)) + eps)
    return w - lr * weight_decay * w - adam_update, {"step": t, "m": m_new, "v": v_new}
'''),
]


# ---------------------------------------------------------------- added by the red-team review
# Written from the stub's docstrings alone, the way a student would; each was run through the
# grader before the suites were adjusted (see the review report).
_SGD = '''
def sgd_l2_step(w, grad, lr, lam):
    w, grad = _as_pair(w, grad)
    lr = _check_nonnegative(lr, "lr")
    lam = _check_nonnegative(lam, "lam")
'''
_WD = '''
def sgd_weight_decay_step(w, grad, lr, lam):
    w, grad = _as_pair(w, grad)
    lr = _check_nonnegative(lr, "lr")
    lam = _check_nonnegative(lam, "lam")
'''
_INIT = '''
def adam_init(w):
    w = _as_array(w, "w")
'''
_ADAM = '''
def adam_l2_step(w, grad, state, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
    w, grad = _as_pair(w, grad)
    lr, beta1, beta2, eps, weight_decay = _check_adam_hyper(lr, betas, eps, weight_decay)
    step, m, v = _read_state(state, w.shape)
'''
_ADAMW = '''
def adamw_step(w, grad, state, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
    w, grad = _as_pair(w, grad)
    lr, beta1, beta2, eps, weight_decay = _check_adam_hyper(lr, betas, eps, weight_decay)
    step, m, v = _read_state(state, w.shape)
'''

CORRECT += [
    Variant("sgd_l2_np_subtract_split", "sgd_l2_step", _SGD + '''
    return np.subtract(w, lr * grad) - (lr * lam) * w
'''),
    Variant("sgd_l2_tolist_roundtrip", "sgd_l2_step", _SGD + '''
    if w.ndim == 0:
        return float(w - lr * (grad + lam * w))
    return (np.array(w.tolist()) - lr * (np.array(grad.tolist()) + lam * np.array(w.tolist()))).tolist()
'''),
    Variant("wd_np_add_negative", "sgd_weight_decay_step", _WD + '''
    decay = 1.0 - lr * lam
    return np.add(decay * w, -lr * grad)
'''),
    Variant("wd_copy_then_inplace", "sgd_weight_decay_step", _WD + '''
    out = np.array(w, copy=True)
    out *= (1 - lr * lam)
    out -= lr * grad
    return out
'''),
    Variant("init_extra_keys_float_step_lists", "adam_init", _INIT + '''
    z = np.zeros(w.shape)
    return {"step": 0.0, "m": z.tolist(), "v": z.copy().tolist(), "name": "adam", "betas": [0.9, 0.999]}
'''),
    Variant("init_numpy_int_step", "adam_init", _INIT + '''
    return dict(step=np.int64(0), m=np.zeros_like(w), v=np.zeros_like(w))
'''),
    Variant("adam_l2_float_step_extra_keys", "adam_l2_step", _ADAM + '''
    t = float(state["step"]) + 1.0
    g = grad + weight_decay * w
    m2 = beta1 * m + (1 - beta1) * g
    v2 = beta2 * v + (1 - beta2) * np.square(g)
    m_hat = m2 / (1 - beta1 ** t)
    v_hat = v2 / (1 - beta2 ** t)
    new = dict(state)
    new.update(step=t, m=m2, v=v2, last_update=(lr * m_hat / (np.sqrt(v_hat) + eps)))
    return w - new["last_update"], new
'''),
    Variant("adam_l2_torch_style_denominator", "adam_l2_step", _ADAM + '''
    import math
    t = step + 1
    g = grad + weight_decay * w
    m = m * beta1 + g * (1 - beta1)
    v = v * beta2 + g * g * (1 - beta2)
    bc1 = 1 - beta1 ** t
    bc2 = 1 - beta2 ** t
    denom = np.sqrt(v) / math.sqrt(bc2) + eps
    return w - (lr / bc1) * m / denom, {"step": t, "m": m, "v": v}
'''),
    Variant("adamw_via_own_adam_l2_list_state", "adamw_step", _ADAMW + '''
    w_dec = (1 - lr * weight_decay) * w
    w_new, st = adam_l2_step(w_dec, grad, {"step": step, "m": m, "v": v}, lr=lr, betas=(beta1, beta2),
                             eps=eps, weight_decay=0.0)
    return w_new, {"step": st["step"], "m": st["m"].tolist() if np.ndim(st["m"]) else st["m"],
                   "v": st["v"].tolist() if np.ndim(st["v"]) else st["v"]}
'''),
    Variant("adamw_elementwise_math_loop", "adamw_step", _ADAMW + '''
    import math
    t = step + 1
    flat_w, flat_g = w.ravel(), grad.ravel()
    fm, fv = m.ravel().copy(), v.ravel().copy()
    out = np.empty_like(flat_w)
    for i in range(flat_w.size):
        fm[i] = beta1 * fm[i] + (1 - beta1) * flat_g[i]
        fv[i] = beta2 * fv[i] + (1 - beta2) * flat_g[i] ** 2
        mh = fm[i] / (1 - beta1 ** t)
        vh = fv[i] / (1 - beta2 ** t)
        out[i] = flat_w[i] * (1 - lr * weight_decay) - lr * mh / (math.sqrt(vh) + eps)
    return out.reshape(w.shape), {"step": t, "m": fm.reshape(w.shape), "v": fv.reshape(w.shape)}
'''),
]

MISTAKES += [
    Variant("sgd_l2_lam_not_times_lr", "sgd_l2_step", _SGD + '''
    return w - lr * grad - lam * w
''', hint='multiplied by lr like grad', named=False),
    Variant("sgd_l2_half_lam", "sgd_l2_step", _SGD + '''
    return w - lr * (grad + 0.5 * lam * w)
''', hint='lam*w/2'),
    Variant("sgd_l2_forgot_lr_on_grad", "sgd_l2_step", _SGD + '''
    return w - grad - lr * lam * w
''', hint='whole data gradient'),
    Variant("wd_forgot_lr_on_grad", "sgd_weight_decay_step", _WD + '''
    return (1 - lr * lam) * w - grad
''', hint='whole data gradient'),
    Variant("init_step_one", "adam_init", _INIT + '''
    return {"step": 1, "m": np.zeros_like(w), "v": np.zeros_like(w)}
''', hint='a fresh state starts at 0'),
    Variant("init_key_t", "adam_init", _INIT + '''
    return {"t": 0, "m": np.zeros_like(w), "v": np.zeros_like(w)}
''', hint='name them exactly'),
    Variant("init_m_is_w", "adam_init", _INIT + '''
    return {"step": 0, "m": w.copy(), "v": np.zeros_like(w)}
''', hint='copy of w', named=False),
    Variant("adam_l2_paper_eps_hat", "adam_l2_step", _ADAM + '''
    import math
    t = step + 1
    g = grad + weight_decay * w
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g * g
    lr_t = lr * math.sqrt(1 - beta2 ** t) / (1 - beta1 ** t)
    return w - lr_t * m / (np.sqrt(v) + eps), {"step": t, "m": m, "v": v}
''', hint="paper's efficient form"),
    Variant("adam_l2_decay_in_m_only", "adam_l2_step", _ADAM + '''
    t = step + 1
    g = grad + weight_decay * w
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * grad ** 2
    m_hat = m / (1 - beta1 ** t); v_hat = v / (1 - beta2 ** t)
    return w - lr * m_hat / (np.sqrt(v_hat) + eps), {"step": t, "m": m, "v": v}
''', hint='into m but not into v'),
    Variant("adam_l2_stores_hat_moments", "adam_l2_step", _ADAM + '''
    t = step + 1
    g = grad + weight_decay * w
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g ** 2
    m_hat = m / (1 - beta1 ** t); v_hat = v / (1 - beta2 ** t)
    return w - lr * m_hat / (np.sqrt(v_hat) + eps), {"step": t, "m": m_hat, "v": v_hat}
''', hint='raw running averages'),
    Variant("adam_l2_betas_swapped", "adam_l2_step", _ADAM + '''
    t = step + 1
    g = grad + weight_decay * w
    m = beta2 * m + (1 - beta2) * g
    v = beta1 * v + (1 - beta1) * g ** 2
    m_hat = m / (1 - beta2 ** t); v_hat = v / (1 - beta1 ** t)
    return w - lr * m_hat / (np.sqrt(v_hat) + eps), {"step": t, "m": m, "v": v}
''', hint='swapped'),
    Variant("adam_l2_no_v_bias_correction", "adam_l2_step", _ADAM + '''
    t = step + 1
    g = grad + weight_decay * w
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g ** 2
    m_hat = m / (1 - beta1 ** t)
    return w - lr * m_hat / (np.sqrt(v) + eps), {"step": t, "m": m, "v": v}
''', hint='but not v'),
    Variant("adam_l2_eps_inside_sqrt", "adam_l2_step", _ADAM + '''
    t = step + 1
    g = grad + weight_decay * w
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g ** 2
    m_hat = m / (1 - beta1 ** t); v_hat = v / (1 - beta2 ** t)
    return w - lr * m_hat / np.sqrt(v_hat + eps), {"step": t, "m": m, "v": v}
''', hint='outside the square root'),
    Variant("adamw_double_decay", "adamw_step", _ADAMW + '''
    t = step + 1
    g = grad + weight_decay * w
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g ** 2
    m_hat = m / (1 - beta1 ** t); v_hat = v / (1 - beta2 ** t)
    return (1 - lr * weight_decay) * w - lr * m_hat / (np.sqrt(v_hat) + eps), {"step": t, "m": m, "v": v}
''', hint='decays the weights twice'),
    Variant("adamw_stores_hat_moments", "adamw_step", _ADAMW + '''
    t = step + 1
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad ** 2
    m_hat = m / (1 - beta1 ** t); v_hat = v / (1 - beta2 ** t)
    return (1 - lr * weight_decay) * w - lr * m_hat / (np.sqrt(v_hat) + eps), {"step": t, "m": m_hat, "v": v_hat}
''', hint='raw running averages'),
    Variant("adamw_step_not_incremented", "adamw_step", _ADAMW + '''
    t = step + 1
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad ** 2
    m_hat = m / (1 - beta1 ** t); v_hat = v / (1 - beta2 ** t)
    return (1 - lr * weight_decay) * w - lr * m_hat / (np.sqrt(v_hat) + eps), {"step": step, "m": m, "v": v}
''', hint='counts the updates'),
    Variant("adamw_paper_eps_hat", "adamw_step", _ADAMW + '''
    import math
    t = step + 1
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad * grad
    lr_t = lr * math.sqrt(1 - beta2 ** t) / (1 - beta1 ** t)
    return (1 - lr * weight_decay) * w - lr_t * m / (np.sqrt(v) + eps), {"step": t, "m": m, "v": v}
''', hint="paper's efficient form"),
]

# ------------------------------------------------------------------ close relatives (issue 15) and their families
MISTAKES += [
    Variant("adam_l2_no_m_bias_correction", "adam_l2_step", _ADAM + '''
    t = step + 1
    g = grad + weight_decay * w
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g ** 2
    v_hat = v / (1 - beta2 ** t)
    return w - lr * m / (np.sqrt(v_hat) + eps), {"step": t, "m": m, "v": v}
''', hint='but not m'),
    Variant("adamw_no_m_bias_correction", "adamw_step", _ADAMW + '''
    t = step + 1
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad ** 2
    v_hat = v / (1 - beta2 ** t)
    return (1 - lr * weight_decay) * w - lr * m / (np.sqrt(v_hat) + eps), {"step": t, "m": m, "v": v}
''', hint='but not m'),
    Variant("adam_l2_missing_sqrt", "adam_l2_step", _ADAM + '''
    t = step + 1
    g = grad + weight_decay * w
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g ** 2
    m_hat, v_hat = m / (1 - beta1 ** t), v / (1 - beta2 ** t)
    return w - lr * m_hat / (v_hat + eps), {"step": t, "m": m, "v": v}
''', hint='square root'),
    Variant("adamw_missing_sqrt", "adamw_step", _ADAMW + '''
    t = step + 1
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad ** 2
    m_hat, v_hat = m / (1 - beta1 ** t), v / (1 - beta2 ** t)
    return (1 - lr * weight_decay) * w - lr * m_hat / (v_hat + eps), {"step": t, "m": m, "v": v}
''', hint='square root'),
    Variant("sgd_wd_decay_squared_lr", "sgd_weight_decay_step", _WD + '''
    return (1 - lr * lr * lam) * w - lr * grad
''', hint='lam', named=False),
]
