"""Monitoring runs: the population of the database scored as the service scores it, results kept in the database.

Training clients carry their out-of-fold probability (the model learned their outcome: its own score
for them would flatter the back-testing); every other client gets the production model's probability.
Each run is appended to ``monitoring_result`` with the latest load run it saw.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
import pandas as pd
from sqlalchemy import Engine, insert, select

from database.read import read_table
from database.schema import MonitoringResult
from modeling.monitoring import drift
from modeling.serving.store import latest_load_run


@dataclass(frozen=True)
class Population:
    """The clients monitored: model inputs, calibrated probabilities, application rows and outcomes."""

    features: pd.DataFrame  # index SK_ID_CURR
    probabilities: np.ndarray
    application: pd.DataFrame  # Kaggle columns, SK_ID_CURR among them
    outcomes: pd.Series  # TARGET by SK_ID_CURR, NaN where unknown
    out_of_fold: int  # clients whose probability is their out-of-fold one


def population(scorer, features: pd.DataFrame | None = None, new_only: bool = False,
               progress: Callable[[str], None] | None = None) -> Population:
    """Every client of the database (or only those the model was not trained on), scored as the service
    scores them (``ModelBundle.served``: out-of-fold for a training client, production model otherwise)."""
    say = progress or (lambda _message: None)
    if features is None:
        features = scorer.all_features(say)
    with scorer.engine.connect() as connection:
        application = read_table(connection, "application")
    trained = scorer.bundle.route(features.index.to_numpy()) >= 0
    if new_only:
        features, trained = features[~trained], np.zeros((~trained).sum(), dtype=bool)
        application = application[application["SK_ID_CURR"].isin(features.index)]
    say(f"scoring {len(features):,} clients ({int(trained.sum()):,} with their out-of-fold probability)")
    p, _ = scorer.bundle.served(features)
    target = application.set_index("SK_ID_CURR")["TARGET"] if "TARGET" in application else pd.Series(dtype=float)
    return Population(features, p, application, target.astype("float64"), int(trained.sum()))


def run(scorer, features: pd.DataFrame | None = None, new_only: bool = False, store: bool = True,
        progress: Callable[[str], None] | None = None) -> dict:
    """Monitor the clients of the database against the model's reference; keep the result unless ``store`` is off."""
    started = time.perf_counter()
    with scorer.engine.connect() as connection:
        load_run_id = latest_load_run(connection)
    pop = population(scorer, features, new_only, progress)
    result = drift.compare(scorer.bundle, pop.features, pop.probabilities, pop.application, pop.outcomes,
                             progress=progress)
    result.update(load_run_id=load_run_id, out_of_fold_clients=pop.out_of_fold, new_only=new_only,
                  seconds=round(time.perf_counter() - started, 2))
    if store:
        save(scorer.engine, result)
    return result


def save(engine: Engine, result: dict) -> int:
    """Append a result to monitoring_result; its id."""
    row = {"computed_at": datetime.fromisoformat(result["computed_at"]), "model_version": result["model_version"],
           "load_run_id": result.get("load_run_id"), "level": result["level"], "score_psi": result["score_psi"],
           "result": json.dumps(result, separators=(",", ":"), allow_nan=False, default=_plain)}
    with engine.begin() as connection:
        return int(connection.execute(insert(MonitoringResult).values(**row)).inserted_primary_key[0])


def _plain(value):
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"cannot write {type(value).__name__} to JSON")


def latest(engine: Engine, model_version: str | None = None) -> dict | None:
    """The most recent stored result (of one model version if given), else None."""
    found = history(engine, model_version, limit=1, full=True)
    return found[0] if found else None


def history(engine: Engine, model_version: str | None = None, limit: int = 50, full: bool = False) -> list[dict]:
    """Stored results, newest first: the full documents, or only (computed_at, model_version, level, score_psi)."""
    columns = [MonitoringResult.id, MonitoringResult.computed_at, MonitoringResult.model_version,
               MonitoringResult.load_run_id, MonitoringResult.level, MonitoringResult.score_psi]
    query = select(*columns, MonitoringResult.result) if full else select(*columns)
    if model_version is not None:
        query = query.where(MonitoringResult.model_version == model_version)
    query = query.order_by(MonitoringResult.computed_at.desc(), MonitoringResult.id.desc()).limit(limit)
    with engine.connect() as connection:
        rows = connection.execute(query).fetchall()
    if full:
        return [{**json.loads(r.result), "id": r.id} for r in rows]
    return [{"id": r.id, "computed_at": _utc(r.computed_at), "model_version": r.model_version,
             "load_run_id": r.load_run_id, "level": r.level, "score_psi": r.score_psi} for r in rows]


def _utc(when: datetime) -> str:
    """ISO time in UTC (SQLite gives naive datetimes back)."""
    when = when if when.tzinfo else when.replace(tzinfo=UTC)
    return when.astimezone(UTC).isoformat(timespec="seconds")
