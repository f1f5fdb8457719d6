"""Who gained or lost what between two models, in words a reviewer reads: per table, role and
command, the rows the role reaches before and after (from the access rules, not the policy SQL),
and per function, the API roles that may execute it."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from . import ir
from .vocabulary import COMMANDS, MEMBER, PLATFORM_ROLE, Tenancy

SCOPE = {Tenancy.COMMUNITY: "whole community", Tenancy.ORGANIZATION: "whole organization",
         Tenancy.USER: "own rows", Tenancy.GLOBAL: "every row"}


@dataclass(frozen=True)
class AccessChange:
    subject: str      # table or function
    role: str
    command: str      # select/insert/update/delete, or execute
    before: str       # the rows (or "yes"), in words; "nothing" when none
    after: str
    verdict: str      # WIDENED, NARROWED or CHANGED
    acknowledged: str | None = None  # the spec's reason, for a widening it acknowledges

    @property
    def key(self) -> str:
        """How `acknowledge: [{widen: ...}]` names it."""
        return f"{self.role} {self.command} {self.subject}"

    def __str__(self) -> str:
        why = f", acknowledged: {self.acknowledged}" if self.acknowledged else ""
        return f"{self.role} · {self.command} · {self.subject}: {self.before} → {self.after} ({self.verdict}{why})"


def _reach(table: ir.Table, role: str, command: str) -> tuple[frozenset[str], bool]:
    """The rule texts that let `role` run `command`, and whether one of them reaches every row
    of the tenant (a rule without `own` or `where`)."""
    texts, whole = set(), False
    for rule in table.rules(command):
        if role not in rule.roles and MEMBER not in rule.roles:
            continue
        parts = [f"own {rule.own}" if rule.own else "", f"where {rule.where}" if rule.where else ""]
        text = " and ".join(p for p in parts if p)
        if not text:
            whole = True
            text = SCOPE[table.tenancy] if role != PLATFORM_ROLE else "every row"
        texts.add(text)
    return frozenset(texts), whole


def _words(texts: frozenset[str]) -> str:
    return " or ".join(sorted(texts)) if texts else "nothing"


def access_changes(before: ir.Model, after: ir.Model) -> list[AccessChange]:
    """Every role whose reach changed, table by table (tables new or gone count from nothing)."""
    roles = list(dict.fromkeys([*before.application_roles, *after.application_roles, PLATFORM_ROLE]))
    old = {t.name: t for t in before.of_type(ir.Table)}
    new = {t.name: t for t in after.of_type(ir.Table)}
    found: list[AccessChange] = []
    for name in sorted(old.keys() | new.keys()):
        for command in COMMANDS:
            for role in roles:
                was, was_whole = _reach(old[name], role, command) if name in old else (frozenset(), False)
                now, now_whole = _reach(new[name], role, command) if name in new else (frozenset(), False)
                if was == now:
                    continue
                if not was or (now_whole and not was_whole) or (was < now):
                    verdict = "WIDENED"
                elif not now or (was_whole and not now_whole) or (now < was):
                    verdict = "NARROWED"
                else:
                    verdict = "CHANGED"
                found.append(AccessChange(name, role, command, _words(was), _words(now), verdict))
    found += _execute_changes(before, after)
    reasons = dict(widening for domain in after.domains for widening in domain.widenings)
    return [change if change.verdict == "NARROWED"
            else dataclasses.replace(change, acknowledged=reasons.get(change.key)) for change in found]


def _execute_changes(before: ir.Model, after: ir.Model) -> list[AccessChange]:
    def grants(model: ir.Model) -> dict[str, frozenset[str]]:
        return {f"{f.schema}.{f.name}({f.signature_types})": frozenset(f.execute_roles)
                for f in model.of_type(ir.Function)}
    old, new = grants(before), grants(after)
    found = []
    for name in sorted(old.keys() | new.keys()):
        was, now = old.get(name, frozenset()), new.get(name, frozenset())
        for role in sorted(was ^ now):
            gained = role in now
            found.append(AccessChange(name, role, "execute", "no" if gained else "yes", "yes" if gained else "no",
                                      "WIDENED" if gained else "NARROWED"))
    return found
