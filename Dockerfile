# syntax=docker/dockerfile:1
# One image serves the dashboard (/) and the scoring API (/api/) on $PORT (default 7860).
#   docker build -t homecredit . && docker run -p 7860:7860 -e DEMO_API_KEY=choose-a-key homecredit
# Stages: base (Python and the serving packages), train (adds the training packages and trains the demo
# model on synthetic data), runtime (base + the code + the demo model; no training package).

FROM python:3.11-slim AS base
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    OMP_NUM_THREADS=1
# LightGBM's wheel needs the GNU OpenMP runtime, which the slim image lacks.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libgomp1 \
    && rm -rf /var/lib/apt/lists/*
# uid 1000: the user Hugging Face Spaces runs containers as.
RUN useradd --create-home --uid 1000 app
WORKDIR /app
COPY requirements.txt ./
RUN pip install -r requirements.txt

FROM base AS train
COPY requirements-train.txt ./
RUN pip install -r requirements-train.txt
COPY . .
# The demo model: synthetic clients (DEMO_SEED) loaded into a scratch database, trained with the demo budget
# (webapp/release.py), signed with the image's demo key: random, made by this build, readable by the app but not
# writable (docs/operations.md, "Model signing"). A bank mounts its own models and sets its own key.
RUN mkdir -p /etc/homecredit \
    && python -c "import secrets; print(secrets.token_urlsafe(32))" > /etc/homecredit/demo-model-signing.key \
    && chmod 0444 /etc/homecredit/demo-model-signing.key \
    && DEMO_MODE=1 DATABASE_URL=sqlite:////tmp/build.db MODEL_DIR=/app/models \
       MODEL_SIGNING_KEY_FILE=/etc/homecredit/demo-model-signing.key python -m webapp release \
    && rm -f /tmp/build.db*

FROM base AS runtime
COPY --chown=app:app . .
COPY --from=train --chown=app:app /app/models /app/models
COPY --from=train /etc/homecredit/demo-model-signing.key /etc/homecredit/demo-model-signing.key
RUN mkdir -p /app/data && chown app:app /app/data
USER app
# Demo by default: an empty database gets synthetic clients at start. A bank sets DEMO_MODE=0 and its own
# DATABASE_URL (PostgreSQL), MODEL_DIR and MODEL_SIGNING_KEY (with MODEL_SIGNING_KEY_FILE= empty; see
# docker-compose.yml).
ENV PORT=7860 \
    DEMO_MODE=1 \
    MODEL_DIR=/app/models \
    MODEL_SIGNING_KEY_FILE=/etc/homecredit/demo-model-signing.key \
    SCORING_TRUSTED_PROXIES=1
EXPOSE 7860
HEALTHCHECK --interval=30s --timeout=5s --start-period=180s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/api/v1/health' % os.environ['PORT'], timeout=4)"]
ENTRYPOINT ["python", "-m", "webapp"]
CMD ["start"]
