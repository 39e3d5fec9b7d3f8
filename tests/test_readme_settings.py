"""The README documents the ports `make demo` serves on, as the Makefile and bin/serve-demo read them."""
from __future__ import annotations

import re

from tests.stack import REPO


def test_the_demo_ports_of_the_makefile_are_in_the_readme_with_their_defaults():
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    serve = (REPO / "bin" / "serve-demo").read_text(encoding="utf-8")
    for name in ("API_PORT", "DASHBOARD_PORT"):
        default = re.search(rf"^{name} \?= (\d+)$", makefile, re.MULTILINE).group(1)
        assert f"${name}" in serve or f"${{{name}}}" in serve  # the script really listens on it
        row = next((line for line in readme.splitlines() if line.startswith("|") and f"`{name}`" in line), None)
        assert row is not None, f"{name} is not in the README's configuration table"
        assert f"`{default}`" in row, f"the README does not give {name}'s default {default}"
