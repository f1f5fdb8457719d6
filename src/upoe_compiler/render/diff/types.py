"""Enums and domain types both releases have, defined differently."""

from __future__ import annotations

import re
from typing import Any

from ... import ir
from ...pgnames import fit_identifier
from .migration import DATA_HINT, Migration


def of_type(text: str, types: set[str]) -> bool:
    """Whether a column or argument type is one of `types` (or an array of one)."""
    return text.removesuffix("[]") in types


def domain_changes(domain: ir.DomainType, identities: list[ir.Identity], old: dict[ir.Identity, ir.PgObject],
                    new: dict[ir.Identity, ir.PgObject], sql: Any, out: Migration) -> None:
    """A domain type's check replaced (added not valid, then validated against every column of the
    type); a new base type is refused."""
    for identity in identities:
        if identity.kind == ir.ObjectKind.COMMENT:
            out.creates.append(sql.comment_on(domain.schema, identity.name, new[identity].definition))
            continue
        old_base, old_check = old[identity].definition  # type: ignore[misc]
        if old_base != domain.base_type:
            out.refuse(f"changes the base type ({old_base} → {domain.base_type}) of", identity, domain.position,
                       "declare a new type under another name and move the columns to it")
            continue
        name = fit_identifier(f"{domain.name}_check")
        if old_check is not None:
            out.drops.append(sql.drop_domain_check(domain, name))
        if domain.check is not None:
            out.creates.append(sql.add_domain_check(domain, name))
            out.validations.append(sql.validate_domain_check(domain, name))
            out.flag("lock", f"check of type {domain.name}: added, then validated online against every column "
                     "of the type")


def enum_changes(enum: ir.Enum, identities: list[ir.Identity], old: dict[ir.Identity, ir.PgObject],
                  new: dict[ir.Identity, ir.PgObject], columns: list[tuple[ir.Table, ir.Column]],
                  acknowledged: dict[str, str], sql: Any, out: Migration) -> None:
    """Values added to an enum, each in its declared place (PostgreSQL adds them inside the
    migration's transaction, but they are usable once it commits). Values removed, when the spec
    acknowledges it: the type is made anew and its columns converted, after a precheck that no row
    holds a removed value. Values moved are refused."""
    for identity in identities:
        if identity.kind == ir.ObjectKind.COMMENT:
            out.creates.append(sql.comment_on(enum.schema, identity.name, new[identity].definition))
            continue
        before = tuple(old[identity].definition)  # type: ignore[arg-type]
        removed = [value for value in before if value not in enum.values]
        if [v for v in enum.values if v in before] != [v for v in before if v in enum.values]:
            out.refuse("reorders values of", identity, enum.position,
                       "PostgreSQL keeps an enum's order: keep the values in their released order")
        elif removed:
            _remake_enum(enum, identity, removed, columns, acknowledged, sql, out)
        else:
            _add_enum_values(enum, before, sql, out)


def _add_enum_values(enum: ir.Enum, before: tuple[str, ...], sql: Any, out: Migration) -> None:
    values = enum.values
    first_kept = next(index for index, value in enumerate(values) if value in before)
    # Leading new values go in backwards, each before the one that follows it.
    for index in range(first_kept - 1, -1, -1):
        out.creates.append(sql.add_enum_value(enum, values[index], values[index + 1], True))
    for index in range(first_kept + 1, len(values)):
        if values[index] not in before:
            out.creates.append(sql.add_enum_value(enum, values[index], values[index - 1], False))


def _remake_enum(enum: ir.Enum, identity: ir.Identity, removed: list[str], columns: list[tuple[ir.Table, ir.Column]],
                 acknowledged: dict[str, str], sql: Any, out: Migration) -> None:
    """PostgreSQL cannot drop an enum value: the type is renamed aside, made anew, its columns
    converted through text, the old one dropped. Rows holding a removed value stop the migration."""
    unacknowledged = [value for value in removed if f"value {enum.name}.{value}" not in acknowledged]
    if unacknowledged:
        out.refuse(f"removes {', '.join(unacknowledged)} from", identity, enum.position,
                   "rows holding it would have no value left; " + DATA_HINT % f"value {enum.name}.{unacknowledged[0]}")
        return
    # Checks naming the column hold constants of the old type: they go, and come back validated.
    checks = [(table, check) for table, column in columns for check in table.checks
              if re.search(rf"\b{re.escape(column.name)}\b", check.expression or "")]
    for table, column in columns:
        out.prechecks.append(sql.require_no_values(table, column, removed))
    out.creates += [sql.drop_constraint(table.schema, table.name, check.name) for table, check in checks]
    out.creates.append(sql.remake_enum(enum, columns))
    for table, check in checks:
        out.creates.append(sql.add_check(table, check))
        out.validations.append(sql.validate(table.schema, table.name, check.name))
        out.flag("lock", f"check {check.name} on {table.name}: a brief lock, then validated online")
    for value in removed:
        out.flag("destructive", f"value {value} of {enum.name} removed ({acknowledged[f'value {enum.name}.{value}']})")
    for table, column in columns:
        out.flag("rewrite", f"column {table.name}.{column.name} converted to the new {enum.name}: the table is "
                 "rewritten under an exclusive lock")
