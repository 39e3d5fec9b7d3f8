"""The dashboard's layout as a risk manager sees it in headless Chromium: each tab ends with its content, the header
holds on one line at 1 600 px, long characteristic names are shown whole, and the gauge's zone names stay apart."""
from __future__ import annotations

import time

import pytest

from tests.bokeh_app.conftest import bank, portfolio  # noqa: F401  (session fixtures: test bank and model)
from tests.e2e.test_accessibility_browser import audited_server, monitored_bank  # noqa: F401
from tests.e2e.test_dashboard_browser import CONTENT_BOTTOM, _console_errors, _wait_for, driver  # noqa: F401
from tests.e2e.test_sign_in_browser import _sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.requirement("EXG-DSH-04")]
#: Below the last content: the page's bottom padding (2rem) and the widgets' own margins, never a screenful.
BOTTOM_MARGIN_PX = 80

#: Per element of the header: its tag, the number of lines its text takes, its top and bottom.
HEADER_LINES = """
return Array.from(document.querySelectorAll('header > *')).map(el => {
  const range = document.createRange();
  range.selectNodeContents(el);
  const tops = Array.from(range.getClientRects()).filter(r => r.width > 0).map(r => Math.round(r.top));
  const lines = tops.filter((top, i) => tops.findIndex(t => Math.abs(t - top) <= 4) === i).length;
  const box = el.getBoundingClientRect();
  return [el.tagName, lines, box.top, box.bottom];
});
"""

#: The <select> of a Bokeh widget by its name: its inner width for text and, per option, the width of its label.
SELECT = "return Bokeh.index.find_one(Bokeh.documents[0].get_model_by_name(arguments[0])).shadow_el.querySelector('select');"
OPTION_WIDTHS = """
const select = Bokeh.index.find_one(Bokeh.documents[0].get_model_by_name(arguments[0])).shadow_el.querySelector('select');
const style = getComputedStyle(select);
const room = select.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
const context = document.createElement('canvas').getContext('2d');
context.font = style.font;
return [room, Array.from(select.options).map(o => [o.textContent, context.measureText(o.textContent).width])];
"""

#: The boxes (screen pixels, as painted) of the gauge's zone names and the frame they are written in.
ZONE_BOXES = """
const doc = Bokeh.documents[0];
for (const m of doc.all_models) {
  if (m.type !== 'GlyphRenderer' || m.data_source.name !== 'gauge_zones' || m.glyph.type !== 'Text') continue;
  const view = Bokeh.index.find_one(m);
  const glyph = view.glyph, frame = view.parent.frame.bbox;
  const boxes = Array.from(glyph.sx, (sx, i) => {
    const left = sx - glyph.anchor_.get(i).x * glyph.swidth[i];
    return [m.data_source.data.text[i], left, left + glyph.swidth[i]];
  });
  return [boxes, frame.left, frame.right];
}
return null;
"""


@pytest.fixture
def risk_manager(audited_server, monitored_bank, driver):  # noqa: F811
    """The browser signed in as a risk manager on the dashboard, 1 400 px wide and shorter than any tab."""
    driver.set_window_size(1400, 900)
    driver.delete_all_cookies()
    _sign_in(driver, audited_server, *monitored_bank[1]["risk_manager"])
    _wait_for(driver, "ul.reasons li")
    return driver


def _open_tab(browser, title: str) -> None:
    _wait_for(browser, ".bk-tab", title).click()
    time.sleep(1.5)  # the tab's plots and widgets drawn


@pytest.mark.parametrize("tab", ["Client", "Portefeuille", "Seuil de décision", "Surveillance"])
def test_each_tab_ends_with_its_content_not_with_blank_page(risk_manager, tab):
    """Portefeuille, Seuil and Surveillance ended with 3 000 to 4 000 px of blank scroll (the tallest tab's height)."""
    _open_tab(risk_manager, tab)
    page = risk_manager.execute_script("return document.documentElement.scrollHeight")
    content = risk_manager.execute_script(CONTENT_BOTTOM)
    assert page - content <= BOTTOM_MARGIN_PX, f"{tab}: the page scrolls {page - content} px past the last content"


def test_the_header_holds_on_one_line_at_1600_px(risk_manager):
    """At 1 600 px the title and the model line wrapped for the risk manager (the widest header: role name)."""
    risk_manager.set_window_size(1600, 900)
    time.sleep(0.5)
    parts = risk_manager.execute_script(HEADER_LINES)
    assert [tag for tag, *_ in parts] == ["H1", "SPAN", "FORM", "A"]
    assert all(lines == 1 for _, lines, _, _ in parts), f"a header item wraps: {parts}"
    assert max(top for *_, top, _ in parts) < min(bottom for *_, bottom in parts), f"the header takes two rows: {parts}"


@pytest.mark.parametrize(("tab", "name"), [("Client", "compare_select"), ("Surveillance", "monitoring_feature")])
def test_every_characteristic_name_fits_its_select(risk_manager, tab, name):
    """The comparison's and the Surveillance tab's lists cut long names ("… rapporté au montant acc")."""
    _open_tab(risk_manager, tab)
    room, options = risk_manager.execute_script(OPTION_WIDTHS, name)
    assert len(options) > 1
    cut = [text for text, width in options if width > room]
    assert not cut, f"{name} ({room:.0f} px for text) cuts: {cut[:3]}"


def test_the_bin_chart_heading_shows_the_whole_name_of_the_longest_characteristic(risk_manager):
    """The chart's title was painted on the canvas and cut at its edge ("… chez Home")."""
    from selenium.webdriver.support.ui import Select

    _open_tab(risk_manager, "Surveillance")
    _, options = risk_manager.execute_script(OPTION_WIDTHS, "monitoring_feature")
    longest = max(options, key=lambda option: option[1])[0]
    Select(risk_manager.execute_script(SELECT, "monitoring_feature")).select_by_visible_text(longest)
    heading = _wait_for(risk_manager, "h3", longest)
    shown = risk_manager.execute_script(
        "const r = arguments[0].getBoundingClientRect();"
        "return [arguments[0].textContent, arguments[0].scrollWidth <= arguments[0].clientWidth,"
        " r.right <= document.documentElement.clientWidth, r.width > 0];", heading)
    assert shown[0].startswith(longest) and all(shown[1:]), shown
    assert _console_errors(risk_manager) == []


def test_the_gauge_zone_names_do_not_overlap_at_a_high_probability(risk_manager, portfolio):  # noqa: F811
    """100332 at 72,6 % in the demo: "Crédit accordé" and "Crédit refusé" were painted over each other."""
    from selenium.webdriver.common.keys import Keys

    client_id = str(int(portfolio.clients["PROBABILITY"].idxmax()))  # the gauge's end is furthest from the threshold
    assert portfolio.clients["PROBABILITY"].max() > 4 * portfolio.threshold
    _wait_for(risk_manager, "input[placeholder='100002']").send_keys(client_id, Keys.ENTER)
    _wait_for(risk_manager, "dl.card", client_id)
    time.sleep(1)
    found = risk_manager.execute_script(ZONE_BOXES)
    assert found is not None, "no zone names on the gauge"
    (grant, refuse), left, right = found
    assert [grant[0], refuse[0]] == ["Crédit accordé", "Crédit refusé"]
    assert grant[2] < refuse[1], f"the zone names overlap on screen: {grant} and {refuse}"
    assert left <= grant[1] and refuse[2] <= right, f"a zone name is cut by the gauge's frame ({left}-{right}): {found}"
