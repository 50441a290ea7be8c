"""The Allure report as a person sees it: built twice from a small checked-in result set (one
passed, one failed with attachments, one skipped) with the suite's allurerc.mjs, opened from disk
in headless Chromium (Debian's `chromium`, driven by Playwright without a browser download).

Screenshots of what was checked are kept in reports/screenshots/.
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RESULTS = Path(__file__).resolve().parent / "results"
ALLURE = ROOT / ".tools" / "allure" / "node_modules" / ".bin" / "allure"
CHROMIUM = Path("/usr/bin/chromium")
SHOTS = ROOT / "reports" / "screenshots"
# Chromium flags for a quiet, self-contained headless run: no GPU, no network of its own.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is a dev dependency (scripts/setup.sh)")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed (scripts/setup.sh)"),
    pytest.mark.skipif(not ALLURE.exists(), reason="the Allure CLI is not installed (scripts/setup.sh)"),
]


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


class Site:
    """The scenario matrix on 127.0.0.1, standing in for docs/MATRIX.md: a link must lead there."""

    def __init__(self, directory: Path) -> None:
        handler = functools.partial(QuietHandler, directory=str(directory))
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def build(results: Path, output: Path, history: Path) -> float:
    started = time.monotonic()
    env = {**os.environ, "ARENA_ALLURE_OUTPUT": str(output), "ARENA_ALLURE_HISTORY": str(history)}
    proc = subprocess.run([str(ALLURE), "generate", str(results), "--config", "allurerc.mjs"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, f"allure generate failed: {proc.stdout[-2000:]}{proc.stderr[-2000:]}"
    return time.monotonic() - started


@pytest.fixture(scope="module")
def reports():
    work = Path(tempfile.mkdtemp(prefix="arena-report-test-"))
    site_dir = work / "site"
    site_dir.mkdir()
    (site_dir / "MATRIX.html").write_text(
        "<html><body><h1>Scenario matrix</h1><h2 id='INT-001'>INT-001 A run completes</h2>"
        "<h2 id='INT-002'>INT-002 Provider failures are surfaced</h2></body></html>")
    site = Site(site_dir)
    results = work / "results"
    shutil.copytree(RESULTS, results)
    for path in results.glob("*-result.json"):  # the link pattern of a run configured for this site
        path.write_text(path.read_text().replace("{matrix}", f"{site.url}/MATRIX.html"))
    history = work / "history.jsonl"
    first = build(results, work / "report-1", history)
    second = build(results, work / "report-2", history)
    print(f"\n[report test] builds took {first:.2f} s and {second:.2f} s")
    yield {"first": work / "report-1" / "index.html", "second": work / "report-2" / "index.html",
           "history": history, "site": site.url, "seconds": (first, second)}
    site.close()
    shutil.rmtree(work, ignore_errors=True)


@pytest.fixture(scope="module")
def chromium():
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as pw:
        # launch() gives Chromium a fresh temporary --user-data-dir of its own
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def browser(chromium):
    """A fresh context per test, as a new person opening the report: the report remembers the
    last section viewed (local storage), which would carry over from one test to the next."""
    context = chromium.new_context(viewport={"width": 1400, "height": 900})
    yield context
    context.close()


def open_report(browser, index: Path):
    page = browser.new_page()
    page.goto(index.as_uri())  # from disk, as a double-click opens it
    try:
        page.wait_for_selector("text=Metadata", timeout=30_000)
    except sync_api.TimeoutError:
        # Once in ~20 CI runs headless Chromium left this one page blank for a minute while the
        # same file opened at once in the other tests: reloaded once, as a person would.
        page.reload()
        page.wait_for_selector("text=Metadata", timeout=60_000)
    return page


def open_test(page, name: str) -> None:
    page.get_by_placeholder("Search tests").fill(name)
    page.get_by_text(name, exact=True).first.click()
    page.wait_for_selector("text=Test body", timeout=20_000)


def text_of(page) -> str:
    return re.sub(r"\s+", " ", page.inner_text("body"))


def test_the_single_file_report_opens_from_disk_with_the_counts(reports, browser):
    page = open_report(browser, reports["second"])
    body = text_of(page)
    page.screenshot(path=str(SHOTS / "1-overview.png"), full_page=True)
    assert "Arena acceptance" in body
    assert re.search(r"Total 3 .*Failed 1 Passed 1 Skipped 1", body), body[:600]
    # environment and executor, so a red report says where it ran
    for fact in ("commit 0123456789ab", "images.source kit", "docker.compose 2.40.3", "executor fixture run"):
        assert fact in body, f"{fact!r} not in the overview: {body[:800]}"
    # navigation starts at the epic
    assert page.get_by_text("Runs", exact=True).count() and page.get_by_text("Platform", exact=True).count()
    page.close()


def test_the_failed_scenario_shows_its_message_category_and_attachments(reports, browser):
    page = open_report(browser, reports["second"])
    open_test(page, "A failing provider is surfaced on the run")
    body = text_of(page)
    assert "got status 'completed' with score 1.0" in body
    assert "Category: Product defect" in body
    assert "API exchanges (secrets masked)" in body and "Stored events of run 42" in body
    page.get_by_text("Stored events of run 42").first.click()  # an attachment opens in place
    page.wait_for_selector("text=09:00:01.900000", timeout=5_000)
    page.screenshot(path=str(SHOTS / "2-failed-scenario.png"), full_page=True)
    page.close()


def test_the_second_build_remembers_the_first(reports, browser):
    assert len(reports["history"].read_text().splitlines()) == 2, "history.jsonl should hold both builds"
    first = open_report(browser, reports["first"])
    open_test(first, "A failing provider is surfaced on the run")
    # expect() waits for the tab to settle: its counter is rendered after the test's data loads
    sync_api.expect(first.locator("text=History").first).to_have_text(re.compile(r"^\s*History\s*$"))
    first.close()
    page = open_report(browser, reports["second"])
    open_test(page, "A failing provider is surfaced on the run")
    history_tab = page.locator("text=History").first
    sync_api.expect(history_tab).to_have_text(re.compile(r"^\s*History\s*1\s*$"), timeout=10_000)
    history_tab.click()
    page.wait_for_timeout(300)  # a tab switch renders at once; the screenshot shows its content
    page.screenshot(path=str(SHOTS / "3-history.png"), full_page=True)
    page.close()


def test_a_matrix_id_is_a_link_that_resolves(reports, browser):
    page = open_report(browser, reports["second"])
    open_test(page, "A failing provider is surfaced on the run")
    link = page.locator("[data-testid=test-result-meta-link] a", has_text="INT-002")
    assert link.get_attribute("href") == f"{reports['site']}/MATRIX.html#INT-002"
    with browser.expect_page(timeout=10_000) as opened:
        link.click()
    matrix = opened.value
    matrix.wait_for_load_state()
    assert "INT-002 Provider failures are surfaced" in matrix.inner_text("body")
    matrix.screenshot(path=str(SHOTS / "4-matrix-link.png"))
    matrix.close()
    page.close()


def status_dynamics(browser, index: Path, settled: str, shot: str | None = None) -> str:
    """The text of the trend chart "Status dynamics" (Report menu > Graphs): its x axis lists
    the earlier builds' dates, then "Latest". `settled`: a text that shows the chart is drawn."""
    page = open_report(browser, index)
    page.locator("button", has_text="Report").first.click()
    page.get_by_text("Graphs", exact=True).last.click()
    page.wait_for_selector("text=Status dynamics", timeout=20_000)
    page.wait_for_selector(f"text={settled}", timeout=20_000)  # charts are drawn after the page
    if shot:
        page.screenshot(path=str(SHOTS / shot), full_page=True)
    body = text_of(page)
    page.close()
    return body.split("Status dynamics", 1)[1].split("Test results by severities", 1)[0]


def test_the_trend_grows_with_the_second_build(reports, browser):
    dated = re.compile(r"\d{1,2}/\d{1,2}/\d{4}")
    first = status_dynamics(browser, reports["first"], settled="No history information available")
    second = status_dynamics(browser, reports["second"], settled="Latest", shot="5-trend.png")
    assert "No history information available" in first, f"the first build has no earlier point: {first}"
    assert "Latest" in second and len(dated.findall(second)) >= 1, f"the second build shows the first: {second}"
