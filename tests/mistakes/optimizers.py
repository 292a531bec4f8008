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
''', "shape of w"),
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
