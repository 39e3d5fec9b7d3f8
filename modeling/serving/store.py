"""Batch scores: every client scored once per model version and per load, then served without recomputing.

``python -m modeling predict --store`` computes the features of all clients at once, their calibrated
probabilities and their reasons (as language-neutral ``ReasonKey`` lists), and writes them to the
``client_score`` table in one transaction, replacing the rows of the same model version. Each row
records the latest load run it saw; a stored score is served only while no later load has run, so a
load that adds rows for a client never leaves a stale score in service (the Scorer then computes it
online, with the same result the batch would give).
"""

from __future__ import annotations

import io
import itertools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.json as pajson
from sqlalchemy import (
    Connection,
    Engine,
    bindparam,
    delete,
    func,
    insert,
    select,
)

from database.read import driver_rows
from database.schema import ClientScore, LoadRun
from modeling.serving.explain import batch_reason_keys

#: Clients explained and written per step (bounds the memory of the SHAP matrix).
CHUNK = 20_000
#: Model features kept with each batch score for the dashboard's comparisons: business quantities an advisor
#: can explain, whatever the model uses (bokeh_app.portfolio reads them back instead of rebuilding features).
COMPARISON_FEATURES = (
    "EXT_SOURCE_MEAN", "ANNUITY_INCOME_RATIO", "CREDIT_INCOME_RATIO", "CREDIT_ANNUITY_RATIO", "INCOME_PER_PERSON",
    "AMT_GOODS_PRICE", "INSTAL_DAYS_LATE_MEAN", "INSTAL_LATE_MEAN", "INSTAL_PAID_RATIO_MEAN", "BURO_COUNT",
    "BURO_DEBT_INCOME_RATIO", "BURO_ANNUITY_INCOME_RATIO", "PREV_COUNT", "PREV_NAME_CONTRACT_STATUS_REFUSED_SHARE",
    "CC_UTILISATION_MAX",
)


@dataclass(frozen=True)
class StoreSummary:
    """What a batch run wrote."""

    model_version: str
    clients: int
    refused: int
    load_run_id: int | None
    seconds: float


def latest_load_run(connection: Connection) -> int | None:
    """ID of the latest load run (None before any load): the data version a stored score is valid for."""
    return connection.execute(select(func.max(LoadRun.id))).scalar()


def _current_data():
    """Condition: the row was scored after the latest load run (0 stands for "no load run yet")."""
    latest = select(func.coalesce(func.max(LoadRun.id), 0)).scalar_subquery()
    return func.coalesce(ClientScore.load_run_id, 0) == latest


# Built once: the API runs this lookup on every request.
_LOOKUP = select(ClientScore.probability, ClientScore.reasons).where(
    ClientScore.model_version == bindparam("version"),
    ClientScore.sk_id_curr == bindparam("client"),
    _current_data(),
)


def stored(connection: Connection, model_version: str, client_id: int) -> tuple[float, list] | None:
    """(probability, reason key lists) of a client scored in batch by this model on the current data, else None."""
    row = connection.execute(_LOOKUP, {"version": model_version, "client": int(client_id)}).first()
    if row is None:
        return None
    return float(row.probability), json.loads(row.reasons)


def snapshot(scorer, progress: Callable[[str], None] | None = None) -> tuple[int | None, pd.DataFrame]:
    """The latest load run, then the features of every client: read in that order, so that a load
    finishing in between leaves the scores computed from these features marked as not current."""
    with scorer.engine.connect() as connection:
        run_id = latest_load_run(connection)
    return run_id, scorer.all_features(progress)


def write_scores(scorer, features: pd.DataFrame, load_run_id: int | None,
                 progress: Callable[[str], None] | None = None, chunk: int = CHUNK) -> StoreSummary:
    """Score and explain the clients of ``features`` (from ``snapshot``) and replace this model's stored scores."""
    say = progress or (lambda _message: None)
    started = time.perf_counter()
    parts = []
    for start in range(0, len(features), chunk):
        parts.append(explained(scorer.bundle, features.iloc[start:start + chunk]))
        say(f"scored and explained {min(start + chunk, len(features)):,} / {len(features):,} clients")
    return replace_scores(scorer.engine, scorer.bundle, parts, load_run_id, started)


def explained(bundle, part: pd.DataFrame) -> pd.DataFrame:
    """The store's columns for the clients of a feature frame: probability, decision, reason keys (JSON) and
    the comparison features the dashboard shows (JSON), from the model that never learned each client."""
    probability, contributions = bundle.served(part, explain=True)
    keys = batch_reason_keys(contributions, part)
    kept = [name for name in COMPARISON_FEATURES if name in part]
    values = part[kept].astype("float64")
    return pd.DataFrame({
        "SK_ID_CURR": part.index.to_numpy(dtype="int64"),
        "probability": probability,
        "decision": bundle.decide(probability),
        "reasons": [json.dumps([k.to_list() for k in client_keys], separators=(",", ":")) for client_keys in keys],
        "features": [json.dumps(dict(zip(kept, row, strict=True)), separators=(",", ":"))
                     for row in values.astype(object).where(np.isfinite(values), None).to_numpy()],
    })


def replace_scores(engine: Engine, bundle, parts: list[pd.DataFrame], load_run_id: int | None,
                   started: float) -> StoreSummary:
    """Swap this model version's stored scores for the rows of ``parts`` (from ``explained``), all or nothing."""
    now = datetime.now(UTC)
    clients = refused = 0

    def rows():
        for part in parts:
            for cid, p, reasons, kept in zip(part["SK_ID_CURR"], part["probability"], part["reasons"],
                                             part["features"], strict=True):
                yield {"model_version": bundle.version, "sk_id_curr": int(cid), "probability": float(p),
                       "reasons": reasons, "features": kept, "load_run_id": load_run_id, "scored_at": now}

    for part in parts:
        clients += len(part)
        refused += int((part["decision"] == "refuse").sum())
    _replace(engine, bundle.version, rows())
    return StoreSummary(bundle.version, clients, refused, load_run_id, time.perf_counter() - started)


def _replace(engine: Engine, model_version: str, rows, batch: int = 10_000) -> None:
    """Swap this model version's stored scores for ``rows`` in one transaction (all or nothing)."""
    with engine.begin() as connection:
        connection.execute(delete(ClientScore).where(ClientScore.model_version == model_version))
        rows = iter(rows)
        while block := list(itertools.islice(rows, batch)):
            connection.execute(insert(ClientScore), block)


def stored_frame(engine: Engine, model_version: str) -> pd.DataFrame:
    """SK_ID_CURR and probability of every client stored for this model on the current data (maybe empty)."""
    with engine.connect() as connection:
        result = connection.execute(
            select(ClientScore.sk_id_curr, ClientScore.probability).where(
                ClientScore.model_version == model_version, _current_data())
        ).fetchall()
    ids = np.fromiter((r[0] for r in result), dtype="int64", count=len(result))
    p = np.fromiter((r[1] for r in result), dtype="float64", count=len(result))
    return pd.DataFrame({"SK_ID_CURR": ids, "probability": p})


def stored_portfolio(engine: Engine, model_version: str) -> pd.DataFrame:
    """Probability and comparison features of every client stored for this model on the current data, indexed
    by SK_ID_CURR (maybe empty; a client stored without features has none).

    The clients' JSON documents are parsed together by pyarrow, as one file of lines: at 356,255 clients that
    takes 2.7 s, where ``json.loads`` of each took 7 s and the database's own ``json_extract`` 6.8 s. The names
    are those of one stored document (one model stores the same features for every client)."""
    wanted = (ClientScore.model_version == model_version, _current_data(), ClientScore.features.is_not(None))
    with engine.connect() as connection:
        first = connection.execute(select(ClientScore.features).where(*wanted).limit(1)).scalar()
        names = list(json.loads(first)) if first else []
        rows = driver_rows(connection, select(ClientScore.sk_id_curr, ClientScore.probability,
                                              ClientScore.features).where(*wanted))
    ids = np.fromiter((r[0] for r in rows), dtype="int64", count=len(rows))
    probability = np.fromiter((r[1] for r in rows), dtype="float64", count=len(rows))
    features = pd.DataFrame(index=pd.Index(ids, name="SK_ID_CURR"))
    if rows:
        lines = io.BytesIO("\n".join([r[2] for r in rows]).encode())
        schema = pa.schema([(name, pa.float64()) for name in names])  # JSON null -> NaN
        parsed = pajson.read_json(lines, read_options=pajson.ReadOptions(block_size=16 << 20),
                                  parse_options=pajson.ParseOptions(explicit_schema=schema,
                                                                    unexpected_field_behavior="ignore"))
        features = parsed.to_pandas().set_axis(features.index)
    features.insert(0, "probability", probability)
    return features
