"""Web page fixtures: a served app, a real worker, and Debian's headless Chromium, offline.

The browser resolves no host name but 127.0.0.1 and sends every other request to a closed
proxy port, so a page asking for anything beyond the loopback (a CDN's script, a font)
fails to get it; its performance log keeps every URL asked for, which the tests check.
Screenshots go to ``SCANAPP_TEST_SCREENSHOTS`` when set, else to the test's temporary folder.
For the test client: the CSRF token of a page, signing in, users with authentication on.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from scanapp.services.users import create_user
from tests.cli.test_serve import serving
from tests.conftest import override
from tests.runs.conftest import Workers

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")


class Browser:
    """A headless Chromium session on one served app: pages, forms, screenshots, requests."""

    def __init__(self, driver, base: str, shots: Path):
        self.driver, self.base, self.shots = driver, base, shots
        shots.mkdir(parents=True, exist_ok=True)

    def open(self, path: str):
        """Load ``path`` of the served app; return the driver."""
        self.driver.get(f"{self.base}{path}")
        return self.driver

    def open_url(self, url: str) -> None:
        """Load any URL (one beyond the loopback fails: the browser is offline)."""
        try:
            self.driver.get(url)
        except WebDriverException:
            pass

    def find(self, css: str):
        """Return the first element matching ``css``."""
        return self.driver.find_element(By.CSS_SELECTOR, css)

    def find_all(self, css: str) -> list:
        """Return every element matching ``css``."""
        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def wait(self, condition, timeout: float = 30):
        """Wait until ``condition(driver)`` is true; return its value."""
        return WebDriverWait(self.driver, timeout, poll_frequency=0.2).until(condition)

    def screenshot(self, name: str) -> Path:
        """Save the whole page as ``<name>.png``; return its path."""
        height = self.driver.execute_script("return document.documentElement.scrollHeight")
        self.driver.set_window_size(1366, max(800, min(int(height) + 40, 6000)))
        path = self.shots / f"{name}.png"
        self.driver.save_screenshot(str(path))
        self.driver.set_window_size(1366, 900)
        return path

    def requested_urls(self) -> list[str]:
        """Return the URLs the pages asked for since the last call (the performance log)."""
        urls = []
        for entry in self.driver.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            if message["method"] == "Network.requestWillBeSent":
                urls.append(message["params"]["request"]["url"])
        return urls

    def cookie(self, name: str) -> dict | None:
        """Return the browser's cookie ``name``, or None."""
        return self.driver.get_cookie(name)


def _options(script: bool = True):
    options = Options()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=1366,900", "--no-first-run", "--disable-extensions",
                     "--disable-background-networking", "--disable-component-update",
                     "--disable-sync", "--disable-default-apps",
                     # The network is off but for the loopback: names do not resolve, and
                     # every request to another address goes to a closed port.
                     "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
                     "--proxy-server=http://127.0.0.1:9"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    if not script:
        options.add_experimental_option(
            "prefs", {"profile.managed_default_content_settings.javascript": 2})
    return options


def start_browser(base: str, shots: Path, script: bool = True) -> Browser:
    """Start headless Chromium (offline; ``script``: JavaScript on) on the app at ``base``."""
    if not (CHROMIUM and CHROMEDRIVER):
        pytest.fail("chromium and chromedriver are needed: `make services` installs them")
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=_options(script))
    driver.set_page_load_timeout(60)
    return Browser(driver, base, shots)


@pytest.fixture
def served_app(redis_url, tmp_path, request):
    """``scanapp serve`` on the test settings (``request.param``: more variables); its URL."""
    env = dict(os.environ, **getattr(request, "param", {}))
    with serving(env, tmp_path / "serve.log") as base:
        yield base


@pytest.fixture
def workers(redis_url, tmp_path):
    """Real ``scanapp worker`` processes on the test Redis and database."""
    started = Workers(tmp_path)
    yield started
    started.stop_all()


@pytest.fixture
def shots(tmp_path, request) -> Path:
    """The test's screenshot folder: under ``SCANAPP_TEST_SCREENSHOTS``, else temporary."""
    name = re.sub(r"\W+", "-", request.node.name).strip("-")
    folder = os.environ.get("SCANAPP_TEST_SCREENSHOTS")
    return Path(folder) / name if folder else tmp_path / "screenshots"


@pytest.fixture
def browser(served_app, shots):
    """Headless Chromium on the served app, offline; closed after the test."""
    started = start_browser(served_app, shots)
    try:
        yield started
    finally:
        started.driver.quit()


CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(client) -> str:
    """Return the session's CSRF token, as the sign-in form carries it."""
    found = CSRF.search(client.get("/login").get_data(as_text=True))
    assert found, "no csrf_token on /login"
    return found.group(1)


def sign_in(client, key: str) -> str:
    """Sign ``client`` in with ``key``; return the session's (new) CSRF token."""
    response = client.post("/login", data={"key": key, "csrf_token": csrf_of(client)})
    assert response.status_code == 302, response.get_data(as_text=True)
    return csrf_of(client)


def post(client, path: str, token: str, **data):
    """Post a form with the CSRF token ``token``."""
    return client.post(path, data={"csrf_token": token, **data})


@pytest.fixture
def users(settings):
    """Authentication on; alice, bob, carol (carol@example.com) and their keys."""
    override(require_authentication=True)
    return {"alice": create_user("alice"), "bob": create_user("bob"),
            "carol": create_user("carol", email="carol@example.com")}


@pytest.fixture
def as_user(app, users):
    """Return a test client signed in as a user, and its CSRF token."""
    def signed(who: str):
        client = app.test_client()
        return client, sign_in(client, users[who])
    return signed


def text(response) -> str:
    """Return the page's HTML."""
    return response.get_data(as_text=True)
