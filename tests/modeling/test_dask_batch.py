"""`predict --engine dask`: partitions of clients scored on Dask workers give the single-process batch, even
when a worker is killed in the middle of the run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pandas as pd
import pytest
from sqlalchemy import select

from database.config import get_engine
from database.loader import load
from database.schema import ClientScore
from tests.stack import REPO, SIGNING_ENV
from tests.tampering import replaced_model

pytestmark = pytest.mark.requirement("EXG-PERF-21")


def _predict(stack, *args: str, **popen) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "modeling", "predict", *args], cwd=REPO, env=stack.env(),
                          capture_output=True, text=True, timeout=600, **popen)


def _stored(url: str) -> pd.DataFrame:
    engine = get_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(select(ClientScore.sk_id_curr, ClientScore.probability, ClientScore.reasons,
                                         ClientScore.features)).fetchall()
    engine.dispose()
    return pd.DataFrame(rows, columns=["SK_ID_CURR", "probability", "reasons", "features"]).sort_values(
        "SK_ID_CURR", ignore_index=True)


def _csv(path) -> pd.DataFrame:
    return pd.read_csv(path).sort_values("SK_ID_CURR", ignore_index=True)


@pytest.fixture(scope="module")
def single(stack, tmp_path_factory):
    """The shared stack over its own database, and what the single-process batch wrote (CSV and store)."""
    folder = tmp_path_factory.mktemp("dask-batch")
    own = stack.over(f"sqlite:///{folder / 'bank.db'}")
    load([stack.csv_dir], own.database_url, progress=None)
    done = _predict(own, "--store", "--no-monitor", "--out", str(folder / "single.csv"))
    assert done.returncode == 0, done.stderr
    return own, folder, _csv(folder / "single.csv"), _stored(own.database_url)


@pytest.fixture(scope="module")
def cluster(single):
    """A LocalCluster of 2 worker processes (one thread each) started once for the module; like the workers of
    a real cluster, they read the database URL and the model folder from their own environment."""
    from distributed import Client, LocalCluster

    own = single[0]
    env = {"DATABASE_URL": own.database_url, "MODEL_DIR": str(own.model_dir), "OMP_NUM_THREADS": "1", **SIGNING_ENV}
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, env=env) as local, \
            Client(local) as client:
        yield local, client


def _assert_same_scores(got: pd.DataFrame, expected: pd.DataFrame) -> None:
    assert got["SK_ID_CURR"].tolist() == expected["SK_ID_CURR"].tolist(), "every client once, none lost or added"
    assert got["probability"].to_numpy() == pytest.approx(expected["probability"].to_numpy(), rel=1e-12, abs=1e-15)
    for column in ("decision", "points", "grade"):
        if column in expected:
            assert got[column].tolist() == expected[column].tolist(), column


def test_two_local_workers_give_the_single_process_probabilities_and_reasons(single):
    own, folder, csv, stored = single
    out = folder / "dask.csv"
    done = _predict(own, "--engine", "dask", "--workers", "2", "--partition-size", "400", "--store", "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert "on 2 Dask workers" in done.stderr and "scored 1,500 / 1,500 clients (4 / 4 partitions)" in done.stderr
    _assert_same_scores(_csv(out), csv)
    again = _stored(own.database_url)
    _assert_same_scores(again, stored)
    assert again["reasons"].tolist() == stored["reasons"].tolist()
    assert again["features"].tolist() == stored["features"].tolist()
    assert f"{len(own.client_ids)} clients scored and explained" in done.stdout


def test_workers_hold_the_partitions_under_way_not_every_result_since_the_start(single, cluster):
    """A worker's memory is bounded by the partition size: each result leaves the worker once fetched (30
    partitions on 2 workers; they all stayed on the workers until the end before)."""
    own, folder, csv, _ = single
    local, client = cluster
    out, log = folder / "bounded.csv", folder / "bounded.log"
    with open(log, "w") as output:  # a file, not a pipe nobody reads while the loop polls
        run = subprocess.Popen([sys.executable, "-m", "modeling", "predict", "--engine", "dask", "--scheduler",
                                local.scheduler_address, "--partition-size", "50", "--out", str(out)],
                               cwd=REPO, env=own.env(), stdout=output, stderr=subprocess.STDOUT, text=True)
        held, seen = 0, set()
        while run.poll() is None:
            on_workers = [k for keys in client.has_what().values() for k in keys
                          if str(k).startswith("score-partition-")]
            held, seen = max(held, len(on_workers)), seen | set(on_workers)
            time.sleep(0.02)
    assert run.returncode == 0, log.read_text()
    _assert_same_scores(_csv(out), csv)
    assert len(seen) >= 10, "the results were seen on the workers as they were made"
    assert held <= 4, f"{held} partition results were held on the workers at once"


@pytest.mark.requirement("EXG-PERF-22")
def test_a_worker_killed_mid_run_leaves_a_complete_and_correct_result(single, cluster):
    own, folder, csv, _ = single
    local, client = cluster
    out = folder / "after-kill.csv"
    pids = client.run(os.getpid)  # worker address -> process ID
    run = subprocess.Popen([sys.executable, "-m", "modeling", "predict", "--engine", "dask", "--scheduler",
                            local.scheduler_address, "--partition-size", "50", "--out", str(out)],
                           cwd=REPO, env=own.env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    victim = None
    while victim is None and time.monotonic() < deadline and run.poll() is None:
        busy = [address for address, keys in client.processing().items()
                if any(str(k).startswith("score-partition-") for k in keys)]
        victim = busy[0] if busy else None
        time.sleep(0.05)
    assert victim is not None, "no partition was ever seen running"
    os.kill(pids[victim], signal.SIGKILL)
    assert run.poll() is None and not out.exists(), "the kill must land while the batch is still running"
    stdout, stderr = run.communicate(timeout=300)
    assert run.returncode == 0, stderr
    _assert_same_scores(_csv(out), csv)
    assert f"{len(own.client_ids)} clients scored" in stdout
    assert victim not in client.scheduler_info(n_workers=-1)["workers"], "the killed worker is really gone"


def test_a_worker_refuses_a_replaced_model_before_unpickling(single, cluster, tmp_path):
    """A folder replaced after the command checked it (or a worker's own copy) is refused by the worker itself."""
    from modeling.serving.dask_batch import DaskFailure, run

    own = single[0]
    _, folder, marker = replaced_model(own.model_dir / "latest", tmp_path)
    engine = get_engine(own.database_url)
    try:
        with pytest.raises(DaskFailure) as info:
            run(cluster[1], engine, folder, folder.name, explain=False, size=500, database_url=own.database_url)
    finally:
        engine.dispose()
    message = str(info.value)
    assert "\n" not in message and f"refusing to unpickle {folder.name}" in message and "nothing was written" in message
    assert not marker.exists(), "the replaced pickle's code ran on a Dask worker"


@pytest.mark.requirement("EXG-PERF-22")
def test_an_unreachable_scheduler_fails_in_one_line_and_writes_nothing(single):
    own, folder, _, _ = single
    out = folder / "never.csv"
    done = _predict(own, "--engine", "dask", "--scheduler", "tcp://127.0.0.1:9", "--out", str(out))
    assert done.returncode == 1
    assert done.stderr.strip().count("\n") == 0 and "no Dask scheduler answers at tcp://127.0.0.1:9" in done.stderr
    assert not out.exists()
