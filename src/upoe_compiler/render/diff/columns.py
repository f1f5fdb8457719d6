"""A column both releases have, defined differently: its type, default, nullability or generation."""

from __future__ import annotations

import re
from typing import Any

from ... import ir
from ...pgnames import fit_identifier
from .migration import Migration


def column_change(table: ir.Table, column: ir.Column, before: object, acknowledged: dict[str, str], sql: Any,
                   out: Migration) -> None:
    """A column both models have, defined differently: its type (`using:`), default and whether
    it is required (`backfill:`), or how it is generated."""
    old_type, old_not_null, old_default, old_generated = before  # type: ignore[misc]
    if old_generated != column.generated:
        _regenerate(table, column, old_generated, sql, out)
        return
    if old_type != column.type:
        _retype(table, column, str(old_type), acknowledged, sql, out)
    if old_default != column.default:
        out.creates.append(sql.set_default(table, column))
    if column.not_null and not old_not_null:
        if column.backfill is None:
            out.prechecks.append(sql.require_no_nulls(table, column))
        else:
            out.creates.append(backfill(table, column, sql, out))
        out.creates.append(require(table, column, sql, out))
    elif old_not_null and not column.not_null:
        out.creates.append(sql.drop_not_null(table, column))


def _regenerate(table: ir.Table, column: ir.Column, old_generated: str | None, sql: Any, out: Migration) -> None:
    """A generated column's new expression: the column dropped and added again (its values are
    computed, nothing is lost), with the checks and unique keys PostgreSQL drops with it. A column
    that stops being generated keeps its values; one that starts being generated is refused."""
    name = f"{table.name}.{column.name}"
    identity = ir.Identity(ir.ObjectKind.COLUMN, table.schema, column.name, table.name)
    if column.generated is None:
        out.creates.append(sql.drop_expression(table, column))
        return
    if old_generated is None:
        out.refuse("makes generated (its values replaced by computed ones)", identity, table.position,
                   "add a new generated column under another name, then drop this one (acknowledged)")
        return
    out.drops.append(sql.drop_column(table.schema, table.name, column.name))
    out.creates.append(sql.add_column(table, column))
    if column.description:
        out.creates.append(sql.comment_on(table.schema, f"column {name}", ir.with_requirements(
            column.description, column.requirements)))
    pattern = re.compile(rf"\b{re.escape(column.name)}\b")
    for check in table.checks:
        if pattern.search(check.expression or ""):
            out.creates.append(sql.add_check(table, check))
            out.validations.append(sql.validate(table.schema, table.name, check.name))
            out.flag("lock", f"check {check.name} on {table.name}: a brief lock, then validated online")
    for unique in table.unique_constraints:
        if column.name in unique.columns:
            out.creates.append(sql.add_unique(table, unique))
    out.flag("rewrite", f"column {name} computed anew ({column.generated}): dropped and added again, the table "
             "rewritten under an exclusive lock")


def require(table: ir.Table, column: ir.Column, sql: Any, out: Migration) -> str:
    """A column made required without a scan under the exclusive lock: a check added NOT VALID
    now; validated, then the column set not null, in the migration that validates."""
    check = fit_identifier(f"{table.name}_{column.name}_not_null")
    out.validations.append(sql.set_not_null(table, column, check))
    out.flag("lock", f"column {table.name}.{column.name} made required: validated online, then a brief lock")
    return str(sql.set_not_null_check(table, column, check))


def backfill(table: ir.Table, column: ir.Column, sql: Any, out: Migration) -> str:
    """The rows without a value given the spec's `backfill:` (their triggers run, as for any update)."""
    if table.immutable:
        out.refuse("backfills a column of an append-only table:", ir.Identity(
            ir.ObjectKind.COLUMN, table.schema, column.name, table.name), table.position,
            "its rows cannot change: give the column a default instead")
    out.flag("rewrite", f"column {table.name}.{column.name} backfilled with {column.backfill}: every row without "
             "a value is updated")
    return str(sql.backfill(table, column))

# Type changes that keep every value: (old, new) patterns, and whether PostgreSQL rewrites the table.
_INTEGERS = ("smallint", "integer", "bigint")
_VARCHAR = re.compile(r"(?:varchar|character varying)\((\d+)\)")
_NUMERIC = re.compile(r"numeric\((\d+),\s*(\d+)\)")


def _widening(old: str, new: str) -> str | None:
    """`in place` or `rewrite` when every value of type `old` fits `new` unchanged; None when some
    value could be lost, rounded or refused (a narrowing, or a cast upoe cannot judge)."""
    old_varchar, new_varchar = _VARCHAR.fullmatch(old), _VARCHAR.fullmatch(new)
    if old_varchar and (new == "text" or (new_varchar and int(new_varchar[1]) >= int(old_varchar[1]))):
        return "in place"
    old_numeric, new_numeric = _NUMERIC.fullmatch(old), _NUMERIC.fullmatch(new)
    if old_numeric and (new == "numeric" or (new_numeric and new_numeric[2] == old_numeric[2]
                                             and int(new_numeric[1]) >= int(old_numeric[1]))):
        return "in place"
    if old in _INTEGERS and new in _INTEGERS and _INTEGERS.index(new) > _INTEGERS.index(old):
        return "rewrite"
    if (old, new) in (("real", "double precision"), ("timestamp", "timestamptz"), ("integer", "numeric"),
                      ("bigint", "numeric"), ("smallint", "numeric")):
        return "rewrite"
    return None


def _retype(table: ir.Table, column: ir.Column, old_type: str, acknowledged: dict[str, str], sql: Any,
            out: Migration) -> None:
    """A column's new type: PostgreSQL's cast, or the spec's `using:`. A change that may lose or
    refuse values needs `acknowledge: [{narrow: column t.c, reason}]`."""
    name = f"{table.name}.{column.name}"
    widening = None if column.using else _widening(old_type, column.type)
    if widening is None:
        reason = acknowledged.get(f"narrow column {name}")
        if reason is None:
            out.refuse(f"changes the type ({old_type} → {column.type}) of", ir.Identity(
                ir.ObjectKind.COLUMN, table.schema, column.name, table.name), table.position,
                "values may be lost, rounded or refused; if that is meant, add to the domain file: "
                f"acknowledge: [{{narrow: \"column {name}\", reason: \"...\"}}] (and `using:` for your own cast)")
            return
        out.flag("destructive", f"column {name} changes type {old_type} → {column.type}: values may be lost or "
                 f"refused ({reason})")
    if widening != "in place":
        out.flag("rewrite", f"column {name} changes type {old_type} → {column.type}: the table and its indexes are "
                 "rewritten under an exclusive lock")
    out.creates.append(sql.retype(table, column))
