"""Number formats drawn by the browser (axis ticks, slider values), built from the catalogue's Babel symbols."""
from __future__ import annotations

import html
import json
from collections.abc import Callable

from bokeh.document import Document
from bokeh.layouts import column
from bokeh.models import CustomJS, CustomJSTickFormatter, Div

from modeling.wording import catalogue

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

#: Gives a slider's handles (noUiSlider's role="slider" elements, which Bokeh leaves unnamed) the title's text as
#: their accessible name; a range slider's two handles say which end they move.
_NAME_HANDLES = """
const text = new DOMParser().parseFromString(label.text, 'text/html').body.textContent;
const view = Bokeh.index.find_one(slider);
const root = view == null ? null : (view.shadow_el ?? view.el.shadowRoot);
if (root == null) { return; }
const handles = root.querySelectorAll('.noUi-handle');
handles.forEach((handle, i) => handle.setAttribute('aria-label', handles.length > 1 ? `${text} (${ends[i]})` : text));
"""
HANDLE_NAMES = "slider_handle_names"


def tick_formatter(lang: str, kind: str = "number", digits: int | None = None) -> CustomJSTickFormatter:
    """A formatter for ticks or slider values: kind 'number', 'percent' (a fraction), 'percent_points' (0-100)."""
    group, decimal = catalogue.separators(lang)
    percent_sign = "\u00a0%" if lang == "fr" else "%"
    scale, suffix = {"number": (1, ""), "percent": (100, percent_sign), "percent_points": (1, percent_sign)}[kind]
    code = _CODE % {"group": json.dumps(group), "decimal": json.dumps(decimal), "scale": scale,
                    "suffix": json.dumps(suffix), "digits": "null" if digits is None else int(digits)}
    return CustomJSTickFormatter(code=code)


def titled(slider, title: Callable[[object], str], name: str | None = None, ends: tuple[str, str] = ("", "")) -> column:
    """The slider under a title written by the catalogue (``title(value)``), kept in step with its value;
    its handles take the title as their accessible name (a range slider's with ``ends``, e.g. ("min", "max")).

    Bokeh writes a slider's own title as "title: value" with an English colon and its own number format.
    """
    slider.title, slider.show_value, slider.tooltips = "", False, False
    label = Div(text=html.escape(title(slider.value)), name=name, styles={"font-size": "15px"})
    slider.on_change("value", lambda _attr, _old, new: setattr(label, "text", html.escape(title(new))))
    name_handles = CustomJS(args={"slider": slider, "label": label, "ends": list(ends)}, code=_NAME_HANDLES,
                            name=HANDLE_NAMES)
    label.js_on_change("text", name_handles)
    return column(label, slider)


def name_slider_handles(doc: Document) -> None:
    """Name the handles of every titled slider of the document once the page is drawn (then on each new title)."""
    callbacks = list(doc.select({"type": CustomJS, "name": HANDLE_NAMES}))
    if callbacks:
        doc.js_on_event("document_ready", *callbacks)
