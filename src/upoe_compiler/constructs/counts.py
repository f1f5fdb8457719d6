"""Counters (`counts:` on a column): the column holds how many active rows of another table
point at this row, kept by a security-definer trigger on that table. The column is the
database's to write: the guard trigger refuses a client's value. Template: sql/counter.sql.j2."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from .. import ir
from ..pgnames import fit_identifier, parse_type, replace_outside_literals
from ..spec_base import Name, SpecModel
from ..vocabulary import SOFT_DELETE_COLUMN
from .base import Construct, register

if TYPE_CHECKING:
    from ..construct_checks import TableCheck
    from ..resolve.table import TableExpansion

_NAME = re.compile(r"(?<![.\w])([a-z_][a-z0-9_]*)\b(?!\s*\()")


class CounterSpec(SpecModel):
    """`counts: {table: widget_jobs, via: widget_id, where: "kind = 'repair'"}`: the column holds
    how many active rows of `table` point at this row through `via` (and match `where`)."""

    table: Name
    via: Name
    where: str | None = None


def of_row(expression: str, columns: set[str], row: str) -> str:
    """The expression with the table's column names (outside string literals) read from `row`."""
    return replace_outside_literals(
        expression, _NAME, lambda m: f"{row}.{m.group(1)}" if m.group(1) in columns else m.group(1))


@register
class Counts(Construct):
    key = "counts"
    level = "column"
    model = CounterSpec | None
    template = "sql/counter.sql.j2"
    ir_types = (ir.Counter,)
    untested_because = ("a count needs rows of a second table; tests/db/test_constructs.py follows a counter "
                        "through inserts, soft deletes, moves and deletes, and the guard probes refuse a "
                        "client's own count")

    def check(self, table: TableCheck) -> None:
        for name, column in table.table.columns.items():
            counts = column.counts
            if counts is None:
                continue
            child = table.catalog.table(counts.table)
            if child is None:
                table.unknown(table.value_at("columns", name, "counts", "table"), counts.table,
                              table.catalog.tables, "UPOE259", "table", "count rows of a table of the spec")
                continue
            via = child.columns.get(counts.via)
            if via is None or via.references != table.name:
                table.error("UPOE259", f"'{counts.via}' is no column of {counts.table} that references {table.name}",
                            table.value_at("columns", name, "counts", "via"),
                            f"name the column of {counts.table} with `references: {table.name}`")
            if counts.where is not None:
                table.fragment(counts.where, table.value_at("columns", name, "counts", "where"))
            parsed = parse_type(column.type)
            if parsed is None or parsed.base not in ("integer", "bigint") or column.default != 0:
                table.error("UPOE259", f"counter '{name}' must be an integer column with `default: 0`",
                            table.value_at("columns", name), "write {type: integer, required: true, default: 0}")

    def stamped_columns(self, spec: Any) -> list[str]:
        return [name for name, column in spec.columns.items() if column.counts is not None]

    def expand(self, table: TableExpansion) -> None:
        for column, spec in table.table.columns.items():
            if spec.counts is not None:
                table.add(self._counter(table, column, spec.counts))

    @staticmethod
    def _counter(table: TableExpansion, column: str, counts: CounterSpec) -> ir.Counter:
        child = table.owner.tables[counts.table][1]
        child_columns = set(table.columns_of(counts.table))
        conditions = [f"{SOFT_DELETE_COLUMN} is null"] if child.soft_delete else []
        if counts.where:
            conditions.append(f"({counts.where})")
        condition = " and ".join(conditions) or "true"
        return ir.Counter(
            f"counter:public.{table.name}.{column}", table.domain,
            (table.key, f"table:public.{counts.table}", "schema:private"),
            table.at("columns", column, "counts"), follows_dependencies=True,
            schema="private", table=counts.table,
            function_name=fit_identifier(f"{counts.table}_count_{table.name}_{column}"),
            parent_table=table.name, parent_column=column, via=counts.via,
            counted_old=of_row(condition, child_columns, "old"), counted_new=of_row(condition, child_columns, "new"),
            trigger_name=fit_identifier(f"count_{table.name}_{column}"), requirements=tuple(table.table.requirements),
            # Definer: the writer of a child row may have no right to update its parent.
            timing="after", events=("insert", "update", "delete"), security="definer")

    def describe(self, table: TableExpansion, emitted: list[ir.DbObject]) -> Iterable[ir.Behaviour]:
        counters = [c for c in emitted if isinstance(c, ir.Counter)]
        if counters:
            yield ir.Behaviour(
                "counters", "columns the database keeps equal to a number of active rows of another table; "
                            "clients cannot write them (42501)",
                tuple(f"{c.parent_column}: rows of {c.table} whose {c.via} is this row, kept by the "
                      f"{c.trigger_name} trigger on {c.table}" for c in counters))
