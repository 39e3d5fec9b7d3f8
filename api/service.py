"""The scoring service of one process: database engine and Scorer made once, on first use, never at import."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

from flask import Flask, current_app
from sqlalchemy import Engine, select, text

from api import audit
from api.errors import ApiError
from database.client_ids import MAX_CLIENT_ID, client_id_from_text
from database.config import get_engine
from database.schema import Application
from modeling.serving.artifact import ModelError, load_bundle
from modeling.serving.scorer import Scorer, UnknownClient
from modeling.wording import catalogue

BUNDLE_FILE = "model.pkl"  # modeling.serving.artifact.BUNDLE_FILE, not imported to keep imports light


def shown_json(raw: Any) -> str:
    """A caller's value as JSON, cut to 20 characters, to quote it in an error message."""
    text = json.dumps(raw) if not isinstance(raw, str) else json.dumps(raw, ensure_ascii=False)
    return text if len(text) <= 20 else text[:19] + "…"


def parse_client_id(raw: Any) -> int:
    """A client ID from a path, query or JSON value; anything but 0..2^31-1 is a 400 error."""
    value = client_id_from_text(str(raw)) if isinstance(raw, int | str) and not isinstance(raw, bool) else None
    if value is None:
        raise ApiError(
            400, "invalid_client_id",
            f"Client ID {shown_json(raw)} is not valid: use an integer between 0 and {MAX_CLIENT_ID}.",
        )
    return value


def parse_lang(raw: str | None) -> str:
    """The language of labels and sentences: fr (default) or en; anything else is a 400 error."""
    lang = catalogue.DEFAULT_LANG if raw is None else raw
    if lang not in catalogue.LANGS:
        raise ApiError(400, "invalid_lang",
                       f"Language {str(lang)[:10]!r} is not supported: use {' or '.join(catalogue.LANGS)}.")
    return lang


class ScoringService:
    """Holds the engine and the Scorer of this process; both are created lazily and once."""

    def __init__(self, database_url: str | None = None, model_dir: str | None = None, batch_scores: bool = True):
        self.database_url = database_url
        self.model_dir = model_dir
        self.batch_scores = bool(batch_scores)
        self._engine: Engine | None = None
        self._scorer = None
        self._bundle = None
        self._lock = threading.RLock()  # the scorer, made under the lock, needs the engine

    @property
    def engine(self) -> Engine:
        """The database engine (DATABASE_URL or the embedded SQLite file)."""
        if self._engine is None:
            with self._lock:
                if self._engine is None:
                    try:
                        self._engine = get_engine(self.database_url)
                    except ValueError as exc:  # a refused URL (e.g. PostgreSQL without TLS): operators fix it
                        current_app.logger.error("database not configured: %s", exc)
                        raise ApiError(503, "database_unavailable",
                                       "The database is unreachable; retry later.") from exc
        return self._engine

    @property
    def scorer(self):
        """The modeling Scorer over the latest model bundle; 503 model_unavailable if there is none."""
        if self._scorer is None:
            with self._lock:
                if self._scorer is None:
                    self._scorer = self._load_scorer()
        return self._scorer

    def _load_scorer(self):
        try:
            bundle = load_bundle(self._model_path())
        except ModelError as exc:
            current_app.logger.error("model unavailable: %s", exc)
            raise ApiError(503, "model_unavailable", "No usable model is installed; retry later.") from exc
        self._bundle = bundle
        return Scorer(bundle, self.engine)

    def _model_path(self) -> Path | None:
        """The model to load: MODEL_DIR's ``latest`` (or a version folder given directly); None = default."""
        if not self.model_dir:
            return None
        root = Path(self.model_dir)
        if (root / BUNDLE_FILE).is_file():
            return root
        latest_file = root / "LATEST"
        if not (root / "latest" / BUNDLE_FILE).is_file() and latest_file.is_file():
            return root / latest_file.read_text().strip()
        return root / "latest"

    @property
    def bundle(self):
        """The loaded ModelBundle."""
        self.load()
        return self._bundle

    def load(self) -> None:
        """Load the model (and open the engine) now rather than at the first request."""
        _ = self.scorer

    def score(self, client_id: int, lang: str):
        """The ScoreResult of a client; 404 unknown_client if the database has no such application."""
        scorer = self.scorer

        try:
            return scorer.score(client_id, lang=lang, use_store=self.batch_scores)
        except UnknownClient as exc:
            raise ApiError(404, "unknown_client", f"No client with ID {client_id}.") from exc

    def warm_up(self) -> None:
        """Load the model and score one client (not audited), so the first real request is fast."""
        scorer = self.scorer
        with self.engine.connect() as connection:
            client_id = connection.execute(select(Application.sk_id_curr).limit(1)).scalar()
        if client_id is not None:
            scorer.score(int(client_id))

    def score_many(self, client_ids: list[int], lang: str) -> tuple[list, list[int]]:
        """ScoreResults of the known clients (in the given order) and the unknown IDs."""
        scorer = self.scorer
        with self.engine.connect() as connection:
            present = set(connection.execute(
                select(Application.sk_id_curr).where(Application.sk_id_curr.in_(client_ids))).scalars())
        known = [i for i in client_ids if i in present]
        results = scorer.score_many(known, lang=lang, use_store=self.batch_scores) if known else []
        return results, [i for i in client_ids if i not in present]

    def score_and_audit(self, client_id: int, lang: str, caller: str):
        """Score a client and write its audit row; no result leaves without its trace."""
        result = self.score(client_id, lang)
        audit.record(self.engine, [result], caller)
        return result

    def ping_database(self) -> None:
        """Run ``SELECT 1``; raises the driver's error if the database is unreachable."""
        with self.engine.connect() as connection:
            connection.execute(text("SELECT 1"))


def get_service() -> ScoringService:
    """The service of the current app."""
    return current_app.extensions["scoring"]


def init_app(app: Flask) -> None:
    """Attach a (not yet loaded) service to the app."""
    app.extensions["scoring"] = ScoringService(app.config["DATABASE_URL"], app.config["MODEL_DIR"],
                                               app.config["BATCH_SCORES"])
