"""Generate the MLD, physical and Mermaid sections of docs/data-model.md from the SQLAlchemy models.

The hand-written parts of the document (MCD, reasons) stay as they are; only the text between
``<!-- generated:NAME -->`` and ``<!-- /generated:NAME -->`` markers is replaced, so the document
cannot drift from the schema (a test compares them).
"""

from __future__ import annotations

import re

from sqlalchemy import Table

from database.config import REPO_ROOT
from database.schema import DATA_TABLES, table

DOC_PATH = REPO_ROOT / "docs" / "data-model.md"
TABLES = (*DATA_TABLES, "load_run", "rejected_row", "score_audit", "client_score", "monitoring_result")


def _type(column) -> str:
    """A short SQL type name."""
    return {"SMALLINT": "smallint", "INTEGER": "integer", "FLOAT": "double precision", "VARCHAR": "text",
            "TEXT": "text"}.get(str(column.type).split("(")[0], str(column.type).lower())


def _keys(t: Table) -> tuple[list[str], list[str], list[str]]:
    """Primary-key columns, foreign keys as text, and index names of a table."""
    pk = [c.name for c in t.primary_key.columns]
    fks = [f"{fk.parent.name} → {fk.column.table.name}.{fk.column.name}" for fk in
           sorted(t.foreign_keys, key=lambda f: f.parent.name)]
    indexes = sorted(f"{ix.name} ({', '.join(c.name for c in ix.columns)})" for ix in t.indexes)
    return pk, fks, indexes


def mld() -> str:
    """The logical model: one line per table with its key, foreign keys and column count."""
    lines = ["| table | primary key | foreign keys | columns |", "| --- | --- | --- | --- |"]
    for name in TABLES:
        t = table(name)
        pk, fks, _ = _keys(t)
        lines.append(f"| {name} | ({', '.join(pk)}) | {'<br>'.join(fks) or '—'} | {len(t.columns)} |")
    return "\n".join(lines)


def physical() -> str:
    """The physical choices: key kind, indexes and the count of columns per type, per table."""
    lines = ["| table | key kind | indexes (besides the primary key) | integer / float / text columns |",
             "| --- | --- | --- | --- |"]
    for name in TABLES:
        t = table(name)
        pk, _, indexes = _keys(t)
        surrogate = pk == ["id"]
        kinds = [_type(c) for c in t.columns]
        counts = (f"{sum(k in ('integer', 'smallint') for k in kinds)} / {kinds.count('double precision')} / "
                  f"{kinds.count('text')}")
        lines.append(f"| {name} | {'surrogate' if surrogate else 'natural'} | {', '.join(indexes) or '—'} | "
                     f"{counts} |")
    return "\n".join(lines)


def mermaid() -> str:
    """A Mermaid erDiagram of the tables: key columns listed, relationships from the foreign keys."""
    lines = ["```mermaid", "erDiagram"]
    for name in TABLES:
        t = table(name)
        pk, _, _ = _keys(t)
        fk_columns = {fk.parent.name for fk in t.foreign_keys}
        lines.append(f"    {name} {{")
        for column in t.columns:
            if column.name in pk or column.name in fk_columns:
                marks = ",".join(m for m, on in (("PK", column.name in pk), ("FK", column.name in fk_columns)) if on)
                lines.append(f"        {_type(column).replace(' ', '_')} {column.name} {marks}")
        others = len(t.columns) - len(set(pk) | fk_columns)
        if others:
            lines.append(f'        text other_columns "{others} more columns"')
        lines.append("    }")
    for name in TABLES:
        for fk in sorted(table(name).foreign_keys, key=lambda f: f.parent.name):
            lines.append(f'    {fk.column.table.name} ||--o{{ {name} : "{fk.parent.name}"')
    lines.append("```")
    return "\n".join(lines)


SECTIONS = {"mld": mld, "physical": physical, "mermaid": mermaid}


def render_document(current: str | None) -> str:
    """The document with its generated sections refreshed (``current`` is the committed text)."""
    text = current or "# Data model\n\n" + "".join(f"<!-- generated:{k} -->\n<!-- /generated:{k} -->\n\n"
                                                    for k in SECTIONS)
    for key, make in SECTIONS.items():
        pattern = re.compile(rf"(<!-- generated:{key} -->\n).*?(<!-- /generated:{key} -->)", re.S)
        if not pattern.search(text):
            raise ValueError(f"{DOC_PATH}: marker <!-- generated:{key} --> is missing")
        body = make()
        text = pattern.sub(lambda m, body=body: m.group(1) + body + "\n" + m.group(2), text)
    return text
