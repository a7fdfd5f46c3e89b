"""What the web app's browser tests share: a real nnsolve server on 127.0.0.1 in a background thread (uvicorn, the
jobs done in the server's own process), and headless Chromium (Debian's `chromium` and `chromium-driver`, through
selenium, set up as tests/render/test_html_browser.py does) that saves downloads into a folder of its own.
"""
from __future__ import annotations

import base64
import importlib.util
import os
import socket
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "tests" / "artifacts" / "screenshots"
CHROMIUM = ("/usr/bin/chromium", "/usr/bin/chromedriver")
OPTIONS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           "--window-size=1000,1400")


def missing() -> str | None:
    """What the browser tests need and this machine lacks, said so that one can install it; None: nothing."""
    for module in ("selenium", "uvicorn", "fastapi", "jinja2", "multipart"):
        if importlib.util.find_spec(module) is None:
            return f"{module} is not installed (pip install -e '.[test]')"
    for path, package in zip(CHROMIUM, ("chromium", "chromium-driver")):
        if not Path(path).exists():
            return f"{path} is missing (Debian: apt-get install {package})"
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """nnsolve's web app served by uvicorn in a thread; `url` once started; `stop()` ends it."""

    def __init__(self, data: Path):
        import uvicorn

        from nnsolve.web.app import create_app
        from nnsolve.web.pool import InlinePool, WorkerPool
        from nnsolve.web.storage import Storage

        # the jobs in the server's own thread (one browser at a time); NNSOLVE_WEB_TEST_WORKERS=N: in N worker
        # processes, as `nnsolve serve` does them
        workers = int(os.environ.get("NNSOLVE_WEB_TEST_WORKERS") or 0)
        pool = WorkerPool(workers) if workers else InlinePool()
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(create_app(pool, Storage(data)), host="127.0.0.1", port=self.port,
                                log_level="warning", lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name="nnsolve-web-test", daemon=True)

    def start(self, timeout: float = 15.0) -> "Server":
        self.thread.start()
        until = time.monotonic() + timeout
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > until:
                raise RuntimeError(f"the test server did not start on port {self.port}")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def chromium(downloads: Path, profile: Path):
    """Headless Chromium that saves downloads into `downloads` without asking."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM[0]
    for option in OPTIONS + (f"--user-data-dir={profile}",):
        options.add_argument(option)
    options.add_experimental_option("prefs", {"download.default_directory": str(downloads),
                                              "download.prompt_for_download": False,
                                              "safebrowsing.enabled": False})
    driver = webdriver.Chrome(options=options, service=Service(CHROMIUM[1]))
    # headless Chromium saves downloads only where it is told to
    driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    return driver


def screenshot(driver, name: str) -> Path:
    """The whole page (beyond the window) as tests/artifacts/screenshots/web-NAME.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shot = SCREENSHOTS / f"web-{name}.png"
    data = driver.execute_cdp_cmd("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True})
    shot.write_bytes(base64.b64decode(data["data"]))
    return shot


def wait_for_file(folder: Path, pattern: str, timeout: float = 10.0) -> Path:
    """A download that has finished arriving in `folder` (Chromium writes *.crdownload first)."""
    until = time.monotonic() + timeout
    while time.monotonic() < until:
        done = [p for p in folder.glob(pattern) if not p.name.endswith(".crdownload")]
        if done and done[0].stat().st_size > 0:
            return done[0]
        time.sleep(0.05)
    raise AssertionError(f"no download matching {pattern} arrived in {folder}: {sorted(p.name for p in folder.iterdir())}")
