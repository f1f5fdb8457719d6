"""The documentation site in build/docs/: complete, linked, escaped, well-formed, stable."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.pipeline.conftest import REPO, SpecFolder
from upoe_compiler import ir
from upoe_compiler.api import CompileResult, compile_project
from upoe_compiler.render.docs import TEMPLATE_NAMES, page_of
from upoe_compiler.render.environment import make_environment

HOSTILE = '<script>alert(1)</script> "quotes" & ampersands'
CONTAINERS = {"html", "head", "body", "header", "nav", "main", "footer", "section", "table", "thead", "tbody",
              "tr", "td", "th", "ul", "li", "dl", "dt", "dd", "details", "summary", "pre", "code", "svg", "g",
              "a", "p", "div", "h1", "h2", "h3", "title", "defs", "marker", "text", "path"}
VOID = {"meta", "link", "br", "hr", "img", "input"}


class Page(HTMLParser):
    """Collects ids, links, table cells and tag-balance problems of one page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.problems: list[str] = []
        self.ids: set[str] = set()
        self.links: list[str] = []
        self.sources: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(values["id"] or "")
        if values.get("href") is not None:
            self.links.append(values["href"] or "")
        if tag in ("script", "img", "iframe") or values.get("src"):
            self.sources.append(tag)
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("href") is not None:
            self.links.append(values["href"] or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if not self.stack:
            self.problems.append(f"</{tag}> closes nothing")
            return
        opened = self.stack.pop()
        if opened != tag and (tag in CONTAINERS or opened in CONTAINERS):
            self.problems.append(f"<{opened}> closed by </{tag}>")

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(html: str) -> Page:
    page = Page()
    page.feed(html)
    page.close()
    if page.stack:
        page.problems.append(f"never closed: {page.stack}")
    return page


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, CompileResult]:
    out = tmp_path_factory.mktemp("docs") / "build"
    return out / "docs", compile_project(REPO / "spec", out)


def test_the_templates_are_autoescaped() -> None:
    environment = make_environment()
    for name in TEMPLATE_NAMES:
        assert environment.autoescape(name), name  # type: ignore[operator]


def test_every_domain_has_a_page_listing_its_tables(site: tuple[Path, CompileResult]) -> None:
    docs, result = site
    assert (docs / "index.html").is_file() and (docs / "style.css").is_file()
    index = (docs / "index.html").read_text(encoding="utf-8")
    for domain in result.model.domains:
        page = docs / page_of(domain.name)
        assert page.is_file(), domain.name
        assert f'href="{page_of(domain.name)}"' in index
    for table in result.model.of_type(ir.Table):
        ids = parse((docs / page_of(table.domain)).read_text(encoding="utf-8")).ids
        assert f"table-{table.name}" in ids, table.name
        for column in table.columns:
            assert f"column-{table.name}-{column.name}" in ids


def test_the_domains_are_listed_in_migration_order(site: tuple[Path, CompileResult]) -> None:
    docs, result = site
    index = (docs / "index.html").read_text(encoding="utf-8")
    section = index[index.index('id="domains"'):index.index('id="roles"')]
    positions = [section.index(f'href="{page_of(m.domain.name)}"') for m in result.plan.migrations]
    assert positions == sorted(positions)
    roles = index[index.index('id="roles"'):index.index('id="traceability"')]
    for domain in result.model.domains:
        for role, _ in domain.roles:
            assert f"<code>{role}</code>" in roles


def trace_rows(index: str) -> dict[str, str]:
    table = index[index.index('id="traceability"'):]
    return dict(re.findall(r'<tr id="req-([^"]+)">(.*?)</tr>', table, re.DOTALL))


def test_every_requirement_is_traced_to_the_objects_carrying_it(site: tuple[Path, CompileResult]) -> None:
    docs, result = site
    rows = trace_rows((docs / "index.html").read_text(encoding="utf-8"))
    carried_by_tables = {r for t in result.model.of_type(ir.Table) for r in t.requirements}
    declared = [(d, r) for d in result.model.domains for r, _ in d.requirements]
    assert declared and set(rows) == {r for _, r in declared}
    tests = {name.rsplit("/", 1)[-1] for name in result.files if name.startswith("supabase/tests/")}
    for domain, requirement in declared:
        row = rows[requirement]
        if requirement in carried_by_tables:
            assert 'class="kind">tables' in row and ".html#table-" in row, requirement
        test_file = re.search(r"<code>(\d{4}_[a-z0-9_]+\.test\.sql)</code>", row)
        assert test_file is not None and test_file.group(1) in tests, requirement
        assert test_file.group(1).endswith(f"_{domain.name}.test.sql")
    for table in result.model.of_type(ir.Table):
        for requirement in table.requirements:
            assert f'#table-{table.name}"' in rows[requirement]


def test_links_between_pages_resolve(site: tuple[Path, CompileResult]) -> None:
    docs, _ = site
    pages = {p.name: parse(p.read_text(encoding="utf-8")) for p in sorted(docs.glob("*.html"))}
    checked = 0
    for name, page in pages.items():
        assert not page.sources, f"{name} loads {page.sources}"
        for href in page.links:
            assert not re.match(r"^[a-z]+:", href), f"{name} links out of the site: {href}"
            target, _, fragment = href.partition("#")
            target = target or name
            assert (docs / target).is_file(), f"{name}: {href}"
            if fragment:
                assert fragment in pages[target].ids, f"{name}: {href}"
            checked += 1
    assert checked > 100


def test_every_page_is_well_formed(site: tuple[Path, CompileResult]) -> None:
    docs, _ = site
    for path in sorted(docs.glob("*.html")):
        text = path.read_text(encoding="utf-8")
        assert text.startswith("<!DOCTYPE html>")
        page = parse(text)
        assert page.problems == [], path.name
        assert text.count("<main>") == 1 and text.count("</main>") == 1
    assert "http" not in (docs / "style.css").read_text(encoding="utf-8")


def test_the_site_is_byte_identical_across_compiles(tmp_path: Path) -> None:
    first = compile_project(REPO / "spec", tmp_path / "a")
    second = compile_project(REPO / "spec", tmp_path / "b")
    docs = sorted(name for name in first.files if name.startswith("docs/"))
    assert len(docs) == len(first.model.domains) + 2
    for name in docs:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
        assert first.files[name] == second.files[name]


def access_matrix(page: str, table: str) -> dict[str, dict[str, str]]:
    """command → role → cell label, read from a table's access matrix."""
    section = page[page.index(f'id="table-{table}"'):]
    section = section[:section.index("</section>")]
    matrix = section[section.index('class="grid access"'):]
    roles = re.findall(r"<th><code>([a-z_]+)</code></th>", matrix[:matrix.index("</thead>")])
    rows = {}
    for command, cells in re.findall(r'<th scope="row">([a-z]+)</th>\s*(.*?)</tr>', matrix, re.DOTALL):
        labels = re.findall(r"<td [^>]*>([^<]+)</td>", cells)
        rows[command] = dict(zip(roles, labels, strict=True))
    return rows


def test_only_super_admin_may_insert_organizations(site: tuple[Path, CompileResult]) -> None:
    docs, result = site
    organizations = next(t for t in result.model.of_type(ir.Table) if t.name == "organizations")
    matrix = access_matrix((docs / page_of(organizations.domain)).read_text(encoding="utf-8"), "organizations")
    assert set(matrix) == {"select", "insert", "update", "delete"}
    insert = matrix["insert"]
    assert insert.pop("super_admin") == "allowed"
    assert insert.pop("service_role") == "allowed"  # the backend: bypasses row-level security
    assert insert.pop("anon") == "refused"
    assert insert and set(insert.values()) == {"refused"}, insert
    assert matrix["select"]["admin"] == "allowed" and matrix["select"]["anon"] == "refused"


def test_conditional_and_append_only_access_cells(site: tuple[Path, CompileResult]) -> None:
    docs, result = site
    tables = {t.name: t for t in result.model.of_type(ir.Table)}
    page = (docs / page_of(tables["vehicles"].domain)).read_text(encoding="utf-8")
    vehicles = access_matrix(page, "vehicles")
    assert vehicles["select"]["resident"] == "conditional"
    assert vehicles["select"]["admin"] == "allowed"
    assert vehicles["delete"]["admin"] == "refused"
    for table in tables.values():
        if table.immutable:
            matrix = access_matrix((docs / page_of(table.domain)).read_text(encoding="utf-8"), table.name)
            assert set(matrix["update"].values()) == {"refused"}


def test_each_domain_page_draws_its_tables(site: tuple[Path, CompileResult]) -> None:
    docs, result = site
    for domain in result.model.domains:
        tables = [t for t in result.model.of_type(ir.Table) if t.domain == domain.name]
        if not tables:
            continue
        page = (docs / page_of(domain.name)).read_text(encoding="utf-8")
        svg = page[page.index("<svg"):page.index("</svg>")]
        for table in tables:
            assert f'href="#table-{table.name}"' in svg
        names = {t.name for t in tables}
        keys = [fk for fk in result.model.of_type(ir.ForeignKey) if fk.table in names]
        assert svg.count('<path class="fk') == len(keys)
        boxes = [tuple(map(int, box)) for box in re.findall(
            r'<rect x="(\d+)" y="(\d+)" width="(\d+)" height="(\d+)" rx="4"/>', svg)]
        for i, (x1, y1, w1, h1) in enumerate(boxes):
            for x2, y2, w2, h2 in boxes[i + 1:]:
                assert x1 + w1 <= x2 or x2 + w2 <= x1 or y1 + h1 <= y2 or y2 + h2 <= y1, "boxes overlap"


def test_hostile_text_in_the_spec_is_escaped(spec_folder: SpecFolder, tmp_path: Path) -> None:
    spec_folder.add("hostile.yaml", f"""
        domain: hostile
        title: '{HOSTILE}'
        phase: 2
        description: '{HOSTILE}'
        requirements:
          HOST-01: '{HOSTILE}'
        roles:
          hostile_role: '{HOSTILE}'
        enums:
          hostile_kind:
            description: '{HOSTILE}'
            values: [a, b]
            requirements: [HOST-01]
        tables:
          hostile_things:
            description: '{HOSTILE}'
            requirements: [HOST-01]
            tenancy: community
            columns:
              label: {{type: text, description: '{HOSTILE}', default: '{HOSTILE}'}}
              kind: {{type: hostile_kind}}
    """)
    out = tmp_path / "build"
    result = compile_project(spec_folder.path, out)
    escaped_script = "&lt;script&gt;alert(1)&lt;/script&gt;"
    for name in (n for n in result.files if n.startswith("docs/") and n.endswith(".html")):
        text = (out / name).read_text(encoding="utf-8")
        assert "<script" not in text, name
        assert '"quotes"' not in text and "& ampersands" not in text, name
        parse(text)
    page = (out / "docs" / "hostile.html").read_text(encoding="utf-8")
    assert page.count(escaped_script) >= 6
    assert "&#34;quotes&#34; &amp; ampersands" in page
    index = (out / "docs" / "index.html").read_text(encoding="utf-8")
    assert escaped_script in index and "&#34;quotes&#34; &amp; ampersands" in index
    assert parse(page).problems == [] and parse(index).problems == []


def test_a_tables_page_lists_every_trigger_on_it_and_what_each_construct_does(spec_folder: SpecFolder,
                                                                             tmp_path: Path) -> None:
    """The counter's trigger lives on the child table and is listed there; the parent's entry says
    which columns the database counts."""
    case = REPO / "tests" / "cases" / "counts" / "spec" / "counts.yaml"
    spec_folder.add("counts.yaml", case.read_text(encoding="utf-8"))
    result = compile_project(spec_folder.path, tmp_path / "build")
    page = result.files[f"docs/{page_of('counts')}"]
    counters = [c for c in result.model.of_type(ir.Counter)]
    assert counters
    for counter in counters:
        assert f"{counter.trigger_name}: after insert or update or delete for each row, " \
               f"{counter.schema}.{counter.function_name}()" in page
        assert f"{counter.parent_column}: rows of {counter.table} whose {counter.via} is this row" in page
    for table in result.model.of_type(ir.Table):
        for behaviour in table.behaviours:
            assert behaviour.name in page, behaviour.name
