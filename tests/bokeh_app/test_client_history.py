"""The client's history panels in a dashboard session: a client without instalments gets a sentence, no empty plot."""
from __future__ import annotations

from sqlalchemy import text

from database.config import get_engine
from modeling.wording import catalogue
from tests.bokeh_app.conftest import make_document, model


def _clients_by_payments(bank, portfolio) -> tuple[int, int]:
    """A client of the portfolio with instalment payments and one without any."""
    engine = get_engine(bank.url)
    with engine.connect() as connection:
        paying = {r[0] for r in connection.execute(text("SELECT DISTINCT sk_id_curr FROM installments_payments"))}
    engine.dispose()
    ids = [int(i) for i in portfolio.clients.index]
    return next(i for i in ids if i in paying), next(i for i in ids if i not in paying)


def test_a_client_without_instalments_gets_a_sentence_and_no_empty_plot(bank, portfolio):
    with_payments, without = _clients_by_payments(bank, portfolio)
    doc = make_document(portfolio)
    plot = model(doc, "instalment_plot")
    model(doc, "client_search").value = str(without)
    assert str(without) in model(doc, "identity").text
    assert catalogue.t("instal_none", "fr") in model(doc, "instalment_note").text
    assert plot.visible is False, "an empty frame with an empty legend under 'no payment'"
    model(doc, "client_search").value = str(with_payments)
    assert len(model(doc, "instalment_source").data["late"]) > 0 and plot.visible is True


def test_the_payments_legend_sits_beside_the_points_not_over_them(doc):
    plot = model(doc, "instalment_plot")
    assert plot.legend and all(legend in plot.right for legend in plot.legend)
    assert not [r for r in plot.center if r in plot.legend]
