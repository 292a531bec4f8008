"""Catalogue of student implementations of dropout.py, for tests/test_suites.py.

MISTAKES: wrong implementations a student could plausibly write; each must lose points on
its own function only, and some failed case of that function must give a hint containing
`hint` (case-insensitive).
CORRECT: unusual but correct implementations; each must score 100%.
Every entry keeps the given scaffolding (conversion and checks) and changes only what a
student writes in the solution region.
"""
from tests.catalogue import Variant

_FORWARD_HEAD = '''
def dropout_forward(x, p, rng, training=True):
    x = _as_array(x, "x")
    p = _check_drop_probability(p)
    if training:
        _check_generator(rng)
'''


def _forward(body: str) -> str:
    return _FORWARD_HEAD + body


MISTAKES = [
    # ------------------------------------------------------------------ dropout_forward
    Variant("forward_no_rescale", "dropout_forward", _forward('''
    if not training:
        return x.copy(), np.ones_like(x)
    mask = (rng.random(x.shape) < 1 - p).astype(float)
    return x * mask, mask
'''), hint="forgot the inverted-dropout rescale"),

    Variant("forward_keep_probability_is_p", "dropout_forward", _forward('''
    if not training:
        return x.copy(), np.ones_like(x)
    mask = (rng.random(x.shape) < p).astype(float)
    return x * mask / (1 - p), mask
'''), hint="probability of DROPPING"),

    Variant("forward_times_keep", "dropout_forward", _forward('''
    if not training:
        return x.copy(), np.ones_like(x)
    mask = (rng.random(x.shape) < 1 - p).astype(float)
    return x * mask * (1 - p), mask
'''), hint="instead of dividing"),

    Variant("forward_dropout_at_inference", "dropout_forward", _forward('''
    if rng is None:
        rng = np.random.default_rng()
    mask = (rng.random(x.shape) < 1 - p).astype(float)
    return x * mask / (1 - p), mask
'''), hint="switched off at inference"),

    Variant("forward_scales_down_at_inference", "dropout_forward", _forward('''
    if not training:
        return x * (1 - p), np.ones_like(x)
    mask = (rng.random(x.shape) < 1 - p).astype(float)
    return x * mask / (1 - p), mask
'''), hint="non-inverted convention", named=False),

    Variant("forward_scaled_mask", "dropout_forward", _forward('''
    if not training:
        return x.copy(), np.ones_like(x)
    mask = (rng.random(x.shape) < 1 - p) / (1 - p)
    return x * mask, mask
'''), hint="plain 0/1 mask"),

    Variant("forward_global_random_state", "dropout_forward", _forward('''
    if not training:
        return x.copy(), np.ones_like(x)
    mask = (np.random.rand(*x.shape) < 1 - p).astype(float)
    return x * mask / (1 - p), mask
'''), hint="draw the mask from the rng argument"),

    Variant("forward_mask_shared_across_rows", "dropout_forward", _forward('''
    if not training:
        return x.copy(), np.ones_like(x)
    row = (rng.random(x.shape[-1:]) < 1 - p).astype(float)
    mask = np.broadcast_to(row, x.shape).copy()
    return x * mask / (1 - p), mask
'''), hint="independent mask entry"),

    # ------------------------------------------------------------------ dropout_backward
    Variant("backward_no_rescale", "dropout_backward", '''
def dropout_backward(dout, mask, p):
    dout = _as_array(dout, "dout")
    mask = _as_array(mask, "mask")
    p = _check_drop_probability(p)
    if dout.shape != mask.shape:
        raise ValueError("shape mismatch")
    return dout * mask
''', hint="without the 1/(1 - p) factor"),

    Variant("backward_divides_by_p", "dropout_backward", '''
def dropout_backward(dout, mask, p):
    dout = _as_array(dout, "dout")
    mask = _as_array(mask, "mask")
    p = _check_drop_probability(p)
    if dout.shape != mask.shape:
        raise ValueError("shape mismatch")
    return dout * mask / p if p > 0 else dout * mask
''', hint="you divided by p", named=False),

    Variant("backward_ignores_mask", "dropout_backward", '''
def dropout_backward(dout, mask, p):
    dout = _as_array(dout, "dout")
    mask = _as_array(mask, "mask")
    p = _check_drop_probability(p)
    if dout.shape != mask.shape:
        raise ValueError("shape mismatch")
    return dout / (1 - p)
''', hint="receive no gradient"),

    # ------------------------------------------------------------------ dropout_output_moments
    Variant("moments_masks_equally_likely", "dropout_output_moments", '''
def dropout_output_moments(w, h, p):
    w = _as_array(w, "w")
    h = _as_array(h, "h")
    p = _check_drop_probability(p)
    _check_units(w, h)
    import itertools
    ys = [float(np.dot(np.array(m), w * h)) / (1 - p) for m in itertools.product([0, 1], repeat=len(w))]
    return float(np.mean(ys)), float(np.var(ys))
''', hint="only right at p = 0.5"),

    Variant("moments_no_rescale", "dropout_output_moments", '''
def dropout_output_moments(w, h, p):
    w = _as_array(w, "w")
    h = _as_array(h, "h")
    p = _check_drop_probability(p)
    _check_units(w, h)
    n = len(w)
    mean = var_acc = 0.0
    masks = [[(j >> i) & 1 for i in range(n)] for j in range(2 ** n)]
    probs = [np.prod([(1 - p) if b else p for b in m]) for m in masks]
    ys = [float(np.dot(m, w * h)) for m in masks]
    mean = sum(q * y for q, y in zip(probs, ys))
    var = sum(q * (y - mean) ** 2 for q, y in zip(probs, ys))
    return mean, var
''', hint="without the 1/(1 - p) rescale"),

    Variant("moments_second_moment_as_variance", "dropout_output_moments", '''
def dropout_output_moments(w, h, p):
    w = _as_array(w, "w")
    h = _as_array(h, "h")
    p = _check_drop_probability(p)
    _check_units(w, h)
    n = len(w)
    masks = (np.arange(2 ** n)[:, None] >> np.arange(n)) & 1
    probs = np.prod(np.where(masks == 1, 1 - p, p), axis=1)
    y = masks @ (w * h) / (1 - p)
    return float(probs @ y), float(probs @ y ** 2)
''', hint="your variance is E[y^2]"),

    # ------------------------------------------------------------------ dropout_variance
    Variant("variance_as_in_the_material", "dropout_variance", '''
def dropout_variance(mean, var, p):
    mean = _as_array(mean, "mean")
    var = _as_array(var, "var")
    p = _check_drop_probability(p)
    return var * p / (1 - p)
''', hint="formula printed in some texts"),

    Variant("variance_no_mean_term", "dropout_variance", '''
def dropout_variance(mean, var, p):
    mean = _as_array(mean, "mean")
    var = _as_array(var, "var")
    p = _check_drop_probability(p)
    return var / (1 - p)
''', hint="left out the mean term"),

    Variant("variance_fixed_activation", "dropout_variance", '''
def dropout_variance(mean, var, p):
    mean = _as_array(mean, "mean")
    var = _as_array(var, "var")
    p = _check_drop_probability(p)
    return mean ** 2 * p / (1 - p)
''', hint="variance for a fixed activation"),

    Variant("variance_mean_term_not_rescaled", "dropout_variance", '''
def dropout_variance(mean, var, p):
    mean = _as_array(mean, "mean")
    var = _as_array(var, "var")
    p = _check_drop_probability(p)
    return var / (1 - p) + mean ** 2 * p
''', hint="left out its 1/(1 - p)"),
]


CORRECT = [
    Variant("forward_binomial_int_mask", "dropout_forward", _forward('''
    if not training:
        return np.array(x), np.ones(x.shape)
    mask = rng.binomial(1, 1 - p, size=x.shape)
    return x * mask / (1 - p), mask
''')),

    Variant("forward_uniform_bool_mask", "dropout_forward", _forward('''
    if not training:
        return x, np.ones(x.shape, dtype=bool)
    mask = rng.uniform(0.0, 1.0, size=x.shape) >= p
    return np.where(mask, x / (1 - p), 0.0), mask
''')),

    Variant("forward_random_greater_than_p_scale_factor", "dropout_forward", _forward('''
    scale = 1.0 / (1.0 - p)
    if training:
        mask = rng.random(size=x.shape) > p
        out = x * mask * scale
    else:
        mask = np.full(x.shape, True)
        out = x + 0.0
    return out, mask.astype(np.float32)
''')),

    Variant("forward_flat_loop", "dropout_forward", _forward('''
    if not training:
        return x.copy(), np.ones_like(x)
    flat = x.ravel()
    u = rng.random(flat.size)
    mask = np.zeros(flat.size)
    out = np.zeros(flat.size)
    for i in range(flat.size):
        if u[i] < 1 - p:
            mask[i] = 1.0
            out[i] = flat[i] / (1 - p)
    return out.reshape(x.shape), mask.reshape(x.shape)
''')),

    Variant("backward_where_and_list", "dropout_backward", '''
def dropout_backward(dout, mask, p):
    dout = _as_array(dout, "dout")
    mask = _as_array(mask, "mask")
    p = _check_drop_probability(p)
    if dout.shape != mask.shape:
        raise ValueError("shape mismatch")
    return np.where(mask != 0, dout / (1 - p), 0.0)
'''),

    Variant("moments_itertools_loops", "dropout_output_moments", '''
def dropout_output_moments(w, h, p):
    w = _as_array(w, "w")
    h = _as_array(h, "h")
    p = _check_drop_probability(p)
    _check_units(w, h)
    import itertools
    e1 = e2 = 0.0
    for m in itertools.product((0, 1), repeat=len(w)):
        prob = 1.0
        y = 0.0
        for mi, wi, hi in zip(m, w, h):
            prob *= (1 - p) if mi else p
            y += wi * hi * mi / (1 - p)
        e1 += prob * y
        e2 += prob * y * y
    return e1, e2 - e1 * e1
'''),

    Variant("moments_closed_form", "dropout_output_moments", '''
def dropout_output_moments(w, h, p):
    w = _as_array(w, "w")
    h = _as_array(h, "h")
    p = _check_drop_probability(p)
    _check_units(w, h)
    # independent units: E[y] = sum w h, Var(y) = sum (w h)^2 p / (1 - p)
    c = w * h
    return float(c.sum()), float(np.sum(c ** 2) * p / (1 - p))
'''),

    Variant("variance_from_second_moment", "dropout_variance", '''
def dropout_variance(mean, var, p):
    mean = _as_array(mean, "mean")
    var = _as_array(var, "var")
    p = _check_drop_probability(p)
    second = (var + mean ** 2) / (1 - p)
    return second - mean ** 2
'''),
]


# ----------------------------------------------------------------------------- red-team review
# Written from the student stub's docstrings alone (without reading the entries above), the way a
# student would; each one was first run against the grader as it stood, and the suites were
# extended where a correct variant lost points or a mistake got no (or a misleading) hint.
CORRECT += [
    Variant("forward_choice_list_return", "dropout_forward", '''
def dropout_forward(x, p, rng, training=True):
    x = _as_array(x, "x")
    p = _check_drop_probability(p)
    if training:
        _check_generator(rng)
    if not training:
        return [x.copy(), np.ones_like(x, dtype=bool)]
    mask = rng.choice([0.0, 1.0], size=x.shape, p=[p, 1 - p])
    return [x * mask / (1 - p), mask]
'''),
    Variant("forward_uniform_ge_p_where", "dropout_forward", '''
def dropout_forward(x, p, rng, training=True):
    x = _as_array(x, "x")
    p = _check_drop_probability(p)
    if training:
        _check_generator(rng)
    if training and p > 0:
        keep = rng.uniform(0.0, 1.0, size=x.shape) >= p
    else:
        keep = np.ones(x.shape, dtype=bool)
    scale = 1.0 / (1.0 - p) if training else 1.0
    out = np.where(keep, x * scale, 0.0)
    return out, keep.astype(np.int8)
'''),
    Variant("forward_integers_float32_uniform", "dropout_forward", '''
def dropout_forward(x, p, rng, training=True):
    x = _as_array(x, "x")
    p = _check_drop_probability(p)
    if training:
        _check_generator(rng)
    if not training:
        return x, np.ones(x.shape)
    u = rng.random(size=x.shape, dtype=np.float32)
    mask = (u < np.float32(1 - p)).astype(np.float32)
    return x * mask * (1 / (1 - p)), mask
'''),
    Variant("forward_integers_permille", "dropout_forward", '''
def dropout_forward(x, p, rng, training=True):
    x = _as_array(x, "x")
    p = _check_drop_probability(p)
    if training:
        _check_generator(rng)
    if not training:
        return x.copy(), np.ones_like(x)
    mask = (rng.integers(0, 10**6, size=x.shape) >= round(p * 10**6)).astype(float)
    return x * mask / (1 - p), mask
'''),
    Variant("backward_where_bool_tolist", "dropout_backward", '''
def dropout_backward(dout, mask, p):
    dout = _as_array(dout, "dout")
    mask = _as_array(mask, "mask")
    p = _check_drop_probability(p)
    if dout.shape != mask.shape:
        raise ValueError(f"dout and mask must have the same shape, got {dout.shape} and {mask.shape}")
    return np.where(mask.astype(bool), dout / (1 - p), 0.0).tolist()
'''),
    Variant("moments_bits_python_floats", "dropout_output_moments", '''
def dropout_output_moments(w, h, p):
    w = _as_array(w, "w")
    h = _as_array(h, "h")
    p = _check_drop_probability(p)
    _check_units(w, h)
    n = len(w)
    m1 = m2 = 0.0
    for code in range(2 ** n):
        kept = [(code >> i) & 1 for i in range(n)]
        prob = 1.0
        y = 0.0
        for i in range(n):
            prob *= (1 - p) if kept[i] else p
            y += w[i] * h[i] * kept[i] / (1 - p)
        m1 += prob * y
        m2 += prob * y * y
    return float(m1), float(m2 - m1 * m1)
'''),
    Variant("moments_np_average_list", "dropout_output_moments", '''
import itertools
def dropout_output_moments(w, h, p):
    w = _as_array(w, "w")
    h = _as_array(h, "h")
    p = _check_drop_probability(p)
    _check_units(w, h)
    masks = np.array(list(itertools.product([0, 1], repeat=len(w))), dtype=float).reshape(-1, len(w))
    k = masks.sum(axis=1)
    probs = (1 - p) ** k * p ** (len(w) - k)
    ys = masks @ (w * h) / (1 - p)
    mean = np.average(ys, weights=probs)
    return [mean, np.average((ys - mean) ** 2, weights=probs)]
'''),
    Variant("variance_total_variance", "dropout_variance", '''
def dropout_variance(mean, var, p):
    mean = _as_array(mean, "mean")
    var = _as_array(var, "var")
    p = _check_drop_probability(p)
    if np.any(var < 0):
        raise ValueError("var is a variance and must be >= 0")
    try:
        np.broadcast_shapes(mean.shape, var.shape)
    except ValueError:
        raise ValueError("bad shapes") from None
    q = 1 - p
    within = q * var / q ** 2                 # E[Var(d | m)]
    between = mean ** 2 * p * q / q ** 2      # Var(E[d | m])
    out = within + between
    return float(out) if out.ndim == 0 else out
'''),
]
MISTAKES += [
    Variant("forward_mask_cached_across_calls", "dropout_forward", '''
_CACHE = {}
def dropout_forward(x, p, rng, training=True):
    x = _as_array(x, "x")
    p = _check_drop_probability(p)
    if training:
        _check_generator(rng)
    if not training:
        return x.copy(), np.ones_like(x)
    key = (x.shape, p)
    if key not in _CACHE:
        _CACHE[key] = (rng.random(x.shape) < 1 - p).astype(float)
    mask = _CACHE[key]
    return x * mask / (1 - p), mask
''', hint="rng"),
    Variant("forward_returns_drop_mask", "dropout_forward", '''
def dropout_forward(x, p, rng, training=True):
    x = _as_array(x, "x")
    p = _check_drop_probability(p)
    if training:
        _check_generator(rng)
    if not training:
        return x.copy(), np.ones_like(x)
    dropped = rng.random(x.shape) < p
    return x * ~dropped / (1 - p), dropped.astype(float)
''', hint="dropped"),
    Variant("forward_exact_fraction_dropped", "dropout_forward", '''
def dropout_forward(x, p, rng, training=True):
    x = _as_array(x, "x")
    p = _check_drop_probability(p)
    if training:
        _check_generator(rng)
    if not training:
        return x.copy(), np.ones_like(x)
    n_drop = int(round(p * x.size))
    flat = np.ones(x.size)
    flat[rng.choice(x.size, size=n_drop, replace=False)] = 0.0
    mask = flat.reshape(x.shape)
    return x * mask / (1 - p), mask
''', hint="independent"),
    Variant("backward_inverted_mask", "dropout_backward", '''
def dropout_backward(dout, mask, p):
    dout = _as_array(dout, "dout")
    mask = _as_array(mask, "mask")
    p = _check_drop_probability(p)
    if dout.shape != mask.shape:
        raise ValueError(f"dout and mask must have the same shape, got {dout.shape} and {mask.shape}")
    return dout * (1 - mask) / (1 - p)
''', hint="dropped"),
    Variant("backward_squared_scale", "dropout_backward", '''
def dropout_backward(dout, mask, p):
    dout = _as_array(dout, "dout")
    mask = _as_array(mask, "mask")
    p = _check_drop_probability(p)
    if dout.shape != mask.shape:
        raise ValueError(f"dout and mask must have the same shape, got {dout.shape} and {mask.shape}")
    return dout * mask / (1 - p) ** 2
''', hint="once"),
    Variant("moments_probabilities_swapped", "dropout_output_moments", '''
import itertools
def dropout_output_moments(w, h, p):
    w = _as_array(w, "w")
    h = _as_array(h, "h")
    p = _check_drop_probability(p)
    _check_units(w, h)
    mean = m2 = 0.0
    for m in itertools.product([0, 1], repeat=len(w)):
        m = np.array(m)
        prob = p ** m.sum() * (1 - p) ** (len(w) - m.sum())
        y = np.sum(w * h * m) / (1 - p)
        mean += prob * y
        m2 += prob * y * y
    return mean, m2 - mean ** 2
''', hint="kept"),
    Variant("moments_returns_std", "dropout_output_moments", '''
import itertools
def dropout_output_moments(w, h, p):
    w = _as_array(w, "w")
    h = _as_array(h, "h")
    p = _check_drop_probability(p)
    _check_units(w, h)
    ys, ps = [], []
    for m in itertools.product([0, 1], repeat=len(w)):
        m = np.array(m)
        ps.append((1 - p) ** m.sum() * p ** (len(w) - m.sum()))
        ys.append(np.sum(w * h * m) / (1 - p))
    ys, ps = np.array(ys), np.array(ps)
    mean = ps @ ys
    return mean, np.sqrt(ps @ (ys - mean) ** 2)
''', hint="standard deviation"),
    Variant("moments_np_cov_unbiased", "dropout_output_moments", '''
import itertools
def dropout_output_moments(w, h, p):
    w = _as_array(w, "w")
    h = _as_array(h, "h")
    p = _check_drop_probability(p)
    _check_units(w, h)
    masks = np.array(list(itertools.product([0, 1], repeat=len(w))), dtype=float)
    k = masks.sum(axis=1)
    probs = (1 - p) ** k * p ** (len(w) - k)
    ys = masks @ (w * h) / (1 - p)
    return float(np.average(ys, weights=probs)), float(np.cov(ys, aweights=probs))
''', hint="np.cov"),
    Variant("variance_no_rescale", "dropout_variance", '''
def dropout_variance(mean, var, p):
    mean = _as_array(mean, "mean")
    var = _as_array(var, "var")
    p = _check_drop_probability(p)
    if np.any(var < 0):
        raise ValueError("var is a variance and must be >= 0")
    q = 1 - p
    return (var + mean ** 2) * q - (mean * q) ** 2
''', hint="a * m"),
    Variant("variance_p_as_keep", "dropout_variance", '''
def dropout_variance(mean, var, p):
    mean = _as_array(mean, "mean")
    var = _as_array(var, "var")
    p = _check_drop_probability(p)
    if np.any(var < 0):
        raise ValueError("var is a variance and must be >= 0")
    return var / p + mean ** 2 * (1 - p) / p
''', hint="DROPPING"),
    Variant("variance_scale_squared", "dropout_variance", '''
def dropout_variance(mean, var, p):
    mean = _as_array(mean, "mean")
    var = _as_array(var, "var")
    p = _check_drop_probability(p)
    if np.any(var < 0):
        raise ValueError("var is a variance and must be >= 0")
    return var / (1 - p) ** 2 + mean ** 2 * p / (1 - p)
''', hint="m^2 = m"),
]
MISTAKES += [
    # the docstring says the result is an array when mean or var is an array
    Variant("variance_float_cast_breaks_arrays", "dropout_variance", '''
def dropout_variance(mean, var, p):
    mean = _as_array(mean, "mean")
    var = _as_array(var, "var")
    p = _check_drop_probability(p)
    return float(var / (1 - p) + mean ** 2 * p / (1 - p))
''', hint="float(...)"),
]

# ------------------------------------------------------------------ close relatives (issue 15) and their families
MISTAKES += [
    Variant("variance_var_not_rescaled", "dropout_variance", '''
def dropout_variance(mean, var, p):
    mean = _as_array(mean, "mean")
    var = _as_array(var, "var")
    p = _check_drop_probability(p)
    return var + mean ** 2 * p / (1.0 - p)
''', hint="var is not divided by (1 - p)"),
    Variant("variance_keep_on_top", "dropout_variance", '''
def dropout_variance(mean, var, p):
    mean = _as_array(mean, "mean")
    var = _as_array(var, "var")
    p = _check_drop_probability(p)
    return var / (1.0 - p) + mean ** 2 * (1.0 - p) / p
''', hint="p/(1 - p)", named=False),
    Variant("backward_times_keep", "dropout_backward", '''
def dropout_backward(dout, mask, p):
    dout = _as_array(dout, "dout")
    mask = _as_array(mask, "mask")
    p = _check_drop_probability(p)
    return dout * mask * (1.0 - p)
''', hint="multiplied by (1 - p)"),
]

CORRECT += [
    Variant("variance_law_of_total_variance_over_the_mask", "dropout_variance", '''
def dropout_variance(mean, var, p):
    mean = _as_array(mean, "mean")
    var = _as_array(var, "var")
    p = _check_drop_probability(p)
    # condition on the mask: kept (prob 1 - p) scales a by 1/(1 - p), dropped gives 0
    keep = 1.0 - p
    e_var = keep * var / keep ** 2
    var_e = keep * (mean / keep) ** 2 - (keep * mean / keep) ** 2
    return e_var + var_e
'''),
]

# ------------------------------------------------------------------ suite gaps (issue 15)
MISTAKES += [
    Variant("backward_breaks_on_0d", "dropout_backward", '''
def dropout_backward(dout, mask, p):
    dout = _as_array(dout, "dout")
    mask = _as_array(mask, "mask")
    p = _check_drop_probability(p)
    return np.array([d * m / (1.0 - p) for d, m in zip(dout, mask)]).reshape(dout.shape)
''', hint="0-d", named=False),
]
