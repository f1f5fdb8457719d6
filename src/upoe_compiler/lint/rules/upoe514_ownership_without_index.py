from collections.abc import Iterator

from ... import ir
from ...vocabulary import CREATED_AT, MEMBER, PLATFORM_ROLE
from ..engine import Finding, Rule, register


@register
class OwnershipWithoutIndex(Rule):
    """A policy reading rows through `own:` or `member:` that no index can answer.

    Anti-pattern: the owned column (or a membership rule's `via` column, or the column a
    membership table is read by) leads no full index (after the tenant key), or a staff rule
    beside the ownership rule cannot be gated on created_at (a table without audit columns, or
    without a (tenant, created_at) index). Either way the `or` of the policy has a part no
    index answers, and the planner reads every row of the tenant to find a resident's own few,
    more of them each month on a table that only grows.
    Best practice: own through a reference (the compiler indexes it as (tenant, column)) or
    declare the index; keep audit columns on tables whose staff and owners read side by side.
    """

    code = "UPOE514"
    hint = "declare an index on (community_id, <owned column>), or keep the table's audit columns"

    def check(self, model: ir.Model) -> Iterator[Finding]:
        leading: dict[str, list[tuple[str, ...]]] = {}
        for index in model.of_type(ir.Index):
            if index.where is None and index.using == "btree":
                leading.setdefault(index.table, []).append(tuple(e.split()[0] for e in index.elements))
        tables = {table.name: table for table in model.of_type(ir.Table)}
        for policy in model.of_type(ir.Policy):
            table = tables.get(policy.table)
            if table is None or policy.command == "insert":
                continue
            for rule in policy.rules:
                member = rule.member
                column = member.own.split(".")[0] if member else None
                if member and column and not _leads(leading.get(member.table, []),
                                                    tables[member.table].tenant_column, column):
                    yield Finding(f"policy {policy.name} on {table.name} reads members of {member.table} "
                                  f"through {column}, which leads no index of {member.table}", policy.position)
            owned = [rule for rule in policy.rules if rule.own or rule.member]
            if not owned:
                continue
            prefixes = leading.get(table.name, [])
            through = [rule.own.split(".")[0] for rule in owned if rule.own]
            through += [rule.member.via for rule in owned if rule.member and rule.member.via != "id"]
            for column in dict.fromkeys(through):
                if not _leads(prefixes, table.tenant_column, column):
                    yield Finding(f"policy {policy.name} on {table.name} owns rows through {column}, "
                                  "which leads no index", policy.position)
            staff = [rule for rule in policy.rules if not (rule.own or rule.member) and MEMBER not in rule.roles
                     and any(role != PLATFORM_ROLE for role in rule.roles)]
            if staff and not (table.audit and _leads(prefixes, table.tenant_column, CREATED_AT)):
                yield Finding(f"policy {policy.name} on {table.name} has staff rules beside ownership rules "
                              f"but no ({table.tenant_column}, {CREATED_AT}) index to gate them on",
                              policy.position)


def _leads(prefixes: list[tuple[str, ...]], tenant: str | None, column: str) -> bool:
    wanted = [(column,)] + ([(tenant, column)] if tenant and tenant != column else [])
    return any(prefix[: len(want)] == want for prefix in prefixes for want in wanted)
