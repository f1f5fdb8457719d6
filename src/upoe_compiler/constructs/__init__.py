"""Every DSL construct, one module each; importing this package registers them (add a new
construct's module to the import and to `ORDER`, the order its output and docs follow).

A construct module declares its spec model (the YAML key's type), its semantic checks, its
expansion into IR objects, its description for the docs and its pgTAP probes; the stages loop
over `CONSTRUCTS` instead of knowing any construct by name.
"""

from __future__ import annotations

from typing import Any

from . import (  # importing registers the constructs
    append_only,
    balanced,
    buckets,
    conditions,
    counts,
    exclude,
    guarded_columns,
    immutable,
    normalize,
    ownership,
    realtime,
    referenced_row,
    state_machine,
    storage_paths,
    synced,
    validity,
)
from .base import REGISTRY, Construct, DomainConstruct, Level

# The order constructs add their checks, objects, docs entries and probes in.
ORDER = (ownership, immutable, append_only, state_machine, guarded_columns, normalize, referenced_row, counts, balanced,
         storage_paths, conditions, validity, exclude, synced, realtime, buckets)
CONSTRUCTS: tuple[Construct, ...] = tuple(
    construct for module in ORDER for construct in REGISTRY if type(construct).__module__ == module.__name__)
if len(CONSTRUCTS) != len(REGISTRY):
    raise RuntimeError("a construct module is registered but missing from ORDER")


# Table and column constructs run for each table; domain constructs (buckets) for each named item.
TABLE_CONSTRUCTS = tuple(c for c in CONSTRUCTS if not isinstance(c, DomainConstruct))
DOMAIN_CONSTRUCTS = tuple(c for c in CONSTRUCTS if isinstance(c, DomainConstruct))


def of_level(level: Level) -> tuple[Construct, ...]:
    return tuple(c for c in CONSTRUCTS if c.level == level)


def spec_fields(level: Level) -> dict[str, tuple[Any, Any]]:
    """The YAML keys the constructs of a level add to its spec model: name → (type, default)."""
    return {c.key: (c.model, c.default) for c in of_level(level) if c.key is not None}


def stamped_columns(spec: Any) -> list[str]:
    """The columns of a table spec that some construct fills: the database's to write."""
    return list(dict.fromkeys(column for c in CONSTRUCTS for column in c.stamped_columns(spec)))


def withheld_commands(spec: Any) -> set[str]:
    """Commands no client may run on the table, whatever its access rules say."""
    return {command for c in CONSTRUCTS for command in c.withheld_commands(spec)}


__all__ = ["CONSTRUCTS", "DOMAIN_CONSTRUCTS", "TABLE_CONSTRUCTS", "Construct", "of_level", "spec_fields",
           "stamped_columns", "withheld_commands"]
