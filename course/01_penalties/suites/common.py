"""Helpers and hints shared by the penalties suites (shipped with public.py: no case, nothing hidden-only)."""

# Hints of known mistakes, given by public and hidden cases alike.
HINT_HALF_DERIVATIVE = ("your answer is mu/(1 + lam/4): the derivative of (lam/2) * w^2 is lam * "
                        "w, not (lam/2) * w; solve 2(w - mu) + lam*w = 0.")
HINT_SIGN_SLIP = ("your answer is 2*mu/(2 - lam), which grows with lam instead of shrinking: a "
                  "sign slipped when setting the derivative to zero. 2(w - mu) + lam*w = 0 gives "
                  "w = 2*mu/(2 + lam).")
HINT_NO_HALF = ("your penalty is twice the expected one: this course writes the L2 penalty as "
                "(lam/2) * sum(w^2), with the factor 1/2.")
HINT_ABS = ("your gradient is never negative: lam * |w| loses the sign of w. The gradient of "
            "(lam/2) * w^2 is lam * w, negative where w is.")
HINT_NO_HALF_ON_L2 = ("your L2 part is twice too large: the elastic net is lam1*sum|w| + "
                      "(lam2/2)*sum(w^2).")
HINT_HALF_ON_BOTH = "your L1 part is halved: only the L2 part carries the factor 1/2."
HINT_SWAPPED_STRENGTHS = ("you seem to have swapped lam1 and lam2: lam1 goes with |w|, lam2 with "
                          "w^2.")
HINT_SQUARE_OF_SUM = ("your L2 part looks like (lam2/2) * (sum w)^2, the square of the sum; it "
                      "sums the squares: (lam2/2) * sum(w^2).")
HINT_FACTOR_2_ON_L2 = ("your L2 part is 2*lam2*w; with the penalty (lam2/2)*||w||^2 its gradient "
                       "is lam2*w.")
HINT_SWAPPED_STRENGTHS_GRAD = ("you seem to have swapped lam1 and lam2: lam1 multiplies sign(w), "
                               "lam2 multiplies w.")
HINT_HALF_ON_L2 = ("your L2 part looks like (lam2/2) * w: differentiating (lam2/2) * w^2 gives "
                   "lam2 * w (the 2 of the square cancels the 1/2).")
HINT_SIGN_LOST = ("negative mu give 0 in your answer: the minimizer keeps the sign of mu, "
                  "sign(mu) * max(|mu| - lam/2, 0).")
HINT_MU_OVER_ABS_MU = ("your answer is NaN where mu == 0: mu / |mu| divides 0 by 0 there. Use "
                       "np.sign(mu) (0 at mu == 0), and note that the minimizer is exactly 0 "
                       "whenever |mu| <= lam/2.")
