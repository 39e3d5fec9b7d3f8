"""Measure how much default signal the synthetic data carries: oracle, application-only and history AUCs."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from types import SimpleNamespace

import click
import lightgbm as lgb
import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold

from database.synthetic import generate
from settings.cli import CONTEXT, run


def history_aggregates(folder: Path) -> pd.DataFrame:
    """A handful of hand-made per-client aggregates of the six child tables."""
    bureau = pd.read_csv(folder / "bureau.csv")
    balance = pd.read_csv(folder / "bureau_balance.csv")
    prev = pd.read_csv(folder / "previous_application.csv")
    inst = pd.read_csv(folder / "installments_payments.csv")
    pos = pd.read_csv(folder / "POS_CASH_balance.csv")
    card = pd.read_csv(folder / "credit_card_balance.csv")
    balance["DPD"] = balance["STATUS"].isin(list("12345"))
    bureau = bureau.merge(balance.groupby("SK_ID_BUREAU")["DPD"].sum().rename("BB_DPD"), on="SK_ID_BUREAU", how="left")
    bureau["OVERDUE"] = bureau["AMT_CREDIT_MAX_OVERDUE"].fillna(0) > 0
    buro = bureau.groupby("SK_ID_CURR").agg(BURO_COUNT=("SK_ID_BUREAU", "size"), BURO_OVERDUE=("OVERDUE", "sum"),
                                            BURO_DAY_OVERDUE=("CREDIT_DAY_OVERDUE", "max"),
                                            BURO_DPD_MONTHS=("BB_DPD", "sum"), BURO_DEBT=("AMT_CREDIT_SUM_DEBT", "sum"))
    prev["REFUSED"] = prev["NAME_CONTRACT_STATUS"] == "Refused"
    prv = prev.groupby("SK_ID_CURR").agg(PREV_COUNT=("SK_ID_PREV", "size"), PREV_REFUSED=("REFUSED", "sum"))
    inst["LATE_DAYS"] = (inst["DAYS_ENTRY_PAYMENT"] - inst["DAYS_INSTALMENT"]).clip(lower=0)
    inst["LATE"] = inst["LATE_DAYS"] > 0
    inst["SHORT"] = inst["AMT_PAYMENT"] < inst["AMT_INSTALMENT"] * 0.99
    ins = inst.groupby("SK_ID_CURR").agg(INSTAL_LATE=("LATE", "mean"), INSTAL_LATE_DAYS=("LATE_DAYS", "mean"),
                                         INSTAL_SHORT=("SHORT", "mean"), INSTAL_COUNT=("LATE", "size"))
    pos["DPD"] = pos["SK_DPD"] > 0
    pcs = pos.groupby("SK_ID_CURR").agg(POS_DPD=("DPD", "mean"), POS_MONTHS=("DPD", "size"))
    card["UTIL"] = card["AMT_BALANCE"] / card["AMT_CREDIT_LIMIT_ACTUAL"].replace(0, np.nan)
    card["DPD"] = card["SK_DPD"] > 0
    crd = card.groupby("SK_ID_CURR").agg(CC_UTIL=("UTIL", "mean"), CC_DPD=("DPD", "mean"))
    return buro.join([prv, ins, pcs, crd], how="outer")


def cv_auc(x: pd.DataFrame, y: np.ndarray, seed: int = 0) -> float:
    """Out-of-fold AUC of a default-parameter LightGBM with 3-fold stratified CV."""
    oof = np.zeros(len(y))
    for fit_idx, val_idx in StratifiedKFold(3, shuffle=True, random_state=seed).split(x, y):
        model = lgb.LGBMClassifier(verbose=-1, random_state=seed)
        model.fit(x.iloc[fit_idx], y[fit_idx])
        oof[val_idx] = model.predict_proba(x.iloc[val_idx])[:, 1]
    return roc_auc_score(y, oof)


def measure(folder: Path) -> dict:
    """AUCs of TRUE_PD, of the EXT_SOURCE scores, and of LightGBM without and with history aggregates."""
    app = pd.read_csv(folder / "application_train.csv")
    true_pd = pd.read_csv(folder / "true_pd.csv").set_index("SK_ID_CURR")["TRUE_PD"]
    y = app["TARGET"].to_numpy()
    x_app = app.drop(columns=["TARGET"]).set_index("SK_ID_CURR")
    for column in x_app.select_dtypes("object"):
        x_app[column] = x_app[column].astype("category")
    x_all = x_app.join(history_aggregates(folder), how="left")
    result = {"clients": len(app), "default_rate": y.mean(),
              "true_pd": roc_auc_score(y, true_pd.loc[app["SK_ID_CURR"]].to_numpy())}
    for column in ["EXT_SOURCE_1", "EXT_SOURCE_2", "EXT_SOURCE_3"]:
        known = app[column].notna()
        result[column] = roc_auc_score(y[known], -app.loc[known, column])
    result["lgbm_application"] = cv_auc(x_app, y)
    result["lgbm_with_history"] = cv_auc(x_all, y)
    return result


@click.command(name="python -m bench.synthetic_signal", context_settings=CONTEXT, help=__doc__)
@click.option("--clients", type=int, default=58_000, help="clients to generate (about 86% are train)")
@click.option("--seed", type=int, default=42, help="seed of the synthetic data and the folds")
@click.option("--data", type=click.Path(path_type=Path),
              help="use an already generated folder instead of generating one")
def cli(**options) -> int:
    """Command-line entry point."""
    args = SimpleNamespace(**options)
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.data or Path(tmp)
        if args.data is None:
            generate(args.clients, args.seed, folder, progress=None)
        result = measure(folder)
    print(" ".join(f"{k}={v:.4f}" if isinstance(v, float) else f"{k}={v}" for k, v in result.items()))
    sys.stdout.flush()


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    return run(cli, argv, cli.name)


if __name__ == "__main__":
    sys.exit(main())
