"""Reasons read true for every feature the model can be given: whole numbers without decimals, and what a
sentence says about the other clients' median holds on those clients' values."""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from modeling.features import FeatureBuilder
from modeling.serving.explain import (
    PopulationStats,
    Reason,
    ReasonKey,
    reason_sentence,
    render_reasons,
)
from modeling.wording import catalogue, labels

pytestmark = pytest.mark.requirement("EXG-MOD-06")

#: Units written in another unit than the data's: days of life or days ago as years, fractions as percentages.
CONVERTED = ("duration", "age", "share")
#: Units whose values are shown as magnitudes: -46 months is "46 mois".
MAGNITUDES = ("days", "duration", "age", "months")
DECIMAL = {"fr": re.compile(r"\d,\d"), "en": re.compile(r"\d\.\d")}  # "1,234" is a thousand in English
#: Every way a sentence may speak of the median client, and what it claims about the shown values s and median m.
CLAIMS = {
    "fr": ((re.compile(r", la moitié des clients étant sous (.+?)(?= \(|\u00a0;)"), "below"),
           (re.compile(r" \(la moitié des clients\u00a0: (.+) ou (?:moins|plus tôt)\)"), "at_most"),
           (re.compile(r" \(au moins la moitié des clients\u00a0: (.+?)\)"), "at")),
    "en": ((re.compile(r", half of clients being below (.+?)(?= \(|; )"), "below"),
           (re.compile(r" \(half of clients: (.+) or (?:less|earlier)\)"), "at_most"),
           (re.compile(r" \(at least half of clients: (.+?)\)"), "at")),
}
HALF = {"fr": "moitié", "en": "half"}
GUIDE = Path(__file__).resolve().parents[2] / "docs" / "user-guide.md"


@pytest.fixture(scope="module")
def feature_frames(sample_tables, synthetic_tables) -> list[pd.DataFrame]:
    """Every feature the model can be given, computed for the real sample's clients and for synthetic ones."""
    return [FeatureBuilder().fit(tables).transform(tables) for tables in (sample_tables, synthetic_tables)]


def _reasons(frames: list[pd.DataFrame]) -> Iterator[tuple[str, np.ndarray, str, Reason]]:
    """(feature, the population's values, language, reason) for values across each feature's range."""
    for frame in frames:
        population = PopulationStats.from_frame(frame)
        for name in frame.columns:
            values = pd.to_numeric(frame[name], errors="coerce").to_numpy(dtype=float)
            values = values[np.isfinite(values)]
            if not len(values):
                continue
            for value in np.unique(np.quantile(values, [0.0, 0.1, 0.5, 0.75, 0.9, 1.0], method="nearest")):
                for lang in catalogue.LANGS:
                    key = ReasonKey(labels.feature_group(name), name, float(value), 0.5, 0.5)
                    yield name, values, lang, render_reasons([key], population, lang)[0]


def test_a_feature_of_whole_values_is_written_without_decimals_and_a_real_one_with_them(feature_frames):
    """'Pire tranche de retard (0 à 5) : 0', never '0,00'; counts, levels, days and flags alike, in the value
    and in the median it is compared with; scores and ratios keep their decimals."""
    whole, real = Counter(), Counter()
    for name, values, lang, reason in _reasons(feature_frames):
        if labels.unit(name) in CONVERTED:
            continue
        if np.all(values == np.round(values)):
            whole[labels.unit(name)] += 1
            assert not DECIMAL[lang].search(reason.sentence), (name, reason.sentence)
        elif reason.value != round(reason.value, 0) and abs(reason.value) < 10 \
                and labels.unit(name) not in ("currency", "hours", "months"):
            real[labels.unit(name)] += 1
            assert DECIMAL[lang].search(reason.display_value), (name, reason.value, reason.display_value)
    assert {"count", "flag", "days", "months"} <= set(whole) and whole["count"] > 100, whole
    assert {"score", "times", "count", "days", "number"} <= set(real), real


def test_what_a_reason_says_of_the_median_client_is_true_of_the_clients(feature_frames):
    """'5, la moitié des clients étant sous 0' was false for every count most clients have none of; a median
    'non' or 'oui' says nothing. Every claim about the median is checked on the population's own values."""
    checked = Counter()
    for name, values, lang, reason in _reasons(feature_frames):
        sentence = reason.sentence
        claims = [(kind, m[1]) for pattern, kind in CLAIMS[lang] for m in [pattern.search(sentence)] if m]
        if labels.unit(name) == "flag":
            assert HALF[lang] not in sentence, (name, sentence)
            continue
        if not claims:
            assert HALF[lang] not in sentence, (name, sentence)  # no other wording of the median
            continue
        assert len(claims) == 1, (name, sentence)
        (kind, shown), median = claims[0], float(np.median(values))
        assert shown == labels.format_value(name, median, lang), (name, sentence)
        magnitude = labels.unit(name) in MAGNITUDES
        s, m = (np.abs(values), abs(median)) if magnitude else (values, median)
        share = {"below": np.mean(s < m), "at_most": np.mean(s <= m), "at": np.mean(s == m)}[kind]
        assert share >= (0.45 if kind == "below" else 0.5), (name, sentence, f"{share:.0%} of clients")
        checked[kind] += 1
    assert checked["at"] > 50 and checked["at_most"] > 200, checked


def test_the_user_guide_quotes_reasons_as_the_product_words_them():
    """The advisor's guide shows the sentence and the 'at least half' wording the dashboard, API and letter use."""
    ratio = "ANNUITY_INCOME_RATIO"
    median = catalogue.t("reason_median", "fr", median=labels.format_value(ratio, 0.16, "fr"))
    sentence = reason_sentence("debt_burden", ratio, 0.43, labels.format_value(ratio, 0.43, "fr"), (90.0, 0.0, 10.0),
                               "raises", "fr", median)
    guide = " ".join(GUIDE.read_text(encoding="utf-8").split())
    assert f"« {' '.join(sentence.split())} »" in guide
    at_least = catalogue.t("reason_median_at", "fr", median=labels.format_value("REFUSED_COUNT", 0.0, "fr"))
    assert f"« {' '.join(at_least.strip(' ()').split())} »" in guide
