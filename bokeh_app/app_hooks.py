"""Server lifecycle hooks: the model and the portfolio are loaded once per server process."""
from __future__ import annotations

import logging

from bokeh_app.config import DashboardSettings
from bokeh_app.portfolio import load_portfolio
from bokeh_app.session_user import PAYLOAD_KEY, cookie_reference

log = logging.getLogger(__name__)


def on_server_loaded(server_context) -> None:
    """Read the settings (unless the embedding server gave them), load the model and score every client, once;
    sessions reach them as server_context.settings and server_context.portfolio."""
    try:
        if getattr(server_context, "settings", None) is None:
            server_context.settings = DashboardSettings.from_env()
        server_context.portfolio = load_portfolio(server_context.settings, say=log.warning)
    except Exception as exc:  # the page then says what is missing instead of a blank screen
        server_context.portfolio = None
        server_context.portfolio_error = str(exc)
        log.error("dashboard: cannot load the portfolio: %s", exc)


def process_request(request) -> dict:
    """What Bokeh adds to the session token of a page: the public reference of the browser's session, never
    its cookie (bokeh_app/session_user.py)."""
    ref = cookie_reference(request.cookies)
    return {PAYLOAD_KEY: ref} if ref else {}
