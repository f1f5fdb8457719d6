"""The ERD of a domain as SVG coordinates, laid out in layers: each table below what it references."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from ... import ir
from .pages import Erd, ErdBox, ErdEdge, ErdLine, _display_type, anchor

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
