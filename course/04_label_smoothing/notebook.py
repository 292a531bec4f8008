"""04_label_smoothing: both conventions, a stable cross-entropy and its gradient."""
from . import claims
from .common import intro
from .rubrics import answer


def build(b):
    intro(b, "Label smoothing and cross-entropy", r"""
With one-hot targets, cross-entropy keeps rewarding a classifier for pushing the probability of
the labelled class closer to 1, which needs ever larger logits: the model grows overconfident,
and a mislabelled example pulls hard. **Label smoothing** moves a small amount $\varepsilon$ of
target probability from the labelled class to the others, so that the best possible prediction
is no longer a certainty. You implement the smoothed targets in both conventions that appear in
the literature, a numerically stable softmax and cross-entropy, and the gradient.

What it changes, drawn with the reference solution (you redraw it in section 6): a softmax classifier
trained on 60 examples with hard labels is **overconfident** on new data: when it says 90%, it is right far
less often. Trained on smoothed labels, its confidence matches its accuracy much better (left: points on the
diagonal are honest), while its accuracy hardly moves (right).

![reliability diagram and calibration error against eps](figures/04_label_smoothing_calibration.png)""")

    b.md(r"""
## 1. Two conventions, same name

For $K$ classes, a true class $c$ and $\varepsilon \in [0, 1]$ two different rules are in use, both
called label smoothing:

| `spread` | target of the true class | target of every other class | used by |
| --- | --- | --- | --- |
| `"uniform"` | $1 - \varepsilon + \varepsilon/K$ | $\varepsilon/K$ | PyTorch `cross_entropy(label_smoothing=eps)`, most papers |
| `"others"` | $1 - \varepsilon$ | $\varepsilon/(K-1)$ | some texts and courses |

`"uniform"` mixes the one-hot vector with the uniform distribution, $(1-\varepsilon)\,\text{onehot} +
\varepsilon\,\frac{\mathbf 1}{K}$, so the true class gets a share of the uniform part too;
`"others"` hands the whole $\varepsilon$ to the $K - 1$ wrong classes. For $K = 10$,
$\varepsilon = 0.1$ the true class gets $0.91$ in one and $0.9$ in the other. They coincide after a
change of $\varepsilon$: `uniform` with $\varepsilon$ equals `others` with
$\varepsilon' = \varepsilon\,(K-1)/K$.

> **A mix-up you may meet.** Some texts state the `"uniform"` formula but then give, for $K = 3$ and
> $\varepsilon = 0.1$, the target $[0.9, 0.05, 0.05]$. That is the `"others"` rule; the `"uniform"` formula
> gives $[0.9\overline{3}, 0.0\overline{3}, 0.0\overline{3}]$. Whenever you read "label smoothing
> 0.1", find out which of the two is meant: the numbers differ, and so do the losses.

`smooth_labels(labels, num_classes, eps, spread="uniform")` returns an $(N, K)$ array whose rows
sum to 1.""")
    b.code(r"""
for spread in ("uniform", "others"):
    print(f"{spread:8s}", label_smoothing.smooth_labels(np.array([0]), 3, 0.1, spread=spread))""")
    b.check("smooth_labels")
    b.code("cp.fig_label_smoothing_targets(label_smoothing);")
    b.code("cp.show_animation(cp.anim_label_smoothing(label_smoothing, n_frames=16))")

    b.md(r"""
## 2. A softmax that never overflows

$\operatorname{softmax}(z)_k = e^{z_k}/\sum_j e^{z_j}$. Computed literally, $e^{1000}$ overflows to
`inf` and the result is `nan`. But adding the same constant to every logit changes nothing
(it multiplies numerator and denominator by the same factor), so subtract the row maximum first:
every exponent is then $\le 0$, the largest term is exactly 1 and the sum lies in $[1, K]$.
`softmax(z)` works row-wise on a matrix (and on a single vector).""")
    b.code(r"""
print(label_smoothing.softmax(np.array([[1000.0, -1000.0, 0.0], [1.0, 2.0, 3.0]])))""")
    b.check("softmax")

    b.md(r"""
## 3. Cross-entropy through the log-softmax

$$\mathcal L = -\frac1N\sum_{n=1}^N\sum_{k=1}^K t_{nk}\,\log\operatorname{softmax}(z_n)_k .$$
Do **not** take the log of the softmax you just computed: a probability that underflows to 0 gives
$\log 0 = -\infty$. Use instead
$\log\operatorname{softmax}(z)_k = (z_k - m) - \log\sum_j e^{z_j - m}$ with $m = \max_j z_j$ (the
log-sum-exp trick), which is finite for any finite logits. With `"uniform"` targets your
`cross_entropy` equals PyTorch's `cross_entropy(z, y, label_smoothing=eps)`.""")
    b.code(r"""
z = np.array([[2.0, 1.0, 0.1], [1000.0, 0.0, -1000.0]])
t = label_smoothing.smooth_labels(np.array([0, 2]), 3, 0.1)
# second row: the labelled class has a logit 2000 below the top one: a huge but finite loss
print("loss:", label_smoothing.cross_entropy(z, t))""")
    b.check("cross_entropy")

    b.md(r"""
## 4. The gradient, on an example

For one example with probabilities $p = \operatorname{softmax}(z)$ and a target $t$ that sums to 1,
$$\frac{\partial \mathcal L}{\partial z_k} = p_k - t_k$$
(you derive it in question 1), and with the mean over $N$ rows every row is divided by $N$.
The gradient vanishes exactly when the prediction equals the target. With one-hot targets no finite
logits achieve that (the true class would need probability 1). With smoothing every target entry is
positive, so it happens at finite logits: $z^\star_k = \log t_k$ and every $z^\star + c\,\mathbf 1$, a line of
minimizers (adding the same constant to every logit leaves the softmax unchanged), all of them finite:
the model is no longer pushed toward "infinite confidence".

**Example** (the true class first, $p = [0.7, 0.2, 0.1]$): one-hot gives
$[-0.3, 0.2, 0.1]$; `"others"` with $\varepsilon = 0.1$ ($t = [0.9, 0.05, 0.05]$) gives
$[-0.2, 0.15, 0.05]$; `"uniform"` ($t = [0.9\overline3, 0.0\overline3, 0.0\overline3]$) gives
$[-0.2\overline3, 0.1\overline6, 0.0\overline6]$. Smoothing weakens the push toward the true class.""")
    b.code(r"""
z = np.log(np.array([[0.7, 0.2, 0.1]]))
for spread in ("others", "uniform"):
    t = label_smoothing.smooth_labels(np.array([0]), 3, 0.1, spread=spread)
    print(f"{spread:8s}", label_smoothing.cross_entropy_grad(z, t))
print("one-hot ", label_smoothing.cross_entropy_grad(z, np.eye(3)[[0]]))""")
    b.check("cross_entropy_grad")
    b.code("cp.fig_label_smoothing_gradient(label_smoothing);")

    b.md(r"""
## 5. The floor of the loss

Cross-entropy against a target $t$ is smallest when the prediction equals $t$, and the minimum is
the **entropy** of the target, $H(t) = -\sum_k t_k\log t_k$ (Gibbs' inequality: the gap is the KL
divergence, which is $\ge 0$). With one-hot targets that floor is 0; with smoothed targets it is
positive, so a training loss that never reaches 0 is expected, not a bug. Terms with $t_k = 0$
contribute 0 (the limit of $t\log t$). Implement `min_cross_entropy(num_classes, eps, spread)`.""")
    b.code(r"""
for spread in ("uniform", "others"):
    print(f"K=10, eps=0.1, {spread:8s}: floor =", label_smoothing.min_cross_entropy(10, 0.1, spread))""")
    b.check("min_cross_entropy")

    claims.md(b, r"""
## 6. Smoothing on held-out data: accuracy and calibration

A classifier is **calibrated** if, among the examples where it predicts its top class with confidence
about $c$, a fraction about $c$ is correct. The **reliability diagram** groups held-out predictions into bins
of confidence and plots each bin's accuracy against its mean confidence; the **expected calibration error**
(ECE) is the average gap $\lvert\text{accuracy} - \text{confidence}\rvert$ over the bins, weighted by how many
predictions fall in each.

Below, softmax regression (20 features, 3 classes, only 60 training examples) is trained by gradient
descent with your `smooth_labels`, `cross_entropy_grad` and `softmax`, for several $\varepsilon$ (`"uniform"`),
and evaluated on 3000 held-out examples. With one-hot targets the training set can be fitted almost perfectly,
so the logits grow without limit and the held-out predictions are overconfident: ECE [[ece0:.3f]], held-out
cross-entropy [[nll0:.2f]]. With $\varepsilon = 0.2$ the targets cap the confidence the model is pushed toward:
ECE [[ece2:.3f]], cross-entropy [[nll2:.2f]]. The accuracy barely changes ([[acc0:.3f]] and [[acc2:.3f]]): smoothing
fixes the *confidence*, not the ranking of the classes. Too much smoothing overshoots and makes the model
under-confident (the ECE rises again, to [[ece3:.3f]] at $\varepsilon = 0.3$).""",
              ece3="cp.smoothing_metrics(label_smoothing, 0.3)[2]",
              ece0="cp.smoothing_metrics(label_smoothing, 0.0)[2]", nll0="cp.smoothing_metrics(label_smoothing, 0.0)[1]",
              ece2="cp.smoothing_metrics(label_smoothing, 0.2)[2]", nll2="cp.smoothing_metrics(label_smoothing, 0.2)[1]",
              acc0="cp.smoothing_metrics(label_smoothing, 0.0)[0]", acc2="cp.smoothing_metrics(label_smoothing, 0.2)[0]")
    b.code("cp.fig_label_smoothing_calibration(label_smoothing);")

    b.md(r"""
## 7. Written questions (graded by hand)

**Question 1.** Derive $\partial\mathcal L/\partial z_k = p_k - t_k$ for one example,
$\mathcal L = -\sum_j t_j\log\operatorname{softmax}(z)_j$. Where do you use that the target sums to 1?""",
               grade_id="q1-text")
    answer(b, "q1-gradient", 3, r"""
$\log\operatorname{softmax}(z)_j = z_j - \log\sum_i e^{z_i}$, so $\mathcal L = -\sum_j t_j z_j +
\big(\sum_j t_j\big)\log\sum_i e^{z_i}$. Differentiating,
$\partial\mathcal L/\partial z_k = -t_k + \big(\sum_j t_j\big)\,e^{z_k}/\sum_i e^{z_i} = -t_k + \big(\sum_j t_j\big)\,p_k$.
With $\sum_j t_j = 1$ (true for one-hot and for both smoothing conventions) this is $p_k - t_k$;
otherwise there would be an extra factor on $p_k$.""")
    b.question(r"""
**Question 2.** (a) For $K = 10$ and $\varepsilon = 0.1$, give the target of the true
class under each convention. (b) Which $\varepsilon'$ in the `"others"` convention reproduces
`"uniform"` with $\varepsilon$? (c) A text states the `"uniform"` formula and illustrates it with $[0.9, 0.05, 0.05]$
for $K = 3$, $\varepsilon = 0.1$. Which convention does the example follow, and what would the stated formula give?""", grade_id="q2-text")
    answer(b, "q2-conventions", 2, r"""
(a) `uniform`: $1 - 0.1 + 0.1/10 = 0.91$; `others`: $1 - 0.1 = 0.9$ (the others get $0.01$ resp. $0.0\overline{1}$).
(b) Match the wrong classes: $\varepsilon'/(K-1) = \varepsilon/K$, so $\varepsilon' = \varepsilon(K-1)/K$;
then the true class gets $1 - \varepsilon' = 1 - \varepsilon + \varepsilon/K$ as well.
(c) $[0.9, 0.05, 0.05]$ is `others` ($\varepsilon/(K-1) = 0.05$); the stated formula
$(1-\varepsilon)\,\text{onehot} + \varepsilon/K$ gives $[0.9\overline{3}, 0.0\overline{3}, 0.0\overline{3}]$.""")
    b.question(r"""
**Question 3.** A model trained with label smoothing $\varepsilon = 0.1$
(`"others"`, $K = 10$) has training accuracy 99% and training cross-entropy 1.5. Is that
consistent? Use `min_cross_entropy` and explain what each number measures.""", grade_id="q3-text")
    answer(b, "q3-consistent", 2, r"""
Yes. Even a perfect model, predicting exactly the smoothed targets, has loss
$H(t) = -0.9\ln 0.9 - 0.1\ln(0.1/9) \approx 0.545$ (`min_cross_entropy(10, 0.1, "others")`), so the
loss can never reach 0. Accuracy only asks whether the true class has the largest probability; the
loss also measures how far the predicted distribution is from the target. A model can put, say, $0.3$
on the true class and less on each other class: always correct (arg max), yet loss
$\approx -0.9\ln 0.3 + \dots > 1$. So 99% accuracy with loss 1.5 means correct but poorly calibrated
(under-confident or badly spread) predictions, not a contradiction.""")

    b.quiz()
