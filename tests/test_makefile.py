"""What `make demo` runs on a machine with no model-signing key configured (the commands, as make plans them)."""

from __future__ import annotations

import os
import shutil
import subprocess

from stack import REPO

KEY_COMMAND = "secrets.token_urlsafe(32)"


def test_a_fresh_clone_s_demo_makes_its_signing_key_before_loading_and_training(tmp_path):
    """load and train run in sub-makes, which inherit the exported key path: each must still make the key file
    first (a fresh clone's `make demo` stopped at train with "demo-model-signing.key cannot be read")."""
    for name in ("Makefile", "requirements.txt", "requirements-train.txt", "requirements-dev.txt"):
        shutil.copy(REPO / name, tmp_path / name)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MODEL_SIGNING", "MAKE", "MFLAGS"))}
    planned = subprocess.run(["make", "-n", "demo"], cwd=tmp_path, env=env, text=True, capture_output=True,
                             timeout=60, check=True).stdout.splitlines()
    load = next(i for i, line in enumerate(planned) if "-m database load" in line)
    train = next(i for i, line in enumerate(planned) if "-m modeling train" in line)
    assert any(KEY_COMMAND in line for line in planned[:load]), "no key made before the load"
    assert any(KEY_COMMAND in line for line in planned[load:train]), "no key made in the sub-make that trains"
