"""Playwright driving Debian's Chromium (no browser download) against live_server."""

import os
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# between page actions are still synchronous, one at a time.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
BASE_DIR = Path(__file__).resolve().parents[3]
SCREENSHOTS = BASE_DIR / "test-artifacts" / "screenshots"
DOCS = BASE_DIR / "docs"


def pytest_collection_modifyitems(items):
    for item in items:
        if "/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test-browser` installs Debian's chromium")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": True,
        # Without these, Chromium tries the network at start-up, which this machine refuses.
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1280, "height": 900}}


@pytest.fixture
def screenshot(page):
    """Save the page under test-artifacts/ (ignored); with DOCS_SCREENSHOTS=1, the ones
    README shows (for_docs) also under docs/."""

    def save(name: str, for_docs: bool = False) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)
        if for_docs and os.environ.get("DOCS_SCREENSHOTS") == "1":
            DOCS.mkdir(exist_ok=True)
            page.screenshot(path=DOCS / f"{name}.png", full_page=True)

    return save


@pytest.fixture
def only_local_requests(page, live_server):
    """Fails the test if the page tried to fetch anything from outside this server.

    A request that the page's Content-Security-Policy blocked never left the browser.
    """
    outside = []
    page.on(
        "request",
        lambda request: (
            None if request.url.startswith((live_server.url, "data:", "blob:")) else outside.append(request)
        ),
    )
    yield
    settled = {}
    page.on("requestfailed", lambda request: settled.setdefault(request.url, request.failure or ""))
    page.on("requestfinished", lambda request: settled.setdefault(request.url, "finished"))
    for _ in range(50):  # up to 5 s for every outside request to end one way or the other
        for request in outside:
            if request.failure is not None:
                settled.setdefault(request.url, request.failure)
        if all(request.url in settled for request in outside):
            break
        page.wait_for_timeout(100)
    blocked_by_policy = {"csp", "net::ERR_BLOCKED_BY_CSP"}  # how Chromium reports it
    assert [r.url for r in outside if settled.get(r.url) not in blocked_by_policy] == []
