"""Find the Home Credit CSV files of a folder, check them as files, and stream their rows as text columns.

Rows come out as pyarrow record batches of strings (``NA`` and empty fields are nulls), with the line
number of each row in the file, so that validation can name the exact line of a bad value.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from database.schema import DATA_TABLES, kaggle_columns

#: File names (lower case, without ``.csv``) accepted for each table: Kaggle's and those of the real sample.
FILE_NAMES: dict[str, str] = {
    "application_train": "application",
    "application_test": "application",
    "application": "application",
    "application_data_sample": "application",
    "bureau": "bureau",
    "bureau_balance": "bureau_balance",
    "previous_application": "previous_application",
    "previous_application_sample": "previous_application",
    "pos_cash_balance": "pos_cash_balance",
    "credit_card_balance": "credit_card_balance",
    "installments_payments": "installments_payments",
}

#: Files that may be loaded together into one table (Kaggle splits applications into train and test).
COMPANIONS = {frozenset({"application_train", "application_test"})}

#: Columns a file may leave out (application_test has no TARGET).
OPTIONAL_COLUMNS = {"application": {"TARGET"}}

#: Hints for columns known under another name.
COLUMN_HINTS = {"DEFAULTED": "TARGET"}

BLOCK_SIZE = 16 << 20
_MAGIC = {b"PK\x03\x04": "a zip archive", b"\x1f\x8b": "a gzip archive", b"%PDF": "a PDF document",
          b"\xd0\xcf\x11\xe0": "an old Excel/Office document", b"SQLite format 3": "a SQLite database"}
BOM = b"\xef\xbb\xbf"


class LoadError(Exception):
    """A problem with the input that stops the load; its message is one line a user can act on."""


@dataclass
class SourceFile:
    """A CSV file, the table it feeds, and its columns in file order (Kaggle spelling)."""

    path: Path
    table: str
    columns: list[str] = field(default_factory=list)


def find_sources(sources: list[Path], tables: list[str] | None = None) -> list[SourceFile]:
    """The known CSV files among ``sources`` (folders or files), in load order (parents first)."""
    files: list[Path] = []
    for source in sources:
        if source.is_dir():
            files.extend(sorted(p for p in source.iterdir() if p.is_file() and p.suffix.lower() == ".csv"))
        elif source.is_file():
            files.append(source)
        else:
            raise LoadError(f"{source}: no such file or folder; give the folder holding the Home Credit CSV files")
    wanted = set(tables) if tables else set(DATA_TABLES)
    unknown = wanted - set(DATA_TABLES)
    if unknown:
        raise LoadError(f"unknown table(s) {', '.join(sorted(unknown))}; known tables: {', '.join(DATA_TABLES)}")
    by_table: dict[str, list[Path]] = {}
    for path in files:
        name = path.name.lower().removesuffix(".csv")
        if name in FILE_NAMES and FILE_NAMES[name] in wanted:
            by_table.setdefault(FILE_NAMES[name], []).append(path)
    for table_name, paths in by_table.items():
        stems = frozenset(p.name.lower().removesuffix(".csv") for p in paths)
        if len(paths) > 1 and not (len(stems) == len(paths) and stems in COMPANIONS):
            names = " and ".join(p.name for p in paths)
            raise LoadError(f"{names} are both files for table {table_name}; keep only one of them in the folder "
                            "(or pass the files to load one by one with --source)")
    if not by_table:
        known = ", ".join(sorted({f"{n}.csv" for n in FILE_NAMES}))
        raise LoadError(f"no Home Credit CSV file found in {', '.join(map(str, sources))}; expected names like {known}")
    return [SourceFile(path, name) for name in DATA_TABLES for path in sorted(by_table.get(name, []))]


def check_file(source: SourceFile) -> None:
    """Check that the file is a CSV text file with exactly the table's columns; fill ``source.columns``."""
    path = source.path
    with path.open("rb") as handle:
        head = handle.read(1 << 16)
    if not head.strip(BOM + b" \r\n\t"):
        raise LoadError(f"{path}: the file is empty (not even a header line); export it again with its header")
    for magic, kind in _MAGIC.items():
        if head.startswith(magic):
            raise LoadError(f"{path}: this is {kind}, not a CSV text file; extract or export the CSV file first")
    if b"\x00" in head:
        raise LoadError(f"{path}: binary content (NUL bytes) in the first 64 KiB; this is not a CSV text file")
    first_line = head.removeprefix(BOM).split(b"\n", 1)[0].rstrip(b"\r")
    try:
        text = first_line.decode("utf-8")
    except UnicodeDecodeError as error:
        raise LoadError(f"{path}: line 1 is not UTF-8 (byte offset {error.start}); save the file as UTF-8") from None
    header = [name.strip().upper() for name in next(csv.reader(io.StringIO(text)), [])]
    source.columns = _checked_header(path, source.table, header)


def _checked_header(path: Path, table_name: str, header: list[str]) -> list[str]:
    """The header if it names exactly the table's columns (in any order), else a LoadError saying what differs."""
    expected = kaggle_columns(table_name)
    duplicated = sorted({name for name in header if header.count(name) > 1})
    if duplicated:
        raise LoadError(f"{path}: column {', '.join(duplicated)} appears more than once in the header")
    unknown = [name for name in header if name not in expected]
    missing = [name for name in expected if name not in header and name not in OPTIONAL_COLUMNS.get(table_name, ())]
    if len(unknown) == len(header) and missing:
        raise LoadError(f"{path}: none of the {table_name} columns in the header ({_few(header)}); "
                        f"this is not a Home Credit {table_name} CSV file")
    if unknown:
        hints = [f"rename {name} to {COLUMN_HINTS[name]}" for name in unknown if name in COLUMN_HINTS]
        hint = "; ".join(hints) if hints else "remove them or check the file is the right one"
        raise LoadError(f"{path}: unknown column(s) {_few(unknown)} for table {table_name}; {hint}")
    if missing:
        raise LoadError(f"{path}: missing column(s) {_few(missing)} for table {table_name}; "
                        "export the file again with all its columns")
    return header


def _few(names: list[str], limit: int = 6) -> str:
    """Up to ``limit`` names joined by commas, with a count of the rest."""
    shown = ", ".join(names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


@dataclass
class Batch:
    """Rows of a file as text columns, with the physical line number of each row."""

    data: pa.RecordBatch
    lines: np.ndarray


def read_batches(source: SourceFile, short_rows: list[tuple[int, str, str]],
                 block_size: int = BLOCK_SIZE) -> Iterator[Batch]:
    """Stream the rows of a checked file; rows with a wrong field count go to ``short_rows`` (line, reason, text)."""
    skipped: list[int] = []
    width = len(source.columns)

    def on_invalid(row) -> str:
        short_rows.append((row.number, f"has {row.actual_columns} fields, expected {width} (truncated or "
                                       "malformed line)", row.text))
        skipped.append(row.number)
        return "skip"

    try:
        yield from _batches(source, on_invalid, skipped, block_size)
    except pa.ArrowInvalid as error:
        raise LoadError(_arrow_message(source.path, error)) from None


def _batches(source: SourceFile, on_invalid, skipped: list[int], block_size: int) -> Iterator[Batch]:
    """The batches of pyarrow's streaming reader with their line numbers."""
    reader = pacsv.open_csv(
        source.path,
        read_options=pacsv.ReadOptions(block_size=block_size, use_threads=False, column_names=source.columns,
                                       skip_rows=1),
        parse_options=pacsv.ParseOptions(newlines_in_values=False, ignore_empty_lines=False,
                                         invalid_row_handler=on_invalid),
        convert_options=pacsv.ConvertOptions(column_types={name: pa.string() for name in source.columns},
                                             null_values=["", "NA"], strings_can_be_null=True,
                                             quoted_strings_can_be_null=True),
    )
    good = 0
    for data in reader:
        lines = physical_lines(np.arange(good, good + data.num_rows, dtype=np.int64), skipped)
        good += data.num_rows
        yield Batch(data, lines)


def physical_lines(indices: np.ndarray, skipped: list[int]) -> np.ndarray:
    """The line numbers of good rows ``indices`` (0-based) given the sorted line numbers of skipped rows."""
    gaps = np.asarray(sorted(n for n in skipped if n is not None), dtype=np.int64)
    lines = indices + 2
    while True:
        moved = indices + 2 + np.searchsorted(gaps, lines, side="right")
        if np.array_equal(moved, lines):
            return lines
        lines = moved


def _arrow_message(path: Path, error: Exception) -> str:
    """A one-line message for a parse error of pyarrow, locating invalid UTF-8 when that is the cause."""
    if "UTF8" in str(error) or "utf8" in str(error).lower():
        offset, line = first_invalid_utf8(path)
        return f"{path}: not UTF-8 text at line {line} (byte offset {offset}); save the file as UTF-8"
    return f"{path}: cannot be read as CSV ({str(error).splitlines()[0]})"


def first_invalid_utf8(path: Path) -> tuple[int, int]:
    """The byte offset and line number of the first byte of ``path`` that is not valid UTF-8."""
    offset, line, carry = 0, 1, b""
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 22):
            data = carry + chunk
            try:
                data.decode("utf-8")
                carry = b""
            except UnicodeDecodeError as error:
                if error.end < len(data) or error.reason != "unexpected end of data":
                    return offset + error.start, line + data.count(b"\n", 0, error.start)
                carry = data[error.start:]
                data = data[:error.start]
            offset += len(data)
            line += data.count(b"\n")
    return offset, line


def raw_lines(path: Path, numbers: set[int]) -> dict[int, str]:
    """The text of the given physical lines of a file (without line ending), read in one pass."""
    found: dict[int, str] = {}
    if not numbers:
        return found
    last = max(numbers)
    with path.open("rb") as handle:
        for number, line in enumerate(handle, start=1):
            if number in numbers:
                found[number] = line.removeprefix(BOM).rstrip(b"\r\n").decode("utf-8", "replace")
            if number >= last:
                break
    return found
