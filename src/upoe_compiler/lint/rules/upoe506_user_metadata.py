from collections.abc import Iterator

from ... import ir
from ..engine import Finding, Rule, register
from ..sql_text import mentions_user_metadata


@register
class UserMetadataInPolicy(Rule):
    """A policy, or a function a policy may call, reads `user_metadata`.

    Anti-pattern: users edit their own user_metadata, so authorising on it lets anyone
    grant themselves anything (Supabase lint 0015).
    Best practice: authorise on `app_metadata`, which only the service role writes.
    """

    code = "UPOE506"
    hint = "read roles and communities from app_metadata (get_current_community_id, has_any_role)"

    def check(self, model: ir.Model) -> Iterator[Finding]:
        for policy in model.of_type(ir.Policy):
            if mentions_user_metadata(f"{policy.using or ''} {policy.with_check or ''}"):
                yield Finding(f"policy {policy.name} on {policy.table} reads user_metadata", policy.position)
        for function in model.of_type(ir.Function):
            if mentions_user_metadata(function.body):
                yield Finding(f"function {function.schema}.{function.name} reads user_metadata",
                              function.position)
