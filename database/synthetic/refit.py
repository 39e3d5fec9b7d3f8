"""Refit the generator's parameters from a folder of real Home Credit rows and rewrite fitted.json."""

from __future__ import annotations

import sys
from pathlib import Path

import click
import numpy as np
import pandas as pd

from database.schema import kaggle_columns
from database.synthetic.application import BUILDING_BASES
from database.synthetic.parameters import Fitted, shipped, write
from settings.cli import CONTEXT, fail, run

QUANTILE_POINTS = 41
#: The files of the real sample that the fit reads, and the schema table whose columns each one holds.
SAMPLE_FILES = {"application.csv": "application", "previous_application_sample.csv": "previous_application",
                "bureau.csv": "bureau", "credit_card_balance.csv": "credit_card_balance"}
PREV_CORE = ["NAME_CONTRACT_TYPE", "NAME_CONTRACT_STATUS", "CODE_REJECT_REASON", "NAME_PORTFOLIO",
             "NAME_PRODUCT_TYPE", "NAME_YIELD_GROUP", "PRODUCT_COMBINATION"]
PREV_BY_TYPE = ["NAME_CASH_LOAN_PURPOSE", "NAME_PAYMENT_TYPE", "NAME_CLIENT_TYPE", "FLAG_LAST_APPL_PER_CONTRACT",
                "CHANNEL_TYPE", "NAME_TYPE_SUITE", "NAME_GOODS_CATEGORY", "NAME_SELLER_INDUSTRY"]


def _freq(series: pd.Series) -> dict:
    """Category -> share, missing values as the empty string."""
    shares = series.fillna("").astype(str).value_counts(normalize=True)
    return {str(k): round(float(v), 5) for k, v in shares.items()}


def _quant(series: pd.Series) -> list:
    """Empirical quantile function on an even grid of probabilities."""
    values = series.dropna().to_numpy(dtype=float)
    return [float(f"{q:.6g}") for q in np.quantile(values, np.linspace(0, 1, QUANTILE_POINTS))]


def _read(sample: Path, name: str, **options) -> pd.DataFrame:
    """One CSV of the sample; ValueError naming it if it lacks a column of its table (TARGET aside: DEFAULTED there)."""
    frame = pd.read_csv(sample / name, encoding="utf-8-sig", **options)
    missing = [c for c in kaggle_columns(SAMPLE_FILES[name]) if c not in frame.columns and c != "TARGET"]
    if missing:
        raise ValueError(f"{sample / name}: no column {', '.join(missing)}; the sample must have the Kaggle columns")
    return frame


def fit(sample: Path) -> Fitted:
    """Compute every fitted parameter from the sample folder."""
    app = _read(sample, "application.csv")
    pension = app["NAME_INCOME_TYPE"] == "Pensioner"
    work = app[~pension]
    cats = {c: _freq(app[c]) for c in ["NAME_CONTRACT_TYPE", "FLAG_OWN_CAR", "FLAG_OWN_REALTY", "NAME_TYPE_SUITE",
                                      "NAME_INCOME_TYPE", "NAME_EDUCATION_TYPE", "NAME_FAMILY_STATUS",
                                      "NAME_HOUSING_TYPE", "WEEKDAY_APPR_PROCESS_START", "CNT_CHILDREN",
                                      "HOUR_APPR_PROCESS_START", "REGION_RATING_CLIENT",
                                      "REGION_POPULATION_RELATIVE"]}
    cats["OCCUPATION_TYPE"] = _freq(work["OCCUPATION_TYPE"])
    cats["ORGANIZATION_TYPE"] = _freq(work["ORGANIZATION_TYPE"])
    building = app["TOTALAREA_MODE"].notna() | app["APARTMENTS_AVG"].notna() | app["FLOORSMAX_AVG"].notna()
    for c in ["FONDKAPREMONT_MODE", "HOUSETYPE_MODE", "WALLSMATERIAL_MODE", "EMERGENCYSTATE_MODE"]:
        cats[c] = _freq(app.loc[building, c])
    for c in ["OBS_30_CNT_SOCIAL_CIRCLE", "DEF_30_CNT_SOCIAL_CIRCLE"] + [
            c for c in app.columns if c.startswith("AMT_REQ_CREDIT_BUREAU")]:
        cats[c] = _freq(app[c].dropna().astype(int))
    flags = [c for c in app.columns if c.startswith(("FLAG_", "REG_", "LIVE_")) and app[c].dtype != object]
    quants = {c: _quant(app[c]) for c in ["AMT_INCOME_TOTAL", "AMT_GOODS_PRICE", "DAYS_REGISTRATION",
                                         "DAYS_ID_PUBLISH", "DAYS_LAST_PHONE_CHANGE", "OWN_CAR_AGE",
                                         "EXT_SOURCE_1", "EXT_SOURCE_2", "EXT_SOURCE_3", "TOTALAREA_MODE"]}
    quants["DAYS_BIRTH_PENSIONER"] = _quant(app.loc[pension, "DAYS_BIRTH"])
    quants["DAYS_BIRTH_WORKING"] = _quant(work["DAYS_BIRTH"])
    quants["EMPLOYED_SHARE_OF_ADULT_LIFE"] = _quant(work["DAYS_EMPLOYED"] / (work["DAYS_BIRTH"] + 18 * 365))
    cash = app["NAME_CONTRACT_TYPE"] == "Cash loans"
    quants["CREDIT_TO_GOODS"] = _quant(app.loc[cash, "AMT_CREDIT"] / app.loc[cash, "AMT_GOODS_PRICE"])
    quants["CREDIT_TO_ANNUITY"] = _quant(app.loc[cash, "AMT_CREDIT"] / app.loc[cash, "AMT_ANNUITY"])
    quants["REVOLVING_CREDIT"] = _quant(app.loc[~cash, "AMT_CREDIT"])
    quants["REVOLVING_CREDIT_TO_ANNUITY"] = _quant(app.loc[~cash, "AMT_CREDIT"] / app.loc[~cash, "AMT_ANNUITY"])
    for base in BUILDING_BASES:
        quants[base + "_AVG"] = _quant(app[base + "_AVG"])
    build_missing = {base: round(float(app.loc[building, base + "_AVG"].isna().mean()), 4) for base in BUILDING_BASES}
    missing = {c: round(float(app[c].isna().mean()), 4) for c in ["EXT_SOURCE_1", "EXT_SOURCE_2", "EXT_SOURCE_3",
                                                                   "AMT_REQ_CREDIT_BUREAU_YEAR",
                                                                   "OBS_30_CNT_SOCIAL_CIRCLE", "NAME_TYPE_SUITE"]}
    missing["BUILDING"] = round(float(1 - building.mean()), 4)
    missing["OCCUPATION_TYPE_WORKING"] = round(float(work["OCCUPATION_TYPE"].isna().mean()), 4)

    prev = _read(sample, "previous_application_sample.csv", keep_default_na=False, na_values=["NA"])
    core = prev.groupby(PREV_CORE).size().reset_index(name="n")
    prev_core = {"columns": PREV_CORE, "rows": core[PREV_CORE].values.tolist(), "counts": core["n"].tolist()}
    prev_by_type = {t: {c: _freq(g[c]) for c in PREV_BY_TYPE}
                    for t, g in prev.groupby("NAME_CONTRACT_TYPE") if t != "XNA"}
    prev_quants = {}
    for t, g in prev[prev["AMT_CREDIT"] > 0].groupby("NAME_CONTRACT_TYPE"):
        if t == "XNA":
            continue
        prev_quants[t] = {"AMT_APPLICATION": _quant(g["AMT_APPLICATION"]),
                          "CREDIT_TO_APPLICATION": _quant(g["AMT_CREDIT"] / g["AMT_APPLICATION"].replace(0, np.nan)),
                          "CNT_PAYMENT": _freq(g["CNT_PAYMENT"].dropna().astype(int)),
                          "RATE_DOWN_PAYMENT": _quant(g["RATE_DOWN_PAYMENT"]),
                          "HAS_DOWN_PAYMENT": round(float(g["RATE_DOWN_PAYMENT"].notna().mean()), 4)}
    prev_quants["DAYS_DECISION"] = _quant(prev["DAYS_DECISION"])
    prev_quants["SELLERPLACE_AREA"] = _quant(prev["SELLERPLACE_AREA"])

    bureau = _read(sample, "bureau.csv")
    bureau_fit = {
        "CREDIT_ACTIVE": _freq(bureau["CREDIT_ACTIVE"]),
        "CREDIT_TYPE": _freq(bureau["CREDIT_TYPE"]),
        "AMT_CREDIT_SUM": _quant(bureau["AMT_CREDIT_SUM"]),
        "DAYS_CREDIT": _quant(bureau["DAYS_CREDIT"]),
        "DURATION_DAYS": _quant(bureau["DAYS_CREDIT_ENDDATE"] - bureau["DAYS_CREDIT"]),
        "ENDDATE_MISSING": round(float(bureau["DAYS_CREDIT_ENDDATE"].isna().mean()), 4),
        "ANNUITY_MISSING": round(float(bureau["AMT_ANNUITY"].isna().mean()), 4),
        "MAX_OVERDUE_MISSING": round(float(bureau["AMT_CREDIT_MAX_OVERDUE"].isna().mean()), 4),
        "LIMIT_MISSING": round(float(bureau["AMT_CREDIT_SUM_LIMIT"].isna().mean()), 4),
        "DEBT_MISSING": round(float(bureau["AMT_CREDIT_SUM_DEBT"].isna().mean()), 4),
    }
    cc = _read(sample, "credit_card_balance.csv")
    card_limit = _freq(cc.loc[cc["AMT_CREDIT_LIMIT_ACTUAL"] > 0, "AMT_CREDIT_LIMIT_ACTUAL"].astype(int))
    return Fitted(
        app_categories=cats,
        app_flags={c: round(float(app[c].mean()), 4) for c in flags},
        app_quantiles=quants,
        app_missing=missing,
        building_missing_given_present=build_missing,
        prev_core=prev_core,
        prev_by_type=prev_by_type,
        prev_quantiles=prev_quants,
        bureau=bureau_fit,
        card_limits=card_limit,
    )


@click.command(name="python -m database.synthetic.refit", context_settings=CONTEXT, help=__doc__)
@click.option("--sample", type=click.Path(path_type=Path), required=True,
              help=f"folder with the real Home Credit sample CSVs ({', '.join(SAMPLE_FILES)})")
@click.option("--out", type=click.Path(path_type=Path), default=None,
              show_default="the fitted.json the generator reads", help="JSON file to write")
def cli(sample: Path, out: Path | None) -> None:
    """Fit, then write the file whole (nothing is written when the sample is unusable)."""
    out = out or Path(str(shipped()))
    missing = [name for name in SAMPLE_FILES if not (sample / name).is_file()]
    try:
        if missing:
            raise ValueError(f"{sample} has no {', '.join(missing)}: --sample must be the folder of the real "
                             "Home Credit sample CSVs")
        write(fit(sample), out)
    except (ValueError, OSError) as error:
        fail(str(error))
    print(f"wrote {out}")


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    return run(cli, argv, cli.name)


if __name__ == "__main__":
    sys.exit(main())
