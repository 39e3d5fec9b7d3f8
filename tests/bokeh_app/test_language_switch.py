"""The header's language link reopens the open client (it used to reload on the list's first client, 100002)."""
from __future__ import annotations

import pytest

from tests.bokeh_app.conftest import make_document, model


def test_the_language_link_follows_the_open_client_and_the_page_opens_on_it(portfolio):
    chosen, other = (int(portfolio.clients.index[i]) for i in (7, 11))
    doc = make_document(portfolio, lang="fr")
    model(doc, "client_search").value = str(chosen)
    assert model(doc, "language_switch").text == f"lang=en&client_id={chosen}"  # the link the browser rewrites
    english = make_document(portfolio, lang="en", arguments={"client_id": str(chosen)})
    assert str(chosen) in model(english, "identity").text and "Client card" in model(english, "identity").text
    assert english.template_variables["switch_query"] == f"lang=fr&client_id={chosen}"  # the link as served
    model(english, "client_search").value = str(other)
    assert model(english, "language_switch").text == f"lang=fr&client_id={other}"


@pytest.mark.parametrize("asked", ["999999999", "１００００９", "abc"])
def test_an_unknown_or_malformed_client_in_the_address_opens_the_first_client(portfolio, asked):
    doc = make_document(portfolio, lang="fr", arguments={"client_id": asked})
    assert str(int(model(doc, "client_rows").data["SK_ID_CURR"][0])) in model(doc, "identity").text
