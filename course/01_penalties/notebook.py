"""01_penalties: L1, L2 and elastic-net penalties, their gradients, one-dimensional minimizers."""
from . import claims
from .common import intro
from .rubrics import answer


def build(b):
    intro(b, "Penalties: L1, L2 and elastic net", r"""
A penalty adds a price for large weights to the training loss:
$$J(w) = L_{\text{data}}(w) + \lambda\,R(w), \qquad \lambda \ge 0 .$$
The data term rewards fitting the training set; the penalty pulls the weights toward 0, trading a
little training accuracy for a model that depends less on the quirks of one sample. In this
assignment you implement the three classic penalties, their (sub)gradients, and the exact
minimizer of a one-weight problem, which is enough to see the decisive difference between them:
**L1 sets weights exactly to zero, L2 only makes them smaller.**

Why bother? Because a model is judged on data it has not seen. The picture below (drawn with the
reference solution; you redraw it with your own functions in section 5) fits 25 weights to only 30 noisy
examples, with each penalty at many strengths, and measures the error on 2000 **held-out** examples
that the fit never saw. Without a penalty the fit follows the noise of its 30 examples: low training
error, high held-out error. A moderate penalty trades a little training error for a large drop of the
held-out error; too strong a penalty erases the signal too, and both errors rise.

![training and held-out error against the penalty strength](figures/01_heldout_error_vs_lambda.png)""")

    b.md(r"""
## 1. The penalties and the convention used everywhere in this course

| name | penalty $R$ used here | gradient |
| --- | --- | --- |
| L1 (lasso) | $\lambda\sum_i \lvert w_i\rvert$ | $\lambda\,\mathrm{sign}(w)$ (a subgradient, see below) |
| L2 (ridge, "weight decay") | $\frac{\lambda}{2}\sum_i w_i^2$ | $\lambda\,w$ |
| elastic net | $\lambda_1\sum_i\lvert w_i\rvert + \frac{\lambda_2}{2}\sum_i w_i^2$ | $\lambda_1\,\mathrm{sign}(w)+\lambda_2\,w$ |

> **Watch the factor 1/2.** Some texts write the L2 penalty as $\lambda\lVert w\rVert^2$, whose
> gradient is $2\lambda w$; others write $\frac{\lambda}{2}\lVert w\rVert^2$, whose gradient is
> $\lambda w$. Both are fine, but they are *different* $\lambda$'s: $\lambda_{\text{here}} =
> 2\lambda_{\text{other}}$. This course always uses the $\frac{\lambda}{2}$ form, so that the
> gradient, the SGD update $w \leftarrow (1-\eta\lambda)w - \eta\nabla L$ and the "decay factor"
> $1-\eta\lambda$ carry no stray 2. When you compare numbers with another text or library, check
> its convention first.

The penalties return a Python float, the gradients an array of the same shape as `w`. Implement
`l1_penalty` and `l2_penalty`, then run the next cells.""")
    b.code(r"""
w = np.array([1.5, -0.5, 0.0, 2.0])
print("l1_penalty(w, 0.1) =", penalties.l1_penalty(w, 0.1), "  (expected 0.1 * 4.0 = 0.4)")
print("l2_penalty(w, 0.1) =", penalties.l2_penalty(w, 0.1), "  (expected 0.05 * 6.5 = 0.325)")""")
    b.check("l1_penalty")
    b.check("l2_penalty")

    b.md(r"""
## 2. Gradients, and what to do at $w_i = 0$

$\lvert w\rvert$ has no derivative at 0: coming from the left its slope is $-1$, from the right
$+1$. Convex analysis replaces the derivative by the **subdifferential**, the set of slopes of all
lines that touch the graph at that point and stay below it: $\partial\lvert w\rvert = \{-1\}$ for
$w<0$, $\{+1\}$ for $w>0$ and the whole interval $[-1, 1]$ at $w = 0$. A point minimizes a convex
function exactly when $0$ belongs to its subdifferential there; that rule is what produces exact
zeros in section 3.

For a gradient *step* we must pick one element. `l1_subgradient` returns
$\lambda\,\mathrm{sign}(w)$ with $\mathrm{sign}(0) = 0$: at zero it picks the element $0$ of
$[-\lambda, \lambda]$, the one of smallest size (it does not kick a weight that already sits at
0). The L2 gradient $\lambda w$ is an ordinary derivative.

Notice the shape of the two forces in the figure further down: the L1 push has the same size
$\lambda$ however small the weight, the L2 push $\lambda w$ fades as the weight shrinks.

> **L1 and L2 do not become the same thing under SGD.** You may read that "L1 and L2 are
> equivalent under SGD"; that is wrong. What is true is that L2 is "equivalent to weight decay in
> SGD", a statement about **L2 alone**: one SGD step with the L2 gradient is
> $w - \eta(g + \lambda w) = (1-\eta\lambda)w - \eta g$, a multiplicative shrink of every weight
> (weight decay, assignment 05). The L1 step $w - \eta(g + \lambda\,\mathrm{sign}(w))$ moves each
> weight by the fixed amount $\eta\lambda$ toward 0, whatever its size: a different update, and a
> different solution.

**Does subgradient descent land on 0?** Not by itself. Near 0 the L1 step keeps the size $\eta\lambda$, so a
weight whose optimum is 0 jumps across 0 and back, oscillating in a band of width about $\eta\lambda$
around it; it hits exactly 0 only by coincidence (the next cell shows it). The exact zeros of L1 are a
property of the **minimizer** (section 4); algorithms that reach them exactly use the minimizer of the
one-weight problem in every step (the proximal step of assignment 02), not the subgradient.""")
    b.code(r"""
# minimize (w - 0.3)^2 + 1.0 * |w|: the minimizer is exactly 0 (|0.3| <= 1/2), see section 4
w_, lr = 1.0, 0.05
for k in range(60):
    w_ = w_ - lr * (2 * (w_ - 0.3) + penalties.l1_subgradient(np.array([w_]), 1.0)[0])
    if k >= 54:
        print(f"step {k}: w = {w_:+.4f}")""")
    b.code(r"""
w = np.array([1.5, -0.5, 0.0, 2.0])
print("l1_subgradient:", penalties.l1_subgradient(w, 0.1))
print("l2_gradient:   ", penalties.l2_gradient(w, 0.1))""")
    b.check("l1_subgradient")
    b.check("l2_gradient")

    b.md(r"""
## 3. Elastic net

Elastic net adds both penalties with their own strengths. It keeps the L1 ability to switch
features off, while the L2 part makes the problem strongly convex, which stabilizes the solution
when features are strongly correlated (plain L1 tends to pick one of a group of near-copies
more or less at random). Implement `elastic_net_penalty` and `elastic_net_gradient` by reusing
the formulas above (same conventions: $\frac{\lambda_2}{2}$ on the square).""")
    b.code(r"""
print("elastic_net_penalty:", penalties.elastic_net_penalty(w, 0.1, 0.2), " (expected 0.4 + 0.65 = 1.05)")
print("elastic_net_gradient:", penalties.elastic_net_gradient(w, 0.1, 0.2))""")
    b.check("elastic_net_penalty", "elastic_net_gradient")
    b.md("The penalties of one weight and their (sub)gradients, computed with your functions:")
    b.code("cp.fig_penalties(penalties);")

    b.md(r"""
## 4. One weight, solved exactly: where exact zeros come from

Take the simplest possible data term, a parabola centred at $\mu$, and add a penalty:
$$w^\star_{L1}(\mu) = \arg\min_w\,(w-\mu)^2 + \lambda\lvert w\rvert, \qquad
  w^\star_{L2}(\mu) = \arg\min_w\,(w-\mu)^2 + \tfrac{\lambda}{2}w^2 .$$
(Careful: the quadratic here has **no** factor $\frac12$, unlike the proximal operators of the
next assignment; this changes the threshold.)

*L2.* The objective is differentiable: $2(w-\mu) + \lambda w = 0$ gives
$w^\star_{L2} = \mu/(1+\lambda/2)$. It is a rescaling of $\mu$: never zero unless $\mu = 0$.

*L1.* Split by the sign of $w$.
- If $w > 0$: $2(w-\mu) + \lambda = 0$, so $w = \mu - \lambda/2$, consistent only when $\mu > \lambda/2$.
- If $w < 0$: $2(w-\mu) - \lambda = 0$, so $w = \mu + \lambda/2$, consistent only when $\mu < -\lambda/2$.
- At $w = 0$: the subdifferential of the objective is $-2\mu + [-\lambda, \lambda]$, which contains
  0 exactly when $\lvert\mu\rvert \le \lambda/2$.

Together: $w^\star_{L1} = \mathrm{sign}(\mu)\max(\lvert\mu\rvert - \lambda/2,\,0)$, **soft
thresholding** of $\mu$ at $\lambda/2$. A whole interval of data ($\lvert\mu\rvert \le
\lambda/2$) is mapped to exactly 0, because near 0 the penalty's slope $\lambda$ does not fade
while the data term's slope $2(w-\mu)$ is at most $2\lvert\mu\rvert$.

**Example** ($\mu = 1$): with $\lambda = 0.5$, L2 gives $0.8$ and L1 gives $0.75$; with
$\lambda = 2$, L2 gives $0.5$ while L1 gives exactly $0$. Both functions must work elementwise
on arrays of $\mu$.""")
    b.code(r"""
for lam in (0.5, 2.0):
    print(f"lam = {lam}:  L1 -> {penalties.l1_scalar_minimizer(1.0, lam)},"
          f"  L2 -> {penalties.l2_scalar_minimizer(1.0, lam)}")
print("L1 on an array:", penalties.l1_scalar_minimizer(np.array([-2.0, -0.2, 0.0, 0.4, 3.0]), 1.0) + 0.0)""")
    b.check("l1_scalar_minimizer")
    b.check("l2_scalar_minimizer")
    b.md(r"""
Left: the objectives of the example ($\mu = 1$) and their minimizers. Right: the minimizer as a function
of $\mu$. The L1 curves are flat at 0 on a whole interval (the shaded band for $\lambda = 2$); the
L2 lines only get flatter.""")
    b.code("cp.fig_scalar_minimizers(penalties);")
    b.scratch("# Your own experiments (not graded): e.g. plot l1_scalar_minimizer for several lam.\n")

    claims.md(b, r"""
## 5. Regularization on unseen data

A penalty is worth what it does to the error on **new** data, so the data are split: the fit sees only
the training examples, and its error is measured on held-out examples it never saw.

Here is a setting where your functions of section 4 solve a real regression exactly. Take $n = 30$
training examples of $d = 25$ features whose columns are orthogonal with $X^\top X/n = I$. Then
$\frac1n\lVert y - Xw\rVert^2 = \lVert w - w_{\text{ols}}\rVert^2 + \text{const}$ with $w_{\text{ols}} = X^\top y/n$, so
$$\arg\min_w \tfrac1n\lVert y - Xw\rVert^2 + R(w)$$
splits into one problem per weight, $\arg\min_{w_j} (w_j - \mu_j)^2 + R(w_j)$ with $\mu_j = (w_{\text{ols}})_j$:
`l1_scalar_minimizer(w_ols, lam)` is the lasso fit and `l2_scalar_minimizer(w_ols, lam)` the ridge fit.
The truth uses 5 of the 25 features, and the noise is large.

Without a penalty (least squares) the held-out mean squared error is [[ols:.2f]]. With L1 it falls to
[[l1err:.2f]] at $\lambda \approx [[l1lam:.2f]]$, with L2 to [[l2err:.2f]] at $\lambda \approx [[l2lam:.2f]]$. The
training error only grows with $\lambda$: a penalty always fits the training set worse; it wins on new
data because it reduces **variance** (how much the fit changes with the particular noise of the training
set) by more than it adds **bias** (the systematic pull of every weight toward 0). Too much penalty and
the bias dominates: both errors climb toward the error of predicting 0. L1 wins here because the truth is
sparse: it removes the 20 useless weights entirely, where L2 only shrinks them.""",
              ols="cp.penalty_heldout_curves(penalties)[2]",
              l1err="cp.best_lambda(penalties, 'L1')[1]", l1lam="cp.best_lambda(penalties, 'L1')[0]",
              l2err="cp.best_lambda(penalties, 'L2')[1]", l2lam="cp.best_lambda(penalties, 'L2')[0]")
    b.code("cp.fig_penalty_heldout(penalties);")
    b.md(r"""
In practice $\lambda$ is chosen exactly this way, but on a **validation** split (or by cross-validation)
carved out of the training data; the test set is touched once, at the end, to report the error of the
chosen model. Choosing $\lambda$ on the test set would make its error an optimistic estimate.""")

    claims.md(b, r"""
## 6. Geometry: a penalty is a budget

Minimizing $L(w) + \lambda R(w)$ gives, for every $\lambda$, the same solution as minimizing $L(w)$ under a
budget $R(w) \le c$ for a matching $c$ (the budget is active, and $\lambda$ is its Lagrange multiplier).
Draw the budget in two dimensions: $\lvert w_1\rvert + \lvert w_2\rvert \le c$ is a **diamond** with corners on
the axes, $\lVert w\rVert_2 \le c$ a **ball**. The constrained optimum is where the smallest loss contour (an
ellipse around the unpenalized optimum) first touches the budget. For a diamond that is very often a
corner, where one coordinate is exactly 0; a round ball has no corners, so the contact point has both
coordinates non-zero. Below, the loss is the same in both panels and the budget is 1: the L1 optimum is
$([[l1a:.2f]], [[l1b:.2f]])$, the L2 optimum $([[l2a:.2f]], [[l2b:.2f]])$. (The boundaries are traced with your
`l1_penalty` and `l2_penalty`.)""",
              l1a="cp.geometry_optimum(penalties, 'L1')[0]", l1b="abs(cp.geometry_optimum(penalties, 'L1')[1])",
              l2a="cp.geometry_optimum(penalties, 'L2')[0]", l2b="cp.geometry_optimum(penalties, 'L2')[1]")
    b.code("cp.fig_l1_l2_geometry(penalties);")

    b.md(r"""
## 7. The Bayesian view: penalties are priors

Suppose the data come from $y = Xw + \text{noise}$ with Gaussian noise of variance $\sigma^2$, and before
seeing data we believe the weights follow a **prior** density $p(w)$. Bayes' rule gives the posterior
$p(w \mid y) \propto p(y \mid w)\,p(w)$, and its most probable value, the **MAP estimate**, minimizes
$$-\log p(w\mid y) = \frac{1}{2\sigma^2}\lVert y - Xw\rVert^2 \;-\; \log p(w) + \text{const}.$$
- A **Gaussian prior** $w_j \sim \mathcal N(0, 1/\lambda)$ has $-\log p(w) = \frac\lambda2\lVert w\rVert^2 + \text{const}$:
  ridge, with exactly this course's $\frac\lambda2$ convention (relative to a data term scaled by $1/(2\sigma^2)$).
- A **Laplace prior** $p(w_j) \propto e^{-\lambda\lvert w_j\rvert}$ has $-\log p(w) = \lambda\lVert w\rVert_1 + \text{const}$: the lasso.

So $\lambda$ measures how strongly we believe the weights are small before seeing data: a large
$\lambda$ is a narrow prior. The Laplace density has a sharp peak at 0 and heavier tails (right panel above):
it expects many weights near 0 and tolerates a few large ones, which is the sparse picture. Two cautions:
the MAP estimate of the lasso is sparse, but samples from the Laplace posterior are not (a weight is exactly
0 with probability 0); and with more data the likelihood term grows with $n$ while the prior stays fixed,
so the data win and the penalty matters less.""")

    b.md(r"""
## 8. Which parameters to penalize: not the biases

A model $\hat y = w^\top x + b$ has a bias (intercept) $b$. Penalties are applied to the weights $w$ only,
for three reasons:
- **Shifting the targets should shift the predictions.** If every $y$ grows by 10 (say, temperatures in
  another unit offset), the best fit is the same $w$ with $b + 10$. A penalty on $b$ would pull the
  predictions toward 0 instead of toward the mean of $y$, so the answer would depend on where the origin of
  $y$ happens to be.
- **One number does not overfit.** The bias does not let the model follow the noise of individual examples;
  penalizing it adds bias without reducing variance.
- **It does not make the model simpler.** Small weights mean a flat, insensitive function; a small bias
  means nothing of the kind.

In code: center $y$ (and the features) and fit without intercept, as the regressions of this course do,
or leave the bias out of the penalty. Deep-learning libraries do the same with parameter groups: weight decay
on the weight matrices, none on biases (and usually none on normalization layers' $\gamma$, $\beta$).""")

    b.md(r"""
## 9. Written questions (graded by hand)

**Question 1.** Derive, case by case, the minimizer of
$f(w) = \frac12(w-\mu)^2 + \lambda\lvert w\rvert$ and write it as a soft-thresholding operator.
Where does the threshold differ from section 4, and why?""", grade_id="q1-text")
    answer(b, "q1-soft-threshold", 3, r"""
For $w>0$: $f'(w) = w - \mu + \lambda = 0 \Rightarrow w = \mu - \lambda$, valid iff $\mu > \lambda$.
For $w<0$: $f'(w) = w - \mu - \lambda = 0 \Rightarrow w = \mu + \lambda$, valid iff $\mu < -\lambda$.
At $w = 0$: $\partial f(0) = -\mu + [-\lambda, \lambda] \ni 0$ iff $\lvert\mu\rvert \le \lambda$, so then $w^\star = 0$.
The three cases cover every $\mu$ exactly once, so
$w^\star = \mathrm{sign}(\mu)\max(\lvert\mu\rvert - \lambda, 0)$: soft thresholding at $\lambda$.
In section 4 the quadratic is $(w-\mu)^2$ with slope $2(w-\mu)$, twice as steep, so balancing it
against the penalty slope $\lambda$ happens at $\lambda/2$: the threshold is $\lambda/2$ there.""")

    b.question(r"""
**Question 2.** Explain in a few sentences, using the (sub)gradients, why the L1 penalty produces
weights that are *exactly* zero while the L2 penalty only produces small weights. Use the
one-weight formulas of section 4 to support your answer.""", grade_id="q2-text")
    answer(b, "q2-why-zeros", 2, r"""
Near $w = 0$ the L2 force $\lambda w$ vanishes with $w$: the closer the weight gets to 0, the weaker the
pull, so the optimum balances a small data slope with a small penalty slope at a small *non-zero*
value, $w^\star = \mu/(1+\lambda/2) \ne 0$ whenever $\mu \ne 0$. The L1 force keeps the size
$\lambda$ all the way to 0, and at 0 the subdifferential is a whole interval $[-\lambda, \lambda]$:
any data slope smaller than $\lambda$ in size is absorbed there. Hence every $\mu$ with
$2\lvert\mu\rvert \le \lambda$ gives $w^\star = 0$ exactly (soft thresholding), an interval of
inputs mapped to one point.""")

    b.question(r"""
**Question 3 (conventions).** (a) A text writes the L2-regularized loss as
$L(w) + \lambda'\lVert w\rVert^2$. Which $\lambda$ in this course's convention gives the same
objective, and what is the gradient of the penalty in both notations? (b) Someone claims "L1 and L2
regularization are equivalent under SGD". Write one SGD step for each penalty and say whether the
claim holds; what is the true statement behind it?""", grade_id="q3-text")
    answer(b, "q3-conventions", 2, r"""
(a) $\frac{\lambda}{2}\lVert w\rVert^2 = \lambda'\lVert w\rVert^2$ requires $\lambda = 2\lambda'$.
The gradient is $2\lambda' w$ in the other notation and $\lambda w$ here: the same vector.
(b) L2: $w \leftarrow w - \eta(\nabla L + \lambda w) = (1-\eta\lambda)w - \eta\nabla L$, a
multiplicative shrink of every weight (weight decay). L1:
$w \leftarrow w - \eta(\nabla L + \lambda\,\mathrm{sign}(w))$, a constant-size step $\eta\lambda$
toward 0, independent of $\lvert w\rvert$ (and with plain SGD it oscillates around 0 rather
than landing on it). The claim is false. The true statement: for plain SGD, the **L2** penalty is
equivalent to weight decay; L1 is equivalent to neither.""")

    b.quiz()
