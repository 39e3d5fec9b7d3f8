"""The model artifact: card fields, loading, version checks, the `latest` pointer."""

from __future__ import annotations

import json
import os
import pickle
import shutil

import pytest

from modeling.__main__ import main
from modeling.serving import artifact, signing
from modeling.serving.artifact import ModelError, load_bundle

pytestmark = pytest.mark.requirement("EXG-MOD-08")


def test_model_card_holds_what_a_reviewer_needs(trained_model):
    card = json.loads((trained_model.folder / "model_card.json").read_text())
    for key in ("version", "created_at", "data", "features_count", "strategy", "cv", "hyperparameters",
                "threshold", "threshold_f1", "cost_matrix", "calibration", "points", "grades", "library_versions"):
        assert key in card, key
    assert card["version"] == trained_model.folder.name
    assert len(card["data"]["fingerprint"]) == 64 and card["data"]["rows"] == len(trained_model.data.y)
    assert 0 < card["data"]["default_rate"] < 0.5
    assert card["cv"]["auc_std"] > 0 and len(card["cv"]["fold_auc"]) == 3
    assert card["cost_matrix"]["fn"] == 10 and card["cost_matrix"]["fp"] == 1
    assert {"lightgbm", "scikit-learn"} <= set(card["library_versions"])


def test_latest_bundle_loads_and_predicts(trained_model, tmp_path_factory, monkeypatch):
    monkeypatch.setenv("MODEL_DIR", str(trained_model.folder.parent))
    bundle = load_bundle()
    assert bundle.version == trained_model.folder.name
    assert 0 < bundle.threshold < 1 and bundle.grades.labels == ("A", "B", "C", "D", "E", "F")
    X = bundle.background
    assert bundle.predict_proba(X) == pytest.approx(trained_model.artifact.bundle.predict_proba(X))
    assert bundle.lgbm.get_params()["n_jobs"] == 1  # one thread per serving worker
    top = bundle.importance.iloc[0]
    assert set(bundle.importance["feature"]) == set(bundle.feature_names)
    assert top["mean_abs_shap"] == bundle.importance["mean_abs_shap"].max() > 0
    assert bundle.card["threshold_f1"] == pytest.approx(trained_model.decision.f1.threshold)


def test_fingerprint_ignores_row_order_but_not_labels():
    fp = artifact.data_fingerprint([3, 1, 2], [0, 1, 0])
    assert fp == artifact.data_fingerprint([1, 2, 3], [1, 0, 0])
    assert fp != artifact.data_fingerprint([1, 2, 3], [0, 0, 0])


def test_mismatching_library_version_fails_in_one_line(trained_model, tmp_path):
    copy = tmp_path / trained_model.folder.name
    shutil.copytree(trained_model.folder, copy)
    card = json.loads((copy / "model_card.json").read_text())
    card["library_versions"]["lightgbm"] = "3.3.5"
    (copy / "model_card.json").write_text(json.dumps(card))
    signing.sign_folder(copy)  # a genuine folder of the bank, trained with another lightgbm
    with pytest.raises(ModelError) as info:
        load_bundle(copy)
    message = str(info.value)
    assert "\n" not in message and "lightgbm 3.3.5" in message and "python -m modeling train" in message


def test_a_corrupted_model_pkl_is_refused_before_unpickling(trained_model, tmp_path):
    copy = tmp_path / trained_model.folder.name
    shutil.copytree(trained_model.folder, copy)
    data = bytearray((copy / "model.pkl").read_bytes())
    data[len(data) // 2] ^= 0x01  # one byte changed
    (copy / "model.pkl").write_bytes(bytes(data))
    with pytest.raises(ModelError) as info:
        load_bundle(copy)
    message = str(info.value)
    assert "\n" not in message and "refusing to unpickle" in message and "sha256" in message


class _Payload:
    """A pickle that creates a file when it is read: what a replaced model.pkl could do."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (open, (str(self.marker), "w"))


def test_a_replaced_model_pkl_never_runs(trained_model, tmp_path):
    copy = tmp_path / trained_model.folder.name
    shutil.copytree(trained_model.folder, copy)
    marker = tmp_path / "code-ran"
    (copy / "model.pkl").write_bytes(pickle.dumps(_Payload(marker)))
    with pytest.raises(ModelError, match="refusing to unpickle .*changed since it was signed"):
        load_bundle(copy)
    assert not marker.exists()


def test_missing_model_says_how_to_train(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("MODEL_DIR", str(tmp_path))
    with pytest.raises(ModelError, match="no model in .*: run `python -m modeling train`"):
        load_bundle()
    assert main(["score", "100002"]) == 1
    assert "run `python -m modeling train`" in capsys.readouterr().err


def test_latest_switches_and_falls_back_to_a_text_file(tmp_path, monkeypatch):
    for name in ("v1", "v2"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "model.pkl").write_bytes(b"")
    artifact.set_latest("v1", tmp_path)
    artifact.set_latest("v2", tmp_path)
    assert os.readlink(tmp_path / "latest") == "v2"
    monkeypatch.setattr(os, "symlink", lambda *a, **k: (_ for _ in ()).throw(OSError("no symlinks here")))
    (tmp_path / "latest").unlink()
    artifact.set_latest("v1", tmp_path)
    assert (tmp_path / "LATEST").read_text().strip() == "v1"
    monkeypatch.setenv("MODEL_DIR", str(tmp_path))
    assert artifact.resolve() == tmp_path / "v1"
