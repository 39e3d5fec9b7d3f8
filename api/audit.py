"""The audit trail: one score_audit row per decision served, written in the request that serves it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from flask import current_app
from sqlalchemy import Engine, insert
from sqlalchemy.exc import SQLAlchemyError

from api.errors import ApiError
from database.schema import ScoreAudit


def record(engine: Engine, results: Sequence, caller: str) -> None:
    """Insert the rows of ``results`` (ScoreResult objects) in one transaction; 503 audit_unavailable on failure."""
    if not results:
        return
    now = datetime.now(UTC)
    rows = [
        {
            "scored_at": now,
            "sk_id_curr": int(r.client_id),
            "model_version": str(r.model_version),
            "probability": float(r.probability),
            "decision": str(r.decision),
            "threshold": float(r.threshold),
            "caller": caller,
        }
        for r in results
    ]
    try:
        with engine.begin() as connection:
            connection.execute(insert(ScoreAudit), rows)
    except SQLAlchemyError as exc:
        current_app.logger.error("audit write failed for %d score(s) of %s: %s", len(rows), caller, exc)
        raise ApiError(
            503, "audit_unavailable", "The decision could not be recorded, so it is not given; retry later."
        ) from exc
