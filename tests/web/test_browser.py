"""The web pages in headless Chromium against a real nnsolve server on 127.0.0.1 (issue 15): load an example and see
its worked solution with the math laid out; break a line and see the issue listed at that line and the line marked
in the gutter; enter a wrong answer on /check and see the first wrong step; upload a class CSV on /grade and
download the gradebook; summary, variants, export and the API page. A full-page screenshot of each page is kept as
tests/artifacts/screenshots/web-*.png (not in git; the docs' copies are docs/web/*.png).

One server and one browser serve the module. Skipped, with what is missing, where selenium, Chromium or its driver
is not installed (`make test` installs the Debian packages where it can).
"""
from __future__ import annotations

import re
import shutil
import tempfile
import zipfile
from pathlib import Path

import pytest

from browser_support import ROOT, Server, chromium, missing, screenshot, wait_for_file

DEMO = "demo-two-layer-tanh.yaml"
GRADING = ROOT / "examples" / "grading"
WAIT = 20          # seconds any one thing may take to appear (the first solve imports the solver)
# every MathML element in the solution whose box is empty (as tests/render/test_html_browser.py's EMPTY_BOXES)
EMPTY_BOXES = """
const root = document.querySelector(arguments[0]);
const boxes = [...root.querySelectorAll('math *')].filter(e => !['mspace', 'mrow', 'none'].includes(e.localName)
    && e.textContent.trim() !== '');
const empty = boxes.filter(e => { const r = e.getBoundingClientRect(); return !(r.width > 0 && r.height > 0); });
return [root.querySelectorAll('math').length, boxes.length, empty.map(e => e.localName)];
"""
# every resource the page loaded, to hold it to the promise that nothing comes from the network
RESOURCES = "return performance.getEntriesByType('resource').map(e => e.name).concat([location.href])"


@pytest.fixture(scope="module")
def site():
    reason = missing()
    if reason:
        pytest.skip(f"no browser test: {reason}")
    folder = Path(tempfile.mkdtemp(prefix="nnsolve-web-browser-"))
    downloads = folder / "downloads"
    downloads.mkdir()
    server = Server(folder / "data").start()
    driver = None
    try:
        driver = chromium(downloads, folder / "profile")
        yield Site(driver, server.url, downloads)
    finally:
        if driver is not None:
            driver.quit()
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)


class Site:
    def __init__(self, driver, url: str, downloads: Path):
        self.driver, self.url, self.downloads = driver, url, downloads

    def open(self, path: str) -> None:
        self.driver.get(self.url + path)
        self.until(lambda d: d.execute_script("return document.readyState") == "complete")

    def until(self, condition, timeout: float = WAIT, message: str = ""):
        from selenium.webdriver.support.ui import WebDriverWait
        return WebDriverWait(self.driver, timeout, poll_frequency=0.05).until(condition, message)

    def find(self, css: str):
        from selenium.webdriver.common.by import By
        return self.driver.find_element(By.CSS_SELECTOR, css)

    def all(self, css: str) -> list:
        from selenium.webdriver.common.by import By
        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def shown(self, css: str):
        """The element once it is displayed."""
        return self.until(lambda d: self.all(css) and self.all(css)[0].is_displayed() and self.all(css)[0],
                          message=f"{css} never appeared")

    def load(self, picker: str, name: str) -> None:
        """Choose a catalogue entry in a picker (once the catalogue has filled it) and load it."""
        from selenium.webdriver.support.ui import Select
        self.until(lambda d: self.all(f"#{picker} option[value='{name}']"), message=f"{name} not offered")
        Select(self.find(f"#{picker}")).select_by_value(name)
        self.find(f"#{picker}-load").click()

    def no_error(self) -> None:
        box = self.find("#error")
        assert not box.is_displayed(), f"the page shows an error: {box.text}"

    def local_only(self) -> None:
        for url in self.driver.execute_script(RESOURCES):
            assert url.startswith(self.url) or url.startswith(("blob:", "data:")), f"fetched from outside: {url}"

    def shoot(self, name: str) -> Path:
        shot = screenshot(self.driver, name)
        assert shot.stat().st_size > 10_000 and shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        return shot


def _math_laid_out(site: Site, root: str) -> None:
    maths, boxes, empty = site.driver.execute_script(EMPTY_BOXES, root)
    assert maths > 10 and boxes > maths
    assert empty == [], f"MathML elements without layout: {sorted(set(empty))}"
    text = site.find(root).text
    assert not re.search(r"\$|\\frac|\\begin|\\[A-Za-z]+\{", text), "LaTeX left as text"


def test_solve_an_example_then_break_a_line(site):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    site.open("/")
    site.load("example-picker", DEMO)
    site.until(lambda d: len(site.all("#solution math")) > 10, message="no solution with math")
    assert "Valid: dense_network" in site.find("#status").text
    _math_laid_out(site, "#solution")
    assert site.all("#solution figure.picture svg") or "Graphviz" in site.find("#solution").text
    assert "Demo: forward, loss, backprop" in site.find("#solution h1").text
    assert len(site.all("#gutter span")) == site.driver.execute_script(
        "return document.getElementById('editor').value.split('\\n').length")
    site.no_error()
    site.local_only()
    site.shoot("solve")

    # the first layer's biases lose one: typed as a user would, with the Delete key
    line, at = site.driver.execute_script("""
        const editor = document.getElementById('editor');
        const at = editor.value.indexOf('b: [0.5, 0.5, 0.5]') + 'b: [0.5, 0.5'.length;
        editor.focus(); editor.setSelectionRange(at, at);
        return [editor.value.slice(0, at).split('\\n').length, at];""")
    site.find("#editor").send_keys(Keys.DELETE * 5)
    assert "b: [0.5, 0.5]\n" in site.find("#editor").get_property("value")
    issue = site.until(lambda d: site.all(f"#issues li[data-line='{line}']"), message="the issue is not listed")[0]
    assert issue.text.startswith(f"line {line}: network.layers[0].b: expected 3 biases")
    marked = [span.text for span in site.all("#gutter span.bad")]
    assert marked == [str(line)]
    assert "1 issue" in site.find("#status").text
    site.shoot("solve-error")

    # solving it anyway: the API's located message in the error box, not swallowed
    site.find("#solve").click()
    box = site.shown("#error")
    assert f"line {line}: network.layers[0].b: expected 3 biases (one per unit of W), got 2" in box.text

    # fixed again, the issues go and a download arrives
    site.driver.execute_script(f"const e = document.getElementById('editor'); e.focus(); e.setSelectionRange({at}, {at})")
    ActionChains(site.driver).send_keys(", 0.5").perform()       # typed where the caret is
    assert "b: [0.5, 0.5, 0.5]\n" in site.find("#editor").get_property("value")
    site.until(lambda d: not site.all("#issues li") and not site.all("#gutter span.bad"), message="issues stay")
    site.find("#download-markdown").click()
    markdown = wait_for_file(site.downloads, "*.md")
    assert markdown.read_text(encoding="utf-8").startswith("# Demo: forward, loss, backprop")

    # the text kept across a reload (as a draft in the browser); saved, and opened again
    text = site.find("#editor").get_property("value")
    site.find("#save-name").clear()
    site.find("#save-name").send_keys("my demo")
    site.find("#save").click()
    site.until(lambda d: site.find("#save-status").text == "Saved as “my demo”.", message="not saved")
    site.open("/")
    site.until(lambda d: site.find("#editor").get_property("value") == text, message="the draft is not kept")
    site.driver.execute_script("const e = document.getElementById('editor'); e.value = '';"
                               "e.dispatchEvent(new Event('input'))")
    option = site.until(lambda d: [o for o in site.all("#saved-list option") if o.text.startswith("my demo (")],
                        message="the saved problem is not listed")[0]
    option.click()
    site.find("#open-saved").click()
    site.until(lambda d: site.find("#editor").get_property("value") == text, message="not reopened")
    assert site.find("#save-name").get_property("value") == "my demo"


def test_check_my_work_marks_the_first_wrong_step(site):
    site.open("/check")
    site.load("check-example", DEMO)
    site.until(lambda d: len(site.all("#answers input[data-id]")) == 22, message="no answer inputs")
    assert site.all("#question .questions li")          # the question alone …
    assert not site.all("#question section.answers")    # … not its solution: no answers, no value computed
    assert "0.8617" not in site.find("#question").text  # (h1 = tanh(u1) = 0.8617…)
    inputs = {i.get_attribute("data-id"): i for i in site.all("#answers input[data-id]")}
    assert inputs["u1"].find_element("xpath", "..").find_elements("css selector", "label math")   # its symbol

    inputs["u1"].send_keys("[13/10, -4.7, 3.6]")        # right (1.3, −4.7, 3.6), one entry as a fraction
    inputs["h1"].send_keys("[0.5, 0.5, 0.5]")           # wrong
    site.find("#check-answers").click()
    first = site.until(lambda d: site.all(".answer.first-wrong"), message="no first wrong step marked")
    assert [row.get_attribute("data-id") for row in first] == ["h1"]
    assert "your first wrong step" in first[0].text
    assert "right" in site.find(".answer[data-id='u1'] .verdict").text
    assert "right" in site.find(".answer[data-id='u1']").get_attribute("class")
    assert site.find("#check-summary").text == "1 of 2 right; your first wrong step: h1"
    # the reply carried no computed value: nothing on the page shows h1's right value, 0.8617…
    assert "0.8617" not in site.find("#content").text
    site.no_error()
    site.shoot("check")

    # revealed a step at a time (the givens from the start, the picture, which shows every value, at the end)
    site.find("#reveal").click()
    site.shown("#check-solution")
    visible = lambda: [s for s in site.all("#check-solution .step") if s.is_displayed()]  # noqa: E731
    steps = len(site.all("#check-solution .step"))
    givens = len(site.all("#question .step"))          # the handout's givens are the solution's too
    derived = steps - givens
    assert steps > 10 and givens > 3 and len(visible()) == givens + 1
    assert site.find("#step-count").text == f"1 of {derived + 1} steps shown"      # + the answers table
    assert not any(p.is_displayed() for p in site.all("#check-solution figure.picture"))
    site.find("#next-step").click()
    assert len(visible()) == givens + 2
    assert site.find("#step-count").text == f"2 of {derived + 1} steps shown"
    site.shoot("check-reveal")
    site.find("#show-all").click()
    assert len(visible()) == steps and site.find("#check-solution section.answers").is_displayed()
    assert all(p.is_displayed() for p in site.all("#check-solution figure.picture"))
    assert not site.find("#next-step").is_displayed()
    _math_laid_out(site, "#check-solution")


def test_check_my_work_on_a_problem_without_a_question_shows_the_file_without_its_key(site):
    """An architecture example with no statement: the printer has no question apart from the solution, so the page
    shows the file, without its answers: block (the key) and its comments."""
    site.open("/check")
    site.load("check-example", "bits-001/es-1a-cnn-output-shapes.yaml")
    note = site.until(lambda d: site.all("#question-note"), message="no note on the question")[0]
    assert "without its key" in note.text
    shown = site.find("#question pre").text
    assert "problem: architecture" in shown and "answers:" not in shown and "#" not in shown
    assert len(site.all("#answers input[data-id]")) == 3
    site.no_error()


def test_check_a_key_and_grade_a_class(site):
    site.open("/grade")
    site.load("key-example", "ntu-000/q2c-output-bce.yaml")
    site.until(lambda d: site.find("#key-problem").get_property("value").startswith(("#", "problem")))
    site.find("#check-key").click()
    rows = site.until(lambda d: site.all("#verdicts tbody tr"), message="no verdicts")
    assert len(rows) == 3
    assert site.find("#key-summary").text == "2 of 3 answers agree; first divergence: u3"
    assert "first-wrong" in rows[0].get_attribute("class") and "intermediates rounded to 2 dp" in rows[0].text
    site.until(lambda d: site.all("#key-solution math"))
    # each verdict on its step of the worked solution: the first divergence marked where u3 is computed
    first = site.until(lambda d: site.all("#key-solution .step.key-first"), message="no step marked")
    assert [step.get_attribute("data-id") for step in first] == ["u3"]
    assert first[0].find_element("css selector", ".key-verdict.bad").text.startswith("✗ the key's u3 = 1.48 (first")
    assert len(site.all("#key-solution .step.key-right .key-verdict.ok")) == 2

    site.load("grade-example", "grading/problem.yaml")
    site.until(lambda d: "marking:" in site.find("#grade-problem").get_property("value"))
    site.find("#grade-csv").send_keys(str(GRADING / "class.csv"))
    site.find("#grade-run").click()
    site.shown("#grade-result")
    book = site.until(lambda d: site.all("#gradebook tbody tr"), message="no gradebook")
    assert len(book) == 8 and book[0].text.startswith("s001")
    assert site.find("#grade-summary").text.startswith("Graded: Quiz 3")
    assert len(site.all("#charts svg")) >= 1
    assert site.all("#runs-list li[data-run]")
    site.no_error()
    site.local_only()
    site.shoot("grade")

    site.find("#download-gradebook").click()
    gradebook = wait_for_file(site.downloads, "gradebook-*.csv")
    lines = gradebook.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("student,h1,y,loss,dL/dW2,W2(1),") and lines[0].endswith(",total,first wrong,slips,remarks")
    assert len(lines) == 9 and lines[1].startswith("s001,")
    site.find("#download-feedback").click()              # each student's feedback page, marked again by the server
    feedback = zipfile.ZipFile(wait_for_file(site.downloads, "feedback-*.zip"))
    assert sorted(feedback.namelist()) == [f"s00{k}.html" for k in range(1, 9)]

    # the catalogue's class instead of a file: a second run, listed first
    site.find("#grade-example-class").click()
    site.until(lambda d: site.find("#grade-class-name").text == "using grading/class.csv")
    site.find("#grade-run").click()
    site.until(lambda d: len(site.all("#runs-list li[data-run]")) == 2, message="the second run is not listed")
    assert [li.get_attribute("data-run") for li in site.all("#runs-list li")] == ["2", "1"]
    assert site.find("#grade-saved").text == "Saved as run 2."


def test_summary_publish_and_api_pages(site):
    site.open("/summary")
    site.load("summary-example", "snippets/small_keras.py")
    site.until(lambda d: "Conv2D" in site.find("#snippet").get_property("value"))
    site.find("#summarize").click()
    rows = site.until(lambda d: site.all("#summary-table tbody tr"), message="no summary table")
    assert len(rows) == 8 and rows[1].text.split()[:2] == ["conv2d", "conv2d"]
    assert "34,826" in site.find("#summary-table tfoot").text
    assert site.all("#summary-conventions dt")
    site.no_error()
    site.shoot("summary")

    site.open("/publish")
    site.load("publish-example", "variants/dense-three-layer-backprop.yaml")
    site.until(lambda d: "variants:" in site.find("#publish-problem").get_property("value"))
    site.find("#vary-count").clear()
    site.find("#vary-count").send_keys("3")
    site.find("#vary-seed").send_keys("1")
    site.find("#vary").click()
    site.until(lambda d: len(site.all("#variants-list li")) == 3, message="no variants listed")
    assert site.find("#vary-report").text.startswith("Variants of problem.yaml (seed 1)")
    site.find("#vary-zip").click()
    archive = wait_for_file(site.downloads, "variants.zip")
    with zipfile.ZipFile(archive) as z:
        assert len([n for n in z.namelist() if n.endswith(".yaml")]) == 3
    from selenium.webdriver.support.ui import Select
    Select(site.find("#export-what")).select_by_value("variants")
    site.find("#export").click()
    xml = wait_for_file(site.downloads, "questions.xml")
    assert xml.read_text(encoding="utf-8").count("<question type=") >= 3
    site.no_error()
    site.shoot("publish")

    site.open("/api")
    endpoints = {e.find_element("css selector", "h2").text for e in site.all("section.endpoint")}
    assert {"POST /api/solve", "POST /api/grade", "POST /api/check-answers", "GET /api/examples"} <= endpoints
    assert site.find("#openapi-link").get_attribute("href") == site.url + "/openapi.json"
    site.local_only()
    site.shoot("api")


def test_bad_input_is_shown_not_swallowed(site):
    """A problem that is not YAML, pasted on /check: the error box says where."""
    site.open("/check")
    site.find("#check-paste summary").click()
    site.find("#check-problem").send_keys("problem: dense_network\nnetwork: [\n")
    site.find("#check-use").click()
    box = site.shown("#error")
    assert "line 3" in box.text and "not valid YAML/JSON" in box.text
    assert not site.all("#answers input")


# -- the pages as served, without a browser (these run where Chromium is missing too) ------------------------------
@pytest.fixture(scope="module")
def client(tmp_path_factory):
    from fastapi.testclient import TestClient

    from nnsolve.web.app import create_app
    from nnsolve.web.pool import InlinePool
    from nnsolve.web.storage import Storage
    with TestClient(create_app(InlinePool(), Storage(tmp_path_factory.mktemp("web-data")))) as c:
        yield c


PAGE_IDS = {"/": ["editor", "gutter", "issues", "solve", "solution", "example-picker", "saved-list", "save",
                  "download-markdown", "download-html", "download-latex", "download-json"],
            "/check": ["check-example", "check-problem", "question", "answers", "check-answers", "reveal",
                       "next-step", "show-all", "check-solution"],
            "/grade": ["key-problem", "check-key", "grade-problem", "grade-csv", "grade-columns", "grade-layout",
                       "grade-run", "gradebook", "charts", "download-gradebook", "download-report", "runs-list"],
            "/summary": ["snippet", "summary-kind", "input-shape", "flops", "summary-style", "summarize"],
            "/publish": ["publish-problem", "vary-count", "vary-seed", "vary", "vary-zip", "export-to", "export"],
            "/api": ["openapi-link"]}


@pytest.mark.parametrize("path", PAGE_IDS)
def test_page_is_served_with_its_ids_and_local_assets_only(client, path):
    reply = client.get(path)
    assert reply.status_code == 200 and reply.headers["content-type"].startswith("text/html")
    page = reply.text
    for name in PAGE_IDS[path] + ["error", "content"] + [f"nav-{n}" for n in ("solve", "check", "grade", "summary",
                                                                               "publish", "api")]:
        assert page.count(f'id="{name}"') == 1, name
    assert 'aria-current="page"' in page
    for link in re.findall(r'(?:src|href)="([^"]*)"', page):
        assert link.startswith(("/", "#")), f"{path} links outside the server: {link}"
    assert "http://" not in page and "https://" not in page


def test_assets_are_served(client):
    from nnsolve.render.html import CSS
    for path, kind in (("/static/app.js", "javascript"), ("/static/app.css", "text/css")):
        reply = client.get(path)
        assert reply.status_code == 200 and kind in reply.headers["content-type"] and len(reply.text) > 1000
        assert "http://" not in reply.text and "https://" not in reply.text, path
    reply = client.get("/static/solution.css")
    assert reply.status_code == 200 and reply.headers["content-type"].startswith("text/css") and reply.text == CSS


def test_api_page_lists_every_endpoint_of_the_schema(client):
    schema = client.get("/openapi.json").json()
    page = client.get("/api").text
    operations = [(method.upper(), path) for path, item in schema["paths"].items() for method in item]
    assert len(operations) >= 18
    for method, path in operations:
        assert f'<span class="method {method.lower()}">{method}</span> <code>{path}</code>' in page, (method, path)
    # a body's media types and a form's fields, a parameter's type and default
    assert "multipart/form-data" in page and "<code>submissions</code>" in page
    assert "json | html | markdown | latex | text" in page and "<code>\"json\"</code>" in page
    assert "<code>nnsolve solve</code>" in page            # the summaries' `code` as code
