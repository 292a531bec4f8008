"""Numbers that a notebook's prose states, computed by the code that draws its figures.

In nb_NN.py a markdown cell whose text quotes a number is written with a placeholder and the
expression that computes it (evaluated in the notebook's own namespace: `np`, `cp` and the
assignment module, here the reference solution):

    claims.md(b, r"... the median is [[med:.2f]] at step 300 ...",
              med="cp.adam_l2_median_abs_w(optimizers, 300)")

The number is computed at build time and written into the text; the cell's metadata keeps
{name, expr, fmt, shown}. tests/test_notebooks.py executes each solutions notebook, then runs
VERIFY_SOURCE in the same kernel: every expression is evaluated again and must round to the
number shown, so a text can never drift from the figure it describes.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PLACEHOLDER = re.compile(r"\[\[(\w+):(\.\d+f|d)\]\]")

# Executed in the notebook's kernel (and by the unit test on a plain namespace). Tolerance:
# the shown number must be the recomputed value rounded to the digits shown (half a unit of
# the last digit), plus 1e-9 relative for floating-point noise between machines.
VERIFY_SOURCE = r'''
def _verify_claims(claims, namespace):
    bad = []
    for c in claims:
        got = float(eval(c["expr"], namespace))
        digits = int(c["fmt"][1:-1]) if c["fmt"].endswith("f") else 0
        tol = 0.5 * 10.0 ** -digits + 1e-9 * max(1.0, abs(got))
        if not abs(got - float(c["shown"])) <= tol:
            bad.append(f"{c['name']}: the text says {c['shown']}, {c['expr']} gives {got!r}")
    return bad
'''


def _namespace(b):
    sys.path.insert(0, str(ROOT))
    import numpy as np

    import course_plots as cp
    from autograder.course import import_path

    a = b.a
    module = import_path(ROOT / "source" / a.id / a.filename, f"_claims_{a.module}")
    return {"np": np, "cp": cp, a.module: module}


def md(b, text, **exprs):
    """A locked markdown cell whose [[name:fmt]] placeholders are filled by exprs[name]."""
    names = PLACEHOLDER.findall(text)
    if sorted({n for n, _ in names}) != sorted(exprs):
        raise ValueError(f"{b.a.id}: placeholders {names} do not match the expressions {sorted(exprs)}")
    ns = _namespace(b)
    records = []

    def fill(m):
        name, fmt = m.group(1), m.group(2)
        value = float(eval(exprs[name], ns))
        shown = format(int(round(value)) if fmt == "d" else value, fmt)
        records.append({"name": name, "expr": exprs[name], "fmt": fmt, "shown": shown})
        return shown

    cell = b.md(PLACEHOLDER.sub(fill, text))
    cell.metadata["claims"] = records
    return cell
