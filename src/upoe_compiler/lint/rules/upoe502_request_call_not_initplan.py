from collections.abc import Iterator

from ... import ir
from ..engine import Finding, Rule, register
from ..request_readers import request_readers
from ..sql_text import unwrapped_calls


@register
class RequestCallNotInitPlan(Rule):
    """A policy calls `auth.*()`, `current_setting()` or a helper that reads them, bare.

    Anti-pattern: `user_id = auth.uid()` evaluates the call for every row (13x slower on a
    million rows, 40x for a security-definer helper).
    Best practice: `user_id = (select auth.uid())`: PostgreSQL evaluates it once (initPlan).
    """

    code = "UPOE502"
    hint = "wrap the call itself: (select auth.uid()), (select public.get_current_community_id())"

    def check(self, model: ir.Model) -> Iterator[Finding]:
        readers = request_readers(model)
        for policy in model.of_type(ir.Policy):
            text = f"{policy.using or ''}\n{policy.with_check or ''}"
            for name in dict.fromkeys(unwrapped_calls(text, readers)):
                yield Finding(f"policy {policy.name} on {policy.table} calls {name}() outside (select …)",
                              policy.position)
        for bucket in model.of_type(ir.Bucket):
            for name, _command, condition in bucket.policies:
                for call in unwrapped_calls(condition, readers):
                    yield Finding(f"policy {name} on storage.objects calls {call}() outside (select …)",
                                  bucket.position)
