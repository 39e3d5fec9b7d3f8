"""Number formats drawn by the browser (axis ticks, slider values), built from the catalogue's Babel symbols."""
from __future__ import annotations

import html
import json
from collections.abc import Callable

from bokeh.layouts import column
from bokeh.models import CustomJSTickFormatter, Div

from modeling import catalogue

#: Writes one tick with the language's separators; digits follow the tick spacing unless DIGITS is given.
_CODE = """
const GROUP = %(group)s, DECIMAL = %(decimal)s, SCALE = %(scale)s, SUFFIX = %(suffix)s, DIGITS = %(digits)s;
let digits = DIGITS;
if (digits === null) {
  const step = ticks.length > 1 ? Math.abs(ticks[1] - ticks[0]) * SCALE : 1;
  digits = step >= 1 || step === 0 ? 0 : Math.min(6, Math.ceil(-Math.log10(step) - 1e-9));
}
const value = tick * SCALE;
const parts = Math.abs(value).toFixed(digits).split(".");
const whole = parts[0].replace(/\\B(?=(\\d{3})+(?!\\d))/g, GROUP);
const sign = value < 0 && Number(parts.join(".")) !== 0 ? "\u2212" : "";
return sign + whole + (parts.length > 1 ? DECIMAL + parts[1] : "") + SUFFIX;
"""


def tick_formatter(lang: str, kind: str = "number", digits: int | None = None) -> CustomJSTickFormatter:
    """A formatter for ticks or slider values: kind 'number', 'percent' (a fraction), 'percent_points' (0-100)."""
    group, decimal = catalogue.separators(lang)
    percent_sign = "\u00a0%" if lang == "fr" else "%"
    scale, suffix = {"number": (1, ""), "percent": (100, percent_sign), "percent_points": (1, percent_sign)}[kind]
    code = _CODE % {"group": json.dumps(group), "decimal": json.dumps(decimal), "scale": scale,
                    "suffix": json.dumps(suffix), "digits": "null" if digits is None else int(digits)}
    return CustomJSTickFormatter(code=code)


def titled(slider, title: Callable[[object], str], name: str | None = None) -> column:
    """The slider under a title written by the catalogue (``title(value)``), kept in step with its value.

    Bokeh writes a slider's own title as "title: value" with an English colon and its own number format.
    """
    slider.title, slider.show_value, slider.tooltips = "", False, False
    label = Div(text=html.escape(title(slider.value)), name=name, styles={"font-size": "15px"})
    slider.on_change("value", lambda _attr, _old, new: setattr(label, "text", html.escape(title(new))))
    return column(label, slider)
