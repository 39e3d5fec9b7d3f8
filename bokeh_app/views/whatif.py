"""What-if panel: the advisor changes the loan terms, the model that scored the client answers through
modeling.serving.whatif, and the panel says what would change the decision (the counterfactual search) and which
reasons the client can act on."""
from __future__ import annotations

import html
from dataclasses import dataclass

from bokeh.layouts import column, row
from bokeh.models import Button, Div, TextInput

from bokeh_app.views.style import DIV_CSS, decision_word
from modeling.serving.loan_terms import Terms, WhatIfError, duration_text
from modeling.serving.whatif import WhatIf
from modeling.wording import catalogue

#: The panel's inputs: (lever of modeling.serving.loan_terms, label key of the catalogue).
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
                          duration=duration_text(terms.duration, lang), annuity=catalogue.money(terms.annuity, lang),
                          goods=catalogue.money(terms.goods_price, lang))
    return (f"<p class='verdict {css}'><span class='decision'>{html.escape(decision_word(result.decision, lang))}</span>"
            f" · {catalogue.t('probability', lang)} <b>{catalogue.percent(result.probability, lang)}</b></p>"
            f"<p>{html.escape(summary)}</p><p class='note'>{html.escape(catalogue.t('whatif_note', lang))}</p>"
            + reason_items(result.reasons, lang))


def counterfactual_html(counterfactual, lang: str) -> str:
    sentences = "".join(f"<p class='cf'>{html.escape(s)}</p>" for s in counterfactual.sentences)
    return f"<h3>{html.escape(catalogue.t('cf_title', lang))}</h3>{sentences}"


def whatif_panel(scorer, lang: str) -> WhatIfPanel:
    """Fields showing the client's terms written the advisor's way (show(client_id)); Simulate applies the fields the
    advisor changed to the terms shown, and the fields then show the terms simulated."""
    inputs = {lever: TextInput(title=catalogue.t(key, lang), width=170, name=f"whatif_{lever}") for lever, key in INPUTS}
    run = Button(label=catalogue.t("whatif_run", lang), button_type="primary", width=140, name="whatif_run")
    reset = Button(label=catalogue.t("whatif_reset", lang), width=200, name="whatif_reset")
    result = Div(text="", name="whatif_result", stylesheets=[WHATIF_CSS], width=900)
    counterfactual = Div(text="", name="whatif_counterfactual", stylesheets=[WHATIF_CSS], width=900)
    state: dict = {}

    def fill(terms: Terms) -> None:
        """The fields show these terms (a down payment is already taken off the amount: its field shows 0)."""
        state["terms"] = terms
        state["shown"] = {"amount": catalogue.number(terms.amount, lang), "annuity": catalogue.number(terms.annuity, lang),
                          "duration": duration_text(terms.duration, lang),
                          "goods_price": "" if terms.goods_price != terms.goods_price else catalogue.number(terms.goods_price, lang),
                          "down_payment": catalogue.number(0, lang)}
        for lever, widget in inputs.items():
            widget.value = state["shown"][lever]

    def edits() -> dict[str, float]:
        """The numbers typed in the fields the advisor changed; WhatIfError for a field that holds no number."""
        out = {}
        for lever, widget in inputs.items():
            typed = (widget.value or "").strip()
            if typed == state["shown"][lever]:
                continue
            try:
                out[lever] = catalogue.parse_number(typed, lang)
            except ValueError:
                raise WhatIfError(lever, "number", f"{typed[:20]!r} is not a number") from None
        return out

    def simulate() -> None:
        """Simulate the changed fields from the terms shown; on a refused value, say why and simulate nothing."""
        try:
            simulation = state["whatif"].simulate(edits(), lang, start=state["terms"])
        except WhatIfError as error:
            result.text = f"<p class='error'>{html.escape(catalogue.t('whatif_error', lang, message=error.words(lang)))}</p>"
            return
        fill(simulation.terms)
        result.text = simulation_html(simulation, lang)

    def back() -> None:
        fill(state["whatif"].base)
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
