"""The documentation site in build/docs/: what a newcomer reads before the SQL.

Every decision is made here, in Python: the coordinates of each domain's ERD, the cells of
each table's access matrix, the rows of the requirement traceability table. The templates
under templates/docs/ only give them shape. Their names end in `.html`, so the environment
autoescapes everything they print; the pages use no JavaScript and only `style.css`, so
they work offline from file://.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass

import jinja2

from .. import ir
from ..graph import MigrationPlan, Plan
from ..patterns import COMMANDS, MEMBER, PLATFORM_ROLE
from ..pgnames import fit_identifier
from .sql import TEMPLATES

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


# -- the ERD --------------------------------------------------------------------------------------

# Sizes in SVG user units (px). Column lines are monospace, so widths follow from lengths.
CHAR = 7  # advance of an 11px monospace character, rounded up
TITLE_CHAR = 8  # of a 13px bold title character
PAD = 8
HEADER = 26
LINE = 16
GAP_X = 36
GAP_Y = 72
MARGIN = 16
MARGIN_X = 40  # room for lines passing beside a row
LANES = (0, -5, 5, -10, 10, -15, 15)  # offsets of lines sharing one gap
CROWDING = 40  # how far a line detours to avoid one more line in a gap
MAX_ROW_WIDTH = 1200
ATTACH_SPACING = 12  # room per line meeting a small box


@dataclass
class _Node:
    key: str
    href: str
    external: bool
    lines: list[tuple[str, str, str]]  # (column, type, kind)
    order: int
    width: int = 0
    height: int = 0
    x: int = 0
    y: int = 0

    @property
    def center_x(self) -> float:
        return self.x + self.width / 2

    @property
    def center_y(self) -> float:
        return self.y + self.height / 2


@dataclass(frozen=True)
class _Reference:
    child: str
    column: str
    parent: str
    tenant: bool


class ErdLayout:
    """A layered layout. Tables that reference nothing in the domain form the first layer;
    every other table sits one layer below the deepest table it references. Within a layer,
    tables move near the tables they reference and that reference them (barycentres, a few
    sweeps); a layer wider than MAX_ROW_WIDTH wraps into several rows. Tables of other domains
    (and auth.users) are small grey boxes on top, each above the tables that reference it.
    A line crosses the rows between its two boxes through the gaps between boxes (spread over
    lanes, avoiding crowded gaps); lines are drawn first, so boxes stay on top of them."""

    def __init__(self, tables: list[ir.Table], foreign_keys: list[ir.ForeignKey], href_of: dict[str, str]) -> None:
        by_name = {t.name: t for t in tables}
        self.references: list[_Reference] = []
        fk_columns: dict[str, set[str]] = {}
        for fk in foreign_keys:
            parent = fk.ref_table if fk.ref_schema == "public" else f"{fk.ref_schema}.{fk.ref_table}"
            column = fk.columns[-1]  # (community_id, column) for a composite tenant-safe key
            fk_columns.setdefault(fk.table, set()).add(column)
            self.references.append(_Reference(fk.table, column, parent, column == by_name[fk.table].tenant_column))
        self.nodes: dict[str, _Node] = {}
        self.bands: list[_Band] = []
        for order, table in enumerate(tables):
            lines = [(c.name, _display_type(c.type), _column_kind(table, c.name, fk_columns)) for c in table.columns]
            self.nodes[table.name] = _Node(table.name, f"#{anchor('table', table.name)}", False, lines, order)
        self.internal = [t.name for t in tables]
        self.externals = sorted({r.parent for r in self.references if r.parent not in by_name})
        for order, name in enumerate(self.externals, start=len(tables)):
            self.nodes[name] = _Node(name, href_of.get(name, ""), True, [], order)

    def layout(self) -> Erd:
        self._size()
        layers = self._layers()
        self._place(self._rows(layers))
        # Down, up, down: each layer near what it references, then near what references it.
        for upwards in (True, False, True):
            sweep = range(1, len(layers)) if upwards else range(len(layers) - 2, -1, -1)
            for index in sweep:
                layers[index] = self._order_by_barycentre(layers[index], upwards)
                self._place(self._rows(layers))
        externals = sorted(self.externals, key=lambda name: (round(self._barycentre(name, False), 3), name))
        self._place(self._wrap(externals) + self._rows(layers))
        return Erd(self._extent("x"), self._extent("y"), self._boxes(), self._edges())

    # -- sizes and layers -----------------------------------------------------------------------

    def _size(self) -> None:
        attachments: dict[str, int] = {}
        for reference in self.references:
            attachments[reference.parent] = attachments.get(reference.parent, 0) + 1
        for node in self.nodes.values():
            title = len(node.key) * TITLE_CHAR + 2 * PAD
            if node.external:
                node.width = max(title, attachments.get(node.key, 0) * ATTACH_SPACING + 2 * PAD)
                node.height = HEADER
                continue
            names = max((len(name) for name, _, _ in node.lines), default=0)
            types = max((len(sql_type) for _, sql_type, _ in node.lines), default=0)
            node.width = max(title, 2 * PAD + (names + types + 2) * CHAR)
            node.height = HEADER + LINE * len(node.lines) + PAD // 2

    def _layers(self) -> list[list[str]]:
        parents: dict[str, list[str]] = {name: [] for name in self.internal}
        for reference in self.references:
            if reference.parent in parents and reference.parent != reference.child:
                parents[reference.child].append(reference.parent)
        depth: dict[str, int] = {}
        visiting: set[str] = set()

        def depth_of(name: str) -> int:
            if name not in depth:
                visiting.add(name)
                # A reference back into the path being measured (a cycle) does not deepen it.
                above = [depth_of(p) for p in parents[name] if p not in visiting]
                visiting.discard(name)
                depth[name] = 1 + max(above) if above else 0
            return depth[name]

        for name in self.internal:
            depth_of(name)
        layers: list[list[str]] = [[] for _ in range(max(depth.values(), default=-1) + 1)]
        for name in self.internal:
            layers[depth[name]].append(name)
        return layers

    # -- placement --------------------------------------------------------------------------------

    def _neighbours(self, name: str, upwards: bool) -> list[str]:
        if upwards:
            return [r.parent for r in self.references
                    if r.child == name and r.parent in self.internal and r.parent != name]
        return [r.child for r in self.references if r.parent == name and r.child != name]

    def _barycentre(self, name: str, upwards: bool) -> float:
        others = [self.nodes[n].center_x for n in self._neighbours(name, upwards)]
        return sum(others) / len(others) if others else self.nodes[name].center_x

    def _order_by_barycentre(self, layer: list[str], upwards: bool) -> list[str]:
        return sorted(layer, key=lambda name: (round(self._barycentre(name, upwards), 3), self.nodes[name].order))

    def _wrap(self, names: list[str]) -> list[list[str]]:
        rows: list[list[str]] = []
        width = 0
        for name in names:
            node = self.nodes[name]
            if rows and width + GAP_X + node.width <= MAX_ROW_WIDTH:
                rows[-1].append(name)
                width += GAP_X + node.width
            else:
                rows.append([name])
                width = node.width
        return rows

    def _rows(self, layers: list[list[str]]) -> list[list[str]]:
        """Each layer's rows. A layer that wraps puts the tables referencing most tables above
        in its first row and the tables most referenced from below in its last, so that fewer
        lines cross its rows; each row keeps the layer's order."""
        rows = []
        for layer in layers:
            position = {name: i for i, name in enumerate(layer)}
            balance = {name: len(self._neighbours(name, False)) - len(self._neighbours(name, True)) for name in layer}
            for row in self._wrap(sorted(layer, key=lambda name: (balance[name], position[name]))):
                rows.append(sorted(row, key=position.__getitem__))
        return rows

    def _place(self, rows: list[list[str]]) -> None:
        widths = [sum(self.nodes[n].width for n in row) + GAP_X * (len(row) - 1) for row in rows]
        total = max(widths, default=0)
        y = MARGIN
        self.bands = []
        for row, width in zip(rows, widths, strict=True):
            x = MARGIN_X + (total - width) // 2
            for name in row:
                node = self.nodes[name]
                node.x, node.y = x, y
                x += node.width + GAP_X
            height = max(self.nodes[n].height for n in row)
            self.bands.append(_Band(y, y + height, tuple(self._gaps(row))))
            y += height + GAP_Y

    def _gaps(self, row: list[str]) -> list[int]:
        """Where a line may cross a row: beside its first and last box and between boxes."""
        nodes = [self.nodes[n] for n in row]
        gaps = [nodes[0].x - GAP_X // 2]
        gaps += [(a.x + a.width + b.x) // 2 for a, b in itertools.pairwise(nodes)]
        return [*gaps, nodes[-1].x + nodes[-1].width + GAP_X // 2]

    def _extent(self, axis: str) -> int:
        if axis == "x":
            return max((n.x + n.width for n in self.nodes.values()), default=0) + MARGIN_X
        return max((n.y + n.height for n in self.nodes.values()), default=0) + MARGIN

    def _boxes(self) -> tuple[ErdBox, ...]:
        boxes = []
        for name in [*self.externals, *self.internal]:
            node = self.nodes[name]
            lines = tuple(ErdLine(column, sql_type, node.y + HEADER + LINE * (i + 1) - 4, kind)
                          for i, (column, sql_type, kind) in enumerate(node.lines))
            boxes.append(ErdBox(node.key, node.href, node.x, node.y, node.width, node.height,
                                "box external" if node.external else "box", lines, HEADER, node.x + PAD,
                                node.y + HEADER - PAD, node.x + node.width - PAD))
        return tuple(boxes)

    # -- lines ------------------------------------------------------------------------------------

    @staticmethod
    def _sides(child: _Node, parent: _Node) -> tuple[str, str]:
        if child is parent:
            return "right", "right"
        if parent.y + parent.height <= child.y:
            return "top", "bottom"
        if parent.y >= child.y + child.height:
            return "bottom", "top"
        return ("left", "right") if parent.center_x < child.center_x else ("right", "left")

    def _route(self, child: _Node, parent: _Node, upwards: bool, lanes: dict[tuple[int, int], int]) -> list[int]:
        """The x at which a line between two boxes crosses each row between them: the gap
        nearest its way, so that lines pass between boxes rather than behind them."""
        if upwards:
            low, high, start, goal = parent.y + parent.height, child.y, child, parent
        else:
            low, high, start, goal = child.y + child.height, parent.y, child, parent
        bands = [(i, b) for i, b in enumerate(self.bands) if b.top >= low and b.bottom <= high]
        if upwards:
            bands.reverse()
        crossings = []
        x, y = start.center_x, start.y if upwards else start.y + start.height
        goal_y = goal.y + goal.height if upwards else goal.y
        for index, band in bands:
            middle = (band.top + band.bottom) / 2
            aim = x + (goal.center_x - x) * (middle - y) / (goal_y - y)
            # The nearest gap, unless lines already crowd it: a bundle is hard to follow.
            gap = min(range(len(band.gaps)),
                      key=lambda g: (abs(band.gaps[g] - aim) + CROWDING * lanes.get((index, g), 0), g))
            used = lanes.get((index, gap), 0)
            lanes[(index, gap)] = used + 1
            crossings.append(band.gaps[gap] + LANES[used % len(LANES)])
            x, y = crossings[-1], middle
        return crossings

    def _edges(self) -> tuple[ErdEdge, ...]:
        """One line per foreign key, from the referencing box to the referenced one. Lines
        meeting one side of a box are spread along it, ordered by where they come from."""
        sides: list[tuple[str, str]] = []
        routes: list[list[int]] = []
        lanes: dict[tuple[int, int], int] = {}
        slots: dict[tuple[str, str], list[tuple[float, int, int]]] = {}
        for index, reference in enumerate(self.references):
            child, parent = self.nodes[reference.child], self.nodes[reference.parent]
            child_side, parent_side = self._sides(child, parent)
            sides.append((child_side, parent_side))
            vertical = child_side in ("top", "bottom")
            routes.append(self._route(child, parent, child_side == "top", lanes) if vertical else [])
            route = routes[-1]
            for end, (own, other, side) in enumerate(((child, parent, child_side), (parent, child, parent_side))):
                along = other.center_x if vertical else other.center_y
                if route:
                    along = route[0] if end == 0 else route[-1]
                slots.setdefault((own.key, side), []).append((along if child is not parent else end, index, end))
        points: dict[tuple[int, int], tuple[int, int]] = {}
        for (name, side), entries in sorted(slots.items()):
            entries.sort()
            for position, (_, index, end) in enumerate(entries, start=1):
                points[(index, end)] = _point(self.nodes[name], side, position, len(entries))
        edges = []
        for index, reference in enumerate(self.references):
            start, end = points[(index, 0)], points[(index, 1)]
            if sides[index][0] in ("top", "bottom"):
                path = self._vertical_path(start, end, routes[index], sides[index][0] == "top")
            else:
                path = _curve(start, sides[index][0], end, sides[index][1])
            edges.append(ErdEdge(path, "fk tenant" if reference.tenant else "fk",
                                 f"{reference.child}.{reference.column} references {reference.parent}"))
        return tuple(edges)

    def _vertical_path(self, start: tuple[int, int], end: tuple[int, int], route: list[int], upwards: bool) -> str:
        """Straight through each row's gap, smooth curves between rows."""
        bands = [b for b in self.bands if b.top >= min(start[1], end[1]) and b.bottom <= max(start[1], end[1])]
        if upwards:
            bands.reverse()
        points = [start]
        for x, band in zip(route, bands, strict=True):
            points += [(x, band.bottom), (x, band.top)] if upwards else [(x, band.top), (x, band.bottom)]
        points.append(end)
        path = [f"M{start[0]} {start[1]}"]
        for i in range(1, len(points)):
            (xa, ya), (xb, yb) = points[i - 1], points[i]
            if i % 2 == 0:
                path.append(f"L{xb} {yb}")
            else:
                middle = (ya + yb) // 2
                path.append(f"C{xa} {middle} {xb} {middle} {xb} {yb}")
        return " ".join(path)


@dataclass(frozen=True)
class _Band:
    """A row of boxes: from the top of its boxes to the bottom of its tallest, and its gaps."""

    top: int
    bottom: int
    gaps: tuple[int, ...]


def _column_kind(table: ir.Table, column: str, fk_columns: dict[str, set[str]]) -> str:
    if column in table.primary_key:
        return "pk"
    return "fk" if column in fk_columns.get(table.name, set()) else ""


def _point(node: _Node, side: str, position: int, count: int) -> tuple[int, int]:
    if side in ("top", "bottom"):
        return node.x + node.width * position // (count + 1), node.y if side == "top" else node.y + node.height
    y = node.y + (node.height - HEADER) * position // (count + 1) + (0 if node.external else HEADER)
    return (node.x if side == "left" else node.x + node.width), y


def _curve(start: tuple[int, int], start_side: str, end: tuple[int, int], end_side: str) -> str:
    (x1, y1), (x2, y2) = start, end
    bend = max(24, min(abs(y2 - y1) // 2, 120)) if start_side in ("top", "bottom") else 40
    offsets = {"top": (0, -bend), "bottom": (0, bend), "left": (-bend, 0), "right": (bend, 0)}
    (dx1, dy1), (dx2, dy2) = offsets[start_side], offsets[end_side]
    return f"M{x1} {y1} C{x1 + dx1} {y1 + dy1} {x2 + dx2} {y2 + dy2} {x2} {y2}"


# -- the access matrix ----------------------------------------------------------------------------


def access_cell(table: ir.Table, command: str, role: str) -> Cell:
    """What `role` may do with `command` on `table`, read from the table's access intent.

    `member` rules hold for every role of the tenant; named rules hold for their roles and for
    `super_admin` (has_any_role() is true for it), within the tenant; a rule naming
    `super_admin` lets it through without the tenant condition. A conditional rule (`own` or
    `where`) allows only some rows. `anon` holds no privilege at all; `service_role` bypasses
    row-level security, but append-only tables stop its updates and deletes too."""
    append_only = table.immutable and command in ("update", "delete")
    if role == ANON:
        return Cell("refused", "refused", "anon holds no privilege on any table")
    if role == SERVICE_ROLE:
        if append_only:
            return Cell("refused", "refused", "append-only: the prevent_mutation trigger raises P0001")
        return Cell("allowed", "allowed", "service_role bypasses row-level security")
    if append_only:
        return Cell("refused", "refused", "append-only: no policy allows it")
    rules = dict(table.access).get(command, ())
    conditions = [conditional for roles, conditional in rules if _rule_applies(roles, role)]
    if not conditions:
        return Cell("refused", "refused", "no rule of this command names the role")
    if all(conditions):
        return Cell("conditional", "conditional", "only rows meeting the rule's condition (own rows or where)")
    if role == PLATFORM_ROLE and any(PLATFORM_ROLE in roles and not conditional for roles, conditional in rules):
        return Cell("allowed", "allowed", "every row of every tenant: the platform role")
    if table.tenancy == "user":
        return Cell("only own rows", "own", "only the caller's own rows")
    if table.tenancy == "global":
        return Cell("allowed", "allowed", "every row of the catalogue")
    return Cell("allowed", "allowed", "every row of the caller's current tenant")


def _rule_applies(roles: tuple[str, ...], role: str) -> bool:
    if role in roles or MEMBER in roles:
        return True
    # has_any_role() is true for the platform role, so it passes every named rule too.
    return role == PLATFORM_ROLE and bool(roles)


def access_rows(table: ir.Table, roles: tuple[str, ...]) -> tuple[AccessRow, ...]:
    return tuple(AccessRow(command, tuple(access_cell(table, command, role) for role in roles))
                 for command in COMMANDS)


# -- the site -------------------------------------------------------------------------------------

_TENANCY = {
    "community": "community: each row belongs to one community ({column}); users reach the rows of their "
                 "current community (JWT app_metadata)",
    "organization": "organization: each row belongs to an organization ({column}); users reach the rows of "
                    "the organization their current community belongs to",
    "user": "user: each row belongs to one user ({column}); users reach only their own rows",
    "global": "global: a catalogue every signed-in user reads; only service_role writes it",
}

_CARRIER_KINDS = ("tables", "columns", "enums", "types", "functions", "views")


class _Site:
    def __init__(self, model: ir.Model, plan: Plan, environment: jinja2.Environment) -> None:
        for name in TEMPLATE_NAMES:
            # Escaping HTML is the environment's job: it must see these names as HTML.
            setting = environment.autoescape
            if not (setting(name) if callable(setting) else setting):
                raise RuntimeError(f"the Jinja environment does not autoescape {name}")
        self.model = model
        self.environment = environment
        self.migrations = list(plan.migrations)
        self.domains = [m.domain for m in self.migrations]
        self.tables = {t.name: t for t in model.of_type(ir.Table)}
        self.roles = self._roles()
        self.href_of = {name: f"{page_of(t.domain)}#{anchor('table', name)}" for name, t in self.tables.items()}

    # -- shared pieces --------------------------------------------------------------------------

    def _roles(self) -> tuple[str, ...]:
        """The access matrix's columns: anon, the application roles as the domains declare them
        (and any a rule names without a declaration), service_role."""
        declared = [role for domain in self.domains for role, _ in domain.roles]
        named = [role for table in self.tables.values() for _, rules in table.access
                 for roles, _ in rules for role in roles if role != MEMBER]
        app_roles = [r for r in dict.fromkeys([*declared, *named]) if r not in (ANON, SERVICE_ROLE)]
        return (ANON, *app_roles, SERVICE_ROLE)

    def nav(self, current: str | None) -> tuple[Link, ...]:
        return tuple(Link(d.title, page_of(d.name), d.name == current) for d in self.domains)

    @staticmethod
    def requirement_links(requirements: Iterable[str]) -> tuple[Link, ...]:
        return tuple(Link(r, f"index.html#{requirement_anchor(r)}") for r in requirements)

    def objects_of(self, domain: str, kind: type[ir.ObjectT]) -> list[ir.ObjectT]:
        return [o for o in self.model.of_type(kind) if o.domain == domain]

    def of_table(self, kind: type[ir.ObjectT], table: str) -> list[ir.ObjectT]:
        return [o for o in self.model.of_type(kind) if getattr(o, "table", None) == table]

    def sql(self, obj: ir.DbObject) -> str:
        return self.environment.get_template(TEMPLATES[type(obj)]).render(obj=obj).strip("\n")

    def table_link(self, name: str, here: str) -> Link:
        href = self.href_of.get(name)
        if href is None:
            return Link(name)
        page, _, fragment = href.partition("#")
        return Link(name, f"#{fragment}" if page == page_of(here) else href)

    @staticmethod
    def test_file(migration: MigrationPlan) -> str:
        """The pgTAP file render_tests writes for the domain (only domains with tables get one)."""
        if not any(isinstance(o, ir.Table) for o in migration.objects):
            return ""
        return f"{migration.number:04d}_{migration.domain.name}.test.sql"

    # -- the overview ---------------------------------------------------------------------------

    def index(self) -> str:
        summaries = tuple(
            DomainSummary(m.number, Link(m.domain.name, page_of(m.domain.name)), m.domain.title, m.domain.phase,
                          m.domain.description.strip(), len(self.objects_of(m.domain.name, ir.Table)), m.file_name)
            for m in self.migrations)
        roles = tuple(RoleDoc(role, text.strip(), Link(d.title, page_of(d.name)))
                      for d in self.domains for role, text in d.roles)
        return self.environment.get_template("docs/index.html").render(
            nav=self.nav(None), domains=summaries, roles=roles, trace=self.traceability(),
            table_count=len(self.tables))

    def traceability(self) -> tuple[TraceRow, ...]:
        """Each requirement a domain declares, with the objects whose `requirements` name it
        (in spec order, wherever they are declared) and its domain's pgTAP file."""
        carriers: dict[str, dict[str, list[Link]]] = {}

        def carry(requirements: Iterable[str], kind: str, text: str, fragment: str, domain: str) -> None:
            link = Link(text, f"{page_of(domain)}#{fragment}")
            for requirement in requirements:
                found = carriers.setdefault(requirement, {}).setdefault(kind, [])
                if link not in found:  # a function's public wrapper repeats its private body
                    found.append(link)

        for obj in self.model.objects:
            if isinstance(obj, ir.Table):
                carry(obj.requirements, "tables", obj.name, anchor("table", obj.name), obj.domain)
                for column in obj.columns:
                    carry(column.requirements, "columns", f"{obj.name}.{column.name}",
                          anchor("column", obj.name, column.name), obj.domain)
            elif isinstance(obj, ir.Enum | ir.DomainType | ir.Function | ir.View):
                kind = {ir.Enum: "enums", ir.DomainType: "types", ir.Function: "functions", ir.View: "views"}
                carry(obj.requirements, kind[type(obj)], obj.name, anchor(kind[type(obj)][:-1], obj.name),
                      obj.domain)
        rows = []
        for migration in self.migrations:
            domain = migration.domain
            for requirement, title in domain.requirements:
                found = carriers.get(requirement, {})
                rows.append(TraceRow(
                    requirement_anchor(requirement), requirement, title, Link(domain.name, page_of(domain.name)),
                    tuple((kind, tuple(found[kind])) for kind in _CARRIER_KINDS if kind in found),
                    self.test_file(migration)))
        return tuple(rows)

    # -- a domain's page ------------------------------------------------------------------------

    def domain_page(self, migration: MigrationPlan) -> str:
        domain = migration.domain
        tables = self.objects_of(domain.name, ir.Table)
        names = {t.name for t in tables}
        foreign_keys = [fk for fk in self.model.of_type(ir.ForeignKey) if fk.table in names]
        elsewhere = {name: href for name, href in self.href_of.items() if name not in names}
        return self.environment.get_template("docs/domain.html").render(
            nav=self.nav(domain.name), domain=domain, number=migration.number, migration=migration.file_name,
            test_file=self.test_file(migration),
            requirements=tuple((Link(r, f"index.html#{requirement_anchor(r)}"), title)
                               for r, title in domain.requirements),
            erd=ErdLayout(tables, foreign_keys, elsewhere).layout() if tables else None,
            roles=self.roles,
            tables=tuple(self.table_doc(t) for t in tables),
            enums=tuple(EnumDoc(anchor("enum", e.name), e.name, e.values, e.description.strip(),
                                self.requirement_links(e.requirements))
                        for e in self.objects_of(domain.name, ir.Enum)),
            types=tuple(TypeDoc(anchor("type", t.name), t.name, t.base_type, t.check or "", t.description.strip(),
                                self.requirement_links(t.requirements))
                        for t in self.objects_of(domain.name, ir.DomainType)),
            functions=self.function_docs(domain.name),
            views=tuple(ViewDoc(anchor("view", v.name), f"{v.schema}.{v.name}", v.description.strip(),
                                self.requirement_links(v.requirements), v.column_comments, self.sql(v))
                        for v in self.objects_of(domain.name, ir.View)),
            buckets=tuple(self.bucket_doc(b) for b in self.objects_of(domain.name, ir.Bucket)))

    def table_doc(self, table: ir.Table) -> TableDoc:
        tenancy = _TENANCY[table.tenancy].format(column=table.tenant_column)
        if table.tenant_column == "id":
            tenancy = f"{table.tenancy}: the table is the tenant key itself (its id)"
        policies = sorted(self.of_table(ir.Policy, table.name),
                          key=lambda p: (COMMANDS.index(p.command) if p.command in COMMANDS else 9, p.name))
        return TableDoc(
            anchor("table", table.name), table.name, table.description.strip(),
            self.requirement_links(table.requirements), tenancy, self.patterns(table),
            tuple(self.column_doc(table, c) for c in table.columns),
            tuple((c.name, c.expression or "") for c in table.checks),
            tuple(IndexDoc(i.name, f"using {i.using} ({', '.join(i.elements)})", "unique" if i.unique else "",
                           i.where or "") for i in self.of_table(ir.Index, table.name)),
            access_rows(table, self.roles),
            "\n\n".join(self.sql(p) for p in policies))

    def column_doc(self, table: ir.Table, column: ir.Column) -> ColumnDoc:
        default = column.default or ""
        if column.generated is not None:
            default = f"generated always as ({column.generated}) stored"
        references = self.table_link(column.references, table.domain) if column.references else None
        return ColumnDoc(anchor("column", table.name, column.name), column.name, _display_type(column.type),
                         "not null" if column.not_null else "null", default, references,
                         (column.description or "").strip(), self.requirement_links(column.requirements))

    def patterns(self, table: ir.Table) -> tuple[Pattern, ...]:
        found = []
        if table.audit:
            found.append(Pattern("audit", "created_at, updated_at and created_by are set by the set_audit_fields "
                                          "trigger; clients cannot forge them"))
        if table.soft_delete:
            found.append(Pattern("soft delete", "deleted_at marks deleted rows; reads and updates see only active "
                                                "rows; clients delete through soft_delete_record(table, id)"))
        if table.immutable:
            found.append(Pattern("append-only", "updates, deletes and truncates are rejected for every role "
                                                "(P0001 immutable_table)"))
        found += [_machine_pattern(m) for m in self.of_table(ir.StateMachine, table.name)]
        for guard in self.of_table(ir.ColumnGuard, table.name):
            found.append(Pattern("guarded columns", "a before-update trigger rejects other API callers (42501)",
                                 tuple(message.removeprefix("not_authorized: ") for _, _, message in guard.groups)))
        for normalizer in self.of_table(ir.Normalizer, table.name):
            found.append(Pattern("normalised columns", "a trigger rewrites written values into their normal form",
                                 tuple(f"{column} := {expression}" for column, expression in normalizer.assignments)))
        validity = _validity(table)
        if validity:
            found.append(Pattern("validity", validity))
        for exclusion in table.exclusions:
            where = f", among rows where {exclusion.where}" if exclusion.where else ""
            found.append(Pattern("exclusion", f"{exclusion.name}: no two rows match on "
                                              f"{', '.join(exclusion.columns)} (using {exclusion.using}){where}"))
        triggers = sorted(self.triggers(table))
        if triggers:
            found.append(Pattern("triggers", "PostgreSQL runs the triggers of one event in name order",
                                 tuple(triggers)))
        return tuple(found)

    def triggers(self, table: ir.Table) -> list[str]:
        """Every trigger on the table: declared ones and those of its behaviour constructs
        (named as templates/sql/ names them)."""
        found = [f"{t.name}: {t.timing} {' or '.join(t.events)} for each {t.level}, {t.function}()"
                 + (f" when ({t.when})" if t.when else "") for t in self.of_table(ir.Trigger, table.name)]
        found += [f"{m.trigger_name}: before insert or update of {m.column} for each row, "
                  f"{m.schema}.{m.function_name}()" for m in self.of_table(ir.StateMachine, table.name)]
        found += [f"{g.trigger_name}: before update for each row, {g.schema}.{g.function_name}()"
                  for g in self.of_table(ir.ColumnGuard, table.name)]
        found += [f"{n.trigger_name}: before insert or update for each row, {n.schema}.{n.function_name}()"
                  for n in self.of_table(ir.Normalizer, table.name)]
        return found

    def function_docs(self, domain: str) -> tuple[FunctionDoc, ...]:
        """One entry per spec function: its callable face (the public wrapper of a
        security-definer body, else the function itself) and the body that does the work."""
        faces: dict[str, list[ir.Function]] = {}
        for function in self.objects_of(domain, ir.Function):
            faces.setdefault(function.name, []).append(function)
        docs = []
        for name, functions in faces.items():
            public = next((f for f in functions if f.schema == "public"), None)
            body = next((f for f in functions if f.security_definer), functions[0])
            face = public or functions[0]
            arguments = ", ".join(f"{a.name} {_display_type(a.type)}" + (f" default {a.default}" if a.default else "")
                                  for a in face.args)
            if body.security_definer and public is not None and public is not body:
                security = (f"security definer: the body runs as its owner in private.{name}, called through "
                            f"the security-invoker wrapper public.{name}")
            elif body.security_definer:
                security = "security definer, in schema private (not exposed through the API)"
            elif face.schema == "private":
                security = "security invoker, in schema private (a helper of other functions)"
            else:
                security = "security invoker"
            execute = ", ".join(face.execute_roles) or "no API role (triggers and other functions only)"
            docs.append(FunctionDoc(
                anchor("function", name), f"{face.schema}.{name}({arguments})", _display_type(face.returns),
                security, execute, f"{body.language}, {body.volatility}", face.description.strip(),
                self.requirement_links(face.requirements), body.body.strip("\n")))
        return tuple(docs)

    def bucket_doc(self, bucket: ir.Bucket) -> BucketDoc:
        facts = [("visibility", "private"),
                 ("file size limit", _size(bucket.file_size_limit)),
                 ("allowed types", ", ".join(bucket.allowed_mime_types) or "any")]
        if bucket.table:
            facts.append(("readable when", f"the path is stored in {bucket.table}.{bucket.path_column} "
                                           f"of a row the caller can see"))
            facts.append(("uploads go to", f"{{community_id}}/{bucket.entity}/{{id of a visible {bucket.entity} "
                                           f"row}}/…"))
        return BucketDoc(anchor("bucket", bucket.name), bucket.name, bucket.description.strip(), tuple(facts),
                         self.sql(bucket))

    # -- every file -----------------------------------------------------------------------------

    def files(self) -> dict[str, str]:
        files = {f"{DOCS_DIR}/index.html": self.index(),
                 f"{DOCS_DIR}/style.css": self.environment.get_template("docs/style.css").render()}
        for migration in self.migrations:
            files[f"{DOCS_DIR}/{page_of(migration.domain.name)}"] = self.domain_page(migration)
        return files


def _machine_pattern(machine: ir.StateMachine) -> Pattern:
    entries = tuple(
        f"entering {state} sets " + ", ".join(f"{column} = {value.removeprefix('pg_catalog.')}"
                                                for column, value in assignments)
        for state, assignments in machine.on_entry)
    if not machine.transitions:
        return Pattern("stamps", f"changes of {machine.column} record when (and who)", entries)
    moves: dict[str, list[str]] = {}
    for source, target in machine.transitions:
        moves.setdefault(source, []).append(target)
    lines = tuple(f"{source} → {', '.join(targets)}" for source, targets in moves.items())
    return Pattern("state machine", f"{machine.column} moves only along these transitions "
                                    f"(else P0001 invalid_transition)", lines + entries)


_COMPARISON = re.compile(r"^([a-z_][a-z0-9_]*) (>=|>) ([a-z_][a-z0-9_]*)$")


def _validity(table: ir.Table) -> str:
    """The validity window that a check `ends > starts` under its generated name stands for."""
    for check in table.checks:
        match = _COMPARISON.match(check.expression or "")
        if match is None:
            continue
        ends, operator, starts = match.groups()
        if check.name == fit_identifier(f"{table.name}_{ends}_after_{starts}_check"):
            inclusive = " or equal" if operator == ">=" else ""
            return f"a row is valid from {starts} to {ends}; {ends} must be later{inclusive}"
    return ""


def _size(limit: int | None) -> str:
    if limit is None:
        return "none"
    for unit, factor in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if limit >= factor and limit % factor == 0:
            return f"{limit // factor} {unit}"
    return f"{limit} bytes"


def render_docs(model: ir.Model, plan: Plan, environment: jinja2.Environment) -> dict[str, str]:
    """docs/index.html, docs/style.css and docs/<domain>.html, keyed by path under the output root."""
    return _Site(model, plan, environment).files()
