"""The Jinja2 templates of autograder/templates/: the class report (HTML, Markdown) and the feedback.

HTML templates (*.html.j2) are autoescaped: what a student wrote (messages quoting their output,
names) can never become markup; Markdown ones (*.md.j2) are not (Markdown has no escaping Jinja2 knows).
Jinja2 is imported on first use only: the student kit ships this module without it.
"""
from __future__ import annotations

import functools
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parent / "templates"


@functools.cache
def environment():
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    env = Environment(loader=FileSystemLoader(TEMPLATES),
                      autoescape=select_autoescape(enabled_extensions=("html.j2",), default=False),
                      undefined=StrictUndefined,        # a misspelt name fails loudly, never renders empty
                      trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters["md_cell"] = md_cell
    return env


def md_cell(text: str) -> str:
    """`text` as one cell of a Markdown table: its pipes escaped, its lines joined."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def render(name: str, **context) -> str:
    return environment().get_template(name).render(**context)
