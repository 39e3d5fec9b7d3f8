"""The advisor page's sign-in: a CSRF token on the form, targets that stay on the site, a sign-out that is a POST
with the page's token and ends the server-side session (the old cookie is refused afterwards)."""

from __future__ import annotations

import re
import secrets

import pytest
from sqlalchemy import create_engine

from database.migrate import migrate
from database.signin import COOKIE
from database.users import create_user
from tests.api.conftest import with_csrf

pytestmark = pytest.mark.requirement("EXG-SEC-21")


@pytest.fixture
def page(tmp_path):
    """(Flask test client, name, password) of the page over an empty migrated database with one advisor."""
    from api import create_app

    url = f"sqlite:///{tmp_path / 'page.db'}"
    migrate(url)
    engine = create_engine(url)
    name, password = "advisor", secrets.token_urlsafe(12)
    create_user(engine, name, "advisor", password)
    engine.dispose()
    app = create_app({"TESTING": True, "DATABASE_URL": url, "MODEL_DIR": str(tmp_path / "none"),
                      "RATELIMIT_STORAGE": "memory://"})
    return app.test_client(), name, password


def test_the_form_needs_its_csrf_token(page):
    client, name, password = page
    refused = client.post("/login", data={"name": name, "password": password})
    assert refused.status_code == 403 and client.get_cookie(COOKIE) is None
    assert client.post("/login", data=with_csrf(client, {"name": name, "password": password})).status_code == 302


@pytest.mark.parametrize("target", ["/\\evil.com", "/\\/evil.com", "//evil.com", "https://evil.com/x",
                                    "/\t/evil.com"])
def test_a_target_outside_the_site_gives_the_page(page, target):
    client, name, password = page
    answer = client.post("/login", query_string={"next": target},
                         data=with_csrf(client, {"name": name, "password": password}))
    assert answer.status_code == 302 and answer.headers["Location"] == "/"


def test_sign_out_is_a_post_with_the_page_token_and_ends_the_session(page):
    client, name, password = page
    client.post("/login", data=with_csrf(client, {"name": name, "password": password}))
    cookie = client.get_cookie(COOKIE).value
    html = client.get("/?lang=en").get_data(as_text=True)
    token = re.search(r'name="csrf" value="([0-9a-f]+)"', html).group(1)
    assert client.get("/logout").status_code == 405  # a link cannot sign anyone out
    assert client.post("/logout", data={"csrf": "0" * 64}).status_code == 403
    assert client.get("/").status_code == 200
    out = client.post("/logout?lang=en", data={"csrf": token})
    assert out.status_code == 302 and out.headers["Location"] == "/login?lang=en"
    client.set_cookie(COOKIE, cookie)  # the old cookie, replayed
    replay = client.get("/?client_id=100002")
    assert replay.status_code == 302 and replay.headers["Location"].startswith("/login?next=")
