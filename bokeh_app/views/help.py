"""The user guide (docs/user-guide.md) shown in its own tab, each role reading only the sections written for it."""
from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from bokeh.models import Div
from markdown_it import MarkdownIt

from bokeh_app.views.style import DIV_CSS
from modeling.wording import catalogue

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "user-guide.md"
_IMAGE = re.compile(r"^!\[[^\]]*\]\([^)]*\)\s*$", re.MULTILINE)  # the guide's screenshots show this very page
#: A section's readers, written under its title: "<!-- readers: risk -->" (risk managers) or "operators"
#: (people who install the product, never shown in the dashboard); a section without one is for everyone.
_READERS = re.compile(r"<!--\s*readers:\s*(\w+)\s*-->")
_SECTION = re.compile(r"^(?=## )", re.MULTILINE)


def _sections(markdown: str, risk: bool) -> str:
    """The guide's level-2 sections a dashboard user of this kind reads (the title and introduction always)."""
    kept = []
    for section in _SECTION.split(markdown):
        readers = _READERS.search(section)
        audience = readers.group(1) if readers else "everyone"
        if audience == "everyone" or (audience == "risk" and risk):
            kept.append(_READERS.sub("", section))
    return "".join(kept)


@cache
def guide_html(risk: bool) -> str:
    """The guide as HTML for advisors or risk managers (read and rendered once per server), without screenshots."""
    if not GUIDE.is_file():
        return ""
    markdown = _IMAGE.sub("", GUIDE.read_text(encoding="utf-8"))
    return MarkdownIt("commonmark").render(_sections(markdown, risk))


def help_view(lang: str, risk: bool = False) -> Div:
    """The guide's sections for this role (``risk``: a risk manager's), with a note in English sessions."""
    body = guide_html(risk) or f"<p>{catalogue.t('help_missing', lang)}</p>"
    note = "" if lang == "fr" else f"<p class='note'>{catalogue.t('help_language', lang)}</p>"
    return Div(text=note + body, name="help", sizing_mode="stretch_width", styles={"max-width": "60em"},
               stylesheets=[DIV_CSS])
