"""What the core patterns (ids, tenancy, audit, soft delete) add to a table spec: the facts
shared by checks and resolve."""

from __future__ import annotations

from .spec import TableSpec
from .vocabulary import AUDIT_COLUMNS, SOFT_DELETE_COLUMN, TENANT_COLUMN_DEFAULT, Tenancy


def tenant_column(table: TableSpec) -> str | None:
    return table.tenancy.column or TENANT_COLUMN_DEFAULT[Tenancy(table.tenancy.kind)]


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
