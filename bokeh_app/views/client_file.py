"""The rest of the client's file under the score: history, what-if and the letter for the client."""
from __future__ import annotations

from dataclasses import dataclass

from bokeh.layouts import column
from bokeh.models import Button, CustomJS, Div

from bokeh_app.letter import letter_html
from bokeh_app.views.history import history
from bokeh_app.views.whatif import whatif_panel
from modeling.serving.decision import FinalDecision
from modeling.wording import catalogue

#: Opens the letter (the hidden Div's text, a whole HTML page) in a new window, where it can be printed.
OPEN_LETTER = """
const page = window.open('', '_blank');
if (page) { page.document.open(); page.document.write(letter.text); page.document.close(); page.focus(); }
"""


@dataclass
class ClientFile:
    layout: object
    letter: Div  # hidden: holds the letter's HTML page
    show: object  # (client_id, result, final) -> None
    decide: object  # (final) -> None: the letter of the open client's final decision


def client_file(portfolio, lang: str) -> ClientFile:
    """History panels, what-if panel and the letter button, filled by show(client_id, result, final)."""
    past = history(portfolio.scorer.engine, lang)
    whatif = whatif_panel(portfolio.scorer, lang)
    letter = Div(text="", visible=False, name="letter_html")
    button = Button(label=catalogue.t("letter_button", lang), width=280, name="letter_button")
    button.js_on_click(CustomJS(args={"letter": letter}, code=OPEN_LETTER))
    protected = tuple((portfolio.card.get("protected_attributes") or {}).get("attributes") or ())

    opened = {}

    def show(client_id: int, result, final: FinalDecision) -> None:
        past.show(client_id)
        opened.update(client_id=client_id, result=result, found=whatif.show(client_id),
                      amount=float(portfolio.clients.loc[client_id, "AMT_CREDIT"]))
        decide(final)

    def decide(final: FinalDecision) -> None:
        letter.text = letter_html(opened["client_id"], opened["result"], final, opened["amount"], opened["found"],
                                  protected, lang)

    return ClientFile(column(past.layout, whatif.layout, button, letter, sizing_mode="stretch_width"), letter, show,
                      decide)
