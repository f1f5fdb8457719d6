from collections.abc import Iterator

from ... import ir
from ...vocabulary import PLATFORM_ROLE
from ..engine import Finding, Rule, register


@register
class UpdateUnlikeInsert(Rule):
    """A role whose update rule narrows rows differently from its insert rule.

    Anti-pattern: a resident may insert alerts only for their own units but may update any
    alert they raised; without more, an update could move the alert onto someone else's unit,
    a row the resident could never have created.
    Best practice: the compiler makes an updated row meet the role's insert conditions too;
    align the two rules, or say with `check:` on the update rule what an updated row must hold,
    so that reviewers read one intent.
    """

    code = "UPOE512"
    severity = "warning"
    hint = "give the update rule the insert rule's `own`/`where`, or state `check:` on the update rule"

    def check(self, model: ir.Model) -> Iterator[Finding]:
        policies = {(p.table, p.command): p for p in model.of_type(ir.Policy)}
        for table in model.of_type(ir.Table):
            for rule in table.rules("update"):
                if rule.check is not None:
                    continue
                for role in rule.roles:
                    created = [r for r in table.rules("insert") if role in r.roles and role != PLATFORM_ROLE]
                    if not created or not all(r.conditional for r in created):
                        continue
                    if all((r.own, r.where) != (rule.own, rule.where) for r in created):
                        policy = policies.get((table.name, "update"))
                        yield Finding(f"{role} updates rows of {table.name} under other conditions than it "
                                      "inserts them; updated rows must also meet the insert conditions",
                                      policy.position if policy else table.position)
