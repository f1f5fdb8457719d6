"""What the documentation templates receive, and how pages and anchors are named."""

from __future__ import annotations

import re
from dataclasses import dataclass

DOCS_DIR = "docs"
ANON, SERVICE_ROLE = "anon", "service_role"
TEMPLATE_NAMES = ("docs/base.html", "docs/index.html", "docs/domain.html", "docs/erd.html")


# -- what the templates receive ----------------------------------------------------------------


@dataclass(frozen=True)
class Link:
    text: str
    href: str | None = None  # None: plain text
    current: bool = False


@dataclass(frozen=True)
class ErdLine:
    name: str
    type: str
    y: int
    kind: str  # a CSS class: "pk", "fk" or ""


@dataclass(frozen=True)
class ErdBox:
    name: str
    href: str
    x: int
    y: int
    width: int
    height: int
    css: str  # "box" or "box external"
    lines: tuple[ErdLine, ...]
    header: int = 0  # height of the title bar
    name_x: int = 0  # where titles and column names start
    name_y: int = 0  # the title's baseline
    type_x: int = 0  # where column types end


@dataclass(frozen=True)
class ErdEdge:
    path: str
    css: str  # "fk" or "fk tenant"
    title: str


@dataclass(frozen=True)
class Erd:
    width: int
    height: int
    boxes: tuple[ErdBox, ...]
    edges: tuple[ErdEdge, ...]


@dataclass(frozen=True)
class Cell:
    label: str
    css: str
    note: str


@dataclass(frozen=True)
class AccessRow:
    command: str
    cells: tuple[Cell, ...]


@dataclass(frozen=True)
class ColumnDoc:
    anchor: str
    name: str
    type: str
    nullable: str
    default: str
    references: Link | None
    description: str
    requirements: tuple[Link, ...]


@dataclass(frozen=True)
class IndexDoc:
    name: str
    definition: str
    kind: str
    where: str


@dataclass(frozen=True)
class Pattern:
    name: str
    summary: str
    details: tuple[str, ...] = ()


@dataclass(frozen=True)
class TableDoc:
    anchor: str
    name: str
    description: str
    requirements: tuple[Link, ...]
    tenancy: str
    patterns: tuple[Pattern, ...]
    columns: tuple[ColumnDoc, ...]
    checks: tuple[tuple[str, str], ...]
    indexes: tuple[IndexDoc, ...]
    access: tuple[AccessRow, ...]
    policy_sql: str


@dataclass(frozen=True)
class EnumDoc:
    anchor: str
    name: str
    values: tuple[str, ...]
    description: str
    requirements: tuple[Link, ...]


@dataclass(frozen=True)
class TypeDoc:
    anchor: str
    name: str
    base_type: str
    check: str
    description: str
    requirements: tuple[Link, ...]


@dataclass(frozen=True)
class FunctionDoc:
    anchor: str
    signature: str
    returns: str
    security: str
    execute: str
    traits: str
    description: str
    requirements: tuple[Link, ...]
    body: str


@dataclass(frozen=True)
class ViewDoc:
    anchor: str
    name: str
    description: str
    requirements: tuple[Link, ...]
    columns: tuple[tuple[str, str], ...]
    sql: str


@dataclass(frozen=True)
class BucketDoc:
    anchor: str
    name: str
    description: str
    facts: tuple[tuple[str, str], ...]
    sql: str


@dataclass(frozen=True)
class DomainSummary:
    number: int
    link: Link
    title: str
    phase: int
    description: str
    table_count: int
    migration: str


@dataclass(frozen=True)
class RoleDoc:
    name: str
    description: str
    domain: Link


@dataclass(frozen=True)
class TraceRow:
    anchor: str
    id: str
    title: str
    domain: Link
    carriers: tuple[tuple[str, tuple[Link, ...]], ...]  # (kind, objects of that kind)
    test_file: str


# -- naming ---------------------------------------------------------------------------------------


def page_of(domain: str) -> str:
    """The page of a domain; a domain named `index` must not replace the overview."""
    return "domain-index.html" if domain == "index" else f"{domain}.html"


def requirement_anchor(requirement: str) -> str:
    return "req-" + re.sub(r"[^A-Za-z0-9_-]", "-", requirement)


def anchor(kind: str, *names: str) -> str:
    return "-".join((kind, *names))


def _display_type(sql_type: str) -> str:
    return sql_type.replace("public.", "")
