"""What the assignment notebooks need besides figures.

notebook_setup()   one clear line instead of a traceback wall for NotImplementedError
run_check(...)     the command-line check (`python -m autograder check`) inside a notebook
show_animation()   render a FuncAnimation as an inline GIF
"""
from __future__ import annotations

import os
import tempfile
import traceback
from pathlib import Path

NOT_IMPLEMENTED = "Not implemented yet"


def _not_implemented_handler(shell, etype, value, tb, tb_offset=None):
    """IPython custom exception handler: name the unfinished function in one line.

    The innermost frame is the function that raised (the stub's body); the cell still fails
    (so "Run All" stops here, as it does for any error), but it shows one line instead of
    a traceback through the notebook, the figure code and the stub.
    """
    frames = list(traceback.walk_tb(tb))
    where = ""
    if frames:
        code = frames[-1][0].f_code
        src = Path(code.co_filename)
        place = src.name if src.is_file() and "ipykernel_" not in str(src) else "a notebook cell"
        where = f"{code.co_name}() in {place}"
    detail = f" ({value})" if str(value) else ""
    line = (f"\x1b[1;31m{NOT_IMPLEMENTED}:\x1b[0m {where or 'this function'} still raises "
            f"NotImplementedError{detail}. Fill in its body, save the file and run this cell again.")
    shell._showtraceback(etype, value, [line])
    return [line]


def notebook_setup() -> None:
    """Install the NotImplementedError handler and quiet figure defaults (call once)."""
    try:
        from IPython import get_ipython
    except ImportError:  # plain Python: nothing to install
        return
    shell = get_ipython()
    if shell is not None:
        shell.set_custom_exc((NotImplementedError,), _not_implemented_handler)
    import matplotlib.pyplot as plt
    plt.rcParams.update({"figure.dpi": 90, "axes.grid": True, "grid.alpha": 0.3})


def run_check(assignment: str, path=".", functions=None) -> float | None:
    """Run the public checks of `functions` (all when None) on the module in `path`.

    Prints the same report as `python -m autograder check <assignment>`; returns the score.
    """
    try:
        from autograder.cmd_check import run_check as _run_check
    except ImportError as exc:
        print(f"The checker is not available here ({exc}); run "
              f"`python -m autograder check {assignment}` from the course folder instead.")
        return None
    return _run_check(assignment, path, functions)


def show_animation(anim, fps: int = 6, dpi: int = 72):
    """Display a FuncAnimation inline as a GIF (written with matplotlib's Pillow writer)."""
    import matplotlib.pyplot as plt
    from IPython.display import Image
    from matplotlib.animation import PillowWriter

    fd, name = tempfile.mkstemp(suffix=".gif")
    os.close(fd)
    try:
        anim.save(name, writer=PillowWriter(fps=fps), dpi=dpi)
        data = Path(name).read_bytes()
    finally:
        os.unlink(name)
        plt.close(anim._fig)
    return Image(data=data, format="gif")
