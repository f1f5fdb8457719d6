"""Realtime tables (`realtime: true`): the table joins Supabase's `supabase_realtime` publication,
so subscribed clients receive its changes; row-level security still decides who receives which
row. A database without the publication (plain PostgreSQL) applies the migration unchanged.
Template: sql/realtime.sql.j2."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .. import ir
from ..pgnames import literal
from .base import Construct, register

if TYPE_CHECKING:
    from ..construct_checks import TableCheck
    from ..render.pgtap import Probe, ProbeBuilder
    from ..resolve.table import TableExpansion

PUBLICATION = "supabase_realtime"


@dataclass(frozen=True)
class RealtimeTable(ir.DbObject):
    """A table in the publication Supabase Realtime reads changes from."""

    schema: str
    table: str
    publication: str
    RANK = 12


@register
class Realtime(Construct):
    key = "realtime"
    model = bool
    default = False
    template = "sql/realtime.sql.j2"
    drop_template = "sql/realtime_drop.sql.j2"
    ir_types = (RealtimeTable,)

    def check(self, table: TableCheck) -> None:
        # Realtime sends changes only to subscribers whose policies let them read the row; a table
        # nobody may read would publish to no one.
        if table.table.realtime and table.table.access.select == []:
            table.error("UPOE262", "a realtime table that no role may read publishes to no one",
                        table.value_at("realtime"), "give the table a select rule, or drop `realtime: true`")

    def expand(self, table: TableExpansion) -> None:
        if table.table.realtime:
            table.add(RealtimeTable(f"realtime:public.{table.name}", table.domain, (table.key,), table.at("realtime"),
                                    schema="public", table=table.name, publication=PUBLICATION))

    def describe(self, table: TableExpansion, emitted: list[ir.DbObject]) -> Iterable[ir.Behaviour]:
        if emitted:
            yield ir.Behaviour("realtime", f"changes are published to Supabase Realtime ({PUBLICATION}); "
                                           "subscribers receive only the rows their policies let them read")

    def probes(self, table: ir.Table, tests: ProbeBuilder) -> Iterable[Probe]:
        """Where the publication exists, the table is in it."""
        if not any(True for _ in tests.objects(RealtimeTable, table.name)):
            return
        publication = literal(PUBLICATION)
        yield tests.probe(
            f"{table.name}: published to {PUBLICATION} where the publication exists", "service_role",
            '{"role": "service_role"}',
            f"select 1 where not exists (select 1 from pg_catalog.pg_publication where pubname = {publication})"
            f" or exists (select 1 from pg_catalog.pg_publication_tables where pubname = {publication}"
            f" and schemaname = 'public' and tablename = {literal(table.name)})", "rows:1")
