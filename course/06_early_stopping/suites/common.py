"""Helpers and hints shared by the early_stopping suites (shipped with public.py: no case, nothing hidden-only)."""

_ALIASED = ("every row of your trajectory is the final weight vector: you appended the same array to the list "
            "and then updated it in place (w -= ...), which changes every row you stored. Append a copy, or "
            "build a new array at each step (w = w - ...).")
_SHIFTED = ("your rows are one step ahead: row 0 must be the starting point w0 and row k the weights after k "
            "steps; you seem to record w after updating it (and take steps + 1 steps)")
_NO_START = ("your trajectory lacks its starting point: row 0 must be w0 (zeros by default), "
             "so `steps` steps give steps + 1 rows")
_LATE = ("you stop one epoch late: stop at the epoch where `patience` epochs in a row have failed to "
         "improve, i.e. when epoch - best_epoch == patience")
_EARLY = ("you stop one epoch early: `patience` epochs without improvement must have passed; with the best "
          "at epoch b, the stop comes at epoch b + patience")
_ONE_BASED = "your epochs look 1-based; epochs are numbered from 0 (val_losses[0] is epoch 0)"
_LOOKAHEAD = ("your best epoch lies after the stopping point: the rule never sees the epochs after it stops, "
              "so the best epoch is the last improvement before stop_epoch")
_LAST = "when training never stops early, stop_epoch is the index of the last epoch, len(val_losses) - 1"
_TIES = "a tie is not an improvement: an epoch improves only when its loss is strictly below best - min_delta"
_DELTA = ("you ignored min_delta: a decrease counts as an improvement only when loss < best - min_delta; "
          "smaller gains do not reset the patience")
_RESET = ("your count of epochs without improvement is not restarted after an improvement: only "
          "consecutive epochs without improvement count toward patience")
_ARGMIN_DELTA = ("your kept epoch is the smallest loss seen, but an epoch becomes the best only when it "
                 "improves on the best by more than min_delta: keep the epoch of the last improvement")
_PREVIOUS = ("you compare each loss with the previous epoch's; compare it with the best loss so far "
             "(a small rebound followed by a small dip is not an improvement)")


# Hints of known mistakes, given by public and hidden cases alike.
HINT_MISSING_PART = ("you returned (1 - lr*s)^t, the part of the least-squares solution still "
                     "missing; the filter is what has been learned: 1 - (1 - lr*s)^t")
HINT_LR_LEFT_OUT = ("each step shrinks the error by (1 - lr*s), not (1 - s): multiply the "
                    "eigenvalue by lr")
HINT_CONTINUOUS_TIME_FILTER = ("1 - exp(-lr*s*t) is the small-step approximation; the exact "
                               "filter after t steps is 1 - (1 - lr*s)^t")
HINT_EXPONENT_OFF_BY_ONE = ("your exponent is one too large: after t steps the error along an "
                            "eigenvector has been multiplied by (1 - lr*s) exactly t times")
HINT_MULTIPLIED_BY_T = ("the factor (1 - lr*s) is applied once per step, so it is raised to the "
                        "power t, 1 - (1 - lr*s)**t, not multiplied by t")
HINT_LAM_ON_TOP = ("lam/(s + lam) is the part ridge removes; the filter is the part it keeps: "
                   "s/(s + lam)")
HINT_NUMERATOR_MISSING = ("1/(s + lam) is the inverse in the ridge solution; relative to least "
                          "squares (which divides by s) each direction is scaled by s/(s + lam)")
HINT_EIGENVALUES_SQUARED = ("the s here are eigenvalues of X^T X / n, already squared singular "
                            "values: the filter is s/(s + lam), not s^2/(s^2 + lam) (that is the "
                            "same filter written with singular values)")
HINT_LR_STEPS = ("lr*steps is the training time; the penalty it resembles is its inverse, "
                 "1/(lr*steps): training longer means regularizing less")
HINT_STEPS_LR = "the penalty is 1/(lr*steps): both lr and steps go in the denominator"
HINT_LR_ON_TOP = "the penalty is 1/(lr*steps): lr goes in the denominator too"
HINT_FLOOR_DIVISION = ("your result is rounded down to a whole number: // is floor division; use "
                       "/ for 1/(lr*steps)")
_RELATIVE = ("your min_delta looks relative (loss < best * (1 - min_delta)); it is an absolute amount: "
             "an improvement needs loss < best - min_delta")
