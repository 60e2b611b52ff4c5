"""The pages driven in headless Chromium, offline, on a real server and a real worker.

A project is created by upload, its run followed live to success on ``scanapp worker``,
its charts opened, a file's license lines seen highlighted, its XLSX and CycloneDX
downloaded; a running scan is stopped from its page; a token signs in when authentication
is on; a form posted without its CSRF token is refused. Every page is checked to ask for
nothing beyond the loopback, and saved as a screenshot.
"""

from __future__ import annotations

import json
import time

import pytest
import requests
from openpyxl import load_workbook
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
from selenium.webdriver.common.by import By

from scanapp.services import users
from tests.conftest import DATA_DIR
from tests.web.conftest import start_browser

pytestmark = pytest.mark.timeout(420)
#: The package the tour scans: a wheel of 13 files (MIT), quick to scan.
PACKAGE, VERSION, LICENSE = "platformdirs", "4.2.1", "mit"
ARCHIVE = DATA_DIR / f"{PACKAGE}-{VERSION}-py3-none-any.whl"


def assert_offline(browser) -> None:
    """Every URL the pages asked for is the served app's (or inline data)."""
    asked = browser.requested_urls()
    assert asked, "the performance log recorded no request"
    assert [url for url in asked if not url.startswith((browser.base, "data:"))] == []


def create_by_upload(browser, name: str, archive, pipeline: str) -> str:
    """Fill and send the create form with one upload; return the new project's uuid."""
    browser.open("/projects/new")
    browser.find("input[name=name]").send_keys(name)
    browser.find("input[name=upload_file]").send_keys(str(archive))
    browser.find(f"input[name=pipeline][value={pipeline}]").click()
    browser.find("form#create button[type=submit]").click()
    browser.wait(lambda driver: "/projects/new" not in driver.current_url)
    return browser.driver.current_url.rstrip("/").rsplit("/", 1)[-1]


def run_status(browser) -> str:
    """The status the project page shows for its last run ("" while the part is replaced)."""
    try:
        rows = browser.find_all("#runs tr.run")
        return rows[-1].get_attribute("data-status") if rows else ""
    except StaleElementReferenceException:  # the page script has just replaced the runs part
        return ""


def click_when_there(browser, css: str) -> None:
    """Click ``css``, found again if the page script replaces it meanwhile."""
    def clicked(_driver) -> bool:
        try:
            browser.find(css).click()
        except (StaleElementReferenceException, NoSuchElementException):
            return False
        return True

    browser.wait(clicked, timeout=10)


def download(browser, tmp_path, link_css: str, suffix: str):
    """Click a download link; return the file the browser saved."""
    folder = tmp_path / "downloads"
    folder.mkdir(exist_ok=True)
    browser.driver.execute_cdp_cmd("Page.setDownloadBehavior",
                                   {"behavior": "allow", "downloadPath": str(folder)})
    before = set(folder.iterdir())
    browser.find(link_css).click()
    saved = browser.wait(lambda _driver: [path for path in folder.iterdir() if path not in before
                                          and path.name.endswith(suffix)], timeout=60)
    return saved[0]


def test_a_project_is_created_watched_to_success_and_read(browser, workers, tmp_path):
    browser.open("/")
    assert browser.driver.current_url.endswith("/projects/")
    browser.screenshot("01-projects-empty")
    uuid = create_by_upload(browser, PACKAGE, ARCHIVE, "scan_single_package")
    browser.screenshot("02-project-queued")
    workers.start()
    # The page follows the run itself (its script replaces the runs part): no reload here.
    browser.wait(lambda _driver: run_status(browser) == "running", timeout=120)
    browser.screenshot("03-project-running")
    browser.wait(lambda _driver: run_status(browser) == "success", timeout=240)
    browser.wait(lambda driver: driver.find_elements(By.CSS_SELECTOR, "#runs .log"))
    browser.screenshot("04-project-success")

    browser.open(f"/projects/{uuid}/charts")
    licenses = browser.find("#chart-licenses").text
    assert LICENSE in licenses.lower()
    browser.screenshot("05-charts")

    detected = requests.get(f"{browser.base}/api/projects/{uuid}/resources/",
                            params={"detected_license_expression": LICENSE}, timeout=30)
    path = next(item["path"] for item in detected.json()["results"] if item["type"] == "file")
    folder = path.rsplit("/", 1)[0]
    browser.open(f"/projects/{uuid}/resources/{folder}")
    browser.screenshot("06-resource-tree")
    browser.find(f"a[href$='/resources/{path}']").click()
    highlighted = browser.wait(lambda driver: driver.find_elements(
        By.CSS_SELECTOR, ".line.license"))
    assert LICENSE in (highlighted[0].get_attribute("title") or "").lower() + \
        highlighted[0].text.lower() + browser.find("body").text.lower()
    browser.screenshot("07-file-viewer")

    browser.open(f"/projects/{uuid}/downloads")
    browser.screenshot("08-downloads")
    workbook = load_workbook(download(browser, tmp_path, "a[href*='/download/xlsx']", ".xlsx"))
    assert "PACKAGES" in workbook.sheetnames
    saved = download(browser, tmp_path, "a[href*='/download/cyclonedx']", ".json")
    bom = json.loads(saved.read_text())
    assert bom["bomFormat"] == "CycloneDX"
    assert any(component["name"] == PACKAGE for component in bom["components"])
    for number, (name, path, shown) in enumerate((
            ("packages", f"/projects/{uuid}/packages", f"pkg:pypi/{PACKAGE}@{VERSION}"),
            ("dependencies", f"/projects/{uuid}/dependencies", "pkg:pypi/"),
            ("compliance", f"/projects/{uuid}/compliance", "Compliance"),
            ("vulnerabilities", f"/projects/{uuid}/vulnerabilities", "vulndb load"),
            ("webhooks", f"/projects/{uuid}/webhooks", "Webhooks"),
            ("package-search", f"/packages/?purl=pkg:pypi/{PACKAGE}", PACKAGE),
            ("package", f"/packages/pypi/{PACKAGE}", VERSION),
            ("compare", f"/compare/?a={uuid}&b={uuid}", PACKAGE)), start=9):
        browser.open(path)
        assert shown in browser.find("main").text, name
        browser.screenshot(f"{number:02d}-{name}")
    assert_offline(browser)


def test_the_pages_read_without_javascript(served_app, shots):
    key_free = requests.post(f"{served_app}/api/projects/", data={"name": "plain"},
                             files={"upload_file": open(DATA_DIR / "click-8.1.8.tar.gz", "rb")},
                             timeout=30).json()
    browser = start_browser(served_app, shots, script=False)
    try:
        browser.open("/projects/")
        browser.find("a[href*='/projects/" + key_free["uuid"] + "']").click()
        assert "click-8.1.8.tar.gz" in browser.find("main").text
        browser.find("nav.tabs a[href$='/downloads']").click()
        assert browser.find_all("a[href*='/download/']")
        browser.screenshot("01-downloads-without-script")
        assert "js" not in (browser.find("html").get_attribute("class") or "")  # no script ran
    finally:
        browser.driver.quit()


def test_a_running_scan_is_stopped_from_its_page(browser, workers, monkeypatch):
    monkeypatch.setenv("SCANAPP_PROCESSES", "1")  # the worker scans on one process: slower
    workers.start()
    uuid = create_by_upload(browser, "click", DATA_DIR / "click-8.1.8.tar.gz", "scan_codebase")
    browser.wait(lambda _driver: run_status(browser) == "running", timeout=120)
    browser.screenshot("01-scan-running")
    click_when_there(browser, "#runs button[name=stop]")
    browser.wait(lambda _driver: run_status(browser) == "stopped", timeout=60)
    browser.screenshot("02-scan-stopped")
    run = requests.get(f"{browser.base}/api/projects/{uuid}/", timeout=30).json()["runs"][0]
    assert run["status"] == "stopped"
    assert_offline(browser)


@pytest.mark.parametrize("served_app", [{"SCANAPP_REQUIRE_AUTHENTICATION": "true"}],
                         indirect=True)
def test_a_token_signs_in_when_authentication_is_on(browser):
    key = users.create_user("alice")
    browser.open("/projects/")
    assert "/login" in browser.driver.current_url
    browser.find("input[name=key]").send_keys("not-a-token")
    browser.find("form button[type=submit]").click()
    assert "not valid" in browser.find("[role=alert]").text
    browser.screenshot("01-sign-in-refused")
    browser.find("input[name=key]").send_keys(key)
    browser.find("form button[type=submit]").click()
    browser.wait(lambda driver: driver.current_url.endswith("/projects/"))
    assert "Sign out alice" in browser.find("header").text
    cookie = browser.cookie("scanapp_session")
    assert cookie["httpOnly"] is True and cookie["sameSite"] == "Lax"
    assert key not in cookie["value"]
    browser.screenshot("02-signed-in")
    browser.open("/organizations/")
    browser.find("main details summary").click()  # the create form is folded
    browser.find("main form[action='/organizations/'] input[name=name]").send_keys("acme")
    browser.find("main form[action='/organizations/'] button[type=submit]").click()
    browser.wait(lambda driver: "/organizations/acme/" in driver.current_url)
    assert "alice" in browser.find("main").text
    browser.screenshot("03-organization")
    browser.open("/tokens/")
    assert "default" in browser.find("main").text
    browser.screenshot("04-tokens")
    browser.find("header form button").click()
    browser.wait(lambda driver: "/login" in driver.current_url)
    browser.open("/projects/")
    assert "/login" in browser.driver.current_url
    assert_offline(browser)


def test_a_form_posted_without_its_csrf_token_is_refused(browser):
    browser.open("/projects/new")
    browser.find("input[name=name]").send_keys("forged")
    browser.driver.execute_script("document.querySelector('input[name=csrf_token]').remove()")
    browser.find("form#create button[type=submit]").click()
    assert "CSRF token" in browser.wait(lambda driver: driver.find_element(
        By.CSS_SELECTOR, "[role=alert]")).text
    browser.screenshot("01-csrf-refused")
    assert requests.get(f"{browser.base}/api/projects/", timeout=30).json()["count"] == 0
    # A page of another site posting here is refused the same way.
    forged = requests.post(f"{browser.base}/projects/new", data={"name": "forged"}, timeout=30)
    assert forged.status_code == 400
    assert requests.get(f"{browser.base}/api/projects/", timeout=30).json()["count"] == 0


def test_api_docs_work_offline(browser):
    browser.open("/api/docs/")
    title = browser.wait(lambda driver: driver.find_elements(By.CSS_SELECTOR, ".swagger-ui .title"),
                         timeout=30)
    assert "scanapp" in title[0].text
    time.sleep(0.5)  # the operations drawn from the document
    assert browser.find_all(".opblock")
    browser.screenshot("01-api-docs")
    assert_offline(browser)
    # The browser is offline indeed: Swagger UI's CDN is out of its reach.
    browser.open_url("https://cdn.jsdelivr.net/npm/swagger-ui-dist/swagger-ui.css")
    assert "swagger-ui" not in browser.driver.page_source
