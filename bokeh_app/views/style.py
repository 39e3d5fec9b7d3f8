"""Colours, marks and sizes shared by the views: Okabe-Ito colour-blind-safe palette, never colour alone."""
from __future__ import annotations

import math

from modeling.wording import catalogue, labels

BLUE = "#0072B2"  # granted, repaid, lowers the risk
VERMILLION = "#D55E00"  # refused, defaulted, raises the risk
GREY = "#6b6b6b"
INK = "#1a1a1a"
LIGHT_BLUE = "#d4e6f4"
LIGHT_VERMILLION = "#f7dccb"
HATCH = "/"  # hatching marks the "bad" side wherever vermillion is used
MARKERS = {"grant": "circle", "refuse": "triangle"}
COLOURS = {"grant": BLUE, "refuse": VERMILLION}
FONT = "14px"
TITLE_FONT = "16px"
TOOLS = "pan,wheel_zoom,box_zoom,reset,save"

#: Fields made by bokeh_app.portfolio in years, and the model feature that holds the same quantity.
_OWN_FIELDS = {"AGE_YEARS": "DAYS_BIRTH", "YEARS_EMPLOYED": "DAYS_EMPLOYED"}


def field_label(name: str, lang: str) -> str:
    """Human label of a descriptive field or of a model feature: the same words as in the reasons."""
    return labels.feature_label(_OWN_FIELDS.get(name, name), lang)


def field_value(name: str, value, lang: str) -> str:
    """A value written for people, in the same unit as in the reasons (completed years of age, years in the job)."""
    missing = value is None or value != value
    if name == "AGE_YEARS":
        return catalogue.MISSING if missing else catalogue.years(math.floor(value), lang, 0)
    if name == "YEARS_EMPLOYED":
        return catalogue.MISSING if missing else catalogue.years(value, lang, 1)
    return labels.format_value(name, None if missing else float(value), lang)


decision_word = catalogue.decision_word

#: Rules for the HTML written into Div widgets (they live in their own shadow DOM, out of the page's CSS).
DIV_CSS = """
:host { font-size: 15px; color: #1a1a1a; line-height: 1.45; }
h2 { font-size: 18px; margin: 0.4em 0; }
h3 { font-size: 16px; margin: 0.8em 0 0.2em; }
dl.card { display: grid; grid-template-columns: max-content 1fr; gap: 0.25em 1em; margin: 0; }
dl.card dt { color: #4d4d4d; } dl.card dd { margin: 0; font-weight: 600; }
p.verdict { font-size: 17px; margin: 0.3em 0; }
p.verdict .decision { font-weight: 700; padding: 0.1em 0.5em; border-radius: 3px; color: #ffffff; }
p.verdict.grant .decision { background: #005a8c; } p.verdict.refuse .decision { background: #a33f00; }
ul.reasons { padding-left: 1.2em; margin: 0.3em 0; } ul.reasons li { margin: 0.25em 0; list-style: none; }
ul.reasons li.raises span { color: #a33f00; } ul.reasons li.lowers span { color: #005a8c; }
table.cm { border-collapse: collapse; margin: 0.5em 0; } table.cm th, table.cm td { border: 1px solid #9e9e9e;
  padding: 0.4em 0.7em; text-align: left; } table.cm small { display: block; color: #4d4d4d; font-size: 14px; }
table.fair { border-collapse: collapse; margin: 0.3em 0 0.6em; } table.fair th, table.fair td {
  border: 1px solid #9e9e9e; padding: 0.3em 0.6em; text-align: right; } table.fair th[scope='row'] { text-align: left; }
p.note { color: #4d4d4d; font-style: italic; }
p.summary { background: #f2f2f2; padding: 0.5em 0.8em; border-left: 4px solid #b3001b; }
p.error { color: #a33f00; font-weight: 600; }
"""

#: Bokeh hides an inactive tab's panel (visibility: hidden) but keeps its room: every tab was as tall as the
#: tallest one and the short ones ended in thousands of pixels of blank page. A hidden panel takes no room here.
TABS_CSS = ":host > [style*='visibility: hidden'] { display: none; }"
