"""The Équité panel lists age bands in age order, whatever order the model card stores them in."""
from __future__ import annotations

import re

import pandas as pd

from bokeh_app.views.fairness import attribute_html
from modeling.training.fairness import AGE_BANDS, age_band


def test_age_bands_are_listed_from_the_youngest():
    days = [-365.25 * (age + 1) for age in AGE_BANDS[:-1]]
    bands = list(dict.fromkeys(age_band(pd.Series(days))))  # the card's own band names, in age order
    stored = [{"group": band, "clients": 10, "approval_rate": 0.5} for band in bands]
    stored = stored[3:] + stored[:3]  # a card that stored them in another order (by size, by name...)
    shown = re.findall(r"<th scope='row'>([^<]+)</th>", attribute_html("AGE_BAND", {"groups": stored}, "fr"))
    assert shown == bands, shown
