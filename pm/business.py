"""Business case from a model's out-of-fold predictions and the money-based cost mode.

Per 10,000 applications: expected loss (LGD x credit of the defaulters granted) and margin lost
(margin x credit of the good clients refused) for three policies: approve everyone, the model at its
business threshold, and the EXT_SOURCE rule refusing the same share of applications.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from pm import config
from pm.data import hypotheses

PER = 10_000
SCORES = ("EXT_SOURCE_1", "EXT_SOURCE_2", "EXT_SOURCE_3")


def load(model_dir: Path, source: Path) -> tuple[pd.DataFrame, dict]:
    """OOF predictions joined with the applications' EXT_SOURCE mean, and the model card."""
    model_dir = model_dir.resolve()
    for name in ("oof.parquet", "model_card.json"):
        if not (model_dir / name).exists():
            raise FileNotFoundError(f"{model_dir / name}: missing; give a folder written by python -m modeling train")
    oof = pd.read_parquet(model_dir / "oof.parquet")
    app = source / "application_train.csv"
    if not app.exists():
        raise FileNotFoundError(f"{app}: missing; give the folder of the Kaggle files the model was trained on")
    ext = pd.read_csv(app, usecols=["SK_ID_CURR", *SCORES], na_values=["NA", "XNA"])
    ext["EXT_MEAN"] = ext[list(SCORES)].mean(axis=1).fillna(ext[list(SCORES)].mean(axis=1).median())
    frame = oof.merge(ext[["SK_ID_CURR", "EXT_MEAN"]], on="SK_ID_CURR", how="left", validate="one_to_one")
    card = json.loads((model_dir / "model_card.json").read_text())
    return frame, card


def outcomes(refused: np.ndarray, target: np.ndarray, credit: np.ndarray, lgd: float, margin: float) -> dict:
    """Loss, margin lost and counts of one policy, per application."""
    bad_granted = (~refused) & (target == 1)
    good_refused = refused & (target == 0)
    n = len(target)
    return {"refus": refused.mean(), "perte": (lgd * credit * bad_granted).sum() / n,
            "marge_perdue": (margin * credit * good_refused).sum() / n,
            "defauts_acceptes": bad_granted.sum() / n, "bons_refuses": good_refused.sum() / n}


def figures(frame: pd.DataFrame, card: dict, folder: Path | None = None) -> pd.DataFrame:
    """One row per policy with loss, margin lost and net gain against approving everyone, per 10,000."""
    h = hypotheses(folder)
    credit = frame["AMT_CREDIT"].fillna(frame["AMT_CREDIT"].median()).to_numpy(float)
    credit = credit * h["credit_moyen_eur"] / credit.mean()
    target = frame["TARGET"].to_numpy(int)
    threshold = float(card["threshold"])
    model = frame["PROBABILITY"].to_numpy(float) >= threshold
    share = model.mean()
    cut = np.quantile(frame["EXT_MEAN"], share)
    rule = frame["EXT_MEAN"].to_numpy(float) < cut
    policies = {"Tout accepter": np.zeros(len(frame), bool), "Règle EXT_SOURCE (même taux de refus)": rule,
                "Modèle au seuil métier": model}
    rows = [{"politique": name, **outcomes(refused, target, credit, h["lgd"], h["marge"])}
            for name, refused in policies.items()]
    table = pd.DataFrame(rows)
    for column in ("perte", "marge_perdue", "defauts_acceptes", "bons_refuses"):
        table[column] *= PER
    base = table.loc[0, "perte"]
    table["perte_evitee"] = base - table["perte"]
    table["gain_net"] = table["perte_evitee"] - table["marge_perdue"]
    table["seuil"] = [np.nan, cut, threshold]
    return table


def investment(table: pd.DataFrame, bac: float, eac: float, folder: Path | None = None,
               assumptions: dict | None = None) -> dict:
    """NPV, ROI and payback of the model's gain over the EXT_SOURCE rule, net of the run cost."""
    h = assumptions or hypotheses(folder)
    per_app = (table.loc[2, "gain_net"] - table.loc[1, "gain_net"]) / PER
    years = int(h["horizon_annees"])
    captured = [h["part_valeur_captee"]] + [h["part_valeur_captee_regime"]] * (years - 1)
    flows = [per_app * h["demandes_par_an"] * c - h["cout_run_annuel_eur"] for c in captured]
    rate = h["taux_actualisation"]
    npv = -eac + sum(f / (1 + rate) ** (y + 1) for y, f in enumerate(flows))
    cumulated, payback = -eac, None
    for year, flow in enumerate(flows, start=1):
        if cumulated + flow >= 0 and payback is None:
            payback = year - 1 + (-cumulated) / flow
        cumulated += flow
    total_cost = eac + h["cout_run_annuel_eur"] * years
    gain = sum(per_app * h["demandes_par_an"] * c for c in captured)
    return {"gain_par_demande": per_app, "flux": flows, "van": npv, "roi": (gain - total_cost) / total_cost,
            "retour_annees": payback, "bac": bac, "eac": eac, "cout_total": total_cost, **h}


# Scenarios of the business case: factors applied to the yearly volume and to the share of the gain captured.
SCENARIOS = (("pessimiste", 0.5, 0.5), ("central", 1.0, 1.0), ("optimiste", 1.5, 1.2))


def scenarios(table: pd.DataFrame, bac: float, eac: float, folder: Path | None = None) -> list[dict]:
    """The investment figures under each scenario of SCENARIOS (volume and captured share scaled)."""
    base = hypotheses(folder)
    out = []
    for name, volume, share in SCENARIOS:
        h = {**base, "demandes_par_an": base["demandes_par_an"] * volume,
             "part_valeur_captee": min(1.0, base["part_valeur_captee"] * share),
             "part_valeur_captee_regime": min(1.0, base["part_valeur_captee_regime"] * share)}
        out.append({"scenario": name, "volume": volume, "part": share,
                    **investment(table, bac, eac, folder, assumptions=h)})
    return out


def write(model_dir: Path, source: Path, folder: Path | None = None) -> pd.DataFrame:
    """Compute the policies' figures and keep them in business-case.csv with the model used."""
    folder = folder or config.docs_dir()
    frame, card = load(model_dir, source)
    table = figures(frame, card, folder)
    table["modele"] = card["version"]
    table["clients"] = len(frame)
    table["auc"] = card["cv"]["auc_mean"]
    table["mode_cout"] = card.get("cost_matrix", {}).get("mode", "")
    table.to_csv(folder / "business-case.csv", index=False, lineterminator="\n")
    return table
