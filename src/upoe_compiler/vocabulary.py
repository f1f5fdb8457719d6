"""The words every stage shares: SQL commands, roles, tenancy kinds, the columns patterns add.

This module imports nothing of the compiler, so the spec, checks, resolve, render and lint
layers all read the same vocabulary without importing each other.
"""

from __future__ import annotations

from enum import StrEnum


class Command(StrEnum):
    SELECT = "select"
    INSERT = "insert"
    UPDATE = "update"
    DELETE = "delete"


COMMANDS: tuple[Command, ...] = tuple(Command)


class Tenancy(StrEnum):
    """Who owns a table's rows, compared with the JWT on every statement."""

    COMMUNITY = "community"
    ORGANIZATION = "organization"
    USER = "user"
    GLOBAL = "global"


# The column each tenancy compares with the JWT, unless the table names another.
TENANT_COLUMN_DEFAULT: dict[Tenancy, str | None] = {
    Tenancy.COMMUNITY: "community_id",
    Tenancy.ORGANIZATION: "organization_id",
    Tenancy.USER: "user_id",
    Tenancy.GLOBAL: None,
}

# The table each tenancy's key references.
TENANT_TABLE: dict[Tenancy, str] = {
    Tenancy.COMMUNITY: "communities",
    Tenancy.ORGANIZATION: "organizations",
    Tenancy.USER: "auth.users",
}

# PostgreSQL roles of the Supabase API; clients are `authenticated` or `anon`, the platform's
# own services are `service_role`.
API_ROLES = ("anon", "authenticated", "service_role")
CLIENT_ROLES = ("authenticated", "anon")

# `member` means any signed-in user of the row's tenant; the rest are app_metadata roles.
MEMBER = "member"
PLATFORM_ROLE = "super_admin"

# The domain of objects every migration needs first (schemas, extensions).
PLATFORM_DOMAIN = ""

CREATED_AT = "created_at"
AUDIT_COLUMNS = (CREATED_AT, "updated_at", "created_by")
SOFT_DELETE_COLUMN = "deleted_at"

# What a table allows when its spec says nothing about a command.
DEFAULT_ACCESS: dict[Tenancy, dict[Command, list[str]]] = {
    kind: {Command.SELECT: [MEMBER],
           Command.INSERT: [] if kind is Tenancy.GLOBAL else [MEMBER],
           Command.UPDATE: [] if kind is Tenancy.GLOBAL else [MEMBER],
           Command.DELETE: []}
    for kind in Tenancy
}

EXTERNAL_TABLES = {"auth.users": ("auth", "users")}

# Defaults that differ on every call: a trigger cannot tell whether a client left them in place.
VOLATILE_FUNCTIONS = ("clock_timestamp", "random", "gen_random_uuid", "generate_uuid_v7", "timeofday",
                      "uuid_generate_v4", "nextval")

# Functions the patterns call; the foundation domain declares them.
PATTERN_FUNCTIONS = {
    "uuid": "generate_uuid_v7",
    "audit": "set_audit_fields",
    "immutable": "prevent_mutation",
    "community": "get_current_community_id",
    "roles": "has_any_role",
    "platform": "is_super_admin",
    "paths": "paths_in_community",
}


def default_roles(tenancy: str, command: str) -> list[str]:
    """The roles a table of this tenancy allows `command` when its spec names none."""
    return DEFAULT_ACCESS[Tenancy(tenancy)][Command(command)]

# The extensions every migration set creates, in schema `extensions` (pgcrypto for digests and
# random bytes, btree_gist for exclusion constraints mixing equality and ranges).
ENABLED_EXTENSIONS = ("pgcrypto", "btree_gist")
