"""Figures and notebook helpers of the regularization course.

Every figure function takes the module(s) it computes with as arguments: inside an
assignment notebook that is the student's own module (so the picture shows the student's
work), and `python -m autograder figures` passes the reference solutions.

    import course_plots as cp
    cp.fig_threshold_maps(proximal)          # a matplotlib Figure
    cp.anim_lasso_path(proximal)             # a matplotlib FuncAnimation (GIF via Pillow)

Kept out of `autograder/` so that grading never imports matplotlib.
"""
from .figures import *  # noqa: F401,F403
from .figures import __all__ as _fig_all
from .generalization import *  # noqa: F401,F403
from .generalization import __all__ as _gen_all
from .capstone import *  # noqa: F401,F403  (08_capstone's figures)
from .capstone import __all__ as _capstone_all
from .notebook import notebook_setup, run_check, show_animation

__all__ = list(_fig_all) + list(_gen_all) + list(_capstone_all) + ["notebook_setup", "run_check", "show_animation"]
