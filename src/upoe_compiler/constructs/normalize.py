"""Normalised columns (`normalize:` on a column): a trigger replaces every written value by its
normal form, an expression of `value`. Template: sql/normalizer.sql.j2."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from .. import ir
from ..pgnames import fit_identifier, ident, replace_outside_literals
from .base import Construct, register

if TYPE_CHECKING:
    from ..construct_checks import TableCheck
    from ..render.pgtap import Probe, ProbeBuilder
    from ..resolve.table import TableExpansion

_VALUE = re.compile(r"\bvalue\b", re.IGNORECASE)


def of_new_value(column: str, expression: str) -> str:
    """The expression with `value` (outside string literals) read as the new row's column."""
    return replace_outside_literals(expression, _VALUE, f"new.{ident(column)}")


@register
class Normalize(Construct):
    key = "normalize"
    level = "column"
    # An expression of `value` that every written value is replaced by, e.g.
    # "upper(regexp_replace(value, '[^A-Za-z0-9]', '', 'g'))".
    model = str | None
    template = "sql/normalizer.sql.j2"
    ir_types = (ir.Normalizer,)

    def check(self, table: TableCheck) -> None:
        for name, column in table.table.columns.items():
            if column.normalize is None:
                continue
            table.fragment(column.normalize, table.value_at("columns", name, "normalize"))
            if column.generated is not None:
                table.error("UPOE258", f"'{name}' is generated; it cannot also be normalised",
                            table.value_at("columns", name, "normalize"), "drop one of `generated` and `normalize`")

    def expand(self, table: TableExpansion) -> None:
        normalized = [(name, spec.normalize) for name, spec in table.table.columns.items() if spec.normalize]
        if not normalized:
            return
        table.add(ir.Normalizer(
            f"normalizer:public.{table.name}", table.domain, (table.key, "schema:private"),
            table.position, schema="private", table=table.name,
            function_name=fit_identifier(f"{table.name}_normalize"),
            # Trigger names set the firing order: normalise first, then authorise (README).
            trigger_name="adjust_written_values", requirements=tuple(table.table.requirements),
            assignments=tuple((name, of_new_value(name, expression)) for name, expression in normalized)))

    def describe(self, table: TableExpansion, emitted: list[ir.DbObject]) -> Iterable[ir.Behaviour]:
        for normalizer in emitted:
            assert isinstance(normalizer, ir.Normalizer)
            yield ir.Behaviour("normalised columns", "a trigger rewrites written values into their normal form",
                               tuple(f"{column} := {expression}" for column, expression in normalizer.assignments))

    def probes(self, table: ir.Table, tests: ProbeBuilder) -> Iterable[Probe]:
        """A client's written value is stored in its normal form: the row an insert returns holds
        the expression applied to what was written (1 row; 0 when the value was kept as written)."""
        writer = tests.member_role(table, "insert")
        if writer is None:
            return
        columns = {c.name: c for c in table.columns}
        for normalizer in tests.objects(ir.Normalizer, table.name):
            for name, expression in normalizer.assignments:
                column = columns[name]
                written = tests.sample(table, column)
                if written == "null" or tests.guarded(table, name):
                    continue
                expected = expression.replace(f"new.{ident(name)}", f"({written})::{column.type}")
                insert = tests.insert(table, {**tests.values(table, 1, fresh=True), name: written})
                yield tests.probe(
                    f"{table.name}: {name} is stored in its normal form", "authenticated",
                    tests.claims_for(table, writer, 1),
                    f"with written as ({insert} returning {ident(name)}) "
                    f"select 1 from written where {ident(name)} is not distinct from ({expected})", "rows:1")
