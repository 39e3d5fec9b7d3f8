"""The generator's parameters fitted from real Home Credit rows: fitted.json in this package, read once."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

FILE_NAME = "fitted.json"
REFIT = "python -m database.synthetic.refit --sample FOLDER"


@dataclass(frozen=True)
class Fitted:
    """Category shares, quantile functions (41 points) and missing shares, as database.synthetic.refit fits them."""

    app_categories: dict[str, dict[str, float]]  # application column -> {category or value as text: share}
    app_flags: dict[str, float]  # 0/1 application flag -> share of 1
    app_quantiles: dict[str, list[float]]  # application quantity or ratio -> quantile function
    app_missing: dict[str, float]  # application column (or BUILDING) -> share missing
    building_missing_given_present: dict[str, float]  # building statistic -> share missing in a described building
    prev_core: dict[str, list]  # joint previous-application categories: columns, rows, counts
    prev_by_type: dict[str, dict[str, dict[str, float]]]  # contract type -> column -> {category: share}
    prev_quantiles: dict[str, dict]  # contract type -> amounts, terms, down payments; and the dates
    bureau: dict[str, dict | list | float]  # bureau categories, quantile functions and missing shares
    card_limits: dict[str, float]  # credit-card limit -> share


def shipped() -> Traversable:
    """The fitted.json that ships inside the database.synthetic package."""
    return resources.files(__package__).joinpath(FILE_NAME)


def read(source: Traversable | Path) -> Fitted:
    """The parameters stored in ``source``; ValueError naming the file and what to do if it is not such a file."""
    try:
        stored = json.loads(source.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ValueError(f"{source}: no such file; write it with {REFIT}") from None
    except json.JSONDecodeError as error:
        raise ValueError(f"{source}: not JSON ({error}); regenerate it with {REFIT}") from None
    if not isinstance(stored, dict):
        raise ValueError(f"{source}: a JSON {type(stored).__name__}, not the object of parameters; "
                         f"regenerate it with {REFIT}")
    expected = [field.name for field in fields(Fitted)]
    missing = [name for name in expected if name not in stored]
    unknown = [name for name in stored if name not in expected]
    if missing or unknown:
        wrong = (f"{what} parameters {', '.join(names)}" for what, names in [("missing", missing), ("unknown", unknown)]
                 if names)
        raise ValueError(f"{source}: {' and '.join(wrong)}; regenerate it with {REFIT}")
    return Fitted(**stored)


@cache
def fitted() -> Fitted:
    """The shipped parameters, read on first use."""
    return read(shipped())


def write(params: Fitted, path: Path) -> None:
    """Write the parameters as JSON, one value a line, so that a refit shows as a data diff (whole or not at all)."""
    text = json.dumps(asdict(params), indent=1, ensure_ascii=False, allow_nan=False)
    path = Path(path)
    partial = path.with_name(path.name + ".partial")
    partial.write_text(text + "\n", encoding="utf-8")
    partial.replace(path)
