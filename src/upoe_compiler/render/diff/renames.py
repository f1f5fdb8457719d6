"""Renames the spec declares (`renamed_from:` on tables, columns and enum values): the old model
as it stands once they are made, so the differ compares a renamed object with itself, never as a
drop and an add. The rename statements go first in the migration."""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from ... import ir
from ...pgnames import fit_identifier
from .migration import Migration


def with_renamed_tables(before: ir.Model, after: ir.Model, new: dict[ir.Identity, ir.PgObject], sql: Any,
                         out: Migration) -> ir.Model:
    """The old model as it stands once the tables the spec renames (`renamed_from:`) are renamed,
    with their keys, indexes and policies named as a fresh build names them; the renames go first.
    What else differs afterwards (trigger functions named after the table) the differ replaces."""
    old_tables = {table.name for table in before.of_type(ir.Table)}
    renames = {table.renamed_from: table.name for table in after.of_type(ir.Table)
               if table.renamed_from in old_tables and table.name not in old_tables}
    if not renames:
        return before
    new_names = {(identity.kind, identity.name) for identity in new}
    new_keys = {obj.key for obj in after.objects}

    def table_name(name: str) -> str:
        return renames.get(name, name)

    def own_name(kind: ir.ObjectKind, table: str, name: str) -> str:
        """The name a fresh build gives an object named after its table, when it has one."""
        if table not in renames or not name.startswith(f"{table}_"):
            return name
        candidate = fit_identifier(renames[table] + name[len(table):])
        return candidate if (kind, candidate) in new_names else name

    def key(text: str) -> str:
        renamed = text
        for old_name, new_name in renames.items():
            renamed = re.sub(rf"\b{re.escape(old_name)}\b", new_name, renamed)
        return renamed if renamed in new_keys else text

    for old_name, new_name in renames.items():
        out.renames.append(sql.rename_table("public", old_name, new_name))
        out.flag("breaking", f"table {old_name} renamed to {new_name}: clients must use the new name")
    objects: list[ir.DbObject] = []
    for obj in before.objects:
        changes: dict[str, Any] = {"key": key(obj.key), "depends_on": tuple(key(k) for k in obj.depends_on)}
        if isinstance(obj, ir.Table) and obj.name in renames:
            def named(constraint: ir.NamedConstraint, table: str = obj.name) -> ir.NamedConstraint:
                renamed = own_name(ir.ObjectKind.CONSTRAINT, table, constraint.name)
                if renamed != constraint.name:
                    out.renames.append(sql.rename_constraint("public", renames[table], constraint.name, renamed))
                return dataclasses.replace(constraint, name=renamed)
            pkey = obj.primary_key_name
            renamed_pkey = fit_identifier(f"{renames[obj.name]}_pkey")
            out.renames.append(sql.rename_constraint("public", renames[obj.name], pkey, renamed_pkey))
            changes.update(name=renames[obj.name], checks=tuple(map(named, obj.checks)),
                           unique_constraints=tuple(map(named, obj.unique_constraints)),
                           exclusions=tuple(map(named, obj.exclusions)))
        elif isinstance(obj, ir.Index | ir.Policy | ir.ForeignKey) and obj.table in renames:
            kind = {ir.Index: ir.ObjectKind.INDEX, ir.Policy: ir.ObjectKind.POLICY,
                    ir.ForeignKey: ir.ObjectKind.CONSTRAINT}[type(obj)]
            renamed = own_name(kind, obj.table, obj.name)
            if renamed != obj.name:
                out.renames.append(sql.rename_owned(kind, obj.schema, renames[obj.table], obj.name, renamed))
            changes.update(table=renames[obj.table], name=renamed)
        elif isinstance(obj, ir.Trigger | ir.GeneratedTrigger) and obj.table in renames:
            changes.update(table=renames[obj.table])
        if isinstance(obj, ir.ForeignKey):
            changes.update(ref_table=table_name(changes.get("ref_table", obj.ref_table)))
        objects.append(dataclasses.replace(obj, **changes))
    return ir.Model(before.domains, tuple(objects))


def with_renamed_values(before: ir.Model, after: ir.Model, sql: Any, out: Migration) -> ir.Model:
    """The old model as it stands once the enum values the spec renames are renamed (rows holding
    them keep them, under the new label); the renames go first."""
    renamed = {enum.key: enum.renamed_values for enum in after.of_type(ir.Enum) if enum.renamed_values}
    if not renamed:
        return before
    objects: list[ir.DbObject] = []
    for obj in before.objects:
        if isinstance(obj, ir.Enum) and obj.key in renamed:
            labels = dict((was, now) for now, was in renamed[obj.key] if was in obj.values and now not in obj.values)
            for was, now in labels.items():
                out.renames.append(sql.rename_enum_value(obj, was, now))
                out.flag("breaking", f"value {was} of {obj.name} renamed to {now}: clients must use the new value")
            obj = dataclasses.replace(obj, values=tuple(labels.get(value, value) for value in obj.values))
        objects.append(obj)
    return ir.Model(before.domains, tuple(objects))


def renamed_columns(old: dict[ir.Identity, ir.PgObject], after: ir.Model, new: dict[ir.Identity, ir.PgObject],
             sql: Any, out: Migration) -> dict[ir.Identity, ir.PgObject]:
    """The old objects under the names the spec gives them now (`renamed_from:` on a column),
    so that a rename is compared as one object, not as a drop and an add; the renames go first."""
    names: dict[ir.Identity, ir.Identity] = {}
    for table in after.of_type(ir.Table):
        for column in table.columns:
            was = ir.Identity(ir.ObjectKind.COLUMN, table.schema, column.renamed_from or "", table.name)
            now = ir.Identity(ir.ObjectKind.COLUMN, table.schema, column.name, table.name)
            if column.renamed_from and was in old and now not in old and now in new:
                out.renames.append(sql.rename_column(table, column.renamed_from, column))
                out.flag("breaking", f"column {table.name}.{column.renamed_from} renamed to {column.name}: "
                         "clients must use the new name")
                names[was] = now
                comment = f"column {table.name}.{{}}"
                names[ir.Identity(ir.ObjectKind.COMMENT, table.schema, comment.format(column.renamed_from))] = \
                    ir.Identity(ir.ObjectKind.COMMENT, table.schema, comment.format(column.name))
    return {names.get(identity, identity): ir.PgObject(names.get(identity, identity), pg.definition, pg.source)
            for identity, pg in old.items()}
