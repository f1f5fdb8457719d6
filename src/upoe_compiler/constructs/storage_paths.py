"""Storage paths, recognised by name: a community table's `*_path` text column and `*_paths`
text[] column hold Storage object paths, which must start with the row's community (X-09).
No YAML key and no template of its own: checks of the table."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from .. import ir
from ..pgnames import fit_identifier, ident, parse_type
from ..vocabulary import PATTERN_FUNCTIONS, Tenancy
from .base import Construct, register

if TYPE_CHECKING:
    from ..construct_checks import TableCheck
    from ..resolve.table import TableExpansion


@register
class StoragePaths(Construct):
    key = None
    summary = ("`*_path` (text) and `*_paths` (text[]) columns of community tables hold Storage paths that "
               "start with the row's community")
    untested_because = ("the generated fixtures build every path in its row's community; "
                        "tests/db/test_constructs.py refuses a path in another community (23514)")

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
                expression = f"{function}({ident(column_name)}, community_id)"
            else:
                continue
            table.storage_path_columns.append(column_name)
            table.add_check(ir.NamedConstraint(fit_identifier(f"{table.name}_{column_name}_in_community_check"),
                                               expression=expression))

    def describe(self, table: TableExpansion, emitted: list[ir.DbObject]) -> Iterable[ir.Behaviour]:
        if table.storage_path_columns:
            yield ir.Behaviour("storage paths", "Storage object paths start with the row's community "
                                                "({community_id}/…; else 23514)", tuple(table.storage_path_columns))
