"""One server process, one port: the Bokeh dashboard at ``/`` and the Flask scoring API under ``/api/``.

The API's requests run on a small thread pool through tornado's WSGI container, so a slow score never blocks
the dashboard's event loop; the dashboard's sessions run on that loop as under ``bokeh serve``. The API
keeps its own gunicorn path (``python -m api serve``) for API-only deployments with several processes.
"""

from __future__ import annotations

import logging
import os
import secrets
import signal
import time
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from bokeh.server.auth_provider import AuthModule
from bokeh.server.server import BaseServer
from bokeh.server.tornado import BokehTornado
from bokeh.server.util import bind_sockets, create_hosts_allowlist
from tornado.ioloop import IOLoop
from tornado.web import FallbackHandler
from tornado.wsgi import WSGIContainer

from api import create_app
from api.auth import entry
from api.config import ApiSettings
from bokeh_app.application import AUTH_MODULE, dashboard_application
from bokeh_app.config import DashboardSettings
from bokeh_app.session_user import TOKEN_EXCLUDED_COOKIES, TOKEN_HEADERS
from database.signin import secrets_problem
from webapp.config import WebSettings
from webapp.guard import GuardedHTTPServer

if TYPE_CHECKING:
    from api.config import ApiSettings
    from bokeh_app.config import DashboardSettings

log = logging.getLogger("webapp")

#: Paths handed to the Flask app: its API, and the one stylesheet of its documentation page.
API_ROUTES = (r"/api/.*", r"/static/style\.css")


def api_settings(config: WebSettings) -> ApiSettings:
    """The API's settings from the environment, the demo key's entry added to SCORING_API_KEYS when DEMO_API_KEY
    is set."""
    settings = ApiSettings.from_env()
    if not config.demo_api_key:
        return settings
    keys = [k for k in settings.api_keys.split(",") if k.strip()] + [entry("demo", config.demo_api_key)]
    return settings.model_copy(update={"api_keys": ",".join(keys)})


def dashboard_settings() -> DashboardSettings:
    """The dashboard's settings from the environment, sign-in required whatever DASHBOARD_AUTH says: the sessions
    check the signed-in user (bokeh_app/session_user.py)."""
    return DashboardSettings.from_env(auth=True)


def sign_in_secrets(config: WebSettings) -> tuple[str, str]:
    """(cookie secret, session-signing key) from the environment; the demo makes random ones for this process.

    Outside the demo a missing secret is a ValueError saying how to make one: sign-in is never turned off here.
    The demo's random secrets are put in this process's environment, where database.signin reads the cookie
    secret for the dashboard's auth hooks (a module Bokeh loads from its file) and the API's sign-in page.
    """
    if config.demo:
        for name in ("BOKEH_COOKIE_SECRET", "BOKEH_SECRET_KEY"):
            if len(os.environ.get(name, "")) < 32:
                os.environ[name] = secrets.token_urlsafe(32)  # sign-ins last until the next restart
                log.warning("%s not set: a random one is used until this process stops (demo mode)", name)
    problem = secrets_problem()
    if problem:
        raise ValueError(problem)
    return os.environ["BOKEH_COOKIE_SECRET"], os.environ["BOKEH_SECRET_KEY"]


def build_server(config: WebSettings, api: ApiSettings | None = None, dashboard: DashboardSettings | None = None):
    """The Bokeh server with the dashboard at ``/`` behind sign-in, and the API routes ahead of Bokeh's own.

    ``api`` and ``dashboard`` are the two packages' settings (default: ``api_settings`` and ``dashboard_settings``).
    """
    cookie_secret, secret_key = sign_in_secrets(config)
    flask_app = create_app(settings=api or api_settings(config))
    executor = ThreadPoolExecutor(max_workers=config.api_threads, thread_name_prefix="api")
    container = WSGIContainer(flask_app, executor=executor)
    application = dashboard_application(dashboard or dashboard_settings())
    sockets, port = bind_sockets(config.host, config.port)
    origins = create_hosts_allowlist(list(config.websocket_origins), port)
    tornado_app = BokehTornado({"/": application}, extra_websocket_origins=origins,
                               auth_provider=AuthModule(str(AUTH_MODULE)), cookie_secret=cookie_secret,
                               sign_sessions=True, secret_key=secret_key.encode(),
                               include_headers=list(TOKEN_HEADERS), exclude_cookies=list(TOKEN_EXCLUDED_COOKIES))
    # handlers added for a host pattern are matched before the application's own (Bokeh's /static/ too)
    tornado_app.add_handlers(r".*", [(pattern, FallbackHandler, {"fallback": container}) for pattern in API_ROUTES])
    # X-Forwarded-* only through SCORING_TRUSTED_PROXIES proxies (the platform's router: 1); bodies past the
    # limit refused (413) before they are read
    http_server = GuardedHTTPServer(tornado_app, max_body=config.max_body, proxies=config.trusted_proxies,
                                    max_buffer_size=config.max_buffer)
    http_server.add_sockets(sockets)
    return BaseServer(IOLoop.current(), tornado_app, http_server), flask_app, executor


def _warm_up(flask_app) -> None:
    """Load the API's model and score one client, so the first call is fast (failures only logged)."""
    started = time.perf_counter()
    try:
        with flask_app.app_context():
            flask_app.extensions["scoring"].warm_up()
        log.info("API model loaded in %.1f s", time.perf_counter() - started)
    except Exception as exc:  # health then says which part failed
        log.warning("API model not loaded at start: %s", exc)


def serve(config: WebSettings) -> int:
    """Run the server until SIGTERM or SIGINT; returns the exit code."""
    os.environ.setdefault("OMP_NUM_THREADS", "1")  # before lightgbm is imported (see api/gunicorn.conf.py)
    started = time.perf_counter()
    server, flask_app, executor = build_server(config)
    server.start()
    loop = server.io_loop
    for number in (signal.SIGTERM, signal.SIGINT):
        loop.asyncio_loop.add_signal_handler(number, loop.stop)
    executor.submit(_warm_up, flask_app)
    log.info("serving on http://%s:%d/ : dashboard at /, API at /api/v1/ (ready in %.1f s)",
             config.host, config.port, time.perf_counter() - started)
    loop.start()
    log.info("stopping")
    server.stop()
    executor.shutdown(wait=False, cancel_futures=True)
    return 0
