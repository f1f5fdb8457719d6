"""Access matrices: what each role may do to a table, read from the spec's access intent, with
each condition in words (see wording.py)."""

from __future__ import annotations

from dataclasses import dataclass

from ... import ir
from ...vocabulary import COMMANDS, MEMBER, PLATFORM_ROLE, Tenancy
from .pages import ANON, SERVICE_ROLE, AccessRow, Cell, Phrase, anchor
from .wording import fragment_phrases, member_words, owner_words

# -- the access matrix ----------------------------------------------------------------------------


@dataclass(frozen=True)
class AccessReader:
    """Reads cells of access matrices; `tables` by name (ownership paths cross them), `guards`
    the column guards of each table (what a role may not change)."""

    tables: dict[str, ir.Table]
    guards: dict[str, tuple[ir.GuardGroup, ...]]

    @classmethod
    def of(cls, model: ir.Model) -> AccessReader:
        guards: dict[str, tuple[ir.GuardGroup, ...]] = {}
        for guard in model.of_type(ir.ColumnGuard):
            guards[guard.table] = guards.get(guard.table, ()) + guard.groups
        return cls({t.name: t for t in model.of_type(ir.Table)}, guards)

    def rows(self, table: ir.Table, roles: tuple[str, ...]) -> tuple[AccessRow, ...]:
        return tuple(AccessRow(command, tuple(self.cell(table, command, role) for role in roles))
                     for command in COMMANDS)

    def cell(self, table: ir.Table, command: str, role: str) -> Cell:
        """What `role` may do with `command` on `table`, read from the table's access intent.

        `member` rules hold for every role of the tenant; named rules hold for their roles and for
        `super_admin` (has_any_role() is true for it), within the tenant; a rule naming
        `super_admin` lets it through without the tenant condition. A conditional rule (`own` or
        `where`) allows only some rows, said in words. `anon` holds no privilege at all;
        `service_role` bypasses row-level security, but append-only tables stop its updates and
        deletes too. An update names the columns a guard keeps the role from changing."""
        append_only = table.immutable and command in ("update", "delete")
        if role == ANON:
            return Cell("refused", "refused", "anon holds no privilege on any table")
        if role == SERVICE_ROLE:
            if append_only:
                return Cell("refused", "refused", "append-only: the prevent_mutation trigger raises P0001")
            return Cell("allowed", "allowed", "service_role bypasses row-level security")
        if append_only:
            return Cell("refused", "refused", "append-only: no policy allows it")
        rules = table.rules(command)
        applying = [rule for rule in rules if rule_applies(rule.roles, role)]
        if not applying:
            return Cell("refused", "refused", "no rule of this command names the role")
        policy = anchor("policy", table.name, command)
        limits = self.limits(table, command, role)
        if all(rule.conditional for rule in applying):
            return Cell("conditional", "conditional", "only the rows the rule's condition allows",
                        tuple(self.condition(table, rule) for rule in applying), limits, policy)
        if role == PLATFORM_ROLE and any(PLATFORM_ROLE in rule.roles and not rule.conditional for rule in rules):
            return Cell("allowed", "allowed", "every row of every tenant: the platform role", limits=limits,
                        policy=policy)
        if table.tenancy == Tenancy.USER:
            return Cell("only own rows", "own", "only the caller's own rows", limits=limits, policy=policy)
        if table.tenancy == Tenancy.GLOBAL:
            return Cell("allowed", "allowed", "every row of the catalogue", limits=limits, policy=policy)
        return Cell("allowed", "allowed", "every row of the caller's current tenant", limits=limits, policy=policy)

    def condition(self, table: ir.Table, rule: ir.AccessRule) -> tuple[Phrase, ...]:
        """One rule's rows in words: its ownership, then its `where`, then the `check` an updated
        row must meet ("rows whose unit is theirs, while status is pending; changed only so that
        status is cancelled")."""
        phrases: list[Phrase] = []
        if rule.own is not None:
            phrases.append(Phrase(owner_words(self.tables, table.name, rule.own)))
        if rule.member is not None:
            phrases += [Phrase(", ")] if phrases else []
            phrases.append(Phrase(member_words(rule.member)))
            if rule.member.where is not None:
                phrases.extend(fragment_phrases(" while their membership's", rule.member.where,
                                                " while their membership has"))
        if rule.means is not None:
            # The spec's own words for its `where` and `check`, which the compiler could not word.
            return _joined([*phrases, *([Phrase(", ")] if phrases else []), Phrase(rule.means)])
        if rule.where is not None:
            if phrases:
                phrases.append(Phrase(", "))
            phrases.extend(fragment_phrases("while", rule.where, "where" if phrases else "rows where"))
        if rule.check is not None:
            phrases.append(Phrase("; changed only so that"))
            phrases.extend(fragment_phrases("", rule.check, ""))
        return _joined(phrases)

    def limits(self, table: ir.Table, command: str, role: str) -> tuple[Phrase, ...]:
        """The columns a guard keeps `role` from changing in an update (the platform sets them all)."""
        if command != "update" or role == PLATFORM_ROLE:
            return ()
        columns = [column for group in self.guards.get(table.name, ()) if role not in group.roles
                   for column in group.columns]
        if not columns:
            return ()
        phrases = [Phrase("cannot change ")]
        for index, column in enumerate(columns):
            phrases += [Phrase(", ")] if index else []
            phrases.append(Phrase(column, code=True))
        return _joined(phrases)


def _joined(phrases: list[Phrase]) -> tuple[Phrase, ...]:
    """Adjacent plain phrases merged, so a cell's words are one run of text between code spans."""
    merged: list[Phrase] = []
    for phrase in phrases:
        if merged and not phrase.code and not merged[-1].code:
            merged[-1] = Phrase(merged[-1].text + phrase.text)
        else:
            merged.append(phrase)
    return tuple(merged)


def rule_applies(roles: tuple[str, ...], role: str) -> bool:
    if role in roles or MEMBER in roles:
        return True
    # has_any_role() is true for the platform role, so it passes every named rule too.
    return role == PLATFORM_ROLE and bool(roles)
