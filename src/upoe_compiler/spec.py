"""The spec as written: pydantic models mirroring the YAML one to one.

Field names are the YAML keys, so a validation error's `loc` is a path into the file.
Shorthands (`name: text` for a column, `tenancy: community`) are expanded before
validation, so error paths never mention union members.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from pydantic import Field, create_model, model_validator

from .constructs import spec_fields
from .spec_base import (
    ApiRole,
    Name,
    RequirementId,
    Rule,
    SpecModel,
    _list_shorthand,
    _shorthand,
)


class EnumValueSpec(SpecModel):
    """One value of an enum; `renamed_from` is its label in the last release (the next migration
    renames it, and every row holding it keeps it)."""

    value: Name
    renamed_from: Name | None = None


EnumValue = Annotated[EnumValueSpec, _shorthand("value", str | EnumValueSpec)]


class EnumSpec(SpecModel):
    description: str
    values: list[EnumValue] = Field(min_length=1)
    requirements: list[RequirementId] = []

    @property
    def labels(self) -> list[str]:
        return [item.value for item in self.values]


class DomainTypeSpec(SpecModel):
    """A checked domain type, e.g. `money_amount` over numeric(15,4) with `value >= 0`."""

    type: Name
    check: str | None = None
    description: str
    requirements: list[RequirementId] = []
    # A valid value, used by the generated tests to make rows.
    example: Any = None


class ArgumentSpec(SpecModel):
    name: Name
    type: Name
    default: str | None = None


class NativeSpec(SpecModel):
    """The body a function takes on servers that have what it implements built in: the
    migration replaces the portable body there, keeping the function's name, grants and
    comment, so callers and column defaults never change."""

    # As server_version_num reads it: 180000 is PostgreSQL 18.0.
    server_version_num: int = Field(ge=90000)
    body: str


class FiresOnSpec(SpecModel):
    """A table of any domain whose rows fire this trigger function (`fires_on:` on the function):
    for a domain that reacts to another's table, such as seeding a new community's accounts."""

    table: Name
    timing: Literal["before", "after"] = "after"
    events: list[Literal["insert", "update", "delete"]] = Field(min_length=1)
    when: str | None = None


class FunctionSpec(SpecModel):
    description: str
    requirements: list[RequirementId] = []
    args: list[ArgumentSpec] = []
    returns: Name
    language: Literal["sql", "plpgsql"] = "plpgsql"
    volatility: Literal["volatile", "stable", "immutable"] = "volatile"
    security: Literal["invoker", "definer"] = "invoker"
    # Unexposed functions live in `private`: helpers of other functions, not callable via the API.
    exposed: bool = True
    body: str | None = None
    body_file: str | None = None
    # A definer function's public face; by default a plain call of the private body.
    invoker_body: str | None = None
    invoker_body_file: str | None = None
    execute: list[ApiRole] = ["authenticated", "service_role"]
    # The application roles that may call it through the API (a definer function's public face
    # checks them; the platform always may; other functions and triggers call the private body).
    callers: list[Name] | None = None
    # Tables whose rows fire it (it returns trigger); the trigger lives with this function's domain.
    fires_on: list[FiresOnSpec] = []
    depends_on: list[Name] = []
    native: NativeSpec | None = None

    @model_validator(mode="after")
    def _one_body(self) -> FunctionSpec:
        if (self.body is None) == (self.body_file is None):
            raise ValueError("give exactly one of `body` and `body_file`")
        if self.security == "invoker" and (self.invoker_body or self.invoker_body_file):
            raise ValueError("`invoker_body` only applies to `security: definer` functions")
        if self.invoker_body is not None and self.invoker_body_file is not None:
            raise ValueError("give at most one of `invoker_body` and `invoker_body_file`")
        if self.callers is not None and (self.security != "definer" or not self.exposed):
            raise ValueError("`callers` applies to exposed `security: definer` functions, whose public face "
                             "checks them")
        if self.fires_on and self.returns != "trigger":
            raise ValueError("`fires_on` needs a function that `returns: trigger`")
        if self.callers is not None and (self.invoker_body or self.invoker_body_file):
            raise ValueError("give one of `callers` (the public face checks the roles) and `invoker_body`")
        return self


class ColumnSpecBase(SpecModel):
    """A column: its type, constraints and description; construct keys (`normalize`, `counts`)
    join from the construct modules."""

    type: Name
    description: str | None = None
    required: bool = False
    default: Any = None
    default_sql: str | None = None
    unique: bool = False
    references: Name | None = None
    on_delete: Literal["restrict", "cascade", "set null", "no action"] = "restrict"
    check: str | None = None
    generated: str | None = None
    requirements: list[RequirementId] = []
    # A valid value, used by the generated tests to make rows when the type's own sample
    # would break a check.
    example: Any = None
    # The column's name in the last release: the next migration renames it, keeping its values.
    renamed_from: Name | None = None
    # How the next migration turns an old value into the new type (SQL over the column's name),
    # when the type changes and PostgreSQL's own cast is not the one wanted.
    using: str | None = None
    # The value (SQL over the row's columns) the next migration gives rows that have none, when the
    # column becomes required: added without a default, or made required.
    backfill: str | None = None

    @model_validator(mode="after")
    def _one_default(self) -> ColumnSpecBase:
        if self.default is not None and self.default_sql is not None:
            raise ValueError("give at most one of `default` (a value) and `default_sql` (an expression)")
        if self.generated is not None and (self.default is not None or self.default_sql is not None):
            raise ValueError("a generated column cannot have a default")
        return self


ColumnSpec = create_model("ColumnSpec", __base__=ColumnSpecBase, __module__=__name__,
                          __doc__=ColumnSpecBase.__doc__, **spec_fields("column"))  # type: ignore[call-overload]
Column = Annotated[ColumnSpec, _shorthand("type", str | ColumnSpec)]


class TenancySpec(SpecModel):
    """Who owns a row. `column` names the key compared with the JWT (defaults by kind)."""

    kind: Literal["community", "organization", "user", "global"]
    column: Name | None = None


Tenancy = Annotated[
    TenancySpec, _shorthand("kind", Literal["community", "organization", "user", "global"] | TenancySpec)]


class UniqueSpec(SpecModel):
    columns: list[Name] = Field(min_length=1)
    where: str | None = None
    name: Name | None = None
    # Tenant tables are unique per community unless said otherwise.
    per_tenant: bool = True


Unique = Annotated[UniqueSpec, _list_shorthand("columns", list[str] | UniqueSpec)]


class CheckSpec(SpecModel):
    expression: str
    description: str | None = None


Check = Annotated[CheckSpec, _shorthand("expression", str | CheckSpec)]


class IndexSpec(SpecModel):
    columns: list[Name] = []
    expression: str | None = None
    using: Literal["btree", "gin", "gist", "brin", "hash"] = "btree"
    where: str | None = None
    name: Name | None = None

    @model_validator(mode="after")
    def _columns_or_expression(self) -> IndexSpec:
        if bool(self.columns) == (self.expression is not None):
            raise ValueError("give exactly one of `columns` and `expression`")
        return self


class AccessSpec(SpecModel):
    """Who may do what. Each command lists rules; any rule that matches allows."""

    select: list[Rule] | None = None
    insert: list[Rule] | None = None
    update: list[Rule] | None = None
    delete: list[Rule] | None = None


class TriggerSpec(SpecModel):
    """A trigger calling a function of the spec (for behaviour no pattern covers)."""

    function: Name
    timing: Literal["before", "after"] = "after"
    events: list[Literal["insert", "update", "delete", "truncate"]] = Field(min_length=1)
    level: Literal["row", "statement"] = "row"
    name: Name | None = None
    # Fire only for rows where this holds, e.g. "new.result = 'granted'".
    when: str | None = None


class TableSpecBase(SpecModel):
    """A table: its tenancy, columns, keys and access; the behaviour construct keys
    (`state_machine`, `guarded_columns`, `validity`, …) join from the construct modules."""

    description: str
    requirements: list[RequirementId] = []
    tenancy: Tenancy
    audit: bool = True
    soft_delete: bool = True
    columns: dict[Name, Column] = Field(min_length=1)
    unique: list[Unique] = []
    checks: dict[Name, Check] = {}
    indexes: list[IndexSpec] = []
    access: AccessSpec = AccessSpec()
    triggers: list[TriggerSpec] = []
    # The table's name in the last release: the next migration renames it, keeping its rows.
    renamed_from: Name | None = None


TableSpec = create_model("TableSpec", __base__=TableSpecBase, __module__=__name__,
                         __doc__=TableSpecBase.__doc__, **spec_fields("table"))  # type: ignore[call-overload]


class ViewSpec(SpecModel):
    """A read-only query; always `security_invoker`, so the caller's RLS applies to it."""

    description: str
    requirements: list[RequirementId] = []
    query: str | None = None
    query_file: str | None = None
    columns: dict[Name, str] = {}  # column descriptions

    @model_validator(mode="after")
    def _one_query(self) -> ViewSpec:
        if (self.query is None) == (self.query_file is None):
            raise ValueError("give exactly one of `query` and `query_file`")
        return self


class AcknowledgementSpec(SpecModel):
    """A change the next release may make on purpose: a table or column dropped with its data
    (`drop: column t.c`), a column's type changed in a way that may lose or refuse values
    (`narrow: column t.c`), or a role reaching more rows (`widen: resident select t`); and why."""

    drop: str | None = Field(
        None, pattern=r"^(table [a-z_][a-z0-9_]*|(column|value) [a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*)$")
    widen: str | None = Field(
        None, pattern=r"^[a-z_][a-z0-9_]* ((select|insert|update|delete|execute) \S+|upload bucket [a-z0-9_-]+)$")
    narrow: str | None = Field(None, pattern=r"^column [a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*$")
    reason: str = Field(min_length=1)

    @model_validator(mode="after")
    def _one_change(self) -> AcknowledgementSpec:
        if [self.drop, self.narrow, self.widen].count(None) != 2:
            raise ValueError("give exactly one of `drop`, `narrow` and `widen`")
        return self


class DomainSpecBase(SpecModel):
    """One spec file: a domain of the product."""

    domain: Name
    title: str
    description: str
    phase: int = Field(ge=1)
    requirements: dict[RequirementId, str] = {}
    # Application roles (`app_metadata.role`) this domain introduces.
    roles: dict[Name, str] = {}
    enums: dict[Name, EnumSpec] = {}
    types: dict[Name, DomainTypeSpec] = {}
    functions: dict[Name, FunctionSpec] = {}
    tables: dict[Name, TableSpec] = {}
    views: dict[Name, ViewSpec] = {}
    # Destructive changes the next release may make (`upoe release` refuses any other).
    acknowledge: list[AcknowledgementSpec] = []


DomainSpec = create_model("DomainSpec", __base__=DomainSpecBase, __module__=__name__,
                          __doc__=DomainSpecBase.__doc__, **spec_fields("domain"))  # type: ignore[call-overload]


def spec_json_schema() -> str:
    """The JSON Schema of one spec file, as editors read it."""
    schema = DomainSpec.model_json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "UPOE domain spec"
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"
