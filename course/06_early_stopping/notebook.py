"""06_early_stopping: gradient descent as a spectral filter, compared with ridge."""
from . import claims
from .common import intro
from .rubrics import answer


def build(b):
    intro(b, "Early stopping as a spectral filter", r"""
Early stopping is the cheapest regularizer there is: watch the validation loss while training and
keep the weights from the epoch where it was lowest. Early in training the model picks up the
patterns shared by most examples, later it starts fitting the noise of the particular training set,
and stopping in between keeps the first without the second. For least squares this intuition can be
made exact: gradient descent started from zero acts on each eigen-direction of the data like a
**filter**, and that filter is close to, but not the same as, the one of ridge regression. You
implement gradient descent, both filters, the matching $\lambda$ and a patience-based stopping rule.

The phenomenon, drawn with the reference solution (you redraw it in section 4): the training loss keeps
falling, the loss on held-out validation examples turns up once the noise is being fitted, and a stopping rule
keeps the weights of the best epoch.

![training and validation loss during gradient descent](figures/06_early_stopping_curve.png)""")

    b.md(r"""
## 1. Gradient descent on least squares

The loss is $f(w) = \frac{1}{2n}\lVert y - Xw\rVert^2$ with gradient $\frac1n X^\top(Xw - y)$
(mind the $\frac1n$). `gd_least_squares(X, y, lr, steps, w0=None)` returns the whole trajectory:
row 0 is the start ($0$ unless `w0` is given), row $k$ the weights after $k$ steps, shape
`(steps + 1, d)`.""")
    b.code(r"""
X, y, w_true = cp.regression_data(n=60, d=10, seed=0)
W = early_stopping.gd_least_squares(X, y, lr=0.1, steps=200)
print("shape", W.shape)
print("after   5 steps:", W[5])
print("after 200 steps:", W[200])
print("OLS            :", np.linalg.lstsq(X, y, rcond=None)[0])""")
    b.check("gd_least_squares")

    b.md(r"""
## 2. The spectral filter of gradient descent

Write $\Sigma = X^\top X/n = V\operatorname{diag}(s)V^\top$ with eigenvalues $s_j \ge 0$ and let
$w_{\text{ols}}$ solve $\Sigma w = X^\top y/n$. One step is
$w_{k+1} - w_{\text{ols}} = (I - \eta\Sigma)(w_k - w_{\text{ols}})$, so from $w_0 = 0$:
$$w_t = \big(I - (I - \eta\Sigma)^t\big)\,w_{\text{ols}}.$$
In the eigenbasis every coordinate of $w_{\text{ols}}$ is simply multiplied by
$$\phi^{\text{GD}}_t(s) = 1 - (1 - \eta s)^t .$$
Directions with large $s$ (where the data vary a lot, typically the signal) are learned in a few steps;
directions with small $s$ (poorly determined, dominated by noise) take a time of order $1/(\eta s)$.
Stopping at step $t$ keeps the first and suppresses the second.

**Ridge** with the same scaling, $\frac{1}{2n}\lVert y - Xw\rVert^2 + \frac\lambda2\lVert w\rVert^2$,
has the solution $(\Sigma + \lambda I)^{-1}X^\top y/n$, which multiplies the same coordinates by
$$\phi^{\text{ridge}}_\lambda(s) = \frac{s}{s + \lambda}.$$
> **Three scales for one $\lambda$.** This $\lambda$ belongs to the *mean* loss $\frac1{2n}\lVert y-Xw\rVert^2$,
> like the lasso's $\lambda$ in assignment 02. `ridge_closed_form(X, y, lam)` of assignment 02 minimizes the
> *sum* $\lVert y - Xw\rVert^2 + \mathrm{lam}\lVert w\rVert^2$ instead: its solution $(X^\top X + \mathrm{lam}\,I)^{-1}X^\top y$
> is this ridge solution when $\mathrm{lam} = n\lambda$. Convert before comparing numbers.

Implement `gd_spectral_filter(eigvals, lr, steps)` and `ridge_spectral_filter(eigvals, lam)`. The cell
below checks the claim on real numbers: the GD weights equal the filtered OLS solution.""")
    b.code(r"""
n = len(y)
s, V = np.linalg.eigh(X.T @ X / n)
s = np.clip(s, 0, None)
w_ols = np.linalg.lstsq(X, y, rcond=None)[0]
lr, t = 0.1, 30
w_filter = V @ (early_stopping.gd_spectral_filter(s, lr, t) * (V.T @ w_ols))
w_gd = early_stopping.gd_least_squares(X, y, lr, t)[-1]
print("GD weights == filtered OLS:", np.allclose(w_gd, w_filter), " max diff", np.abs(w_gd - w_filter).max())
lam = 0.5
w_ridge = np.linalg.solve(X.T @ X / n + lam * np.eye(X.shape[1]), X.T @ y / n)
print("ridge == filtered OLS:    ", np.allclose(w_ridge, V @ (early_stopping.ridge_spectral_filter(s, lam) * (V.T @ w_ols))))""")
    b.check("gd_spectral_filter")
    b.check("ridge_spectral_filter")

    claims.md(b, r"""
## 3. How close is early stopping to ridge?

Some texts call early stopping "equivalent" to L2 regularization without saying in what sense. Here is
the precise statement. Match the two by
$$\lambda = \frac{1}{\eta\,t}$$
(`equivalent_lambda(lr, steps)`): the training time plays the role of an inverse penalty. Then
- for large $s$ both filters are close to 1, for small $s$ both are close to $s/\lambda = \eta t s$
  (expand $(1-\eta s)^t \approx 1 - t\eta s$): same limits;
- **for the eigenvalues with $\eta s \le 1$**: since $0 \le 1 - \eta s \le e^{-\eta s}$ there, $(1-\eta s)^t \le e^{-\eta s t}$,
  and $e^{u} \ge 1 + u$ gives, with $u = s/\lambda = \eta t s$,
  $\phi^{\text{GD}} \ge 1 - e^{-u} \ge u/(1+u) = \phi^{\text{ridge}}$: the early-stopping filter is never below the
  ridge one;
- gradient descent still converges for $1 < \eta s < 2$, but there $1 - \eta s$ is negative, the filter
  oscillates from step to step and the inequality fails badly: with $t = 10$ and $\eta s = 1.99$ the GD filter
  minus the ridge filter is [[neg10:.2f]];
- the gap is not zero: in the continuous limit (small $\eta s$) it is $(1 - e^{-u}) - u/(1+u)$, largest at
  $u = [[ustar:.3f]]$ where it is [[gstar:.4f]]. Few, large steps make it larger: over the eigenvalues with
  $\eta s \le 1$ the largest gap is [[g1:.2f]] for $t = 1$, [[g5:.2f]] for $t = 5$, [[g10:.2f]] for $t = 10$.

So, as long as $\eta s_{\max} \le 1$, early stopping and ridge shrink the same directions by similar amounts:
a close correspondence, not an identity, and the weights they produce are not equal.""",
              neg10="cp.filter_gap(early_stopping, 1.99, 10)",
              ustar="cp.continuous_gap_max()[0]", gstar="cp.continuous_gap_max()[1]",
              g1="cp.max_filter_gap(early_stopping, 1)", g5="cp.max_filter_gap(early_stopping, 5)",
              g10="cp.max_filter_gap(early_stopping, 10)")
    b.code(r"""
for lr, t in ((0.1, 10), (0.01, 1000)):
    print(f"lr={lr}, t={t}: lambda =", early_stopping.equivalent_lambda(lr, t))""")
    b.check("equivalent_lambda")
    b.code("cp.fig_spectral_filters(early_stopping);")

    b.md(r"""
## 4. A stopping rule with patience

In practice we do not know the spectrum: we watch the validation loss. The rule implemented here
(as in most libraries) keeps the best epoch so far; an epoch counts as an improvement only if it beats
the best loss by more than `min_delta`; training stops when `patience` epochs in a row have not improved,
and the weights of the best epoch are kept. Epochs are numbered from 0. If the rule never fires,
the stop epoch is the last one.""")
    b.code(r"""
print(early_stopping.early_stopping_epoch([3, 2, 2.5, 2.4, 1], patience=2), " expected (1, 3)")
print(early_stopping.early_stopping_epoch([3, 2, 1.5, 1.2, 1], patience=2), " expected (4, 4)")""")
    b.check("early_stopping_epoch")
    claims.md(b, r"""
Gradient descent on a small, noisy regression with almost as many features as examples ($n = 40$ training
examples, $d = 30$ features, of which 5 matter; not over-parameterized, since $d < n$, but with only $n - d = 10$
more equations than unknowns the least-squares fit follows the noise closely), with 200 held-out examples
for validation. Training loss keeps falling, validation loss turns up once the noise directions are being
fitted, and your rule stops shortly after the best epoch ([[best:d]], stop at [[stop:d]]); the validation
loss there, [[vbest:.2f]], is lower than the [[vlast:.2f]] of the last epoch.

Why does the training curve start *above* the validation curve? At epoch 0 the weights are 0, so each loss is
half the mean of $y^2$ over its own examples: [[tr0:.2f]] on the 40 training examples, [[va0:.2f]] on the 200
validation examples. The two sets are different random samples, and 40 draws of a noisy target can
easily have a larger mean square than 200; nothing has been fitted yet.""",
              best="cp.early_stopping_losses(early_stopping)[2]", stop="cp.early_stopping_losses(early_stopping)[3]",
              vbest="cp.early_stopping_losses(early_stopping)[1].min()",
              vlast="cp.early_stopping_losses(early_stopping)[1][-1]",
              tr0="cp.early_stopping_losses(early_stopping)[0][0]", va0="cp.early_stopping_losses(early_stopping)[1][0]")
    b.code("cp.fig_early_stopping_curve(early_stopping);")
    b.scratch("# Try another patience or learning rate: cp.fig_early_stopping_curve(early_stopping, patience=5)\n")

    b.md(r"""
## 5. Written questions (graded by hand)

**Question 1.** Prove by induction that gradient descent from $w_0 = 0$ with step $\eta$ on
$\frac1{2n}\lVert y - Xw\rVert^2$ gives $w_t = (I - (I - \eta\Sigma)^t)\,w_{\text{ols}}$, and conclude the
formula of the filter. What goes wrong if $\eta s > 2$ for some eigenvalue?""", grade_id="q1-text")
    answer(b, "q1-filter", 3, r"""
With $\Sigma w_{\text{ols}} = X^\top y/n$ the gradient is $\Sigma w - X^\top y/n = \Sigma(w - w_{\text{ols}})$, so
$w_{k+1} - w_{\text{ols}} = (I - \eta\Sigma)(w_k - w_{\text{ols}})$. Base case: $w_0 - w_{\text{ols}} = -w_{\text{ols}}$.
Induction: $w_t - w_{\text{ols}} = -(I-\eta\Sigma)^t w_{\text{ols}}$, i.e. $w_t = (I - (I-\eta\Sigma)^t)w_{\text{ols}}$.
$\Sigma = V\operatorname{diag}(s)V^\top$ gives $(I - \eta\Sigma)^t = V\operatorname{diag}((1-\eta s)^t)V^\top$, so
the coordinate $j$ of $V^\top w_{\text{ols}}$ is multiplied by $1 - (1-\eta s_j)^t$. If $\eta s_j > 2$ then
$\lvert 1 - \eta s_j\rvert > 1$: the factor $(1-\eta s_j)^t$ grows in size with alternating sign and GD diverges
along that direction (the step is too large for that curvature; $\eta < 2/s_{\max}$ is needed).""")
    b.question(r"""
**Question 2.** A text says early stopping is "equivalent" to L2 regularization.
State precisely what is true for least squares and gradient descent from zero (which $\lambda$, which
properties of the two filters, under which condition on the step size), and what is not.""", grade_id="q2-text")
    answer(b, "q2-equivalence", 2, r"""
Both methods act on the eigen-directions of $X^\top X/n$ only through a filter applied to $w_{\text{ols}}$:
$1-(1-\eta s)^t$ for GD stopped at $t$, $s/(s+\lambda)$ for ridge. With $\lambda = 1/(\eta t)$ the filters have
the same limits (about 1 for $s \gg \lambda$, about $s/\lambda$ for $s \ll \lambda$). For the eigenvalues with
$\eta s \le 1$ the GD filter is never below the ridge one, and their difference is at most about 0.2 in the
small-step limit (0.2036 at $s/\lambda \approx 2.51$), larger with few big steps (0.5 for $t = 1$, 0.23 for $t = 10$).
For $1 < \eta s < 2$ GD still converges but its filter oscillates and can lie far below the ridge filter. So more training time = weaker regularization, with $\lambda \approx 1/(\eta t)$.
What is not true: the filters are not equal, so the weights differ (by up to about 20% of an OLS coordinate
in the middle of the spectrum); "equivalent" means a close, quantifiable correspondence, not an identity.
It also needs the setting (quadratic loss, GD from zero); for other losses or optimizers it is only a heuristic.""")

    b.quiz()
