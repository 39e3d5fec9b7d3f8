"""The monitoring report: ``monitoring.md`` and its PNG figures, written from one monitoring result."""

from __future__ import annotations

from pathlib import Path

from modeling.monitoring.words import bin_label, decimal, integer, level_word, percent, word

REPORT_FILE = "monitoring.md"
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
    w = lambda key, **v: word(key, lang, **v)  # noqa: E731
    counts = result["feature_levels"]
    approval = result["approval"]
    sep = "\u00a0: " if lang == "fr" else ": "
    lines = [
        f"# {w('title')}", "",
        w("summary", model=result["model_version"], clients=integer(result["clients"], lang),
          reference=integer(result["reference_clients"], lang), date=result["computed_at"]), "",
        f"**{w('overall', level=level_word(result['level'], lang))}**", "",
        f"- {w('score_psi')}{sep}{decimal(result['score_psi'], lang)} ({level_word(result['score']['level'], lang)})",
        f"- {w('approval', current=percent(approval['current'], lang), reference=percent(approval['reference'], lang))}"
        f" ({level_word(approval['level'], lang)})",
        f"- {w('grade_mix')}{sep}PSI {decimal(result['grades']['psi'], lang)} ({level_word(result['grades']['level'], lang)})",
        f"- {w('feature_counts', total=integer(len(result['features']), lang), **{k: integer(v, lang) for k, v in counts.items()})}",
        "", w("levels_help"), "", f"![{w('score_title')}]({FIGURES['score']})", "",
        f"## {w('grade_mix')}", "", f"| {w('grade')} | {w('reference')} | {w('current')} |", "| --- | ---: | ---: |",
    ]
    lines += [f"| {r['grade']} | {percent(r['reference'], lang)} | {percent(r['current'], lang)} |"
              for r in result["grades"]["rows"]]
    lines += ["", f"## {w('features')}", "", f"| {w('feature')} | PSI | {w('level')} |", "| --- | ---: | --- |"]
    lines += [f"| `{r['name']}` ({w('kind_' + r['kind'])}) | {decimal(r['psi'], lang)} | {level_word(r['level'], lang)} |"
              for r in result["features"][:REPORTED_FEATURES]]
    lines += ["", f"![{w('features')}]({FIGURES['features']})", "", f"## {w('backtest')}", ""]
    backtest = result.get("backtest")
    if not backtest:
        lines.append(w("no_backtest"))
    else:
        lines += [f"| {w('grade')} | {w('clients')} | {w('defaults')} | {w('observed_rate')} | "
                  f"{w('mean_probability')} | {w('p_value')} | {w('level')} |",
                  "| --- | ---: | ---: | ---: | ---: | ---: | --- |"]
        lines += [f"| {r['grade']} | {integer(r['clients'], lang)} | {integer(r['defaults'], lang)} | "
                  f"{percent(r['observed_rate'], lang)} | {percent(r['mean_probability'], lang)} | "
                  f"{decimal(r['p_value'], lang, 3)} | {level_word(r['level'], lang)} |" for r in backtest["rows"]]
        lines += ["", f"![{w('backtest')}]({FIGURES['backtest']})"]
    return "\n".join(lines) + "\n"


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _bars(ax, bins: list[dict], lang: str, title: str) -> None:
    """Reference and current shares of each bin side by side."""
    import numpy as np

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
    import numpy as np

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
