"""Synthetic application rows (train and test share one generator) and their application risk score."""

from __future__ import annotations

import numpy as np

from database.schema import kaggle_columns
from database.synthetic.core import SENTINEL, Cat, draw_cat, draw_num, from_normal, from_quantiles
from database.synthetic.drift import NO_DRIFT, Drift
from database.synthetic.parameters import fitted

# Full-data shares where the 1,000-row sample is too small to show the rare categories.
INCOME_TYPES = {"Working": 0.5163, "Commercial associate": 0.2329, "Pensioner": 0.1800, "State servant": 0.0706,
                "Unemployed": 0.00007, "Student": 0.00006, "Businessman": 0.00003, "Maternity leave": 0.00002}
GENDERS = {"F": 0.65834, "M": 0.34165, "XNA": 0.000013}
#: The building statistics, each an _AVG, a _MODE and a _MEDI column, in the schema's order.
BUILDING_BASES = [column.removesuffix("_AVG") for column in kaggle_columns("application") if column.endswith("_AVG")]
# Correlation of each EXT_SOURCE score with the latent riskiness and with age (z-scored years).
EXT_LOADINGS = {"EXT_SOURCE_1": (0.68, 0.45), "EXT_SOURCE_2": (0.75, 0.05), "EXT_SOURCE_3": (0.75, 0.20)}
RISKY_JOBS = ["Laborers", "Drivers", "Low-skill Laborers", "Security staff", "Cooking staff", "Waiters/barmen staff"]
SAFE_JOBS = ["Accountants", "Core staff", "High skill tech staff", "Managers", "Medicine staff", "HR staff"]


def _cat(rng, column: str, n: int, shift=None) -> Cat:
    return draw_cat(rng, fitted().app_categories[column], n, shift)


def _round_to(x: np.ndarray, step: float) -> np.ndarray:
    return np.maximum(np.round(x / step) * step, step)


def make_applications(rng: np.random.Generator, n: int, risk: np.ndarray, drift: Drift = NO_DRIFT) -> dict:
    """All application columns except TARGET for n clients with latent riskiness `risk` (N(0,1)), drifted by `drift`."""
    fit = fitted()
    q, cats = fit.app_quantiles, fit.app_categories
    d: dict = {}
    income_type = draw_cat(rng, INCOME_TYPES, n)
    pensioner = income_type.isin(["Pensioner"])
    d["NAME_INCOME_TYPE"] = income_type
    contracts = drift.contract_shares or cats["NAME_CONTRACT_TYPE"]
    d["NAME_CONTRACT_TYPE"] = draw_cat(rng, contracts, n)
    d["CODE_GENDER"] = draw_cat(rng, GENDERS, n)
    age_u = rng.random(n)
    birth = np.where(pensioner, from_quantiles(q["DAYS_BIRTH_PENSIONER"], age_u),
                     from_quantiles(q["DAYS_BIRTH_WORKING"], age_u))
    d["DAYS_BIRTH"] = np.round(birth).astype(np.int64)
    years = -birth / 365.25
    share = from_quantiles(q["EMPLOYED_SHARE_OF_ADULT_LIFE"], rng.random(n))
    employed = np.minimum(np.round(share * (birth + 18 * 365)), -1)
    d["DAYS_EMPLOYED"] = np.where(pensioner, SENTINEL, employed).astype(np.int64)
    d["FLAG_EMP_PHONE"] = (~pensioner).astype(np.int64)
    car = rng.random(n) < cats["FLAG_OWN_CAR"]["Y"]
    d["FLAG_OWN_CAR"] = Cat(np.where(car, 1, 0), ["N", "Y"])
    d["OWN_CAR_AGE"] = np.where(car, np.round(from_quantiles(q["OWN_CAR_AGE"], rng.random(n))), np.nan)
    d["FLAG_OWN_REALTY"] = _cat(rng, "FLAG_OWN_REALTY", n)
    for column in ["NAME_TYPE_SUITE", "NAME_EDUCATION_TYPE", "NAME_FAMILY_STATUS", "NAME_HOUSING_TYPE",
                   "WEEKDAY_APPR_PROCESS_START", "FONDKAPREMONT_MODE"]:
        d[column] = _cat(rng, column, n)
    children = draw_num(rng, cats["CNT_CHILDREN"], n) * (years < 55)
    d["CNT_CHILDREN"] = children.astype(np.int64)
    couple = d["NAME_FAMILY_STATUS"].isin(["Married", "Civil marriage"])
    d["CNT_FAM_MEMBERS"] = children + np.where(couple, 2.0, 1.0)
    occupation = _cat(rng, "OCCUPATION_TYPE", n)
    occupation.codes[pensioner | (rng.random(n) < 0.05)] = -1
    d["OCCUPATION_TYPE"] = occupation
    org = _cat(rng, "ORGANIZATION_TYPE", n)
    org.vocab = org.vocab + ["XNA"]
    org.codes[pensioner] = len(org.vocab) - 1
    d["ORGANIZATION_TYPE"] = org
    # Money: income and goods price share a Gaussian copula; credit and annuity follow from them.
    z_inc = rng.standard_normal(n)
    z_goods = 0.45 * z_inc + np.sqrt(1 - 0.45**2) * rng.standard_normal(n)
    income = _round_to(drift.amount_factor * from_normal(q["AMT_INCOME_TOTAL"], z_inc - 0.25 * pensioner), 2250.0)
    d["AMT_INCOME_TOTAL"] = income
    revolving = d["NAME_CONTRACT_TYPE"].isin(["Revolving loans"])
    goods = _round_to(drift.amount_factor * from_normal(q["AMT_GOODS_PRICE"], z_goods), 4500.0)
    ratio = from_quantiles(q["CREDIT_TO_GOODS"], rng.random(n))
    credit = np.where(revolving, _round_to(drift.amount_factor * from_normal(q["REVOLVING_CREDIT"], z_goods), 22500.0),
                      np.round(goods * ratio * 2) / 2)
    term = np.where(revolving, from_quantiles(q["REVOLVING_CREDIT_TO_ANNUITY"], rng.random(n)),
                    from_quantiles(q["CREDIT_TO_ANNUITY"], rng.random(n)))
    d["AMT_CREDIT"] = credit
    d["AMT_GOODS_PRICE"] = np.where(revolving, np.where(rng.random(n) < 0.3, np.nan, credit), goods)
    d["AMT_ANNUITY"] = np.round(credit / term * 2) / 2
    d["AMT_ANNUITY"][rng.random(n) < 0.00004] = np.nan
    pop = draw_num(rng, cats["REGION_POPULATION_RELATIVE"], n)
    d["REGION_POPULATION_RELATIVE"] = pop
    rating = np.where(pop > 0.03, 1, np.where(pop < 0.008, 3, 2))
    rating = np.where(rng.random(n) < 0.3, draw_num(rng, cats["REGION_RATING_CLIENT"], n), rating)
    d["REGION_RATING_CLIENT"] = rating.astype(np.int64)
    city = np.where(rng.random(n) < 0.1, np.clip(rating + rng.choice([-1, 1], n), 1, 3), rating)
    d["REGION_RATING_CLIENT_W_CITY"] = city.astype(np.int64)
    for column in ["DAYS_REGISTRATION", "DAYS_ID_PUBLISH", "DAYS_LAST_PHONE_CHANGE"]:
        value = np.round(np.maximum(from_quantiles(q[column], rng.random(n)), birth + 18 * 365))
        d[column] = np.minimum(value, 0.0)
    d["DAYS_ID_PUBLISH"] = d["DAYS_ID_PUBLISH"].astype(np.int64)
    d["HOUR_APPR_PROCESS_START"] = draw_num(rng, cats["HOUR_APPR_PROCESS_START"], n).astype(np.int64)
    for column, p in fit.app_flags.items():
        if column not in ("FLAG_EMP_PHONE",):
            d[column] = (rng.random(n) < p).astype(np.int64)
    d["FLAG_MOBIL"] = np.ones(n, dtype=np.int64)
    d["FLAG_CONT_MOBILE"] = (rng.random(n) < 0.998).astype(np.int64)
    d["FLAG_DOCUMENT_3"] = (rng.random(n) < 0.71).astype(np.int64)
    _social_and_bureau(rng, n, d)
    _building(rng, n, d)
    _ext_sources(rng, n, d, risk, years, drift.ext_source_shift)
    return d


def _social_and_bureau(rng, n: int, d: dict) -> None:
    """Social-circle counts (60-day ones close to 30-day ones) and credit-bureau enquiry counts."""
    fit = fitted()
    c = fit.app_categories
    obs = draw_num(rng, c["OBS_30_CNT_SOCIAL_CIRCLE"], n)
    dflt = np.minimum(draw_num(rng, c["DEF_30_CNT_SOCIAL_CIRCLE"], n) * (obs > 0), obs)
    missing = rng.random(n) < fit.app_missing["OBS_30_CNT_SOCIAL_CIRCLE"]
    d["OBS_30_CNT_SOCIAL_CIRCLE"] = np.where(missing, np.nan, obs)
    d["OBS_60_CNT_SOCIAL_CIRCLE"] = np.where(missing, np.nan, np.maximum(obs - (rng.random(n) < 0.02), 0))
    d["DEF_30_CNT_SOCIAL_CIRCLE"] = np.where(missing, np.nan, dflt)
    d["DEF_60_CNT_SOCIAL_CIRCLE"] = np.where(missing, np.nan, np.maximum(dflt - (rng.random(n) < 0.2), 0))
    missing = rng.random(n) < fit.app_missing["AMT_REQ_CREDIT_BUREAU_YEAR"]
    for period in ["HOUR", "DAY", "WEEK", "MON", "QRT", "YEAR"]:
        column = f"AMT_REQ_CREDIT_BUREAU_{period}"
        d[column] = np.where(missing, np.nan, draw_num(rng, c[column], n))


def _building(rng, n: int, d: dict) -> None:
    """Building statistics: one shared size factor, AVG/MODE/MEDI near-identical, missing together."""
    fit = fitted()
    q = fit.app_quantiles
    present = rng.random(n) >= fit.app_missing["BUILDING"]
    size = rng.standard_normal(n)
    for base in BUILDING_BASES:
        z = 0.6 * size + 0.8 * rng.standard_normal(n)
        avg = np.round(from_normal(q[base + "_AVG"], z), 4)
        gone = ~present | (rng.random(n) < fit.building_missing_given_present[base])
        avg = np.where(gone, np.nan, avg)
        d[base + "_AVG"] = avg
        d[base + "_MEDI"] = np.round(np.clip(avg * (1 + 0.02 * rng.standard_normal(n)), 0, 1), 4)
        d[base + "_MODE"] = np.round(np.clip(avg * (1 + 0.05 * rng.standard_normal(n)), 0, 1), 4)
    total = np.round(from_normal(q["TOTALAREA_MODE"], 0.6 * size + 0.8 * rng.standard_normal(n)), 4)
    d["TOTALAREA_MODE"] = np.where(present, total, np.nan)
    for column in ["FONDKAPREMONT_MODE", "HOUSETYPE_MODE", "WALLSMATERIAL_MODE", "EMERGENCYSTATE_MODE"]:
        cat = _cat(rng, column, n)
        cat.codes[~present] = -1
        d[column] = cat


def _ext_sources(rng, n: int, d: dict, risk: np.ndarray, years: np.ndarray, shift: float = 0.0) -> None:
    """External scores: noisy, monotone in the latent riskiness, with the real missing shares (latent z minus shift)."""
    fit = fitted()
    age_z = (years - 43.5) / 11.9
    for column, (load_risk, load_age) in EXT_LOADINGS.items():
        noise = np.sqrt(max(1 - load_risk**2 - load_age**2, 0.05))
        z = -load_risk * risk + load_age * age_z + noise * rng.standard_normal(n) - shift
        value = from_normal(fit.app_quantiles[column], z)
        d[column] = np.where(rng.random(n) < fit.app_missing[column], np.nan, value)


def application_score(d: dict) -> np.ndarray:
    """Risk points from the application alone (part of the latent default logit, see docs)."""
    years = -d["DAYS_BIRTH"] / 365.25
    employed_years = np.where(d["DAYS_EMPLOYED"] == SENTINEL, 10.0, -d["DAYS_EMPLOYED"] / 365.25)
    credit_to_goods = d["AMT_CREDIT"] / np.where(np.isnan(d["AMT_GOODS_PRICE"]), d["AMT_CREDIT"], d["AMT_GOODS_PRICE"])
    annuity_to_income = np.nan_to_num(d["AMT_ANNUITY"], nan=0.0) / d["AMT_INCOME_TOTAL"]
    edu = d["NAME_EDUCATION_TYPE"]
    s = 0.9 * np.exp(-(years - 21) / 12) - 0.25
    s += 0.25 * d["CODE_GENDER"].isin(["M"])
    s += -0.35 * edu.isin(["Higher education"]) - 0.6 * edu.isin(["Academic degree"])
    s += 0.3 * edu.isin(["Lower secondary"])
    s += -0.2 * d["NAME_INCOME_TYPE"].isin(["State servant"]) + 0.6 * d["NAME_INCOME_TYPE"].isin(["Unemployed"])
    s += 0.45 * np.exp(-employed_years / 2.0)
    s += 1.5 * np.clip(credit_to_goods - 1.0, 0, 0.5) + 2.0 * np.clip(annuity_to_income - 0.2, 0, 0.5)
    s += -0.15 * (d["FLAG_OWN_CAR"].codes == 1) - 0.3 * d["NAME_CONTRACT_TYPE"].isin(["Revolving loans"])
    s += 0.25 * (d["REGION_RATING_CLIENT_W_CITY"] - 2)
    s += 0.2 * d["OCCUPATION_TYPE"].isin(RISKY_JOBS) - 0.2 * d["OCCUPATION_TYPE"].isin(SAFE_JOBS)
    s += 0.15 * (d["DAYS_LAST_PHONE_CHANGE"] > -120) + 0.1 * d["FLAG_DOCUMENT_3"]
    s += 0.3 * (np.nan_to_num(d["DEF_30_CNT_SOCIAL_CIRCLE"]) > 0)
    s += 0.35 * (years < 30) * (credit_to_goods > 1.15)  # young and borrowing above the goods price
    return s

