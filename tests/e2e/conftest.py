"""Browser tests drive Debian's Chromium through Playwright; nothing may leave this machine."""

import os
import shutil
from urllib.parse import urlparse

import pytest

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM):
        pytest.fail(
            f"Chromium is needed for the browser tests and is not at {CHROMIUM}; run `make setup`."
        )
    # Playwright's sync API runs its own event loop; Django must not see it as async context.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh page that records every request leaving the live server."""
    context = browser.new_context(viewport={"width": 412, "height": 860})  # a phone first
    page = context.new_page()
    page.outside_requests = []
    host = urlparse(live_server.url).netloc

    def watch(request):
        parsed = urlparse(request.url)
        if parsed.scheme in ("http", "https") and parsed.netloc != host:
            page.outside_requests.append(request.url)

    page.on("request", watch)
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    yield page
    context.close()
