"""Gunicorn settings of the scoring API (Procfile: ``gunicorn --config api/gunicorn.conf.py "api:create_app()"``).

LightGBM uses OpenMP. A process that forks after OpenMP started its thread pool can hang in the child, so:
OMP_NUM_THREADS=1 is set before anything imports lightgbm, the app is preloaded in the master (only Flask
and the settings: create_app loads no model), and each worker loads the model itself right after the fork
(``post_worker_init``), so its first request is not slow and no OpenMP state crosses a fork.

Measured here (fork after a prediction in the parent, then a prediction in each child): children hang
when the parent predicted with the bundle's LightGBM (n_jobs=2), even with OMP_NUM_THREADS=1, because
LightGBM's n_jobs overrides the variable; children are fine when the parent never predicted (this
config) or predicted with n_jobs=1. So never warm the model in the master.
"""

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

_port = os.environ.get("PORT")
# Heroku gives $PORT and needs every interface; locally the default stays on loopback.
bind = os.environ.get("SCORING_BIND") or (f"0.0.0.0:{_port}" if _port else "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = 1
worker_class = "api.gunicorn_worker.JsonErrorWorker"  # gunicorn's own 414/431/400 answered in JSON
timeout = int(os.environ.get("SCORING_TIMEOUT", "60"))  # also bounds the warm-up in post_worker_init
graceful_timeout = 20
keepalive = 5
preload_app = True
max_requests = 100_000  # recycle workers now and then (each restart reloads the model); jitter keeps them apart
max_requests_jitter = 10_000
# No per-request access log by default: the Heroku router (or the bank's reverse proxy) logs every request
# and score_audit records every decision served; writing the line costs about 15% of the throughput here
# (bench/api.py). SCORING_ACCESS_LOG="-" (stdout) or a file path turns it on.
accesslog = os.environ.get("SCORING_ACCESS_LOG") or None
errorlog = "-"
loglevel = os.environ.get("SCORING_LOG_LEVEL", "info")
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
control_socket_disable = True  # no runtime control socket: one fewer thing to secure, no clash between instances


def post_worker_init(worker):
    """Load the model and score one client in the new worker, so its first request is fast."""
    app = worker.app.callable
    service = app.extensions.get("scoring") if hasattr(app, "extensions") else None
    if service is None:
        return
    with app.app_context():
        try:
            service.warm_up()
        except Exception as exc:  # the worker still serves: health says which part failed
            worker.log.warning("model not loaded at start: %s", exc)
