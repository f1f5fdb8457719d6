"""The migration from the last release's model to the current one, over the IR (not SQL text).

The old model is first brought to the names the spec gives now (`renames.py`: tables, columns and
enum values with `renamed_from:`), then both break into PostgreSQL objects under typed identities
and are compared. The migration has phases: renames, prechecks (rows in the way of a change,
named before any DDL runs), drops in the old model's reverse dependency order, then creates and
changes in the new model's order; constraints existing rows must meet are validated in a second
migration. Objects new as a whole render through their own templates; changed tables go column by
column (`columns.py`), enums and domain types value by value (`types.py`); what PostgreSQL cannot
alter in place (views, indexes, keys, triggers, construct objects, functions with a new
signature) is dropped and created again together with what is built on it. Data goes only where
the spec acknowledges it; anything else the differ cannot make safely is a diagnostic naming the
object, never SQL that might be wrong for a live database.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

import jinja2

from ... import ir
from ...errors import Diagnostic
from ...graph import Plan
from ..sql import DROP_TEMPLATES, render_object
from .columns import backfill, column_change, require
from .migration import DATA_HINT, Migration, Pending
from .renames import renamed_columns, with_renamed_tables, with_renamed_values
from .types import domain_changes, enum_changes, of_type

# squawk rules a pending migration may still raise, each with why the compiler keeps it so
# (tests/pipeline/test_squawk.py runs squawk with exactly these excluded and proves each needed).
SQUAWK_WAIVERS = {
    "require-statement-timeout": "validating a large table may take long, and it blocks no one; lock_timeout "
                                 "is set instead, so the migration never waits behind a long transaction",
    "require-concurrent-index-deletion": "the Supabase CLI runs each migration in a transaction, where DROP INDEX "
                                         "CONCURRENTLY cannot run; the lock lasts as long as removing the file",
    "ban-drop-column": "only a column the spec acknowledges (acknowledge: drop column ..., with its reason)",
    "renaming-column": "only a column the spec renames (renamed_from:); upoe plan shows it to the reviewer",
    "renaming-table": "only a table the spec renames (renamed_from:); upoe plan flags it as breaking",
    "renaming-object": "the keys, indexes and policies of a renamed table, named as a fresh build names them, and "
                       "enum values the spec renames (renamed_from:, flagged as breaking)",
    "ban-alter-domain-with-add-constraint": "only a type whose check the spec changes: added NOT VALID, validated "
                                            "in a migration of its own (flagged as a lock)",
    "adding-field-with-default": "a generated column computed anew is added again, which rewrites the table; "
                                 "upoe plan flags the rewrite",
    "ban-drop-generated-expression": "only a column the spec stops generating; it keeps the values it holds",
    "ban-drop-default": "a column of an enum made anew loses its default for the conversion and gets it back "
                        "in the next statement",
    "ban-drop-type": "a type the spec removes, or an enum renamed aside once its columns use the enum made anew",
    "changing-column-type": "only a type the spec changes: a widening PostgreSQL rewrites for is flagged as a "
                            "rewrite, anything that may lose values needs acknowledge: narrow",
    "ban-drop-constraint": "the temporary check that let SET NOT NULL skip its scan, or a changed check that is "
                           "added again (not valid, then validated)",
    "ban-drop-table": "only a table the spec acknowledges (acknowledge: drop table ..., with its reason)",
    "ban-drop-view": "a view changes by being dropped and created again, with the views built on it, in one "
                     "transaction: readers never see it missing",
    "ban-drop-not-null": "only a column the spec makes optional; clients reading it must expect null from then on",
    "prefer-bigint-over-int": "the spec chooses a column's type; upoe does not second-guess a count that fits",
    "ban-drop-function": "a generated trigger function goes and comes back with its trigger in one transaction "
                         "(private, no client calls it); a spec function only when its signature or result changes, "
                         "which create or replace cannot do",
    "constraint-missing-not-valid": "an exclusion, which PostgreSQL cannot add NOT VALID: a precheck names "
                                    "conflicting rows first and upoe plan flags the lock",
    "require-concurrent-index-creation": "the Supabase CLI runs each migration in a transaction, where CREATE INDEX "
                                         "CONCURRENTLY cannot run; upoe plan flags the lock (writes wait while it "
                                         "builds)",
}


def pending_migration(before: ir.Model, plan: Plan, environment: jinja2.Environment
                      ) -> tuple[Pending, list[Diagnostic]]:
    """The migrations taking a database from `before` to the model of `plan`, or a diagnostic
    per change it cannot express."""
    after = _without_released_hints(before, plan.model)
    sql = environment.get_template("sql/changes.sql.j2").module
    out = Migration()
    new = after.pg_objects()
    before = with_renamed_tables(before, after, new, sql, out)
    before = with_renamed_values(before, after, sql, out)
    old = renamed_columns(before.pg_objects(), after, new, sql, out)
    tenancies = {table.name: table for table in before.of_type(ir.Table)}
    for table in after.of_type(ir.Table):
        previous = tenancies.get(table.name)
        if previous and (previous.tenancy, previous.tenant_column) != (table.tenancy, table.tenant_column):
            out.refuse(f"changes the tenancy ({previous.tenancy} by {previous.tenant_column} → {table.tenancy} by "
                       f"{table.tenant_column}) of", ir.Identity(ir.ObjectKind.TABLE, table.schema, table.name),
                       table.position, "its rows would change owner or lose it: make a new table with the new "
                       "tenancy, move the rows in a function of your own, then drop this one (acknowledged)")
    if out.problems:
        return Pending(), out.problems
    changes = ir.compare_objects(old, new)
    if not changes and not out.renames:
        return Pending(), []
    acknowledged = ir.current_acknowledgements(before, after, "acknowledged")
    kept = {obj.key for obj in after.objects}
    touched: dict[str, list[ir.Identity]] = {}
    for identity in (*changes.added, *changes.changed):
        touched.setdefault(new[identity].source, []).append(identity)
    for identity in changes.removed:
        if old[identity].source in kept:
            touched.setdefault(old[identity].source, []).append(identity)
    gone_tables = {i.name for i in changes.removed if i.kind == ir.ObjectKind.TABLE}
    removed_by_source: dict[str, list[ir.Identity]] = {}
    for identity in changes.removed:
        if old[identity].source not in kept:
            removed_by_source.setdefault(old[identity].source, []).append(identity)
    recreated = _recreated(before, after, touched, old, new, out)
    for obj in reversed(before.objects):
        if obj.key in removed_by_source:
            _drop(obj, removed_by_source[obj.key], gone_tables, acknowledged, environment, sql, out)
        elif obj.key in recreated:
            _drop(obj, [], gone_tables, acknowledged, environment, sql, out)
    was = {obj.key: obj for obj in before.objects}
    for obj in after.objects:
        identities = touched.get(obj.key)
        if obj.key in recreated or (identities and all(pg.identity in changes.added for pg in ir.pg_objects(obj))):
            _create(obj, was.get(obj.key), old, environment, sql, out)
            if isinstance(obj, ir.Bucket) and any(i.kind == ir.ObjectKind.BUCKET for i in identities or ()):
                out.creates.append(sql.bucket_settings(obj))
        elif identities:
            _alter(obj, identities, old, new, acknowledged, after, environment, sql, out)
    if out.problems:
        return Pending(), out.problems
    header = "-- generated by upoe-compiler: {} since the last release; do not edit\n\n"
    # A lock the migration cannot get soon fails it instead of queueing every query behind it.
    changes_sql = [sql.lock_timeout(), *out.renames, *out.prechecks, *out.drops, *out.creates]
    files = [header.format("the changes") + "\n\n".join(changes_sql) + "\n"]
    if out.validations:
        files.append(header.format("the existing rows checked against the constraints added")
                     + "\n\n".join([sql.lock_timeout(), *out.validations]) + "\n")
    return Pending(tuple(files), tuple(sorted(out.flags))), []


def _without_released_hints(before: ir.Model, after: ir.Model) -> ir.Model:
    """`after` without the casts and backfills the last release already carried: each is for one
    release, so a later change of the same column never reuses it by accident."""
    stale: dict[str, set[tuple[str, str]]] = {}
    for table, column, hint in ir.released_column_hints(before, after):
        stale.setdefault(table.key, set()).add((column.name, hint))
    if not stale:
        return after

    def fresh(table: ir.Table) -> ir.Table:
        columns = tuple(dataclasses.replace(column, **{hint: None for name, hint in stale[table.key]
                                                       if name == column.name}) for column in table.columns)
        return dataclasses.replace(table, columns=columns)
    return ir.Model(after.domains, tuple(fresh(obj) if isinstance(obj, ir.Table) and obj.key in stale else obj
                                         for obj in after.objects))


# Objects changed by dropping and creating them again: PostgreSQL cannot alter them in place
# (and so are a construct's own objects that it knows how to undo: DROP_TEMPLATES).
RECREATED_WHEN_CHANGED = (ir.View, ir.Index, ir.ForeignKey, ir.Trigger, ir.GeneratedTrigger, ir.Bucket)
# Objects PostgreSQL records as using a function, view or column: they go and come back with it.
DEPENDANTS = (ir.View, ir.Policy, ir.Trigger, ir.Bucket)


def _recreated(before: ir.Model, after: ir.Model, touched: dict[str, list[ir.Identity]],
               old: dict[ir.Identity, ir.PgObject], new: dict[ir.Identity, ir.PgObject], out: Migration) -> set[str]:
    """The keys of objects the migration drops and creates again: changed objects PostgreSQL
    cannot alter (views, indexes, keys, triggers, buckets' policies), functions whose signature or
    result changed or that take or return an enum made anew, and every view, policy, trigger and
    bucket built on one of those or on a table whose column changes type (PostgreSQL will not
    retype a column a policy or view uses)."""
    old_keys = {obj.key: obj for obj in before.objects}
    recreated = set()
    retyped = {key for key, identities in touched.items()
               for identity in identities if identity.kind == ir.ObjectKind.COLUMN
               and identity in old and identity in new
               and _column_type(old[identity]) != _column_type(new[identity])}
    # An enum losing a value is made anew: the columns of that type change type, and the functions
    # taking or returning it are made again.
    shrunk = {f"{identity.schema}.{identity.name}" for identities in touched.values() for identity in identities
              if identity.kind == ir.ObjectKind.TYPE and identity in old and identity in new
              and isinstance(new[identity].definition, tuple) and isinstance(old[identity].definition, tuple)
              and set(old[identity].definition) - set(new[identity].definition)}  # type: ignore[arg-type]
    retyped |= {table.key for table in after.of_type(ir.Table)
                if any(of_type(column.type, shrunk) for column in table.columns)}
    recreated |= {function.key for function in after.of_type(ir.Function) if function.key in old_keys and any(
        of_type(text, shrunk) for text in (function.returns, *(argument.type for argument in function.args)))}
    # Columns whose generation changes are dropped and added again: what PostgreSQL drops with
    # them (indexes, keys on them) is created again.
    regenerated = {(identity.parent, identity.name) for identities in touched.values() for identity in identities
                   if identity.kind == ir.ObjectKind.COLUMN and identity in old and identity in new
                   and _regenerated(old[identity], new[identity])}
    # So are the indexes on a column converted to an enum made anew (a predicate names old labels).
    regenerated |= {(table.name, column.name) for table in after.of_type(ir.Table) for column in table.columns
                    if of_type(column.type, shrunk)}
    for obj in after.objects:
        if obj.key not in old_keys:
            continue
        was = old_keys[obj.key]
        remade = isinstance(obj, RECREATED_WHEN_CHANGED) or type(obj) in DROP_TEMPLATES
        changed = obj.key in touched and ((remade and type(was) is type(obj)) or _new_signature(was, obj))
        on_retyped = (isinstance(obj, DEPENDANTS) and bool(retyped.intersection(obj.depends_on))) or (
            isinstance(obj, ir.Policy | ir.Trigger) and f"table:{obj.schema}.{obj.table}" in retyped)
        on_regenerated = isinstance(obj, ir.Index | ir.ForeignKey) and any(
            table == obj.table and _mentions(obj, column) for table, column in regenerated)
        if changed or on_retyped or on_regenerated:
            recreated.add(obj.key)
    refused: dict[str, ir.DbObject] = {}
    grown = True
    while grown:
        grown = False
        for obj in after.objects:
            if obj.key in recreated or obj.key not in old_keys or not recreated.intersection(obj.depends_on):
                continue
            if isinstance(obj, DEPENDANTS):
                recreated.add(obj.key)
                grown = True
            elif isinstance(obj, ir.Table | ir.Index | ir.ForeignKey) and any(
                    isinstance(old_keys.get(key), ir.Function) for key in recreated.intersection(obj.depends_on)):
                refused[obj.key] = obj
    for key, obj in refused.items():
        out.refuse("changes the signature or result of a function a column, check or index of "
                   f"{getattr(obj, 'name', key)} uses:", ir.Identity(ir.ObjectKind.OTHER, "", key),
                   obj.position, "keep the old function and add one under a new name")
    return recreated


def _column_type(pg: ir.PgObject) -> object:
    """A column's type, and whether it is generated and how: PostgreSQL rebuilds what uses it."""
    definition = pg.definition
    return (definition[0], definition[3]) if isinstance(definition, tuple) else definition


def _regenerated(before: ir.PgObject, after: ir.PgObject) -> bool:
    """Whether a generated column gets another expression (it is dropped and added again)."""
    old_generated, new_generated = before.definition[3], after.definition[3]  # type: ignore[index]
    return None not in (old_generated, new_generated) and old_generated != new_generated


def _mentions(obj: ir.Index | ir.ForeignKey, column: str) -> bool:
    texts = obj.columns if isinstance(obj, ir.ForeignKey) else (*obj.elements, obj.where or "")
    return any(re.search(rf"\b{re.escape(column)}\b", text) for text in texts)


def _counting(counter: ir.Counter) -> tuple[str, ...]:
    """What a counter counts: a change of these recounts the existing rows."""
    return (counter.table, counter.via, counter.counted_new, counter.parent_table, counter.parent_column)


def _new_signature(before: ir.DbObject, after: ir.DbObject) -> bool:
    """Whether a function's argument types or result changed: `create or replace` cannot do that."""
    if not isinstance(before, ir.Function) or not isinstance(after, ir.Function):
        return False
    return (before.signature_types, before.returns) != (after.signature_types, after.returns)


def _create(obj: ir.DbObject, was: ir.DbObject | None, old: dict[ir.Identity, ir.PgObject],
            environment: jinja2.Environment, sql: Any, out: Migration) -> None:
    """An object created as a whole (`was`: its old version, when it is created again); a key or an
    index on a table that already has rows says so, and a counter that counts anew recounts."""
    existing_table = isinstance(obj, ir.ForeignKey | ir.Index) and \
        ir.Identity(ir.ObjectKind.TABLE, obj.schema, obj.table) in old
    online = existing_table and isinstance(obj, ir.ForeignKey)
    if existing_table and isinstance(obj, ir.Index) and obj.unique and all(e.isidentifier() for e in obj.elements):
        out.prechecks.append(sql.require_distinct(obj.schema, obj.table, obj.elements, "unique key"))
    out.creates.append(render_object(environment, obj, online=online))
    if isinstance(obj, ir.Counter) and ir.Identity(ir.ObjectKind.TABLE, "public", obj.parent_table) in old \
            and _counting(obj) != (_counting(was) if isinstance(was, ir.Counter) else None):
        out.creates.append(sql.count_existing(obj))
        out.flag("lock", f"counter {obj.parent_table}.{obj.parent_column}: the existing rows of {obj.parent_table} "
                 "recounted (each updated once)")
    if online:
        out.prechecks.append(sql.require_references(obj))
        out.validations.append(sql.validate(obj.schema, obj.table, obj.name))  # type: ignore[attr-defined]
        out.flag("lock", f"foreign key {obj.name} on {obj.table}: a brief lock, then validated online")
    elif existing_table:
        # CREATE INDEX CONCURRENTLY cannot run inside the migration's transaction.
        out.flag("lock", f"index {obj.name} on {obj.table}: writes wait while it builds")


def _drop(obj: ir.DbObject, identities: list[ir.Identity], gone_tables: set[str], acknowledged: dict[str, str],
          environment: jinja2.Environment, sql: Any, out: Migration) -> None:
    """An object the new model no longer has. Whatever lives on a dropped table goes with it."""
    on_gone_table = getattr(obj, "table", None) in gone_tables
    if isinstance(obj, ir.Table):
        if f"table {obj.name}" in acknowledged:
            out.drops.append(sql.drop_table(obj.schema, obj.name))
            out.flag("destructive", f"table {obj.name} dropped with its rows ({acknowledged[f'table {obj.name}']})")
        else:
            out.refuse("drops", ir.Identity(ir.ObjectKind.TABLE, obj.schema, obj.name), obj.position,
                       "dropping it loses its rows; " + DATA_HINT % f"table {obj.name}")
    elif isinstance(obj, ir.GeneratedTrigger):
        if not on_gone_table:
            out.drops.append(sql.drop_on_table("trigger", obj.table_schema, obj.table, obj.trigger_name))
        out.drops.append(sql.drop_function(obj.schema, obj.function_name, ""))
    elif on_gone_table:
        return
    elif isinstance(obj, ir.Index):
        out.drops.append(sql.drop_named("index", obj.schema, obj.name))
        out.flag("lock", f"index {obj.name} dropped: its table is locked while the index goes")
    elif isinstance(obj, ir.Policy | ir.Trigger):
        kind = "policy" if isinstance(obj, ir.Policy) else "trigger"
        out.drops.append(sql.drop_on_table(kind, obj.schema, obj.table, obj.name))
    elif isinstance(obj, ir.ForeignKey):
        out.drops.append(sql.drop_constraint(obj.schema, obj.table, obj.name))
    elif isinstance(obj, ir.Function):
        out.drops.append(sql.drop_function(obj.schema, obj.name, obj.signature_types))
    elif isinstance(obj, ir.View):
        out.drops.append(sql.drop_named("view", obj.schema, obj.name))
    elif isinstance(obj, ir.Enum | ir.DomainType):
        out.drops.append(sql.drop_named("type" if isinstance(obj, ir.Enum) else "domain", obj.schema, obj.name))
    elif isinstance(obj, ir.Bucket) and not identities:
        # Changed: its policies go and come back; the bucket row (and its files) stays.
        out.drops += [sql.drop_on_table("policy", "storage", "objects", name) for name, _, _ in obj.policies]
    elif type(obj) in DROP_TEMPLATES:
        out.drops.append(environment.get_template(DROP_TEMPLATES[type(obj)]).render(obj=obj).strip("\n"))
    elif isinstance(obj, ir.Bucket):
        out.refuse("removes", ir.Identity(ir.ObjectKind.BUCKET, "storage", obj.name), obj.position,
                   "its files live in Storage, which a migration may not delete: keep the bucket in the spec, or "
                   "empty and delete it through the Storage API first")
    else:
        for identity in identities:
            out.refuse("removes", identity, None)


def _alter(obj: ir.DbObject, identities: list[ir.Identity], old: dict[ir.Identity, ir.PgObject],
           new: dict[ir.Identity, ir.PgObject], acknowledged: dict[str, str], after: ir.Model,
           environment: jinja2.Environment, sql: Any, out: Migration) -> None:
    """An object both models have, changed."""
    kinds = {identity.kind for identity in identities}
    if isinstance(obj, ir.Policy):
        out.drops.append(sql.drop_policy(obj))
        out.creates.append(render_object(environment, obj))
    elif isinstance(obj, ir.Function) and kinds <= {ir.ObjectKind.FUNCTION, ir.ObjectKind.GRANT, ir.ObjectKind.COMMENT}:
        signature = next(pg.identity for pg in ir.pg_objects(obj) if pg.identity.kind == ir.ObjectKind.FUNCTION)
        if signature in old and _returns(old[signature]) != _returns(new[signature]):
            out.refuse("changes the return type of", signature, obj.position)
        else:
            out.creates.append(render_object(environment, obj, verb="create or replace"))
    elif isinstance(obj, ir.Table):
        _table_changes(obj, identities, old, new, acknowledged, sql, out)
    elif isinstance(obj, ir.Enum) and kinds <= {ir.ObjectKind.TYPE, ir.ObjectKind.COMMENT}:
        columns = [(table, column) for table in after.of_type(ir.Table) for column in table.columns
                   if of_type(column.type, {f"{obj.schema}.{obj.name}"})]
        enum_changes(obj, identities, old, new, columns, acknowledged, sql, out)
    elif isinstance(obj, ir.DomainType) and kinds <= {ir.ObjectKind.TYPE, ir.ObjectKind.COMMENT}:
        domain_changes(obj, identities, old, new, sql, out)
    else:
        for identity in identities:
            out.refuse("changes", identity, obj.position)


def _returns(pg: ir.PgObject) -> object:
    definition = pg.definition
    return definition[1] if isinstance(definition, tuple) else definition


def _table_changes(table: ir.Table, identities: list[ir.Identity], old: dict[ir.Identity, ir.PgObject],
                   new: dict[ir.Identity, ir.PgObject], acknowledged: dict[str, str], sql: Any,
                   out: Migration) -> None:
    """Columns added (nullable, or with a default existing rows take) or dropped (acknowledged),
    checks and unique keys dropped, comments changed."""
    columns = {column.name: column for column in table.columns}
    constraints = {c.name: c for c in (*table.checks, *table.unique_constraints, *table.exclusions)}
    dropped_columns = {i.name for i in identities if i.kind == ir.ObjectKind.COLUMN and i not in new}
    new_columns = {i.name for i in identities if i.kind == ir.ObjectKind.COLUMN and i not in old}
    added, commented = [], []
    for identity in identities:
        removed = identity not in new
        if identity.kind == ir.ObjectKind.COLUMN and removed:
            acknowledgement = f"column {table.name}.{identity.name}"
            if acknowledgement in acknowledged:
                out.drops.append(sql.drop_column(table.schema, table.name, identity.name))
                out.flag("destructive", f"column {table.name}.{identity.name} dropped with its values "
                         f"({acknowledged[acknowledgement]})")
            else:
                out.refuse("drops", identity, table.position, "dropping it loses its values; "
                           + DATA_HINT % f"column {table.name}.{identity.name}")
        elif identity.kind == ir.ObjectKind.COLUMN and identity not in old:
            column = columns[identity.name]
            if column.not_null and column.default is None and column.generated is None and column.backfill is None:
                out.refuse("adds a required column without a default or backfill:", identity, table.position,
                           "existing rows would break it: give it a default, or `backfill:` (the value existing "
                           "rows get, SQL over their columns)")
            elif column.not_null and column.default is None and column.generated is None:
                # Added optional, filled, then required the online way (a validated check first).
                added.append(sql.add_column(table, dataclasses.replace(column, not_null=False)))
                added.append(backfill(table, column, sql, out))
                added.append(require(table, column, sql, out))
            else:
                added.append(sql.add_column(table, column))
                if column.default is not None and "(" in column.default:
                    out.flag("rewrite", f"column {table.name}.{column.name} added with the default "
                             f"{column.default}: a volatile one rewrites the table")
        elif identity.kind == ir.ObjectKind.COLUMN:
            column_change(table, columns[identity.name], old[identity].definition, acknowledged, sql, out)
        elif identity.kind == ir.ObjectKind.CONSTRAINT and removed:
            out.drops.append(sql.drop_constraint(table.schema, table.name, identity.name))
        elif identity.kind == ir.ObjectKind.CONSTRAINT and identity.name in constraints:
            # Changed: dropped, then added like a new one (existing rows are checked again).
            if identity in old:
                out.drops.append(sql.drop_constraint(table.schema, table.name, identity.name))
            constraint = constraints[identity.name]
            if constraint in table.checks:
                # Rows can be checked before any DDL only when the columns it reads exist already.
                if not new_columns & set(re.findall(r"\w+", constraint.expression or "")):
                    out.prechecks.append(sql.require_check(table, constraint))
                added.append(sql.add_check(table, constraint))
                out.validations.append(sql.validate(table.schema, table.name, constraint.name))
                out.flag("lock", f"check {constraint.name} on {table.name}: a brief lock, then validated online")
            elif constraint in table.unique_constraints:
                out.prechecks.append(sql.require_distinct(table.schema, table.name, constraint.columns, "unique key"))
                added.append(sql.add_unique(table, constraint))
                out.flag("lock", f"unique key {constraint.name} on {table.name}: writes wait while its index builds")
            else:
                pairs = [tuple(element.rsplit(" with ", 1)) for element in constraint.columns]
                out.prechecks.append(sql.require_no_overlaps(table, constraint, pairs))
                added.append(sql.add_exclusion(table, constraint))
                out.flag("lock", f"exclusion {constraint.name} on {table.name}: writes wait while its index builds")
        elif identity.kind == ir.ObjectKind.GRANT:
            # The role's privileges as the access rules give them now; none when it lost them all.
            privileges = new[identity].definition if not removed else ()
            commented.append(sql.regrant(table, identity.name, privileges))
        elif identity.kind == ir.ObjectKind.COMMENT and not removed:
            commented.append(sql.comment_on(table.schema, identity.name, new[identity].definition))
        elif identity.kind == ir.ObjectKind.COMMENT and identity.name.split(".")[-1] in dropped_columns:
            continue  # goes with its column
        else:
            out.refuse("changes", identity, table.position)
    out.creates += added + commented
