"""Settings of the deployed web application, read from the environment with safe local defaults."""

from __future__ import annotations

import os
from dataclasses import dataclass

from bokeh_app.config import _int  # the one parser of whole-number settings (clear one-line errors)

#: Hostnames that hosting platforms put in the environment of the app (Hugging Face Spaces, Render, Heroku
#: with runtime dyno metadata): the dashboard's websocket accepts browsers coming from them.
PLATFORM_HOST_VARIABLES = ("SPACE_HOST", "RENDER_EXTERNAL_HOSTNAME", "HEROKU_APP_DEFAULT_DOMAIN_NAME")


@dataclass(frozen=True)
class WebConfig:
    """Where to listen, who may open the dashboard's websocket, and what the demo mode does."""

    host: str
    port: int
    websocket_origins: tuple[str, ...]
    api_threads: int  # threads running the Flask API's requests (the dashboard runs on the event loop)
    demo: bool  # fill an empty database with synthetic clients at release
    demo_clients: int
    demo_seed: int
    demo_api_key: str | None  # a key accepted by the API for the demo (added to SCORING_API_KEYS)
    trusted_proxies: int = 0  # proxies in front whose X-Forwarded-* are trusted (the API's SCORING_TRUSTED_PROXIES)
    max_body: int = 65536  # bytes of a request body; more is refused (413) before it is read
    max_buffer: int = 1048576  # bytes tornado may buffer from one connection (headers, websocket frames)


def _flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


def load_config() -> WebConfig:
    """Settings from PORT, WEB_HOST, BOKEH_ALLOW_WS_ORIGIN, WEB_API_THREADS, DEMO_MODE, DEMO_CLIENTS,
    DEMO_SEED, DEMO_API_KEY, SCORING_TRUSTED_PROXIES and WEB_MAX_BODY_BYTES (``.env`` read first; variables
    already set win)."""
    from database.config import REPO_ROOT
    from database.security import load_env_file

    load_env_file(REPO_ROOT / ".env")
    port_text = os.environ.get("PORT", "").strip()
    port = _int("PORT", 5006) if port_text else 5006
    # a platform's $PORT is reached from outside the container: listen on every interface; locally, loopback
    host = os.environ.get("WEB_HOST") or ("0.0.0.0" if port_text else "127.0.0.1")  # nosec B104: $PORT set = platform
    origins = [o.strip() for o in os.environ.get("BOKEH_ALLOW_WS_ORIGIN", "").split(",") if o.strip()]
    origins += [os.environ[v] for v in PLATFORM_HOST_VARIABLES if os.environ.get(v)]
    origins += [f"localhost:{port}", f"127.0.0.1:{port}"]
    return WebConfig(
        host=host, port=port, websocket_origins=tuple(dict.fromkeys(origins)),
        api_threads=_int("WEB_API_THREADS", 4), demo=_flag("DEMO_MODE"),
        demo_clients=_int("DEMO_CLIENTS", 3000), demo_seed=_int("DEMO_SEED", 42),
        demo_api_key=os.environ.get("DEMO_API_KEY") or None,
        trusted_proxies=_count("SCORING_TRUSTED_PROXIES"), max_body=_int("WEB_MAX_BODY_BYTES", 65536),
    )


def _count(name: str) -> int:
    """A whole number of at least 0 (0 when unset)."""
    text = os.environ.get(name, "").strip() or "0"
    if not text.isdigit():
        raise ValueError(f"{name}={text!r} must be a whole number (0 or more)")
    return int(text)
