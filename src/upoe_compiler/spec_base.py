"""The building blocks of spec models: the strict base model, names, shorthands, and the access
rule, which tables and construct modules (buckets) both use."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

Name = Annotated[str, Field(min_length=1)]
# The stable snake_case code a P0001 message starts with (REQUIREMENTS 0.1): unbalanced_transaction.
ErrorName = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
RequirementId = Annotated[str, Field(pattern=r"^[A-Z]+-[0-9]{2,}$")]
ApiRole = Literal["anon", "authenticated", "service_role"]


class SpecModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


def _shorthand(key: str, written: Any) -> BeforeValidator:
    """Accept a bare scalar where a mapping with one main key is expected; `written` is
    what the JSON Schema for editors then allows."""

    def expand(value: Any) -> Any:
        if isinstance(value, str):
            return {key: value}
        return value

    return BeforeValidator(expand, json_schema_input_type=written)


def _list_shorthand(key: str, written: Any) -> BeforeValidator:
    def expand(value: Any) -> Any:
        if isinstance(value, list):
            return {key: value}
        return value

    return BeforeValidator(expand, json_schema_input_type=written)


class MembershipSpec(SpecModel):
    """Rows of a group the caller belongs to, read from a membership table: the row's `via`
    column (its own `id` by default) must be the `key` of a row of `table` the caller owns
    through `own` (a user id column by default, or any ownership path: `resident_id`, `unit_id`),
    optionally only membership rows meeting `where` (written with the membership table's columns)."""

    table: Name
    key: Name
    via: Name = "id"
    own: str = "user_id"
    where: str | None = None


class RuleSpec(SpecModel):
    """One grant of a command: to roles of the tenant, optionally narrowed to rows the
    caller owns through a column (`own`) or by a condition (`where`).

    On an update rule, the updated row must still hold the rule (ownership and `where`) and
    whatever the same roles' insert rules demand of a new row, so an update cannot make a row
    its writer could not have created. `check` states instead what the updated row must hold
    (ownership still applies). `member` narrows the rule to rows of groups the caller belongs to
    (channel members, recipients, participants). `means` says in words what the `where` and `check` demand, for the
    docs' access matrices and role pages ("rows of their units' pets"), where the compiler cannot
    word them itself (a subquery, a function call)."""

    roles: list[Name] = Field(min_length=1)
    own: Name | None = None
    where: str | None = None
    check: str | None = None
    means: str | None = None
    member: MembershipSpec | None = None


def _rule_shorthand(value: Any) -> Any:
    if isinstance(value, str):
        return {"roles": [value]}
    if isinstance(value, list):
        return {"roles": value}
    return value


Rule = Annotated[RuleSpec, BeforeValidator(_rule_shorthand, json_schema_input_type=str | list[str] | RuleSpec)]
