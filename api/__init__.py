"""The scoring API: ``create_app()`` builds the Flask app (Procfile: ``gunicorn "api:create_app()"``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

if TYPE_CHECKING:
    from api.config import ApiSettings


def create_app(config: dict[str, Any] | None = None, settings: ApiSettings | None = None) -> Flask:
    """The app: settings, error handlers, headers, keys, rate limits and one blueprint per resource.

    ``settings`` defaults to the environment's (``ApiSettings.from_env()``); ``config`` overrides Flask keys
    (tests). Nothing heavy happens here: the database engine and the model are made on first use, once per process.
    """
    from api import (  # deferred: app factory
        commands,
        docs,
        errors,
        headers,
        health,
        model,
        monitoring,
        page,
        page_requests,
        review_requests,
        reviews,
        scores,
        service,
        signin,
    )
    from api.auth import parse_keys, writers  # deferred: app factory
    from api.config import load  # deferred: app factory
    from api.ratelimit import RateLimits  # deferred: app factory
    from api.simulate import bp as simulate_bp  # deferred: app factory

    app = Flask(__name__)
    load(app, config, settings)
    errors.init_app(app)
    headers.init_app(app)
    service.init_app(app)
    commands.init_app(app)
    app.extensions["api_keys"] = parse_keys(app.config["API_KEYS"])
    app.extensions["api_writers"] = writers(app.config["API_KEYS"])
    app.extensions["rate_limits"] = RateLimits(app)
    proxies = int(app.config["TRUSTED_PROXIES"])
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
    for blueprint in (scores.bp, simulate_bp, reviews.bp, review_requests.bp, model.bp, monitoring.bp, health.bp,
                      docs.bp, docs.viewer):
        app.register_blueprint(blueprint)
    # browsers ask for /favicon.ico on any page, JSON ones included: answer it rather than log a 404
    app.add_url_rule("/favicon.ico", "favicon", lambda: app.send_static_file("favicon.svg"))
    if app.config["PAGE_ENABLED"]:
        app.register_blueprint(page.bp)
        app.register_blueprint(page_requests.bp)
        app.register_blueprint(signin.bp)
    if not app.extensions["api_keys"]:
        app.logger.warning("SCORING_API_KEYS is empty: every API call will get 401/403 "
                           "(make a key with `python -m api create-key NAME`)")
    return app
