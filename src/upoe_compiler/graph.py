"""Stage 4 — graph.

Input: the resolved `ir.Model`.
Output: a `Plan`: the domains in migration order, each with its objects in a stable
dependency order.
Errors: UPOE301 dependency on an unknown object, UPOE302 cycle between objects,
UPOE303 cycle between domains.

Edges run from a dependency to its dependent: `add_dependency(obj, depends_on)` means
`depends_on` must be created first. Ties are broken by a sort key, never by dict or
set order, so the same spec always gives the same order.

Ordering a spec without cycles needs only `_Digraph`; networkx, slow to import (a quarter of
the imports of a cold `upoe compile`), is imported only to explain a cycle.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from . import ir
from .errors import DiagnosticSink
from .vocabulary import PLATFORM_DOMAIN as PLATFORM

if TYPE_CHECKING:
    import networkx as nx


@dataclass(frozen=True)
class MigrationPlan:
    number: int
    domain: ir.DomainInfo
    objects: tuple[ir.DbObject, ...]

    @property
    def file_name(self) -> str:
        return f"{self.number:04d}_{self.domain.name}.sql"


@dataclass(frozen=True)
class Plan:
    migrations: tuple[MigrationPlan, ...]

    @property
    def model(self) -> ir.Model:
        """The model the plan orders (objects in plan order)."""
        return ir.Model(tuple(m.domain for m in self.migrations), tuple(o for m in self.migrations for o in m.objects))


class _Digraph:
    """A directed graph of named nodes, each edge recorded once, everything in insertion order."""

    def __init__(self, nodes: Iterable[str]) -> None:
        self.predecessors: dict[str, dict[str, None]] = {node: {} for node in nodes}
        self.successors: dict[str, dict[str, None]] = {node: {} for node in self.predecessors}
        self.edges: dict[tuple[str, str], None] = {}

    def add_edge(self, source: str, target: str) -> None:
        for node in (source, target):
            if node not in self.successors:
                self.successors[node] = {}
                self.predecessors[node] = {}
        self.successors[source][target] = None
        self.predecessors[target][source] = None
        self.edges[(source, target)] = None

    def ordered(self, key: Callable[[str], str] | None = None) -> list[str] | None:
        """Every node after its predecessors, the smallest `key` first among the nodes ready
        (networkx.lexicographical_topological_sort, for keys that differ); None on a cycle."""
        rank = key or (lambda node: node)
        waiting = {node: len(sources) for node, sources in self.predecessors.items()}
        ready = [(rank(node), node) for node, count in waiting.items() if count == 0]
        heapq.heapify(ready)
        order = []
        while ready:
            node = heapq.heappop(ready)[1]
            order.append(node)
            for target in self.successors[node]:
                waiting[target] -= 1
                if waiting[target] == 0:
                    heapq.heappush(ready, (rank(target), target))
        return order if len(order) == len(waiting) else None

    def to_networkx(self) -> nx.DiGraph:
        """The same graph, nodes and edges added in the same order, for networkx's cycle finding."""
        import networkx as nx

        graph: nx.DiGraph = nx.DiGraph()
        graph.add_nodes_from(self.successors)
        graph.add_edges_from(self.edges)
        return graph


class SchemaGraph:
    def __init__(self, model: ir.Model) -> None:
        self.model = model
        self.objects = {o.key: o for o in model.objects}
        self.graph = _Digraph(sorted(self.objects))

    def add_dependency(self, obj: ir.DbObject, depends_on: str) -> None:
        """Record that `depends_on` must exist before `obj` is created."""
        self.graph.add_edge(depends_on, obj.key)

    def link(self, sink: DiagnosticSink) -> None:
        for obj in self.model.objects:
            for dependency in obj.depends_on:
                if dependency not in self.objects:
                    sink.error("UPOE301", f"{_describe(obj)} depends on unknown {dependency}", obj.position,
                               "declare the missing object or remove the reference")
                elif dependency != obj.key:
                    self.add_dependency(obj, dependency)
        if self.graph.ordered() is None:
            self._report_cycles(sink)

    def _report_cycles(self, sink: DiagnosticSink) -> None:
        import networkx as nx

        graph = self.graph.to_networkx()
        components = [c for c in nx.strongly_connected_components(graph) if len(c) > 1]
        for component in sorted(components, key=min):
            start = min(component)
            cycle = nx.find_cycle(graph.subgraph(component), source=start)
            path = [edge[0] for edge in cycle] + [cycle[0][0]]
            members = " --> ".join(_describe(self.objects[key]) for key in path)
            where = "; ".join(f"{_describe(self.objects[k])} at {self.objects[k].position}"
                              for k in path[:-1] if self.objects[k].position)
            first = self.objects[path[0]]
            sink.error("UPOE302", f"dependency cycle: {members}", first.position,
                       f"break the cycle: one of these must not need the other ({where})")

    def plan(self, sink: DiagnosticSink) -> Plan:
        domains = {d.name: d for d in self.model.domains}
        domain_order = self._domain_order(domains, sink)
        if sink.failed:
            return Plan(())
        index_of = {name: i for i, name in enumerate(domain_order)}
        file_of: dict[str, int] = {}
        for key in self._acyclic_order():
            obj = self.objects[key]
            own = index_of.get(obj.domain, 0)
            after = [file_of[d] for d in self.graph.predecessors[key]]
            file_of[key] = max([own, *after]) if obj.follows_dependencies else own

        def sort_key(key: str) -> str:
            return f"{file_of[key]:04d}:{self.objects[key].RANK:02d}:{key}"

        grouped: dict[int, list[ir.DbObject]] = {i: [] for i in range(len(domain_order))}
        for key in self._acyclic_order(sort_key):
            grouped[file_of[key]].append(self.objects[key])
        return Plan(tuple(
            MigrationPlan(i + 1, domains[name], tuple(grouped[i])) for i, name in enumerate(domain_order)
        ))

    def _acyclic_order(self, key: Callable[[str], str] | None = None) -> list[str]:
        order = self.graph.ordered(key)
        assert order is not None, "link() reports a cycle, and then there is no plan"
        return order

    def _domain_order(self, domains: dict[str, ir.DomainInfo], sink: DiagnosticSink) -> list[str]:
        domain_graph = _Digraph(sorted(domains))
        witnesses: dict[tuple[str, str], tuple[ir.DbObject, ir.DbObject]] = {}
        for obj in self.model.objects:
            if obj.follows_dependencies or obj.domain == PLATFORM:
                continue
            for dependency_key in obj.depends_on:
                dependency = self.objects.get(dependency_key)
                if dependency is None or dependency.domain in (PLATFORM, obj.domain):
                    continue
                edge = (dependency.domain, obj.domain)
                domain_graph.add_edge(*edge)
                witnesses.setdefault(edge, (obj, dependency))
        phase_key = {name: f"{d.phase:04d}:{name}" for name, d in domains.items()}
        order = domain_graph.ordered(phase_key.__getitem__)
        if order is not None:
            return order
        import networkx as nx

        cycle = nx.find_cycle(domain_graph.to_networkx())
        reasons = []
        for edge in cycle:
            obj, dependency = witnesses[(edge[0], edge[1])]
            reasons.append(f"{edge[1]} needs {edge[0]} ({_describe(obj)} uses {_describe(dependency)})")
        obj = witnesses[(cycle[0][0], cycle[0][1])][0]
        path = " --> ".join([edge[0] for edge in cycle] + [cycle[0][0]])
        sink.error("UPOE303", f"domains depend on each other in a cycle: {path}: " + "; ".join(reasons),
                   obj.position, "move the shared enum, type or function into the earlier domain")
        return []


def _describe(obj: ir.DbObject) -> str:
    kind, _, name = obj.key.partition(":")
    return f"{kind} {name}"


def plan(model: ir.Model, sink: DiagnosticSink) -> Plan:
    graph = SchemaGraph(model)
    graph.link(sink)
    if sink.failed:
        return Plan(())
    return graph.plan(sink)
