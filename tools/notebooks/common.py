"""Text shared by every notebook."""


def intro(b, title, goals, extra=""):
    m = b.a.module
    b.md(f"""
# {b.a.id[:2]} · {title}

{goals}

**How this notebook works.** You write the functions of `{m}.py` (in this folder); this notebook
explains the ideas, calls your functions and draws pictures with *your* results.

1. Run the setup cell below once.
2. Open `{m}.py`, replace a `raise NotImplementedError()` by your code, save.
3. Come back and run the cells of that function: the demo, then the **check** cell, which runs the
   same public tests as `python -m autograder check {b.a.id}` in a terminal. Your module is reloaded
   automatically, no kernel restart needed.
4. Cells that call a function you have not written yet stop with a one-line *Not implemented yet*
   message naming it: that is where to continue.
5. Answer the written questions in the cells that say *YOUR ANSWER HERE* (Markdown, LaTeX welcome);
   they are graded by hand. Hidden tests on your module run when you are graded.
{extra}""", grade_id="intro")
    b.setup()
