"""03_dropout: inverted dropout, its expectation and its variance."""
from . import claims
from .common import intro
from .rubrics import answer


def build(b):
    intro(b, "Inverted dropout: expectation and variance", r"""
Dropout switches off a random subset of units at every training step. A unit can then never
count on a particular partner being present, so the network has to spread what it knows over
many units; and each step trains a different thinned sub-network, all sharing weights. You
implement the forward and backward pass of **inverted** dropout and compute, exactly, what it
does to the mean and the variance of an activation.

What it buys, drawn with the reference solution (you redraw it in section 6): a linear model with 40
features trained on 50 examples, with dropout on its inputs at several drop probabilities, judged on
2000 held-out examples. No dropout fits the noise; a moderate $p$ roughly halves the held-out error;
a large $p$ throws away too much signal.

![held-out error against the drop probability](figures/03_dropout_heldout.png)""")

    b.md(r"""
## 1. The forward pass, and which $p$ we mean

In this course $p$ is the probability of **dropping** a unit. Each unit gets its own mask entry
$m_i \sim \text{Bernoulli}(1-p)$ (1 = kept), and the kept activations are divided by $1-p$:
$$\tilde x_i = \frac{x_i\,m_i}{1-p}.$$

> Some texts use $p$ for the probability of **keeping** a unit, and some apply the correction at
> test time instead (multiply by the keep probability at inference, no division during training).
> Both describe the same model; read the definition before reusing a number. PyTorch's
> `nn.Dropout(p)` uses the convention of this course.

**Why divide by $1-p$?** Because then, for a fixed activation,
$\mathbb E[\tilde x_i] = x_i\,\mathbb E[m_i]/(1-p) = x_i(1-p)/(1-p) = x_i$: on average the next layer
receives what it would receive without dropout. At inference dropout is simply switched off
(`training=False`: the output is $x$ and the mask is all ones) and nothing needs rescaling. With
$p = 0.5$ the survivors are multiplied by $2$.

`dropout_forward(x, p, rng, training=True)` returns `(out, mask)`; draw the mask from the
`numpy.random.Generator` you are given (never from `np.random` directly), so that the same seed
reproduces the same mask.""")
    b.code(r"""
rng = np.random.default_rng(0)
x = np.arange(1.0, 9.0)
out, mask = dropout.dropout_forward(x, 0.5, rng)
print("x   :", x)
print("mask:", mask)
print("out :", out)
print("inference:", dropout.dropout_forward(x, 0.5, rng, training=False)[0])""")
    b.check("dropout_forward")
    b.md(r"""
One forward pass on 40 activations with $p = 0.5$, computed with your function: dropping lowers
the mean, the $1/(1-p)$ rescaling restores it on average (for one draw it is only close).""")
    b.code("cp.fig_dropout_masks(dropout);")
    b.code("cp.show_animation(cp.anim_dropout(dropout, n_frames=16))")

    b.md(r"""
## 2. The backward pass

For a fixed mask the forward pass is linear in $x$, elementwise: $\partial\tilde x_i/\partial x_i
= m_i/(1-p)$. So the gradient flows back only through the units that were kept, scaled by the
same factor, and **with the same mask** as the forward pass (store it; never draw a new one):
$$\frac{\partial L}{\partial x} = \frac{\partial L}{\partial \tilde x}\odot\frac{m}{1-p}.$$""")
    b.code(r"""
print("dx:", dropout.dropout_backward(np.ones_like(x), mask, 0.5))""")
    b.check("dropout_backward")

    b.md(r"""
## 3. All masks at once

A unit $y = \sum_i w_i h_i$ fed by $n$ hidden activations becomes, with dropout on the hidden
layer, $y = \sum_i w_i h_i m_i/(1-p)$. With $n$ units there are $2^n$ masks; a mask that keeps $k$
units has probability $(1-p)^k p^{\,n-k}$. Enumerating them gives the exact distribution of $y$.

For $n = 2$, $p = 0.5$: the four masks $(0,0), (0,1), (1,0), (1,1)$ each have probability
$\frac14$ and give $0$, $2w_2h_2$, $2w_1h_1$, $2w_1h_1 + 2w_2h_2$, so
$\mathbb E[y] = w_1h_1 + w_2h_2$: the output of the network *without* dropout. The training-time
ensemble of sub-networks averages to the inference-time network, for a linear unit.

`dropout_output_moments(w, h, p)` returns the exact `(mean, var)` by enumeration.""")
    b.code(r"""
w, h = np.array([0.5, -1.0]), np.array([2.0, 3.0])
mean, var = dropout.dropout_output_moments(w, h, 0.5)
print(f"E[y] = {mean}  (no-dropout output w.h = {w @ h}),  Var(y) = {var}")""")
    b.check("dropout_output_moments")

    b.md(r"""
## 4. The variance of a dropped-out activation

Dropout keeps the mean; it does **not** keep the variance. Let the activation $a$ itself be random
with mean $\mu$ and variance $\sigma^2$, and $d = a\,m/(1-p)$ with $m$ independent of $a$. Because
$m^2 = m$,
$$\mathbb E[d] = \mu,\qquad \mathbb E[d^2] = \frac{\mathbb E[a^2]\,\mathbb E[m]}{(1-p)^2} = \frac{\sigma^2+\mu^2}{1-p},$$
$$\operatorname{Var}(d) = \frac{\sigma^2+\mu^2}{1-p} - \mu^2 = \frac{\sigma^2}{1-p} + \mu^2\,\frac{p}{1-p}.$$

> **A formula you may meet, and why it is wrong.** Some texts state the variance of a dropped-out
> activation as $\operatorname{Var}(a)\,\frac{p}{1-p}$. That is not the variance of $d$: it is zero at
> $p = 0$, where $d = a$ has variance $\sigma^2$. What is true: the variance *grows* by
> $(\sigma^2 + \mu^2)\frac{p}{1-p}$, which equals $\sigma^2\frac{p}{1-p}$ only when $\mu = 0$; and for
> a fixed activation ($\sigma^2 = 0$) the variance is $a^2\frac{p}{1-p}$. The figure below shows
> the correct formula, a Monte Carlo estimate through your `dropout_forward`, and the wrong formula.

Implement `dropout_variance(mean, var, p)`.""")
    b.code(r"""
print("mu=1, var=0.25, p=0.5:", dropout.dropout_variance(1.0, 0.25, 0.5), "  (expected 0.5 + 1.0 = 1.5)")""")
    b.check("dropout_variance")
    b.code("cp.fig_dropout_variance(dropout);")

    b.md(r"""
## 5. Exercise (autograded): check the formula by simulation

Write `monte_carlo_moments(mean, var, p, n, rng)`: draw `n` activations $a \sim \mathcal N(\mu, \sigma^2)$
from `rng`, pass them through **your** `dropout.dropout_forward` with the same `rng`, and return
the sample mean and the sample variance of the output, as two floats.""")
    b.exercise("mc-exercise", r"""
def monte_carlo_moments(mean, var, p, n, rng):
    ### BEGIN SOLUTION
    a = mean + np.sqrt(var) * rng.standard_normal(n)
    d, _ = dropout.dropout_forward(a, p, rng)
    return float(np.mean(d)), float(np.var(d))
    ### END SOLUTION""")
    b.tests("mc-tests", 2, r"""
# n = 400 000 draws: the relative standard error of a sample variance is below 1% here,
# so a 5% tolerance is more than 5 standard errors wide (a correct answer essentially never fails).
m, v = monte_carlo_moments(1.0, 0.25, 0.5, 400_000, np.random.default_rng(1))
assert abs(m - 1.0) < 0.02, m
assert abs(v - 1.5) < 0.05 * 1.5, v   # exact: 0.25/0.5 + 1 * 0.5/0.5 = 1.5
### BEGIN HIDDEN TESTS
m, v = monte_carlo_moments(0.0, 1.0, 0.2, 400_000, np.random.default_rng(2))
assert abs(m) < 0.02 and abs(v - 1.25) < 0.05 * 1.25, (m, v)
m, v = monte_carlo_moments(2.0, 0.0, 0.0, 1000, np.random.default_rng(3))
assert abs(m - 2.0) < 1e-12 and v < 1e-12, (m, v)
### END HIDDEN TESTS
print("monte_carlo_moments agrees with the formula")""")

    claims.md(b, r"""
## 6. Dropout on held-out data

Train a linear model $\hat y = x^\top w$ on 50 examples of 40 features by gradient descent, drawing a fresh
dropout mask on the **inputs** at every step (your `dropout_forward` on the matrix $X$), and evaluate without
dropout on 2000 held-out examples. Why this helps can be computed exactly, with the variance of section 4:
averaged over masks, the squared error of the dropped-out model is
$$\mathbb E_m\lVert y - \tilde Xw\rVert^2 = \lVert y - Xw\rVert^2 + \frac{p}{1-p}\sum_j w_j^2\sum_i x_{ij}^2,$$
the plain loss plus a ridge penalty whose strength grows with $p/(1-p)$ and with each feature's size. So
input dropout on a linear model *is* an L2 penalty, adapted to the scale of every feature; in a deep
network the penalty is no longer this simple, but the effect, less reliance on any single input, is the same.

Without dropout the held-out mean squared error is [[p0:.2f]]; with $p = [[pbest:.1f]]$ it is [[best:.2f]].
The right panel shows why early on the two look alike: gradient descent starts from 0 (itself a form of
regularization, assignment 06), and only as training goes on does the unregularized model start fitting the
noise while the dropout model stays put.""",
              p0="cp.dropout_heldout_curve(dropout)[2][0]",
              pbest="cp.dropout_heldout_curve(dropout)[0][int(np.argmin(cp.dropout_heldout_curve(dropout)[2]))]",
              best="np.min(cp.dropout_heldout_curve(dropout)[2])")
    b.code("cp.fig_dropout_heldout(dropout);")

    b.md(r"""
## 7. Written questions (graded by hand)

**Question 1.** Show that inverted dropout keeps the expectation of every activation, and explain
why that is what lets us switch dropout off at inference without rescaling anything. For a network
with a non-linearity after the dropped-out layer, is the inference output still the average of the
outputs of all sub-networks? Why or why not?""", grade_id="q1-text")
    answer(b, "q1-expectation", 2, r"""
$\mathbb E[x_i m_i/(1-p)] = x_i\,\mathbb E[m_i]/(1-p) = x_i (1-p)/(1-p) = x_i$. The next layer therefore
sees, on average over masks, the same input during training as at inference when dropout is off and
$\tilde x = x$; so the weights learned under dropout can be used unchanged (no multiplication by
$1-p$ at test time). Averaging is exact only through linear maps: for a linear unit,
$\mathbb E[w^\top \tilde x] = w^\top x$. After a non-linearity $\phi$, $\mathbb E[\phi(\tilde x)] \ne
\phi(\mathbb E[\tilde x])$ in general (Jensen), so using the full network at inference is an
approximation of the average over the $2^n$ sub-networks (the "weight scaling" rule), usually a good one.""")
    b.question(r"""
**Question 2.** Derive $\operatorname{Var}(d)$ for
$d = a\,m/(1-p)$ with $\mathbb E[a] = \mu$, $\operatorname{Var}(a) = \sigma^2$. Then say precisely what
the expression $\sigma^2\,p/(1-p)$, sometimes given as "the variance", is, and what dropout does to the
variance of a unit whose activation is fixed.""", grade_id="q2-text")
    answer(b, "q2-variance", 3, r"""
$\mathbb E[d] = \mu\,(1-p)/(1-p) = \mu$ (independence). $\mathbb E[d^2] = \mathbb E[a^2]\,\mathbb E[m^2]/(1-p)^2
= (\sigma^2+\mu^2)(1-p)/(1-p)^2 = (\sigma^2+\mu^2)/(1-p)$ since $m^2 = m$. So
$\operatorname{Var}(d) = (\sigma^2+\mu^2)/(1-p) - \mu^2 = \sigma^2/(1-p) + \mu^2 p/(1-p)$.
The increase over $\operatorname{Var}(a)$ is $\operatorname{Var}(d) - \sigma^2 = (\sigma^2 + \mu^2)\,p/(1-p)$;
$\sigma^2 p/(1-p)$ is that increase only when $\mu = 0$, never the variance itself (at $p=0$ it gives 0
instead of $\sigma^2$). For a fixed activation $a$ ($\sigma^2 = 0$): $\operatorname{Var}(d) = a^2 p/(1-p)$,
e.g. $a^2$ at $p = 0.5$: dropout injects multiplicative noise whose size grows with the activation.""")

    b.quiz()
