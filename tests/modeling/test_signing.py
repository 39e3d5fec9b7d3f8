"""Signed model folders: only a folder signed with an accepted key is unpickled, whoever can write MODEL_DIR."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from modeling.__main__ import main
from modeling.config import SigningKeys, key_id
from modeling.serving import signing
from modeling.serving.artifact import ModelError, load_bundle
from tests.stack import REPO, SIGNING_KEY
from tests.tampering import replaced_model

pytestmark = pytest.mark.requirement("EXG-MOD-08")

OTHER_KEY = "another-bank-s-key-that-never-signed-these-models-0123"
NEW_KEY = "the-bank-s-new-model-signing-key-after-rotation-4567"


@pytest.fixture
def folder(stack, tmp_path):
    """A copy of the stack's signed model folder."""
    copy = tmp_path / "models" / stack.model_dir.joinpath("latest").resolve().name
    shutil.copytree(stack.model_dir / "latest", copy)
    return copy


def _refused(folder, *phrases: str) -> str:
    with pytest.raises(ModelError) as info:
        load_bundle(folder)
    message = str(info.value)
    assert "\n" not in message
    for phrase in phrases:
        assert phrase in message, message
    return message


def test_a_model_pkl_and_card_both_replaced_are_refused_before_unpickling(stack, tmp_path):
    _, folder, marker = replaced_model(stack.model_dir / "latest", tmp_path)
    _refused(folder, "refusing to unpickle", str(folder / "model.pkl"), "python -m modeling sign")
    assert not marker.exists(), "the replaced pickle's code ran"


def test_the_batch_refuses_a_replaced_model_in_one_line_and_writes_nothing(stack, tmp_path):
    model_dir, folder, marker = replaced_model(stack.model_dir / "latest", tmp_path)
    out = tmp_path / "scores.csv"
    done = subprocess.run([sys.executable, "-m", "modeling", "predict", "--out", str(out)], cwd=REPO,
                          env={**stack.env(), "MODEL_DIR": str(model_dir)}, capture_output=True, text=True, timeout=300)
    assert done.returncode == 1
    assert done.stderr.startswith("error: refusing to unpickle") and done.stderr.count("\n") == 1, done.stderr
    assert str(folder / "model.pkl") in done.stderr
    assert not marker.exists() and not out.exists()


def test_a_folder_signed_with_another_key_is_refused(folder):
    signing.sign_folder(folder, SigningKeys(OTHER_KEY.encode(), (OTHER_KEY.encode(),), "test"))
    _refused(folder, key_id(OTHER_KEY.encode()), "not among the verification keys", "MODEL_VERIFY_KEYS")


def test_a_signature_rewritten_by_hand_is_refused(folder):
    record = json.loads((folder / signing.SIGNATURE_FILE).read_text())
    record["files"]["model_card.json"] = "0" * 64
    (folder / signing.SIGNATURE_FILE).write_text(json.dumps(record))
    _refused(folder, "bad signature", str(folder / signing.SIGNATURE_FILE))


def test_an_added_file_is_refused(folder):
    (folder / "sitecustomize.py").write_text("print('hello')\n")
    _refused(folder, str(folder / "sitecustomize.py"), "not covered by the signature")


def test_a_removed_or_changed_file_is_refused(folder):
    report = next(p for p in folder.rglob("*") if p.is_file() and p.suffix in (".md", ".html", ".png"))
    report.write_bytes(report.read_bytes() + b" ")
    _refused(folder, str(report), "changed since it was signed")
    report.unlink()
    _refused(folder, str(report), "signed but missing")


def test_an_unsigned_folder_says_how_to_sign_it(folder):
    (folder / signing.SIGNATURE_FILE).unlink()
    _refused(folder, f"{folder} is not signed", f"python -m modeling sign {folder}")


def test_without_a_key_nothing_loads_and_the_line_says_which_variable_to_set(folder, monkeypatch, capsys):
    monkeypatch.setenv("MODEL_SIGNING_KEY", "")
    _refused(folder, "no model-signing key", "MODEL_SIGNING_KEY", "docs/operations.md")
    assert main(["score", "100002", "--model", str(folder)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: cannot trust the model in") and err.count("\n") == 1


def test_training_without_a_key_stops_before_any_work(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("MODEL_SIGNING_KEY", "")
    assert main(["train", "--source", str(tmp_path / "nothing-here"), "--no-baselines"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: no model-signing key") and "MODEL_SIGNING_KEY" in err and err.count("\n") == 1


def test_a_short_key_or_two_key_settings_are_refused_in_one_line(folder, monkeypatch):
    monkeypatch.setenv("MODEL_SIGNING_KEY", "short")
    _refused(folder, "fewer than 32")
    monkeypatch.setenv("MODEL_SIGNING_KEY", SIGNING_KEY)
    monkeypatch.setenv("MODEL_SIGNING_KEY_FILE", str(folder / "key"))
    _refused(folder, "both MODEL_SIGNING_KEY and MODEL_SIGNING_KEY_FILE")


def test_a_rotation_keeps_every_model_loadable_until_the_old_key_is_dropped(folder, monkeypatch, tmp_path, capsys):
    keyring = tmp_path / "model-signing.key"
    keyring.write_text(f"{NEW_KEY}\n")
    monkeypatch.setenv("MODEL_SIGNING_KEY", "")
    monkeypatch.setenv("MODEL_SIGNING_KEY_FILE", str(keyring))
    _refused(folder, key_id(SIGNING_KEY.encode()), "not among the verification keys")
    monkeypatch.setenv("MODEL_VERIFY_KEYS", SIGNING_KEY)  # the old key kept while the folders are re-signed
    assert load_bundle(folder).version == folder.name
    assert main(["sign", str(folder)]) == 0
    assert f"signed with key {key_id(NEW_KEY.encode())}" in capsys.readouterr().out
    monkeypatch.setenv("MODEL_VERIFY_KEYS", "")  # the old key dropped
    assert load_bundle(folder).version == folder.name
    assert main(["verify", str(folder)]) == 0


def test_sign_signs_a_folder_trained_before_signing_but_not_a_tampered_one(folder, capsys):
    (folder / signing.SIGNATURE_FILE).unlink()
    assert main(["sign", str(folder)]) == 0
    assert load_bundle(folder).version == folder.name
    (folder / signing.SIGNATURE_FILE).unlink()
    (folder / "model.pkl").write_bytes(b"not the pickle training wrote")
    capsys.readouterr()
    assert main(["sign", str(folder)]) == 1
    err = capsys.readouterr().err
    assert "model.pkl is not the one its card records" in err and not (folder / signing.SIGNATURE_FILE).exists()


def test_sign_without_a_key_says_which_variable_to_set(folder, monkeypatch, capsys):
    (folder / signing.SIGNATURE_FILE).unlink()
    monkeypatch.setenv("MODEL_SIGNING_KEY", "")
    assert main(["sign", str(folder)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"error: cannot sign {folder}: no model-signing key") and err.count("\n") == 1
    assert not (folder / signing.SIGNATURE_FILE).exists()


def test_sign_refuses_to_bless_a_signed_folder_that_changed(folder, capsys):
    (folder / "model_card.json").write_text("{}")
    assert main(["sign", str(folder)]) == 1
    assert "model_card.json changed since it was signed" in capsys.readouterr().err


def test_sign_and_verify_have_help():
    for command in ("sign", "verify"):
        done = subprocess.run([sys.executable, "-m", "modeling", command, "--help"], cwd=REPO, capture_output=True,
                              text=True, timeout=60)
        assert done.returncode == 0 and "model folder" in done.stdout
