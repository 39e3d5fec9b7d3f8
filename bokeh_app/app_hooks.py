"""Server lifecycle hooks: the model and the portfolio are loaded once per server process."""
from __future__ import annotations

import logging

from bokeh_app.config import load_config
from bokeh_app.portfolio import load_portfolio

log = logging.getLogger(__name__)


def on_server_loaded(server_context) -> None:
    """Load the model and score every client once; sessions reach it as server_context.portfolio."""
    try:
        server_context.portfolio = load_portfolio(load_config(), say=log.warning)
    except Exception as exc:  # the page then says what is missing instead of a blank screen
        server_context.portfolio = None
        server_context.portfolio_error = str(exc)
        log.error("dashboard: cannot load the portfolio: %s", exc)


def process_request(request) -> dict:
    """What Bokeh adds to the session token of a page: the public reference of the browser's session, never
    its cookie (bokeh_app/session_user.py)."""
    from bokeh_app.session_user import PAYLOAD_KEY, cookie_reference

    ref = cookie_reference(request.cookies)
    return {PAYLOAD_KEY: ref} if ref else {}
