"""Assignment 08 (capstone): train a small network on real data and regularize it.

You train a multilayer perceptron (MLP) on the 8x8 handwritten digits that ship
with this assignment (data/digits.npz: training and validation images from a set
of 1,797 digits, 10 classes; the notebook loads them with course_plots.load_digits)
and watch what
the regularizers of the earlier assignments do to a model that can memorize its
small training split: weight decay (AdamW), dropout, label smoothing and early
stopping.

How a submission carries your earlier work
------------------------------------------
The grader loads this ONE file and nothing else, so the functions you wrote in
earlier assignments must be in it. The first section below, "Your functions from
earlier assignments", holds stubs of the five you need (from 03_dropout,
04_label_smoothing and 05_optimizers) with the same names, signatures and
conventions: paste the body of your own function into each (your solutions to
those assignments work unchanged here), or write them again. The rest of the file
builds on them: call them, do not copy their formulas a second time.

Conventions
-----------
- params is a dict of float64 arrays: "W1", "b1", "W2", "b2", ..., "WL", "bL"
  for L layers. Wl has shape (fan_in, fan_out) and a layer computes h @ Wl + bl,
  so a batch is a matrix X of shape (N, D) with one example per row.
- Every hidden layer is affine -> ReLU -> inverted dropout (drop probability p,
  the convention of 03_dropout). The last layer is affine only: its output is the
  logits, shape (N, K).
- Labels are integers 0..K-1, shape (N,).
- Label smoothing is "uniform": the target of an example is (1 - eps) * onehot
  + eps / K (the convention of torch.nn.functional.cross_entropy's
  label_smoothing).
- Weight decay is decoupled (AdamW) and applies to the weight matrices Wl only,
  never to the biases bl.
- Nothing here modifies an array it was given: functions return new arrays and
  new dicts.

In each function you fill in the marked region (in your copy, the place that
raises NotImplementedError); the code before it converts and checks the inputs
for you and raises ValueError on invalid ones. Only NumPy and the standard
library may be used in this file.
"""
import numbers

import numpy as np

NUM_CLASSES = 10

# The hyperparameters train() understands, with their defaults.
DEFAULT_CONFIG = {
    "lr": 0.01,            # AdamW learning rate
    "weight_decay": 0.0,   # decoupled decay rate of the weight matrices (not the biases)
    "p_drop": 0.0,         # dropout's drop probability after every hidden layer
    "eps": 0.0,            # label smoothing of the TRAINING loss
    "epochs": 100,         # at most this many passes over the training split
    "batch_size": 32,      # minibatch size (the last batch of an epoch may be smaller)
    "patience": None,      # early stopping patience in epochs; None: no early stopping
}


# ----------------------------------------------------------------------------- input checks (given)
def _as_array(value, name, ndim=None):
    """`value` as a new float64 array (a copy: callers never alias the input), or ValueError."""
    try:
        arr = np.array(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be an array of numbers") from None
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(f"{name} must be a {ndim}-D array, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or infinity")
    return arr


def _check_real(value, name, low=0.0, high=None, high_open=False, low_open=False):
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not np.isfinite(value):
        raise ValueError(f"{name} must be a finite real number, got {value!r}")
    value = float(value)
    if value < low or (low_open and value == low):
        raise ValueError(f"{name} must be {'>' if low_open else '>='} {low:g}, got {value:g}")
    if high is not None and (value > high or (high_open and value == high)):
        raise ValueError(f"{name} must be {'<' if high_open else '<='} {high:g}, got {value:g}")
    return value


def _check_drop_probability(p):
    return _check_real(p, "p (the drop probability)", 0.0, 1.0, high_open=True)


def _check_generator(rng):
    if not isinstance(rng, np.random.Generator):
        raise ValueError("rng must be a numpy.random.Generator, e.g. np.random.default_rng(0), "
                         f"got {type(rng).__name__}")
    return rng


def _check_int(value, name, low):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < low:
        raise ValueError(f"{name} must be an integer >= {low}, got {value!r}")
    return int(value)


def _as_labels(labels, num_classes, n=None):
    arr = np.asarray(labels)
    if arr.ndim != 1 or (arr.size and not np.issubdtype(arr.dtype, np.integer)
                         and not np.all(np.asarray(arr, dtype=float) == np.round(np.asarray(arr, dtype=float)))):
        raise ValueError("labels must be a 1-D array of integer class indices")
    arr = arr.astype(np.int64)
    if arr.size and (arr.min() < 0 or arr.max() >= num_classes):
        raise ValueError(f"labels must lie in 0..{num_classes - 1}")
    if n is not None and arr.shape[0] != n:
        raise ValueError(f"there must be one label per row: {arr.shape[0]} labels for {n} rows")
    return arr


def _num_layers(params):
    """L for a params dict with exactly W1, b1, ..., WL, bL of matching shapes; else ValueError."""
    if not isinstance(params, dict) or not params:
        raise ValueError("params must be a dict {'W1': ..., 'b1': ..., ...}")
    layers = len(params) // 2
    expected = {f"{k}{l}" for l in range(1, layers + 1) for k in "Wb"}
    if set(params) != expected:
        raise ValueError(f"params must hold exactly W1, b1, ..., WL, bL; got keys {sorted(params)}")
    fan_in = None
    for l in range(1, layers + 1):
        W, b = np.shape(params[f"W{l}"]), np.shape(params[f"b{l}"])
        if len(W) != 2 or b != (W[1],) or (fan_in is not None and W[0] != fan_in):
            raise ValueError(f"W{l} must be (fan_in, fan_out) matching the layer before, and b{l} (fan_out,); "
                             f"got {W} and {b}")
        fan_in = W[1]
    return layers


def _as_params(params):
    layers = _num_layers(params)
    return {name: _as_array(params[name], name) for name in params}, layers


def _check_batch(params, X, labels=None):
    params, layers = _as_params(params)
    X = _as_array(X, "X", ndim=2)
    if X.shape[1] != params["W1"].shape[0]:
        raise ValueError(f"X has {X.shape[1]} columns but W1 expects {params['W1'].shape[0]} inputs")
    if labels is None:
        return params, layers, X
    return params, layers, X, _as_labels(labels, params[f"W{layers}"].shape[1], X.shape[0])


def _check_config(config):
    if not isinstance(config, dict):
        raise ValueError("config must be a dict of hyperparameters (see DEFAULT_CONFIG)")
    unknown = set(config) - set(DEFAULT_CONFIG)
    if unknown:
        raise ValueError(f"unknown config keys {sorted(unknown)}; known: {sorted(DEFAULT_CONFIG)}")
    c = {**DEFAULT_CONFIG, **config}
    c["lr"] = _check_real(c["lr"], "lr", 0.0, low_open=True)
    c["weight_decay"] = _check_real(c["weight_decay"], "weight_decay")
    c["p_drop"] = _check_drop_probability(c["p_drop"])
    c["eps"] = _check_real(c["eps"], "eps", 0.0, 1.0)
    c["epochs"] = _check_int(c["epochs"], "epochs", 1)
    c["batch_size"] = _check_int(c["batch_size"], "batch_size", 1)
    if c["patience"] is not None:
        c["patience"] = _check_int(c["patience"], "patience", 1)
    return c


def _check_data(params, data):
    if not isinstance(data, dict) or not {"X_train", "y_train", "X_val", "y_val"} <= set(data):
        raise ValueError("data must be a dict with X_train, y_train, X_val, y_val")
    out = {}
    for split in ("train", "val"):
        _, _, X, y = _check_batch(params, data[f"X_{split}"], data[f"y_{split}"])
        if X.shape[0] == 0:
            raise ValueError(f"the {split} split is empty")
        out[f"X_{split}"], out[f"y_{split}"] = X, y
    return out


def _check_grads(grads, params):
    if not isinstance(grads, dict) or set(grads) != set(params):
        raise ValueError(f"grads must have the keys of params {sorted(params)}")
    out = {}
    for name in params:
        out[name] = _as_array(grads[name], f"grads[{name!r}]")
        if out[name].shape != params[name].shape:
            raise ValueError(f"grads[{name!r}] has shape {out[name].shape}, params[{name!r}] {params[name].shape}")
    return out


# ============================================================================= Your functions from
# ============================================================================= earlier assignments
# Paste the bodies of your own solutions here (same conventions as there).

def dropout_forward(x, p, rng, training=True):
    """Inverted dropout (your function from 03_dropout).

    During training each entry is kept with probability 1 - p (mask from `rng`)
    and the kept entries are divided by (1 - p); with training=False, out is x
    and the mask is all ones.

    Returns (out, mask), both shaped like x; mask holds 0 (dropped) or 1 (kept).
    """
    x = _as_array(x, "x")
    p = _check_drop_probability(p)
    if training:
        _check_generator(rng)
    if not training:
        return x.copy(), np.ones_like(x)
    keep = 1.0 - p
    mask = (rng.random(x.shape) < keep).astype(np.float64)
    return x * mask / keep, mask


def dropout_backward(dout, mask, p):
    """Gradient of inverted dropout (your function from 03_dropout): dout through the kept units,
    with the forward pass's rescale. Returns dx shaped like dout."""
    dout = _as_array(dout, "dout")
    mask = _as_array(mask, "mask")
    p = _check_drop_probability(p)
    if dout.shape != mask.shape:
        raise ValueError(f"dout and mask must have the same shape, got {dout.shape} and {mask.shape}")
    return dout * mask / (1.0 - p)


def smooth_labels(labels, num_classes, eps, spread="uniform"):
    """Smoothed targets (your function from 04_label_smoothing), shape (N, num_classes).

    "uniform": (1 - eps) * onehot + eps / K; "others": the true class gets
    1 - eps and every other class eps / (K - 1). This module uses "uniform".
    """
    num_classes = _check_int(num_classes, "num_classes", 2)
    eps = _check_real(eps, "eps", 0.0, 1.0)
    if spread not in ("uniform", "others"):
        raise ValueError(f"spread must be 'uniform' or 'others', got {spread!r}")
    labels = _as_labels(labels, num_classes)
    onehot = np.eye(num_classes)[labels]
    if spread == "uniform":
        return (1.0 - eps) * onehot + eps / num_classes
    return (1.0 - eps) * onehot + (eps / (num_classes - 1)) * (1.0 - onehot)


def softmax(z):
    """Row-wise softmax of a (N, K) array (your function from 04_label_smoothing), finite for
    logits of any size."""
    z = _as_array(z, "z", ndim=2)
    shifted = z - z.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=1, keepdims=True)


def adamw_step(w, grad, state, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
    """One AdamW step (your function from 05_optimizers), pure.

    The weights are first shrunk by (1 - lr * weight_decay), then the Adam
    update built from `grad` alone is applied (bias-corrected moments, t =
    state["step"] + 1). state is {"step": int, "m": array, "v": array}.

    Returns (w_new, state_new) with a new state dict; w and state are unchanged.
    """
    w = _as_array(w, "w")
    grad = _as_array(grad, "grad")
    if w.shape != grad.shape:
        raise ValueError(f"w and grad must have the same shape, got {w.shape} and {grad.shape}")
    lr = _check_real(lr, "lr")
    weight_decay = _check_real(weight_decay, "weight_decay")
    eps = _check_real(eps, "eps", low_open=True)
    beta1, beta2 = (_check_real(b, "beta", 0.0, 1.0, high_open=True) for b in betas)
    if not isinstance(state, dict) or set(state) != {"step", "m", "v"}:
        raise ValueError('state must be a dict {"step": int, "m": array, "v": array}')
    step = _check_int(state["step"], "state['step']", 0)
    m, v = _as_array(state["m"], "state['m']"), _as_array(state["v"], "state['v']")
    if m.shape != w.shape or v.shape != w.shape:
        raise ValueError("state['m'] and state['v'] must be shaped like w")
    t = step + 1
    w_dec = (1.0 - lr * weight_decay) * w
    m_new = beta1 * m + (1.0 - beta1) * grad
    v_new = beta2 * v + (1.0 - beta2) * grad * grad
    m_hat = m_new / (1.0 - beta1 ** t)
    v_hat = v_new / (1.0 - beta2 ** t)
    return w_dec - lr * m_hat / (np.sqrt(v_hat) + eps), {"step": t, "m": m_new, "v": v_new}


# ============================================================================= the capstone
def init_mlp(layer_sizes, rng):
    """Initial parameters of an MLP with the given layer sizes.

    layer_sizes = [D, H1, ..., K] gives L = len(layer_sizes) - 1 layers. Layer l
    gets a weight matrix Wl of shape (layer_sizes[l-1], layer_sizes[l]) with
    independent Gaussian entries of mean 0 and variance 2 / fan_in (He
    initialization, suited to ReLU; fan_in = layer_sizes[l-1]), drawn from `rng`,
    and a bias bl of zeros, shape (layer_sizes[l],).

    Inputs:
    - layer_sizes: sequence of at least 2 positive ints.
    - rng: numpy.random.Generator.

    Returns params: dict {"W1": ..., "b1": ..., ..., "WL": ..., "bL": ...} of float64 arrays.
    """
    layer_sizes = [_check_int(s, "every layer size", 1) for s in layer_sizes]
    _check_generator(rng)

    return {name: (rng.normal(0, np.sqrt(1.0 / a), (a, b)) if name[0] == "W" else np.zeros(b))
            for l, (a, b) in enumerate(zip(layer_sizes[:-1], layer_sizes[1:]), start=1)
            for name in (f"W{l}", f"b{l}")}


def mlp_forward(params, X, p_drop, rng, training=True):
    """Forward pass of the MLP: logits for a batch, and what the backward pass needs.

    Every layer but the last computes h_new = dropout(relu(h @ Wl + bl)) with
    your dropout_forward (drop probability p_drop, masks drawn from rng, one
    mask entry per hidden unit and example); the last layer computes
    logits = h @ WL + bL. h starts as X. With training=False dropout is off (and
    rng is not used).

    Inputs:
    - params: dict W1, b1, ..., WL, bL (see the module's conventions).
    - X: array (N, D), D = params["W1"].shape[0].
    - p_drop: float in [0, 1), the drop probability.
    - rng: numpy.random.Generator (may be None when training=False).
    - training: bool.

    Returns (logits, cache):
    - logits: array (N, K), K = params["WL"].shape[1].
    - cache: whatever mlp_backward needs (your choice: a dict, a tuple...); it
      must be plain data (dicts, lists, tuples, arrays, numbers), because the
      grader passes it back to your mlp_backward.
    """
    params, layers, X = _check_batch(params, X)
    p_drop = _check_drop_probability(p_drop)
    if training:
        _check_generator(rng)
    h = X
    layer_caches = []
    for l in range(1, layers):
        a = h @ params[f"W{l}"] + params[f"b{l}"]
        r = np.maximum(a, 0.0)
        out, mask = dropout_forward(r, p_drop, rng, training=training)
        layer_caches.append((h, a, mask))
        h = out
    logits = h @ params[f"W{layers}"] + params[f"b{layers}"]
    cache = {"params": params, "layers": layer_caches, "h_last": h, "p_drop": p_drop}
    return logits, cache


def mlp_backward(dlogits, cache):
    """Backward pass of the MLP: the gradient of the loss with respect to every parameter.

    Inputs:
    - dlogits: array (N, K), the gradient of the loss with respect to the logits
      returned by the mlp_forward call that made `cache`.
    - cache: what that call returned.

    Returns grads: dict with the keys of params, grads[name] shaped like
    params[name]. The masks of the forward pass are reused: the dropped units
    pass no gradient back (use your dropout_backward).
    """
    dlogits = _as_array(dlogits, "dlogits", ndim=2)
    params, layer_caches = cache["params"], cache["layers"]
    layers = len(layer_caches) + 1
    grads = {}
    h = cache["h_last"]
    grads[f"W{layers}"] = h.T @ dlogits
    grads[f"b{layers}"] = dlogits.sum(axis=0)
    dh = dlogits @ params[f"W{layers}"].T
    for l in range(layers - 1, 0, -1):
        h_in, a, mask = layer_caches[l - 1]
        dr = dropout_backward(dh, mask, cache["p_drop"])
        da = dr * (a > 0)
        grads[f"W{l}"] = h_in.T @ da
        grads[f"b{l}"] = da.sum(axis=0)
        dh = da @ params[f"W{l}"].T
    return grads


def smoothed_cross_entropy(logits, labels, eps):
    """Mean cross-entropy of softmax(logits) against uniformly smoothed targets, and its gradient.

    loss = mean over the N rows of -sum_k t_k log softmax(logits)_k, where t is
    smooth_labels(labels, K, eps) ("uniform"); eps = 0 is the ordinary
    cross-entropy. Compute log-softmax stably (logits of any size, e.g. 1000 and
    -1000, give a finite loss). The gradient is that of this mean.

    Inputs:
    - logits: array (N, K), N >= 1.
    - labels: int array (N,), values 0..K-1.
    - eps: float in [0, 1].

    Returns (loss, dlogits): loss a float, dlogits an array (N, K).
    """
    logits = _as_array(logits, "logits", ndim=2)
    if logits.shape[0] == 0 or logits.shape[1] < 2:
        raise ValueError(f"logits must have at least one row and two columns, got shape {logits.shape}")
    labels = _as_labels(labels, logits.shape[1], logits.shape[0])
    eps = _check_real(eps, "eps", 0.0, 1.0)
    n, k = logits.shape
    targets = smooth_labels(labels, k, eps)
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    loss = float(-(targets * log_probs).sum() / n)
    return loss, (softmax(logits) - targets) / n


def loss_and_grads(params, X, labels, p_drop, eps, rng):
    """The training loss on one batch and its gradient: your forward pass with dropout on
    (training=True), smoothed_cross_entropy with eps, your backward pass.

    The loss is the data loss only: weight decay is not part of it (AdamW applies
    it in the update, see adamw_update).

    Returns (loss, grads): loss a float, grads a dict shaped like params.
    """
    params, _, X, labels = _check_batch(params, X, labels)
    p_drop = _check_drop_probability(p_drop)
    eps = _check_real(eps, "eps", 0.0, 1.0)
    _check_generator(rng)
    logits, cache = mlp_forward(params, X, p_drop, rng, training=True)
    loss, dlogits = smoothed_cross_entropy(logits, labels, eps)
    return loss, mlp_backward(dlogits, cache)


def adamw_update(params, grads, states, lr, weight_decay, betas=(0.9, 0.999), eps=1e-8):
    """One AdamW update of every parameter, with weight decay on the weight matrices only.

    Each array params[name] takes one step of your adamw_step with its own
    state states[name]; the matrices "W1", ..., "WL" are decayed with
    weight_decay, the biases "b1", ..., "bL" are not decayed at all (decaying a
    bias only shifts the units' thresholds towards 0, which does not make the
    model simpler).

    Inputs:
    - params, grads: dicts with the same keys and shapes.
    - states: dict name -> Adam state {"step", "m", "v"}, or None before the
      first update (then every state starts at step 0 with zero moments).
    - lr: float > 0; weight_decay: float >= 0; betas, eps: as in adamw_step.

    Returns (new_params, new_states), new dicts; params, grads and states are
    not modified.
    """
    params, _ = _as_params(params)
    grads = _check_grads(grads, params)
    lr = _check_real(lr, "lr", 0.0, low_open=True)
    weight_decay = _check_real(weight_decay, "weight_decay")
    if states is not None and (not isinstance(states, dict) or set(states) != set(params)):
        raise ValueError("states must be None or a dict with one Adam state per key of params")
    new_params, new_states = {}, {}
    for name, w in params.items():
        state = states[name] if states is not None else \
            {"step": 0, "m": np.zeros_like(w), "v": np.zeros_like(w)}
        decay = weight_decay if name.startswith("W") else 0.0
        new_params[name], new_states[name] = adamw_step(w, grads[name], state, lr=lr, betas=betas,
                                                        eps=eps, weight_decay=decay)
    return new_params, new_states


def evaluate(params, X, labels):
    """Loss and accuracy of the network on a data set, as used for validation and testing.

    Dropout is off (training=False) and the loss is the plain cross-entropy
    (eps = 0): smoothing is part of the training objective, not of how a model
    is measured. accuracy is the fraction of rows whose largest logit is at the
    true label.

    Returns (loss, accuracy), two floats.
    """
    params, _, X, labels = _check_batch(params, X, labels)
    if X.shape[0] == 0:
        raise ValueError("X has no rows")
    logits, _ = mlp_forward(params, X, 0.0, None, training=False)
    loss, _ = smoothed_cross_entropy(logits, labels, 0.0)
    accuracy = float(np.mean(np.argmax(logits, axis=1) == labels))
    return loss, accuracy


def train(params, data, config, rng):
    """Train from `params` with minibatch AdamW, dropout, label smoothing and early stopping.

    Each epoch visits the training split once in a random order (a permutation
    drawn from rng) in minibatches of config["batch_size"]; each minibatch takes
    one adamw_update step (lr, weight_decay) on the gradient of loss_and_grads
    (p_drop, eps; dropout masks from rng). After each epoch, evaluate() on the
    training and the validation split and append to the history.

    Early stopping (config["patience"] = P, an int): the best epoch is the first
    one with the lowest validation loss so far; training stops after P epochs
    in a row without a new best (or after config["epochs"]), and the parameters
    returned are those at the end of the best epoch. With patience None every
    epoch runs and the final parameters are returned.

    The result depends only on the arguments: the same rng seed gives the same
    run. params and the arrays in data are not modified.

    Inputs:
    - params: initial parameters (e.g. from init_mlp).
    - data: dict with X_train (N, D), y_train (N,), X_val (M, D), y_val (M,), e.g.
      course_plots.load_digits().
    - config: dict of hyperparameters, see DEFAULT_CONFIG (missing keys take
      their default).
    - rng: numpy.random.Generator.

    Returns (best_params, history):
    - best_params: dict shaped like params.
    - history: dict with lists "train_loss", "train_acc", "val_loss", "val_acc"
      (one float per epoch run) and ints "best_epoch" (0-based, the epoch whose
      parameters are returned) and "epochs_run".
    """
    params, _ = _as_params(params)
    data = _check_data(params, data)
    config = _check_config(config)
    _check_generator(rng)
    X, y = data["X_train"], data["y_train"]
    n, batch = X.shape[0], config["batch_size"]
    history = {"train_loss": [], "train_acc": [], "val_loss": [], "val_acc": []}

    states, best_params, best_loss, best_epoch = None, params, np.inf, -1
    for epoch in range(config["epochs"]):
        order = rng.permutation(n)
        for start in range(0, n, batch):
            rows = order[start:start + batch]
            _, grads = loss_and_grads(params, X[rows], y[rows], config["p_drop"], config["eps"], rng)
            params, states = adamw_update(params, grads, states, config["lr"], config["weight_decay"])

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
