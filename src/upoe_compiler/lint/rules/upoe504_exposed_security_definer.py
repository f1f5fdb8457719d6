from collections.abc import Iterator

from ... import ir
from ..engine import Finding, Rule, register

EXPOSED_SCHEMAS = ("public", "graphql_public")


@register
class ExposedSecurityDefiner(Rule):
    """A SECURITY DEFINER function in a schema the API exposes, or executable by anon.

    Anti-pattern: the API lets anyone call it with its owner's rights, bypassing RLS
    (Supabase lints 0028, 0029).
    Best practice: the body lives in `private`, a `security invoker` wrapper in `public`
    calls it, EXECUTE is revoked from public and anon, and the body checks the caller.
    """

    code = "UPOE504"
    hint = "declare it `security: definer` (the compiler places the body in private) and drop anon"

    def check(self, model: ir.Model) -> Iterator[Finding]:
        for function in model.of_type(ir.Function):
            if not function.security_definer:
                continue
            if function.schema in EXPOSED_SCHEMAS:
                yield Finding(f"security definer function {function.schema}.{function.name} is in an exposed "
                              "schema", function.position)
            if "anon" in function.execute_roles:
                yield Finding(f"security definer function {function.schema}.{function.name} is executable "
                              "by anon", function.position)
