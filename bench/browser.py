"""Headless Chromium through selenium, shared by the browser tests (tests/e2e) and the dashboard's benchmarks."""
from __future__ import annotations

import shutil
from pathlib import Path

CHROMIUM = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
CHROMEDRIVER = "/usr/bin/chromedriver"

#: Finds the first element matching a CSS selector through every shadow root (Bokeh renders in shadow DOM).
DEEP_QUERY = """
const selector = arguments[0], wanted = arguments[1] || null;
function* walk(root) {
  for (const el of root.querySelectorAll('*')) {
    yield el;
    if (el.shadowRoot) { yield* walk(el.shadowRoot); }
  }
}
for (const el of walk(document)) {
  if (el.matches(selector) && (wanted === null || (el.textContent || '').includes(wanted))) { return el; }
}
return null;
"""


def browser_paths() -> tuple[str, str] | None:
    """Chromium's binary and chromedriver, or None when either is missing."""
    binary = next((p for p in CHROMIUM if Path(p).exists()), None) or shutil.which("chromium")
    driver = CHROMEDRIVER if Path(CHROMEDRIVER).exists() else shutil.which("chromedriver")
    return (binary, driver) if binary and driver else None


def chromium(paths: tuple[str, str], profile: Path):
    """A headless Chromium (French, a tall window, its profile in ``profile``) driven by selenium."""
    from selenium import webdriver  # deferred: dev package
    from selenium.webdriver.chrome.service import Service  # deferred: dev package

    options = webdriver.ChromeOptions()
    options.binary_location = paths[0]
    for arg in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--window-size=1400,2300", "--lang=fr-FR", f"--user-data-dir={profile}"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    browser = webdriver.Chrome(service=Service(paths[1]), options=options)
    browser.set_page_load_timeout(60)
    return browser
