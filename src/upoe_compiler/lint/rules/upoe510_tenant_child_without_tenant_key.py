from collections.abc import Iterator

from ... import ir
from ...vocabulary import Tenancy
from ..engine import Finding, Rule, register


@register
class TenantChildWithoutTenantKey(Rule):
    """A table referencing a community table without carrying the same community.

    Anti-pattern: a row of community A pointing at a row of community B; RLS hides the
    parent, but the link leaks its existence and breaks every join (X-01).
    Best practice: the child is a community table too, and its key is composite:
    `(community_id, parent_id) references parent (community_id, id)`.
    """

    code = "UPOE510"
    hint = "make the referencing table `tenancy: community`; the compiler then makes the key composite"

    def check(self, model: ir.Model) -> Iterator[Finding]:
        tables = {t.name: t for t in model.of_type(ir.Table)}
        for key in model.of_type(ir.ForeignKey):
            parent, child = tables.get(key.ref_table), tables.get(key.table)
            if parent is None or child is None or parent.tenancy != Tenancy.COMMUNITY or parent.tenant_column == "id":
                continue
            if child.tenancy != Tenancy.COMMUNITY or child.tenant_column != "community_id":
                yield Finding(f"{child.name} ({child.tenancy}) references community table {parent.name}",
                              key.position)
            elif key.columns[0] != "community_id" or key.ref_columns[0] != "community_id":
                yield Finding(f"foreign key {key.name} lets {child.name} reference {parent.name} of another "
                              "community", key.position)
