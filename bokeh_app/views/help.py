"""The user guide (docs/user-guide.md) shown in its own tab, so that help is one click away."""
from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from bokeh.models import Div
from markdown_it import MarkdownIt

from bokeh_app.views.style import DIV_CSS
from modeling import catalogue

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "user-guide.md"
_IMAGE = re.compile(r"^!\[[^\]]*\]\([^)]*\)\s*$", re.MULTILINE)  # the guide's screenshots show this very page


@cache
def guide_html() -> str:
    """The guide as HTML (read and rendered once per server), without its screenshots."""
    if not GUIDE.is_file():
        return ""
    return MarkdownIt("commonmark").render(_IMAGE.sub("", GUIDE.read_text(encoding="utf-8")))


def help_view(lang: str) -> Div:
    """The guide, with a note in English sessions that it is written in French."""
    body = guide_html() or f"<p>{catalogue.t('help_missing', lang)}</p>"
    note = "" if lang == "fr" else f"<p class='note'>{catalogue.t('help_language', lang)}</p>"
    return Div(text=note + body, name="help", sizing_mode="stretch_width", styles={"max-width": "60em"},
               stylesheets=[DIV_CSS])
