"""The per-table part of resolve: columns, keys, indexes, the core triggers and the access
intent compiled to one policy per command; each construct module expands its part through the
`TableExpansion` it is handed."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import ir
from ..conditions import TRUE, Condition, all_of, any_of, render
from ..constructs import TABLE_CONSTRUCTS, Construct, stamped_columns, withheld_commands
from ..errors import SourcePosition
from ..patterns import all_column_names, tenant_column
from ..pgnames import fit_identifier, ident, literal, parse_type
from ..spec import ColumnSpec, TableSpec
from ..spec_base import RuleSpec
from ..validated import SpecFile
from ..vocabulary import (
    API_ROLES,
    COMMANDS,
    CREATED_AT,
    EXTERNAL_TABLES,
    MEMBER,
    PATTERN_FUNCTIONS,
    PLATFORM_ROLE,
    SOFT_DELETE_COLUMN,
    TENANT_TABLE,
    Tenancy,
    default_roles,
)

if TYPE_CHECKING:
    from .model import Resolver


class TableExpansion:
    """Expands one table spec into its table, keys, indexes, triggers and policies; the
    constructs add theirs through the methods below (`add`, `add_check`, `add_index`, …)."""

    def __init__(self, owner: Resolver, file: SpecFile, name: str, table: TableSpec) -> None:
        self.owner = owner
        self.file = file
        self.name = name
        self.table = table
        self.domain = file.spec.domain
        self.key = f"table:public.{name}"
        self.position = file.at("tables", name)
        self.tenant_column = tenant_column(table)
        self.stamped = stamped_columns(table)
        # Commands a construct withholds (append-only: update, delete) are never granted, whatever a rule says.
        self.withheld = withheld_commands(table)
        self.index_prefixes: list[tuple[str, ...]] = []
        self.checks: list[ir.NamedConstraint] = []
        self.exclusions: list[ir.NamedConstraint] = []
        self.dependencies: set[str] = set()
        # Facts the constructs derive, kept on the IR table.
        self.validity: ir.ValidityWindow | None = None
        self.storage_path_columns: list[str] = []
        self.conditions: list[ir.ConditionalRequirement] = []

    # -- what constructs call ------------------------------------------------------------

    def add(self, obj: ir.DbObject) -> None:
        self.owner.objects.append(obj)

    def at(self, *path: str | int) -> SourcePosition:
        """Where a node of this table's spec was written."""
        return self.file.at("tables", self.name, *path)

    def add_check(self, check: ir.NamedConstraint) -> None:
        self.checks.append(check)

    def add_exclusion(self, exclusion: ir.NamedConstraint) -> None:
        self.exclusions.append(exclusion)

    def depend_on(self, key: str) -> None:
        self.dependencies.add(key)

    def add_index(self, columns: tuple[str, ...], path: tuple[str | int, ...], where: str | None = None) -> None:
        """A plain btree index of the table, named after its columns (`created_at desc` too)."""
        index_name = fit_identifier(f"{self.name}_{'_'.join(c.split()[0] for c in columns)}_idx")
        self.add(ir.Index(
            f"index:public.{index_name}", self.domain, (self.key,), self.at(*path), schema="public",
            table=self.name, name=index_name, elements=columns, using="btree", unique=False, where=where))

    def trigger(self, name: str, timing: str, events: tuple[str, ...], level: str, function: str,
                when: str | None = None) -> None:
        """A trigger of the table calling a spec or foundation function."""
        self.add(ir.Trigger(
            f"trigger:public.{self.name}.{name}", self.domain,
            (self.key, self.owner.function_key(function)), self.position, schema="public", table=self.name,
            name=name, timing=timing, events=events, level=level, function=self.owner.function_ref(function),
            when=when))

    def columns_of(self, table: str) -> list[str]:
        """Every column of a table of the spec, those the patterns add included."""
        return all_column_names(self.owner.tables[table][1])

    def scoped(self, columns: list[str], per_tenant: bool) -> tuple[str, ...]:
        """Columns led by the tenant key when the key makes them unique or selective per tenant."""
        tenant = self.tenant_column
        if per_tenant and tenant and tenant != "id" and self.table.tenancy.kind != Tenancy.USER \
                and tenant not in columns:
            return (tenant, *columns)
        return tuple(columns)

    # -- the table -----------------------------------------------------------------------

    def run(self) -> None:
        columns, deps = self._columns()
        self.checks = self._checks()
        unique_constraints = ()
        if self.name in self.owner.tenant_parents:
            unique_constraints = (ir.NamedConstraint(
                fit_identifier(f"{self.name}_community_id_id_key"), columns=("community_id", "id")),)
            self.index_prefixes.append(("community_id", "id"))
        # The table comes first among its objects; constructs may still add to its statement.
        slot = len(self.owner.objects)
        self._unique_indexes()
        self._spec_indexes()
        self._listing_index()
        emitted: dict[Construct, list[ir.DbObject]] = {}
        for construct in TABLE_CONSTRUCTS:
            start = len(self.owner.objects)
            construct.expand(self)
            emitted[construct] = self.owner.objects[start:]
        for check in self.checks:
            deps |= set(self.owner.refs(check.expression or "", exclude=self.name))
        self._foreign_keys()
        self._triggers()
        behaviours = tuple(behaviour for construct in TABLE_CONSTRUCTS
                           for behaviour in construct.describe(self, emitted[construct]))
        self.owner.objects.insert(slot, ir.Table(
            self.key, self.domain, tuple(sorted((deps | self.dependencies) - {self.key})), self.position,
            schema="public", name=self.name, columns=columns, primary_key=("id",), checks=tuple(self.checks),
            unique_constraints=unique_constraints, exclusions=tuple(self.exclusions), revoke_from=API_ROLES,
            grants=self._grants(),
            description=self.table.description, requirements=tuple(self.table.requirements),
            tenancy=Tenancy(self.table.tenancy.kind), tenant_column=self.tenant_column,
            soft_delete=self.table.soft_delete, audit=self.table.audit, immutable=self.table.immutable,
            access=tuple((command, tuple(_access_rule(rule) for rule in self._rules(command))) for command in COMMANDS),
            synced=self.table.synced, validity=self.validity, storage_path_columns=tuple(self.storage_path_columns),
            conditions=tuple(self.conditions), behaviours=behaviours, renamed_from=self.table.renamed_from))
        self._policies()

    # -- columns -----------------------------------------------------------------------

    def _columns(self) -> tuple[tuple[ir.Column, ...], set[str]]:
        owner = self.owner
        uuid_fn = owner.function_ref(PATTERN_FUNCTIONS["uuid"])
        columns = [ir.Column("id", "uuid", True, f"{uuid_fn}()", None,
                             "Primary key: a UUID v7 from the database, or the id a client made offline.")]
        deps = {owner.function_key(PATTERN_FUNCTIONS["uuid"])}
        kind = self.table.tenancy.kind
        if self.tenant_column and self.tenant_column != "id" and self.tenant_column not in self.table.columns:
            columns.append(self._tenant_column_ir(kind, deps))
        for name, spec in self.table.columns.items():
            columns.append(self._column(name, spec, deps))
        if self.table.audit:
            columns += [
                ir.Column("created_at", "timestamptz", True, "now()", None,
                          "When the row was created; set by set_audit_fields()."),
                ir.Column("updated_at", "timestamptz", True, "now()", None,
                          "When the row last changed; set by set_audit_fields()."),
                ir.Column("created_by", "uuid", False, None, None,
                          "The auth.users id that created the row; set by set_audit_fields()."),
            ]
        if self.table.soft_delete:
            columns.append(ir.Column(SOFT_DELETE_COLUMN, "timestamptz", False, None, None,
                                     "When the row was soft-deleted; null while it is active."))
        return tuple(columns), deps

    def default_of(self, column: str) -> str:
        """The SQL a column takes when an insert leaves it out (`null` when it has no default)."""
        spec = self.table.columns[column]
        if spec.default is not None:
            return _default_literal(spec.default, self.owner.qualify_type(spec.type))
        return spec.default_sql or "null"

    def _tenant_column_ir(self, kind: str, deps: set[str]) -> ir.Column:
        owner = self.owner
        if kind == Tenancy.COMMUNITY:
            deps.add(owner.function_key(PATTERN_FUNCTIONS["community"]))
            return ir.Column(self.tenant_column or "", "uuid", True,
                             f"{owner.function_ref(PATTERN_FUNCTIONS['community'])}()", None,
                             "The community that owns the row; defaults to the caller's current one.",
                             references="communities")
        if kind == Tenancy.USER:
            return ir.Column(self.tenant_column or "", "uuid", True, "auth.uid()", None,
                             "The auth.users id that owns the row; defaults to the caller.",
                             references="auth.users")
        return ir.Column(self.tenant_column or "", "uuid", True, None, None,
                         "The organization that owns the row.", references="organizations")

    def _column(self, name: str, spec: ColumnSpec, deps: set[str]) -> ir.Column:
        sql_type = self.owner.qualify_type(spec.type)
        deps.update(self.owner.refs(spec.type))
        default = _default_literal(spec.default, sql_type) if spec.default is not None else spec.default_sql
        for text in (spec.default_sql, spec.generated, spec.check):
            if text:
                deps.update(self.owner.refs(text, exclude=self.name))
        example = None if spec.example is None else _default_literal(spec.example, sql_type)
        return ir.Column(name, sql_type, spec.required, default, spec.generated, spec.description,
                         tuple(spec.requirements), spec.references, example, spec.renamed_from, spec.using,
                         spec.backfill)

    def _checks(self) -> list[ir.NamedConstraint]:
        checks = []
        for column_name, column in self.table.columns.items():
            if column.check:
                checks.append(ir.NamedConstraint(fit_identifier(f"{self.name}_{column_name}_check"),
                                                 expression=column.check))
        for check_name, check in self.table.checks.items():
            checks.append(ir.NamedConstraint(fit_identifier(f"{self.name}_{check_name}_check"),
                                             expression=check.expression))
        return checks

    # -- keys and indexes ----------------------------------------------------------------

    def _unique_indexes(self) -> None:
        for index, unique in enumerate(self.table.unique):
            columns = self.scoped(list(unique.columns), unique.per_tenant)
            self._unique_index(columns, unique.where, unique.name, ("tables", self.name, "unique", index))
        for column_name, column in self.table.columns.items():
            if column.unique:
                columns = self.scoped([column_name], True)
                self._unique_index(columns, None, None, ("tables", self.name, "columns", column_name))

    def _unique_index(self, columns: tuple[str, ...], where: str | None, name: str | None,
                      path: tuple[str | int, ...]) -> None:
        conditions = [c for c in (where, f"{SOFT_DELETE_COLUMN} is null" if self.table.soft_delete else None)
                      if c]
        index_name = name or fit_identifier(f"{self.name}_{'_'.join(columns)}_key")
        if not conditions:
            # A partial index cannot serve the lookups a foreign key makes.
            self.index_prefixes.append(columns)
        self.add(ir.Index(
            f"index:public.{index_name}", self.domain, (self.key,), self.file.at(*path),
            schema="public", table=self.name, name=index_name, elements=columns, using="btree",
            unique=True, where=" and ".join(f"({c})" if " or " in c else c for c in conditions) or None))

    def _spec_indexes(self) -> None:
        for position, spec in enumerate(self.table.indexes):
            elements = (spec.expression,) if spec.expression else tuple(spec.columns)
            readable = "_".join(c.split()[0] for c in spec.columns) if spec.columns else "expr"
            index_name = spec.name or fit_identifier(f"{self.name}_{readable}_idx")
            if spec.columns and spec.using == "btree" and spec.where is None:
                self.index_prefixes.append(tuple(c.split()[0] for c in spec.columns))
            deps = {self.key, *self.owner.refs(" ".join(elements) + " " + (spec.where or ""), self.name)}
            self.add(ir.Index(
                f"index:public.{index_name}", self.domain, tuple(sorted(deps)),
                self.file.at("tables", self.name, "indexes", position), schema="public", table=self.name,
                name=index_name, elements=elements, using=spec.using, unique=False, where=spec.where))

    def _listing_index(self) -> None:
        """Lists show a tenant's newest rows first, and a policy gates its staff rules on
        created_at (see `_role_gate`): both walk the tenant's rows by (tenant, created_at desc)."""
        columns = self.scoped([f"{CREATED_AT} desc"], True)
        if not self.table.audit or len(columns) < 2:
            return
        if any(prefix[:2] == (columns[0], CREATED_AT) for prefix in self.index_prefixes):
            return
        self.index_prefixes.append((columns[0], CREATED_AT))
        self.add_index(columns, ("tables", self.name))

    def _foreign_keys(self) -> None:
        references: list[tuple[str, str, str, tuple[str | int, ...]]] = []
        for column_name, column in self.table.columns.items():
            if column.references:
                references.append((column_name, column.references, column.on_delete,
                                    ("tables", self.name, "columns", column_name)))
        # Last, so that an index of a composite tenant key already covers the tenant column.
        if self.tenant_column and self.tenant_column != "id" and self.tenant_column not in self.table.columns:
            target = TENANT_TABLE[Tenancy(self.table.tenancy.kind)]
            on_delete = "cascade" if self.table.tenancy.kind == Tenancy.USER else "restrict"
            references.append((self.tenant_column, target, on_delete, ("tables", self.name, "tenancy")))
        for column_name, target, on_delete, path in references:
            self._foreign_key(column_name, target, on_delete, path)

    def _foreign_key(self, column_name: str, target: str, on_delete: str,
                     path: tuple[str | int, ...]) -> None:
        if target in EXTERNAL_TABLES:
            ref_schema, ref_table = EXTERNAL_TABLES[target]
            deps: tuple[str, ...] = (self.key,)
        else:
            ref_schema, ref_table = "public", target
            deps = (self.key, f"table:public.{target}")
        if self.owner.composite_reference(self.table, target):
            columns: tuple[str, ...] = ("community_id", column_name)
            ref_columns: tuple[str, ...] = ("community_id", "id")
        else:
            columns, ref_columns = (column_name,), ("id",)
        name = fit_identifier(f"{self.name}_{column_name}_fkey")
        position = self.file.at(*path)
        self.add(ir.ForeignKey(
            f"fk:public.{self.name}.{name}", self.domain, deps, position, follows_dependencies=True,
            schema="public", table=self.name, name=name, columns=columns, ref_schema=ref_schema,
            ref_table=ref_table, ref_columns=ref_columns, on_delete=on_delete,
            set_null_columns=(column_name,) if on_delete == "set null" and len(columns) > 1 else ()))
        if not any(prefix[: len(columns)] == columns for prefix in self.index_prefixes):
            index_name = fit_identifier(f"{self.name}_{'_'.join(columns)}_idx")
            self.index_prefixes.append(columns)
            self.add(ir.Index(
                f"index:public.{index_name}", self.domain, (self.key,), position, schema="public",
                table=self.name, name=index_name, elements=columns, using="btree", unique=False, where=None))

    # -- triggers ----------------------------------------------------------------------

    def _triggers(self) -> None:
        if self.table.audit:
            self.trigger("set_audit_fields", "before", ("insert", "update"), "row",
                          PATTERN_FUNCTIONS["audit"])
        for spec in self.table.triggers:
            name = spec.name or f"{spec.timing}_{'_'.join(spec.events)}_{spec.function}"
            self.trigger(fit_identifier(name), spec.timing, tuple(spec.events), spec.level, spec.function,
                          spec.when)

    # -- access --------------------------------------------------------------------------

    def _rules(self, command: str) -> list[RuleSpec]:
        """The command's rules, those without a condition merged into one role list."""
        declared = getattr(self.table.access, command)
        if declared is None:
            declared = [RuleSpec(roles=[role]) for role in default_roles(self.table.tenancy.kind, command)]
        plain = [rule for rule in declared if rule.where is None and rule.own is None and rule.member is None]
        roles = list(dict.fromkeys(role for rule in plain for role in rule.roles))
        merged = [RuleSpec(roles=roles)] if roles else []
        return merged + [rule for rule in declared if rule not in plain]

    def _grants(self) -> tuple[tuple[str, tuple[str, ...]], ...]:
        allowed = tuple(c for c in COMMANDS if self._rules(c) and c not in self.withheld)
        grants = [("service_role", ("all",))]
        if allowed:
            grants.insert(0, ("authenticated", allowed))
        return tuple(grants)

    def _policies(self) -> None:
        for command in COMMANDS:
            rules = self._rules(command)
            if not rules or command in self.withheld:
                continue
            condition = self._command_condition(rules, reading=command != "insert")
            # Rows are born active and stay active under the API: only soft_delete_record() and
            # restore_record() (security definer) move deleted_at, so no row is born hidden.
            active = f"{SOFT_DELETE_COLUMN} is null" if self.table.soft_delete else None
            using = None
            if command != "insert":
                using = render(all_of(condition, active) if command in ("select", "update") else condition)
            with_check = None
            if command == "insert":
                with_check = render(all_of(condition, active))
            elif command == "update":
                with_check = render(all_of(self._command_condition(rules, updated=True), active))
            text = " ".join(filter(None, (using, with_check)))
            deps = {self.key, *self.owner.refs(text, exclude=None)}
            name = fit_identifier(f"{self.name}_{command}")
            self.add(ir.Policy(
                f"policy:public.{self.name}.{name}", self.domain, tuple(sorted(deps)),
                self.file.at("tables", self.name, "access", command) if getattr(self.table.access, command)
                else self.position,
                follows_dependencies=True, schema="public", table=self.name, name=name, command=command,
                roles=("authenticated",), using=using, with_check=with_check,
                rules=tuple(_access_rule(rule) for rule in rules)))

    def _command_condition(self, rules: list[RuleSpec], updated: bool = False,
                           reading: bool = False) -> Condition:
        """One policy's condition: the tenant's rows that some rule allows, or any row for
        the platform role. Every part of a rule must hold; any rule may allow.

        With `updated`, the condition an updated row must meet: each rule's ownership and
        `where`, and what the insert rules of its roles demand of a new row (or the rule's own
        `check`), so an update cannot turn a row into one its writer could not have created.

        With `reading` (a `using` clause), rules without ownership beside rules with it check
        their roles through `_role_gate`, so that every part of the `or` can use an index."""
        in_tenant: list[Condition] = []
        platform: list[Condition] = []
        gated = reading and self.table.audit and any(
            rule.own or rule.member for rule in rules if any(role != PLATFORM_ROLE for role in rule.roles))
        for rule in rules:
            # Parenthesised: a condition written with `or` must not leak out of its rule.
            where = f"({rule.where})" if rule.where else None
            if updated and rule.check:
                where = f"({rule.check})"
            if PLATFORM_ROLE in rule.roles:
                platform.append(all_of(f"(select {self.owner.function_ref(PATTERN_FUNCTIONS['platform'])}())",
                                       where))
            roles = [r for r in rule.roles if r != PLATFORM_ROLE]
            if not roles:
                continue
            owned = self._owned(rule)
            if not updated or rule.check:
                role = self._role_gate(roles) if gated and owned is None else self.owner.role_check(roles)
                in_tenant.append(all_of(role, owned, where))
                continue
            # Roles whose insert rules differ get a part each: one rule may name several roles.
            by_insert: dict[str, tuple[list[str], Condition | None]] = {}
            for role in roles:
                created = self._insert_condition(role)
                by_insert.setdefault(render(created) if created else "", ([], created))[0].append(role)
            for group, created in by_insert.values():
                in_tenant.append(all_of(self.owner.role_check(group), owned, where, created))
        tenant = all_of(self._tenant_condition(), any_of(*in_tenant)) if in_tenant else None
        return any_of(tenant, *platform)

    def _owned(self, rule: RuleSpec) -> Condition | None:
        """The rows a rule narrows to by ownership (`own`) and group membership (`member`)."""
        owned = all_of(self.owner.ownership_condition(self.name, rule.own) if rule.own else None,
                       self.owner.membership_condition(self.name, rule.member) if rule.member else None)
        return None if owned == TRUE else owned

    def _role_gate(self, roles: list[str]) -> str | None:
        """The role check of a rule that owns nothing, written as a range on created_at: from
        -infinity for a holder of the roles, from null (no row) for anyone else. Beside an
        ownership rule a bare `(select has_any_role(...))` is a part of the `or` no index can
        answer, so the planner reads every row of the tenant for a resident's own rows; with
        the gate each part is an index condition (a BitmapOr), and the planner still expects
        the staff part to match many rows, so staff lists keep walking the (tenant,
        created_at) or declared ordering index in order."""
        check = self.owner.role_check(roles)
        if check is None:
            return None
        return f"{CREATED_AT} >= case when {check} then '-infinity'::timestamptz end"

    def _insert_condition(self, role: str) -> Condition | None:
        """What a row `role` inserts must meet beyond its tenant: any of its insert rules'
        ownership and `where`; None when no insert rule names the role (then nothing is inherited)."""
        parts: list[Condition] = []
        for rule in self._rules("insert"):
            if role in rule.roles or MEMBER in rule.roles:
                parts.append(all_of(self._owned(rule), f"({rule.where})" if rule.where else None))
        return any_of(*parts) if parts else None

    def _tenant_condition(self) -> str | None:
        column = ident(self.tenant_column) if self.tenant_column else None
        kind = self.table.tenancy.kind
        community = f"(select {self.owner.function_ref(PATTERN_FUNCTIONS['community'])}())"
        if kind == Tenancy.COMMUNITY:
            return f"{column} = {community}"
        if kind == Tenancy.ORGANIZATION:
            return (f"{column} = (select c.organization_id from public.communities c "
                    f"where c.id = {community})")
        if kind == Tenancy.USER:
            return f"{column} = (select auth.uid())"
        return None


def _access_rule(rule: RuleSpec) -> ir.AccessRule:
    member = None if rule.member is None else ir.Membership(**rule.member.model_dump())
    return ir.AccessRule(tuple(rule.roles), rule.own, rule.where, rule.check, rule.means, member)


def _default_literal(value: object, sql_type: str) -> str:
    parsed = parse_type(sql_type)
    if isinstance(value, list) and parsed is not None and parsed.array_depth:
        return f"array[{', '.join(literal(v) for v in value)}]::{sql_type}"
    if isinstance(value, dict | list):
        return f"{literal(value)}::jsonb"
    return literal(value)
