"""The sign-in page of the dashboard: a plain server-rendered form in the catalogue's words (no script)."""
from __future__ import annotations

from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from modeling.wording import catalogue


@cache
def _template():
    folder = Path(__file__).resolve().parent / "templates"
    return Environment(loader=FileSystemLoader(folder), autoescape=select_autoescape()).get_template("login.html")


def login_html(lang: str, target: str, error: str | None = None, name: str = "", csrf: str = "") -> str:
    """The form in ``lang``; ``target`` is where the browser goes once signed in."""
    return _template().render(text=catalogue.texts("signin_", lang), lang=lang, other=catalogue.other_lang(lang),
                              target=target, error=error, name=name[:64], csrf=csrf)
