"""Which functions of a model read the request: directly, or through another such function."""

from __future__ import annotations

from .. import ir
from .sql_text import REQUEST_READERS, calls


def request_readers(model: ir.Model) -> set[str]:
    readers = set(REQUEST_READERS)
    functions = [f for f in model.of_type(ir.Function) if f.returns != "trigger"]
    changed = True
    while changed:
        changed = False
        for function in functions:
            qualified = f"{function.schema}.{function.name}"
            if qualified not in readers and calls(function.body, readers):
                readers |= {qualified, function.name}
                changed = True
    return readers
