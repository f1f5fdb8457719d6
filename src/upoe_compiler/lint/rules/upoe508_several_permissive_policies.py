from collections import Counter
from collections.abc import Iterator

from ... import ir
from ..engine import Finding, Rule, register


@register
class SeveralPermissivePolicies(Rule):
    """More than one permissive policy for one table, role and command.

    Anti-pattern: PostgreSQL evaluates every one of them for every row (Supabase lint
    0006, multiple_permissive_policies), and reviewers must OR them in their heads.
    Best practice: one policy per table, role and command, its rules joined with `or`.
    """

    code = "UPOE508"
    hint = "list all the rules of the command in one `access` entry; the compiler joins them"

    def check(self, model: ir.Model) -> Iterator[Finding]:
        policies = model.of_type(ir.Policy)
        counts = Counter((p.table, role, p.command) for p in policies for role in p.roles)
        reported = set()
        for policy in policies:
            for role in policy.roles:
                key = (policy.table, role, policy.command)
                if counts[key] > 1 and key not in reported:
                    reported.add(key)
                    yield Finding(f"{counts[key]} permissive {policy.command} policies on {policy.table} "
                                  f"for {role}", policy.position)
