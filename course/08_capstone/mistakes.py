"""Catalogue of student implementations of capstone.py, for tests/test_suites.py.

MISTAKES: wrong implementations a student could plausibly write; each must lose points on its own
function only, and some failed case of that function must give a hint containing `hint`.
CORRECT: unusual but correct implementations; each must score 100%.
Every entry keeps the given scaffolding and changes only what a student writes in the solution region.
"""
from tests.catalogue import Variant

# Pasted from 03-05 (the student's own functions): their mistakes are catalogued with those assignments.
UNCATALOGUED = ["dropout_forward", "dropout_backward", "smooth_labels", "softmax", "adamw_step"]
# The end-to-end cases train the whole pipeline: train() calls the student's loss_and_grads, adamw_update
# and evaluate, so a mistake there (say, a backward pass without the ReLU derivative) may also keep the run
# below its accuracy target. These two cases, and only these, may fail for a mistake in another function;
# every other case of train() checks the loop's contract whatever its building blocks return.
END_TO_END = {"train: on the digits, regularization lifts validation accuracy above the target the plain run misses",
              "train: on the digits, regularization reaches the test accuracy target the plain run misses"}

_HEADS = {
    "init_mlp": '''
def init_mlp(layer_sizes, rng):
    layer_sizes = [_check_int(s, "every layer size", 1) for s in layer_sizes]
    _check_generator(rng)
''',
    "mlp_forward": '''
def mlp_forward(params, X, p_drop, rng, training=True):
    params, layers, X = _check_batch(params, X)
    p_drop = _check_drop_probability(p_drop)
    if training:
        _check_generator(rng)
''',
    "mlp_backward": '''
def mlp_backward(dlogits, cache):
    dlogits = _as_array(dlogits, "dlogits", ndim=2)
''',
    "smoothed_cross_entropy": '''
def smoothed_cross_entropy(logits, labels, eps):
    logits = _as_array(logits, "logits", ndim=2)
    labels = _as_labels(labels, logits.shape[1], logits.shape[0])
    eps = _check_real(eps, "eps", 0.0, 1.0)
    n, k = logits.shape
''',
    "loss_and_grads": '''
def loss_and_grads(params, X, labels, p_drop, eps, rng):
    params, _, X, labels = _check_batch(params, X, labels)
    p_drop = _check_drop_probability(p_drop)
    eps = _check_real(eps, "eps", 0.0, 1.0)
    _check_generator(rng)
''',
    "adamw_update": '''
def adamw_update(params, grads, states, lr, weight_decay, betas=(0.9, 0.999), eps=1e-8):
    params, _ = _as_params(params)
    grads = _check_grads(grads, params)
    lr = _check_real(lr, "lr", 0.0, low_open=True)
    weight_decay = _check_real(weight_decay, "weight_decay")
''',
    "evaluate": '''
def evaluate(params, X, labels):
    params, _, X, labels = _check_batch(params, X, labels)
''',
    "train": '''
def train(params, data, config, rng):
    params, _ = _as_params(params)
    data = _check_data(params, data)
    config = _check_config(config)
    _check_generator(rng)
    X, y = data["X_train"], data["y_train"]
    n, batch = X.shape[0], config["batch_size"]
    history = {"train_loss": [], "train_acc": [], "val_loss": [], "val_acc": []}
''',
}


def _v(name, function, body, hint="", **kwargs):
    return Variant(name, function, _HEADS[function] + body, hint, **kwargs)


_FORWARD = '''
    h, layer_caches = X, []
    for l in range(1, layers):
        a = h @ params[f"W{l}"] + params[f"b{l}"]
        {DROP}
        layer_caches.append((h, a, mask))
        h = out
    logits = h @ params[f"W{layers}"] + params[f"b{layers}"]
    return logits, {"params": params, "layers": layer_caches, "h_last": h, "p_drop": p_drop}
'''

_UPDATE = '''
    new_params, new_states = {}, {}
    for name, w in params.items():
        state = states[name] if states is not None else {"step": 0, "m": np.zeros_like(w), "v": np.zeros_like(w)}
        {STEP}
    return new_params, new_states
'''

_EPOCH = '''
    states, best_params, best_loss, best_epoch = None, params, np.inf, -1
    for epoch in range(config["epochs"]):
        order = rng.permutation(n)
        for start in range(0, n, batch):
            rows = order[start:start + batch]
            _, grads = loss_and_grads(params, X[rows], y[rows], config["p_drop"], config["eps"], rng)
            params, states = adamw_update(params, grads, states, config["lr"], config["weight_decay"])
'''

MISTAKES = [
    _v("init_std_one_over_fan_in", "init_mlp", '''
    return {name: (rng.normal(0, np.sqrt(1.0 / a), (a, b)) if name[0] == "W" else np.zeros(b))
            for l, (a, b) in enumerate(zip(layer_sizes[:-1], layer_sizes[1:]), start=1)
            for name in (f"W{l}", f"b{l}")}
''', hint="2 / fan_in"),

    _v("forward_dropout_left_on_at_evaluation", "mlp_forward", _FORWARD.replace("{DROP}", '''r = np.maximum(a, 0.0)
        out, mask = (dropout_forward(r, p_drop, rng) if p_drop > 0 else (r, np.ones_like(r)))'''),
       hint="dropout is off", named=False),

    _v("backward_no_relu_derivative", "mlp_backward", '''
    params, layer_caches = cache["params"], cache["layers"]
    layers = len(layer_caches) + 1
    grads = {f"W{layers}": cache["h_last"].T @ dlogits, f"b{layers}": dlogits.sum(axis=0)}
    dh = dlogits @ params[f"W{layers}"].T
    for l in range(layers - 1, 0, -1):
        h_in, a, mask = layer_caches[l - 1]
        da = dropout_backward(dh, mask, cache["p_drop"])
        grads[f"W{l}"], grads[f"b{l}"] = h_in.T @ da, da.sum(axis=0)
        dh = da @ params[f"W{l}"].T
    return grads
''', hint="ReLU's derivative"),

    _v("backward_ignores_dropout_mask", "mlp_backward", '''
    params, layer_caches = cache["params"], cache["layers"]
    layers = len(layer_caches) + 1
    grads = {f"W{layers}": cache["h_last"].T @ dlogits, f"b{layers}": dlogits.sum(axis=0)}
    dh = dlogits @ params[f"W{layers}"].T
    for l in range(layers - 1, 0, -1):
        h_in, a, mask = layer_caches[l - 1]
        da = dh * (a > 0)
        grads[f"W{l}"], grads[f"b{l}"] = h_in.T @ da, da.sum(axis=0)
        dh = da @ params[f"W{l}"].T
    return grads
''', hint="reuse the forward pass's dropout masks"),

    _v("loss_gradient_ignores_smoothing", "smoothed_cross_entropy", '''
    targets = smooth_labels(labels, k, eps)
    log_p = logits - logits.max(axis=1, keepdims=True)
    log_p = log_p - np.log(np.exp(log_p).sum(axis=1, keepdims=True))
    return float(-(targets * log_p).sum() / n), (softmax(logits) - np.eye(k)[labels]) / n
''', hint="ignores the smoothing", same_as=("does not change when eps changes",)),

    _v("loss_gradient_summed", "smoothed_cross_entropy", '''
    targets = smooth_labels(labels, k, eps)
    log_p = logits - logits.max(axis=1, keepdims=True)
    log_p = log_p - np.log(np.exp(log_p).sum(axis=1, keepdims=True))
    return float(-(targets * log_p).sum() / n), softmax(logits) - targets
''', hint="N times too large", same_as=("a missing 1/N",)),

    _v("loss_gradient_wrt_probabilities", "smoothed_cross_entropy", '''
    targets = smooth_labels(labels, k, eps)
    probs = softmax(logits)
    log_p = logits - logits.max(axis=1, keepdims=True)
    log_p = log_p - np.log(np.exp(log_p).sum(axis=1, keepdims=True))
    return float(-(targets * log_p).sum() / n), -targets / probs / n
''', hint="PROBABILITIES", named=False),

    _v("loss_and_grads_without_dropout", "loss_and_grads", '''
    logits, cache = mlp_forward(params, X, p_drop, rng, training=False)
    loss, dlogits = smoothed_cross_entropy(logits, labels, eps)
    return loss, mlp_backward(dlogits, cache)
''', hint="training=True", same_as=("does not change when p_drop changes",)),

    _v("update_decays_biases", "adamw_update", _UPDATE.replace("{STEP}", '''new_params[name], new_states[name] = adamw_step(w, grads[name], state, lr=lr, betas=betas, eps=eps,
                                                        weight_decay=weight_decay)'''),
       hint="weight matrices W1..WL only"),

    _v("update_l2_gradient_added_twice", "adamw_update", _UPDATE.replace("{STEP}", '''decay = weight_decay if name.startswith("W") else 0.0
        g = grads[name] + decay * w
        new_params[name], new_states[name] = adamw_step(w, g, state, lr=lr, betas=betas, eps=eps, weight_decay=decay)'''),
       hint="decays the weights twice"),

    _v("update_forgets_decay", "adamw_update", _UPDATE.replace("{STEP}", '''new_params[name], new_states[name] = adamw_step(w, grads[name], state, lr=lr, betas=betas, eps=eps,
                                                        weight_decay=0.0)'''),
       hint="not decayed"),

    _v("evaluate_error_rate", "evaluate", '''
    logits, _ = mlp_forward(params, X, 0.0, None, training=False)
    loss, _ = smoothed_cross_entropy(logits, labels, 0.0)
    return loss, float(np.mean(np.argmax(logits, axis=1) != labels))
''', hint="fraction of WRONG predictions", named=False),

    _v("train_early_stopping_without_restoring", "train", _EPOCH + '''
        for split in ("train", "val"):
            loss, acc = evaluate(params, data[f"X_{split}"], data[f"y_{split}"])
            history[f"{split}_loss"].append(loss)
            history[f"{split}_acc"].append(acc)
        if config["patience"] is None or history["val_loss"][-1] < best_loss:
            best_loss, best_epoch = history["val_loss"][-1], epoch
        elif epoch - best_epoch >= config["patience"]:
            break
    history["best_epoch"] = best_epoch
    history["epochs_run"] = len(history["val_loss"])
    return params, history
''', hint="LAST epoch"),

    _v("train_smoothed_validation_loss", "train", _EPOCH + '''
        for split in ("train", "val"):
            logits, _ = mlp_forward(params, data[f"X_{split}"], 0.0, None, training=False)
            loss, _ = smoothed_cross_entropy(logits, data[f"y_{split}"], config["eps"])
            acc = float(np.mean(np.argmax(logits, axis=1) == data[f"y_{split}"]))
            history[f"{split}_loss"].append(loss)
            history[f"{split}_acc"].append(acc)
        if config["patience"] is None:
            best_params, best_epoch = params, epoch
        elif history["val_loss"][-1] < best_loss:
            best_params, best_loss, best_epoch = params, history["val_loss"][-1], epoch
        elif epoch - best_epoch >= config["patience"]:
            break
    history["best_epoch"] = best_epoch
    history["epochs_run"] = len(history["val_loss"])
    return {k: v.copy() for k, v in best_params.items()}, history
''', hint="includes label smoothing"),

    _v("train_patience_off_by_one", "train", _EPOCH + '''
        for split in ("train", "val"):
            loss, acc = evaluate(params, data[f"X_{split}"], data[f"y_{split}"])
            history[f"{split}_loss"].append(loss)
            history[f"{split}_acc"].append(acc)
        if config["patience"] is None:
            best_params, best_epoch = params, epoch
        elif history["val_loss"][-1] < best_loss:
            best_params, best_loss, best_epoch = params, history["val_loss"][-1], epoch
        elif epoch - best_epoch > config["patience"]:
            break
    history["best_epoch"] = best_epoch
    history["epochs_run"] = len(history["val_loss"])
    return {k: v.copy() for k, v in best_params.items()}, history
''', hint="patience"),


    _v("init_random_biases", "init_mlp", """
    params = {}
    for l in range(1, len(layer_sizes)):
        a, b = layer_sizes[l - 1], layer_sizes[l]
        params[f"W{l}"] = rng.normal(0, np.sqrt(2.0 / a), (a, b))
        params[f"b{l}"] = rng.normal(0, np.sqrt(2.0 / a), b)
    return params
""", hint="biases start at zero"),

    _v("loss_overflows", "smoothed_cross_entropy", """
    targets = smooth_labels(labels, k, eps)
    with np.errstate(all="ignore"):
        probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
        return float(-(targets * np.log(probs)).sum() / n), (probs - targets) / n
""", hint="overflows"),

    _v("loss_spread_over_others", "smoothed_cross_entropy", """
    targets = smooth_labels(labels, k, eps, spread="others")
    log_p = logits - logits.max(axis=1, keepdims=True)
    log_p = log_p - np.log(np.exp(log_p).sum(axis=1, keepdims=True))
    return float(-(targets * log_p).sum() / n), (softmax(logits) - targets) / n
""", hint="uniform convention", same_as=("dividing by N - 1 where N belongs",)),

    _v("update_coupled_l2", "adamw_update", _UPDATE.replace("{STEP}", """decay = weight_decay if name.startswith("W") else 0.0
        new_params[name], new_states[name] = adamw_step(w, grads[name] + decay * w, state, lr=lr, betas=betas,
                                                        eps=eps, weight_decay=0.0)"""), hint="decoupled"),

    _v("evaluate_loss_summed", "evaluate", """
    logits, _ = mlp_forward(params, X, 0.0, None, training=False)
    loss, _ = smoothed_cross_entropy(logits, labels, 0.0)
    return loss * len(labels), float(np.mean(np.argmax(logits, axis=1) == labels))
""", hint="SUM over the rows", same_as=("a missing 1/N",)),

    _v("loss_and_grads_ignores_eps", "loss_and_grads", """
    logits, cache = mlp_forward(params, X, p_drop, rng, training=True)
    loss, dlogits = smoothed_cross_entropy(logits, labels, 0.0)
    return loss, mlp_backward(dlogits, cache)
""", hint="pass eps on"),

    _v("train_never_stops_early", "train", _EPOCH + """
        for part in ("train", "val"):
            loss, acc = evaluate(params, data["X_" + part], data["y_" + part])
            history[part + "_loss"].append(loss)
            history[part + "_acc"].append(acc)
        if config["patience"] is None or history["val_loss"][-1] < best_loss:
            best_params, best_loss, best_epoch = params, history["val_loss"][-1], epoch
    history["best_epoch"] = best_epoch
    history["epochs_run"] = len(history["val_loss"])
    return {k: v.copy() for k, v in best_params.items()}, history
""", hint="patience"),
]

CORRECT = [
    _v("train_shuffles_copies_of_the_arrays", "train", '''
    X, y = data["X_train"], data["y_train"]
    states, best_params, best_loss, best_epoch = None, params, np.inf, -1
    for epoch in range(config["epochs"]):
        order = rng.permutation(n)
        X, y = X[order], y[order]
        for start in range(0, n, batch):
            _, grads = loss_and_grads(params, X[start:start + batch], y[start:start + batch],
                                      config["p_drop"], config["eps"], rng)
            params, states = adamw_update(params, grads, states, config["lr"], config["weight_decay"])
        for split in ("train", "val"):
            loss, acc = evaluate(params, data[f"X_{split}"], data[f"y_{split}"])
            history[f"{split}_loss"].append(loss)
            history[f"{split}_acc"].append(acc)
        if config["patience"] is None:
            best_params, best_epoch = params, epoch
        elif history["val_loss"][-1] < best_loss:
            best_params, best_loss, best_epoch = params, history["val_loss"][-1], epoch
        elif epoch - best_epoch >= config["patience"]:
            break
    history["best_epoch"] = best_epoch
    history["epochs_run"] = len(history["val_loss"])
    return {k: v.copy() for k, v in best_params.items()}, history
'''),

    _v("init_standard_normal_scaled", "init_mlp", """
    params = {}
    for l in range(1, len(layer_sizes)):
        fan_in, fan_out = layer_sizes[l - 1], layer_sizes[l]
        params["W%d" % l] = rng.standard_normal((fan_in, fan_out)) * (2.0 / fan_in) ** 0.5
        params["b%d" % l] = np.zeros((fan_out,))
    return params
"""),

    _v("loss_through_logsumexp", "smoothed_cross_entropy", """
    targets = smooth_labels(labels, k, eps)
    top = logits.max(axis=1)
    lse = top + np.log(np.sum(np.exp(logits - top[:, None]), axis=1))
    loss = np.mean(lse - np.sum(targets * logits, axis=1))
    return loss, (np.exp(logits - lse[:, None]) - targets) / n
"""),

    Variant("forward_backward_list_cache", "mlp_forward", """
def mlp_forward(params, X, p_drop, rng, training=True):
    params, layers, X = _check_batch(params, X)
    p_drop = _check_drop_probability(p_drop)
    if training:
        _check_generator(rng)
    Ws = [params["W%d" % l] for l in range(1, layers + 1)]
    inputs, pre, masks = [], [], []
    h = X
    for l in range(layers - 1):
        inputs.append(h)
        pre.append(h @ Ws[l] + params["b%d" % (l + 1)])
        h, m = dropout_forward(np.where(pre[-1] > 0, pre[-1], 0.0), p_drop, rng, training)
        masks.append(m)
    inputs.append(h)
    return h @ Ws[-1] + params["b%d" % layers], [Ws, inputs, pre, masks, p_drop]


def mlp_backward(dlogits, cache):
    dlogits = _as_array(dlogits, "dlogits", ndim=2)
    Ws, inputs, pre, masks, p = cache
    grads = {}
    d = dlogits
    for l in reversed(range(len(Ws))):
        grads["W%d" % (l + 1)] = inputs[l].T @ d
        grads["b%d" % (l + 1)] = d.sum(axis=0)
        if l:
            d = dropout_backward(d @ Ws[l].T, masks[l - 1], p) * (pre[l - 1] > 0)
    return grads
"""),

    _v("update_written_out_per_array", "adamw_update", """
    b1, b2 = betas
    new_params, new_states = {}, {}
    for name in params:
        w, g = params[name], grads[name]
        st = states[name] if states else {"step": 0, "m": 0 * w, "v": 0 * w}
        t = st["step"] + 1
        m = b1 * st["m"] + (1 - b1) * g
        v = b2 * st["v"] + (1 - b2) * g ** 2
        decay = 0.0 if name[0] == "b" else weight_decay
        new_params[name] = w * (1 - lr * decay) - lr * (m / (1 - b1 ** t)) / (np.sqrt(v / (1 - b2 ** t)) + eps)
        new_states[name] = {"step": t, "m": m, "v": v}
    return new_params, new_states
"""),

    _v("evaluate_with_probabilities", "evaluate", """
    logits, _ = mlp_forward(params, X, 0.0, None, training=False)
    probs = softmax(logits)
    picked = logits[np.arange(len(labels)), labels] - logits.max(axis=1)
    loss = -np.mean(picked - np.log(np.exp(logits - logits.max(axis=1, keepdims=True)).sum(axis=1)))
    return float(loss), float((probs.argmax(axis=1) == labels).sum() / len(labels))
"""),

    _v("forward_dropout_before_relu", "mlp_forward", _FORWARD.replace("{DROP}", """dropped, mask = dropout_forward(a, p_drop, rng, training=training)
        out = np.maximum(dropped, 0.0)   # relu(a * m / (1 - p)) = relu(a) * m / (1 - p): the same map"""),),

    _v("evaluate_in_chunks", "evaluate", """
    total, right = 0.0, 0
    for start in range(0, X.shape[0], 64):
        rows = slice(start, start + 64)
        logits, _ = mlp_forward(params, X[rows], 0.0, None, training=False)
        loss, _ = smoothed_cross_entropy(logits, labels[rows], 0.0)
        total += loss * logits.shape[0]
        right += int(np.sum(np.argmax(logits, axis=1) == labels[rows]))
    return total / X.shape[0], right / X.shape[0]
"""),

    _v("loss_row_by_row", "smoothed_cross_entropy", """
    targets = smooth_labels(labels, k, eps)
    loss, grad = 0.0, np.empty_like(logits)
    for i in range(n):
        z = logits[i] - logits[i].max()
        log_p = z - np.log(np.sum(np.exp(z)))
        loss -= float(targets[i] @ log_p)
        grad[i] = (np.exp(log_p) - targets[i]) / n
    return loss / n, grad
"""),
]
