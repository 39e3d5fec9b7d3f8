"""Features of the loan application itself: raw values, amount ratios and fitted one-hot categories."""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from modeling.features.aggregate import Columns, safe_ratio
from modeling.features.cleaning import DAYS_SENTINEL, clear_sentinel, take
from modeling.features.encoding import one_hot

_BUILDING = (
    "APARTMENTS", "BASEMENTAREA", "YEARS_BEGINEXPLUATATION", "YEARS_BUILD", "COMMONAREA",
    "ELEVATORS", "ENTRANCES", "FLOORSMAX", "FLOORSMIN", "LANDAREA", "LIVINGAPARTMENTS",
    "LIVINGAREA", "NONLIVINGAPARTMENTS", "NONLIVINGAREA",
)
DOCUMENTS = tuple(f"FLAG_DOCUMENT_{i}" for i in range(2, 22))
ENQUIRIES = tuple(
    f"AMT_REQ_CREDIT_BUREAU_{p}" for p in ("HOUR", "DAY", "WEEK", "MON", "QRT", "YEAR")
)

#: Numeric columns kept as they are. Of the building statistics only the _AVG ones are kept:
#: the _MODE and _MEDI versions describe the same building and are almost collinear.
NUMERIC = (
    "CNT_CHILDREN", "AMT_INCOME_TOTAL", "AMT_CREDIT", "AMT_ANNUITY", "AMT_GOODS_PRICE",
    "REGION_POPULATION_RELATIVE", "DAYS_BIRTH", "DAYS_EMPLOYED", "DAYS_REGISTRATION",
    "DAYS_ID_PUBLISH", "OWN_CAR_AGE", "FLAG_MOBIL", "FLAG_EMP_PHONE", "FLAG_WORK_PHONE",
    "FLAG_CONT_MOBILE", "FLAG_PHONE", "FLAG_EMAIL", "CNT_FAM_MEMBERS", "REGION_RATING_CLIENT",
    "REGION_RATING_CLIENT_W_CITY", "HOUR_APPR_PROCESS_START", "REG_REGION_NOT_LIVE_REGION",
    "REG_REGION_NOT_WORK_REGION", "LIVE_REGION_NOT_WORK_REGION", "REG_CITY_NOT_LIVE_CITY",
    "REG_CITY_NOT_WORK_CITY", "LIVE_CITY_NOT_WORK_CITY", "EXT_SOURCE_1", "EXT_SOURCE_2",
    "EXT_SOURCE_3", *(f"{b}_AVG" for b in _BUILDING), "TOTALAREA_MODE",
    "OBS_30_CNT_SOCIAL_CIRCLE", "DEF_30_CNT_SOCIAL_CIRCLE", "OBS_60_CNT_SOCIAL_CIRCLE",
    "DEF_60_CNT_SOCIAL_CIRCLE", "DAYS_LAST_PHONE_CHANGE", *DOCUMENTS, *ENQUIRIES,
)
#: Yes/no columns written "Y"/"N" in the source, turned into 1/0.
YES_NO = ("FLAG_OWN_CAR", "FLAG_OWN_REALTY", "EMERGENCYSTATE_MODE")
#: Text columns one-hot encoded with the category lists fitted on training data.
CATEGORICAL = (
    "NAME_CONTRACT_TYPE", "CODE_GENDER", "NAME_TYPE_SUITE", "NAME_INCOME_TYPE",
    "NAME_EDUCATION_TYPE", "NAME_FAMILY_STATUS", "NAME_HOUSING_TYPE", "OCCUPATION_TYPE",
    "WEEKDAY_APPR_PROCESS_START", "ORGANIZATION_TYPE", "FONDKAPREMONT_MODE", "HOUSETYPE_MODE",
    "WALLSMATERIAL_MODE",
)
_DAYS = ("DAYS_BIRTH", "DAYS_EMPLOYED", "DAYS_REGISTRATION", "DAYS_ID_PUBLISH", "DAYS_LAST_PHONE_CHANGE")


def clean(frame: pd.DataFrame | Columns | None) -> dict[str, np.ndarray]:
    """Application columns as arrays (absent ones missing), sentinels and XNA codes cleared."""
    app = take(frame, ("SK_ID_CURR",), NUMERIC, (*YES_NO, *CATEGORICAL))
    app["DAYS_EMPLOYED_ANOM"] = (app["DAYS_EMPLOYED"] == DAYS_SENTINEL).astype("float64")
    clear_sentinel(app, _DAYS)
    return app


def features(app: dict[str, np.ndarray], categories: Mapping[str, Sequence[str]]) -> dict[str, np.ndarray]:
    """One value per application (same order) for each application feature, from the cleaned columns."""
    out = {column: app[column] for column in NUMERIC}
    out["DAYS_EMPLOYED_ANOM"] = app["DAYS_EMPLOYED_ANOM"]
    for column in YES_NO:
        text = app[column]
        out[column] = np.where(np.isin(text, ("Y", "Yes")), 1.0, np.where(np.isin(text, ("N", "No")), 0.0, np.nan))
    out["CREDIT_INCOME_RATIO"] = safe_ratio(app["AMT_CREDIT"], app["AMT_INCOME_TOTAL"])
    out["ANNUITY_INCOME_RATIO"] = safe_ratio(app["AMT_ANNUITY"], app["AMT_INCOME_TOTAL"])
    out["ANNUITY_CREDIT_RATIO"] = safe_ratio(app["AMT_ANNUITY"], app["AMT_CREDIT"])
    out["CREDIT_ANNUITY_RATIO"] = safe_ratio(app["AMT_CREDIT"], app["AMT_ANNUITY"])
    out["GOODS_CREDIT_RATIO"] = safe_ratio(app["AMT_GOODS_PRICE"], app["AMT_CREDIT"])
    out["INCOME_PER_PERSON"] = safe_ratio(app["AMT_INCOME_TOTAL"], app["CNT_FAM_MEMBERS"])
    out["EMPLOYED_AGE_RATIO"] = safe_ratio(app["DAYS_EMPLOYED"], app["DAYS_BIRTH"])
    out["ID_PUBLISH_AGE_RATIO"] = safe_ratio(app["DAYS_ID_PUBLISH"], app["DAYS_BIRTH"])
    scores = np.column_stack([app["EXT_SOURCE_1"], app["EXT_SOURCE_2"], app["EXT_SOURCE_3"]])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # clients without any external score
        out["EXT_SOURCE_MEAN"] = np.nanmean(scores, axis=1)
        out["EXT_SOURCE_MIN"] = np.nanmin(scores, axis=1)
        out["EXT_SOURCE_MAX"] = np.nanmax(scores, axis=1)
        out["EXT_SOURCE_STD"] = np.nanstd(scores, axis=1)
    out["EXT_SOURCE_MISSING_COUNT"] = np.isnan(scores).sum(axis=1).astype("float64")
    out["DOCUMENT_COUNT"] = _sum_present([app[c] for c in DOCUMENTS])
    out["ENQUIRY_COUNT"] = _sum_present([app[c] for c in ENQUIRIES])
    for column in CATEGORICAL:
        out.update(one_hot(app[column], categories.get(column, []), column))
    return out


def _sum_present(columns: list[np.ndarray]) -> np.ndarray:
    """Row sums ignoring missing values; NaN when every value of the row is missing."""
    values = np.column_stack(columns)
    present = ~np.isnan(values)
    return np.where(present.any(axis=1), np.where(present, values, 0.0).sum(axis=1), np.nan)
