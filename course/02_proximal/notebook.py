"""02_proximal: proximal operators, ISTA/FISTA, ridge."""
from . import claims
from .common import intro
from .rubrics import answer


def build(b):
    intro(b, "Proximal operators, ISTA and FISTA, ridge", r"""
Gradient descent needs a gradient, and $\lVert w\rVert_1$ has none at 0 (exactly where we want
the solution to sit). Proximal methods split the objective in two,
$$\min_w\; f(w) + g(w),\qquad f \text{ smooth (the data term)},\quad g \text{ simple but maybe non-smooth (the penalty)},$$
take an ordinary gradient step on $f$ and then hand the result to the **proximal operator** of
$g$, which solves a tiny penalized problem exactly. You implement the proximal operators of the
usual penalties, a projection, the ISTA and FISTA algorithms for the lasso, and closed-form ridge
regression, and you compare L1 and L2 fits with ordinary least squares (OLS).

The payoff, drawn with the reference solution (you redraw it in section 9): 40 correlated features,
only 50 training examples, and the error on 2000 held-out examples as the strength grows. Least squares
follows the noise; both penalties cut its held-out error by far, at a $\lambda$ that is neither too small
nor too large.

![held-out error of the lasso and of ridge against lambda](figures/02_lasso_ridge_heldout.png)""")

    b.md(r"""
## 1. The proximal operator

$$\operatorname{prox}_{t g}(v) = \arg\min_x\; t\,g(x) + \tfrac12\lVert x - v\rVert^2 .$$

Read it as a compromise: stay close to the point $v$ you were handed (the quadratic), but pay $t$
times the penalty. The quadratic is *not* the data loss: it only measures how far the penalized
answer moves from $v$. Whatever the data loss is (squared error, cross-entropy, ...), once the
gradient step has produced $v$ the prox of an L1 penalty is the same operator. With $t = 0$ the
prox returns $v$; as $t$ grows it pulls harder toward the minimizers of $g$.

When $g$ is a sum over coordinates, the problem splits into independent one-dimensional problems,
which is why all the operators below work elementwise (except the projection, which couples the
coordinates through the norm).""")

    b.md(r"""
## 2. Soft thresholding: the prox of $t\lVert x\rVert_1$

Per coordinate, minimize $t\lvert x\rvert + \frac12(x-v)^2$. For $x>0$ the derivative
$t + x - v$ vanishes at $x = v - t$, which is positive only if $v > t$; symmetrically $x = v + t$
when $v < -t$; and $x = 0$ is optimal exactly when $0 \in -v + [-t, t]$, i.e. $\lvert v\rvert \le t$.
So
$$\operatorname{prox}_{t\lVert\cdot\rVert_1}(v) = \mathrm{sign}(v)\,\max(\lvert v\rvert - t,\,0):$$
everything in $[-t, t]$ becomes exactly $0$, everything else moves $t$ toward 0 keeping its sign.
(In assignment 01 you met the same operator with threshold $\lambda/2$, because there the quadratic
had no $\frac12$.)

Implement `prox_l1(v, t)` (arrays of any shape; `t >= 0`).""")
    b.code(r"""
v = np.array([-2.0, -0.5, 0.0, 0.3, 1.5])
print("prox_l1(v, 0.5) =", proximal.prox_l1(v, 0.5) + 0.0, "  expected [-1.5, 0, 0, 0, 1]")""")
    b.check("prox_l1")

    b.md(r"""
## 3. The prox of L2 is a rescaling; elastic net is "threshold, then rescale"

For $g(x) = \frac{1}{2}\lVert x\rVert^2$ the objective $\frac t2\lVert x\rVert^2 + \frac12\lVert x-v\rVert^2$
is smooth; its gradient $t x + x - v$ vanishes at
$$\operatorname{prox}_{\frac t2\lVert\cdot\rVert^2}(v) = \frac{v}{1+t}.$$
Every coordinate is multiplied by the same factor $1/(1+t) < 1$: the direction of $v$ is kept,
its length shrinks, and no coordinate becomes zero unless it already was. In a proximal gradient
loop, $w \leftarrow (w - \eta g)/(1 + \eta\lambda)$, this is a form of **weight decay**: gradient step,
then multiply the weights by a constant smaller than one. It is not the same update as the SGD step
$w - \eta(g + \lambda w) = (1-\eta\lambda)w - \eta g$ of assignment 05: the decay comes *after* the gradient
step and its factor is $1/(1+\eta\lambda) = 1 - \eta\lambda + \eta^2\lambda^2 - \dots$, so one step differs by
terms of order $\eta^2\lambda$. What the two share is their **fixed point**: $w = (w - \eta g)/(1+\eta\lambda)$
rearranges to $g + \lambda w = 0$, exactly the optimality condition of $L(w) + \frac\lambda2\lVert w\rVert^2$.
(Decaying after the step by $1-\eta\lambda$ instead would solve the problem with strength
$\lambda/(1-\eta\lambda)$; assignment 05 works this out.)

Elastic net, $t_1\lVert x\rVert_1 + \frac{t_2}{2}\lVert x\rVert^2$, combines both effects. You will
derive in question 2 that its prox is soft thresholding at $t_1$ followed by division by
$1 + t_2$. Implement `prox_l2(v, t)` and `prox_elastic_net(v, t1, t2)`.""")
    b.code(r"""
print("prox_l2(v, 1.0)               =", proximal.prox_l2(v, 1.0))
print("prox_elastic_net(v, 0.5, 1.0) =", proximal.prox_elastic_net(v, 0.5, 1.0) + 0.0, "  expected [-0.75, 0, 0, 0, 0.5]")""")
    b.check("prox_l2")
    b.check("prox_elastic_net")

    b.md(r"""
## 4. Hard thresholding: the prox of $t\lVert x\rVert_0$

$\lVert x\rVert_0$ counts the non-zero entries: the most direct measure of sparsity, but not
convex. Per coordinate there are only two candidates. Keeping $x = v$ costs $t$ (one non-zero, no
distance); setting $x = 0$ costs $\frac12 v^2$ (no penalty, distance $\lvert v\rvert$). Keep when
$\frac12 v^2 > t$, i.e. $\lvert v\rvert > \sqrt{2t}$ (at equality both are optimal; the course
API zeroes the tie). Unlike soft thresholding, survivors are **not** shrunk: hard thresholding
has no bias on large coefficients, but it jumps, and the problem it solves is non-convex.

Implement `prox_l0(v, t)`.""")
    b.code(r"""
print("prox_l0(v, 0.5) =", proximal.prox_l0(v, 0.5), "  (threshold sqrt(2*0.5) = 1)")""")
    b.check("prox_l0")
    b.md(r"""
The three maps $v \mapsto \operatorname{prox}(v)$, drawn with your functions (the soft and hard
maps share the dead zone $[-1, 1]$ here):""")
    b.code("cp.fig_threshold_maps(proximal);")

    b.md(r"""
## 5. Projection: the prox of a constraint (max-norm)

If $g$ is $0$ inside a set $C$ and $+\infty$ outside, its prox is the closest point of $C$: the
Euclidean **projection**. Max-norm regularization keeps each neuron's incoming weight vector in a
ball $\lVert w\rVert_2 \le r$; the projection leaves a vector inside the ball alone and rescales a
vector outside it onto the sphere: $w \cdot \min(1, r/\lVert w\rVert_2)$.

`project_max_norm(w, r, axis=None)`: with `axis=None` the norm is over the whole array; with an
axis, each slice along that axis is projected on its own (`axis=1` on a matrix: row by row).""")
    b.code(r"""
W = np.array([[3.0, 4.0], [0.3, 0.4], [0.0, 0.0]])
print("whole array, r=1:\n", proximal.project_max_norm(W, 1.0))
print("row by row, r=1:\n", proximal.project_max_norm(W, 1.0, axis=1))""")
    b.check("project_max_norm")

    b.md(r"""
## 6. ISTA and FISTA for the lasso

The lasso objective of this course (scikit-learn's `Lasso(alpha=lam, fit_intercept=False)`) is
$$F(w) = \frac{1}{2n}\lVert y - Xw\rVert^2 + \lambda\lVert w\rVert_1,\qquad
  \nabla f(w) = \frac1n X^\top(Xw - y).$$
**ISTA** (iterative shrinkage-thresholding) repeats, from $w = 0$:
$$w \leftarrow \operatorname{prox}_{\eta\lambda\lVert\cdot\rVert_1}\big(w - \eta\,\nabla f(w)\big).$$
Note the threshold $\eta\lambda$: the prox is taken of the step size times the penalty. With
$\eta = 1/L$, $L$ the largest eigenvalue of $X^\top X/n$ (the Lipschitz constant of $\nabla f$),
every step decreases $F$ and $F(w_k) - F^\star = O(1/k)$.

**FISTA** adds Nesterov momentum: it takes the prox-gradient step from an extrapolated point.
With $w_0 = z_1 = 0$ and $t_1 = 1$ (the indexing of the docstring of `fista`), iteration $k = 1, 2, \dots$ is
$$w_k = \operatorname{prox}_{\eta\lambda\lVert\cdot\rVert_1}\big(z_k - \eta\nabla f(z_k)\big),\quad
t_{k+1} = \frac{1+\sqrt{1+4t_k^2}}{2},\quad z_{k+1} = w_k + \frac{t_k - 1}{t_{k+1}}\,(w_k - w_{k-1}).$$
This improves the rate to $O(1/k^2)$ at the same cost per iteration. It is not monotone: $F$ may
go up for a few steps.

Implement `ista` and `fista` (`n_iter` iterations, `step=None` meaning $1/L$).""")
    b.code(r"""
X, y, w_true = cp.regression_data()
w_ista = proximal.ista(X, y, 0.3, n_iter=2000) + 0.0    # (+ 0.0 turns -0.0 into 0.0 for printing)
w_fista = proximal.fista(X, y, 0.3, n_iter=2000) + 0.0
print("true weights:", w_true)
print("ISTA        :", w_ista)
print("FISTA       :", w_fista)
print("largest difference:", np.abs(w_ista - w_fista).max(), "  zeros:", int(np.sum(w_fista == 0)))""")
    b.check("ista")
    b.check("fista")
    claims.md(b, r"""
The objective gap $F(w_k) - F^\star$ after $k$ iterations on a badly conditioned problem (20 strongly
correlated features), with the two textbook guarantees for the step $1/L$ from $w_0 = 0$:
$F(w_k) - F^\star \le L\lVert w^\star\rVert^2/(2k)$ for ISTA and $\le 2L\lVert w^\star\rVert^2/(k+1)^2$ for FISTA. Both
methods stay under their bound at every plotted $k$ (points above it: [[ista_over:d]] for ISTA,
[[fista_over:d]] for FISTA), and usually far under it: once close to the solution, where the active
features are fixed, both speed up. On this grid FISTA's gap is below $10^{-6}$ from $k = [[kf:d]]$, ISTA's
only from $k = [[ki:d]]$.""",
              ista_over="np.sum(cp.ista_fista_gaps(proximal)[1] > cp.ista_fista_gaps(proximal)[3])",
              fista_over="np.sum(cp.ista_fista_gaps(proximal)[2] > cp.ista_fista_gaps(proximal)[4])",
              kf="cp.first_k_below(proximal, 'fista')", ki="cp.first_k_below(proximal, 'ista')")
    b.code("cp.fig_ista_vs_fista(proximal);")

    b.md(r"""
## 7. Ridge in closed form

The L2-penalized least squares problem $\min_w \lVert y - Xw\rVert^2 + \lambda\lVert w\rVert^2$
(scikit-learn's `Ridge(alpha=lam, fit_intercept=False)`) has a unique solution for every
$\lambda > 0$:
$$(X^\top X + \lambda I)\,w = X^\top y .$$
Adding $\lambda I$ lifts every eigenvalue of $X^\top X$ by $\lambda$, so the system is well
conditioned even when columns are nearly collinear. Solve the linear system (`np.linalg.solve`);
never form the inverse, which costs more and loses accuracy.

> **Mind the scale of $\lambda$.** The same letter lives on three scales in this course:
>
> | where | objective | solution |
> | --- | --- | --- |
> | `ista`, `fista` (lasso) | $\frac1{2n}\lVert y - Xw\rVert^2 + \lambda\lVert w\rVert_1$ | mean loss |
> | `ridge_closed_form` | $\lVert y - Xw\rVert^2 + \lambda\lVert w\rVert^2$ | $(X^\top X + \lambda I)^{-1}X^\top y$, sum loss |
> | ridge filter (assignment 06) | $\frac1{2n}\lVert y - Xw\rVert^2 + \frac\lambda2\lVert w\rVert^2$ | $(X^\top X + n\lambda I)^{-1}X^\top y$, mean loss |
>
> So `ridge_closed_form(X, y, lam)` is the mean-loss ridge with $\lambda = \mathrm{lam}/n$: with $n = 60$ examples,
> `lam = 60` is $\lambda = 1$ there. Convert before comparing a lasso $\lambda$ with a ridge `lam`.""")
    b.code(r"""
for lam in (0.0, 10.0, 1000.0):
    print(f"lam = {lam:6g}:", proximal.ridge_closed_form(X, y, lam))""")
    b.check("ridge_closed_form")

    b.md(r"""
## 8. L1 and L2 against OLS

Same data, three strengths each. Top: coefficients (green OLS, red/blue regularized); bottom:
predictions against the truth **on the training set**, where OLS always looks best (it minimizes exactly
that error); section 9 judges them on new data. L1 switches features off one after the other, keeping the strong
ones; L2 shrinks every coefficient and zeroes none. With a large penalty both fits flatten toward
predicting 0: the price of too much regularization.""")
    b.code("cp.fig_lasso_vs_ols(proximal);")
    b.code("cp.fig_ridge_vs_ols(proximal);")
    b.md("The same comparison as an animation over a range of $\\lambda$:")
    b.code("cp.show_animation(cp.anim_lasso_path(proximal, n_frames=14))")
    b.scratch("# Try: cp.show_animation(cp.anim_ridge_path(proximal)) or your own lam values.\n")

    claims.md(b, r"""
## 9. Choosing $\lambda$ on held-out data

The panels above flatter least squares: they show the training set. Now fit on 50 training examples of
40 correlated features (5 of them useful) and measure the error on 2000 held-out examples. Least squares
reaches a held-out mean squared error of [[ols:.2f]]: with almost as many weights as examples it fits the
noise. The lasso (`fista`) gets down to [[lasso:.2f]] at $\lambda \approx [[lassolam:.3f]]$, ridge
(`ridge_closed_form`) to [[ridge:.2f]] at `lam` $\approx [[ridgelam:.1f]]$ (on its own sum-loss scale: divide by
$n = 50$ to compare with the mean-loss $\lambda$). The training error only rises with $\lambda$; the held-out
error falls while the penalty removes variance and rises once it removes signal: the U shape of every
regularizer. The lasso does better here because the truth is sparse.""",
              ols="cp.ols_heldout(proximal)", lasso="cp.heldout_best(proximal, 'lasso')[1]",
              lassolam="cp.heldout_best(proximal, 'lasso')[0]", ridge="cp.heldout_best(proximal, 'ridge')[1]",
              ridgelam="cp.heldout_best(proximal, 'ridge')[0]")
    b.code("cp.fig_lasso_ridge_heldout(proximal);")

    claims.md(b, r"""
## 10. Max-norm inside a training loop

A projection is used as a step of the training loop: after each (stochastic) gradient step, project the
weights back into the allowed set,
$$W \leftarrow \operatorname{project\_max\_norm}(W - \eta\,\nabla L(W),\ r,\ \text{axis}=1).$$
This is **projected gradient descent**, the proximal gradient method of section 6 with the prox of the
constraint. Below, a linear model with 5 outputs (one weight row per output, as the incoming weights of 5
neurons) is trained by minibatch SGD on the same 50 examples. Without a constraint the row norms keep
growing as SGD fits the noise, and the held-out error is [[free:.2f]]; capping every row at $r = [[rbest:.2f]]$
brings it to [[best:.2f]]. A very small ball underfits (both errors rise), a very large one is no constraint at
all. Max-norm is popular together with dropout for this reason: it lets training use a large learning rate
without the weights blowing up.""",
              free="cp.max_norm_sgd(proximal)[2][-1]",
              rbest="cp.max_norm_sgd(proximal)[0][int(np.argmin(cp.max_norm_sgd(proximal)[2]))]",
              best="np.min(cp.max_norm_sgd(proximal)[2])")
    b.code("cp.fig_max_norm_sgd(proximal);")

    b.md(r"""
## 11. Written questions (graded by hand)

**Question 1.** Derive $\operatorname{prox}_{\frac t2\lVert\cdot\rVert^2}(v)$ and explain why a
proximal gradient method with this penalty never produces an exact zero, in contrast with the L1
prox. What does one iteration (gradient step, then prox) do to the weights?""", grade_id="q1-text")
    answer(b, "q1-prox-l2", 2, r"""
Minimize $h(x) = \frac t2\lVert x\rVert^2 + \frac12\lVert x - v\rVert^2$: it is smooth and strongly
convex, $\nabla h = t x + x - v = 0$ gives $x = v/(1+t)$. This is multiplication by a constant
$1/(1+t) \in (0, 1]$: a coordinate is zero after the prox only if it was zero before, so (apart from
coincidences of the gradient step) no exact zeros appear. The L1 prox instead maps the whole interval
$[-t, t]$ to 0. One iteration = gradient step on the data term, then shrink every weight by the same
factor $1/(1+\eta\lambda)$: multiplicative weight decay.""")
    b.question(r"""
**Question 2.** Show that $\operatorname{prox}$ of $t_1\lVert x\rVert_1 + \frac{t_2}{2}\lVert x\rVert^2$
is $\mathrm{sign}(v)\max(\lvert v\rvert - t_1, 0)/(1+t_2)$.""", grade_id="q2-text")
    answer(b, "q2-prox-elastic-net", 2, r"""
Per coordinate minimize $t_1\lvert x\rvert + \frac{t_2}{2}x^2 + \frac12(x - v)^2$. The two quadratics
combine: $\frac{t_2}{2}x^2 + \frac12(x-v)^2 = \frac{1+t_2}{2}\big(x - \frac{v}{1+t_2}\big)^2 + \text{const}$.
Dividing by $1+t_2$ the problem is $\frac{t_1}{1+t_2}\lvert x\rvert + \frac12(x - \frac{v}{1+t_2})^2$,
the L1 prox of $v/(1+t_2)$ with threshold $t_1/(1+t_2)$:
$\mathrm{sign}(v)\max\big(\frac{\lvert v\rvert}{1+t_2} - \frac{t_1}{1+t_2}, 0\big) =
\mathrm{sign}(v)\max(\lvert v\rvert - t_1, 0)/(1+t_2)$. (Directly: for $x>0$, $t_1 + t_2x + x - v = 0$
gives $x = (v - t_1)/(1+t_2)$, valid iff $v > t_1$; symmetric for $x<0$; $x = 0$ iff $\lvert v\rvert\le t_1$.)""")
    b.question(r"""
**Question 3.** Soft and hard thresholding both produce exact zeros. Give one advantage of each
(think of what happens to large coefficients, and of the optimization problem each prox belongs
to).""", grade_id="q3-text")
    answer(b, "q3-soft-vs-hard", 1, r"""
Hard thresholding leaves surviving coefficients unchanged, so large coefficients are not biased
toward 0 (soft thresholding shrinks every survivor by $t$). Soft thresholding is the prox of a
convex penalty: ISTA/FISTA converge to a global minimizer, and the map is continuous (small changes in
the data give small changes in the solution), whereas the $\ell_0$ problem is non-convex and the hard
threshold jumps at $\sqrt{2t}$.""")

    b.quiz()
