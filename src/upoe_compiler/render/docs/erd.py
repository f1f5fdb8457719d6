"""Diagrams as SVG coordinates: a domain's ERD (tables with their columns, each foreign key drawn
from its column to the key it references) and the whole schema's overview (small boxes grouped
by domain). Laid out in layers, each table below what it references; no randomness, so the same
spec draws the same picture."""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace

from ... import ir
from .pages import _display_type, anchor, page_of

# -- what the templates receive -------------------------------------------------------------------


@dataclass(frozen=True)
class ErdLine:
    name: str
    type: str
    y: int
    kind: str  # a CSS class: "pk", "fk", "tenant" or ""


@dataclass(frozen=True)
class ErdBox:
    name: str
    href: str
    x: int
    y: int
    width: int
    height: int
    css: str  # "box", "box compact" or "box external"
    lines: tuple[ErdLine, ...]
    header: int  # height of the title bar
    name_x: int  # where titles and column names start
    name_y: int  # the title's baseline
    type_x: int  # where column types end


@dataclass(frozen=True)
class ErdEdge:
    path: str
    title: str


@dataclass(frozen=True)
class ErdGroup:
    """Boxes and lines drawn at (x, y); a labelled frame around them when `label` is set."""

    label: str
    href: str
    x: int
    y: int
    width: int
    height: int
    drawing_y: int  # where the boxes start, below the label
    boxes: tuple[ErdBox, ...]
    edges: tuple[ErdEdge, ...]


@dataclass(frozen=True)
class Erd:
    title: str
    width: int
    height: int
    groups: tuple[ErdGroup, ...]
    note: str  # what the drawing leaves out (tenant keys), in words
    full_size: str  # the standalone SVG file, beside the pages

    def standalone(self, page: str) -> Erd:
        """The same drawing for its own file: links within the page point into `page`."""
        return replace(self, groups=tuple(
            replace(group, boxes=tuple(replace(box, href=page + box.href) if box.href.startswith("#") else box
                                       for box in group.boxes))
            for group in self.groups))


# -- sizes ----------------------------------------------------------------------------------------

# In SVG user units (px). Column lines are monospace, so widths follow from lengths.
CHAR = 7  # advance of an 11px monospace character, rounded up
TITLE_CHAR = 8  # of a 13px bold title character
PAD = 8
HEADER = 26
LINE = 16
GAP_X = 36
GAP_Y = 72
MARGIN = 16
MARGIN_X = 40  # room for lines passing beside a row
LANE_SPACING = 5  # between lines sharing one gap, when there is room
LANE_WIDTH = 30  # of a gap, for its lines (gaps are GAP_X wide)
CROWDING = 40  # how far a line detours to avoid one more line in a gap
MAX_ROW_WIDTH = 1200
LOOP = 28  # how far a table's reference to itself swings out
UNDER = 14  # how far below its row a line between two boxes of one row passes
# The overview: groups stacked, each with a label above its boxes.
COMPACT_GAP_Y = 40
GROUP_LABEL = 30
GROUP_CHAR = 9  # advance of a 15px bold label character
GROUP_GAP = 24
OVERVIEW_PAGE = "overview.html"


def diagram_file(page: str) -> str:
    """The standalone SVG of the diagram on `page`, beside it (named after the page, so that a
    domain named like another page never takes its diagram's name)."""
    return f"diagram-{page.removesuffix('.html')}.svg"


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
    band: int = 0  # the row of boxes it sits in
    slot: int = 0  # its place in that row

    @property
    def center_x(self) -> float:
        return self.x + self.width / 2

    def row_y(self, column: str) -> int:
        """Where a line meets the box: the middle of the column's line, else of the title."""
        for index, (name, _, _) in enumerate(self.lines):
            if name == column:
                return self.y + HEADER + LINE * index + LINE // 2
        return self.y + HEADER // 2


@dataclass(frozen=True)
class _Reference:
    child: str
    column: str
    parent: str
    key: str  # the referenced column


@dataclass(frozen=True)
class _Band:
    """A row of boxes: from the top of its boxes to the bottom of its tallest, and its gaps
    (gap i is left of the row's box i, the last one right of its last box)."""

    top: int
    bottom: int
    gaps: tuple[int, ...]


def tenant_note(folded: Counter[tuple[str, str]]) -> str:
    if not folded:
        return ""
    parts = [f"{column} → {parent} in {count} table{'s' if count > 1 else ''}"
             for (column, parent), count in sorted(folded.items())]
    return "Tenant keys are not drawn, to keep the lines readable: " + "; ".join(parts) + "."


class ErdLayout:
    """A layered layout. Tables that reference nothing in the domain form the first layer;
    every other table sits one layer below the deepest table it references. Within a layer,
    tables move near the tables they reference and that reference them (barycentres, a few
    sweeps); a layer wider than MAX_ROW_WIDTH wraps into several rows. Tables of other domains
    (and auth.users) are small grey boxes on top, each above the tables that reference it.

    A line leaves the referencing table beside its column, runs down or up the gap beside the
    box, crosses the rows between the two boxes through the gaps between boxes (spread over
    lanes, avoiding crowded gaps) and enters the referenced table beside its key. Tenant keys
    (a table's community_id or organization_id) are left out and counted in a note instead:
    nearly every table has one. Lines are drawn first, so boxes stay on top of them.

    `compact` draws titles only, and only the references between the given tables."""

    def __init__(self, tables: list[ir.Table], foreign_keys: list[ir.ForeignKey], href_of: dict[str, str],
                 compact: bool = False) -> None:
        by_name = {t.name: t for t in tables}
        self.compact = compact
        self.gap_y = COMPACT_GAP_Y if compact else GAP_Y
        self.references: list[_Reference] = []
        self.folded: Counter[tuple[str, str]] = Counter()
        fk_columns: dict[str, set[str]] = {}
        for fk in foreign_keys:
            parent = fk.ref_table if fk.ref_schema == "public" else f"{fk.ref_schema}.{fk.ref_table}"
            column = fk.columns[-1]  # (community_id, column) for a composite tenant-safe key
            if column == by_name[fk.table].tenant_column:
                self.folded[(column, parent)] += 1
            elif not compact or parent in by_name:
                fk_columns.setdefault(fk.table, set()).add(column)
                self.references.append(_Reference(fk.table, column, parent, fk.ref_columns[-1]))
        self.nodes: dict[str, _Node] = {}
        self.bands: list[_Band] = []
        for order, table in enumerate(tables):
            lines = [] if compact else [(c.name, _display_type(c.type), _column_kind(table, c.name, fk_columns))
                                        for c in table.columns]
            href = href_of.get(table.name, f"#{anchor('table', table.name)}")
            self.nodes[table.name] = _Node(table.name, href, False, lines, order)
        self.internal = [t.name for t in tables]
        self.externals = sorted({r.parent for r in self.references if r.parent not in by_name})
        for order, name in enumerate(self.externals, start=len(tables)):
            self.nodes[name] = _Node(name, href_of.get(name, ""), True, [], order)

    def layout(self, title: str, full_size: str) -> Erd:
        width, height, boxes, edges = self.drawing()
        return Erd(title, width, height, (ErdGroup("", "", 0, 0, width, height, 0, boxes, edges),),
                   tenant_note(self.folded), full_size)

    def drawing(self) -> tuple[int, int, tuple[ErdBox, ...], tuple[ErdEdge, ...]]:
        """The extent, boxes and lines of the laid-out tables."""
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
        return self._extent("x"), self._extent("y"), self._boxes(), self._edges()

    # -- sizes and layers -----------------------------------------------------------------------

    def _size(self) -> None:
        for node in self.nodes.values():
            title = len(node.key) * TITLE_CHAR + 2 * PAD
            if not node.lines:
                node.width, node.height = title, HEADER
                continue
            names = max(len(name) for name, _, _ in node.lines)
            types = max(len(sql_type) for _, sql_type, _ in node.lines)
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
        for band, (row, width) in enumerate(zip(rows, widths, strict=True)):
            x = MARGIN_X + (total - width) // 2
            for slot, name in enumerate(row):
                node = self.nodes[name]
                node.x, node.y, node.band, node.slot = x, y, band, slot
                x += node.width + GAP_X
            height = max(self.nodes[n].height for n in row)
            self.bands.append(_Band(y, y + height, tuple(self._gaps(row))))
            y += height + self.gap_y

    def _gaps(self, row: list[str]) -> list[int]:
        """Where a line may run: beside the row's first and last box and between boxes."""
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
            css = "box external" if node.external else "box compact" if self.compact else "box"
            boxes.append(ErdBox(node.key, node.href, node.x, node.y, node.width, node.height, css, lines, HEADER,
                                node.x + PAD, node.y + HEADER - PAD, node.x + node.width - PAD))
        return tuple(boxes)

    # -- lines ------------------------------------------------------------------------------------

    def _crossings(self, bands: list[int], x: float, y: float, goal_x: float, goal_y: float,
                   lanes: _Lanes) -> list[tuple[int, int]]:
        """The lanes in which a line crosses each of `bands` (in the order it meets them): in the
        gap nearest its way, so that lines pass between boxes rather than behind them."""
        crossings = []
        for index in bands:
            band = self.bands[index]
            middle = (band.top + band.bottom) / 2
            aim = x + (goal_x - x) * (middle - y) / (goal_y - y)
            # The nearest gap, unless lines already crowd it: a bundle is hard to follow.
            gap = min(range(len(band.gaps)),
                      key=lambda g: (abs(band.gaps[g] - aim) + CROWDING * lanes.crowd(index, g), g))
            crossings.append((index, lanes.passing(index, gap)))
            x, y = band.gaps[gap], middle
        return crossings

    def _edges(self) -> tuple[ErdEdge, ...]:
        """One line per drawn foreign key, from beside the referencing column to beside the key.
        Every line claims its lanes first; the gaps then spread them, and the lines are drawn."""
        lanes = _Lanes(self.bands)
        drawings: list[tuple[Callable[[_Lanes], str], str]] = []
        for reference in self.references:
            child, parent = self.nodes[reference.child], self.nodes[reference.parent]
            start_y, end_y = child.row_y(reference.column), parent.row_y(reference.key)
            if child is parent:
                right = child.x + child.width
                draw = _without_lanes(
                    f"M{right} {start_y} C{right + LOOP} {start_y} {right + LOOP} {end_y} {right} {end_y}")
            elif child.band == parent.band:
                draw = self._within_row(child, start_y, parent, end_y, lanes)
            else:
                draw = self._across_rows(child, start_y, parent, end_y, lanes)
            drawings.append((draw, f"{reference.child}.{reference.column} references "
                                   f"{reference.parent}.{reference.key}"))
        lanes.spread()
        return tuple(ErdEdge(draw(lanes), title) for draw, title in drawings)

    def _within_row(self, child: _Node, start_y: int, parent: _Node, end_y: int,
                    lanes: _Lanes) -> Callable[[_Lanes], str]:
        """Neighbours: one curve through the gap between them; else out of each box's facing
        side and under the row."""
        rightwards = parent.x > child.x
        start_x = child.x + child.width if rightwards else child.x
        end_x = parent.x if rightwards else parent.x + parent.width
        if abs(child.slot - parent.slot) == 1:
            middle = self.bands[child.band].gaps[max(child.slot, parent.slot)]
            return _without_lanes(f"M{start_x} {start_y} C{middle} {start_y} {middle} {end_y} {end_x} {end_y}")
        leave = lanes.beside(child, rightwards, start_y, upwards=False)
        enter = lanes.beside(parent, not rightwards, end_y, upwards=False)
        under = self.bands[child.band].bottom + UNDER

        def draw(spread: _Lanes) -> str:
            return (f"M{start_x} {start_y} L{spread[leave]} {start_y} L{spread[leave]} {under} "
                    f"L{spread[enter]} {under} L{spread[enter]} {end_y} L{end_x} {end_y}")

        return draw

    def _across_rows(self, child: _Node, start_y: int, parent: _Node, end_y: int,
                     lanes: _Lanes) -> Callable[[_Lanes], str]:
        """Out of the child's side facing the parent, along its gap to the edge of its row,
        through the gaps of the rows between, along the gap beside the parent to its key."""
        upwards = parent.band < child.band
        leftwards = parent.center_x < child.center_x
        leave = lanes.beside(child, not leftwards, start_y, upwards)
        start_x = child.x if leftwards else child.x + child.width
        between = list(range(child.band - 1, parent.band, -1) if upwards else range(child.band + 1, parent.band))
        child_band, parent_band = self.bands[child.band], self.bands[parent.band]
        edge_y = child_band.top if upwards else child_band.bottom
        goal_y = parent_band.bottom if upwards else parent_band.top
        leave_x = child_band.gaps[child.slot if leftwards else child.slot + 1]
        crossings = self._crossings(between, leave_x, edge_y, parent.center_x, goal_y, lanes)
        last_x = self.bands[crossings[-1][0]].gaps[lanes.gap_of(crossings[-1][1])] if crossings else leave_x
        arrive_from_left = last_x < parent.center_x
        # Arriving from below, the line runs up the gap to the key: from there, it goes down.
        enter = lanes.beside(parent, not arrive_from_left, end_y, not upwards)
        end_x = parent.x if arrive_from_left else parent.x + parent.width

        def draw(spread: _Lanes) -> str:
            path = [f"M{start_x} {start_y}", f"L{spread[leave]} {start_y}", f"L{spread[leave]} {edge_y}"]
            x, y = spread[leave], edge_y
            for index, lane in crossings:
                band = self.bands[index]
                near, far = (band.bottom, band.top) if upwards else (band.top, band.bottom)
                path += [_bend(x, y, spread[lane], near), f"L{spread[lane]} {far}"]
                x, y = spread[lane], far
            path += [_bend(x, y, spread[enter], goal_y), f"L{spread[enter]} {end_y}", f"L{end_x} {end_y}"]
            return " ".join(path)

        return draw


class _Lanes:
    """Where lines run in the gaps of the rows of boxes. Each line claims a lane in every gap it
    runs along; once all have, each gap spreads its lanes over its width: the lines meeting the
    box on its left nearest that box, those meeting the box on its right nearest that one, lines
    passing through in between. Beside a box, a line running up the gap from its column is the
    nearer the higher its column (running down, the lower), so lines leaving one side of a box
    do not cross each other."""

    def __init__(self, bands: list[_Band]) -> None:
        self.bands = bands
        self.claims: list[tuple[int, int]] = []  # (band, gap) of each lane
        self.orders: list[tuple[int, int, int]] = []  # where the lane goes within its gap
        self.x: list[int] = []

    def _claim(self, band: int, gap: int, order: tuple[int, int]) -> int:
        self.claims.append((band, gap))
        self.orders.append((*order, len(self.orders)))
        return len(self.claims) - 1

    def beside(self, node: _Node, right_side: bool, y: int, upwards: bool) -> int:
        """A lane beside a side of a box, for a line meeting it at y and running up or down the gap."""
        nearness = y if upwards else -y
        if right_side:
            return self._claim(node.band, node.slot + 1, (0, nearness))
        return self._claim(node.band, node.slot, (2, -nearness))

    def passing(self, band: int, gap: int) -> int:
        return self._claim(band, gap, (1, 0))

    def crowd(self, band: int, gap: int) -> int:
        return self.claims.count((band, gap))

    def gap_of(self, lane: int) -> int:
        return self.claims[lane][1]

    def spread(self) -> None:
        by_gap: dict[tuple[int, int], list[int]] = {}
        for lane, where in enumerate(self.claims):
            by_gap.setdefault(where, []).append(lane)
        self.x = [0] * len(self.claims)
        for (band, gap), found in by_gap.items():
            found.sort(key=self.orders.__getitem__)
            spacing = min(LANE_SPACING, LANE_WIDTH / max(len(found) - 1, 1))
            for position, lane in enumerate(found):
                self.x[lane] = self.bands[band].gaps[gap] + round((position - (len(found) - 1) / 2) * spacing)

    def __getitem__(self, lane: int) -> int:
        return self.x[lane]


def _without_lanes(path: str) -> Callable[[_Lanes], str]:
    """A line that runs along no gap: it is drawn as it is."""
    return lambda _: path


def _bend(x1: int, y1: int, x2: int, y2: int) -> str:
    """A smooth step between rows, from (x1, y1) to (x2, y2), vertical at both ends."""
    middle = (y1 + y2) // 2
    return f"C{x1} {middle} {x2} {middle} {x2} {y2}"


def _column_kind(table: ir.Table, column: str, fk_columns: dict[str, set[str]]) -> str:
    if column in table.primary_key:
        return "pk"
    if column == table.tenant_column:
        return "tenant"
    return "fk" if column in fk_columns.get(table.name, set()) else ""


# -- the diagrams of the site --------------------------------------------------------------------


def table_hrefs(model: ir.Model) -> dict[str, str]:
    """Where each table is described: its domain's page and anchor."""
    return {t.name: f"{page_of(t.domain)}#{anchor('table', t.name)}" for t in model.of_type(ir.Table)}


def domain_erd(model: ir.Model, domain: ir.DomainInfo) -> Erd | None:
    """The diagram of a domain's tables (None without tables); tables of other domains link to their page."""
    tables = [t for t in model.of_type(ir.Table) if t.domain == domain.name]
    if not tables:
        return None
    names = {t.name for t in tables}
    foreign_keys = [fk for fk in model.of_type(ir.ForeignKey) if fk.table in names]
    elsewhere = {name: href for name, href in table_hrefs(model).items() if name not in names}
    return ErdLayout(tables, foreign_keys, elsewhere).layout(f"Tables of {domain.title} and their foreign keys",
                                                              diagram_file(page_of(domain.name)))


def overview_erd(model: ir.Model, domains: list[ir.DomainInfo]) -> Erd:
    """Every domain's tables as small boxes in a labelled frame (the domain's title, linking to
    its page), the frames stacked in the order given; lines only between tables of one domain."""
    href_of = table_hrefs(model)
    groups = []
    folded: Counter[tuple[str, str]] = Counter()
    y = MARGIN
    for domain in domains:
        tables = [t for t in model.of_type(ir.Table) if t.domain == domain.name]
        if not tables:
            continue
        names = {t.name for t in tables}
        foreign_keys = [fk for fk in model.of_type(ir.ForeignKey) if fk.table in names]
        layout = ErdLayout(tables, foreign_keys, href_of, compact=True)
        width, height, boxes, edges = layout.drawing()
        folded += layout.folded
        width = max(width, len(domain.title) * GROUP_CHAR + 3 * PAD)
        groups.append(ErdGroup(domain.title, page_of(domain.name), MARGIN, y, width, height + GROUP_LABEL,
                               GROUP_LABEL, boxes, edges))
        y += height + GROUP_LABEL + GROUP_GAP
    width = max((g.width for g in groups), default=0) + 2 * MARGIN
    note = f"{tenant_note(folded)} Lines to tables of other domains are drawn on each domain's page."
    return Erd("Every table of the schema, by domain", width, y - GROUP_GAP + MARGIN, tuple(groups), note.strip(),
               diagram_file(OVERVIEW_PAGE))
