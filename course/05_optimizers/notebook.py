"""05_optimizers: SGD with L2 vs weight decay, Adam-L2 vs AdamW."""
from . import claims
from .common import intro
from .rubrics import answer


def build(b):
    intro(b, "Weight decay in SGD and in Adam", r"""
"L2 regularization" and "weight decay" are often used as synonyms. For plain SGD they are the same
algorithm; for adaptive optimizers such as Adam they are not, and the difference is large enough
that AdamW, which implements true weight decay, became the default for training transformers. You
implement both SGD updates and both Adam variants (step for step the same as PyTorch's
`torch.optim.Adam(weight_decay=...)` and `torch.optim.AdamW`), and you see the per-parameter
effect in a picture.

The picture, drawn with the reference solution (you redraw it with your own step functions in section 3):
two groups of weights whose data gradient is pure noise, one large and one tiny, with the *same* decay
strength. Adam with an L2 penalty decays them at wildly different rates; AdamW decays both alike.

![Adam + L2 against AdamW](figures/05_adam_l2_vs_adamw.png)""")

    b.md(r"""
## 1. SGD: the L2 penalty *is* weight decay

With the penalty $\frac{\lambda}{2}\lVert w\rVert^2$ (this course's convention, gradient $\lambda w$),
one SGD step with learning rate $\eta$ is
$$w \leftarrow w - \eta\,(g + \lambda w) = (1 - \eta\lambda)\,w - \eta\,g,$$
where $g$ is the gradient of the data loss at $w$. The right-hand side reads: first multiply the
weights by $1-\eta\lambda$ (decay), then take the plain gradient step, **with $g$ evaluated at the
old weights**. So `sgd_l2_step(w, g, lr, lam)` and `sgd_weight_decay_step(w, g, lr, lam)` must agree
to rounding.

> **A common slip.** Some texts apply the decay *after* the gradient step,
> $(1-\eta\lambda)(w - \eta g) = (1-\eta\lambda)w - \eta g + \eta^2\lambda\,g$, and then call it the
> same update. It is not: it differs by $\eta^2\lambda\,g$, because the gradient step is decayed
> too. The equivalence holds for the form that decays the weights *before* (or, what is the same,
> alongside) the step, as written above. Section 4 shows what the "after" form converges to.

Both functions are **pure**: they return new arrays and leave their inputs unchanged.""")
    b.code(r"""
w, g = np.array([1.0, -2.0, 0.5]), np.array([0.3, 0.3, -1.0])
a = optimizers.sgd_l2_step(w, g, 0.1, 0.5)
c = optimizers.sgd_weight_decay_step(w, g, 0.1, 0.5)
post = (1 - 0.1 * 0.5) * (w - 0.1 * g)          # decay applied after the step
print("L2 step          :", a)
print("weight-decay step:", c, "  max difference", np.abs(a - c).max())
print("decay after step :", post, "  differs by lr^2 * lam * g =", 0.1**2 * 0.5 * g)""")
    b.check("sgd_l2_step", "sgd_weight_decay_step")
    b.md(r"""
Over 200 steps the two forms stay equal to machine precision, while decaying after the step drifts
away by about $\eta^2\lambda\lvert g\rvert$ per step:""")
    b.code("cp.fig_sgd_weight_decay(optimizers);")

    b.md(r"""
## 2. Adam

Adam keeps two running averages per parameter, of the gradient ($m$) and of its square ($v$), corrects
their bias toward 0 in the first steps, and moves each parameter by roughly $\eta$ times a normalized
gradient. With $t$ the number of this update (1 for the first):
$$m \leftarrow \beta_1 m + (1-\beta_1)g,\quad v \leftarrow \beta_2 v + (1-\beta_2)g^2,\quad
\hat m = \frac{m}{1-\beta_1^t},\quad \hat v = \frac{v}{1-\beta_2^t},\quad
w \leftarrow w - \eta\,\frac{\hat m}{\sqrt{\hat v} + \epsilon}.$$
The state is a dict `{"step": t, "m": m, "v": v}`; `adam_init(w)` creates it with zeros. Each step
returns `(w_new, state_new)` and never modifies `w` or the old state (the same state may be reused
for a comparison, as below).""")
    b.code(r"""
state = optimizers.adam_init(w)
print(state)""")
    b.check("adam_init")

    b.md(r"""
## 3. Adam with L2 versus AdamW

**Adam + L2** (`torch.optim.Adam(weight_decay=lam)`): add $\lambda w$ to the gradient and run Adam
on $g + \lambda w$. The decay term then goes through the normalization: while the data gradient
makes up most of $\hat v_i$, parameter $i$ is pulled toward 0 by about
$\eta\,\lambda w_i/(\sqrt{\hat v_i} + \epsilon)$, an **effective decay rate** $\eta\lambda/\sqrt{\hat v_i}$
that is different for every parameter: parameters with large or noisy gradients (large $\hat v_i$)
are barely decayed.

That formula breaks down for parameters whose data gradient is tiny. There the decay term *is* the
gradient: $g + \lambda w \approx \lambda w$, so $\hat m \approx \lambda w$ and $\sqrt{\hat v} \approx \lambda\lvert w\rvert$,
and the update $\eta\,\hat m/\sqrt{\hat v} \approx \eta\,\mathrm{sign}(w)$ has the fixed size $\eta$, whatever
$\lambda$ is. Adam never moves a parameter by much more than $\eta$ per step, so such a weight shrinks
**linearly**, by at most about $\eta$ per step, not exponentially: "tiny gradients are decayed hard" is
true only in the sense that they lose up to $\eta$ per step, which from $\lvert w\rvert = 1$ with
$\eta = 10^{-3}$ takes more than a thousand steps.

**AdamW** (`torch.optim.AdamW(weight_decay=lam)`): decouple the decay from the adaptive step,
$$w \leftarrow (1 - \eta\lambda)\,w, \qquad\text{then the Adam step with the raw gradient } g.$$
Every parameter is shrunk by the same factor $1-\eta\lambda$, as in SGD with weight decay.

In SGD the two constructions coincide (section 1) because SGD multiplies every gradient component by
the same $\eta$; Adam divides each component by its own $\sqrt{\hat v_i}$, so "add $\lambda w$ to the
gradient" and "shrink $w$" stop being the same thing. With `weight_decay = 0` both are plain Adam.""")
    b.code(r"""
w1, s1 = optimizers.adam_l2_step(w, g, state, lr=0.1, weight_decay=0.5)
w2, s2 = optimizers.adamw_step(w, g, state, lr=0.1, weight_decay=0.5)
print("Adam + L2:", w1, " step", s1["step"])
print("AdamW    :", w2, " step", s2["step"])
print("old state untouched:", state["step"] == 0 and not state["m"].any())""")
    b.check("adam_l2_step")
    b.check("adamw_step")
    claims.md(b, r"""
Two groups of weights start at 1; their data gradient is pure noise, of scale 10 (red) and 0.001
(blue), and the decay strength is the same, $\lambda = 1$ with $\eta = 10^{-3}$. Under Adam + L2 the red
weights hardly decay (median $\lvert w\rvert$ still [[big:.2f]] after 3000 steps). The blue ones decay,
but no faster than Adam's step size allows: their median is [[m300:.2f]] at step 300 and [[m1000:.2f]]
at step 1000, and falls below 0.01 only at step [[below:d]]. They stay above the grey line
$1 - \eta t$ (one full step $\eta$ per step) because $\hat v$ averages the squared gradient over about
$1/(1-\beta_2) = 1000$ steps and still remembers the larger weights of the past. Under AdamW both groups
follow the same $(1-\eta\lambda)^t$ curve (black), up to the noise of the updates. Computed with your
two step functions:""",
              big="cp.adam_l2_median_abs_w(optimizers, 3000, small=False)",
              m300="cp.adam_l2_median_abs_w(optimizers, 300)",
              m1000="cp.adam_l2_median_abs_w(optimizers, 1000)",
              below="cp.adam_l2_steps_below(optimizers, 0.01)")
    b.code("cp.fig_adam_l2_vs_adamw(optimizers);")
    b.scratch("# Try other noise scales, lr or weight_decay: cp.fig_adam_l2_vs_adamw(optimizers, lam=0.1)\n")

    b.md(r"""
## 4. Where each update converges: fixed points

Four ways of combining a gradient step with a pull toward 0 appear in texts and libraries. On a
quadratic data loss they all converge, but not all to the minimizer of $L(w) + \frac\lambda2\lVert w\rVert^2$,
which is where $g + \lambda w = 0$. At a fixed point $w$ the update returns $w$ itself:

| update | fixed point | same penalty? |
| --- | --- | --- |
| L2 in the gradient, or decay before the step: $w \leftarrow (1-\eta\lambda)w - \eta g$ | $g + \lambda w = 0$ | yes |
| proximal step (assignment 02): $w \leftarrow (w - \eta g)/(1 + \eta\lambda)$ | $(1+\eta\lambda)w = w - \eta g \iff g + \lambda w = 0$ | yes |
| decay after the step: $w \leftarrow (1-\eta\lambda)(w - \eta g)$ | $g + \frac{\lambda}{1-\eta\lambda}\,w = 0$ | no: penalty $\frac{\lambda}{1-\eta\lambda}$ |
| SGD with momentum $\mu$, decoupled decay: $b \leftarrow \mu b + g$, $w \leftarrow w - \eta b - \eta\lambda w$ | $b = g/(1-\mu)$, so $g + (1-\mu)\lambda\,w = 0$ | no: penalty $(1-\mu)\lambda$ |

So the proximal L2 step of assignment 02 *is* a decay applied after the gradient step, but with the
factor $1/(1+\eta\lambda)$ instead of $1-\eta\lambda$; one step of it differs from `sgd_l2_step` by a term of
order $\eta^2\lambda$, yet it converges to exactly the same point. Decaying by $1-\eta\lambda$ after the step
solves the same problem with the slightly larger strength $\lambda/(1-\eta\lambda)$. With momentum, adding
$\lambda w$ to the gradient (what `torch.optim.SGD(weight_decay=...)` does) still has the fixed point of the
$\lambda$ penalty, but the decay now accumulates in the momentum buffer, so the trajectory differs from the
decoupled rule, whose fixed point belongs to the strength $(1-\mu)\lambda$: with momentum, L2 and weight decay
are no longer the same algorithm even for SGD. The cell below runs all of them on
$L(w) = \frac a2(w - c)^2$ and compares with these formulas.""")
    b.code(r"""
a_, c_, lr, lam, mu = 2.0, 1.0, 0.1, 0.5, 0.9
grad = lambda w: a_ * (w - c_)
solution = lambda strength: a_ * c_ / (a_ + strength)     # minimizer of L + (strength/2) w^2
runs = {"sgd_l2_step": lambda w, b: (optimizers.sgd_l2_step(w, grad(w), lr, lam), b),
        "sgd_weight_decay_step": lambda w, b: (optimizers.sgd_weight_decay_step(w, grad(w), lr, lam), b),
        "prox step": lambda w, b: ((w - lr * grad(w)) / (1 + lr * lam), b),
        "decay after the step": lambda w, b: ((1 - lr * lam) * (w - lr * grad(w)), b),
        "momentum, L2 in gradient": lambda w, b: (w - lr * (mu * b + grad(w) + lam * w), mu * b + grad(w) + lam * w),
        "momentum, decoupled decay": lambda w, b: (w - lr * (mu * b + grad(w)) - lr * lam * w, mu * b + grad(w))}
expected = {"decay after the step": solution(lam / (1 - lr * lam)), "momentum, decoupled decay": solution((1 - mu) * lam)}
for name, update in runs.items():
    w, b_ = np.array([3.0]), np.array([0.0])
    for _ in range(2000):
        w, b_ = update(w, b_)
    print(f"{name:26s} -> {w[0]:.6f}   formula {expected.get(name, solution(lam)):.6f}")""")

    b.md(r"""
## 5. Written questions (graded by hand)

**Question 1.** Show that one SGD step on $L(w) + \frac\lambda2\lVert w\rVert^2$
equals "decay the weights by $1-\eta\lambda$, then take a plain gradient step with the gradient at the
old weights". Then compute the difference with "gradient step first, then decay", say when it is
negligible, and which penalty strength the "decay after" update actually solves for (its fixed point).""", grade_id="q1-text")
    answer(b, "q1-sgd", 2, r"""
$w - \eta(g + \lambda w) = (1-\eta\lambda)w - \eta g$: decay, then the plain step with $g = \nabla L(w)$ at
the old $w$. Decaying after the step gives $(1-\eta\lambda)(w - \eta g) = (1-\eta\lambda)w - \eta g + \eta^2\lambda g$;
the difference is $\eta^2\lambda g$, second order in the learning rate. It is negligible when
$\eta\lambda \ll 1$ (e.g. $\eta = 10^{-3}$, $\lambda = 10^{-2}$: a relative change $10^{-5}$ of the step),
but the two updates are not the same algorithm: at a fixed point of the "after" form,
$w = (1-\eta\lambda)(w - \eta g)$ gives $g + \frac{\lambda}{1-\eta\lambda}w = 0$, the minimizer for the strength
$\lambda/(1-\eta\lambda)$ instead of $\lambda$.""")
    b.question(r"""
**Question 2.** Explain why Adam with an L2 penalty and AdamW give different results although SGD with an
L2 penalty and SGD with weight decay do not. Which parameters are regularized less than intended under
Adam + L2, and why is that usually undesirable?""", grade_id="q2-text")
    answer(b, "q2-adamw", 3, r"""
In SGD every gradient component is multiplied by the same $\eta$, so the penalty gradient $\lambda w$ becomes
the uniform shrink $\eta\lambda w$ whatever its route. Adam divides each component by its own
$\sqrt{\hat v_i}+\epsilon$, built from the history of that component's gradients; the L2 term added to the
gradient is divided too, so parameter $i$ decays at the effective rate $\approx\eta\lambda/(\sqrt{\hat v_i}+\epsilon)$.
Parameters with large or noisy gradients (large $\hat v_i$) are decayed much less than intended. Parameters
with tiny gradients are decayed faster than the others, but no faster than Adam's step size: once $\lambda w_i$
dominates their gradient, $\hat m/\sqrt{\hat v} \approx \mathrm{sign}(w_i)$ and they lose at most about $\eta$ per
step. The decay also pollutes $m$ and $v$. AdamW shrinks every weight by
$1-\eta\lambda$ outside the adaptive step, so the regularization strength is the same for all weights and
independent of the gradient scale: the $\lambda$ you tune means one thing. Undesirable because the weights
that move most (and are most likely to overfit) are exactly the ones the L2 term barely touches.""")

    b.quiz()
