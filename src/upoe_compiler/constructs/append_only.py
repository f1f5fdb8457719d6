"""Append-only rows with named exceptions (`append_only: {except: [...], error: ...}` on a table):
rows are never deleted, and an update may change only the listed columns (and `updated_at`,
`deleted_at`: audit and soft delete), else P0001 with the contract's error (`unit_statements`:
`document_path`, `cfdi_uuid`, `sent_at`, else `statement_immutable`). For rows that never change
at all, `immutable: true`. Template: sql/append_only.sql.j2."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import Field

from .. import ir
from ..pgnames import fit_identifier, ident, quote_text
from ..spec_base import ErrorName, Name, SpecModel
from ..vocabulary import SOFT_DELETE_COLUMN, Command
from .base import Construct, register

if TYPE_CHECKING:
    from ..construct_checks import TableCheck
    from ..render.pgtap import Probe, ProbeBuilder
    from ..resolve.table import TableExpansion

# Columns the database itself moves on an update: the audit stamp and the soft delete.
ALWAYS_CHANGEABLE = ("updated_at", SOFT_DELETE_COLUMN)


class AppendOnlySpec(SpecModel):
    """`append_only: {except: [document_path, sent_at], error: statement_immutable}`."""

    except_: list[Name] = Field(default=[], alias="except")
    error: ErrorName = "immutable_table"


@dataclass(frozen=True)
class ChangeLimit(ir.GeneratedTrigger):
    """Rows of `table` that are never deleted and whose columns other than `changeable` never
    change: P0001 `error`."""

    changeable: tuple[str, ...]
    error: str


@register
class AppendOnly(Construct):
    key = "append_only"
    model = AppendOnlySpec | None
    template = "sql/append_only.sql.j2"
    ir_types = (ChangeLimit,)

    def check(self, table: TableCheck) -> None:
        spec = table.table.append_only
        if spec is None:
            return
        for index, column in enumerate(spec.except_):
            table.column(table.value_at("append_only", "except", index), column, "UPOE265")
        if table.table.immutable:
            table.error("UPOE265", "a table is either `immutable` or `append_only`", table.key_at("append_only"),
                        "keep `immutable: true` when no column may change, `append_only` when some may")

    def withheld_commands(self, spec: Any) -> tuple[str, ...]:
        return (Command.DELETE,) if spec.append_only is not None else ()

    def expand(self, table: TableExpansion) -> None:
        spec = table.table.append_only
        if spec is None:
            return
        table.add(ChangeLimit(
            f"append_only:public.{table.name}", table.domain, (table.key, "schema:private"),
            table.at("append_only"), follows_dependencies=True, schema="private", table=table.name,
            function_name=fit_identifier(f"{table.name}_limit_changes"), trigger_name="limit_changes",
            events=("update", "delete"), requirements=tuple(table.table.requirements),
            changeable=tuple(dict.fromkeys([*spec.except_, *ALWAYS_CHANGEABLE])), error=spec.error))

    def describe(self, table: TableExpansion, emitted: list[ir.DbObject]) -> Iterable[ir.Behaviour]:
        for limit in emitted:
            assert isinstance(limit, ChangeLimit)
            yield ir.Behaviour("append-only", f"rows are never deleted; an update may change only these columns "
                               f"(else P0001 {limit.error})", limit.changeable)

    def probes(self, table: ir.Table, tests: ProbeBuilder) -> Iterable[Probe]:
        """Even the platform cannot change a column outside the exceptions, nor delete a row."""
        if not tests.objects(ChangeLimit, table.name):
            return
        row = quote_text(tests.row_id(table, 1))
        target = f"public.{ident(table.name)}"
        for what, statement in (("an update of id", f"update {target} set id = gen_random_uuid() where id = {row}"),
                                ("a delete", f"delete from {target} where id = {row}")):
            yield tests.probe(f"{table.name}: append-only, {what} is refused even for service_role",
                              "service_role", json.dumps({"role": "service_role"}), statement, "error:P0001")
