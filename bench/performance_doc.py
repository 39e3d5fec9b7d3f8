"""What every benchmark shares: the machine's description and its own section of docs/performance.md."""

from __future__ import annotations

import os
import platform
import re
from pathlib import Path

DOC = Path(__file__).resolve().parent.parent / "docs" / "performance.md"


def machine() -> str:
    """CPU model, cores, memory and Python of this machine."""
    cpu = platform.processor() or platform.machine()
    memory = ""
    try:
        cpu = re.search(r"model name\s*:\s*(.+)", Path("/proc/cpuinfo").read_text()).group(1).strip()
        kib = int(re.search(r"MemTotal:\s*(\d+)", Path("/proc/meminfo").read_text()).group(1))
        memory = f", {kib / 1024 ** 2:.0f} GiB RAM"
    except (OSError, AttributeError):
        pass
    return f"{cpu}, {os.cpu_count()} cores{memory}, Python {platform.python_version()}"


def write_section(name: str, body: str, path: Path = DOC) -> None:
    """Replace (or append) the section between ``<!-- bench:NAME -->`` markers, keeping the others."""
    start, end = f"<!-- bench:{name} -->", f"<!-- /bench:{name} -->"
    block = body.strip() if body.lstrip().startswith(start) else f"{start}\n{body.strip()}\n{end}"
    current = path.read_text(encoding="utf-8") if path.exists() else "# Performance\n"
    pattern = re.compile(re.escape(start) + ".*?" + re.escape(end), re.S)
    if pattern.search(current):
        updated = pattern.sub(lambda _match: block, current)
    else:
        updated = current.rstrip() + "\n\n" + block + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(updated, encoding="utf-8")
