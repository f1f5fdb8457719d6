"""Access matrices: what each role may do to a table, read from the spec's access intent."""

from __future__ import annotations

from ... import ir
from ...vocabulary import COMMANDS, MEMBER, PLATFORM_ROLE, Tenancy
from .pages import ANON, SERVICE_ROLE, AccessRow, Cell

# -- the access matrix ----------------------------------------------------------------------------


def access_cell(table: ir.Table, command: str, role: str) -> Cell:
    """What `role` may do with `command` on `table`, read from the table's access intent.

    `member` rules hold for every role of the tenant; named rules hold for their roles and for
    `super_admin` (has_any_role() is true for it), within the tenant; a rule naming
    `super_admin` lets it through without the tenant condition. A conditional rule (`own` or
    `where`) allows only some rows. `anon` holds no privilege at all; `service_role` bypasses
    row-level security, but append-only tables stop its updates and deletes too."""
    append_only = table.immutable and command in ("update", "delete")
    if role == ANON:
        return Cell("refused", "refused", "anon holds no privilege on any table")
    if role == SERVICE_ROLE:
        if append_only:
            return Cell("refused", "refused", "append-only: the prevent_mutation trigger raises P0001")
        return Cell("allowed", "allowed", "service_role bypasses row-level security")
    if append_only:
        return Cell("refused", "refused", "append-only: no policy allows it")
    rules = table.rules(command)
    conditions = [rule.conditional for rule in rules if _rule_applies(rule.roles, role)]
    if not conditions:
        return Cell("refused", "refused", "no rule of this command names the role")
    if all(conditions):
        return Cell("conditional", "conditional", "only rows meeting the rule's condition (own rows or where)")
    if role == PLATFORM_ROLE and any(PLATFORM_ROLE in rule.roles and not rule.conditional for rule in rules):
        return Cell("allowed", "allowed", "every row of every tenant: the platform role")
    if table.tenancy == Tenancy.USER:
        return Cell("only own rows", "own", "only the caller's own rows")
    if table.tenancy == Tenancy.GLOBAL:
        return Cell("allowed", "allowed", "every row of the catalogue")
    return Cell("allowed", "allowed", "every row of the caller's current tenant")


def _rule_applies(roles: tuple[str, ...], role: str) -> bool:
    if role in roles or MEMBER in roles:
        return True
    # has_any_role() is true for the platform role, so it passes every named rule too.
    return role == PLATFORM_ROLE and bool(roles)


def access_rows(table: ir.Table, roles: tuple[str, ...]) -> tuple[AccessRow, ...]:
    return tuple(AccessRow(command, tuple(access_cell(table, command, role) for role in roles))
                 for command in COMMANDS)
