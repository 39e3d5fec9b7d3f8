"""Accessibility in headless Chromium: axe-core 4 (the axe.min.js that axe-playwright-python ships) audits the
sign-in page and every tab of the dashboard for an advisor and for a risk manager against WCAG 2.1 A and AA, the
sliders' handles carry a name, and the header's language link reopens the client on screen. The Surveillance tab
shows two monitoring runs (its screenshot goes to DASHBOARD_SCREENSHOTS, as the other views')."""
from __future__ import annotations

import functools
import importlib.resources
import os
import secrets
import tempfile
import time
import uuid

import pytest

from tests.bokeh_app.conftest import bank, portfolio  # noqa: F401  (session fixtures: test bank and model)
from tests.e2e.test_dashboard_browser import (  # noqa: F401
    REPO,
    TABLE_ROWS,
    _console_errors,
    _screenshot,
    _wait_for,
    bokeh_server,
    driver,
)
from tests.e2e.test_sign_in_browser import TAB_TITLES, _sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.requirement("EXG-DSH-04")]
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
SECRETS = {"BOKEH_COOKIE_SECRET": secrets.token_urlsafe(32), "BOKEH_SECRET_KEY": secrets.token_urlsafe(32)}


@pytest.fixture(scope="module")
def monitored_bank(bank, tmp_path_factory):  # noqa: F811
    """A copy of the test bank with two monitoring runs of its model and one user per role: (URL, role -> login)."""
    from database.config import get_engine
    from database.loader import load
    from database.users import create_user
    from modeling.monitoring import run as monitor_run
    from modeling.serving.artifact import load_bundle
    from modeling.serving.scorer import Scorer

    url = f"sqlite:///{tmp_path_factory.mktemp('audit') / 'bank.db'}"
    load([bank.csv], url, progress=None)
    engine = get_engine(url)
    scorer = Scorer(load_bundle(bank.folder), engine)
    features = scorer.all_features()
    monitor_run.run(scorer, features=features)
    monitor_run.run(scorer, features=features.iloc[:700])
    people = {}
    for role in ("advisor", "risk_manager"):
        people[role] = (f"{role}-{uuid.uuid4().hex[:6]}", secrets.token_urlsafe(12))
        create_user(engine, people[role][0], role, people[role][1])
    engine.dispose()
    return url, people


@pytest.fixture(scope="module")
def audited_server(bank, monitored_bank):  # noqa: F811
    """The dashboard with sign-in on over the monitored copy of the bank; yields its URL."""
    env = {**os.environ, "DATABASE_URL": monitored_bank[0], "MODEL_DIR": str(bank.model_dir),
           "PYTHONPATH": str(REPO), "DASHBOARD_TABLE_ROWS": str(TABLE_ROWS), **SECRETS}
    for name in ("MODEL_PATH", "CURRENCY"):
        env.pop(name, None)
    with tempfile.TemporaryFile() as log, bokeh_server(env, auth=True, log=log) as url:
        yield url


#: Runs axe-core on the whole page (shadow roots included) for the rules of the given tags and returns its version,
#: the rules it ran (passed, failed, incomplete or without a node to check), those that passed on some node, and
#: one 'rule: target (element)' line per violating node; an error is returned as a violation.
AXE_RUN = """
const done = arguments[arguments.length - 1];
axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}, resultTypes: ['violations']})
  .then(r => done({
    version: r.testEngine.version,
    ran: [...r.passes, ...r.violations, ...r.incomplete, ...r.inapplicable].map(rule => rule.id),
    passed: r.passes.map(rule => rule.id),
    violations: r.violations.flatMap(v => v.nodes.map(n => `${v.id}: ${n.target} (${n.html.slice(0, 120)})`)),
  }))
  .catch(error => done({version: axe.version, ran: [], passed: [], violations: ['axe failed: ' + error]}));
"""
#: The catalogue keys of the tabs each role sees, in order ("tab" of the monitoring words: Surveillance).
TABS = {"advisor": ["tab_client", "tab_requests", "tab_help"],
        "risk_manager": ["tab_client", "tab_requests", "tab_cohort", "tab_threshold", "monitoring", "tab_reviews",
                         "tab_help"]}
#: Tabs with sliders, whose handles (role="slider") axe-core must have checked for an accessible name.
SLIDER_TABS = ("tab_client", "tab_threshold")


def _title(key: str) -> str:
    """The French title of the tab of this key."""
    from modeling.monitoring.words import word
    from modeling.wording import catalogue

    return word("tab", "fr") if key == "monitoring" else catalogue.t(key, "fr")


@functools.cache
def _axe_source() -> str:
    """axe-core's browser bundle as the pinned axe-playwright-python ships it (no download at test time)."""
    return importlib.resources.files("axe_playwright_python").joinpath("axe.min.js").read_text(encoding="utf-8")


def _audit(driver) -> dict:  # noqa: F811
    """axe-core's WCAG 2.0 and 2.1 A/AA audit of the page as it stands (see AXE_RUN), by an axe-core 4 or later."""
    driver.execute_script(_axe_source())
    driver.set_script_timeout(180)
    result = driver.execute_async_script(AXE_RUN, WCAG)
    assert int(result["version"].split(".")[0]) >= 4, f"axe-core {result['version']} has no WCAG 2.1 rules"
    assert "aria-input-field-name" in result["ran"], "the rule on unnamed sliders did not run"
    return result


def test_the_sign_in_page_has_no_wcag_violation(audited_server, driver):  # noqa: F811
    driver.delete_all_cookies()
    driver.get(audited_server)
    _wait_for(driver, "#password")
    assert _audit(driver)["violations"] == []


@pytest.mark.parametrize("role", ["advisor", "risk_manager"])
def test_every_tab_of_each_role_has_no_wcag_violation(audited_server, monitored_bank, driver, role):  # noqa: F811
    driver.delete_all_cookies()
    _sign_in(driver, audited_server, *monitored_bank[1][role])
    _wait_for(driver, "ul.reasons li")
    titles = driver.execute_script(TAB_TITLES)
    assert titles == [_title(key) for key in TABS[role]]
    found, named = {}, set()
    for title in titles:
        _wait_for(driver, ".bk-tab", title).click()
        time.sleep(1.5)  # the tab's plots and widgets drawn
        audit = _audit(driver)
        found[title] = audit["violations"]
        if "aria-input-field-name" in audit["passed"]:
            named.add(title)
        if role == "risk_manager" and title == "Surveillance":
            _screenshot(driver, "dashboard-monitoring.png")
    assert found == {title: [] for title in titles}
    assert named >= {_title(key) for key in SLIDER_TABS} & set(titles), "axe-core checked no slider handle's name on a tab with sliders"
    assert _console_errors(driver) == []


#: The accessible name (aria-label) of each slider handle on screen (noUiSlider's role="slider" elements, in
#: Bokeh's shadow roots; the other tabs' are hidden).
HANDLES = """
function* walk(root) {
  for (const el of root.querySelectorAll('*')) { yield el; if (el.shadowRoot) { yield* walk(el.shadowRoot); } }
}
return [...walk(document)]
  .filter(el => el.matches('[role=slider]') && el.getClientRects().length && getComputedStyle(el).visibility !== 'hidden')
  .map(el => el.getAttribute('aria-label'));
"""


def _slider_titles(portfolio, tab: str) -> list[str]:  # noqa: F811
    """What the title above each slider of the tab reads when it opens, one per handle, as the catalogue writes it."""
    from bokeh_app.views.client_list import score_title
    from modeling.wording import catalogue

    if tab == "tab_client":
        title = score_title((0, 100), "fr")
        return [f"{title} ({catalogue.t(end, 'fr')})" for end in ("range_low", "range_high")]
    cost = portfolio.cost
    money = cost.mode == "money"
    costs = [("cost_lgd", cost.lgd), ("cost_margin", cost.margin)] if money else [("cost_fn", cost.fn), ("cost_fp", cost.fp)]
    return [*(catalogue.t("slider_value", "fr", title=catalogue.t(key, "fr"),
                          v=catalogue.number(value, "fr", 2 if money else 1)) for key, value in costs),
            catalogue.t("slider_value", "fr", title=catalogue.t("chosen_threshold", "fr"),
                        v=catalogue.percent(round(100 * portfolio.threshold, 1) / 100, "fr"))]


@pytest.mark.parametrize(("role", "tab"), [("advisor", "tab_client"), ("risk_manager", "tab_threshold")])
def test_every_slider_handle_is_named_after_the_title_of_its_slider(audited_server, monitored_bank, driver,  # noqa: F811
                                                                   portfolio, role, tab):  # noqa: F811
    """Screen readers announced the sliders' handles with no name: each handle reads its slider's title."""
    driver.delete_all_cookies()
    _sign_in(driver, audited_server, *monitored_bank[1][role])
    _wait_for(driver, "ul.reasons li")
    _wait_for(driver, ".bk-tab", _title(tab)).click()
    time.sleep(1.5)  # the tab's widgets drawn
    assert driver.execute_script(HANDLES) == _slider_titles(portfolio, tab)


def test_switching_language_reopens_the_client_on_screen(audited_server, monitored_bank, driver, portfolio):  # noqa: F811
    from selenium.webdriver.common.keys import Keys

    driver.delete_all_cookies()
    _sign_in(driver, audited_server, *monitored_bank[1]["advisor"])
    client_id = str(int(portfolio.clients.index[9]))
    _wait_for(driver, "input[placeholder='100002']").send_keys(client_id, Keys.ENTER)
    _wait_for(driver, "dl.card", client_id)
    driver.find_element("id", "language-switch").click()
    _wait_for(driver, "h2", "Client card")
    assert driver.execute_script("return document.documentElement.lang") == "en"
    card = _wait_for(driver, "dl.card").get_attribute("textContent")
    assert client_id in card, f"the English page opened another client than {client_id}"


#: Text colour and the background behind the text of each version badge of the API documentation.
BADGES = """
return Array.from(document.querySelectorAll('.swagger-ui .info .title small pre')).map(pre => {
  let el = pre, bg = getComputedStyle(el).backgroundColor;
  while (bg === 'rgba(0, 0, 0, 0)' && el.parentElement) { el = el.parentElement; bg = getComputedStyle(el).backgroundColor; }
  return [pre.textContent, getComputedStyle(pre).color, bg];
});
"""


def test_the_api_documentation_version_badges_are_readable(driver, tmp_path):  # noqa: F811
    """The "1.0.0" and "OAS 3.1" badges were white on the page's light <pre> background."""
    import threading

    from werkzeug.serving import make_server

    from api import create_app
    from tests.e2e.test_dashboard_browser import _free_port

    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'empty.db'}", "MODEL_DIR": str(tmp_path / "none"),
                      "RATELIMIT_STORAGE": "memory://"})
    server = make_server("127.0.0.1", _free_port(), app)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        driver.get(f"http://127.0.0.1:{server.server_port}/api/v1/docs")
        _wait_for(driver, ".swagger-ui .info .title small pre")
        badges = driver.execute_script(BADGES)
        assert {text for text, _, _ in badges} >= {"OAS 3.1"}
        for text, colour, background in badges:
            assert colour == "rgb(255, 255, 255)" and background not in ("rgb(255, 255, 255)", "rgb(244, 246, 248)"), (
                f"badge {text!r}: {colour} on {background}")
    finally:
        server.shutdown()
