from collections.abc import Iterator

from ... import ir
from ..engine import Finding, Rule, register


@register
class ExtensionInPublic(Rule):
    """An extension installed into the `public` schema.

    Anti-pattern: its functions and types become part of the API (Supabase lint 0014).
    Best practice: `create extension … with schema extensions`.
    """

    code = "UPOE511"
    hint = "install extensions with schema extensions"

    def check(self, model: ir.Model) -> Iterator[Finding]:
        for extension in model.of_type(ir.Extension):
            if extension.schema == "public":
                yield Finding(f"extension {extension.name} is installed in public", extension.position)
