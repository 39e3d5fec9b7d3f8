"""Surveillance tab: the stored monitoring results of the serving model, read by risk managers."""
from __future__ import annotations

import html
import json
import re
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from bokeh.models import Plot

from bokeh_app.views.monitoring import monitoring_view
from database.config import get_engine
from database.loader import load
from modeling.monitoring import run as monitor_run
from modeling.monitoring.words import word
from modeling.serving.artifact import load_bundle
from modeling.serving.scorer import Scorer
from modeling.wording import catalogue
from tests.bokeh_app.conftest import make_document, model
from tests.bokeh_app.test_formats import texts as tab_texts

pytestmark = pytest.mark.requirement("EXG-MOD-14")


@pytest.fixture(scope="module")
def monitored(bank, tmp_path_factory):
    """A copy of the bank's database with two monitoring results of its model: all clients, then 700."""
    url = f"sqlite:///{tmp_path_factory.mktemp('surveillance') / 'bank.db'}"
    load([bank.csv], url, progress=None)
    engine = get_engine(url)
    scorer = Scorer(load_bundle(bank.folder), engine)
    features = scorer.all_features()
    results = [monitor_run.run(scorer, features=features),
               monitor_run.run(scorer, features=features.iloc[:700])]
    engine.dispose()
    return url, results


def _tab(portfolio, monkeypatch, url, lang=None):
    monkeypatch.setattr(portfolio, "database_url", url)
    doc = make_document(portfolio, lang)
    titles = [panel.title for panel in doc.select_one({"name": "app"}).tabs]
    return doc, titles


def test_the_tab_shows_the_psi_history_and_the_latest_result(portfolio, monitored, monkeypatch):
    url, results = monitored
    doc, titles = _tab(portfolio, monkeypatch, url)
    assert titles == [catalogue.t(k, "fr") for k in ("tab_client", "tab_requests", "tab_cohort", "tab_threshold")] + [
        "Surveillance", catalogue.t("tab_reviews", "fr"), catalogue.t("tab_help", "fr")]  # help last, after the views
    history = model(doc, "monitoring_history").data
    assert history["psi"] == pytest.approx([r["score_psi"] for r in results])
    summary = model(doc, "monitoring_summary").text
    latest = results[-1]
    assert "700 clients" in summary and f"{latest['score_psi']:.2f}".replace(".", ",") in summary


def test_the_top_drifting_feature_is_shown_side_by_side_and_the_pick_changes_it(portfolio, monitored, monkeypatch):
    url, results = monitored
    doc, _ = _tab(portfolio, monkeypatch, url)
    features = results[-1]["features"]
    bins, pick = model(doc, "monitoring_bins"), model(doc, "monitoring_feature")
    assert pick.value == features[0]["name"]
    assert bins.data["reference"] == pytest.approx([b["reference"] for b in features[0]["bins"]])
    assert bins.data["current"] == pytest.approx([b["current"] for b in features[0]["bins"]])
    pick.value = features[3]["name"]
    assert bins.data["current"] == pytest.approx([b["current"] for b in features[3]["bins"]])
    assert bins.data["label"][-1] == "manquant"  # the missing values' own bin, in French
    assert not any("e+" in label or "." in label for label in bins.data["label"])  # French numbers, no exponent


def test_the_backtesting_table_lists_every_grade_in_french(portfolio, monitored, monkeypatch):
    url, results = monitored
    doc, _ = _tab(portfolio, monkeypatch, url)
    text = model(doc, "monitoring_backtest").text
    for row in results[-1]["backtest"]["rows"]:
        assert f"<td>{row['grade']}</td>" in text
    assert "Taux observé" in text and "\u00a0%" in text


def test_english_and_no_result_yet(portfolio, monkeypatch, tmp_path, bank):
    empty = f"sqlite:///{tmp_path / 'empty.db'}"
    load([bank.csv], empty, tables=["application"], progress=None)
    doc, titles = _tab(portfolio, monkeypatch, empty, "en")
    assert titles[4] == "Monitoring"
    assert "No monitoring result yet" in model(doc, "monitoring_summary").text


RAW_CODE = re.compile(r"\b[A-Z][A-Z0-9]*(_[A-Z0-9]+)+\b")  # a column name: LANDAREA_AVG, ORGANIZATION_TYPE
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def run_formatter(formatter, ticks: list[float]) -> list[str]:
    """What the browser writes for these ticks: the formatter's JavaScript run by node, with its arguments."""
    names = [*formatter.args, "tick", "index", "ticks"]
    script = (f"const f = new Function(...{json.dumps(names)}, {json.dumps(formatter.code)});\n"
              f"const args = {json.dumps(list(formatter.args.values()))}, ticks = {json.dumps(ticks)};\n"
              "console.log(JSON.stringify(ticks.map((t, i) => f(...args, t, i, ticks))));")
    done = subprocess.run(["node", "-e", script], capture_output=True, text=True, check=True, timeout=30)
    return json.loads(done.stdout)


def _runs(result: dict, moments: list[datetime], psis: list[float]) -> list[dict]:
    return [{"computed_at": m.isoformat(), "score_psi": p, "level": result["level"]} for m, p in zip(moments, psis, strict=True)]


@pytest.mark.parametrize("moments", [
    [datetime(2026, 12, 7, 16, 58, 12, tzinfo=UTC)],  # one run: the axis used to read "999000us 999500us 000000us"
    [datetime(2026, 12, 7, 16, 58, 12, tzinfo=UTC), datetime(2026, 12, 7, 16, 58, 40, tzinfo=UTC)],
    [datetime(2026, 12, 7, 16, 58, 12, tzinfo=UTC), datetime(2026, 12, 7, 16, 58, 40, tzinfo=UTC),
     datetime(2026, 12, 7, 17, 30, tzinfo=UTC), datetime(2026, 12, 9, 9, 5, tzinfo=UTC)]
    + [datetime(2026, 12, 10 + day, 8, tzinfo=UTC) for day in range(12)],
], ids=["one run", "two runs in a minute", "several runs"])
def test_the_psi_trend_reads_french_dates_and_french_numbers(monitored, moments):
    _, results = monitored
    result = {**results[-1], "computed_at": moments[-1].isoformat()}
    psis = [0.004 * (i % 5) for i in range(len(moments))]
    view = monitoring_view(None, result["model_version"], "fr", found=(_runs(result, moments, psis), result))
    trend = next(p for p in view.layout.select({"type": Plot}) if p.title.text == word("psi_over_time", "fr"))
    axis = trend.xaxis[0]
    dates = run_formatter(axis.formatter, axis.ticker.ticks)
    assert dates and len(set(dates)) == len(dates), f"duplicated dates under the PSI trend: {dates}"
    assert len(dates) <= 6
    assert dates[0] == catalogue.moment(moments[0], "fr", short=True) == "7 déc. 16:58"
    assert all(re.fullmatch(r"\d{1,2} [a-zéû]+\.? \d{2}:\d{2}", d) for d in dates), dates
    assert all(trend.x_range.start < tick < trend.x_range.end for tick in axis.ticker.ticks)
    assert trend.x_range.end - trend.x_range.start >= 3_600_000  # one run: an hour around it, not microseconds
    values = run_formatter(trend.yaxis[0].formatter, [0.0, 0.005, 0.01, 0.015, 0.02])
    assert values == ["0,000", "0,005", "0,010", "0,015", "0,020"]  # was "0.02 0.02 0.01 0.01 0.00"


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_text_of_the_surveillance_tab_is_worded_for_people(portfolio, monitored, monkeypatch, lang):
    url, results = monitored
    doc, _ = _tab(portfolio, monkeypatch, url, lang)
    tab = next(p.child for p in doc.select_one({"name": "app"}).tabs if p.title == word("tab", lang))
    pick = tab.select_one({"name": "monitoring_feature"})
    shown = []
    for option in pick.options:  # every characteristic the risk manager can pick, and its chart
        pick.value = option[0] if isinstance(option, tuple) else option
        shown += tab_texts(tab)
    version = results[-1]["model_version"]
    shown = [html.unescape(text).replace(version, "") for text in shown]
    raw = sorted({m.group(0) for text in shown for m in RAW_CODE.finditer(text)})
    assert not raw, f"raw column codes in the Surveillance tab: {raw[:10]}"
    iso = [text for text in shown if ISO_DATE.search(text)]
    assert not iso, f"ISO dates in the Surveillance tab: {iso[:3]}"
    summary = " ".join(shown)
    assert catalogue.moment(results[-1]["computed_at"], lang) in summary
    assert ("taux d'accord" if lang == "fr" else "approval rate") in summary.lower()
    assert "acceptation" not in summary


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_column_of_the_drift_table_has_its_title(monitored, lang):
    """The second column (model input or application form) had an empty header."""
    _, results = monitored
    view = monitoring_view(None, results[-1]["model_version"], lang, found=([], results[-1]))
    table = view.layout.select_one({"name": "monitoring_features"}).text
    headers = [html.unescape(h) for h in re.findall(r"<th>(.*?)</th>", table)]
    assert len(headers) == 4 and all(h.strip() for h in headers), f"a column of the drift table has no title: {headers}"
    assert headers[1] == word("kind", lang)
    kinds = {html.unescape(row[1]) for row in re.findall(r"<tr><td>(.*?)</td><td>(.*?)</td>", table)}
    assert kinds and kinds <= {word("kind_input", lang), word("kind_application", lang)}
    if lang == "fr":  # the user guide names the column as the tab does
        guide = (Path(__file__).resolve().parents[2] / "docs" / "user-guide.md").read_text(encoding="utf-8")
        assert f"« {headers[1]} »" in guide


def test_the_bin_chart_legend_sits_beside_the_bars_not_over_them(monitored):
    """Inside the frame, "Apprentissage / Actuel" covered the right-hand bars."""
    from bokeh.models import Legend

    _, results = monitored
    view = monitoring_view(None, results[-1]["model_version"], "fr", found=([], results[-1]))
    sides = view.layout.select_one({"name": "monitoring_sides"})
    assert not [r for r in sides.center if isinstance(r, Legend)], "the legend is drawn inside the frame, over the bars"
    legends = [r for r in sides.right if isinstance(r, Legend)]
    assert [item.label.value for item in legends[0].items] == [word("reference", "fr"), word("current", "fr")]
