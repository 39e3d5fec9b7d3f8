"""`python -m modeling monitor`: JSON on stdout, a report, one stored result per run; after `predict --store` too."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from database.config import get_engine
from database.loader import load
from database.synthetic import generate
from database.synthetic.drift import DRIFT_ID_OFFSET, parse_drift
from modeling.monitoring import run as monitor_run
from tests.stack import REPO

pytestmark = pytest.mark.requirement("EXG-MOD-14")


def _modeling(stack, *args: str, **env) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "modeling", *args], cwd=REPO, env={**stack.env(), **env},
                          capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def own(stack, tmp_path_factory):
    """The shared stack over its own database copy, scored with `predict --store` (which monitors too)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('monitor') / 'bank.db'}"
    load([stack.csv_dir], url, progress=None)
    mine = stack.over(url)
    done = _modeling(mine, "predict", "--store")
    assert done.returncode == 0, done.stderr
    return mine


@pytest.fixture(scope="module")
def run_json(own, tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    done = _modeling(own, "monitor", "--json", "--out", str(out))
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout), out, done.stderr


def _history(stack) -> list[dict]:
    engine = get_engine(stack.database_url)
    try:
        return monitor_run.history(engine)
    finally:
        engine.dispose()


def test_predict_store_keeps_a_monitoring_result(own):
    history = _history(own)
    assert history and history[-1]["model_version"] == (own.model_dir / "latest").resolve().name


def test_monitor_json_has_the_documented_shape_sorted_by_psi(run_json, own):
    result, _, stderr = run_json
    assert isinstance(result["score_psi"], float) and result["level"] in ("stable", "watch", "act")
    features = result["features"]
    assert features and all({"name", "psi", "level"} <= set(f) for f in features)
    assert [f["psi"] for f in features] == sorted((f["psi"] for f in features), reverse=True)
    # the model was trained on 1,000 of these clients: they carry their out-of-fold probability
    assert result["out_of_fold_clients"] == 1000
    assert result["clients"] == len(own.client_ids)
    assert "[monitor] model " in stderr and "level" in stderr.splitlines()[-1]


def test_monitor_writes_a_french_report_and_appends_its_result(run_json, own):
    result, out, _ = run_json
    text = (out / "monitoring.md").read_text(encoding="utf-8")
    assert "# Surveillance du modèle" in text and "Contrôle a posteriori" in text
    assert f"{result['score_psi']:.2f}".replace(".", ",") in text  # French decimals
    for name in ("monitoring-score.png", "monitoring-features.png", "monitoring-backtest.png"):
        assert (out / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    latest = _history(own)[0]
    assert latest["level"] == result["level"] and latest["score_psi"] == pytest.approx(result["score_psi"])


def test_a_drifted_load_is_seen_among_the_new_clients(own, tmp_path):
    generate(600, 5, tmp_path, progress=None, drift=parse_drift("all"), id_offset=DRIFT_ID_OFFSET)
    load([tmp_path], own.database_url, progress=None)
    done = _modeling(own, "monitor", "--json", "--new", "--no-store")
    assert done.returncode == 0, done.stderr  # it reports, it does not fail
    result = json.loads(done.stdout)
    # the 600 new clients and the 500 of the stack the model was not trained on (it learned 1,000)
    assert result["clients"] == 600 + len(own.client_ids) - 1000 and result["out_of_fold_clients"] == 0
    assert result["features"][0]["level"] == "act"


@pytest.mark.parametrize("args, env, message", [
    (("--model", "/nonexistent/model"), {}, "no model in /nonexistent/model"),
    ((), {"DATABASE_URL": "sqlite:////nonexistent/folder/x.db"}, "database:"),
])
def test_bad_input_is_one_line_and_exit_code_2(own, args, env, message):
    done = _modeling(own, "monitor", *args, **env)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith("error: ") and message in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr


def test_scoring_a_load_already_monitored_does_not_monitor_it_again(own):
    """`make demo` rerun: `make load` monitors the load, then `predict --store` added a second PSI point for it."""
    first = _modeling(own, "predict", "--store")  # the latest load monitored, whatever the tests before did
    assert first.returncode == 0, first.stderr
    before = _history(own)
    done = _modeling(own, "predict", "--store")
    assert done.returncode == 0, done.stderr
    assert len(_history(own)) == len(before), "two monitoring results for one load"
    assert f"load {before[0]['load_run_id']} already monitored" in done.stderr
