import re
from collections.abc import Iterator

from ... import ir
from ..engine import Finding, Rule, register
from ..sql_text import strip_literals

_TABLE_POSITION = re.compile(r"\b(?:from|join|into|update|table)\s+(?:only\s+)?([a-z_][a-z0-9_]*)\b(?!\s*\.)",
                             re.IGNORECASE)


@register
class FunctionSearchPath(Rule):
    """A function without `set search_path = ''`, or whose body names a table without its
    schema (which then fails under the empty search path, or finds another table).

    Anti-pattern: a mutable search path lets a caller shadow `public.units` with a table
    of their own (Supabase lint 0011); an unqualified name is the same hazard.
    Best practice: `set search_path = ''` and `public.units`, `extensions.hmac`.
    """

    code = "UPOE503"
    hint = "qualify every table name in the body with its schema, e.g. public.units"

    def check(self, model: ir.Model) -> Iterator[Finding]:
        tables = {t.name for t in model.of_type(ir.Table)} | {v.name for v in model.of_type(ir.View)}
        for function in model.of_type(ir.Function):
            if function.search_path != "":
                yield Finding(f"function {function.schema}.{function.name} sets search_path to "
                              f"'{function.search_path}'", function.position)
            for match in _TABLE_POSITION.finditer(strip_literals(function.body)):
                if match.group(1) in tables:
                    yield Finding(f"function {function.schema}.{function.name} names table {match.group(1)} "
                                  "without its schema", function.position)
        for generated in model.of_type(ir.GeneratedTrigger):
            if generated.search_path != "":
                yield Finding(f"trigger function {generated.function} sets search_path to "
                              f"'{generated.search_path}'", generated.position)
