"""What-if panel: the advisor changes the loan terms, the model that scored the client answers through
modeling.whatif, and the panel says what would change the decision (the counterfactual search) and which
reasons the client can act on."""
from __future__ import annotations

import html
from dataclasses import dataclass

from bokeh.layouts import column, row
from bokeh.models import Button, Div, NumericInput

from bokeh_app.views.style import DIV_CSS, decision_word
from modeling import catalogue

#: The panel's inputs: (lever of modeling.whatif, label key of the catalogue).
INPUTS = (("amount", "whatif_amount"), ("annuity", "whatif_annuity"), ("duration", "whatif_duration"),
          ("goods_price", "whatif_goods_price"), ("down_payment", "whatif_down_payment"))
WHATIF_CSS = DIV_CSS + """
ul.reasons li span.act { color: #005a8c; font-style: italic; } ul.reasons li span.fixed { color: #4d4d4d; font-style: italic; }
p.cf { background: #eef5fb; padding: 0.4em 0.7em; border-left: 4px solid #005a8c; }
"""


@dataclass
class WhatIfPanel:
    layout: object
    inputs: dict
    result: Div
    counterfactual: Div
    show: object  # (client_id) -> Counterfactual


def reason_items(reasons, lang: str) -> str:
    """The reasons of a simulation, each marked as something the client can act on or not."""
    items = []
    for r in sorted(reasons, key=lambda r: abs(r.contribution), reverse=True):
        hint = catalogue.action(r.feature, lang)
        mark = (f"<span class='act'>({html.escape(catalogue.t('actionable', lang, hint=hint))})</span>" if hint
                else f"<span class='fixed'>({html.escape(catalogue.t('not_actionable', lang))})</span>")
        arrow = "▲" if r.direction == "raises" else "▼"
        items.append(f"<li class='{r.direction}'><span aria-hidden='true'>{arrow}</span> {html.escape(r.sentence)} {mark}</li>")
    return f"<ul class='reasons'>{''.join(items)}</ul>"


def simulation_html(simulation, lang: str) -> str:
    """The client's model's decision, probability and reasons for the changed application."""
    result, terms = simulation.result, simulation.terms
    css = "grant" if result.decision == "grant" else "refuse"
    summary = catalogue.t("whatif_terms", lang, amount=catalogue.money(terms.amount, lang),
                          duration=catalogue.number(terms.duration, lang), annuity=catalogue.money(terms.annuity, lang),
                          goods=catalogue.money(terms.goods_price, lang))
    return (f"<p class='verdict {css}'><span class='decision'>{html.escape(decision_word(result.decision, lang))}</span>"
            f" · {catalogue.t('probability', lang)} <b>{catalogue.percent(result.probability, lang)}</b></p>"
            f"<p>{html.escape(summary)}</p><p class='note'>{html.escape(catalogue.t('whatif_note', lang))}</p>"
            + reason_items(result.reasons, lang))


def counterfactual_html(counterfactual, lang: str) -> str:
    sentences = "".join(f"<p class='cf'>{html.escape(s)}</p>" for s in counterfactual.sentences)
    return f"<h3>{html.escape(catalogue.t('cf_title', lang))}</h3>{sentences}"


def whatif_panel(scorer, lang: str) -> WhatIfPanel:
    """Inputs prefilled with the client's terms (whole numbers) by show(client_id); Simulate re-scores the fields the
    advisor changed."""
    from modeling.whatif import WhatIf, WhatIfError

    inputs = {lever: NumericInput(title=catalogue.t(key, lang), mode="int", low=0, width=170, name=f"whatif_{lever}")
              for lever, key in INPUTS}
    run = Button(label=catalogue.t("whatif_run", lang), button_type="primary", width=140, name="whatif_run")
    reset = Button(label=catalogue.t("whatif_reset", lang), width=200, name="whatif_reset")
    result = Div(text="", name="whatif_result", stylesheets=[WHATIF_CSS], width=900)
    counterfactual = Div(text="", name="whatif_counterfactual", stylesheets=[WHATIF_CSS], width=900)
    state: dict = {}

    def prefill() -> None:
        base = state["whatif"].base
        # whole numbers: the browser writes decimals with a dot, and an unchanged field is not sent
        shown = {"amount": round(base.amount), "annuity": round(base.annuity), "duration": round(base.duration),
                 "goods_price": None if base.goods_price != base.goods_price else round(base.goods_price),
                 "down_payment": 0}
        state["shown"] = shown
        for lever, widget in inputs.items():
            widget.value = shown[lever]

    def simulate() -> None:
        """Send only the levers the advisor changed (annuity and duration follow each other otherwise)."""
        changes = {lever: widget.value for lever, widget in inputs.items()
                   if widget.value is not None and widget.value != state["shown"][lever]}
        try:
            simulation = state["whatif"].simulate(changes, lang)
        except WhatIfError as error:
            result.text = f"<p class='error'>{html.escape(catalogue.t('whatif_error', lang, message=error.words(lang)))}</p>"
            return
        result.text = simulation_html(simulation, lang)

    def back() -> None:
        prefill()
        simulate()

    run.on_click(simulate)
    reset.on_click(back)

    def show(client_id: int):
        state["whatif"] = WhatIf(scorer, client_id)
        back()
        found = state["whatif"].counterfactual(lang)
        counterfactual.text = counterfactual_html(found, lang)
        return found

    layout = column(Div(text=f"<h2>{html.escape(catalogue.t('whatif_title', lang))}</h2>", stylesheets=[DIV_CSS]),
                    row(*inputs.values()), row(run, reset), result, counterfactual, sizing_mode="stretch_width")
    return WhatIfPanel(layout, inputs, result, counterfactual, show)
