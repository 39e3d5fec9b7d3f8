"""The dashboard as a Bokeh application handed its settings, for a server that embeds it (``python -m webapp``)."""
from __future__ import annotations

from pathlib import Path

from bokeh.application import Application
from bokeh.application.handlers import DirectoryHandler, Handler

from bokeh_app.config import DashboardSettings

APP_DIR = Path(__file__).resolve().parent
#: Bokeh's auth hooks of the dashboard (sign-in form, server-side sessions, sign-out).
AUTH_MODULE = APP_DIR / "auth.py"


class _GivenSettings(Handler):
    """Puts the server's settings in its context before the directory app's ``on_server_loaded`` reads them."""

    def __init__(self, settings: DashboardSettings) -> None:
        super().__init__()
        self._settings = settings

    def modify_document(self, doc) -> None:
        """Nothing: the directory app builds the documents."""

    def on_server_loaded(self, server_context) -> None:
        server_context.settings = self._settings


def dashboard_application(settings: DashboardSettings) -> Application:
    """The directory app ``bokeh_app`` run with ``settings`` rather than the environment's."""
    directory = DirectoryHandler(filename=str(APP_DIR))
    if directory.failed:
        raise RuntimeError(f"the dashboard cannot be loaded: {directory.error}")
    return Application(_GivenSettings(settings), directory)
