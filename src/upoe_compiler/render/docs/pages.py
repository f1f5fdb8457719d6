"""What the documentation templates receive, and how pages and anchors are named."""

from __future__ import annotations

import re
from dataclasses import dataclass

DOCS_DIR = "docs"
ANON, SERVICE_ROLE = "anon", "service_role"
TEMPLATE_NAMES = ("docs/base.html", "docs/index.html", "docs/domain.html", "docs/erd.html", "docs/role.html",
                  "docs/access_cell.html", "docs/erd-svg.html", "docs/diagram.html", "docs/overview.html",
                  "docs/az.html")


# -- what the templates receive ----------------------------------------------------------------


@dataclass(frozen=True)
class Link:
    text: str
    href: str | None = None  # None: plain text
    current: bool = False
    group: str = ""  # the nav's heading of the links from this one on ("" for domains)


@dataclass(frozen=True)
class Phrase:
    """A run of words; `code` when it is SQL shown as the spec wrote it."""

    text: str
    code: bool = False


@dataclass(frozen=True)
class Cell:
    label: str
    css: str
    note: str
    # The rows a condition narrows to, in words: any one of these alternatives.
    conditions: tuple[tuple[Phrase, ...], ...] = ()
    # What stays out of reach even so, in words (the columns a guard keeps the role from changing).
    limits: tuple[Phrase, ...] = ()
    policy: str = ""  # the anchor of the policy SQL, on the table's domain page

    @property
    def reached(self) -> bool:
        return self.css != "refused"


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
class Reference:
    """One foreign key as a table's page lists it: its columns and the table at its other end."""

    columns: str
    table: Link
    on_delete: str


@dataclass(frozen=True)
class PolicyDoc:
    anchor: str
    command: str
    name: str
    sql: str


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
    policies: tuple[PolicyDoc, ...]
    references: tuple[Reference, ...]
    referenced_by: tuple[Reference, ...]


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
    page: Link


@dataclass(frozen=True)
class RoleTable:
    """A table a role reaches: its cell for each command (policies on the domain page `page`)."""

    table: Link
    page: str
    cells: tuple[Cell, ...]


@dataclass(frozen=True)
class RoleDomain:
    link: Link
    tables: tuple[RoleTable, ...]
    unreached: tuple[Link, ...]  # the domain's tables the role can neither read nor write


@dataclass(frozen=True)
class RoleBucket:
    bucket: Link
    upload: tuple[Phrase, ...]
    read: tuple[Phrase, ...]


@dataclass(frozen=True)
class RolePage:
    name: str
    description: str
    declared_by: Link | None
    domains: tuple[RoleDomain, ...]
    views: tuple[Link, ...]
    reserved_functions: tuple[Link, ...]  # only a few roles may call them, this one among them
    open_functions: tuple[Link, ...]  # every signed-in user may call them
    refused_functions: tuple[Link, ...]  # reserved to other roles
    buckets: tuple[RoleBucket, ...]


@dataclass(frozen=True)
class TraceRow:
    anchor: str
    id: str
    title: str
    domain: Link
    carriers: tuple[tuple[str, tuple[Link, ...]], ...]  # (kind, objects of that kind)
    migrations: tuple[Link, ...]  # the migration files creating the carriers
    pgtap: tuple[Link, ...]  # the generated pgTAP files whose assertions name the requirement
    tests: tuple[Link, ...]  # hand-written tests tagged with it


# -- naming ---------------------------------------------------------------------------------------


def page_of(domain: str) -> str:
    """The page of a domain; a domain named like another page of the site must not replace it."""
    return f"domain-{domain}.html" if domain in ("index", "az", "overview") else f"{domain}.html"


def requirement_anchor(requirement: str) -> str:
    return "req-" + re.sub(r"[^A-Za-z0-9_-]", "-", requirement)


def role_page(role: str) -> str:
    return f"role-{role}.html"


def anchor(kind: str, *names: str) -> str:
    return "-".join((kind, *names))


def _display_type(sql_type: str) -> str:
    return sql_type.replace("public.", "")
