"""The rule registry and the runner."""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from dataclasses import dataclass

from .. import ir
from ..errors import Diagnostic, SourcePosition


@dataclass(frozen=True)
class Finding:
    message: str
    position: SourcePosition | None


class Rule:
    """One lint. The class docstring says the anti-pattern and the best practice."""

    code: str = ""
    hint: str = ""
    # A warning is reported but does not fail the compile.
    severity: str = "error"

    def check(self, model: ir.Model) -> Iterator[Finding]:
        raise NotImplementedError


RULES: dict[str, Rule] = {}


def register(rule_class: type[Rule]) -> type[Rule]:
    rule = rule_class()
    if rule.code in RULES:
        raise ValueError(f"lint code {rule.code} registered twice")
    RULES[rule.code] = rule
    return rule_class


def lint(model: ir.Model) -> list[Diagnostic]:
    from . import rules  # noqa: F401 - importing registers the rules

    return [
        Diagnostic(rule.code, finding.message, finding.position, rule.hint, rule.severity)
        for code, rule in sorted(RULES.items())
        for finding in rule.check(model)
    ]


def rule_docs() -> list[tuple[str, str]]:
    from . import rules  # noqa: F401

    return [(code, inspect.cleandoc(type(rule).__doc__ or "")) for code, rule in sorted(RULES.items())]
