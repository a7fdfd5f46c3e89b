"""Three HTML pages opened in headless Chromium (Debian's `chromium` and `chromium-driver`, through selenium):
the math is laid out (every MathML element has a box), no LaTeX is left in the text a reader sees, and a
full-page screenshot of each is kept under tests/artifacts/screenshots/ to look at (not in git).

One browser serves the three pages. Skipped, with what is missing, where selenium, Chromium or its driver is
not installed (`make test` installs the Debian packages where it can).
"""
from __future__ import annotations

import base64
import importlib.util
import re
import shutil
import tempfile
from pathlib import Path

import pytest

import nnsolve
from nnsolve.render import render

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "tests" / "artifacts" / "screenshots"
PAGES = {   # a dense network (with its picture), a conv layer (grids per channel), calculus (formulas)
    "demo-two-layer-tanh": ROOT / "examples/demo-two-layer-tanh.yaml",
    "conv-relu-maxpool": ROOT / "examples/conv/conv-relu-maxpool.yaml",
    "calculus-gradient-descent": ROOT / "tests/render/cases/calculus-gradient-descent.yaml",
}
CHROMIUM = ("/usr/bin/chromium", "/usr/bin/chromedriver")
OPTIONS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           "--window-size=1000,1400")
# every MathML element whose box is empty, by tag (an <mspace> or an empty <mrow> has none on purpose)
EMPTY_BOXES = """
const boxes = [...document.querySelectorAll('math *')].filter(e => !['mspace', 'mrow', 'none'].includes(e.localName)
    && e.textContent.trim() !== '');
const empty = boxes.filter(e => { const r = e.getBoundingClientRect(); return !(r.width > 0 && r.height > 0); });
return [document.querySelectorAll('math').length, boxes.length, empty.map(e => e.localName)];
"""


def _missing() -> str | None:
    if importlib.util.find_spec("selenium") is None:
        return "selenium is not installed (pip install -e '.[test]')"
    for path, package in zip(CHROMIUM, ("chromium", "chromium-driver")):
        if not Path(path).exists():
            return f"{path} is missing (Debian: apt-get install {package})"
    return None


@pytest.fixture(scope="module")
def browser():
    missing = _missing()
    if missing:
        pytest.skip(f"no headless Chromium: {missing}")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="nnsolve-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM[0]
    for option in OPTIONS + (f"--user-data-dir={profile}",):
        options.add_argument(option)
    driver = webdriver.Chrome(options=options, service=Service(CHROMIUM[1]))
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.mark.parametrize("name", PAGES)
def test_page_renders_math_in_chromium(browser, name, tmp_path):
    page = tmp_path / f"{name}.html"
    page.write_text(render(nnsolve.solve(PAGES[name]), "html"), encoding="utf-8")
    browser.get(page.as_uri())

    maths, boxes, empty = browser.execute_script(EMPTY_BOXES)
    assert maths > 10 and boxes > maths
    assert empty == [], f"MathML elements without layout: {sorted(set(empty))}"
    text = browser.execute_script("return document.body.innerText")
    assert not re.search(r"\$|\\frac|\\begin|\\[A-Za-z]+\{", text), "LaTeX left as text"
    # Chromium lays MathML out natively: a fraction is taller than a line of text
    assert browser.execute_script(
        "const f = document.querySelector('mfrac'); return f === null || f.getBoundingClientRect().height > 20")

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shot = SCREENSHOTS / f"{name}.png"
    # the whole page, not only the window: Chromium's own capture beyond the viewport
    data = browser.execute_cdp_cmd("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True})
    shot.write_bytes(base64.b64decode(data["data"]))
    assert shot.stat().st_size > 10_000 and shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
