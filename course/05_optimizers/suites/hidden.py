"""Hidden tests of assignment 05 (optimizers.py): randomized comparisons with the reference.

Inputs come from seeded NumPy generators on the trusted side, so a run is
reproducible; nothing depends on the student's use of randomness (there is none).
Multi-step cases chain the student's own steps (their returned state is fed back)
and compare the whole trajectory with the reference's.
"""
import functools

import numpy as np

from autograder.cases import Tol, chain_calls, entry, fixed_calls, reference_calls, reference_case
from autograder.diagnose import declare
from autograder.framework import Fail, Mistake, as_float_array, call_args, case, check_close, expect
from autograder.suites.optimizers.common import (
    _split, _STORED_HAT, _BETAS_SWAPPED, _PAPER_EPS, _NO_V_BIAS, MSG_ADAM_INIT_KEYS,
    HINT_PENALTY_SIGN_FLIPPED, HINT_PENALTY_LEFT_OUT, HINT_PENALTY_GRADIENT_2_LAM_W,
    HINT_PENALTY_NOT_MULTIPLIED_BY_LR, HINT_DECAY_AFTER_THE_GRADIENT_STEP,
    HINT_DECAY_NOT_MULTIPLIED_BY_LR, HINT_DECAY_SIGN_FLIPPED, HINT_ADAMW_INSTEAD,
    HINT_ADAM_L2_SIGN_FLIPPED, HINT_WEIGHT_DECAY_IGNORED, HINT_ADAM_L2_INSTEAD,
    HINT_ADAMW_DECAY_NOT_TIMES_LR, HINT_DECAY_AFTER_THE_ADAM_STEP, HINT_ADAMW_DECAY_SIGN_FLIPPED
)


# ============================================================================ mistake models
# Each model takes the same arguments as the function it imitates and returns what
# that classic mistake would return; a failed check whose value matches gets the hint.
def _sgd_l2_model(sign=1.0, factor=1.0, lr_on_penalty=True, lr_on_grad=True):
    def model(w, grad, lr, lam):
        w, grad = np.asarray(w, float), np.asarray(grad, float)
        penalty = sign * factor * lam * w
        return w - (lr if lr_on_grad else 1.0) * grad - (lr * penalty if lr_on_penalty else penalty)
    return model


def _sgd_wd_model(after=False, lr_on_decay=True, sign=1.0, lr_on_grad=True):
    def model(w, grad, lr, lam):
        w, grad = np.asarray(w, float), np.asarray(grad, float)
        factor = 1.0 - sign * (lr if lr_on_decay else 1.0) * lam
        step = (lr if lr_on_grad else 1.0) * grad
        return factor * (w - step) if after else factor * w - step
    return model


def _adam_core(w, grad, state, lr, betas, eps, wd, *, coupled, bias=True, eps_inside=False, t_shift=1,
               decay_lr=True, decay_after=False, count=True, paper_eps=False, wd_in_v=True, store_hat=False,
               swap_betas=False, bias_v=True, bias_m=True, root=True):
    """One modelled Adam step. coupled: True (L2 in the gradient), False (decoupled), "both" (the two at once).

    paper_eps: the bias corrections folded into lr_t = lr*sqrt(1 - beta2^t)/(1 - beta1^t) with eps left
    unscaled, w - lr_t * m / (sqrt(v) + eps): the efficient form of Kingma & Ba, whose eps differs from the
    contract's sqrt(v_hat) + eps (torch's) by the factor sqrt(1 - beta2^t). wd_in_v=False: the L2 term
    enters m but not v. store_hat: the returned state holds m_hat, v_hat. bias_v=False: only m is corrected,
    bias_m=False: only v. root=False: v_hat without its square root.
    """
    w, grad = np.asarray(w, float), np.asarray(grad, float)
    beta1, beta2 = betas[::-1] if swap_betas else betas
    step = int(state["step"])
    m, v = np.asarray(state["m"], float), np.asarray(state["v"], float)
    t = step + t_shift
    g = grad + wd * w if coupled else grad
    with np.errstate(all="ignore"):
        m_new = beta1 * m + (1 - beta1) * g
        g_v = g if wd_in_v else grad
        v_new = beta2 * v + (1 - beta2) * g_v * g_v
        m_hat = m_new / (1 - beta1 ** t) if bias and bias_m else m_new
        v_hat = v_new / (1 - beta2 ** t) if bias and bias_v else v_new
        if paper_eps:
            update = lr * np.sqrt(1 - beta2 ** t) / (1 - beta1 ** t) * m_new / (np.sqrt(v_new) + eps)
        else:
            denom = np.sqrt(v_hat + eps) if eps_inside else (np.sqrt(v_hat) if root else v_hat) + eps
            update = lr * m_hat / denom
        if coupled is True:
            w_new = w - update
        else:
            factor = 1 - (lr if decay_lr else 1.0) * wd
            w_new = (w - update) * factor if decay_after else factor * w - update
    if store_hat:
        m_new, v_new = m_hat, v_hat
    return w_new, {"step": step + (1 if count else 0), "m": m_new, "v": v_new}


def _adam_l2_model(coupled=True, wd_sign=1.0, use_wd=True, **opts):
    def model(w, grad, state, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        wd = wd_sign * weight_decay if use_wd else 0.0
        return _adam_core(w, grad, state, lr, betas, eps, wd, coupled=coupled, **opts)
    return model


def _adamw_model(coupled=False, wd_sign=1.0, use_wd=True, **opts):
    def model(w, grad, state, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
        wd = wd_sign * weight_decay if use_wd else 0.0
        return _adam_core(w, grad, state, lr, betas, eps, wd, coupled=coupled, **opts)
    return model


_HALF_LAM = ("your penalty gradient is lam*w/2: the 1/2 of the penalty (lam/2)*||w||^2 cancels against the "
             "2 from differentiating w**2, so its gradient is lam*w")
_LR_ON_GRAD_L2 = ("your step subtracts the whole data gradient: it is scaled by the learning rate too, "
                  "w - lr*(grad + lam*w)")
_LR_ON_GRAD_WD = ("your step subtracts the whole data gradient: it is scaled by the learning rate, "
                  "(1 - lr*lam)*w - lr*grad")
_BIAS = ("the moments need bias correction: divide m by (1 - beta1**t) and v by (1 - beta2**t), "
         "with t counting this step from 1")
_EPS = "eps goes outside the square root: sqrt(v_hat) + eps, as in torch.optim"
_T0 = ("your bias correction uses the step count before this update: increment the count first, so the "
       "first update uses t = 1 (with t = 0, 1 - beta**t is 0 and the step is not finite)")

_DECAY_ONLY_IN_M = ("weight_decay*w went into m but not into v: the L2 term is part of the gradient, so use "
                    "g = grad + weight_decay*w in both moments (v is built from g**2).")
_DOUBLE_DECAY = ("your step decays the weights twice: AdamW only shrinks them by (1 - lr*weight_decay); its "
                 "moments are built from the raw grad, without adding weight_decay*w to it")
_STEP_HINT = ('state["step"] counts the updates taken: return the old count plus one '
              "(the same t that the bias corrections use)")

_NO_M_BIAS = ("your step corrects v for its bias but not m: both moments start at 0, so both are divided by "
              "their (1 - beta^t): m_hat = m / (1 - beta1^t) as well as v_hat = v / (1 - beta2^t).")
_NO_ROOT = ("your step divides by v_hat itself: the update is lr * m_hat / (sqrt(v_hat) + eps), with the square "
            "root of the second moment (an RMS of the gradients, in the gradient's own units).")


# a step's update (its change from w) is diagnosed too: a factor on it names lr, a bias correction...
for _step_function in ("sgd_l2_step", "sgd_weight_decay_step", "adam_l2_step", "adamw_step"):
    declare(_step_function, start="w")

MISTAKES = {
    "sgd_l2_step": [
        Mistake("penalty sign flipped", _sgd_l2_model(sign=-1.0), HINT_PENALTY_SIGN_FLIPPED),
        Mistake("penalty left out", _sgd_l2_model(factor=0.0), HINT_PENALTY_LEFT_OUT),
        Mistake("penalty not multiplied by lr", _sgd_l2_model(lr_on_penalty=False),
                HINT_PENALTY_NOT_MULTIPLIED_BY_LR),
        Mistake("penalty gradient 2*lam*w", _sgd_l2_model(factor=2.0), HINT_PENALTY_GRADIENT_2_LAM_W),
        Mistake("penalty gradient lam*w/2", _sgd_l2_model(factor=0.5), _HALF_LAM),
        Mistake("grad not multiplied by lr", _sgd_l2_model(lr_on_grad=False), _LR_ON_GRAD_L2),
    ],
    "sgd_weight_decay_step": [
        Mistake("decay after the gradient step", _sgd_wd_model(after=True), HINT_DECAY_AFTER_THE_GRADIENT_STEP),
        Mistake("decay not multiplied by lr", _sgd_wd_model(lr_on_decay=False), HINT_DECAY_NOT_MULTIPLIED_BY_LR),
        Mistake("decay sign flipped", _sgd_wd_model(sign=-1.0), HINT_DECAY_SIGN_FLIPPED),
        Mistake("decay left out", _sgd_wd_model(sign=0.0),
                "your step ignores lam: the weights must be multiplied by (1 - lr*lam) before the step"),
        Mistake("grad not multiplied by lr", _sgd_wd_model(lr_on_grad=False), _LR_ON_GRAD_WD),
    ],
    "adam_init": [],
    "adam_l2_step": [
        Mistake("AdamW instead", _adam_l2_model(coupled=False), HINT_ADAMW_INSTEAD),
        Mistake("no bias correction", _adam_l2_model(bias=False), _BIAS),
        Mistake("eps inside the square root", _adam_l2_model(eps_inside=True), _EPS),
        Mistake("step counted from 0", _adam_l2_model(t_shift=0), _T0),
        Mistake("decay sign flipped", _adam_l2_model(wd_sign=-1.0), HINT_ADAM_L2_SIGN_FLIPPED),
        Mistake("weight decay ignored", _adam_l2_model(use_wd=False), HINT_WEIGHT_DECAY_IGNORED),
        Mistake("step count not incremented", _adam_l2_model(count=False), _STEP_HINT),
        Mistake("paper's eps", _adam_l2_model(paper_eps=True), _PAPER_EPS),
        Mistake("decay in m only", _adam_l2_model(wd_in_v=False), _DECAY_ONLY_IN_M),
        Mistake("stored m_hat and v_hat", _adam_l2_model(store_hat=True), _STORED_HAT),
        Mistake("betas swapped", _adam_l2_model(swap_betas=True), _BETAS_SWAPPED),
        Mistake("v not bias-corrected", _adam_l2_model(bias_v=False), _NO_V_BIAS),
        Mistake("m not bias-corrected", _adam_l2_model(bias_m=False), _NO_M_BIAS),
        Mistake("no square root", _adam_l2_model(root=False), _NO_ROOT),
    ],
    "adamw_step": [
        Mistake("Adam-L2 instead", _adamw_model(coupled=True), HINT_ADAM_L2_INSTEAD),
        Mistake("decay not multiplied by lr", _adamw_model(decay_lr=False), HINT_ADAMW_DECAY_NOT_TIMES_LR),
        Mistake("decay after the Adam step", _adamw_model(decay_after=True), HINT_DECAY_AFTER_THE_ADAM_STEP),
        Mistake("no bias correction", _adamw_model(bias=False), _BIAS),
        Mistake("eps inside the square root", _adamw_model(eps_inside=True), _EPS),
        Mistake("step counted from 0", _adamw_model(t_shift=0), _T0),
        Mistake("decay sign flipped", _adamw_model(wd_sign=-1.0), HINT_ADAMW_DECAY_SIGN_FLIPPED),
        Mistake("weight decay ignored", _adamw_model(use_wd=False),
                "your step ignores weight_decay: shrink the weights by (1 - lr*weight_decay) first"),
        Mistake("step count not incremented", _adamw_model(count=False), _STEP_HINT),
        Mistake("decay both ways", _adamw_model(coupled="both"), _DOUBLE_DECAY),
        Mistake("paper's eps", _adamw_model(paper_eps=True), _PAPER_EPS),
        Mistake("stored m_hat and v_hat", _adamw_model(store_hat=True), _STORED_HAT),
        Mistake("betas swapped", _adamw_model(swap_betas=True), _BETAS_SWAPPED),
        Mistake("v not bias-corrected", _adamw_model(bias_v=False), _NO_V_BIAS),
        Mistake("m not bias-corrected", _adamw_model(bias_m=False), _NO_M_BIAS),
        Mistake("no square root", _adamw_model(root=False), _NO_ROOT),
    ],
}

_INIT_KEYS = ('the state is read by key: name them exactly "step", "m" and "v" (the step functions look them '
              "up by these names)")
_INIT_STEP = ('"step" counts the updates already taken: a fresh state starts at 0, and the first step '
              "increments it to 1 before using it in the bias corrections")
_INIT_ZEROS = ("your moment is a copy of w: m and v are running averages of the gradients, which start at "
               "zero (np.zeros_like(w)), whatever the weights are")
_PURE_HINT = ("your function changed an input in place (for example `w -= ...`, `w *= ...` or "
              "`state['m'] *= ...`); the steps must be pure: build new arrays and a new state dict")


# ============================================================================ helpers
# rtol 1e-12 with atol 1e-14: a correct step is a few roundings away from the reference (weights here are at
# most ~10 in size, so a few ulps are below 1e-14 in absolute terms)
STEP = Tol(1e-12, 1e-14, why="the same few-term formula up to ordering, on values of size <= ~10: a few ulps")
# rounding differences of a correct formula (~1e-16 per operation) add up over 30 chained steps on weights of
# size <= ~10; the known mistakes are off by 1e-7 or more
TRAJECTORY = Tol(1e-10, 1e-12, why="rounding of a correct formula adds up over 30 chained steps on weights of "
                                   "size <= ~10; the known mistakes are off by 1e-7 or more")


def _rng(seed):
    return np.random.default_rng(seed)


def _step_value(state, what):
    step = as_float_array(state["step"], what).reshape(-1)
    if step.size != 1:
        raise Fail(f"{what} must be one number, got {step.size} values")
    return float(step[0])


def _part(model, key):
    """The piece `key` (0 for w_new, or "m"/"v") of what a step model returns."""
    def pick(*args, **kwargs):
        w_new, state = model(*args, **kwargs)
        return w_new if key == 0 else state[key]
    return pick


def _mistakes(fn, key):
    return [Mistake(m.name, _part(m.value, key), m.hint) for m in MISTAKES[fn]]


def _random_state(rng, shape, step):
    if step == 0:
        return {"step": 0, "m": np.zeros(shape), "v": np.zeros(shape)}
    return {"step": step, "m": 0.1 * rng.normal(size=shape), "v": rng.uniform(0.0, 0.05, size=shape)}


def _step_matches(fn, args, hp, expected):
    """The check of one Adam step's result against the reference's (w_new, state_new): weights, moments, count."""
    def check(result):
        w, grad, state = args
        got_w, got_state = _split(result, fn)
        exp_w, exp_state = expected
        check_close(got_w, exp_w, rtol=STEP.rtol, atol=STEP.atol, what=f"{fn}(...) new weights",
                    mistakes=_mistakes(fn, 0), args=args, kwargs=hp)
        g = np.asarray(grad, float)
        for key, scale in (("m", np.max(np.abs(state["m"]), initial=0) + np.max(np.abs(g), initial=0)),
                           ("v", np.max(state["v"], initial=0) + np.max(g * g, initial=0))):
            # rtol 1e-12, atol 1e-14 * (size of the terms): m and v are sums of two terms, so an entry
            # near zero carries rounding relative to the terms, not to itself
            check_close(got_state[key], exp_state[key], rtol=STEP.rtol, atol=STEP.atol * max(scale, 1e-300),
                        what=f'{fn}(...) state["{key}"]', mistakes=_mistakes(fn, key), args=args, kwargs=hp)
        step = _step_value(got_state, f'{fn}(...) state["step"]')
        expect(step == exp_state["step"], f'{fn}(...) state["step"] is {step:g}, expected {exp_state["step"]}',
               _STEP_HINT)
    return check


def adam_step_calls(fn, steps, pure=False):
    """The calls (args, hp) of `steps(rng)`, each checked against the reference's step (pure: and its inputs
    left unchanged), drawn from the generator of the function's seed."""
    def build(ref):
        return [entry(call_args(*args, **hp), check=_step_matches(fn, args, hp, getattr(ref, fn)(*args, **hp)))
                for args, hp in steps()]
    return reference_calls(fn, build, tol=STEP, pure=_PURE_HINT if pure else False)


SINGLE_STEP_SETTINGS = [
    # (shape, lr, betas, eps, weight_decay, step already taken)
    ((5,), 1e-3, (0.9, 0.999), 1e-8, 0.0, 0),
    ((3, 4), 1e-2, (0.9, 0.999), 1e-8, 0.1, 0),
    ((7,), 5e-2, (0.8, 0.99), 1e-3, 0.5, 3),
    ((2, 3, 2), 0.1, (0.0, 0.9), 1e-6, 1e-2, 10),
    ((4,), 3e-3, (0.95, 0.9999), 1e-8, 1.0, 999),
    ((), 1e-2, (0.9, 0.999), 1e-8, 0.3, 1),
    ((6,), 0.0, (0.9, 0.999), 1e-8, 0.2, 2),
    ((8,), 2e-2, (0.5, 0.5), 1e-2, 2.0, 0),
]


def _single_steps(seed):
    def steps():
        rng = _rng(seed)
        calls = []
        for shape, lr, betas, eps, wd, step in SINGLE_STEP_SETTINGS:
            w, grad = rng.normal(size=shape) * 2.0, rng.normal(size=shape)
            calls.append(((w, grad, _random_state(rng, shape, step)), dict(lr=lr, betas=betas, eps=eps, weight_decay=wd)))
        # the documented defaults (lr=1e-3, betas=(0.9, 0.999), eps=1e-8, and each function's weight_decay)
        w, grad = rng.normal(size=5), rng.normal(size=5)
        calls.append(((w, grad, _random_state(rng, (5,), 2)), {}))
        return calls
    return steps


def _purity_steps(seed):
    def steps():
        rng = _rng(seed)
        calls = []
        for shape, step in (((5,), 0), ((3, 2), 4)):
            w, grad = rng.normal(size=shape), rng.normal(size=shape)
            calls.append(((w, grad, _random_state(rng, shape, step)), dict(lr=1e-2, weight_decay=0.2)))
        return calls
    return steps


TRAJECTORY_SETTINGS = [
    # (shape, steps, lr, betas, eps, weight_decay)
    ((6,), 30, 1e-2, (0.9, 0.999), 1e-8, 0.1),
    ((3, 3), 25, 5e-2, (0.8, 0.99), 1e-6, 0.5),
    ((4,), 25, 1e-3, (0.9, 0.999), 1e-8, 0.0),
]


def _gradients(rng, shape, steps):
    """A fixed gradient sequence: a drifting mean per weight plus noise, so m does not vanish."""
    mean = rng.normal(size=shape)
    return [mean * (1 + 0.05 * k) + 0.5 * rng.normal(size=shape) for k in range(steps)]


def _chain(step_fn, w0, grads, **hp):
    w, state, out = w0, {"step": 0, "m": np.zeros_like(w0), "v": np.zeros_like(w0)}, []
    for g in grads:
        w, state = step_fn(w, g, state, **hp)
        out.append(np.asarray(w, float))
    return np.array(out)


# A step's result (w_new, state_new) feeds the next step's w (argument 0) and state (argument 2); only w comes
# back from each step but the last (keep=[0]: the state stays in the worker).
_STEP_FEED, _KEEP_WEIGHTS = [(0, 0), (1, 2)], [0]


def _run_step_chain(sub, chain, check_weights=False, first=None):
    """The student's own loop over the chain's calls, in one round trip (call_chain passes the returned w
    and state on inside the worker, as the loop would). Each result is checked as it arrives to be a pair,
    the last one (w_new, state_new), and with check_weights that w_new is numbers. Returns the list of
    w_new (float arrays with check_weights) and the final state."""
    fn, n = chain.function, len(chain.calls())
    steps = iter(range(1, n + 1))

    def check(result):
        k = next(steps)
        if k < n:
            if not isinstance(result, (tuple, list)) or len(result) != 2:
                raise Fail(f"{fn}() must return a tuple (w_new, state_new), got {type(result).__name__}")
            w = result[0]
        else:
            w, _ = _split(result, fn)
        return (as_float_array(w, f"{fn}: weights after step {k}") if check_weights else w), result

    checked = chain.run(sub, check, first=first)
    return [w for w, _ in checked], checked[-1][1][1]


def _trajectory_chains(fn, seed):
    """One chain per setting of TRAJECTORY_SETTINGS: from 2 N(0, 1) weights and a fresh state, along the fixed
    gradient sequence of _gradients (the settings' draws come in turn from the generator of `seed`)."""
    def calls(index):
        rng = _rng(seed)
        for shape, steps, lr, betas, eps, wd in TRAJECTORY_SETTINGS[:index + 1]:
            w0, grads = 2.0 * rng.normal(size=shape), _gradients(rng, shape, steps)
        state0 = {"step": 0, "m": np.zeros(shape), "v": np.zeros(shape)}
        return [call_args(w0 if k == 0 else None, g, state0 if k == 0 else None, lr=lr, betas=betas, eps=eps,
                          weight_decay=wd) for k, g in enumerate(grads)]
    return [chain_calls(fn, functools.partial(calls, index), feed=_STEP_FEED, keep=_KEEP_WEIGHTS)
            for index in range(len(TRAJECTORY_SETTINGS))]


def _trajectory(sub, ref, chains):
    for chain, (shape, steps, lr, betas, eps, wd) in zip(chains, TRAJECTORY_SETTINGS):
        calls = chain.calls()
        hp, w0, grads = calls[0][1], calls[0][0][0], [args[1] for args, _ in calls]
        # the student's own w and state go back in at every step
        got, state = _run_step_chain(sub, chain, check_weights=True)
        expected = np.array([np.asarray(w, float) for w, _ in chain.reference(ref)])
        models = [Mistake(m.name, (lambda model: lambda *a, **k: _chain(model, w0, grads, **hp))(m.value),
                          m.hint) for m in MISTAKES[chain.function]]
        try:
            got_arr = np.array(got)
        except ValueError:
            raise Fail(f"{chain.function}: the weights changed shape during the {steps} steps") from None
        check_close(got_arr, expected, rtol=TRAJECTORY.rtol, atol=TRAJECTORY.atol,
                    what=f"{chain.function}: trajectory of {steps} chained steps (shape {shape}, weight_decay={wd})",
                    mistakes=models)
        final = _step_value(state, f'{chain.function}: state["step"] after {steps} steps')
        expect(final == steps, f'{chain.function}: state["step"] is {final:g} after {steps} steps', _STEP_HINT)


def _counting_chains(fn):
    """From step 0 for 5 steps, then from step 41 for 3 more (the second chain goes on from the weights the
    student's first chain returned)."""
    def calls(which):
        rng = _rng(7)
        w = rng.normal(size=3)
        for start, n in ((0, 5), (41, 3))[:which + 1]:
            state, grads = _random_state(rng, (3,), start), [rng.normal(size=3) for _ in range(n)]
        return [call_args(w if k == 0 else None, g, state if k == 0 else None, lr=1e-2, weight_decay=0.1)
                for k, g in enumerate(grads)]
    return [chain_calls(fn, functools.partial(calls, which), feed=_STEP_FEED, keep=_KEEP_WEIGHTS) for which in (0, 1)]


def _step_counting(sub, chains):
    w = None
    for chain, start in zip(chains, (0, 41)):
        (_, grad, state0), kwargs = chain.calls()[0]
        # the second chain goes on from the student's own last weights
        weights, state = _run_step_chain(sub, chain, first=None if w is None else call_args(w, grad, state0, **kwargs))
        w = weights[-1]
        n = len(chain.calls())
        step = _step_value(state, f'{chain.function}: state["step"]')
        expect(step == start + n, f'{chain.function}: starting from step {start}, state["step"] is {step:g} after '
                                  f"{n} calls, expected {start + n}", _STEP_HINT)


# ============================================================================ SGD
def _sgd_inputs(seed):
    def build():
        rng = _rng(seed)
        return [(2.0 * rng.normal(size=shape), rng.normal(size=shape), lr, lam)
                for shape, lr, lam in (((5,), 0.1, 0.5), ((3, 4), 0.01, 2.0), ((), 0.3, 0.1), ((7,), 0.05, 0.0),
                                       ((2, 2, 3), 0.0, 1.0), ((6,), 1.5, 3.0))]
    return build


def _sgd_purity_inputs(seed):
    def build():
        rng = _rng(seed)
        return [(rng.normal(size=(3, 4)), rng.normal(size=(3, 4)), 0.1, 0.5)]
    return build


for _fn, _seed in (("sgd_l2_step", 11), ("sgd_weight_decay_step", 13)):
    reference_case(f"{_fn}: random shapes, lam = 0 and lr = 0 agree with the reference", _fn, _sgd_inputs(_seed),
                   points=4, tol=STEP, mistakes=MISTAKES[_fn])
    # counts only when the value on these inputs is right; then w and grad must come back unchanged
    reference_case(f"{_fn}: does not modify w or grad", _fn, _sgd_purity_inputs(_seed + 1), points=2, tol=STEP,
                   pure=_PURE_HINT, mistakes=MISTAKES[_fn])


# ============================================================================ Adam
def _check_init_state(state, w):
    """adam_init(w)'s state: step 0 and zero moments shaped like w."""
    shape = np.shape(w)
    expect(isinstance(state, dict) and {"step", "m", "v"} <= set(state),
           MSG_ADAM_INIT_KEYS, _INIT_KEYS)
    step = _step_value(state, 'adam_init(w)["step"]')
    expect(step == 0, f'adam_init(w)["step"] is {step:g}, expected 0: no update has been taken yet', _INIT_STEP)
    for key in ("m", "v"):
        # exact: zeros need no arithmetic
        check_close(state[key], np.zeros(shape), rtol=0, what=f'adam_init(w)["{key}"] for w of shape {shape}',
                    mistakes=([Mistake("one moment per row", np.zeros(shape[0]),
                                       "the moments must have the shape of w itself; np.zeros_like(w) "
                                       "gives that for any shape")] if len(shape) >= 2 else [])
                    + [Mistake("a copy of w", w, _INIT_ZEROS)])


def _init_calls(seed, shapes):
    def build():
        rng = _rng(seed)
        return [entry((w,), check=lambda state, w=w: _check_init_state(state, w))
                for w in (rng.normal(size=shape) for shape in shapes)]
    return build


_INIT_EXACT = Tol(0, why="zeros need no arithmetic")
_INIT_SHAPES = fixed_calls("adam_init", _init_calls(15, ((), (5,), (3, 4), (2, 3, 2))), tol=_INIT_EXACT)
_INIT_PURE = fixed_calls("adam_init", _init_calls(16, ((3, 2),)), tol=_INIT_EXACT, pure=_PURE_HINT)


@case("adam_init: zero moments shaped like scalars, vectors, matrices and 3-D weights", points=2)
def _(sub, ref):
    _INIT_SHAPES.check(sub)


@case("adam_init: does not modify w", points=1)
def _(sub, ref):
    _INIT_PURE.check(sub)


def _adam_cases(fn, seed):
    single, trajectories = adam_step_calls(fn, _single_steps(seed)), _trajectory_chains(fn, seed + 1)
    counting, purity = _counting_chains(fn), adam_step_calls(fn, _purity_steps(seed + 2), pure=True)

    @case(f"{fn}: single steps from random states agree with the reference", points=4)
    def _(sub, ref):
        single.check(sub, ref)

    @case(f"{fn}: 25+ chained steps follow the reference trajectory", points=5)
    def _(sub, ref):
        _trajectory(sub, ref, trajectories)

    @case(f"{fn}: state['step'] counts the updates", points=2)
    def _(sub, ref):
        _step_counting(sub, counting)

    @case(f"{fn}: does not modify w, grad or state", points=2)
    def _(sub, ref):
        purity.check(sub, ref)


_adam_cases("adam_l2_step", 21)
_adam_cases("adamw_step", 31)
