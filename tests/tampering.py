"""What an attacker who can write MODEL_DIR does: a model folder whose model.pkl runs code when unpickled, with
the card rewritten to record that pickle's sha256, made the `latest` model."""

from __future__ import annotations

import json
import pickle
import shutil
from pathlib import Path

from database.checksums import file_sha256
from modeling.serving import artifact


class Payload:
    """A pickle that creates a file when it is read (it calls ``open(marker, "w")``): code of the attacker."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (open, (str(self.marker), "w"))


def replaced_model(source: Path, root: Path) -> tuple[Path, Path, Path]:
    """A copy of the model folder ``source`` under ``root`` (made MODEL_DIR's latest) whose model.pkl AND card were
    both replaced, the card recording the new pickle's sha256 as training would; (model_dir, folder, marker)."""
    source = Path(source).resolve()
    model_dir = root / "models"
    folder = model_dir / source.name
    shutil.copytree(source, folder)
    marker = root / "attacker-code-ran"
    (folder / artifact.BUNDLE_FILE).write_bytes(pickle.dumps(Payload(marker)))
    card = json.loads((folder / artifact.CARD_FILE).read_text())
    card[artifact.SHA256_KEY] = file_sha256(folder / artifact.BUNDLE_FILE)
    card["notes"] = "replaced"
    (folder / artifact.CARD_FILE).write_text(json.dumps(card))
    artifact.set_latest(folder.name, model_dir)
    return model_dir, folder, marker
