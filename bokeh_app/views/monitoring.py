"""Surveillance tab for risk managers: score PSI over the loads, the most drifting characteristics with their
training and current distributions side by side, and the back-testing table (results of `modeling monitor`)."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from html import escape

from bokeh.layouts import column
from bokeh.models import (
    ColumnDataSource,
    CustomJSTickFormatter,
    Div,
    FactorRange,
    FixedTicker,
    Range1d,
    Select,
    Span,
)
from bokeh.plotting import figure
from bokeh.transform import dodge
from bokeh.util.serialization import convert_datetime_type
from sqlalchemy.exc import SQLAlchemyError

from bokeh_app.views.formats import tick_formatter
from bokeh_app.views.style import BLUE, DIV_CSS, FONT, GREY, HATCH, INK, TOOLS, VERMILLION
from database.config import get_engine
from modeling.monitoring.drift import PSI_ACT, PSI_WATCH
from modeling.monitoring.run import history, latest
from modeling.monitoring.words import bin_label, decimal, integer, level_word, percent, word
from modeling.wording import catalogue
from modeling.wording.labels import feature_label

HISTORY_ROWS = 50
MAX_TIME_TICKS = 6  # dated ticks under the PSI trend; more would run into each other at 980 px
log = logging.getLogger(__name__)
LEVEL_CSS = "td.act { color: #a33f00; font-weight: 700; } td.watch { color: #8a5a00; font-weight: 700; }"


@dataclass
class MonitoringView:
    """The tab's layout and the parts a test or a callback reaches."""

    layout: object
    history: ColumnDataSource
    bins: ColumnDataSource
    pick: Select | None
    summary: Div
    backtest: Div


def read_monitoring(database_url: str | None, model_version: str) -> tuple[list[dict], dict | None]:
    """The last results (summaries, oldest first) and the latest full result of this model, from the database."""
    if not database_url:
        return [], None
    engine = get_engine(database_url)
    try:
        return history(engine, model_version, limit=HISTORY_ROWS)[::-1], latest(engine, model_version)
    except SQLAlchemyError as exc:  # e.g. a database not migrated yet: the tab says there is no result
        log.warning("dashboard: no monitoring results readable: %s", str(exc).splitlines()[0])
        return [], None
    finally:
        engine.dispose()


def _summary(result: dict, lang: str) -> str:
    approval, counts = result["approval"], result["feature_levels"]
    lines = [
        f"<h2>{escape(word('overall', lang, level=level_word(result['level'], lang)))}</h2>",
        f"<p>{escape(word('summary', lang, model=result['model_version'], clients=integer(result['clients'], lang), reference=integer(result['reference_clients'], lang), date=catalogue.moment(result['computed_at'], lang)))}</p>",
        "<ul>",
        f"<li>{word('score_psi', lang)} : <b>{decimal(result['score_psi'], lang)}</b> ({level_word(result['score']['level'], lang)})</li>",
        f"<li>{escape(word('approval', lang, current=percent(approval['current'], lang), reference=percent(approval['reference'], lang)))} ({level_word(approval['level'], lang)})</li>",
        f"<li>{escape(word('feature_counts', lang, total=integer(len(result['features']), lang), **{k: integer(v, lang) for k, v in counts.items()}))}</li>",
        "</ul>", f"<p><small>{escape(word('levels_help', lang))}</small></p>",
    ]
    return "".join(lines).replace(" : ", "\u00a0: " if lang == "fr" else ": ")


def _table(headers: list[str], rows: list[list[str]], levels: list[str]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in cells[:-1])
                   + f"<td class='{level}'>{escape(cells[-1])}</td></tr>" for cells, level in zip(rows, levels, strict=True))
    return f"<table class='cm'><tr>{head}</tr>{body}</table>"


def _backtest(result: dict, lang: str) -> str:
    bt = result.get("backtest")
    if not bt:
        return f"<h2>{escape(word('backtest', lang))}</h2><p>{escape(word('no_backtest', lang))}</p>"
    headers = [word(k, lang) for k in ("grade", "clients", "defaults", "observed_rate", "mean_probability", "p_value", "level")]
    rows = [[r["grade"], integer(r["clients"], lang), integer(r["defaults"], lang), percent(r["observed_rate"], lang),
             percent(r["mean_probability"], lang), decimal(r["p_value"], lang, 3), level_word(r["level"], lang)]
            for r in bt["rows"]]
    return f"<h2>{escape(word('backtest', lang))}</h2>" + _table(headers, rows, [r["level"] for r in bt["rows"]])


def _top_features(result: dict, lang: str, top: int = 10) -> str:
    shown = result["features"][:top]
    rows = [[feature_label(f["name"], lang), word("kind_" + f["kind"], lang), decimal(f["psi"], lang), level_word(f["level"], lang)] for f in shown]
    headers = [word("feature", lang), word("kind", lang), "PSI", word("level", lang)]
    return f"<h2>{escape(word('features', lang))}</h2>" + _table(headers, rows, [f["level"] for f in shown])


def _milliseconds(moment: datetime) -> int:
    """The time as Bokeh sends it to the browser (milliseconds since 1970, naive times read as UTC)."""
    return round(convert_datetime_type(moment))


def time_axis(when: list[datetime], lang: str) -> tuple[Range1d, FixedTicker, CustomJSTickFormatter]:
    """The PSI trend's time axis: a range around the runs, ticks on runs (each label once) written as dates."""
    labels: dict[str, str] = {}  # JavaScript's String(tick) of each tick -> its label
    step = max(1, -(-len(when) // MAX_TIME_TICKS))
    for moment in when[::step]:
        label = catalogue.moment(moment, lang, short=True)
        if label not in labels.values():
            labels[str(_milliseconds(moment))] = label
    low, high = (min(when), max(when)) if when else (datetime.now(UTC), datetime.now(UTC))
    pad = max((high - low) * 0.08, timedelta(minutes=30))
    axis_range = Range1d(start=_milliseconds(low - pad), end=_milliseconds(high + pad))
    ticker = FixedTicker(ticks=[int(k) for k in labels])
    formatter = CustomJSTickFormatter(args={"labels": labels}, code="return labels[String(tick)] ?? '';")
    return axis_range, ticker, formatter


def _bins_data(feature: dict, lang: str) -> dict:
    bins = feature.get("bins", [])
    return {"label": [bin_label(b["label"], lang) for b in bins], "reference": [b["reference"] for b in bins],
            "current": [b["current"] for b in bins]}


def _bins_title(feature: dict, lang: str) -> str:
    """The bin chart's heading, in HTML: a whole label wraps in a Div where a plot title is cut at the frame."""
    return f"<h3>{escape(feature_label(feature['name'], lang))} — PSI {decimal(feature['psi'], lang)}</h3>"


def monitoring_view(database_url: str | None, model_version: str, lang: str,
                    found: tuple[list[dict], dict | None] | None = None) -> MonitoringView:
    """The tab over the stored results of this model (``found`` instead of reading them, if given)."""
    past, result = found if found is not None else read_monitoring(database_url, model_version)
    css = [DIV_CSS, LEVEL_CSS]
    history = ColumnDataSource({"when": [datetime.fromisoformat(h["computed_at"]) for h in past],
                                "psi": [h["score_psi"] for h in past], "level": [h["level"] for h in past]},
                               name="monitoring_history")
    bins = ColumnDataSource({"label": [], "reference": [], "current": []}, name="monitoring_bins")
    summary = Div(text="", width=980, styles={"font-size": FONT}, name="monitoring_summary", stylesheets=css)
    backtest = Div(text="", width=980, name="monitoring_backtest", stylesheets=css)
    if result is None:
        summary.text = f"<p>{escape(word('no_result', lang))}</p>"
        return MonitoringView(column(summary), history, bins, None, summary, backtest)

    summary.text = _summary(result, lang)
    backtest.text = _backtest(result, lang)
    x_range, ticker, dates = time_axis(list(history.data["when"]), lang)
    trend = figure(height=300, width=980, title=word("psi_over_time", lang), x_axis_type="datetime",
                   x_range=x_range, tools=TOOLS, y_axis_label=word("score_psi", lang), name="monitoring_trend")
    for level, colour in ((PSI_WATCH, GREY), (PSI_ACT, VERMILLION)):
        trend.add_layout(Span(location=level, dimension="width", line_color=colour, line_dash="dashed", line_width=2))
    trend.line("when", "psi", source=history, line_color=INK, line_width=2)
    trend.scatter("when", "psi", source=history, size=9, color=BLUE)
    trend.xaxis.ticker, trend.xaxis.formatter = ticker, dates
    trend.y_range.start = 0
    trend.yaxis.formatter = tick_formatter(lang)

    detailed = [f for f in result["features"] if f.get("bins")]
    pick = Select(title=word("pick_feature", lang), options=[(f["name"], feature_label(f["name"], lang)) for f in detailed],
                  value=detailed[0]["name"] if detailed else "", sizing_mode="stretch_width", max_width=980,
                  name="monitoring_feature")
    bins.data = _bins_data(detailed[0], lang) if detailed else bins.data
    labels = list(bins.data["label"])
    heading = Div(text=_bins_title(detailed[0], lang) if detailed else "", width=980, name="monitoring_sides_title",
                  stylesheets=css)
    sides = figure(height=360, width=980, x_range=FactorRange(*labels), tools=TOOLS, name="monitoring_sides",
                   y_axis_label=word("share", lang))
    sides.vbar(x=dodge("label", -0.2, range=sides.x_range), top="reference", width=0.38, source=bins,
               color=BLUE, legend_label=word("reference", lang))
    sides.vbar(x=dodge("label", 0.2, range=sides.x_range), top="current", width=0.38, source=bins,
               color=VERMILLION, hatch_pattern=HATCH, hatch_color="white", legend_label=word("current", lang))
    sides.xaxis.major_label_orientation = 0.8
    sides.add_layout(sides.legend[0], "right")  # beside the bars: inside the frame it covered the right-hand ones
    sides.yaxis.formatter = tick_formatter(lang, "percent")

    def show(_attr, _old, name: str) -> None:
        feature = next(f for f in detailed if f["name"] == name)
        data = _bins_data(feature, lang)
        sides.x_range.factors = data["label"]
        bins.data = data
        heading.text = _bins_title(feature, lang)

    pick.on_change("value", show)
    top = Div(text=_top_features(result, lang), width=640, name="monitoring_features", stylesheets=css)
    layout = column(summary, trend, top, pick, heading, sides, backtest, sizing_mode="stretch_width")
    return MonitoringView(layout, history, bins, pick, summary, backtest)
