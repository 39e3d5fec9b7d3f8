"""Write column arrays as Kaggle-formatted CSV text (fast, vectorised with Arrow compute)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from database.synthetic.core import Cat

# Columns Kaggle writes as integers, by schema table; every other numeric column is written as a float ("202500.0"),
# whatever its type in the schema (DAYS_REGISTRATION is a whole number that Kaggle writes "-3648.0").
INT_COLUMNS = {
    "application": {"SK_ID_CURR", "TARGET", "CNT_CHILDREN", "DAYS_BIRTH", "DAYS_EMPLOYED", "DAYS_ID_PUBLISH",
                    "FLAG_MOBIL", "FLAG_EMP_PHONE", "FLAG_WORK_PHONE", "FLAG_CONT_MOBILE", "FLAG_PHONE",
                    "FLAG_EMAIL", "REGION_RATING_CLIENT", "REGION_RATING_CLIENT_W_CITY", "HOUR_APPR_PROCESS_START",
                    "REG_REGION_NOT_LIVE_REGION", "REG_REGION_NOT_WORK_REGION", "LIVE_REGION_NOT_WORK_REGION",
                    "REG_CITY_NOT_LIVE_CITY", "REG_CITY_NOT_WORK_CITY", "LIVE_CITY_NOT_WORK_CITY"}
    | {f"FLAG_DOCUMENT_{i}" for i in range(2, 22)},
    "bureau": {"SK_ID_CURR", "SK_ID_BUREAU", "DAYS_CREDIT", "CREDIT_DAY_OVERDUE", "CNT_CREDIT_PROLONG",
               "DAYS_CREDIT_UPDATE"},
    "bureau_balance": {"SK_ID_BUREAU", "MONTHS_BALANCE"},
    "previous_application": {"SK_ID_PREV", "SK_ID_CURR", "HOUR_APPR_PROCESS_START", "NFLAG_LAST_APPL_IN_DAY",
                             "DAYS_DECISION", "SELLERPLACE_AREA"},
    "pos_cash_balance": {"SK_ID_PREV", "SK_ID_CURR", "MONTHS_BALANCE", "SK_DPD", "SK_DPD_DEF"},
    "credit_card_balance": {"SK_ID_PREV", "SK_ID_CURR", "MONTHS_BALANCE", "AMT_CREDIT_LIMIT_ACTUAL",
                            "CNT_DRAWINGS_CURRENT", "SK_DPD", "SK_DPD_DEF"},
    "installments_payments": {"SK_ID_PREV", "SK_ID_CURR", "NUM_INSTALMENT_NUMBER"},
}


def _quote(value: str) -> str:
    """CSV-quote a category only when it holds a comma or a quote, as Kaggle's files do."""
    if "," in value or '"' in value:
        return '"' + value.replace('"', '""') + '"'
    return value


def _text(values, as_int: bool, name: str) -> pa.Array:
    """One column as an Arrow string array (null for missing)."""
    if isinstance(values, Cat):
        codes = pa.array(values.codes.astype(np.int32), mask=values.codes < 0)
        return pa.DictionaryArray.from_arrays(codes, [_quote(v) for v in values.vocab]).cast(pa.string())
    values = np.asarray(values)
    if as_int:
        if values.dtype.kind == "f":
            if np.isnan(values).any():
                raise ValueError(f"integer column {name} has missing values")
            values = values.astype(np.int64)
        return pc.cast(pa.array(values), pa.string())
    values = values.astype(np.float64)
    text = pc.cast(pa.array(values, mask=np.isnan(values)), pa.string())
    return pc.if_else(pc.match_substring_regex(text, r"[.en]"), text, pc.binary_join_element_wise(text, ".0", ""))


def csv_bytes(header: list[str], data: dict, table: str) -> bytes:
    """The data rows (no header) of one table as CSV bytes, columns in header order."""
    ints = INT_COLUMNS[table]
    missing = [c for c in header if c not in data]
    if missing:
        raise KeyError(f"{table}: no values generated for columns {missing}")
    columns = [_text(data[c], c in ints, c) for c in header]
    if len(columns[0]) == 0:
        return b""
    lines = pc.binary_join_element_wise(*columns, ",", null_handling="replace", null_replacement="")
    lines = pc.binary_join_element_wise(lines, "", "\n")
    lines = lines.combine_chunks() if isinstance(lines, pa.ChunkedArray) else lines
    if lines.type != pa.large_string():
        lines = lines.cast(pa.large_string())
    offsets = np.frombuffer(lines.buffers()[1], dtype=np.int64)[lines.offset: lines.offset + len(lines) + 1]
    return lines.buffers()[2].to_pybytes()[offsets[0]: offsets[-1]]


class TableWriter:
    """Append chunks of rows to one Kaggle CSV file, header first."""

    def __init__(self, path: Path, header: list[str], table: str) -> None:
        self.path, self.header, self.table, self.rows = path, header, table, 0
        self._file = None

    def __enter__(self) -> TableWriter:
        self._file = open(self.path, "wb")
        self._file.write((",".join(self.header) + "\n").encode())
        return self

    def write(self, data: dict) -> int:
        """Append rows given as {column: array}; returns the number of rows written."""
        payload = csv_bytes(self.header, data, self.table)
        self._file.write(payload)
        n = len(next(iter(data.values())).codes if isinstance(next(iter(data.values())), Cat)
                else next(iter(data.values())))
        self.rows += n
        return n

    def __exit__(self, *exc) -> None:
        self._file.close()
