"""The catalog: every name the validated spec declares, built once after shape validation and
shared by the semantic checks and resolve."""

from __future__ import annotations

from dataclasses import dataclass, field

from .pgnames import BASE_TYPES, parse_type
from .spec import FunctionSpec, TableSpec
from .validated import SpecFile


@dataclass
class Catalog:
    tables: dict[str, tuple[SpecFile, TableSpec]] = field(default_factory=dict)
    functions: dict[str, tuple[SpecFile, FunctionSpec]] = field(default_factory=dict)
    enum_values: dict[str, list[str]] = field(default_factory=dict)
    # Literal kind (text, integer, enum, …) of each enum and domain type, for checking defaults.
    type_kinds: dict[str, str] = field(default_factory=dict)
    # The IR key of each enum and domain type (`enum:public.x`, `type:public.x`).
    type_keys: dict[str, str] = field(default_factory=dict)
    views: set[str] = field(default_factory=set)
    roles: set[str] = field(default_factory=set)
    requirements: set[str] = field(default_factory=set)

    def table(self, name: str) -> TableSpec | None:
        found = self.tables.get(name)
        return found[1] if found else None

    def function(self, name: str) -> FunctionSpec | None:
        found = self.functions.get(name)
        return found[1] if found else None

    def enum_of(self, table: TableSpec, column: str) -> list[str] | None:
        """The values of a column's enum type; None when the column is no (scalar) enum."""
        spec = table.columns.get(column)
        parsed = parse_type(spec.type) if spec else None
        return self.enum_values.get(parsed.base) if parsed and not parsed.array_depth else None


def build_catalog(files: tuple[SpecFile, ...]) -> Catalog:
    """Names declared twice are reported by the checks; here the later declaration wins."""
    catalog = Catalog()
    for file in files:
        spec = file.spec
        catalog.requirements.update(spec.requirements)
        catalog.roles.update(spec.roles)
        catalog.tables.update({name: (file, table) for name, table in spec.tables.items()})
        catalog.functions.update({name: (file, function) for name, function in spec.functions.items()})
        catalog.views.update(spec.views)
        for name, enum in spec.enums.items():
            catalog.enum_values[name] = enum.labels
            catalog.type_kinds[name] = "enum"
            catalog.type_keys[name] = f"enum:public.{name}"
        for name in spec.types:
            catalog.type_keys[name] = f"type:public.{name}"
    for file in files:
        for name, domain_type in file.spec.types.items():
            parsed = parse_type(domain_type.type)
            if parsed is not None and parsed.base in BASE_TYPES:
                catalog.type_kinds[name] = BASE_TYPES[parsed.base]
    return catalog
