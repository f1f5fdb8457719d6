"""Storage paths, recognised by name: a community table's `*_path` text column and `*_paths`
text[] column hold Storage object paths, which must start with the row's community (X-09).
No YAML key and no template of its own: checks of the table."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from .. import ir
from ..pgnames import fit_identifier, ident, parse_type, quote_text
from ..vocabulary import PATTERN_FUNCTIONS, Tenancy
from .base import Construct, register

if TYPE_CHECKING:
    from ..construct_checks import TableCheck
    from ..render.pgtap import Probe, ProbeBuilder
    from ..resolve.table import TableExpansion


@register
class StoragePaths(Construct):
    key = None

    def check(self, table: TableCheck) -> None:
        """Nothing to check: the names alone decide, and any text column may hold a path."""

    def expand(self, table: TableExpansion) -> None:
        if table.table.tenancy.kind != Tenancy.COMMUNITY or table.tenant_column != "community_id":
            return
        for column_name, column in table.table.columns.items():
            parsed = parse_type(column.type)
            if parsed is None or parsed.base != "text":
                continue
            if column_name.endswith("_path") and not parsed.array_depth:
                expression = f"starts_with({ident(column_name)}, community_id::text || '/')"
            elif column_name.endswith("_paths") and parsed.array_depth == 1:
                function = table.owner.function_ref(PATTERN_FUNCTIONS["paths"])
                # A check runs on every written row; most rows carry no file, and skip the call.
                expression = f"{ident(column_name)} is null or {function}({ident(column_name)}, community_id)"
            else:
                continue
            table.storage_path_columns.append(column_name)
            table.add_check(ir.NamedConstraint(_path_check(table.name, column_name), expression=expression))

    def describe(self, table: TableExpansion, emitted: list[ir.DbObject]) -> Iterable[ir.Behaviour]:
        if table.storage_path_columns:
            yield ir.Behaviour("storage paths", "Storage object paths start with the row's community "
                                                "({community_id}/…; else 23514)", tuple(table.storage_path_columns))

    def probes(self, table: ir.Table, tests: ProbeBuilder) -> Iterable[Probe]:
        """A client's row storing a path in another community's folder breaks the path check (23514)."""
        writer = tests.member_role(table, "insert")
        if writer is None:
            return
        for column in table.columns:
            if column.name not in table.storage_path_columns or tests.guarded(table, column.name):
                continue
            path = quote_text(f"{tests.community(2)}/{table.name}/elsewhere/sample.bin")
            value = f"array[{path}]" if column.type.endswith("[]") else path
            values = {**tests.values(table, 1, fresh=True), column.name: value}
            yield tests.probe(f"{table.name}: {writer} may not store {column.name} in another community's folder",
                              "authenticated", tests.claims_for(table, writer, 1), tests.insert(table, values),
                              tests.refused(table, f"error:23514:{_path_check(table.name, column.name)}"))


def _path_check(table: str, column: str) -> str:
    return fit_identifier(f"{table}_{column}_in_community_check")
