"""Helpers and hints shared by the optimizers suites (shipped with public.py: no case, nothing hidden-only)."""

from autograder.framework import Fail


def _split(result, fn):
    """(w_new, state_new) from a step's result, or Fail saying what is wrong with it."""
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        raise Fail(f"{fn}() must return a tuple (w_new, state_new), got {type(result).__name__}")
    w_new, state = result
    if not isinstance(state, dict) or not {"step", "m", "v"} <= set(state):
        raise Fail(f'{fn}(): the new state must be a dict with keys "step", "m" and "v"')
    return w_new, state


_STORED_HAT = ("your state holds the bias-corrected m_hat and v_hat; the state keeps the raw running "
               "averages m and v (the correction is recomputed from t at every step).")
_BETAS_SWAPPED = ("your beta1 and beta2 are swapped: m (the mean of the gradients) decays with beta1 = "
                  "betas[0], v (the mean of the squared gradients) with beta2 = betas[1].")
_PAPER_EPS = ("you folded the bias corrections into the step size, lr*sqrt(1 - beta2**t)/(1 - beta1**t), "
              "and kept eps as it is: that is the eps of the Adam paper's efficient form, not of this "
              "contract (torch's), where eps is added to sqrt(v_hat). Either divide by sqrt(v_hat) + eps, "
              "or scale eps by sqrt(1 - beta2**t) in the folded form.")
_NO_V_BIAS = ("you bias-corrected m but not v: divide v by (1 - beta2**t) as well, v_hat = v / (1 - beta2**t); "
              "without it the first steps are too large.")


# Hints of known mistakes, given by public and hidden cases alike.
MSG_ADAM_INIT_KEYS = 'adam_init(w) must return a dict with keys "step", "m" and "v"'
HINT_PENALTY_SIGN_FLIPPED = ("your step moves the weights away from zero: the penalty's gradient "
                             "is +lam*w, and the step subtracts lr*(grad + lam*w)")
HINT_PENALTY_LEFT_OUT = "your step ignores lam: add the L2 gradient lam*w to grad before stepping"
HINT_PENALTY_GRADIENT_2_LAM_W = ("your penalty gradient is 2*lam*w, from a penalty lam*||w||^2; "
                                 "this course's penalty is (lam/2)*||w||^2, whose gradient is "
                                 "lam*w")
HINT_PENALTY_NOT_MULTIPLIED_BY_LR = ("the L2 term is part of the gradient, so it is multiplied by "
                                     "lr like grad is: w - lr*(grad + lam*w)")
HINT_DECAY_AFTER_THE_GRADIENT_STEP = ("you applied the decay after the gradient step, (1 - "
                                      "lr*lam)*(w - lr*grad): that is off by lr^2*lam*grad. "
                                      "Shrink the current weights first: (1 - lr*lam)*w - lr*grad")
HINT_DECAY_NOT_MULTIPLIED_BY_LR = ("the decay factor is (1 - lr*lam), not (1 - lam): the decay "
                                   "per step scales with lr")
HINT_DECAY_SIGN_FLIPPED = ("your weights grow: weight decay multiplies them by (1 - lr*lam), "
                           "which is below 1")
HINT_ADAMW_INSTEAD = ("your Adam-L2 step looks like AdamW: here weight_decay*w is added to the "
                      "gradient before the moments (torch.optim.Adam), not subtracted from the "
                      "weights separately")
HINT_ADAM_L2_SIGN_FLIPPED = ("the L2 gradient is +weight_decay*w; your step pulls the weights "
                             "away from zero")
HINT_WEIGHT_DECAY_IGNORED = ("your step ignores weight_decay: add weight_decay*w to grad before "
                             "the moments")
HINT_ADAM_L2_INSTEAD = ("your AdamW step matches Adam with the decay added to the gradient: AdamW "
                        "shrinks the weights by (1 - lr*weight_decay) outside the moment estimates")
HINT_ADAMW_DECAY_NOT_TIMES_LR = ("the decoupled decay factor is (1 - lr*weight_decay), not (1 - "
                                 "weight_decay)")
HINT_DECAY_AFTER_THE_ADAM_STEP = ("you decayed the weights after the Adam update; "
                                  "torch.optim.AdamW multiplies the current weights by (1 - "
                                  "lr*weight_decay) first, then subtracts the Adam update")
HINT_ADAMW_DECAY_SIGN_FLIPPED = ("your weights grow: the decoupled decay multiplies them by (1 - "
                                 "lr*weight_decay)")
