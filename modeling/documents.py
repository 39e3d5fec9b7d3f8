"""Generated documents: Jinja2 templates for every Markdown and HTML page, Markdown turned into HTML by markdown-it."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cache

from jinja2 import BaseLoader, Environment, PackageLoader, StrictUndefined, select_autoescape
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markupsafe import Markup

PAGE = "page.html.j2"


def environment(loader: BaseLoader, filters: Mapping[str, Callable] | None = None) -> Environment:
    """Templates from ``loader`` with ``filters``: an unknown variable fails, only HTML templates are escaped."""
    env = Environment(loader=loader, undefined=StrictUndefined, autoescape=select_autoescape(("html", "html.j2")),
                      keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(filters or {})
    return env


def render(template: str, values: Mapping, filters: Mapping[str, Callable] | None = None) -> str:
    """The template ``template`` of modeling/templates filled with ``values``."""
    return environment(PackageLoader("modeling"), filters).get_template(template).render(values)


def _figures(state: StateCore) -> None:
    """A paragraph holding only an image becomes a figure captioned with the image's text."""
    tokens = state.tokens
    for before, inline, after in zip(tokens, tokens[1:], tokens[2:], strict=False):
        children = inline.children or []
        if before.type == "paragraph_open" and [c.type for c in children] == ["image"]:
            before.tag = after.tag = "figure"
            children += [Token("figcaption_open", "figcaption", 1), *(children[0].children or []),
                         Token("figcaption_close", "figcaption", -1)]


@cache
def _markdown_it() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False}).enable("table")  # raw HTML in the text is escaped, not kept
    md.core.ruler.push("figures", _figures)
    return md


def html(markdown: str) -> Markup:
    """CommonMark with tables as HTML (any HTML written in the text shown as text)."""
    return Markup(_markdown_it().render(markdown))  # nosec B704: markdown-it escapes the text, raw HTML is off


def html_page(markdown: str, title: str, lang: str = "en") -> str:
    """A Markdown document as one HTML page with its title."""
    return render(PAGE, {"title": title, "lang": lang, "body": html(markdown)})
