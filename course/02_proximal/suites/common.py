"""Helpers and hints shared by the proximal suites (shipped with public.py: no case, nothing hidden-only)."""

# Hints of known mistakes, given by public and hidden cases alike.
HINT_SIGN_LOST = ("negative entries come out positive: soft thresholding keeps the sign, sign(v) "
                  "* max(|v| - t, 0).")
HINT_NO_CLAMP = ("entries with |v| <= t cross zero instead of becoming exactly 0: clamp |v| - t "
                 "at 0 with max(., 0) before putting the sign back.")
HINT_ONE_SIDED = ("negative entries all became 0: max(v - t, 0) only handles positive v; soft "
                  "thresholding is symmetric, sign(v) * max(|v| - t, 0).")
HINT_NO_L2_SCALING = ("your result is the soft threshold alone: the L2 part then divides it by (1 "
                      "+ t2).")
HINT_L2_ONLY = "your result is v / (1 + t2): the L1 part (soft thresholding at t1) is missing."
HINT_V_NOT_SCALED = ("you soft-thresholded v itself at t1 / (1 + t2): that threshold belongs to "
                     "the scaled point v / (1 + t2). Either soft-threshold v at t1 and divide by "
                     "(1 + t2), or threshold v / (1 + t2) at t1 / (1 + t2).")
HINT_HARD_ONE_SIDED = ("all your negative entries became 0: compare |v_i| (not v_i) with "
                       "sqrt(2t); a large negative entry is kept just like a large positive one.")
HINT_DIVIDE_BY_NORM_ONLY = ("you divided by ||w||^2 (or twice by ||w||): the projection is w * r "
                            "/ ||w||.")
HINT_MOMENTUM_WITH_THE_UPDATED_T = ("your momentum weight looks like (t_new - 1)/t_new: t was "
                                    "overwritten by t_new before the weight was formed. Use the "
                                    "old t: (t - 1)/t_new, which is 0 at the first iteration; "
                                    "update t only after computing z.")
HINT_STALE_W = ("your momentum term looks like w_new - 0: the previous iterate w is never "
                "updated. After computing z, set w = w_new (and t = t_new).")
HINT_LAM_ON_EVERY_ENTRY = ("you added lam to EVERY entry of X^T X (X.T @ X + lam broadcasts the "
                           "number): lam goes on the diagonal only, X.T @ X + lam * np.eye(d).")
HINT_SHRUNK_LEAST_SQUARES = ("your answer is the least-squares solution divided by (1 + lam); "
                             "that is ridge only when X^T X = I. In general solve (X^T X + lam I) "
                             "w = X^T y.")
