"""The batch on Dask: clients cut into SK_ID_CURR ranges, each range scored by a worker with the same Scorer.

A worker reads its clients' rows from the database (its own ``DATABASE_URL``, the app role's read access),
builds their features with the fitted ``FeatureBuilder`` of the model artifact, and scores and explains them
with the bundle (``modeling.serving.store.explained``, ``Scorer.score_frame``): the code of the single-process batch,
run per partition. A worker's memory is bounded by the partition size, not by the portfolio. The partitions'
results come back to the caller, which writes them once (CSV file or score store) as the single-process
batch does; a failure writes nothing. A worker lost mid-run has its partitions run again on the others
(Dask's own retries); beyond ``distributed.scheduler.allowed-failures`` the run fails in one line.
"""
from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import Engine, select

from database.config import get_engine
from database.schema import table
from modeling.serving.artifact import ModelError, load_bundle
from modeling.serving.scorer import Scorer
from modeling.serving.store import explained

#: Clients per partition (bounds a worker's memory: features, SHAP matrix and rows of one partition).
PARTITION = 20_000
#: Longest silence between two progress lines.
PROGRESS_SECONDS = 5.0


@dataclass(frozen=True)
class Partition:
    """The clients with ``first <= SK_ID_CURR <= last`` (``clients`` of them)."""

    first: int
    last: int
    clients: int


def partitions(engine: Engine, size: int = PARTITION) -> list[Partition]:
    """Consecutive SK_ID_CURR ranges of at most ``size`` clients covering every application."""
    if size < 1:
        raise ValueError(f"partition size {size} must be at least 1 client")
    application = table("application")
    with engine.connect() as connection:
        ids = np.fromiter(connection.execute(select(application.c.sk_id_curr).order_by(application.c.sk_id_curr))
                          .scalars(), dtype="int64")
    return [Partition(int(ids[i]), int(ids[min(i + size, len(ids)) - 1]), min(size, len(ids) - i))
            for i in range(0, len(ids), size)]


@functools.cache
def _worker_scorer(folder: str, version: str, database_url: str | None):
    """The Scorer of a worker process, loaded once: the model folder (its signature verified here, with this
    worker's own key, before anything is unpickled) and the database."""
    bundle = load_bundle(Path(folder))
    if bundle.version != version:
        raise ModelError(f"worker found model {bundle.version} in {folder}, not {version}: give every worker "
                         "the same model artifact")
    return Scorer(bundle, get_engine(database_url))


def score_partition(part: Partition, folder: str, version: str, database_url: str | None,
                    explain: bool) -> pd.DataFrame:
    """One partition's scores (with reasons and comparison features when ``explain``), on a worker."""
    scorer = _worker_scorer(folder, version, database_url)
    X = scorer.range_features(part.first, part.last)
    if not explain:
        return scorer.score_frame(X)
    kept = explained(scorer.bundle, X)
    scores = scorer.scores(kept["SK_ID_CURR"].to_numpy(), kept["probability"].to_numpy())
    return pd.concat([scores, kept[["reasons", "features"]]], axis=1)


class DaskFailure(RuntimeError):
    """The cluster could not finish the batch (a partition failed or too many workers were lost)."""


def client_for(scheduler: str | None, workers: int):
    """A Dask client: to the scheduler at ``scheduler``, else to a new LocalCluster of ``workers`` processes
    with one thread each. Close it (and its cluster) with ``close_client``."""
    from distributed import Client, LocalCluster  # deferred: Dask

    if scheduler:
        try:
            return Client(scheduler, timeout="10s")
        except OSError as exc:
            raise DaskFailure(f"no Dask scheduler answers at {scheduler} ({exc}); start one or leave out "
                              "--scheduler for a local cluster") from None
    if workers < 1:
        raise ValueError(f"--workers {workers}: give at least 1 worker")
    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)
    return Client(cluster)


def close_client(client) -> None:
    """Close the client, and the LocalCluster it started (a remote cluster is left running)."""
    from distributed import LocalCluster  # deferred: Dask

    cluster = client.cluster
    client.close()
    if isinstance(cluster, LocalCluster):
        cluster.close()


def run(client, engine: Engine, folder: Path, version: str, explain: bool, size: int = PARTITION,
        database_url: str | None = None, progress: Callable[[str], None] | None = None) -> pd.DataFrame:
    """Every client's scores computed partition by partition on the cluster, in SK_ID_CURR order."""
    from distributed import wait  # deferred: Dask

    say = progress or (lambda _message: None)
    parts = partitions(engine, size)
    total = sum(p.clients for p in parts)
    workers = len(client.scheduler_info(n_workers=-1)["workers"])
    say(f"{total:,} clients in {len(parts)} partitions of at most {size:,}, on {workers} Dask workers")
    # each partition's result is fetched as soon as it is done and its future released, so that a worker holds
    # the partitions it is computing, not every result it has made since the start (memory bounded by the
    # partition size, not by the portfolio; a worker lost later costs no finished partition)
    partition_of = {client.submit(score_partition, p, str(folder), version, database_url, explain,
                                  key=f"score-partition-{p.first}-{p.last}-{version}", retries=0, pure=False): p
                    for p in parts}
    pending, results, done_clients = set(partition_of), {}, 0
    while pending:
        try:
            done, pending = wait(pending, timeout=PROGRESS_SECONDS, return_when="FIRST_COMPLETED")
        except TimeoutError:
            done = set()
        for future in done:
            part = partition_of.pop(future)
            if future.status != "finished":
                why = _one_line(future.exception()) if future.status == "error" else future.status
                client.cancel(list(pending))
                raise DaskFailure(f"the partition of clients {part.first}-{part.last} failed ({why}); "
                                  "nothing was written")
            results[part.first] = future.result()
            future.release()
            done_clients += part.clients
        say(f"scored {done_clients:,} / {total:,} clients ({len(parts) - len(pending)} / {len(parts)} partitions)")
    return pd.concat([results[p.first] for p in parts], ignore_index=True) if parts else pd.DataFrame()


def _one_line(exc: BaseException) -> str:
    """An exception as one line: its type and the first line of its message."""
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}".rstrip(": ")
