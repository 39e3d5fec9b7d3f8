"""The monitoring report: ``monitoring.md`` and its PNG figures, written from one monitoring result."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import numpy as np

from modeling import documents
from modeling.monitoring.words import bin_label, decimal, integer, level_word, percent, word

REPORT_FILE, TEMPLATE = "monitoring.md", "monitoring.md.j2"
FIGURES = {"score": "monitoring-score.png", "features": "monitoring-features.png",
           "backtest": "monitoring-backtest.png"}
REPORTED_FEATURES = 20
PLOTTED_FEATURES = 6
REFERENCE_COLOUR, CURRENT_COLOUR = "#0072B2", "#D55E00"  # Okabe-Ito blue and vermillion


def write_report(result: dict, out: Path, lang: str = "fr") -> Path:
    """Write the Markdown report and its figures into ``out``; the report's path."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    _score_figure(result, out / FIGURES["score"], lang)
    _features_figure(result, out / FIGURES["features"], lang)
    if result.get("backtest"):
        _backtest_figure(result["backtest"], out / FIGURES["backtest"], lang)
    path = out / REPORT_FILE
    path.write_text(markdown(result, lang), encoding="utf-8")
    return path


def markdown(result: dict, lang: str = "fr") -> str:
    """The report's text."""
    return documents.render(TEMPLATE, context(result, lang))


def context(result: dict, lang: str = "fr") -> dict:
    """The result, the characteristics the report lists and the words and number formats of ``lang``."""
    counts = {level: integer(count, lang) for level, count in result["feature_levels"].items()}
    return {"r": result, "features": result["features"][:REPORTED_FEATURES], "feature_counts": counts,
            "backtest": result.get("backtest"), "figures": FIGURES, **_formats(lang)}


def _formats(lang: str) -> dict:
    """The words and number formats of ``lang``, as the template calls them."""
    return {"w": partial(word, lang=lang), "level": partial(level_word, lang=lang),
            "integer": partial(integer, lang=lang), "decimal": partial(decimal, lang=lang),
            "percent": partial(percent, lang=lang), "sep": "\u00a0: " if lang == "fr" else ": "}


def _pyplot():
    import matplotlib  # deferred: training package

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # deferred: training package

    return plt


def _bars(ax, bins: list[dict], lang: str, title: str) -> None:
    """Reference and current shares of each bin side by side."""
    x = np.arange(len(bins))
    ax.bar(x - 0.2, [b["reference"] for b in bins], 0.4, color=REFERENCE_COLOUR, label=word("reference", lang))
    ax.bar(x + 0.2, [b["current"] for b in bins], 0.4, color=CURRENT_COLOUR, hatch="//", label=word("current", lang))
    ax.set_xticks(x, [bin_label(b["label"], lang) for b in bins], rotation=45, ha="right", fontsize=7)
    ax.set_title(title, fontsize=9)
    ax.yaxis.set_major_formatter(lambda v, _pos: percent(v, lang, 0))


def _score_figure(result: dict, path: Path, lang: str) -> None:
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(8, 4))
    _bars(ax, result["score"]["bins"], lang,
          f"{word('score_title', lang)} — PSI {decimal(result['score_psi'], lang)}")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _features_figure(result: dict, path: Path, lang: str) -> None:
    plt = _pyplot()
    shown = [r for r in result["features"] if "bins" in r][:PLOTTED_FEATURES]
    fig, axes = plt.subplots(2, 3, figsize=(12, 7))
    for ax, row in zip(axes.flat, shown, strict=False):
        _bars(ax, row["bins"], lang, f"{row['name']} — PSI {decimal(row['psi'], lang)}")
    for ax in list(axes.flat)[len(shown):]:
        ax.axis("off")
    axes.flat[0].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def _backtest_figure(backtest: dict, path: Path, lang: str) -> None:
    plt = _pyplot()
    rows = backtest["rows"]
    x = np.arange(len(rows))
    fig, ax = plt.subplots(figsize=(7, 4))
    ax.bar(x - 0.2, [r["mean_probability"] for r in rows], 0.4, color=REFERENCE_COLOUR,
           label=word("mean_probability", lang))
    ax.bar(x + 0.2, [r["observed_rate"] for r in rows], 0.4, color=CURRENT_COLOUR, hatch="//",
           label=word("observed_rate", lang))
    ax.set_xticks(x, [r["grade"] for r in rows])
    ax.yaxis.set_major_formatter(lambda v, _pos: percent(v, lang, 0))
    ax.set_title(word("backtest", lang), fontsize=10)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
