from collections.abc import Iterator

from ... import ir
from ..engine import Finding, Rule, register


@register
class ViewWithoutSecurityInvoker(Rule):
    """A view that reads with its owner's rights.

    Anti-pattern: a view owned by postgres bypasses the RLS of every table it reads
    (Supabase lint 0010, security_definer_view).
    Best practice: `with (security_invoker = true)`, so the caller's policies apply.
    """

    code = "UPOE505"
    hint = "views are always created with security_invoker = true; do not override it"

    def check(self, model: ir.Model) -> Iterator[Finding]:
        for view in model.of_type(ir.View):
            if not view.security_invoker:
                yield Finding(f"view {view.name} is not security_invoker", view.position)
