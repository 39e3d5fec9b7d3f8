"""Pictures of the deck, in French and sized for a slide: the model's figures drawn from its card, the
architecture, and the dashboard's screenshots cut to the part a slide shows."""
from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import FancyBboxPatch  # noqa: E402
from PIL import Image  # noqa: E402

from pm.formats import num, pct  # noqa: E402

STYLE = {"font.size": 15, "axes.titlesize": 17, "axes.labelsize": 15, "xtick.labelsize": 14,
         "ytick.labelsize": 14, "legend.fontsize": 13, "svg.hashsalt": "pm"}
BLUE, ORANGE, GREY = "#16407a", "#d9661f", "#8a8a8a"
# Screenshot -> (left, top, right, bottom) in its pixels: the part a slide shows.
CROPS = {"dashboard-client.png": (0, 660, 1160, 1305), "dashboard-history-whatif.png": (0, 640, 940, 1590),
         "dashboard-threshold.png": (0, 135, 1400, 700), "dashboard-monitoring.png": (0, 60, 1000, 980),
         "letter-fr.png": (0, 0, 900, 1054)}


def _save(fig: plt.Figure, path: Path) -> Path:
    fig.tight_layout()
    fig.savefig(path, dpi=110, metadata={"Software": None})
    plt.close(fig)
    return path


def auc(model: dict, card: dict, out: Path) -> Path:
    """AUC of the baselines, the challengers, the model and the attainable ceiling, with the 97 % goal."""
    candidates = {c["family"]: c["pooled_auc"] for c in card["champion"]["candidates"]}
    bars = [("Règle sur les scores externes", candidates.get("ext_source", card["baselines"][0]["auc_mean"])),
            ("Grille de score WoE", candidates.get("scorecard")),
            ("LightGBM, demande seule", card["baselines"][1]["auc_mean"]),
            ("Modèle retenu (LightGBM)", model["auc"]), ("Plafond : probabilité vraie", model["best_auc"])]
    bars = [(name, value) for name, value in bars if value is not None]
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(8.5, 4.8))
        colors = [GREY] * (len(bars) - 2) + [BLUE, "#4c9a2a"]
        ax.barh([b[0] for b in bars], [b[1] for b in bars], color=colors)
        for i, (_, value) in enumerate(bars):
            ax.text(value + 0.003, i, num(value, 3), va="center")
        goal = 0.97 * model["best_auc"]
        ax.axvline(goal, color=ORANGE, ls="--")
        ax.set_xlim(0.6, max(b[1] for b in bars) + 0.05)
        ax.set_xlabel(f"AUC hors pli (tirets : objectif {num(goal, 3)})")
        verdict = "atteint" if model["auc_share"] >= 0.97 else "manqué"
        ax.set_title(f"{pct(model['auc_share'], 1)} du plafond : objectif {verdict}")
        return _save(fig, out)


def thresholds(model: dict, card: dict, out: Path) -> Path:
    """Cost per client and approval rate at the business threshold and at the F1 threshold."""
    rows = [("Seuil métier", card["business_optimum"]), ("Seuil F1", card["f1_optimum"])]
    with plt.rc_context(STYLE):
        fig, (cost, approval) = plt.subplots(1, 2, figsize=(8.5, 4.6))
        for ax, key, title, fmt in ((cost, "cost_per_client", "Coût moyen par client", lambda v: num(v, 3)),
                                    (approval, "approval_rate", "Part des demandes accordées", pct)):
            values = [r[1][key] for r in rows]
            ax.bar([f"{r[0]}\n{num(r[1]['threshold'], 3)}" for r in rows], values, color=[BLUE, GREY])
            for i, value in enumerate(values):
                ax.text(i, value, fmt(value), ha="center", va="bottom")
            ax.set_title(title)
            ax.set_ylim(0, max(values) * 1.2)
            ax.set_yticks([])
        m = card["cost_matrix"]
        fig.suptitle(f"Un mauvais prêt coûte {num(m['fn'])}, un bon client refusé {num(m['fp'])}", fontsize=16)
        return _save(fig, out)


def fairness(model: dict, attribute: str, out: Path) -> Path:
    """Approval rate per group of one attribute, with the four-fifths line."""
    groups = sorted(model["fairness"][attribute]["groups"], key=lambda g: g["group"])
    rates = [g["approval_rate"] for g in groups]
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(8.5, 4.6))
        floor = 0.8 * max(rates)
        ax.bar([g["group"] for g in groups], rates, color=[ORANGE if r < floor else BLUE for r in rates])
        for i, rate in enumerate(rates):
            ax.text(i, rate, pct(rate, 0), ha="center", va="bottom")
        ax.axhline(floor, color=ORANGE, ls="--", label="4/5 du taux le plus haut")
        ax.legend(loc="upper left")
        ax.set_ylim(0, 1.15)
        ax.set_yticks([])
        ax.set_xlabel("tranche d'âge" if attribute == "AGE_BAND" else attribute)
        ax.set_title(f"Taux d'accord par groupe : rapport {num(model['fairness'][attribute]['ratio'], 2)}")
        return _save(fig, out)


def architecture(host: str, out: Path) -> Path:
    """Boxes and arrows: files, database, training, model, batch scores, the app serving dashboard and API."""
    boxes = {"csv": (0.02, 0.62, "Fichiers CSV\nformat Kaggle"), "db": (0.27, 0.62, "Base\nSQLite ou\nPostgreSQL"),
             "train": (0.27, 0.2, "Entraînement\nmodeling train"), "model": (0.52, 0.2, "Modèle signé\n+ fiche"),
             "batch": (0.52, 0.62, "Scores en lot\nDask"), "app": (0.77, 0.62, "Tableau de bord\n+ API"),
             "users": (0.77, 0.2, "Conseillers,\nrisques, systèmes")}
    arrows = [("csv", "db"), ("db", "train"), ("train", "model"), ("db", "batch"), ("model", "batch"),
              ("batch", "app"), ("model", "app"), ("app", "users")]
    w, h = 0.2, 0.2
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(10, 4.8))
        ax.set_axis_off()
        for x, y, label in boxes.values():
            ax.add_patch(FancyBboxPatch((x, y), w, h, boxstyle="round,pad=0.01", fc="#e8eef7", ec=BLUE, lw=1.5))
            ax.text(x + w / 2, y + h / 2, label, ha="center", va="center", fontsize=14)
        for a, b in arrows:
            (xa, ya, _), (xb, yb, _) = boxes[a], boxes[b]
            start = (xa + w, ya + h / 2) if xb > xa else (xa + w / 2, ya) if yb < ya else (xa + w / 2, ya + h)
            end = (xb, yb + h / 2) if xb > xa else (xb + w / 2, yb + h) if yb < ya else (xb + w / 2, yb)
            ax.annotate("", end, start, arrowprops={"arrowstyle": "->", "color": BLUE, "lw": 1.8})
        ax.text(0.5, 0.02, f"Une image, un port public ; hébergement : {host} ; déploiement par Azure Pipelines",
                ha="center", fontsize=13, color=GREY)
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 0.9)
        return _save(fig, out)


def crop(screenshot: Path, out: Path) -> Path:
    """The part of a screenshot a slide shows (CROPS), or the whole picture."""
    with Image.open(screenshot) as picture:
        box = CROPS.get(screenshot.name, (0, 0, *picture.size))
        picture.crop(box).save(out, optimize=True)
    return out
