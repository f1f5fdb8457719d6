from collections.abc import Iterator

from ... import ir
from ..engine import Finding, Rule, register


@register
class UnindexedForeignKey(Rule):
    """A foreign key whose columns lead no full (non-partial) index of its table.

    Anti-pattern: every delete or key change of the parent scans the child table
    (Supabase lint 0001, unindexed_foreign_keys).
    Best practice: an index leading with the key's columns, `community_id` first.
    """

    code = "UPOE509"
    hint = "the compiler indexes every reference; an index that covers it must not be partial"

    def check(self, model: ir.Model) -> Iterator[Finding]:
        covering: dict[str, list[tuple[str, ...]]] = {}
        for index in model.of_type(ir.Index):
            if index.where is None:
                covering.setdefault(index.table, []).append(tuple(e.split()[0] for e in index.elements))
        for table in model.of_type(ir.Table):
            for constraint in (*table.unique_constraints, ir.NamedConstraint("pk", columns=table.primary_key)):
                covering.setdefault(table.name, []).append(constraint.columns)
        for key in model.of_type(ir.ForeignKey):
            prefixes = covering.get(key.table, [])
            if not any(prefix[: len(key.columns)] == key.columns for prefix in prefixes):
                yield Finding(f"foreign key {key.name} on {key.table} ({', '.join(key.columns)}) has no index",
                              key.position)
