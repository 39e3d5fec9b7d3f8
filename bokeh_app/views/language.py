"""The header's language link follows the open client, so that switching language reopens the same file."""
from __future__ import annotations

from urllib.parse import urlencode

from bokeh.models import CustomJS, Div

from modeling.wording import catalogue

#: Rewrites the header link (outside Bokeh's views) when the open client changes in the browser.
_FOLLOW = """
const link = document.getElementById('language-switch');
if (link != null) { link.setAttribute('href', '?' + cb_obj.text); }
"""


def switch_query(lang: str, client_id: int | None) -> str:
    """The query of the link to the other language: 'lang=en&client_id=100007'."""
    query = {"lang": catalogue.other_lang(lang)}
    if client_id is not None:
        query["client_id"] = str(int(client_id))
    return urlencode(query)


def requested_client(request) -> int | None:
    """The client_id argument of the page's address, when it is an ID written in ASCII digits."""
    raw = (getattr(request, "arguments", None) or {}).get("client_id") or [b""]
    text = raw[0].decode() if isinstance(raw[0], bytes) else str(raw[0])
    return int(text) if text.isascii() and text.isdigit() else None


def language_follower(doc, lang: str):
    """An invisible model holding the open client's switch query, and follow(client_id) that updates it."""
    holder = Div(text=switch_query(lang, None), visible=False, name="language_switch")
    holder.js_on_change("text", CustomJS(code=_FOLLOW))

    def follow(client_id: int) -> None:
        holder.text = switch_query(lang, client_id)
        doc.template_variables["switch_query"] = holder.text  # the link as first served

    return holder, follow
