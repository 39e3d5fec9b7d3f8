"""Render the Markdown documents from Jinja2 templates fed with the data files' figures."""
from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader

from modeling import documents
from pm import config
from pm.formats import FILTERS, typography

GENERATED = "<!-- Généré par `{command}` depuis les fichiers de données : ne pas modifier à la main. -->\n\n"


def environment() -> Environment:
    """Templates of pm/templates with the French number filters; an unknown variable is an error."""
    return documents.environment(FileSystemLoader(config.TEMPLATES), FILTERS)


def write(template: str, out: Path, command: str, **values) -> Path:
    """Render one template into `out` (written whole, then renamed) and return the path."""
    text = GENERATED.format(command=command) + typography(environment().get_template(template).render(**values))
    partial = out.with_suffix(out.suffix + ".partial")
    partial.write_text(text, encoding="utf-8")
    partial.replace(out)
    return out
