"""07_normalization_and_more: batch/layer norm, mixup, stochastic depth, Jacobian penalty."""
from . import claims
from .common import intro
from .rubrics import answer


def build(b):
    intro(b, "Normalization layers, mixup, stochastic depth, Jacobian penalty", r"""
The last assignment collects regularizers that act on activations, data and architecture rather than
on a penalty term: **batch normalization** and **layer normalization** (mainly there to make training
stable, with a mild regularizing side effect), **mixup** (train on blends of examples), **stochastic
depth** (dropout for whole residual blocks) and a **Jacobian penalty** (make the output insensitive to
small input changes). It is an extension: shorter explanations, more code. It ends with a short guide to
choosing among all the regularizers of the course.

One thing to see before you start, drawn with the reference solution (you redraw it in section 1): batch norm
behaves differently in training and at inference. In training it standardizes with the statistics of the
batch in hand, so one input's output depends on its batch-mates (blue dots), and with a batch of two it can
only be $\pm 1$ (red); at inference it uses running averages collected during training, and the output is a
fixed function of the input (green).

![batch norm in training mode and at inference](figures/07_batchnorm_inference.png)""")

    b.md(r"""
## 1. Batch normalization (training mode)

For a mini-batch $x \in \mathbb R^{N\times D}$ every **feature** (column) is standardized with the
statistics of the current batch, then scaled and shifted by learned per-feature parameters:
$$\mu_j = \tfrac1N\textstyle\sum_i x_{ij},\quad \sigma_j^2 = \tfrac1N\sum_i (x_{ij}-\mu_j)^2,\quad
\hat x_{ij} = \frac{x_{ij}-\mu_j}{\sqrt{\sigma_j^2+\epsilon}},\quad y_{ij} = \gamma_j\hat x_{ij} + \beta_j .$$
The variance is the biased one (divide by $N$) and $\epsilon$ sits inside the square root.
$\gamma$ and $\beta$ give the layer back the freedom to choose any scale and offset (with
$\gamma_j = \sigma_j$, $\beta_j = \mu_j$ it can even undo the normalization), but now as two
explicit parameters instead of a side effect of every weight upstream.

The forward pass returns `(out, cache)`: the cache holds whatever your backward pass needs.""")
    b.code(r"""
rng = np.random.default_rng(0)
x = rng.normal(loc=[0.0, 5.0, -3.0], scale=[1.0, 10.0, 0.1], size=(6, 3))
out, cache = normalization.batchnorm_forward(x, np.ones(3), np.zeros(3))
print("per-feature mean:", np.round(out.mean(axis=0), 6) + 0.0, "\nper-feature std: ", out.std(axis=0))
# (the third feature has variance 0.01: eps = 1e-5 inside the square root makes its std slightly below 1)""")
    b.check("batchnorm_forward")

    b.md(r"""
### The backward pass: derive it

$\beta$ and $\gamma$ are easy: $\partial L/\partial\beta_j = \sum_i \partial L/\partial y_{ij}$,
$\partial L/\partial\gamma_j = \sum_i \partial L/\partial y_{ij}\,\hat x_{ij}$. For $x$, every entry of a column
enters that column's mean and variance, so the gradient of one sample depends on the whole batch. Work on
one column (drop the index $j$), write $s = \sqrt{\sigma^2+\epsilon}$ and $g_i = \gamma\,\partial L/\partial y_i$
(the gradient with respect to $\hat x_i$), and follow these steps:

1. $\hat x_i = (x_i - \mu)/s$ depends on $x_k$ directly (only when $i = k$), through $\mu$ and through $\sigma^2$.
   Show $\partial\mu/\partial x_k = 1/N$ and $\partial\sigma^2/\partial x_k = 2(x_k - \mu)/N$ (the term from $\mu$
   inside $\sigma^2$ vanishes: why?).
2. Write $\partial\hat x_i/\partial x_k$ as a sum of three terms, one per route, using
   $\partial s/\partial\sigma^2 = 1/(2s)$ and $x_i - \mu = s\,\hat x_i$.
3. Contract with $g$: $\partial L/\partial x_k = \sum_i g_i\,\partial\hat x_i/\partial x_k$. You should find $1/s$
   times $g_k$ minus two batch means: one of $g$, and one of $g\odot\hat x$ multiplied by $\hat x_k$.
4. Vectorize over the columns with `mean(axis=0)`; store in the cache what this needs ($\hat x$, $1/s$, $\gamma$).

The two subtracted means remove the components of $g$ that the normalization cannot pass on: a shift of
the whole column, and (up to the small effect of $\epsilon$) a scaling of the whole column (question 2
comes back to this). The cell below compares your
backward pass with finite differences of your forward pass (a good habit for any hand-written gradient).""")
    b.code(r"""
def numeric_grad(f, x, dout, h=1e-6):
    # central differences of sum(f(x) * dout) with respect to each entry of x
    g = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        xp, xm = x.copy(), x.copy()
        xp[idx] += h
        xm[idx] -= h
        g[idx] = np.sum((f(xp) - f(xm)) * dout) / (2 * h)
    return g

gamma, beta = np.array([1.0, 2.0, 0.5]), np.array([0.0, 1.0, -1.0])
dout = rng.normal(size=x.shape)
out, cache = normalization.batchnorm_forward(x, gamma, beta)
dx, dgamma, dbeta = normalization.batchnorm_backward(dout, cache)
num = numeric_grad(lambda z: normalization.batchnorm_forward(z, gamma, beta)[0], x, dout)
print("batch norm dx, largest error against finite differences:", np.abs(dx - num).max())""")
    b.check("batchnorm_backward")

    claims.md(b, r"""
### Batch norm at inference: running statistics

Your `batchnorm_forward` is the **training mode**: it uses the mean and variance of the batch in hand. At
inference that is wrong twice over: a single example has no batch statistics (its variance is 0), and a
prediction must not depend on which other examples happen to share its batch. So during training every batch
norm layer also keeps running averages of the batch statistics,
$$\text{running\_mean} \leftarrow (1-m)\,\text{running\_mean} + m\,\mu_{\text{batch}},\qquad
\text{running\_var} \leftarrow (1-m)\,\text{running\_var} + m\,\sigma^2_{\text{batch}}$$
(momentum $m = 0.1$ in PyTorch, which stores the unbiased batch variance here), and at inference
$y = \gamma\,(x - \text{running\_mean})/\sqrt{\text{running\_var} + \epsilon} + \beta$: a fixed affine map, the same
for every example. In `model.train()` / `model.eval()` terms this is the switch; forgetting `eval()` is a
classic bug (predictions change with the batch), and so is evaluating with a running average that never
converged. Below, one feature with population mean 3 and variance 4: after 120 batches of 16 the running
estimates are [[rm:.2f]] and [[rv:.2f]]; they fluctuate because each batch is a small sample, the same noise that
gives batch norm its mild regularizing effect in training.""",
              rm="cp.batchnorm_running_stats()[0][-1]", rv="cp.batchnorm_running_stats()[1][-1]")
    b.code("cp.fig_batchnorm_inference(normalization);")

    b.md(r"""
## 2. Layer normalization

Layer norm computes the same standardization **per sample**, over its $D$ features (axis 1), and
then applies the per-feature $\gamma$, $\beta$. No statistic is shared between samples: it works with
a batch of one, behaves identically in training and inference, and is the normalization of
transformers. Its backward pass is the batch-norm derivation with the means taken over the features of
each sample; $\partial L/\partial\gamma$ and $\partial L/\partial\beta$ are still summed over the batch because
$\gamma, \beta$ are shared by all samples.""")
    b.code(r"""
out, cache = normalization.layernorm_forward(x, gamma, beta)
xhat = (out - beta) / gamma
print("per-sample mean of xhat:", np.round(xhat.mean(axis=1), 6) + 0.0, "\nper-sample std of xhat: ", xhat.std(axis=1))""")
    b.check("layernorm_forward")
    b.code(r"""
dx, dgamma, dbeta = normalization.layernorm_backward(dout, cache)
num = numeric_grad(lambda z: normalization.layernorm_forward(z, gamma, beta)[0], x, dout)
print("layer norm dx, largest error against finite differences:", np.abs(dx - num).max())""")
    b.check("layernorm_backward")
    b.md(r"""
Which statistics each layer fixes: after batch norm every *column* has mean 0 and standard deviation 1
(blue), after layer norm every *row* (red). The other direction is left as it is. With a batch of 8,
batch-norm statistics are themselves noisy estimates: that noise, different in every batch, is the
source of its mild regularizing effect, and the reason it degrades with very small batches.""")
    b.code("cp.fig_batchnorm_vs_layernorm(normalization);")
    b.code("cp.show_animation(cp.anim_batchnorm_vs_layernorm(normalization, n_frames=15))")

    b.md(r"""
## 3. Mixup

Mixup trains on convex combinations of pairs of examples and of their labels,
$\tilde x = \lambda x_i + (1-\lambda)x_j$, $\tilde y = \lambda y_i + (1-\lambda)y_j$, with one
$\lambda \sim \text{Beta}(\alpha, \alpha)$ per batch and partners $j$ given by a random permutation of the
batch. It asks the model to behave linearly between training examples, which smooths decision
boundaries. Small $\alpha$ puts most of the mass of $\lambda$ near 0 and 1 (mild mixing). Use the same
$\lambda$ and the same permutation for inputs and labels, and draw both from `rng`.""")
    b.code(r"""
xs = np.arange(8.0).reshape(4, 2)
ys = np.eye(2)[[0, 0, 1, 1]]
x_mix, y_mix, lam = normalization.mixup(xs, ys, 1.0, np.random.default_rng(1))
print("lam =", lam, "\nx_mix:\n", x_mix, "\ny_mix:\n", y_mix)""")
    b.check("mixup")
    b.code("cp.fig_mixup(normalization);")

    claims.md(b, r"""
### Label-preserving augmentation, beside mixup

Mixup invents examples *between* classes with mixed labels. The older and more common kind of data
augmentation invents examples *within* a class: transformations that we know do not change the label.
For images: small shifts and crops, horizontal flips (not for digits or text!), small rotations, colour
jitter; for audio: time shifts, added background noise; for text: synonym replacement, back-translation.
Each transformation encodes a piece of prior knowledge ("a cat shifted by 3 pixels is still a cat") and
multiplies the training set for free. It is label-*preserving* only within limits: rotate a 6 by 180 degrees
and it is a 9.

Below, a small kernel classifier is trained on 20 points of two interleaved half-moons, on the same 20 points
plus 10 jittered copies of each (small Gaussian noise, same label), and on the 20 points plus 10 mixup batches
drawn with your `mixup`. Held-out accuracy on 2000 new points: [[none:.3f]] without augmentation, [[jit:.3f]]
with jitter, [[mix:.3f]] with mixup. On this easy problem the gain is small: augmentation matters most when
the model can memorize the training set. Look instead at the boundaries: jitter widens each class's region
around its points, mixup pushes the boundary toward the middle between the classes.""",
              none="cp.augmentation_accuracy(normalization, 'no augmentation')",
              jit="cp.augmentation_accuracy(normalization, 'jitter (label-preserving)')",
              mix="cp.augmentation_accuracy(normalization, 'mixup')")
    b.code("cp.fig_augmentation(normalization);")

    b.md(r"""
## 4. Stochastic depth

In a residual network a block computes $x + F(x)$. Stochastic depth drops the branch $F$ of a block
for whole samples at random during training: sample $i$ keeps it with probability $q$ (the
*survival probability*; torchvision's `p` is $1-q$), and a kept branch is divided by $q$ so that
$\mathbb E[\text{out}] = x + F(x)$, exactly the inverted-dropout idea of assignment 03. At inference
nothing is dropped or rescaled. The network trained this way is, on average, shallower, and each block
must be useful without relying on its neighbours.""")
    b.code(r"""
branch = lambda z: 10.0 * np.ones_like(z)
xs = np.zeros((6, 2))
print("training:\n", normalization.stochastic_depth(xs, branch, 0.5, np.random.default_rng(0)))
print("inference:\n", normalization.stochastic_depth(xs, branch, 0.5, np.random.default_rng(0), training=False))""")
    b.check("stochastic_depth")

    b.md(r"""
## 5. Jacobian penalty

To make a layer $h = \tanh(Wx + b)$ insensitive to small input perturbations, penalize the squared
Frobenius norm of its Jacobian $J = \partial h/\partial x = \operatorname{diag}(1 - h^2)\,W$:
$$\lVert J\rVert_F^2 = \sum_i (1 - h_i^2)^2\,\lVert W_{i\cdot}\rVert^2 .$$
For a batch the penalty is the mean over samples. Saturated units ($h_i \approx \pm1$) contribute
nothing: their output does not move when the input does.""")
    b.code(r"""
W = np.array([[1.0, -2.0], [0.5, 0.0], [3.0, 1.0]])
bias = np.zeros(3)
print("at x = 0:", normalization.jacobian_penalty(W, bias, np.zeros(2)), "  (= ||W||_F^2 =", np.sum(W**2), ")")
print("far out: ", normalization.jacobian_penalty(W, bias, np.array([5.0, 5.0])))""")
    b.check("jacobian_penalty")
    b.scratch("# Your experiments: e.g. compare jacobian_penalty with a finite-difference Jacobian.\n")

    b.md(r"""
## 6. Choosing a regularizer

Every regularizer of this course trades training fit for behaviour on new data; which one to reach for
depends on the model and on what you know about the problem. A starting guide:

| situation | first choice | why |
| --- | --- | --- |
| linear model, many features, few of them relevant | L1 (lasso) or elastic net | exact zeros select features (01, 02); elastic net when features come in correlated groups |
| linear model, many small effects, correlated features | L2 (ridge) | shrinks all weights, stable under collinearity, closed form (02) |
| any model trained by gradient descent | weight decay; with Adam use **AdamW** | decoupled decay means one $\lambda$ for all weights (05) |
| training for many epochs on limited data | early stopping on a validation split | free, and close to L2 for least squares (06) |
| wide fully connected layers | dropout ($p$ 0.1-0.5), possibly with max-norm | no co-adapted units; max-norm allows larger learning rates (02, 03) |
| classifier with overconfident predictions | label smoothing ($\varepsilon \approx 0.1$) | caps confidence, improves calibration (04) |
| images, audio, text with known invariances | label-preserving data augmentation, mixup | prior knowledge as extra data (07) |
| deep residual networks | stochastic depth, normalization layers | shorter effective depth; stable training (07) |
| output must be insensitive to small input changes | Jacobian penalty (or adversarial training) | penalizes the input gradient directly (07) |

Whatever you choose, pick its strength on **held-out** data (a validation split or cross-validation), never on
the test set and never on the training loss, which every regularizer makes worse by design. Regularizers
combine (AdamW + dropout + augmentation + early stopping is a common recipe); tune the strongest one first.""")

    b.md(r"""
## 7. Written questions (graded by hand)

**Question 1.** Batch norm and layer norm apply the same formula along different axes. Explain which
statistics each one fixes, and which one you would choose (a) for a batch of 2 images, (b) for a
transformer processing sequences of varying length, (c) at inference on a single example. Justify each
answer.""", grade_id="q1-text")
    answer(b, "q1-bn-vs-ln", 2, r"""
Batch norm standardizes each feature over the batch (column statistics), layer norm each sample over its
features (row statistics). (a) Layer norm (or group norm): with 2 samples the batch mean and variance are
extremely noisy (with $N = 2$ every standardized value is $\pm1$), so batch norm's output depends strongly on
the partner in the batch. (b) Layer norm: it needs no statistics shared across positions or examples, so
padding and length do not matter, and it is the same computation in training and inference.
(c) Layer norm works as is; batch norm cannot use batch statistics of one sample (its variance is 0) and
must switch to running averages collected in training, a train/test difference layer norm does not have.""")
    b.question(r"""
**Question 2.** Show that for batch norm the gradient $\partial L/\partial x$ sums to zero over the batch in every
column, whatever the upstream gradient. Why must that be so? (Hint: what happens to the output if you add
the same constant to every entry of a column?)""", grade_id="q2-text")
    answer(b, "q2-bn-grad", 2, r"""
From the formula, $\sum_i \partial L/\partial x_{ij} \propto \sum_i g_{ij} - N\bar g_{\cdot j} - \overline{(g\hat x)}_{\cdot j}\sum_i \hat x_{ij} = 0 - 0 = 0$
because $\sum_i g_{ij} = N\bar g_{\cdot j}$ and $\sum_i\hat x_{ij} = 0$. Reason: adding $c$ to every entry of column $j$
shifts $\mu_j$ by $c$ and leaves $\hat x$ (hence the output and the loss) unchanged, so the directional
derivative of $L$ along $(1, \dots, 1)$ in that column, which is $\sum_i\partial L/\partial x_{ij}$, must be 0.
(Scaling is different: multiplying the centred column by $c$ changes $\hat x$ to $c\,(x-\mu)/\sqrt{c^2\sigma^2+\epsilon}$,
which equals $\hat x$ only when $\epsilon = 0$. The formula gives
$\sum_i \hat x_{ij}\,\partial L/\partial x_{ij} = \frac{\epsilon}{\sigma_j^2+\epsilon}\cdot\frac{\sum_i g_{ij}\hat x_{ij}}{\sqrt{\sigma_j^2+\epsilon}}$,
small but not zero with $\epsilon > 0$.)""")
    b.question(r"""
**Question 3.** Derive $\lVert\partial h/\partial x\rVert_F^2$ for $h = \tanh(Wx + b)$ and explain why the
factor $1 - h_i^2$ appears squared.""", grade_id="q3-text")
    answer(b, "q3-jacobian", 1, r"""
$h_i = \tanh(a_i)$, $a_i = \sum_k W_{ik}x_k + b_i$, $\tanh' = 1 - \tanh^2$, so $J_{ik} = \partial h_i/\partial x_k = (1 - h_i^2)W_{ik}$,
i.e. $J = \operatorname{diag}(1-h^2)W$. The squared Frobenius norm sums the squares of all entries:
$\sum_{i,k}(1-h_i^2)^2W_{ik}^2 = \sum_i (1-h_i^2)^2\lVert W_{i\cdot}\rVert^2$. The factor is squared because each entry of
row $i$ carries it once and the entry is squared.""")

    b.quiz()
