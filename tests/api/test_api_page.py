"""The advisor page: French by default, English on request, a decision with its reasons, errors in words."""

import re

import pytest

from tests.api.conftest import signed_in_client

pytestmark = pytest.mark.requirement("EXG-API-07")


def test_form_in_french_by_default(bare_client):
    response = bare_client.get("/")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<html lang="fr">' in html
    assert '<label for="client_id">Identifiant client (SK_ID_CURR)</label>' in html
    assert 'href="?lang=en"' in html


def test_english_switch(bare_client):
    html = bare_client.get("/?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in html and "Client ID (SK_ID_CURR)" in html


def test_malformed_id_is_explained_in_french(bare_client):
    response = bare_client.get("/?client_id=12abc")
    assert response.status_code == 400
    assert "Cet identifiant n&#39;est pas valide" in response.get_data(as_text=True)


def test_page_says_when_the_model_is_missing(bare_client):
    response = bare_client.get("/?client_id=100002&lang=en")
    assert response.status_code == 503
    assert "The model is not available at the moment." in response.get_data(as_text=True)


def test_page_has_no_script_and_no_external_asset(bare_client):
    html = bare_client.get("/").get_data(as_text=True)
    assert "<script" not in html
    assert not re.search(r"""(src|href)=["']https?://""", html)


def test_page_is_rate_limited_per_address(tmp_path):
    from api import create_app

    client = signed_in_client(create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.db'}",
                                          "MODEL_DIR": str(tmp_path / "none"), "PAGE_RATE_LIMIT": "2 per minute",
                                          "RATELIMIT_STORAGE": f"sqlite:///{tmp_path / 'ratelimit.db'}"}))
    statuses = [client.get("/?client_id=x", environ_base={"REMOTE_ADDR": "10.1.1.1"}).status_code
                for _ in range(3)]
    assert statuses == [400, 400, 429]
    other = client.get("/?client_id=x", environ_base={"REMOTE_ADDR": "10.1.1.2"})
    assert other.status_code == 400
    assert "Trop de demandes" in client.get("/?client_id=x", environ_base={"REMOTE_ADDR": "10.1.1.1"}).get_data(
        as_text=True)


def test_page_shows_decision_gauge_points_and_reasons(client, auth, stack):
    client_id = stack.client_ids[5]
    api = client.get(f"/api/v1/clients/{client_id}/score", headers=auth).json
    response = client.get(f"/?client_id={client_id}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    final = api["final_decision"]  # the bank's decision: the latest review's, else the model's
    assert final["decision_label"] in html
    assert f'class="decision {final["decision"]}"' in html
    assert 'aria-label="Probabilité de défaut' in html  # the gauge says in words what it draws
    assert f"<dd>{api['points']}</dd>" in html and f"<dd>{api['grade']}</dd>" in html
    for reason in api["reasons"]:
        assert reason["sentence"].replace("'", "&#39;") in html
    assert f'href="?lang=en&amp;client_id={client_id}"' in html


def test_page_in_english_has_english_sentences(client, auth, stack):
    client_id = stack.client_ids[5]
    api = client.get(f"/api/v1/clients/{client_id}/score?lang=en", headers=auth).json
    html = client.get(f"/?client_id={client_id}&lang=en").get_data(as_text=True)
    assert "Probability of default" in html and api["decision_label"] in html
    assert all(r["sentence"].replace("'", "&#39;") in html for r in api["reasons"])


def test_unknown_client_on_the_page(client):
    response = client.get("/?client_id=999")
    assert response.status_code == 404
    assert "Aucun client ne porte cet identifiant." in response.get_data(as_text=True)


def test_the_page_refuses_an_unknown_language_as_the_api_does(client, auth, stack):
    client_id = stack.client_ids[0]
    api = client.get(f"/api/v1/clients/{client_id}/score?lang=de", headers=auth)
    page = client.get(f"/?client_id={client_id}&lang=de")
    assert api.status_code == page.status_code == 400
    html = page.get_data(as_text=True)
    assert "«\u00a0de\u00a0» n&#39;est pas une langue prise en charge" in html
    assert "Probabilité de défaut" not in html  # no score shown in a language nobody asked for


def test_the_page_writes_the_decision_and_numbers_with_the_catalogue(client, stack):
    from modeling.wording import catalogue

    html = client.get(f"/?client_id={stack.client_ids[1]}").get_data(as_text=True)
    assert any(catalogue.decision_label(d, "fr") in html for d in catalogue.DECISIONS)
    assert re.search(r"\d+,\d\u00a0%", html) and "¤" not in html


def test_every_page_has_a_favicon(bare_client):
    for path in ("/", "/api/v1/docs"):
        html = bare_client.get(path).get_data(as_text=True)
        link = re.search(r'<link rel="icon" type="image/svg\+xml" href="([^"]+)">', html)
        assert link, f"no favicon link on {path}"
        icon = bare_client.get(link.group(1))
        assert icon.status_code == 200 and icon.mimetype == "image/svg+xml" and b"<svg" in icon.data
    fallback = bare_client.get("/favicon.ico")
    assert fallback.status_code == 200 and fallback.mimetype == "image/svg+xml"


def _refuse_access_rows(url: str, postgres: bool) -> str:
    """Make the database refuse every insert into access_log; returns the statement that undoes it."""
    statements = ([
        "CREATE FUNCTION refuse_access() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RAISE EXCEPTION 'access_log refused'; END $$",
        "CREATE TRIGGER refuse_access BEFORE INSERT ON access_log FOR EACH ROW EXECUTE FUNCTION refuse_access()",
    ] if postgres else [
        "CREATE TRIGGER refuse_access BEFORE INSERT ON access_log BEGIN SELECT RAISE(ABORT, 'access_log refused'); END",
    ])
    _execute(url, statements)
    return ("DROP TRIGGER refuse_access ON access_log; DROP FUNCTION refuse_access()" if postgres
            else "DROP TRIGGER refuse_access")


def _execute(url: str, statements: list[str]) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            for statement in statements:
                connection.execute(text(statement))
    finally:
        engine.dispose()


def _nothing_of_the_file_when_the_access_cannot_be_traced(app, url: str, client_id: int, audit_rows) -> None:
    before = audit_rows(url, sk_id_curr=client_id)
    response = signed_in_client(app).get(f"/?client_id={client_id}")
    html = response.get_data(as_text=True)
    assert response.status_code == 503 and "class=\"error\"" in html
    for shown in ("Probabilité de défaut", "Seuil de refus", 'class="decision', 'class="reasons"', 'class="gauge"'):
        assert shown not in html, f"{shown!r} shown although the opening could not be traced"
    assert audit_rows(url, sk_id_curr=client_id) == before  # no score computed for a file nobody may see


def test_the_page_shows_nothing_of_a_client_when_the_access_log_refuses_the_row(tmp_path, stack, make_app_over,
                                                                                audit_rows):
    url = stack.copied_to(tmp_path / "bank.db").database_url
    app = make_app_over(url)
    signed_in_client(app)  # the user exists before the inserts are refused
    _refuse_access_rows(url, postgres=False)
    _nothing_of_the_file_when_the_access_cannot_be_traced(app, url, stack.client_ids[3], audit_rows)


@pytest.mark.postgres
def test_the_page_shows_nothing_of_a_client_when_postgresql_refuses_the_access_row(pg_stack_app, audit_rows):
    app, url, ids = pg_stack_app
    signed_in_client(app)
    undo = _refuse_access_rows(url, postgres=True)
    try:
        _nothing_of_the_file_when_the_access_cannot_be_traced(app, url, ids[4], audit_rows)
    finally:
        _execute(url, undo.split("; "))
