"""The documentation site in a real browser: headless Chromium (Debian's) driven by Playwright."""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

from tests.pipeline.conftest import REPO
from upoe_compiler.api import compile_project

CHROMIUM = Path("/usr/bin/chromium")
# No network, no profile work: only the pages under test load.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = REPO / "test-artifacts" / "docs"


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="session")
def build_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The bundled spec compiled afresh, its build/ served over http on 127.0.0.1 (the docs link
    to the migrations and pgTAP files beside them)."""
    out = tmp_path_factory.mktemp("browser") / "build"
    compile_project(REPO / "spec", out)
    handler = functools.partial(_QuietHandler, directory=str(out))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def docs_url(build_url: str) -> str:
    return build_url + "docs/"


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.is_file():
        pytest.fail(f"{CHROMIUM} is missing: scripts/setup-test-env installs Debian's chromium")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


# The screenshots this run took (the crawl adds them), so that the summary never points at old ones.
SCREENSHOTS: list[Path] = []


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if SCREENSHOTS:
        terminalreporter.write_line(f"{len(SCREENSHOTS)} docs screenshots (1280 and 390 px wide): {ARTIFACTS}")
