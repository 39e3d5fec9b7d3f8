"""Reasons read true for every feature the model can be given: whole numbers without decimals."""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator

import numpy as np
import pandas as pd
import pytest

from modeling import catalogue, labels
from modeling.explain import PopulationStats, Reason, ReasonKey, render_reasons
from modeling.features import FeatureBuilder

pytestmark = pytest.mark.requirement("EXG-MOD-06")

#: Units written in another unit than the data's: days of life or days ago as years, fractions as percentages.
CONVERTED = ("duration", "age", "share")
DECIMAL = {"fr": re.compile(r"\d,\d"), "en": re.compile(r"\d\.\d")}  # "1,234" is a thousand in English


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
