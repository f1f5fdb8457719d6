"""Ways into the site besides its domain pages: the A-Z index of every name, the offline search
index, the whole-schema overview diagram, and each diagram as its own SVG file."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass

import jinja2

from ... import ir
from .erd import OVERVIEW_PAGE, Erd, domain_erd, overview_erd
from .pages import ANON, DOCS_DIR, SERVICE_ROLE, Link, anchor, page_of, role_page

AZ_PAGE = "az.html"


@dataclass(frozen=True)
class Named:
    """One object the site describes, as the A-Z index and the search know it."""

    name: str  # as it is listed: `units`, or the column's own name `floor`
    kind: str  # table, column, enum, enum value, type, function, view, role
    href: str
    context: str  # where it belongs: the domain's title, the column's table, the value's enum
    description: str


@dataclass(frozen=True)
class AzEntry:
    """A name in the A-Z index. Columns and enum values share their names (every table has an
    `id`), so each is listed once with a link to every table or enum that has it."""

    name: str
    kind: str
    links: tuple[Link, ...]


@dataclass(frozen=True)
class AzLetter:
    anchor: str
    letter: str
    entries: tuple[AzEntry, ...]


def named_objects(model: ir.Model) -> Iterator[Named]:
    """Tables and their columns, enums and their values, types, functions (once per name,
    whichever schema its faces are in) and views, in the model's order; then the roles."""
    functions: set[str] = set()
    for obj in model.objects:
        page = page_of(obj.domain)
        if isinstance(obj, ir.Table):
            yield Named(obj.name, "table", f"{page}#{anchor('table', obj.name)}", obj.domain, obj.description)
            for column in obj.columns:
                yield Named(column.name, "column", f"{page}#{anchor('column', obj.name, column.name)}", obj.name,
                            column.description or "")
        elif isinstance(obj, ir.Enum):
            href = f"{page}#{anchor('enum', obj.name)}"
            yield Named(obj.name, "enum", href, obj.domain, obj.description)
            for value in obj.values:
                yield Named(value, "enum value", href, obj.name, "")
        elif isinstance(obj, ir.DomainType):
            yield Named(obj.name, "type", f"{page}#{anchor('type', obj.name)}", obj.domain, obj.description)
        elif isinstance(obj, ir.Function) and obj.name not in functions:
            functions.add(obj.name)
            yield Named(obj.name, "function", f"{page}#{anchor('function', obj.name)}", obj.domain,
                        obj.description)
        elif isinstance(obj, ir.View):
            yield Named(obj.name, "view", f"{page}#{anchor('view', obj.name)}", obj.domain, obj.description)
    declared = {role: (domain.name, text) for domain in model.domains for role, text in domain.roles}
    for role in model.application_roles:
        if role not in (ANON, SERVICE_ROLE):  # the database's own roles have no page
            domain, text = declared.get(role, ("", ""))
            yield Named(role, "role", role_page(role), domain, text)


# What stands between a name and its links in the A-Z index.
_AZ_KIND = {"table": "table in", "column": "column of", "enum": "enum in", "enum value": "value of",
            "type": "type in", "function": "function in", "view": "view in", "role": "role declared in"}


def _letter(name: str) -> str:
    first = name.lstrip("_")[:1].upper()
    return first if first.isalpha() else "#"


def az_letters(named: list[Named], titles: dict[str, str]) -> tuple[AzLetter, ...]:
    """Every name, alphabetically (case and leading underscores aside), under its first letter."""
    entries: dict[tuple[str, str], list[Link]] = {}
    for item in named:
        context = titles.get(item.context, item.context)
        link = Link(context, item.href)
        found = entries.setdefault((item.name, item.kind), [])
        if link not in found:
            found.append(link)
    letters: dict[str, list[AzEntry]] = {}
    for (name, kind), links in sorted(entries.items(), key=lambda e: (e[0][0].lstrip("_").lower(), e[0])):
        letters.setdefault(_letter(name), []).append(
            AzEntry(name, _AZ_KIND[kind], tuple(sorted(links, key=_link_key))))
    return tuple(AzLetter(f"letter-{'other' if letter == '#' else letter.lower()}", letter, tuple(found))
                 for letter, found in sorted(letters.items(), key=lambda item: (item[0] == "#", item[0])))


def _link_key(link: Link) -> tuple[str, str]:
    return link.text, link.href or ""


def search_index(named: list[Named], titles: dict[str, str]) -> str:
    """The search's data as JSON: per object its name (a column's with its table's), kind,
    page and anchor, and the first line of its description."""
    rows = []
    for item in named:
        name = f"{item.context}.{item.name}" if item.kind == "column" else item.name
        where = titles.get(item.context, item.context)
        summary = item.description.strip().split("\n", 1)[0]
        rows.append([name, item.kind if item.kind != "enum value" else f"value of {where}", item.href,
                     summary if item.kind != "enum value" else ""])
    rows.sort(key=lambda row: (row[0].lower(), row[1], row[2]))
    # ASCII only: the file is read as JavaScript whatever its served encoding, and \u2028 stays escaped.
    return json.dumps(rows, ensure_ascii=True, separators=(",", ":"))


def navigation_files(model: ir.Model, domains: list[ir.DomainInfo], environment: jinja2.Environment,
                     nav: tuple[Link, ...]) -> dict[str, str]:
    """docs/az.html, docs/overview.html, the search's two scripts and each diagram's SVG file."""
    titles = {d.name: d.title for d in domains}
    named = list(named_objects(model))
    overview = overview_erd(model, domains)
    files = {
        f"{DOCS_DIR}/{AZ_PAGE}": environment.get_template("docs/az.html").render(
            nav=nav, current=AZ_PAGE, letters=az_letters(named, titles), count=len(named)),
        f"{DOCS_DIR}/{OVERVIEW_PAGE}": environment.get_template("docs/overview.html").render(
            nav=nav, current=OVERVIEW_PAGE, erd=overview,
            domains=tuple(Link(d.title, f"{page_of(d.name)}#erd") for d in domains)),
        f"{DOCS_DIR}/search-index.js": environment.get_template("docs/search-index.js").render(
            index=search_index(named, titles)),
        f"{DOCS_DIR}/search.js": environment.get_template("docs/search.js").render(),
        f"{DOCS_DIR}/{overview.full_size}": _standalone(environment, overview),
    }
    for domain in domains:
        erd = domain_erd(model, domain)
        if erd is not None:
            files[f"{DOCS_DIR}/{erd.full_size}"] = _standalone(environment, erd.standalone(page_of(domain.name)))
    return files


def _standalone(environment: jinja2.Environment, erd: Erd) -> str:
    return environment.get_template("docs/diagram.html").render(erd=erd, standalone=True)
