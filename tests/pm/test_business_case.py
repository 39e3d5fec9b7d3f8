"""The business case is computed from a model folder's out-of-fold predictions and its threshold."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

pytestmark = pytest.mark.requirement("EXG-GP-03")

REPO = Path(__file__).resolve().parents[2]
DOCS = REPO / "docs" / "gestion-projet"


def run_pm(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pm", *args], cwd=REPO, capture_output=True, text=True, timeout=60)


@pytest.fixture()
def model_and_data(tmp_path: Path) -> tuple[Path, Path, Path]:
    """A model folder as `modeling train` writes it (oof.parquet, model_card.json) and its applications."""
    rng = np.random.default_rng(0)
    n = 2000
    ext = rng.uniform(0.05, 0.95, size=(n, 3))
    risk = 1 / (1 + np.exp(-(-2.5 + 3 * (0.5 - ext.mean(axis=1)) * 2)))
    target = (rng.random(n) < risk).astype(int)
    ids = np.arange(100000, 100000 + n)
    model, data, docs = tmp_path / "model", tmp_path / "data", tmp_path / "docs"
    for folder in (model, data, docs):
        folder.mkdir()
    noisy = np.clip(risk + rng.normal(0, 0.03, n), 0.001, 0.999)
    pd.DataFrame({"SK_ID_CURR": ids, "TARGET": target, "PROBABILITY": noisy,
                  "AMT_CREDIT": rng.uniform(50_000, 1_000_000, n)}).to_parquet(model / "oof.parquet")
    (model / "model_card.json").write_text(json.dumps({"version": "test-model", "threshold": 0.12,
                                                        "cv": {"auc_mean": 0.7}, "cost_matrix": {"mode": "money"}}))
    pd.DataFrame({"SK_ID_CURR": ids, "EXT_SOURCE_1": ext[:, 0], "EXT_SOURCE_2": ext[:, 1],
                  "EXT_SOURCE_3": ext[:, 2]}).to_csv(data / "application_train.csv", index=False)
    shutil.copy(DOCS / "hypotheses.csv", docs / "hypotheses.csv")
    return model, data, docs


def test_the_three_policies_per_10000_applications(model_and_data):
    model, data, docs = model_and_data
    result = run_pm("--docs", str(docs), "business", "--model", str(model), "--source", str(data))
    assert result.returncode == 0, result.stderr
    table = pd.read_csv(docs / "business-case.csv")
    everyone, rule, scored = table.to_dict("records")
    assert everyone["refus"] == 0 and everyone["marge_perdue"] == 0 and everyone["gain_net"] == 0
    assert rule["refus"] == pytest.approx(scored["refus"], abs=1e-3)  # the rule refuses as many applications
    oof = pd.read_parquet(model / "oof.parquet")
    assert scored["refus"] == pytest.approx((oof["PROBABILITY"] >= 0.12).mean())
    assert scored["defauts_acceptes"] == pytest.approx(
        ((oof["PROBABILITY"] < 0.12) & (oof["TARGET"] == 1)).sum() / len(oof) * 10_000)
    for policy in (rule, scored):
        assert policy["gain_net"] == pytest.approx(policy["perte_evitee"] - policy["marge_perdue"])
        assert policy["perte"] < everyone["perte"]
    assert table["modele"].eq("test-model").all()


def test_a_model_folder_without_out_of_fold_predictions_is_one_clear_line(model_and_data):
    model, data, docs = model_and_data
    (model / "oof.parquet").unlink()
    result = run_pm("--docs", str(docs), "business", "--model", str(model), "--source", str(data))
    assert result.returncode == 2
    assert result.stderr.strip() == (f"error: {model / 'oof.parquet'}: missing; give a folder written by "
                                     "python -m modeling train")
    assert not (docs / "business-case.csv").exists()
