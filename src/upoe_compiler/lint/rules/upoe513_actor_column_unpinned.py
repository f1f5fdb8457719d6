import re
from collections.abc import Iterator

from ... import ir
from ...vocabulary import PLATFORM_ROLE
from ..engine import Finding, Rule, register

# A default that names the caller: their user id, or their row of a table (get_current_guard_id()).
_CALLER = re.compile(r"^\s*(auth\.uid\(\)|public\.get_current_[a-z0-9_]+_id\(\))\s*$")


@register
class ActorColumnUnpinned(Rule):
    """A column that records who acted (it defaults to the caller) which writers may set freely.

    Anti-pattern: `guard_id default get_current_guard_id()` on an access log that any guard
    may insert: a guard logs an entry in another guard's name.
    Best practice: pin it to the caller in every insert rule that may write it (`own:` the
    column), or guard it (`guarded_columns`) naming the roles that may record someone else.
    """

    code = "UPOE513"
    hint = "add `guarded_columns: [{columns: [<column>], roles: [<who may set another>]}]`"

    def check(self, model: ir.Model) -> Iterator[Finding]:
        guarded = {(g.table, column) for g in model.of_type(ir.ColumnGuard) for group in g.groups
                   for column in group.columns}
        for table in model.of_type(ir.Table):
            for column in table.columns:
                if column.name == table.tenant_column or not _CALLER.match(column.default or ""):
                    continue
                if (table.name, column.name) in guarded:
                    continue
                free = [role for command in ("insert", "update") for rule in table.rules(command)
                        if rule.own != column.name for role in rule.roles if role != PLATFORM_ROLE]
                if free:
                    yield Finding(f"{table.name}.{column.name} records who acted, but {', '.join(dict.fromkeys(free))}"
                                  " may write any value into it", table.position)
