"""Public tests of assignment 05 (optimizers.py): small inputs with known answers.

The expected numbers are literals: hand-checkable first steps, and three steps
recorded from torch.optim.Adam / torch.optim.AdamW in float64
(tools/fixtures/optimizers.py, setting "lr1e-2_wd0.1", first four weights).
"""
import numpy as np

from autograder.framework import Mistake, as_float_array, case, check_close, expect
from autograder.suites.optimizers.common import (
    _split, _STORED_HAT, _BETAS_SWAPPED, _PAPER_EPS, _NO_V_BIAS, MSG_ADAM_INIT_KEYS,
    HINT_PENALTY_SIGN_FLIPPED, HINT_PENALTY_LEFT_OUT, HINT_PENALTY_GRADIENT_2_LAM_W,
    HINT_PENALTY_NOT_MULTIPLIED_BY_LR, HINT_DECAY_AFTER_THE_GRADIENT_STEP,
    HINT_DECAY_NOT_MULTIPLIED_BY_LR, HINT_DECAY_SIGN_FLIPPED, HINT_ADAMW_INSTEAD,
    HINT_ADAM_L2_SIGN_FLIPPED, HINT_WEIGHT_DECAY_IGNORED, HINT_ADAM_L2_INSTEAD,
    HINT_ADAMW_DECAY_NOT_TIMES_LR, HINT_DECAY_AFTER_THE_ADAM_STEP, HINT_ADAMW_DECAY_SIGN_FLIPPED
)

# The steps are pure: every call of these cases must leave w, grad and state (and the arrays in it) unchanged.
PURE_CALLS = ("your function changed an input in place (for example `w -= ...`, `w *= ...` or "
              "`state['m'] *= ...`); the steps must be pure: build new arrays and a new state dict")

# ----------------------------------------------------------------------------- SGD
W = np.array([1.0, -2.0, 0.5])
G = np.array([0.5, 0.5, -1.0])
LR, LAM = 0.1, 0.2
# w - lr*(g + lam*w), worked out by hand: 1 - 0.1*0.7, -2 - 0.1*0.1, 0.5 - 0.1*(-0.9)
SGD_EXPECTED = [0.93, -2.01, 0.59]


@case("sgd_l2_step: one step worked out by hand", points=2)
def _(sub):
    got = sub.sgd_l2_step(W, G, LR, LAM)
    # rtol 1e-12: three roundings of numbers of order 1
    check_close(got, SGD_EXPECTED, rtol=1e-12, what="sgd_l2_step(w, grad, 0.1, 0.2)", mistakes=[
        Mistake("penalty sign flipped", [0.97, -2.09, 0.61], HINT_PENALTY_SIGN_FLIPPED),
        Mistake("penalty left out", [0.95, -2.05, 0.6], HINT_PENALTY_LEFT_OUT),
        Mistake("penalty gradient 2*lam*w", [0.91, -1.97, 0.58], HINT_PENALTY_GRADIENT_2_LAM_W),
        Mistake("penalty not multiplied by lr", [0.75, -1.65, 0.5], HINT_PENALTY_NOT_MULTIPLIED_BY_LR),
        Mistake("penalty gradient lam*w/2", [0.94, -2.03, 0.595],
                "your penalty gradient is lam*w/2: the 1/2 of the penalty (lam/2)*||w||^2 cancels against the "
                "2 from differentiating w**2, so its gradient is lam*w"),
        Mistake("grad not multiplied by lr", [0.48, -2.46, 1.49],
                "your step subtracts the whole data gradient: it is scaled by the learning rate too, "
                "w - lr*(grad + lam*w)"),
    ])


@case("sgd_weight_decay_step: decay before the step equals the L2 step", points=2)
def _(sub):
    got = sub.sgd_weight_decay_step(W, G, LR, LAM)
    # same numbers as the L2 step (decay before the step); rtol 1e-12: a few roundings of O(1) terms
    check_close(got, SGD_EXPECTED, rtol=1e-12, what="sgd_weight_decay_step(w, grad, 0.1, 0.2)", mistakes=[
        Mistake("decay after the gradient step", [0.931, -2.009, 0.588], HINT_DECAY_AFTER_THE_GRADIENT_STEP),
        Mistake("decay not multiplied by lr", [0.75, -1.65, 0.5], HINT_DECAY_NOT_MULTIPLIED_BY_LR),
        Mistake("decay sign flipped", [1.07, -2.13, 0.65], HINT_DECAY_SIGN_FLIPPED),
        Mistake("grad not multiplied by lr", [0.48, -2.46, 1.49],
                "your step subtracts the whole data gradient: it is scaled by the learning rate, "
                "(1 - lr*lam)*w - lr*grad"),
    ])


# ----------------------------------------------------------------------------- Adam


def _check_state(state, fn, step, m, v, rtol, m_mistakes=(), v_mistakes=()):
    got_step = as_float_array(state["step"], f'{fn}(...) state["step"]')
    expect(got_step.size == 1 and float(got_step.reshape(-1)[0]) == step,
           f'{fn}(...) state["step"] is {state["step"]!r}, expected {step}',
           'state["step"] counts the updates taken: a step returns the old count plus one '
           "(and that new count is the t of the bias corrections)")
    check_close(state["m"], m, rtol=rtol, what=f'{fn}(...) state["m"]', mistakes=m_mistakes)
    check_close(state["v"], v, rtol=rtol, what=f'{fn}(...) state["v"]', mistakes=v_mistakes)


@case("adam_init: step 0 and zero moments shaped like w", points=1)
def _(sub):
    w = np.arange(6.0).reshape(2, 3)
    state = sub.adam_init(w)
    expect(isinstance(state, dict) and {"step", "m", "v"} <= set(state), MSG_ADAM_INIT_KEYS,
           'the state is read by key: name them exactly "step", "m" and "v" (the step functions look them '
           "up by these names)")
    step = as_float_array(state["step"], 'adam_init(w)["step"]').reshape(-1)
    expect(step.size == 1 and float(step[0]) == 0,
           f'state["step"] is {state["step"]!r}, expected 0: no update has been taken yet',
           '"step" counts the updates already taken: a fresh state starts at 0, and the first step '
           "increments it to 1 before using it in the bias corrections")
    for key in ("m", "v"):
        # exact: zeros need no arithmetic
        check_close(state[key], np.zeros((2, 3)), rtol=0, what=f'adam_init(w)["{key}"] for a 2x3 w',
                    mistakes=[Mistake("flat moments", np.zeros(2),
                                      "the moments must have the shape of w itself (here 2x3); "
                                      "np.zeros_like(w) does that for any shape"),
                              Mistake("a copy of w", w,
                                      "your moment is a copy of w: m and v are running averages of the "
                                      "gradients, which start at zero (np.zeros_like(w)), whatever the "
                                      "weights are")])


W4 = np.array([1.0, -2.0, 0.5, 0.0])
G4 = np.array([0.1, -0.3, 0.0, 2.0])
FRESH = {"step": 0, "m": np.zeros(4), "v": np.zeros(4)}


@case("adam_l2_step: first step from a fresh state", points=2)
def _(sub):
    # With t = 1 the bias corrections give m_hat = g and v_hat = g^2 for g = grad + 0.5*w,
    # so each weight moves by lr * g / (|g| + eps).
    w_new, state = _split(sub.adam_l2_step(W4, G4, FRESH, lr=0.01, weight_decay=0.5), "adam_l2_step")
    # rtol 1e-12: a handful of roundings; the known mistakes differ by 1e-9 or more
    check_close(w_new, [0.9900000001666667, -1.9900000000769231, 0.49000000039999997, -0.009999999950000001],
                rtol=1e-12, what="adam_l2_step(...) new weights", mistakes=[
        Mistake("AdamW instead", [0.9850000009999998, -1.9800000003333333, 0.4975, -0.009999999950000001],
                HINT_ADAMW_INSTEAD),
        Mistake("no bias correction", [0.9683772400649742, -1.968377231090622, 0.46837726339826563,
                                       -0.03162277160168457],
                "the moments need bias correction: divide m by (1 - beta1**t) and v by (1 - beta2**t), "
                "t counting this step from 1"),
        Mistake("eps inside the square root", [0.9900000001388889, -1.9900000000295859, 0.4900000007999999,
                                               -0.009999999987500001],
                "eps goes outside the square root: sqrt(v_hat) + eps, as in torch"),
        Mistake("decay sign flipped", [1.00999999975, -2.009999999857143, 0.5099999996, -0.009999999950000001],
                HINT_ADAM_L2_SIGN_FLIPPED),
        Mistake("weight decay ignored", [0.9900000009999999, -1.9900000003333334, 0.5, -0.009999999950000001],
                HINT_WEIGHT_DECAY_IGNORED),
        Mistake("step counted from 0", [np.nan] * 4,
                "your first step is not finite: the step counter is incremented first, so the first "
                "update uses t = 1 and 1 - beta**t is never 0"),
        Mistake("paper's eps", [0.99000000527046, -1.9900000024325206, 0.49000001264909465, -0.00999999841886142],
                _PAPER_EPS),
        Mistake("decay in m only", [0.9400000059999994, -1.9566666681111111, -249999.5, -0.009999999950000001],
                "weight_decay*w went into m but not into v: the L2 term is part of the gradient, so use "
                "g = grad + weight_decay*w in both moments (v is built from g**2)."),
        Mistake("v not bias-corrected", [0.683772400649741, -1.6837723109062204, 0.1837726339826562,
                                         -0.31622771601684574], _NO_V_BIAS),
    ])
    # rtol 1e-12: one or two roundings. With t = 1, m_hat = g and v_hat = g^2.
    _check_state(state, "adam_l2_step", 1, [0.06, -0.13, 0.025, 0.2], [0.00036, 0.00169, 6.25e-05, 0.004],
                 rtol=1e-12,
                 m_mistakes=[Mistake("stored m_hat", [0.6, -1.3, 0.25, 2.0], _STORED_HAT),
                             Mistake("betas swapped", [0.0006, -0.0013, 0.00025, 0.002], _BETAS_SWAPPED)],
                 v_mistakes=[Mistake("stored v_hat", [0.36, 1.69, 0.0625, 4.0], _STORED_HAT),
                             Mistake("betas swapped", [0.036, 0.169, 0.00625, 0.4], _BETAS_SWAPPED)])


@case("adamw_step: first step from a fresh state", points=2)
def _(sub):
    # The weights shrink by 1 - 0.01*0.5 first; then each moves by lr * grad / (|grad| + eps).
    w_new, state = _split(sub.adamw_step(W4, G4, FRESH, lr=0.01, weight_decay=0.5), "adamw_step")
    # rtol 1e-12: a handful of roundings; the known mistakes differ by 1e-9 or more
    check_close(w_new, [0.9850000009999998, -1.9800000003333333, 0.4975, -0.009999999950000001],
                rtol=1e-12, what="adamw_step(...) new weights", mistakes=[
        Mistake("Adam-L2 instead", [0.9900000001666667, -1.9900000000769231, 0.49000000039999997,
                                    -0.009999999950000001], HINT_ADAM_L2_INSTEAD),
        Mistake("decay not multiplied by lr", [0.4900000009999999, -0.9900000003333334, 0.25,
                                               -0.009999999950000001], HINT_ADAMW_DECAY_NOT_TIMES_LR),
        Mistake("decay after the Adam step", [0.9850500009949998, -1.9800500003316668, 0.4975,
                                              -0.009949999950250001], HINT_DECAY_AFTER_THE_ADAM_STEP),
        Mistake("no bias correction", [0.963377323398, -1.9583772567316144, 0.4975, -0.03162277160168457],
                "the moments need bias correction: divide m by (1 - beta1**t) and v by (1 - beta2**t), "
                "t counting this step from 1"),
        Mistake("eps inside the square root", [0.9850000049999963, -1.9800000005555556, 0.4975,
                                               -0.009999999987500001],
                "eps goes outside the square root: sqrt(v_hat) + eps, as in torch"),
        Mistake("decay sign flipped", [0.9950000009999997, -2.000000000333333, 0.5025, -0.009999999950000001],
                HINT_ADAMW_DECAY_SIGN_FLIPPED),
        Mistake("step counted from 0", [np.nan] * 4,
                "your first step is not finite: the step counter is incremented first, so the first "
                "update uses t = 1 and 1 - beta**t is never 0"),
        Mistake("decay both ways", [0.9850000001666667, -1.9800000000769231, 0.48750000039999997,
                                    -0.009999999950000001],
                "your step decays the weights twice: AdamW only shrinks them by (1 - lr*weight_decay); its "
                "moments are built from the raw grad, without adding weight_decay*w to it"),
        Mistake("paper's eps", [0.9850000316226766, -1.9800000105409143, 0.4975, -0.00999999841886142],
                _PAPER_EPS),
        Mistake("v not bias-corrected", [0.6787732339799999, -1.673772567316144, 0.4975, -0.31622771601684574],
                _NO_V_BIAS),
    ])
    # rtol 1e-12: one or two roundings. With t = 1, m_hat = grad and v_hat = grad^2.
    _check_state(state, "adamw_step", 1, [0.01, -0.03, 0.0, 0.2], [1e-05, 9e-05, 0.0, 0.004], rtol=1e-12,
                 m_mistakes=[Mistake("stored m_hat", [0.1, -0.3, 0.0, 2.0], _STORED_HAT),
                             Mistake("betas swapped", [0.0001, -0.0003, 0.0, 0.002], _BETAS_SWAPPED)],
                 v_mistakes=[Mistake("stored v_hat", [0.01, 0.09, 0.0, 4.0], _STORED_HAT),
                             Mistake("betas swapped", [0.001, 0.009, 0.0, 0.4], _BETAS_SWAPPED)])


# Three steps recorded from torch (float64), lr = 0.01, betas = (0.9, 0.999), eps = 1e-8,
# weight_decay = 0.1. The gradients were evaluated by torch at its own iterates.
TORCH_W0 = [-1.5803049999260292, -4.0692509636637455, 1.2066034938495294, 1.4885890597598237]
TORCH = {
    "adam_l2_step": {
        "grads": [[-0.13284867485286483, -19.167409277082875, -0.20423805742876983, -0.47729683336637635],
                  [-0.1406103840137406, -19.087607531586166, -0.19950545489557278, -0.442446691987012],
                  [-0.14837582981870245, -19.00806436826104, -0.19454960591180248, -0.4077015501902138]],
        "iterates": [[-1.5703050002698147, -4.0592509636688545, 1.2166034926530382, 1.4985890594553521],
                     [-1.5602996714439967, -4.049252063262113, 1.2265786892568367, 1.5085423926435568],
                     [-1.5502856156078684, -4.039254994123182, 1.2365078261818374, 1.5184083452334642]],
        "m": [-0.08078947242245808, -5.281237978223888, -0.02096502755688525, -0.07862110395494061],
        "v": [0.00026560595256218866, 1.1388706209116233, 1.8193492257525503e-05, 0.0002591483831336298],
        "torch": "torch.optim.Adam",
    },
    "adamw_step": {
        "grads": [[-0.13284867485286483, -19.167409277082875, -0.20423805742876983, -0.47729683336637635],
                  [-0.14183714210827106, -19.055205894298606, -0.20008908250626453, -0.447638313610507],
                  [-0.15082345214706713, -18.94361846052719, -0.19576474044558176, -0.4180429054190205]],
        "iterates": [[-1.5687246956788392, -4.055181712705299, 1.215396889866055, 1.4971004704905506],
                     [-1.5571442717372745, -4.041128104407183, 1.2241756168673426, 1.5055815247580493],
                     [-1.5455565418372834, -4.027091168824314, 1.2329352338872803, 1.5140154800859018]],
        "m": [-0.03860843066753315, -5.161890527983306, -0.05412777412185233, -0.12075278226952413],
        "v": [6.045886134223143e-05, 1.0882536178084565, 0.00011994923834624366, 0.0006022964209429776],
        "torch": "torch.optim.AdamW",
    },
}


def _replay(sub, fn):
    rec = TORCH[fn]
    w, state = np.array(TORCH_W0), {"step": 0, "m": np.zeros(4), "v": np.zeros(4)}
    for k, (grad, expected) in enumerate(zip(rec["grads"], rec["iterates"]), start=1):
        w, state = _split(sub.call(fn, w, np.array(grad), state, lr=0.01, betas=(0.9, 0.999),
                                   eps=1e-8, weight_decay=0.1), fn)
        # rtol 1e-12: torch and NumPy order the same operations differently, which moves the
        # last few bits only (measured: below 1e-15 relative over 60 steps)
        check_close(w, expected, rtol=1e-12, what=f"{fn}: weights after step {k} (vs {rec['torch']})")
        w = as_float_array(w, f"{fn}: weights after step {k}")
    # rtol 1e-12, as above: the moments go through the same few operations
    _check_state(state, fn, 3, rec["m"], rec["v"], rtol=1e-12)


@case("adam_l2_step: three steps replay torch.optim.Adam(weight_decay=0.1)", points=3)
def _(sub):
    _replay(sub, "adam_l2_step")


@case("adamw_step: three steps replay torch.optim.AdamW(weight_decay=0.1)", points=3)
def _(sub):
    _replay(sub, "adamw_step")
