"""What a DSL construct is: one module declaring its spec model, its semantic checks, its
expansion into IR objects, its description for the docs and its pgTAP probes.

Construct modules import only the IR, the vocabulary and SQL helpers at run time; the stages
hand them a context (checks: `TableCheck`, resolve: `TableExpansion`, pgTAP: `ProbeBuilder`),
so no stage imports another through a construct.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from .. import ir

if TYPE_CHECKING:
    from ..construct_checks import BucketCheck, TableCheck
    from ..render.pgtap import Probe, ProbeBuilder
    from ..resolve.model import Resolver
    from ..resolve.table import TableExpansion
    from ..validated import SpecFile

Level = Literal["table", "column", "domain"]


class Construct:
    """One DSL construct. Subclasses set the class attributes and override every method the
    completeness test names; a construct with nothing to probe says why in `untested_because`."""

    # The YAML key that turns it on, on a table, a column or a domain file (`None`: a construct
    # recognised from names, such as storage paths).
    key: ClassVar[str | None]
    level: ClassVar[Level] = "table"
    # The annotation and default of the key in the spec model.
    model: ClassVar[Any] = None
    default: ClassVar[Any] = None
    # The SQL template of the IR objects it adds (None: it adds to the table's own statement).
    template: ClassVar[str | None] = None
    # The template undoing one of those objects in a migration after a release (None: the differ
    # refuses to remove them).
    drop_template: ClassVar[str | None] = None
    ir_types: ClassVar[tuple[type[ir.DbObject], ...]] = ()
    untested_because: ClassVar[str] = ""

    @property
    def name(self) -> str:
        """The YAML key, or for a construct without one its class name in snake_case."""
        return self.key or re.sub(r"(?<!^)(?=[A-Z])", "_", type(self).__name__).lower()

    # -- checks ----------------------------------------------------------------------------

    def check(self, table: TableCheck) -> None:
        """Report what the spec gets wrong about this construct on one table."""
        raise NotImplementedError

    # -- resolve ---------------------------------------------------------------------------

    def expand(self, table: TableExpansion) -> None:
        """Add the construct's IR objects, constraints and indexes for one table."""
        raise NotImplementedError

    def describe(self, table: TableExpansion, emitted: list[ir.DbObject]) -> Iterable[ir.Behaviour]:
        """What the construct does to the table, in words, for the docs (from what it emitted)."""
        raise NotImplementedError

    # Hooks other parts of the compiler read.

    def stamped_columns(self, spec: Any) -> list[str]:
        """Columns of a table spec that the construct fills itself (the database's to write)."""
        return []

    def withheld_commands(self, spec: Any) -> tuple[str, ...]:
        """Commands no client may run on the table whatever its access rules say."""
        return ()

    # -- tests -----------------------------------------------------------------------------

    def fixtures(self, table: ir.Table, k: int, tests: ProbeBuilder) -> list[str]:
        """Statements writing rows the table's generated test rows of community k need besides the
        row maker's own (run before them, as the platform, triggers off)."""
        return []

    def row_value(self, table: ir.Table, column: ir.Column, k: int, tests: ProbeBuilder) -> str | None:
        """The SQL value generated test rows give a column the construct constrains (None: the
        row maker's own sample)."""
        return None

    def probes(self, table: ir.Table, tests: ProbeBuilder) -> Iterable[Probe]:
        """pgTAP probes of the construct on one table: what it must refuse, as which role. A
        construct without probes says why in `untested_because` instead."""
        if self.untested_because:
            return ()
        raise NotImplementedError


class DomainConstruct(Construct):
    """A construct declared beside tables in a domain file (`buckets:`), one object per name."""

    level: ClassVar[Level] = "domain"

    def check_item(self, item: BucketCheck) -> None:
        raise NotImplementedError

    def expand_item(self, resolver: Resolver, file: SpecFile, name: str, spec: Any) -> ir.DbObject:
        raise NotImplementedError

    @staticmethod
    def describe_item(spec: Any, *facts: Any) -> Iterable[ir.Behaviour]:
        """What the item is and does, in words, for the docs (kept on its IR object)."""
        raise NotImplementedError



REGISTRY: list[Construct] = []


def register(construct_class: type[Construct]) -> type[Construct]:
    construct = construct_class()
    if any(type(c) is construct_class or (c.key and c.key == construct.key and c.level == construct.level)
           for c in REGISTRY):
        raise ValueError(f"construct {construct.name} registered twice")
    REGISTRY.append(construct)
    # An IR type a construct module declares itself joins the model's types (manifest, templates).
    ir.DECLARED_ELSEWHERE.update(kind for kind in construct.ir_types if kind.__module__ != ir.__name__)
    return construct_class
