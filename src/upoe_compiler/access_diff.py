"""Who gained or lost what between two models, in words a reviewer reads: per table, role and
command, the rows the role reaches before and after (from the access rules, not the policy SQL),
and per function, the API roles that may execute it."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from . import ir
from .vocabulary import COMMANDS, MEMBER, PLATFORM_ROLE, Tenancy

API_ROLE = "authenticated"

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
    of the tenant (a rule without `own` or `where`). A command the table withholds from API
    callers (an immutable table's update) reaches nothing, whatever its rules say."""
    if command not in dict(table.grants).get(API_ROLE, ()):
        return frozenset(), False
    return _rules_reach(table.rules(command), table.tenancy, role)


def _rules_reach(rules: tuple[ir.AccessRule, ...], tenancy: Tenancy, role: str) -> tuple[frozenset[str], bool]:
    texts, whole = set(), False
    for rule in rules:
        if role not in rule.roles and MEMBER not in rule.roles:
            continue
        parts = [f"own {rule.own}" if rule.own else "", f"where {rule.where}" if rule.where else "",
                 f"member of {rule.member.table}.{rule.member.key} (own {rule.member.own}"
                 + (f", where {rule.member.where})" if rule.member.where else ")") if rule.member else ""]
        text = " and ".join(p for p in parts if p)
        if not text:
            whole = True
            text = SCOPE[tenancy] if role != PLATFORM_ROLE else "every row"
        texts.add(text)
    return frozenset(texts), whole


NOTHING: tuple[frozenset[str], bool] = (frozenset(), False)


def _upload_reach(bucket: ir.Bucket | None, role: str, by_folder: bool) -> tuple[frozenset[str], bool]:
    """Into which entities' folders of a bucket `role` may upload (a bucket's entities are rows of
    a community table); `by_folder` names each text's entity, for a bucket of several entities."""
    if bucket is None:
        return NOTHING
    texts: set[str] = set()
    whole = False
    for store in bucket.stores:
        reached, every_row = _rules_reach(store.upload, Tenancy.COMMUNITY, role)
        texts |= {f"{store.entity} folders: {text}" if by_folder else text for text in reached}
        whole = whole or every_row
    return frozenset(texts), whole


def _entities(bucket: ir.Bucket | None) -> set[str]:
    return set() if bucket is None else {store.entity for store in bucket.stores}


def _change(subject: str, role: str, command: str, was: tuple[frozenset[str], bool],
            now: tuple[frozenset[str], bool]) -> list[AccessChange]:
    (was_texts, was_whole), (now_texts, now_whole) = was, now
    if was_texts == now_texts:
        return []
    if not was_texts or (now_whole and not was_whole) or (was_texts < now_texts):
        verdict = "WIDENED"
    elif not now_texts or (was_whole and not now_whole) or (now_texts < was_texts):
        verdict = "NARROWED"
    else:
        verdict = "CHANGED"
    return [AccessChange(subject, role, command, _words(was_texts), _words(now_texts), verdict)]


def _words(texts: frozenset[str]) -> str:
    return " or ".join(sorted(texts)) if texts else "nothing"


def access_changes(before: ir.Model, after: ir.Model) -> list[AccessChange]:
    """Every role whose reach changed, table by table (tables new or gone count from nothing)."""
    roles = list(dict.fromkeys([*before.application_roles, *after.application_roles, PLATFORM_ROLE]))
    # A renamed table (`renamed_from:`) is compared under its new name.
    renamed = {t.renamed_from: t.name for t in after.of_type(ir.Table) if t.renamed_from}
    new = {t.name: t for t in after.of_type(ir.Table)}
    old = {renamed.get(t.name, t.name) if renamed.get(t.name) in new else t.name: t for t in before.of_type(ir.Table)}
    found: list[AccessChange] = []
    for name in sorted(old.keys() | new.keys()):
        for command in COMMANDS:
            for role in roles:
                was = _reach(old[name], role, command) if name in old else NOTHING
                now = _reach(new[name], role, command) if name in new else NOTHING
                found += _change(name, role, command, was, now)
    old_buckets = {b.name: b for b in before.of_type(ir.Bucket)}
    new_buckets = {b.name: b for b in after.of_type(ir.Bucket)}
    for name in sorted(old_buckets.keys() | new_buckets.keys()):
        by_folder = len(_entities(old_buckets.get(name)) | _entities(new_buckets.get(name))) > 1
        for role in roles:
            was = _upload_reach(old_buckets.get(name), role, by_folder)
            now = _upload_reach(new_buckets.get(name), role, by_folder)
            found += _change(f"bucket {name}", role, "upload", was, now)
    found += _execute_changes(before, after)
    reasons = ir.current_acknowledgements(before, after, "widenings")
    return [change if change.verdict == "NARROWED"
            else dataclasses.replace(change, acknowledged=reasons.get(change.key)) for change in found]


def _execute_changes(before: ir.Model, after: ir.Model) -> list[AccessChange]:
    """Who may call each function; a function whose signature changed is compared under its new one."""
    now = {f.key: f"{f.schema}.{f.name}({f.signature_types})" for f in after.of_type(ir.Function)}

    def grants(model: ir.Model, names: dict[str, str]) -> dict[str, frozenset[str]]:
        return {names.get(f.key, f"{f.schema}.{f.name}({f.signature_types})"): frozenset(f.execute_roles)
                for f in model.of_type(ir.Function)}
    old, new = grants(before, now), grants(after, now)
    found = []
    for name in sorted(old.keys() | new.keys()):
        was, now = old.get(name, frozenset()), new.get(name, frozenset())
        for role in sorted(was ^ now):
            gained = role in now
            found.append(AccessChange(name, role, "execute", "no" if gained else "yes", "yes" if gained else "no",
                                      "WIDENED" if gained else "NARROWED"))
    return found
