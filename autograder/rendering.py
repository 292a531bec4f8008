"""The Jinja2 templates of autograder/templates/: the class report (HTML, Markdown) and the feedback.

HTML templates (*.html.j2) are autoescaped: what a student wrote (messages quoting their output,
names) can never become markup; Markdown ones (*.md.j2) are not (Markdown has no escaping Jinja2 knows).
Jinja2 is imported on first use only: the student kit ships this module without it.
"""
from __future__ import annotations

import functools
import html as html_module
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parent / "templates"


@functools.cache
def environment(html: bool):
    """The environment of HTML templates (every value autoescaped) or of Markdown ones (none)."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=html,
                      finalize=_escape_like_html_module if html else None,
                      undefined=StrictUndefined,        # a misspelt name fails loudly, never renders empty
                      trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters["md_cell"] = md_cell
    return env


def _escape_like_html_module(value):
    """A value escaped by html.escape (quotes as &#x27; and &quot;, where MarkupSafe writes &#39; and &#34;),
    so pages keep the bytes they had before templates; markup the template built itself (a macro) passes.
    Autoescape still applies to whatever this returns."""
    from markupsafe import Markup

    return value if isinstance(value, Markup) else Markup(html_module.escape(str(value)))


def md_cell(text: str) -> str:
    """`text` as one cell of a Markdown table: its pipes escaped, its lines joined."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def render(name: str, **context) -> str:
    return environment(name.endswith(".html.j2")).get_template(name).render(**context)
