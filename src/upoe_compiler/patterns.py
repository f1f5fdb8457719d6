"""What each DSL pattern adds to a table: the facts shared by checks and resolve."""

from __future__ import annotations

from .spec import TableSpec

# The column each tenancy compares with the JWT, unless the table names another.
TENANT_COLUMN_DEFAULT = {
    "community": "community_id",
    "organization": "organization_id",
    "user": "user_id",
    "global": None,
}

AUDIT_COLUMNS = ("created_at", "updated_at", "created_by")
SOFT_DELETE_COLUMN = "deleted_at"

# `member` means any signed-in user of the row's tenant; the rest are app_metadata roles.
MEMBER = "member"
PLATFORM_ROLE = "super_admin"

COMMANDS = ("select", "insert", "update", "delete")

# What a table allows when its spec says nothing about a command.
DEFAULT_ACCESS = {
    "community": {"select": [MEMBER], "insert": [MEMBER], "update": [MEMBER], "delete": []},
    "organization": {"select": [MEMBER], "insert": [MEMBER], "update": [MEMBER], "delete": []},
    "user": {"select": [MEMBER], "insert": [MEMBER], "update": [MEMBER], "delete": []},
    "global": {"select": [MEMBER], "insert": [], "update": [], "delete": []},
}

EXTERNAL_TABLES = {"auth.users": ("auth", "users")}

# Defaults that differ on every call: a trigger cannot tell whether a client left them in place.
VOLATILE_FUNCTIONS = ("clock_timestamp", "random", "gen_random_uuid", "generate_uuid_v7", "timeofday",
                      "uuid_generate_v4", "nextval")


def tenant_column(table: TableSpec) -> str | None:
    return table.tenancy.column or TENANT_COLUMN_DEFAULT[table.tenancy.kind]


def added_columns(table: TableSpec) -> list[str]:
    """Columns the patterns add, in table order: id, the tenant key, then audit columns."""
    names = ["id"]
    column = tenant_column(table)
    if column and column not in names:
        names.append(column)
    if table.audit:
        names += list(AUDIT_COLUMNS)
    if table.soft_delete:
        names.append(SOFT_DELETE_COLUMN)
    return names


def all_column_names(table: TableSpec) -> list[str]:
    added = added_columns(table)
    return added + [c for c in table.columns if c not in added]


def stamped_columns(table: TableSpec) -> list[str]:
    """The columns a workflow or `stamps` fills when a value is entered: the database's to write."""
    found: list[str] = []
    machine = table.state_machine
    if machine is not None:
        found += [*machine.stamps.values(), *machine.stamp_actors.values()]
    for values in table.stamps.values():
        for stamp in values.values():
            found += [c for c in (stamp.at, stamp.by) if c]
    return list(dict.fromkeys(found))
