from collections.abc import Iterator

from ... import ir
from ..engine import Finding, Rule, register


@register
class TableWithoutPolicy(Rule):
    """A table without row level security, or with RLS but no policy at all.

    Anti-pattern: RLS left off exposes every row to every API role that holds a grant;
    RLS on without a policy silently hides everything, usually a forgotten access block.
    Best practice: every table enables RLS and has at least a select policy.
    """

    code = "UPOE501"
    hint = "give the table an `access` block with at least one select rule"

    def check(self, model: ir.Model) -> Iterator[Finding]:
        policies = {p.table for p in model.of_type(ir.Policy)}
        for table in model.of_type(ir.Table):
            if not table.row_level_security:
                yield Finding(f"table {table.name} does not enable row level security", table.position)
            elif table.name not in policies:
                yield Finding(f"table {table.name} has row level security but no policy", table.position)
