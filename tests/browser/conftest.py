"""Real Chromium (Debian's) driven by Playwright against the app served on 127.0.0.1."""

from __future__ import annotations

import os
import shutil
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from companion import create_app
from companion.config import TestConfig
from tests.conftest import empty

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).parent / "artifacts"
PHONE = {"viewport": {"width": 360, "height": 740}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium; missing Chromium fails the run in CI and skips elsewhere."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"Chromium is not installed at {CHROMIUM}; .ci/run installs Debian's chromium")
        pytest.skip(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium); CI runs these")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )
        yield browser
        browser.close()


@pytest.fixture
def live_app(database_uri, tmp_path):
    """The app on an empty database, for the live server."""
    app = create_app(TestConfig(database_uri))
    app.instance_path = str(tmp_path / "instance")
    yield app
    empty(app)


def read_whole(app):
    """Each answer read (and its file closed) before it is sent. Werkzeug's server skips closing a response's
    file when the browser drops the connection first (a closing test context cancels the service worker's
    downloads), and the unclosed file then fails whichever test is running with a ResourceWarning."""

    def wsgi(environ, start_response):
        body = app(environ, start_response)
        try:
            return [b"".join(body)]
        finally:
            if hasattr(body, "close"):
                body.close()

    return wsgi


@contextmanager
def serving(app):
    """``app`` served by a real HTTP server on 127.0.0.1; gives its base URL."""
    server = make_server("127.0.0.1", 0, read_whole(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


@pytest.fixture
def live_server(live_app):
    """The app served by a real HTTP server on 127.0.0.1; yields its base URL."""
    with serving(live_app) as url:
        yield url


@pytest.fixture
def page(browser, live_server):
    """A phone-sized page whose console errors and CSP violations fail the test."""
    context = browser.new_context(base_url=live_server, **PHONE)
    page = context.new_page()
    problems: list[str] = []
    # A form answered 422 is expected; a script, style or image that fails to load is not.
    page.on("console", lambda message: problems.append(message.text)
            if message.type == "error" and not message.text.startswith("Failed to load resource") else None)
    page.on("response", lambda response: problems.append(f"{response.status} {response.url}")
            if response.status >= 400 and response.request.resource_type != "document" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("request", lambda request: problems.append(f"off-site request {request.url}")
            if not request.url.startswith((live_server, "data:")) else None)
    yield page
    context.close()
    assert problems == [], problems


def save_screenshot(page, name: str, full_page: bool = True) -> Path:
    """Save a screenshot of ``page`` as tests/browser/artifacts/<name>.png (to look at).

    Written aside and moved into place: under xdist the SQLite and PostgreSQL runs of one test may save
    the same name at the same moment, and each must leave a whole picture.
    """
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    draft = path.with_name(f".{name}.{os.getpid()}.png")
    draft.write_bytes(page.screenshot(full_page=full_page))
    os.replace(draft, path)
    return path


@pytest.fixture
def screenshot(page, request):
    """Save a screenshot of the page under tests/browser/artifacts/ (to look at)."""
    return lambda name, full_page=True: save_screenshot(page, name, full_page)


def axe_violations(page) -> list[dict]:
    """axe-core's violations on the current page, with its default rules (best practices included)."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [{"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]]}
            for v in results.response["violations"]]


def chromium_available() -> bool:
    return shutil.which(CHROMIUM) is not None
