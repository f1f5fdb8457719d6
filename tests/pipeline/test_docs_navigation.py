"""Ways into the docs besides the domain pages: diagrams drawn from column to key, the overview,
the A-Z index, the offline search's index, and descriptions' `code`."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ElementTree
from collections import Counter
from pathlib import Path

import pytest

from tests.pipeline.conftest import REPO, SpecFolder
from tests.pipeline.test_docs import HOSTILE, parse
from upoe_compiler import ir
from upoe_compiler.api import CompileResult, compile_project
from upoe_compiler.render.docs import page_of
from upoe_compiler.render.docs.text import inline_code

SEARCH_PREFIX = "window.UPOE_SEARCH_INDEX = "


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, CompileResult]:
    out = tmp_path_factory.mktemp("navigation") / "build"
    return out / "docs", compile_project(REPO / "spec", out)


def search_rows(docs: Path) -> list[list[str]]:
    text = (docs / "search-index.js").read_text(encoding="utf-8")
    body = text[text.index(SEARCH_PREFIX) + len(SEARCH_PREFIX):].rstrip().removesuffix(";")
    rows: list[list[str]] = json.loads(body)
    return rows


# -- diagrams -------------------------------------------------------------------------------------


def boxes_of(svg: str) -> dict[str, tuple[int, int, int, dict[str, int]]]:
    """name -> (x, y, width, {column: the y of its line's middle})."""
    found = {}
    for match in re.finditer(r'<rect x="(\d+)" y="(\d+)" width="(\d+)" height="\d+" rx="4"/>\n<rect class="head"'
                             r'[^\n]*\n<text class="name"[^>]*>([^<]+)</text>\n((?:<text class="(?:column|type)'
                             r'[^\n]*\n)*)', svg):
        x, y, width, name, lines = match.groups()
        line = r'<text class="column[^"]*" x="\d+" y="(\d+)">([^<]+)</text>'
        rows = {column: int(baseline) - 4 for baseline, column in re.findall(line, lines)}
        found[name] = (int(x), int(y), int(width), rows)
    return found


def test_each_line_runs_from_its_column_to_the_key_it_references(site: tuple[Path, CompileResult]) -> None:
    docs, result = site
    tables = {t.name: t for t in result.model.of_type(ir.Table)}
    checked = 0
    for domain in result.model.domains:
        page = (docs / page_of(domain.name)).read_text(encoding="utf-8")
        svg = page[page.index("<svg"):page.index("</svg>")]
        boxes = boxes_of(svg)
        assert {t for t, table in tables.items() if table.domain == domain.name} <= set(boxes)
        for path, child, column, parent, key in re.findall(
                r'<path class="fk" d="([^"]+)"[^>]*><title>(\w+)\.(\w+) references ([\w.]+)\.(\w+)</title>', svg):
            numbers = [int(n) for n in re.findall(r"-?\d+", path)]
            (start_x, start_y), (end_x, end_y) = numbers[:2], numbers[-2:]
            x, _, width, rows = boxes[child]
            assert start_y == rows[column] and start_x in (x, x + width), (child, column, path)
            x, y, width, rows = boxes[parent]
            assert end_y == rows.get(key, y + 13) and end_x in (x, x + width), (parent, key, path)
            assert column != tables[child].tenant_column
            checked += 1
    assert checked == len([fk for fk in result.model.of_type(ir.ForeignKey)
                           if fk.columns[-1] != tables[fk.table].tenant_column])


def straight_segments(path: str) -> list[tuple[int, int, int, int]]:
    """The straight (L) pieces of a line's path, as (x1, y1, x2, y2)."""
    segments = []
    x = y = 0
    for command, numbers in re.findall(r"([MLC])([-\d ]+)", path):
        values = [int(n) for n in numbers.split()]
        if command == "L":
            segments.append((x, y, values[0], values[1]))
        x, y = values[-2], values[-1]
    return segments


def test_no_line_runs_through_a_box(site: tuple[Path, CompileResult]) -> None:
    """Lines run in the gaps between boxes; only their ends touch the two boxes' sides."""
    docs, result = site
    checked = 0
    for domain in result.model.domains:
        page = (docs / page_of(domain.name)).read_text(encoding="utf-8")
        svg = page[page.index("<svg"):page.index("</svg>")]
        boxes = [tuple(map(int, box)) for box in re.findall(
            r'<rect x="(\d+)" y="(\d+)" width="(\d+)" height="(\d+)" rx="4"/>', svg)]
        for path in re.findall(r'<path class="fk" d="([^"]+)"', svg):
            for x1, y1, x2, y2 in straight_segments(path):
                for x, y, width, height in boxes:
                    inside_x = min(x1, x2) < x + width - 1 and max(x1, x2) > x + 1
                    inside_y = min(y1, y2) < y + height - 1 and max(y1, y2) > y + 1
                    assert not (inside_x and inside_y), (path, (x, y, width, height))
                checked += 1
    assert checked > 200


def test_tenant_keys_are_counted_in_a_note_instead_of_drawn(site: tuple[Path, CompileResult]) -> None:
    docs, result = site
    tables = {t.name: t for t in result.model.of_type(ir.Table)}
    crm = [fk for fk in result.model.of_type(ir.ForeignKey)
           if tables[fk.table].domain == "crm" and fk.columns[-1] == tables[fk.table].tenant_column]
    counts = Counter((fk.columns[-1], fk.ref_table) for fk in crm)
    assert counts[("community_id", "communities")] > 5
    page = (docs / page_of("crm")).read_text(encoding="utf-8")
    note = page[page.index('class="small erd-after"'):]
    assert f"community_id → communities in {counts[('community_id', 'communities')]} tables" in note
    svg = page[page.index("<svg"):page.index("</svg>")]
    assert "references communities" not in svg
    assert 'class="column tenant" x=' in svg  # the column itself is still shown, set apart


def test_diagrams_fit_the_page_and_open_at_full_size(site: tuple[Path, CompileResult]) -> None:
    docs, result = site
    for domain in result.model.domains:
        page = (docs / page_of(domain.name)).read_text(encoding="utf-8")
        svg = re.search(r'<svg class="erd" [^>]*width="(\d+)" height="(\d+)" viewBox="0 0 (\d+) (\d+)" '
                        r'style="max-width: (\d+)px"', page)
        assert svg is not None and len(set(svg.groups()[::2])) == 1 and svg.group(2) == svg.group(4)
        full_size = f"diagram-{domain.name}.svg"
        assert f'href="{full_size}"' in page
        text = (docs / full_size).read_text(encoding="utf-8")
        assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<svg')
        root = ElementTree.fromstring(text)  # well-formed XML, viewable on its own
        assert root.get("width") == svg.group(1) and root.find("{http://www.w3.org/2000/svg}style") is not None
        hrefs = re.findall(r'<a href="([^"]+)">', text)
        assert hrefs and all(not href.startswith("#") for href in hrefs)
        assert f'href="{page_of(domain.name)}#table-' in text


def test_the_overview_draws_every_table_grouped_by_domain(site: tuple[Path, CompileResult]) -> None:
    docs, result = site
    page = (docs / "overview.html").read_text(encoding="utf-8")
    svg = page[page.index("<svg"):page.index("</svg>")]
    labels = re.findall(r'<a href="([^"#]+)"><text class="group"[^>]*>([^<]+)</text></a>', svg)
    assert labels == [(page_of(m.domain.name), m.domain.title.replace("&", "&amp;")) for m in result.plan.migrations]
    for table in result.model.of_type(ir.Table):
        assert f'href="{page_of(table.domain)}#table-{table.name}"' in svg
    assert '<text class="column' not in svg  # titles only
    assert (docs / "diagram-overview.svg").is_file() and 'href="diagram-overview.svg"' in page
    for name in ("index.html", page_of("crm"), "az.html"):
        assert 'href="overview.html"' in (docs / name).read_text(encoding="utf-8")


# -- the A-Z index and the search ----------------------------------------------------------------


def test_the_a_to_z_lists_every_name_alphabetically_with_links(site: tuple[Path, CompileResult]) -> None:
    docs, result = site
    text = (docs / "az.html").read_text(encoding="utf-8")
    az = parse(text)
    assert az.problems == []
    names = re.findall(r"<li><code>([^<]+)</code>", text)
    keys = [name.lstrip("_").lower() for name in names]  # case and leading underscores aside
    assert keys == sorted(keys)
    listed = set(names)
    expected = set()
    for obj in result.model.objects:
        if isinstance(obj, ir.Table):
            expected |= {obj.name, *(c.name for c in obj.columns)}
            assert f'href="{page_of(obj.domain)}#table-{obj.name}"' in text
        elif isinstance(obj, ir.Enum):
            expected |= {obj.name, *obj.values}
        elif isinstance(obj, ir.View | ir.Function | ir.DomainType):
            expected.add(obj.name)
    expected |= {role for role in result.model.application_roles if role not in ("anon", "service_role")}
    assert expected == listed
    letters = re.findall(r'<a href="#(letter-[a-z]+)">', text)
    assert letters and all(letter in az.ids for letter in letters)
    assert letters == sorted(letters)
    units = text[text.index("<li><code>units</code>"):]
    assert units[:units.index("</li>")].count("<a ") == 1  # one table named units
    unit_id = text[text.index("<li><code>unit_id</code>"):]
    tables_with_unit_id = [t for t in result.model.of_type(ir.Table) if any(c.name == "unit_id" for c in t.columns)]
    assert unit_id[:unit_id.index("</li>")].count("<a ") == len(tables_with_unit_id) > 3


def test_the_search_index_names_every_table_and_column_with_its_anchor(site: tuple[Path, CompileResult]) -> None:
    docs, result = site
    rows = search_rows(docs)
    assert rows == sorted(rows, key=lambda row: (row[0].lower(), row[1], row[2]))
    by_name = {(row[0], row[1]): row for row in rows}
    pages = {p.name: parse(p.read_text(encoding="utf-8")).ids for p in docs.glob("*.html")}
    for _, _, href, _ in rows:
        target, _, fragment = href.partition("#")
        assert target in pages and (not fragment or fragment in pages[target]), href
    assert by_name[("admin", "role")][2] == "role-admin.html"
    for table in result.model.of_type(ir.Table):
        assert by_name[(table.name, "table")][2] == f"{page_of(table.domain)}#table-{table.name}"
        for column in table.columns:
            row = by_name[(f"{table.name}.{column.name}", "column")]
            assert row[3] == (column.description or "").strip().split("\n")[0]
    search = (docs / "search.js").read_text(encoding="utf-8")
    assert "innerHTML" not in search and "fetch(" not in search and "http" not in search


# -- text from the spec ---------------------------------------------------------------------------


def test_backticks_become_code_after_escaping() -> None:
    assert inline_code("moves to `active` & <b>stays</b>") == \
        "moves to <code>active</code> &amp; &lt;b&gt;stays&lt;/b&gt;"
    assert inline_code("`<script>x</script>`") == "<code>&lt;script&gt;x&lt;/script&gt;</code>"
    assert inline_code("a lone ` stays") == "a lone ` stays"


def test_descriptions_show_code_and_never_markup(spec_folder: SpecFolder, tmp_path: Path) -> None:
    spec_folder.add("things.yaml", f"""
        domain: things
        title: Things
        phase: 2
        description: Things that move from `draft` to `done`.
        requirements:
          THING-01: Things exist.
        tables:
          things:
            description: 'A thing; `{HOSTILE}` or {HOSTILE}'
            requirements: [THING-01]
            tenancy: community
            columns:
              label: {{type: text, description: 'Shown as `label` in the app.'}}
    """)
    out = tmp_path / "build"
    result = compile_project(spec_folder.path, out)
    page = (out / "docs" / page_of("things")).read_text(encoding="utf-8")
    assert "Things that move from <code>draft</code> to <code>done</code>." in page
    assert "Shown as <code>label</code> in the app." in page
    escaped = "&lt;script&gt;alert(1)&lt;/script&gt; &#34;quotes&#34; &amp; ampersands"
    assert f"A thing; <code>{escaped}</code> or {escaped}" in page
    assert "<script>" not in page and parse(page).problems == []
    rows = search_rows(out / "docs")
    assert ["things", "table", "things.html#table-things", f"A thing; `{HOSTILE}` or {HOSTILE}"] in rows
    assert result.files["docs/search-index.js"].isascii()
