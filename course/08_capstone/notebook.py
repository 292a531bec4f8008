"""08_capstone: a network trained on real digits, and what regularization does to its generalization gap."""
from .common import intro
from .rubrics import answer


def _threads_then_setup(b):
    """A cell before the usual setup: one BLAS thread (the matrices here are small, and threads only
    fight over the cores), then the setup cell."""
    setup = b.setup

    def both():
        b.code('''
# The matrices in this notebook are small: one BLAS thread is faster than several fighting over the cores.
# (Set before NumPy is imported by the setup cell below.)
import os
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")''', grade_id="threads")
        return setup()
    b.setup = both


def build(b):
    _threads_then_setup(b)
    intro(b, "Capstone: regularization closes the generalization gap", r"""
Every earlier assignment taught one regularizer as a function. Here they work together on real
data: you train a small multilayer perceptron on handwritten digits, watch it memorize a small and
partly mislabeled training split, and bring back what it does on images it has never seen with
weight decay, dropout, label smoothing and early stopping.""", extra=r"""
**Your earlier work goes in this file.** The grader loads `capstone.py` alone, so the five functions
you need from 03_dropout, 04_label_smoothing and 05_optimizers (`dropout_forward`,
`dropout_backward`, `smooth_labels`, `softmax`, `adamw_step`) have stubs at the top of it, in the
section *Your functions from earlier assignments*: paste the bodies of your own solutions there (same
names, same conventions). The network's functions call them.
""")

    b.md(r"""
## 0. The phenomenon

The picture below was drawn with the course's reference solution, before you wrote anything. The
same network (64 inputs, 128 ReLU units, 10 outputs) is trained twice on 150 digit images, a quarter
of whose labels were replaced by random digits. Blue is the accuracy on the training split (against
those noisy labels), orange the accuracy on 300 held-out images with correct labels; the shaded band
is the **generalization gap**, the dashed line the epoch whose weights the run returns.

![Training and held-out accuracy over the epochs, without (left) and with (right) regularization](generalization_gap.png)

Left, nothing holds the network back: it reaches 100% on the training split, which means it has
learned the wrong labels too, and its held-out accuracy sinks from its early peak while it does so.
Right, the same network with the four regularizers: training accuracy stays below 100% (it can no
longer afford to memorize the noise) and the gap nearly closes. The numbers are in the panels'
titles. By the end of this notebook your own functions draw this picture.""")

    b.md(r"""
## 1. The data

`cp.load_digits()` returns the training and validation splits shipped in `data/digits.npz` (see
`data/LICENSE-digits.txt` for where the images come from and their license): 8x8 images flattened to
64 pixel intensities in $[0, 1]$, and labels 0-9. The file also holds the original training labels,
so you can count how many were changed. A third split, the **test split**, stays with the
instructor: the grader measures your trained network on it, and you report on it once, at the end.""")
    b.code(r"""
data = cp.load_digits()
for key, value in data.items():
    print(f"{key:8} {value.shape}")
with np.load("data/digits.npz") as raw:
    wrong = int(np.sum(raw["y_train"] != raw["y_train_clean"]))
print(f"{wrong} of {data['y_train'].size} training labels are wrong")

fig, axes = plt.subplots(2, 8, figsize=(8, 2.4))
for ax, image, label in zip(axes.flat, data["X_train"], data["y_train"]):
    ax.imshow(image.reshape(8, 8), cmap="gray_r")
    ax.set_title(str(label), fontsize=9)
    ax.axis("off")
fig.suptitle("training images with their (possibly wrong) labels", fontsize=10);""")

    b.md(r"""
## 2. Your functions from earlier assignments

Paste your `dropout_forward`, `dropout_backward` (03), `smooth_labels`, `softmax` (04) and
`adamw_step` (05) into the first section of `capstone.py`, then run the checks.""")
    b.check("dropout_forward", "dropout_backward", "smooth_labels", "softmax", "adamw_step")

    b.md(r"""
## 3. The network

**Parameters.** `init_mlp([64, 128, 10], rng)` returns `{"W1": (64, 128), "b1": (128,), "W2": (128, 10),
"b2": (10,)}`. The weights are Gaussian with variance $2/\text{fan\_in}$ (He initialization: with ReLU
units, about half of them are zero, and this variance keeps the scale of the activations from
shrinking or growing from layer to layer); the biases start at zero.

**Forward.** Each hidden layer computes $h \leftarrow \text{dropout}(\text{ReLU}(hW_l + b_l))$ with your
`dropout_forward`; the last layer is affine and returns the logits. `mlp_forward` also returns a
`cache`: whatever your backward pass needs (inputs, pre-activations, masks), as plain data.

**Backward.** `mlp_backward(dlogits, cache)` applies the chain rule from the logits down. Three
rules do all the work: for $z = hW + b$, $\partial L/\partial W = h^\top\,\partial L/\partial z$,
$\partial L/\partial b$ is the column sum of $\partial L/\partial z$, and $\partial L/\partial h =
(\partial L/\partial z)\,W^\top$; ReLU passes the gradient only where its input was positive; dropout
passes it through your `dropout_backward` with the **same** mask as the forward pass.""")
    b.code(r"""
rng = np.random.default_rng(0)
params = capstone.init_mlp([64, 128, 10], rng)
print({name: value.shape for name, value in params.items()})
logits, cache = capstone.mlp_forward(params, data["X_train"][:5], 0.5, rng)
print("logits of 5 images:", logits.shape)""")
    b.check("init_mlp", "mlp_forward")

    b.md(r"""
**A numerical gradient check.** The gradient your backward pass returns must agree with central
differences, $(f(w + h) - f(w - h))/(2h)$, of the function your forward pass computes. With dropout
on, fix the masks by giving every call the same seed. The cell checks a small network entry by entry.""")
    b.code(r"""
def gradient_check(p_drop, seed=0, step=1e-6):
    rng = np.random.default_rng(1)
    small = {k: v + 0.1 for k, v in capstone.init_mlp([5, 4, 3], rng).items()}
    X, G = rng.normal(size=(6, 5)), rng.normal(size=(6, 3))
    objective = lambda p: np.sum(G * capstone.mlp_forward(p, X, p_drop, np.random.default_rng(seed))[0])
    _, cache = capstone.mlp_forward(small, X, p_drop, np.random.default_rng(seed))
    grads = capstone.mlp_backward(G, cache)
    worst = 0.0
    for name, w in small.items():
        for i in np.ndindex(w.shape):
            plus, minus = dict(small), dict(small)
            plus[name], minus[name] = w.copy(), w.copy()
            plus[name][i] += step
            minus[name][i] -= step
            numeric = (objective(plus) - objective(minus)) / (2 * step)
            worst = max(worst, abs(numeric - grads[name][i]))
    return worst

for p in (0.0, 0.5):
    print(f"p_drop = {p}: largest |analytic - numerical| = {gradient_check(p):.2e}")""")
    b.check("mlp_backward")

    b.md(r"""
**The loss.** `smoothed_cross_entropy(logits, labels, eps)` is the mean cross-entropy against the
targets `smooth_labels(labels, K, eps)` ("uniform": $1 - \varepsilon + \varepsilon/K$ on the true class,
$\varepsilon/K$ elsewhere), computed through a stable log-softmax, with its gradient with respect to the
logits. Some texts differentiate with respect to the probabilities and stop there; the softmax's
Jacobian turns that into a much simpler expression in the logits, the one to return.
`loss_and_grads` chains forward pass (training mode), loss and backward pass.""")
    b.code(r"""
loss, grads = capstone.loss_and_grads(params, data["X_train"][:32], data["y_train"][:32], 0.5, 0.1, rng)
print(f"loss of the untrained network on 32 images: {loss:.3f}  (log 10 = {np.log(10):.3f})")""")
    b.check("smoothed_cross_entropy", "loss_and_grads")

    b.md(r"""
## 4. AdamW on a whole network

`adamw_update(params, grads, states, lr, weight_decay)` takes one step of your `adamw_step` per array,
each with its own Adam state. The weight matrices are decayed; the **biases are not**: a bias only
shifts a unit's threshold, and pulling thresholds towards zero does not make the function any
smoother (PyTorch users get the same effect with a parameter group whose `weight_decay` is 0). The
decay is AdamW's, decoupled: it is not added to the gradient as well.""")
    b.check("adamw_update")

    b.md(r"""
## 5. The training loop

`evaluate(params, X, y)` measures a network the way it will be used: dropout off and the plain
cross-entropy (no smoothing: smoothing is part of the training objective, not of the measurement).
`train(params, data, config, rng)` runs epochs of shuffled minibatches and, after each epoch,
evaluates both splits. With `patience` set it stops early: it keeps a copy of the parameters
whenever the validation loss reaches a new minimum, stops after `patience` epochs without one, and
returns that copy. Everything random comes from `rng`, so a seed reproduces a run exactly.""")
    b.code(r"""
best, history = capstone.train(capstone.init_mlp([64, 128, 10], np.random.default_rng(0)), data,
                               {"epochs": 30, "lr": 0.003, "patience": 5}, np.random.default_rng(0))
print("epochs run:", history["epochs_run"], " best epoch:", history["best_epoch"])
print("validation loss at the best epoch:", round(history["val_loss"][history["best_epoch"]], 4),
      "  evaluate() on the returned weights:", round(capstone.evaluate(best, data["X_val"], data["y_val"])[0], 4))""")
    b.check("evaluate", "train")

    b.md(r"""
## 6. Reproduce the phenomenon

The same two runs as the picture at the top, now with your functions (`cp.PLAIN` and
`cp.REGULARIZED` are the two configurations). The printed numbers are the ones in the titles.""")
    b.code(r"""
fig = cp.fig_generalization_gap(capstone, data=data)
for name, numbers in fig.numbers.items():
    print(f"{name:12} train {numbers['train_acc']:.3f}  held-out {numbers['val_acc']:.3f}  "
          f"gap {numbers['gap']:+.3f}  (returned epoch {numbers['best_epoch'] + 1} of {numbers['epochs_run']})")""")

    b.md(r"""
## 7. One regularizer at a time

Each panel trains the plain configuration for 100 epochs with one regularizer turned up (the others
off, no early stopping) and plots the final training and validation accuracy against its strength.""")
    b.code(r"""
fig = cp.fig_regularizer_sweep(capstone, data=data)
for name, rows in fig.numbers.items():
    print(name.ljust(13), "  ".join(f"{value:g}: train {train:.2f} / val {val:.2f}" for value, train, val in rows))""")

    b.md(r"""
## 8. Choose on validation, report once on test

Pick a configuration using the **validation** split only: try a few combinations and let
`choose_config()` return the one with the best validation accuracy (a dict of `train`'s
hyperparameters; keep `epochs` at most 100). The test split is not yours to look at: the hidden test
below trains your choice once and reports its test accuracy. Looking at the test split while choosing would make that
number an optimistic, selected score rather than an estimate of the accuracy on new images.""")
    b.exercise("choose-config", r"""
def validation_accuracy(config, seed=0):
    best, history = capstone.train(capstone.init_mlp([64, 128, 10], np.random.default_rng(seed)), data,
                                   config, np.random.default_rng(seed))
    return history["val_acc"][history["best_epoch"]]


def choose_config():
    # the configuration you choose (a dict for train()), looking at the validation split only
    ### BEGIN SOLUTION
    candidates = [{**cp.PLAIN, "patience": 10, "weight_decay": wd, "p_drop": p, "eps": eps}
                  for wd, p, eps in ((0.3, 0.5, 0.1), (1.0, 0.5, 0.1), (0.3, 0.25, 0.0), (1.0, 0.25, 0.1))]
    scores = [validation_accuracy(c) for c in candidates]
    for c, s in zip(candidates, scores):
        print(f"weight_decay {c['weight_decay']:<4} p_drop {c['p_drop']:<5} eps {c['eps']:<4} -> validation {s:.3f}")
    return candidates[int(np.argmax(scores))]
    ### END SOLUTION""")
    b.tests("choose-config-tests", 3, r"""
chosen_config = choose_config()
print("chosen:", chosen_config)
assert set(chosen_config) <= set(capstone.DEFAULT_CONFIG), "chosen_config holds train()'s hyperparameters only"
assert chosen_config.get("epochs", capstone.DEFAULT_CONFIG["epochs"]) <= 100, "at most 100 epochs"
# the unregularized network stays below 0.75 on validation (see section 6): a chosen configuration
# should beat it clearly
assert validation_accuracy(chosen_config) >= 0.78, "the chosen configuration does not beat the plain run on validation"
### BEGIN HIDDEN TESTS
import importlib.util
from pathlib import Path as _Path
_hidden = next(p / "course" / "08_capstone" / "suites" / "hidden" / "digits_test.npz"
               for p in (_Path.cwd(), *_Path.cwd().parents)
               if (p / "course" / "08_capstone" / "suites" / "hidden" / "digits_test.npz").is_file())
with np.load(_hidden) as _raw:
    _X_test, _y_test = _raw["X_test"] / 16.0, _raw["y_test"].astype(int)
_best, _ = capstone.train(capstone.init_mlp([64, 128, 10], np.random.default_rng(0)), data, chosen_config,
                          np.random.default_rng(0))
_test_accuracy = capstone.evaluate(_best, _X_test, _y_test)[1]
print(f"test accuracy of the chosen configuration, measured once: {_test_accuracy:.3f}")
# the grader's end-to-end target on the test split (course/08_capstone/suites/hidden.py)
assert _test_accuracy >= 0.765, _test_accuracy
### END HIDDEN TESTS""")

    b.md(r"""
## 9. Written questions (graded by hand)

**Question 1.** Describe the left panel of the figure in section 6 epoch by epoch: when does the
held-out accuracy peak, what does the training accuracy do afterwards, and what is the network
learning during that second phase? Use the noisy labels in your answer.""", grade_id="q1-text")
    answer(b, "q1-curves", 3, r"""
Model answer. Early on both curves rise together: the network learns what the correct majority of
the labels has in common (the shapes of the digits), which also holds for held-out images, and the
held-out accuracy peaks within the first twenty to thirty epochs. Afterwards training accuracy keeps
climbing to 100% while held-out accuracy falls back: the only way to fit the remaining training
examples is to fit the randomized labels, i.e. to memorize individual images with arbitrary answers.
That memorization carries no information about new images and distorts the decision boundaries
near them, so held-out accuracy drops and the gap widens.""")
    b.question(r"""
**Question 2.** In the sweep of section 7, weight decay and dropout raise the held-out accuracy while
label smoothing alone barely moves it. Explain both observations from what each regularizer does to
a network that can fit every training label. What does that suggest about combining them with early
stopping?""", grade_id="q2-text")
    answer(b, "q2-sweep", 3, r"""
Model answer. Weight decay shrinks every weight matrix at each step, so fitting an isolated,
mislabeled example (which needs large, specific weights) costs more than it gains; dropout makes
any single unit unreliable, so the network cannot devote a few units to memorizing one image: both
limit the capacity used to memorize, and training accuracy falls below 100% as held-out accuracy
rises. Label smoothing only changes the targets: the network still can, and after 100 epochs does,
put the largest logit on every training label, noisy ones included; it stops the logits from
growing without bound, which improves calibration but not which class wins. Early stopping acts on
time rather than capacity: it returns the weights from before memorization sets in, so it helps
even the smoothed run; combined with decay and dropout, which slow memorization down, it has a wide
plateau of good epochs to choose from.""")
    b.question(r"""
**Question 3.** Why must the configuration be chosen on the validation split and the test split used
only once? What would the test accuracy of section 8 mean if you had tried every candidate on the
test split and kept the best?""", grade_id="q3-text")
    answer(b, "q3-selection", 2, r"""
Model answer. Choosing a configuration is itself fitting: among several candidates, the best score on
a finite split is partly the luck of that split. Measured on the split used for the choice, the winner
looks better than it will be on new data. Keeping the test split untouched until the end makes its
single measurement an unbiased estimate of the accuracy on new images. Picking the best candidate on
the test split would report the maximum of several noisy estimates: an optimistic, biased number, and
no data left to check it.""")

    b.quiz()
