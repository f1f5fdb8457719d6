import re
from collections.abc import Iterator

from ... import ir
from ..engine import Finding, Rule, register

_TRUE = re.compile(r"^\(*\s*true\s*\)*$", re.IGNORECASE)


@register
class AlwaysTrueWritePolicy(Rule):
    """An insert, update or delete policy whose condition is always true.

    Anti-pattern: `with check (true)` lets every signed-in user write any row of any
    community (Supabase lint 0024, permissive_rls_policy).
    Best practice: every write condition names the tenant and the roles allowed.
    """

    code = "UPOE507"
    hint = "restrict the rule to roles of the tenant, or remove it"

    def check(self, model: ir.Model) -> Iterator[Finding]:
        for policy in model.of_type(ir.Policy):
            if policy.command == "select":
                continue
            for text in (policy.using, policy.with_check):
                if text is not None and _TRUE.match(text.strip()):
                    yield Finding(f"{policy.command} policy {policy.name} on {policy.table} is always true",
                                  policy.position)
