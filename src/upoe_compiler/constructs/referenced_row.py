"""Restricted references (`referenced_row:` on a column with `references:`): the row a value
points at must meet a condition when the value is written (an `asset` account, a postable active
account), else P0001 with the contract's error. A security-definer trigger reads the referenced
row whatever the writer may see, in the writer's tenant only; a missing or foreign reference is
left to the foreign key (23503, X-01). Template: sql/referenced_row.sql.j2."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .. import ir
from ..pgnames import fit_identifier, literal, quote_text
from ..spec_base import ErrorName, Name, SpecModel
from .base import Construct, register

if TYPE_CHECKING:
    from ..construct_checks import TableCheck
    from ..render.pgtap import ProbeBuilder
    from ..resolve.table import TableExpansion


class ReferencedRowSpec(SpecModel):
    """`referenced_row: {where: "account_type = 'asset'", error: account_type_mismatch}`: `where`
    is SQL over the columns of the referenced table. `example` gives column values of a row that
    meets it ({account_type: asset}), for the generated tests' rows."""

    where: str
    error: ErrorName
    example: dict[Name, str | int | float | bool] = {}


@dataclass(frozen=True)
class ReferenceConditions(ir.GeneratedTrigger):
    """Columns of `table` whose referenced row must meet a condition when they are written:
    (column, referenced table, condition over its columns, error)."""

    conditions: tuple[tuple[str, str, str, str], ...]
    # The tenant column both tables share (a composite reference): the referenced row is read in
    # the writer's tenant only, so no answer tells anything about another tenant's rows.
    tenant_column: str | None = None
    # column → (referenced column, SQL literal) pairs of a referenced row meeting the condition.
    examples: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = ()


@register
class ReferencedRow(Construct):
    key = "referenced_row"
    level = "column"
    model = ReferencedRowSpec | None
    template = "sql/referenced_row.sql.j2"
    ir_types = (ReferenceConditions,)
    untested_because = ("it needs a referenced row that fails the condition; tests/db/test_ledger_constructs.py "
                        "writes references to rows that meet it and to rows that do not")

    def check(self, table: TableCheck) -> None:
        for name, column in table.table.columns.items():
            spec = column.referenced_row
            if spec is None:
                continue
            if column.references is None or table.catalog.table(column.references) is None:
                table.error("UPOE264", f"'{name}' has `referenced_row` but references no table of the spec",
                            table.value_at("columns", name, "referenced_row"),
                            "add `references: <table>`; the condition is read on the row it points at")
            table.fragment(spec.where, table.value_at("columns", name, "referenced_row", "where"))

    def expand(self, table: TableExpansion) -> None:
        conditions = tuple((name, column.references, column.referenced_row.where, column.referenced_row.error)
                           for name, column in table.table.columns.items()
                           if column.referenced_row is not None and column.references is not None)
        if not conditions:
            return
        table.add(ReferenceConditions(
            f"referenced_row:public.{table.name}", table.domain,
            (table.key, "schema:private", *sorted({f"table:public.{ref}" for _, ref, _, _ in conditions})),
            table.position, follows_dependencies=True, schema="private", table=table.name,
            function_name=fit_identifier(f"{table.name}_check_references"),
            trigger_name="check_referenced_rows", events=("insert", "update"),
            security="definer", requirements=tuple(table.table.requirements), conditions=conditions,
            tenant_column=table.tenant_column if all(
                table.owner.tenant_column_of(ref) == table.tenant_column for _, ref, _, _ in conditions) else None,
            examples=tuple((name, tuple((key, literal(value)) for key, value in column.referenced_row.example.items()))
                           for name, column in table.table.columns.items()
                           if column.referenced_row is not None and column.referenced_row.example)))

    def fixtures(self, table: ir.Table, k: int, tests: ProbeBuilder) -> list[str]:
        """For each restricted reference with an `example`, a referenced row meeting the condition
        (the row maker's own may not: one account type cannot suit every reference)."""
        statements = []
        for trigger in tests.objects(ReferenceConditions, table.name):
            references = {column: referenced for column, referenced, _, _ in trigger.conditions}
            for column, example in trigger.examples:
                referenced = tests.table(references[column])
                values = {**tests.values(referenced, k, fresh=True), **dict(example),
                          "id": quote_text(tests.extra_row_id(table.name, column, k))}
                # Natural keys of its own, beside the row maker's rows and other references' rows.
                keyed = {element for index in tests.objects(ir.Index, referenced.name) if index.unique
                         for element in index.elements}
                for key in keyed & {c.name for c in referenced.columns if c.type == "text"} - dict(example).keys():
                    values[key] = quote_text(f"{table.name}-{column}-{k}")
                statements.append(tests.insert(referenced, values))
        return statements

    def row_value(self, table: ir.Table, column: ir.Column, k: int, tests: ProbeBuilder) -> str | None:
        for trigger in tests.objects(ReferenceConditions, table.name):
            if any(name == column.name for name, _ in trigger.examples):
                return quote_text(tests.extra_row_id(table.name, column.name, k))
        return None

    def describe(self, table: TableExpansion, emitted: list[ir.DbObject]) -> Iterable[ir.Behaviour]:
        for trigger in emitted:
            assert isinstance(trigger, ReferenceConditions)
            yield ir.Behaviour("restricted references", "a written reference must point at a row meeting a "
                               "condition", tuple(f"{column} → {ref} where {where} (else P0001 {error})"
                                                  for column, ref, where, error in trigger.conditions))
