"""Facts about the product read from the product itself: the reference model card, the pipeline, the
Procfile, the API's OpenAPI document and the dashboard's tabs. The documents quote these, never a copy."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from api import create_app
from api.openapi import build_spec
from modeling.wording import catalogue
from pm import config

# A tab title is catalogue.t("key") or the monitoring module's word("key"), i.e. the catalogue's "monitor_key".
TAB_KEY = re.compile(r"title=(catalogue\.t|monitoring_word)\(\"(\w+)\"")


@dataclass(frozen=True)
class Deployment:
    """One deployment job of azure-pipelines.yml: its name, what it deploys to and whether it always runs."""

    name: str
    target: str
    always: bool


@dataclass(frozen=True)
class Operation:
    """One operation of the API: method, path and the summary its OpenAPI document gives."""

    method: str
    path: str
    summary: str

    @property
    def label(self) -> str:
        return f"{self.method} {self.path}"


def root() -> Path:
    """The repository whose files are read (a test may point it at a copy)."""
    return config.REPO_ROOT


def card(path: Path | None = None) -> dict:
    """The model card of the reference model in docs/model-report/."""
    return json.loads((path or root() / "docs" / "model-report" / "model_card.json").read_text(encoding="utf-8"))


def model(path: Path | None = None) -> dict:
    """The reference model's figures the documents quote, read from its card."""
    c = card(path)
    tuning = c.get("tuning", {})
    fairness = c.get("fairness", {}).get("attributes", {})
    failing = {name: f for name, f in fairness.items() if not f.get("four_fifths_ok", True)}
    return {
        "version": c["version"], "family": c["family"], "rows": c["data"]["rows"],
        "defaults": c["data"]["defaults"], "features": c["features_count"], "folds": c["cv"]["folds"],
        "auc": c["cv"]["pooled_auc"], "auc_std": c["cv"]["auc_std"], "best_auc": c["true_pd"]["best_auc"],
        "auc_share": c["true_pd"]["share"], "threshold": c["threshold"], "threshold_f1": c["threshold_f1"],
        "strategy": c["strategy"], "calibration": c["calibration"]["method"],
        "max_evals": int(tuning.get("max_evals", 0)), "tuning_used": tuning.get("used", "defaults"),
        "tuned": tuning.get("used") not in (None, "defaults") and int(tuning.get("max_evals", 0)) > 0,
        "tuning_gain": tuning.get("gain") or 0.0,
        "protected": list(c["protected_attributes"]["attributes"]),
        "removed": list(c["protected_attributes"]["removed_features"]),
        "fairness": {name: {"ratio": f["demographic_parity_ratio"], "ok": f["four_fifths_ok"],
                            "groups": f["groups"]} for name, f in fairness.items()},
        "failing": {name: {"ratio": f["demographic_parity_ratio"],
                           "lowest": min(f["groups"], key=lambda g: g["approval_rate"]),
                           "highest": max(f["groups"], key=lambda g: g["approval_rate"])}
                    for name, f in failing.items()},
        "business_cost": c["business_optimum"]["cost_per_client"], "f1_cost": c["f1_optimum"]["cost_per_client"],
        "approval": c["business_optimum"]["approval_rate"], "cost_matrix": c["cost_matrix"],
    }


def deployments(path: Path | None = None) -> list[Deployment]:
    """The deployment jobs of the pipeline, in order; a conditional job does not always run."""
    pipeline = yaml.safe_load((path or root() / "azure-pipelines.yml").read_text(encoding="utf-8"))
    jobs = [job for stage in pipeline.get("stages", []) for job in stage.get("jobs", []) if "deployment" in job]
    return [Deployment(job["deployment"], job.get("displayName", job["deployment"]), "condition" not in job)
            for job in jobs]


def host(path: Path | None = None) -> Deployment:
    """The host every release goes to: the first deployment job that always runs."""
    always = [d for d in deployments(path) if d.always]
    if not always:
        raise ValueError("azure-pipelines.yml: no deployment job runs on every release; the documents need a host")
    return always[0]


def procfile(path: Path | None = None) -> dict[str, str]:
    """The Procfile's process types and their commands."""
    lines = (path or root() / "Procfile").read_text(encoding="utf-8").splitlines()
    return dict((k.strip(), v.strip()) for k, v in (line.split(":", 1) for line in lines if ":" in line))


def tab_keys(path: Path | None = None) -> list[str]:
    """The catalogue keys of the dashboard's tab titles, in the order its main module names them."""
    source = (path or root() / "bokeh_app" / "main.py").read_text(encoding="utf-8")
    return [key if how == "catalogue.t" else f"monitor_{key}" for how, key in TAB_KEY.findall(source)]


def tabs(path: Path | None = None) -> list[str]:
    """The French titles of the dashboard's tabs, read from the catalogue keys its main module uses."""
    return [catalogue.t(key, "fr") for key in tab_keys(path)]


def tab(key: str) -> str:
    """The French title of the dashboard tab whose catalogue key is ``key``; an error if no tab has it."""
    if key not in tab_keys():
        raise ValueError(f"bokeh_app/main.py has no tab titled by the catalogue key {key!r}; the documents cite it")
    return catalogue.t(key, "fr")


def operations() -> list[Operation]:
    """Every operation of the API's OpenAPI document (the app is built, nothing is served)."""
    app = create_app({"API_KEYS": "documents:" + "0" * 64, "TESTING": True})
    spec = build_spec(app)
    return [Operation(method.upper(), path, op.get("summary", ""))
            for path, ops in spec["paths"].items() for method, op in ops.items()]
