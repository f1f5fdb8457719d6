"""The documentation site as a reader's browser shows it: every page reached from index.html by
its links loads without a console error, every link and anchor it holds leads somewhere, nothing
scrolls sideways on a 390 px phone, the search finds a table, and without JavaScript every page
still reads and the A-Z index is one click away. Screenshots of every page at 1280 and 390 px go
to test-artifacts/docs/ for a human to look at."""

from __future__ import annotations

import shutil
import urllib.request
from dataclasses import dataclass, field
from urllib.parse import urldefrag, urljoin, urlparse

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, Response

from tests.browser.conftest import ARTIFACTS, SCREENSHOTS

WIDE, PHONE = 1280, 390

LINKS_AND_IDS = """() => ({
    links: Array.from(document.querySelectorAll("a[href]"), a => a.getAttribute("href")),
    ids: Array.from(document.querySelectorAll("[id]"), e => e.id),
})"""


@dataclass
class Crawl:
    """What the crawl saw: per file, its ids and the links it holds; every problem found."""

    ids: dict[str, set[str]] = field(default_factory=dict)
    links: dict[str, list[str]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    screenshots: list[str] = field(default_factory=list)


def _watch(page: Page, crawl: Crawl) -> None:
    def console(message: ConsoleMessage) -> None:
        if message.type == "error" and "favicon.ico" not in str(message.location.get("url", "")):
            crawl.problems.append(f"{page.url}: console error: {message.text}")

    def response(answer: Response) -> None:
        # The browser asks for /favicon.ico by itself; the site has none (nor needs one from disk).
        if answer.status >= 400 and not answer.url.endswith("/favicon.ico"):
            crawl.problems.append(f"{page.url}: {answer.url} answered {answer.status}")

    page.on("console", console)
    page.on("pageerror", lambda error: crawl.problems.append(f"{page.url}: page error: {error}"))
    page.on("response", response)
    page.on("requestfailed", lambda request: crawl.problems.append(f"{page.url}: {request.url} failed"))


@pytest.fixture(scope="module")
def crawl(browser: Browser, build_url: str, docs_url: str) -> Crawl:
    """Every file of the build reached from docs/index.html, named from the build's root: pages
    opened at both widths (screenshots taken), the diagrams' SVG files opened once, other files
    (migrations, pgTAP files) only fetched."""
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True)
    found = Crawl()
    context = browser.new_context(viewport={"width": WIDE, "height": 900})
    page = context.new_page()
    _watch(page, found)
    queue = [docs_url.removeprefix(build_url) + "index.html"]
    while queue:
        name = queue.pop(0)
        if name in found.ids:
            continue
        if not name.endswith((".html", ".svg")):
            with urllib.request.urlopen(build_url + name) as answer:  # raises on a missing file
                found.ids[name], found.links[name] = set(), []
                assert answer.status == 200
            continue
        page.set_viewport_size({"width": WIDE, "height": 900})
        page.goto(build_url + name, wait_until="load")
        seen = page.evaluate(LINKS_AND_IDS)
        found.ids[name], found.links[name] = set(seen["ids"]), seen["links"]
        for href in seen["links"]:
            target = urldefrag(urljoin(build_url + name, href)).url
            if not target.startswith(build_url):
                found.problems.append(f"{name}: links out of the site: {href}")
            elif target[len(build_url):] not in found.ids:
                queue.append(target[len(build_url):])
        if not name.endswith(".html"):
            continue
        stem = name.removesuffix(".html").removeprefix("docs/")
        for width in (WIDE, PHONE):
            page.set_viewport_size({"width": width, "height": 900})
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            if overflow > 0:
                found.problems.append(f"{name}: {overflow} px of sideways scroll at {width} px wide")
            shot = ARTIFACTS / f"{stem}-{width}.png"
            page.screenshot(path=shot, full_page=True)
            found.screenshots.append(shot.name)
            SCREENSHOTS.append(shot)
        # Opened, the SQL of policies, function bodies and views wraps rather than widens the page.
        page.evaluate("document.querySelectorAll('details').forEach(details => { details.open = true; })")
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        if overflow > 0:
            found.problems.append(f"{name}: {overflow} px of sideways scroll at {PHONE} px wide, details open")
    context.close()
    return found


def test_every_page_loads_without_errors(crawl: Crawl) -> None:
    pages = [name for name in crawl.ids if name.endswith(".html")]
    assert {"docs/index.html", "docs/az.html", "docs/overview.html"} <= set(pages)
    assert any(name.endswith(".svg") for name in crawl.ids), "no diagram opens at full size"
    assert [problem for problem in crawl.problems if "sideways" not in problem] == []


def test_every_link_and_anchor_leads_somewhere(crawl: Crawl, build_url: str) -> None:
    missing = []
    for name, links in crawl.links.items():
        for href in links:
            target, fragment = urldefrag(urljoin(build_url + name, href))
            path = urlparse(target).path.lstrip("/")
            if path not in crawl.ids:
                missing.append(f"{name}: {href} (no such file)")
            elif fragment and fragment not in crawl.ids[path]:
                missing.append(f"{name}: {href} (no #{fragment} there)")
    assert missing == []
    assert sum(len(links) for links in crawl.links.values()) > 1000


def test_no_page_scrolls_sideways_on_a_phone(crawl: Crawl) -> None:
    assert [problem for problem in crawl.problems if "sideways" in problem] == []
    pages = [name for name in crawl.ids if name.endswith(".html")]
    assert len(crawl.screenshots) == 2 * len(pages)
    assert all((ARTIFACTS / shot).stat().st_size > 1000 for shot in crawl.screenshots)


def test_the_search_finds_a_table_and_leads_to_it(browser: Browser, docs_url: str) -> None:
    context = browser.new_context(viewport={"width": PHONE, "height": 800})
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto(docs_url + "index.html")
    box = page.locator("#search-box")
    assert box.is_visible()
    box.fill("units")
    first = page.locator("#search-results a").first
    assert first.get_attribute("href") == "crm.html#table-units"
    assert "table" in first.inner_text()
    first.click()
    page.wait_for_url("**/crm.html#table-units")
    assert page.locator("#table-units").is_visible()
    box = page.locator("#search-box")
    box.fill("guard")
    assert page.locator("#search-results").is_visible()
    page.locator("footer").click()  # elsewhere: the list goes away
    assert not page.locator("#search-results").is_visible()
    box.fill("zzzz-no-such-name")
    assert page.locator("#search-results a").count() == 0
    assert "Nothing" in page.locator("#search-status").inner_text()
    context.close()
    assert problems == []


def test_without_javascript_the_pages_read_and_the_a_to_z_is_reachable(browser: Browser, docs_url: str) -> None:
    context = browser.new_context(viewport={"width": PHONE, "height": 800}, java_script_enabled=False)
    page = context.new_page()
    page.goto(docs_url + "index.html")
    assert not page.locator("#search-box").is_visible()  # the box needs the script: hidden without it
    assert page.locator("main h1").is_visible()
    page.locator('header.site a[href="az.html"]').click()
    page.wait_for_url("**/az.html")
    assert page.locator("#letter-u").is_visible()
    units = page.locator("li", has=page.locator("code", has_text="units")).first
    units.locator("a").first.click()
    page.wait_for_url("**/crm.html#table-units")
    assert page.locator("#table-units h2").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    context.close()
