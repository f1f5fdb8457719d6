"""The documentation site in build/docs/: complete, linked, escaped, well-formed, stable."""

from __future__ import annotations

import html
import re
import textwrap
from html.parser import HTMLParser
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.pipeline.conftest import REPO, SpecFolder
from upoe_compiler import ir
from upoe_compiler.api import CompileResult, compile_project
from upoe_compiler.cli import app
from upoe_compiler.render.docs import TEMPLATE_NAMES, page_of
from upoe_compiler.render.docs.pages import Phrase
from upoe_compiler.render.docs.wording import condition_words, fragment_phrases
from upoe_compiler.render.environment import make_environment
from upoe_compiler.requirement_tags import UNKNOWN_REQUIREMENT

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
            self.sources.append(values.get("src") or tag)
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
    return out / "docs", compile_project(REPO / "spec", out, tests_dir=REPO / "tests")


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
    for _domain, requirement in declared:
        row = rows[requirement]
        if requirement in carried_by_tables:
            assert 'class="kind">tables' in row and ".html#table-" in row, requirement
    for table in result.model.of_type(ir.Table):
        for requirement in table.requirements:
            assert f'#table-{table.name}"' in rows[requirement]
    buckets = list(result.model.of_type(ir.Bucket))
    assert buckets and all(bucket.requirements for bucket in buckets)
    for bucket in buckets:
        for requirement in bucket.requirements:
            assert f'#bucket-{bucket.name}"' in rows[requirement], (bucket.name, requirement)


def row_links(row: str, column: str) -> list[tuple[str, str]]:
    """(href, text) of the links in one cell (`migrations`, `pgtap`, `tests`) of a traceability row."""
    cell = re.search(rf'<td class="{column}">(.*?)</td>', row, re.DOTALL)
    assert cell is not None, column
    return re.findall(r'<a href="([^"]+)"><code>([^<]+)</code></a>', cell.group(1))


def test_requirements_are_traced_to_the_migrations_creating_them_and_the_assertions_probing_them(
        site: tuple[Path, CompileResult]) -> None:
    docs, result = site
    rows = trace_rows((docs / "index.html").read_text(encoding="utf-8"))
    file_of = {obj.key: m.file_name for m in result.plan.migrations for obj in m.objects}
    for table in result.model.of_type(ir.Table):
        for requirement in table.requirements:
            migrations = row_links(rows[requirement], "migrations")
            assert (f"../supabase/migrations/{file_of[table.key]}", file_of[table.key]) in migrations
            probes = row_links(rows[requirement], "pgtap")
            assert probes, f"{requirement}: no generated assertion names it"
            for href, text in probes:
                generated = (docs / href).read_text(encoding="utf-8")
                count = int(re.search(r"\((\d+) assertions?\)", text).group(1))  # type: ignore[union-attr]
                traced = re.findall(r"'\[([A-Z0-9, -]+)\] ", generated)
                named = [ids for ids in traced if requirement in ids.split(", ")]
                assert len(named) == count, (requirement, href)
    for requirement, row in rows.items():
        for href, _ in row_links(row, "migrations"):
            assert (docs / href).is_file(), (requirement, href)


def test_hand_written_tests_tagged_with_a_requirement_are_linked_from_its_row(spec_folder: SpecFolder,
                                                                           tmp_path: Path) -> None:
    """Tags are read with ast (the file would exit if imported); each tagged test links to its file
    from the docs folder; an ID no domain declares is a warning at the tag."""
    tests = tmp_path / "suite"
    (tests / "db").mkdir(parents=True)
    (tests / "db" / "test_tenants.py").write_text(textwrap.dedent('''
        import pytest

        raise SystemExit("imported")

        pytestmark = [pytest.mark.db, pytest.mark.requirement("FOUND-02")]


        @pytest.mark.requirement("FOUND-01", "FOUND-04")
        def test_organizations() -> None: ...


        class TestRoles:
            @pytest.mark.requirement("FOUND-03")
            def test_roles(self) -> None: ...


        @pytest.mark.requirement("FOUND-99")
        def test_nothing() -> None: ...
    ''').lstrip(), encoding="utf-8")
    out = tmp_path / "build"
    result = compile_project(spec_folder.path, out, tests_dir=tests)
    warnings = [d for d in result.diagnostics if d.code == UNKNOWN_REQUIREMENT]
    assert [(d.severity, d.check_tuple()) for d in warnings] == [
        ("warning", (UNKNOWN_REQUIREMENT, "test_tenants.py", 17, 26))]
    assert "FOUND-99" in warnings[0].message and "did you mean" in (warnings[0].hint or "")
    rows = trace_rows((out / "docs" / "index.html").read_text(encoding="utf-8"))
    shown = f"{tests / 'db' / 'test_tenants.py'}"
    expected = {"FOUND-01": [f"{shown}::test_organizations"], "FOUND-02": [shown],
                "FOUND-03": [f"{shown}::TestRoles::test_roles"], "FOUND-04": [f"{shown}::test_organizations"]}
    for requirement, row in rows.items():
        links = row_links(row, "tests")
        assert [text for _, text in links] == expected.get(requirement, []), requirement
        for href, _ in links:
            assert (out / "docs" / href).resolve() == (tests / "db" / "test_tenants.py").resolve()


def test_links_between_pages_resolve(site: tuple[Path, CompileResult]) -> None:
    docs, _ = site
    pages = {p.name: parse(p.read_text(encoding="utf-8")) for p in sorted(docs.glob("*.html"))}
    checked = 0
    for name, page in pages.items():
        # Only the offline search's own two scripts, beside the pages.
        assert set(page.sources) <= {"search-index.js", "search.js"}, f"{name} loads {page.sources}"
        assert all((docs / source).is_file() for source in page.sources)
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
    roles = [role for role in first.model.application_roles]
    assert {f"docs/{page_of(d.name)}" for d in first.model.domains} | {f"docs/role-{r}.html" for r in roles} < set(docs)
    for name in docs:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
        assert first.files[name] == second.files[name]


def cell_texts(cells: str) -> list[str]:
    """The words of each <td> of a row of cells, tags dropped (a line break read as "; ") and entities
    read, without the SQL link."""
    texts = []
    for cell in re.findall(r"<td [^>]*>(.*?)</td>", cells, re.DOTALL):
        words = re.sub(r' <a class="sql"[^>]*>SQL</a>', "", cell).replace("<br>", "; ")
        words = re.sub(r"<[^>]+>", "", words)
        texts.append(html.unescape(words))
    return texts


def access_matrix(page: str, table: str) -> dict[str, dict[str, str]]:
    """command → role → cell words, read from a table's access matrix."""
    section = page[page.index(f'id="table-{table}"'):]
    section = section[:section.index("</section>")]
    matrix = section[section.index('class="grid access"'):]
    roles = re.findall(r"<th><code>([a-z_]+)</code></th>", matrix[:matrix.index("</thead>")])
    rows = {}
    for command, cells in re.findall(r'<th scope="row">([a-z]+)</th>\s*(.*?)</tr>', matrix, re.DOTALL):
        rows[command] = dict(zip(roles, cell_texts(cells), strict=True))
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
    assert vehicles["select"]["resident"] == "rows whose unit is theirs"
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
        tenant_keys = {t.name: t.tenant_column for t in tables}  # counted in a note, not drawn
        keys = [fk for fk in result.model.of_type(ir.ForeignKey)
                if fk.table in names and fk.columns[-1] != tenant_keys[fk.table]]
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
        scripts = re.findall(r"<script[^>]*>", text)
        assert scripts == ['<script src="search-index.js" defer>', '<script src="search.js" defer>'], name
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


@pytest.mark.parametrize(("fragment", "words"), [
    ("status = 'approved'", "status is approved"),
    ("status in ('triggered', 'cancelled')", "status is triggered or cancelled"),
    ("verification_status = 'pending' and reviewed_by is null",
     "verification status is pending and reviewed by is not set"),
    ("amount >= 10 or (is_primary and ended_at is not null)",
     "amount is at least 10 or (is primary and ended at is set)"),
    ("status <> 'draft'", "status is not draft"),
    ("pet_id in (select p.id from public.pets p)", None),
    ("host_resident_id = (select public.get_current_resident_id())", None),
    ("lower(name) = 'x'", None),
])
def test_a_where_is_said_in_words_only_when_it_compares_columns_with_constants(fragment: str,
                                                                                words: str | None) -> None:
    assert condition_words(fragment) == words


def test_each_kind_of_condition_is_said_in_words_in_the_access_matrix(site: tuple[Path, CompileResult]) -> None:
    """Ownership through a table the caller owns, through a path of references, through a user
    column; a state `where`; an update's `check`; a fragment shown as written; guarded columns."""
    docs, result = site
    tables = {t.name: t for t in result.model.of_type(ir.Table)}

    def cell(table: str, command: str, role: str) -> str:
        return access_matrix((docs / page_of(tables[table].domain)).read_text(encoding="utf-8"), table)[command][role]

    assert cell("payment_proofs", "select", "resident") == "rows whose unit is theirs"
    assert cell("resident_private_data", "select", "resident") == "rows whose resident is theirs"
    assert cell("qr_codes", "select", "resident") == "rows whose invitation's unit is theirs"
    assert cell("patrol_checkpoint_scans", "insert", "guard") == "rows whose patrol log's guard is theirs"
    assert cell("pet_incidents", "insert", "resident") == "rows reported by them"
    assert cell("occupancies", "select", "resident") == "rows whose unit is theirs or rows whose resident is theirs"
    assert cell("budgets", "select", "resident") == "while status is approved"
    assert cell("budgets", "select", "accountant") == "allowed"
    assert cell("payment_proofs", "update", "resident").startswith(
        "rows whose unit is theirs, while status is pending; changed only so that status is cancelled")
    # A `where` the compiler cannot word reads as the spec's `means:`; without one, as written.
    assert cell("pet_vaccinations", "select", "resident") == "rows of their units' pets"
    assert cell("invitations", "insert", "resident") == "rows whose unit is theirs, hosted by them"
    assert fragment_phrases("while", "pet_id in (select p.id from public.pets p)", "rows where") == (
        Phrase("rows where "), Phrase("pet_id in (select p.id from public.pets p)", code=True))
    assert cell("invitations", "update", "admin") == "allowed; cannot change uses_count"
    assert cell("invitations", "update", "resident").endswith("cannot change uses_count, host_resident_id")
    for table in tables.values():
        page = (docs / page_of(table.domain)).read_text(encoding="utf-8")
        matrix = access_matrix(page, table.name)
        assert "conditional" not in {text for row in matrix.values() for text in row.values()}, table.name
        # Every condition of the bundled spec reads in words: no policy SQL in a matrix cell.
        assert "select " not in " ".join(text for row in matrix.values() for text in row.values()), table.name


def role_tables(page: str) -> dict[str, list[str]]:
    """table → its cells' words (read, create, change, delete), from a role page."""
    found = {}
    for table, cells in re.findall(r'<th scope="row"><a href="[^"]+"><code>([a-z0-9_]+)</code></a></th>\s*(.*?)</tr>',
                                   page, re.DOTALL):
        found[table] = cell_texts(cells)
    return found


def test_a_role_page_lists_exactly_the_tables_the_access_matrices_let_it_reach(
        site: tuple[Path, CompileResult]) -> None:
    docs, result = site
    index = (docs / "index.html").read_text(encoding="utf-8")
    matrices = {t.name: access_matrix((docs / page_of(t.domain)).read_text(encoding="utf-8"), t.name)
                for t in result.model.of_type(ir.Table)}
    for role in result.model.application_roles:
        assert f'href="role-{role}.html"' in index
        page = (docs / f"role-{role}.html").read_text(encoding="utf-8")
        listed = role_tables(page[:page.index('id="views"')])
        reached = {table: [matrix[command][role] for command in ("select", "insert", "update", "delete")]
                   for table, matrix in matrices.items()
                   if any(matrix[command][role] != "refused" for command in matrix)}
        assert listed == reached, role
    resident = (docs / "role-resident.html").read_text(encoding="utf-8")
    functions = resident[resident.index('id="functions"'):]
    reserved = {f.name for f in result.model.of_type(ir.Function) if f.schema == "public" and f.callers}
    callable_by_resident = {f.name for f in result.model.of_type(ir.Function)
                            if f.schema == "public" and "resident" in f.callers}
    assert reserved - callable_by_resident, "the bundled spec reserves functions to staff"
    for name in reserved:
        section = "reserved to a few roles" if name in callable_by_resident else "reserved to other roles"
        entry = functions[functions.index(f"<dt>{section}</dt>"):]
        assert f"<code>{name}</code>" in entry[:entry.index("</dd>")], name


def test_references_and_referenced_by_lists_mirror_each_other(site: tuple[Path, CompileResult]) -> None:
    docs, result = site
    out: set[tuple[str, str, str]] = set()
    into: set[tuple[str, str, str]] = set()
    for table in result.model.of_type(ir.Table):
        page = (docs / page_of(table.domain)).read_text(encoding="utf-8")
        section = page[page.index(f'id="table-{table.name}"'):]
        section = section[:section.index("</section>")]
        references = section[section.index('<ul class="references">'):section.index('<ul class="referenced-by">')]
        for columns, target in re.findall(r"<li><code>([^<]+)</code> → (?:<a [^>]+>)?<code>([^<]+)</code>",
                                          references):
            out.add((table.name, columns, target))
        referenced_by = section[section.index('<ul class="referenced-by">'):]
        referenced_by = referenced_by[:referenced_by.index("</ul>")]
        for source, columns in re.findall(r"<li>(?:<a [^>]+>)?<code>([^<]+)</code>(?:</a>)? <code>([^<]+)</code>",
                                          referenced_by):
            into.add((source, columns, table.name))
    keys = result.model.of_type(ir.ForeignKey)
    assert len(out) == len({(k.table, k.columns, k.ref_table, k.ref_schema) for k in keys})
    assert into == {reference for reference in out if not reference[2].startswith("auth.")}
    assert ("vehicles", "unit_id", "units") in out


def test_compile_reads_the_tests_folder_given_and_prints_its_warnings(spec_folder: SpecFolder, tmp_path: Path) -> None:
    tests = tmp_path / "suite"
    tests.mkdir()
    (tests / "test_a.py").write_text('import pytest\n\n\n@pytest.mark.requirement("FOUND-1")\ndef test_a(): ...\n',
                                     encoding="utf-8")
    (tests / "test_broken.py").write_text("def test_b(:\n", encoding="utf-8")
    out = tmp_path / "build"
    result = CliRunner().invoke(app, ["compile", "--spec", str(spec_folder.path), "--out", str(out),
                                      "--tests", str(tests)])
    assert result.exit_code == 0, result.output
    assert f"{tests / 'test_a.py'}:4:26: warning[UPOE420]" in result.output
    assert "did you mean 'FOUND-01'?" in result.output
    assert f"{tests / 'test_broken.py'}:1:1: warning[UPOE421]" in result.output
    assert (out / "docs" / "index.html").is_file()
    missing = CliRunner().invoke(app, ["compile", "--spec", str(spec_folder.path), "--out", str(out),
                                       "--tests", str(tmp_path / "nowhere")])
    assert missing.exit_code == 2 and "nowhere" in missing.output
