"""Ownership (`owned_by:` on a table, `own:` in access and upload rules): a rule narrowed to the
rows the caller owns, through a user id column, a reference to a table whose `owned_by` function
lists the caller's rows, or a path of references (`invitation_id.unit_id`). Group membership
(`member:` in a rule) is ownership one table away: the row's group is the key of a membership row
the caller owns. It adds no object of its own: policies and bucket policies compile `own` through
`condition()` and `member` through `membership()`."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from .. import ir
from ..fragments import check_expression
from ..pgnames import ident
from ..spec_base import MembershipSpec, Name, RuleSpec
from ..vocabulary import COMMANDS, MEMBER, PLATFORM_ROLE, Tenancy, default_roles
from .base import Construct, register

if TYPE_CHECKING:
    from ..construct_checks import TableCheck
    from ..errors import SourcePosition
    from ..resolve.model import Resolver
    from ..resolve.table import TableExpansion


@register
class Ownership(Construct):
    key = "owned_by"
    # The function giving the ids of this table's rows the caller owns (uuid or uuid[]):
    # what `own: <column referencing this table>` in access rules compares with.
    model = Name | None
    untested_because = ("owned rows need owners among the fixtures; tests/db/test_access.py, test_crm.py and "
                        "test_intra_community.py read and write as owners and as co-residents")

    def check(self, table: TableCheck) -> None:
        if table.table.owned_by is not None:
            owner_function(table, table.value_at("owned_by"), table.table.owned_by)
        for command in COMMANDS:
            for index, rule in enumerate(getattr(table.table.access, command) or []):
                if rule.own is not None:
                    check_path(table, table.name, table.value_at("access", command, index, "own"), rule.own)
                if rule.member is not None:
                    check_membership(table, ("access", command, index, "member"), rule.member, rule.roles)

    def expand(self, table: TableExpansion) -> None:
        """Nothing to add: the table's policies compile each `own` through `condition()`."""

    def describe(self, table: TableExpansion, emitted: list[ir.DbObject]) -> Iterable[ir.Behaviour]:
        owned = [f"{command}: {', '.join(rule.roles)} own {rule.own}"
                 for command in COMMANDS for rule in getattr(table.table.access, command) or [] if rule.own]
        owned += [f"{command}: {', '.join(rule.roles)} members of {rule.member.table} (own {rule.member.own})"
                  for command in COMMANDS for rule in getattr(table.table.access, command) or [] if rule.member]
        if table.table.owned_by is not None:
            owned.insert(0, f"a caller owns the rows whose ids {table.table.owned_by}() returns")
        if owned:
            yield ir.Behaviour("ownership", "rules narrowed to the rows the caller owns", tuple(owned))


def check_membership(check: TableCheck, path: tuple[str | int, ...], member: MembershipSpec,
                     roles: list[str]) -> None:
    """`member:` names a membership table of the same tenancy whose `key` references what this
    table's `via` column holds, an ownable `own` path on it, and a `where` over its columns; the
    rule's roles must read the membership table, since the policy reads it as the caller."""
    catalog = check.catalog
    if not check.known(check.value_at(*path, "table"), member.table, catalog.tables, "UPOE253", "table"):
        return
    group = check.catalog.table(member.table)
    if group.tenancy.kind != check.table.tenancy.kind:
        check.error("UPOE253", f"membership table '{member.table}' has tenancy {group.tenancy.kind.value}, "
                    f"{check.name} has {check.table.tenancy.kind.value}", check.value_at(*path, "table"),
                    "keep members in a table of the same tenancy, so they are read in the caller's tenant")
    if not check.known(check.value_at(*path, "via"), member.via, [*check.columns_of(check.name), "id"], "UPOE253",
                       f"column of {check.name}"):
        return
    if not check.known(check.value_at(*path, "key"), member.key, check.columns_of(member.table), "UPOE253",
                       f"column of {member.table}"):
        return
    via = check.name if member.via == "id" else check.table.columns[member.via].references
    key = group.columns[member.key].references if member.key in group.columns else None
    if via is None or key != via:
        check.error("UPOE253", f"{member.table}.{member.key} must reference what {check.name}.{member.via} holds "
                    f"({via or 'no table'})", check.value_at(*path, "key"),
                    "name the membership table's column that references the group")
    check_path(check, member.table, check.value_at(*path, "own"), member.own)
    readers = {role for rule in (group.access.select if group.access.select is not None else
                                 [RuleSpec(roles=default_roles(group.tenancy.kind, "select"))]) for role in rule.roles}
    blind = [role for role in roles if role != PLATFORM_ROLE and role not in readers and MEMBER not in readers]
    if blind:
        check.error("UPOE253", f"{', '.join(blind)} cannot read {member.table}, so no membership of theirs is found",
                    check.value_at(*path, "table"),
                    f"let them read their own rows of {member.table}, e.g. select: {{roles: [{blind[0]}], "
                    f"own: {member.own}}}")
    if member.where is not None:
        check_expression(member.where, check.value_at(*path, "where"), check.checks.sink,
                         columns=[*check.columns_of(member.table), "id"], where=f" of {member.table}",
                         names=check.checks.names)


def membership(resolver: Resolver, table_name: str, member: MembershipSpec | ir.Membership) -> str:
    """The row's `via` column is the key of an active membership row the caller owns: an array
    built once (an initPlan) that an index of `via` can look up."""
    group = resolver.tables[member.table][1]
    owned = condition(resolver, member.table, member.own, alias="m")
    active = "m.deleted_at is null" if group.soft_delete else None
    extra = f"({member.where})" if member.where else None
    where = " and ".join(part for part in (owned, active, extra) if part)
    return (f"{ident(member.via)} = any (array(select m.{ident(member.key)} from public.{ident(member.table)} m "
            f"where {where}))")


def owner_function(check: Any, position: SourcePosition, name: str) -> None:
    function = check.catalog.function(name)
    if function is None:
        check.unknown(position, name, check.catalog.functions, "UPOE253", "function",
                      "declare a function returning the ids of the rows the caller owns")
    elif function.returns.replace(" ", "") not in ("uuid", "uuid[]") or function.args:
        check.error("UPOE253", f"owned_by function '{name}' must take no arguments and return uuid or uuid[]",
                    position, "return the ids of the rows the caller owns")


def check_path(check: Any, table_name: str, position: SourcePosition, column: str) -> None:
    """`own: column` of `table_name`, or a path of references, `invitation_id.unit_id`; `check` is
    a checks context (TableCheck, BucketCheck)."""
    catalog = check.catalog
    table = catalog.table(table_name)
    *hops, last = column.split(".")
    for hop in hops:
        spec = table.columns.get(hop)
        if spec is None or catalog.table(spec.references or "") is None:
            check.error("UPOE253", f"'{hop}' of {table_name} is no reference to a table of the spec", position,
                        "each step of an ownership path is a column with `references:`")
            return
        table_name, table = spec.references, catalog.table(spec.references)
    if last != "id" and not check.known(position, last, check.columns_of(table_name), "UPOE253",
                                        f"column of {table_name}"):
        return
    if table.tenancy.kind == Tenancy.USER and last == check.tenant_column_of(table_name):
        return
    spec = table.columns.get(last)
    target = table_name if last == "id" else (spec.references if spec else None)
    if target is None:
        check.error("UPOE253", f"'{last}' references nothing the caller could own", position,
                    "own through a column that references auth.users or a table with owned_by")
    elif catalog.table(target) is not None and catalog.table(target).owned_by is None:
        check.error("UPOE253", f"table '{target}' declares no owned_by, so '{last}' cannot be owned", position,
                    f"give {target} `owned_by: <function returning the caller's {target} ids>`")


def condition(resolver: Resolver, table_name: str, column: str, depth: int = 0, alias: str | None = None) -> str:
    """`column` holds something the caller owns: their user id, or a row of a table whose spec
    names the function that lists the caller's rows (`owned_by`). A dotted path
    (`invitation_id.unit_id`) follows references: the row the first column points at must be
    owned through the rest of the path."""
    first, _, rest = column.partition(".")
    qualifier = f"{alias}." if alias else f"o{depth}." if depth else ""
    table = resolver.tables[table_name][1]
    if rest:
        target = table.columns[first].references or ""
        alias = f"o{depth + 1}"
        inner = condition(resolver, target, rest, depth + 1)
        # An array built once (an initPlan) that an index of `first` can look up; `in (select
        # ...)` would be a subplan run against every row of the tenant.
        return (f"{qualifier}{ident(first)} = any (array(select {alias}.id from public.{ident(target)} {alias} "
                f"where {inner}))")
    target = table_name if column == "id" else None
    spec_column = table.columns.get(column)
    if spec_column is not None:
        target = spec_column.references
    if column == resolver.tenant_column_of(table_name) and table.tenancy.kind == Tenancy.USER:
        target = "auth.users"
    if target == "auth.users" or target is None:
        return f"{qualifier}{ident(column)} = (select auth.uid())"
    owner = resolver.tables[target][1].owned_by or ""
    returns = resolver.functions[owner][1].returns.replace(" ", "") if owner in resolver.functions else "uuid"
    call = f"(select {resolver.function_ref(owner)}())"
    if returns.endswith("[]"):
        # The cast makes `any` see one array (from an initPlan), not a set of array rows.
        return f"{qualifier}{ident(column)} = any ({call}::{returns})"
    return f"{qualifier}{ident(column)} = {call}"
