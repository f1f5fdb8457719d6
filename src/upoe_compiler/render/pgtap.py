"""pgTAP tests derived from the spec's intent: who may do what to which rows.

For each domain, a test file makes one row per table in each of two communities (C1 in
O1, C2 in O2; for user tables, one per user), then probes every table as a user of the
owning community, of the other one and as `anon`, once per command, and as the roles
each access rule allows and refuses. Append-only tables and state machines are probed as
`service_role`. Expectations come from the spec (tenancy, access rules, patterns), never
from the generated policy text, so a policy that drifts from its intent fails here.

Fixture rows are written with `session_replication_role = replica` (no triggers and no
foreign-key checks), their references pointing at the fixture rows of the same community.
A column whose sample value breaks a check takes an `example:` in the spec.

Every assertion's description starts with the requirement IDs of the table it probes (a
construct's objects carry their table's), as `[FIN-03, FIN-04] <what it checks>`: the docs'
traceability table and anyone reading `pg_prove`'s output find the requirement a failure breaks.
"""

from __future__ import annotations

import functools
import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

import jinja2

from .. import ir
from ..constructs import CONSTRUCTS
from ..graph import Plan
from ..pgnames import BASE_TYPES, ident, literal, parse_type, quote_text
from ..vocabulary import MEMBER, PLATFORM_ROLE, Tenancy

TESTS_DIR = "supabase/tests"
NAMESPACE = uuid.UUID("8a6f0c0e-3b7d-4f2e-9a51-6f1d1c2b9e47")
COMMUNITIES = (1, 2)
# Triggers of the patterns themselves (audit, append-only), as resolve names them.
PATTERN_TRIGGERS = ("set_audit_fields", "prevent_mutation", "prevent_truncate")
ROLES = ("admin", "manager", "guard", "resident", "accountant", "board_member", "provider_staff")

_SAMPLES = {
    "text": "'sample-{table}-{k}'",
    "character varying": "'sample-{table}-{k}'",
    "citext": "'sample-{table}-{k}'",
    "smallint": "1",
    "integer": "1",
    "bigint": "1",
    "numeric": "1",
    "real": "1",
    "double precision": "1",
    "boolean": "false",
    "date": "'2026-01-0{k}'",
    "time": "'10:00'",
    "timestamptz": "'2026-01-0{k} 12:00+00'",
    "interval": "'1 hour'",
    "jsonb": "'{{}}'",
    "uuid": "'{uuid}'",
    "inet": "'192.0.2.{k}'",
    "bytea": "'\\x00'",
    "regclass": "'public.communities'",
    "tstzrange": "'[2026-01-0{k} 10:00+00, 2026-01-0{k} 11:00+00)'",
    "daterange": "'[2026-01-0{k}, 2026-01-1{k})'",
    "int4range": "'[1, 2)'",
    "numrange": "'[1, 2)'",
}


# Cached: a few identities (community 1, its admin) are asked for thousands of times a compile.
# Typed, since 1 and True are equal keys but write different ids.
@functools.lru_cache(maxsize=1 << 16, typed=True)
def fixed_id(*parts: object) -> str:
    return str(uuid.uuid5(NAMESPACE, ":".join(str(p) for p in parts)))


@dataclass(frozen=True)
class Probe:
    """One statement run as a role, and what its outcome (`rows:N`, `error:SQLSTATE`, or for a
    check or exclusion `error:SQLSTATE:constraint`) must be: `expect` exactly, anything but
    `expect` (`not error:…`), or one of `a|b`."""

    description: str
    db_role: str
    claims: str
    sql: str
    expect: str

    @property
    def assertion(self) -> str:
        if self.expect.startswith("not "):
            return "isnt"
        return "matches" if "|" in self.expect else "is"

    @property
    def expected(self) -> str:
        if self.expect.startswith("not "):
            return self.expect.removeprefix("not ")
        return f"^({self.expect})$" if "|" in self.expect else self.expect


@dataclass
class TestFile:
    domain: str
    users: list[tuple[str, str]] = field(default_factory=list)  # (id, email)
    fixtures: list[str] = field(default_factory=list)
    probes: list[Probe] = field(default_factory=list)


class _Samples:
    """Valid-looking values per column, from types, enums, domain examples and the spec."""

    def __init__(self, model: ir.Model) -> None:
        self.enums = {f"public.{e.name}": e.values for e in model.of_type(ir.Enum)}
        self.domains = {f"public.{d.name}": d for d in model.of_type(ir.DomainType)}

    def value(self, column: ir.Column, table: str, k: int, fresh: bool) -> str:
        if column.example is not None:
            return column.example
        parsed = parse_type(column.type.removeprefix("public."))
        if parsed is None:
            return "null"
        if parsed.array_depth:
            return f"'{{}}'::{column.type}"
        name = parsed.base if parsed.base in BASE_TYPES else f"public.{parsed.base}"
        if name in self.enums:
            return literal(self.enums[name][0])
        if name in self.domains:
            domain = self.domains[name]
            if domain.example is not None:
                return domain.example
            name = parse_type(domain.base_type).base  # type: ignore[union-attr]
        template = _SAMPLES.get(name, "null")
        # Fresh rows (inserted by probes) get other values than the fixtures: unique keys hold.
        n = k + 2 if fresh else k
        return template.format(table=table, k=n, uuid=fixed_id(table, column.name, n))


class ProbeBuilder:
    """Rows, roles and statements for probes: what the core and each construct's `probes` use."""

    def __init__(self, model: ir.Model) -> None:
        self.model = model
        self.tables = {t.name: t for t in model.of_type(ir.Table)}
        self.samples = _Samples(model)
        self.rules = _access_rules(model)
        self.enums = {f"public.{e.name}": e.values for e in model.of_type(ir.Enum)}
        self.bucket_stores = {(s.table, s.path_column): s for b in model.of_type(ir.Bucket) for s in b.stores}
        self._by_table: dict[tuple[type, str], list[ir.DbObject]] = {}
        self._indexed: set[type] = set()
        # A spec's own before-insert trigger may refuse a sample row first, with its own error.
        self.checked_inserts = {t.table for t in model.of_type(ir.Trigger) if t.timing == "before"
                                and "insert" in t.events and t.name not in PATTERN_TRIGGERS}

    # -- what construct probes call --------------------------------------------------------

    probe = Probe
    quote = staticmethod(quote_text)

    def objects(self, kind: type[ir.ObjectT], table: str) -> list[ir.ObjectT]:
        """The objects of a kind (generated triggers, guards) on one table, in model order."""
        if kind not in self._indexed:
            self._indexed.add(kind)
            for obj in self.model.of_type(kind):
                self._by_table.setdefault((kind, getattr(obj, "table", "")), []).append(obj)
        return list(self._by_table.get((kind, table), []))  # type: ignore[arg-type]

    def sample(self, table: ir.Table, column: ir.Column) -> str:
        """A valid-looking value of the column for a client's new row (`null` when none is known)."""
        return self.samples.value(column, table.name, 1, fresh=True)

    def _guarded_columns(self, table: ir.Table) -> set[str]:
        return {column for guard in self.objects(ir.ColumnGuard, table.name)
                for group in guard.groups for column in group.columns}

    def refused(self, table: ir.Table, expected: str) -> str:
        """What a refused insert must give: `expected`, unless the spec's own before-insert trigger
        may refuse the sample row first (then only: no row was written)."""
        return "not rows:1" if table.name in self.checked_inserts else expected

    def may_create_in(self, table: ir.Table, column: str, value: str) -> bool:
        """Whether an API caller may create a row with this value (a workflow starts in its initial states)."""
        return all(value in machine.initial for machine in self.objects(ir.StateMachine, table.name)
                   if machine.column == column and machine.initial)

    def guarded(self, table: ir.Table, column: str) -> bool:
        """Whether clients must leave the column to its default (a guard or a stamp holds it)."""
        return column in self._guarded_columns(table)

    # -- identities ----------------------------------------------------------------------

    @staticmethod
    def community(k: int) -> str:
        return fixed_id("community", k)

    @staticmethod
    def organization(k: int) -> str:
        return fixed_id("organization", k)

    @staticmethod
    def user(role: str, k: int) -> str:
        return fixed_id("user", role, k)

    def claims(self, role: str, k: int) -> str:
        app: dict[str, str] = {"role": role}
        if role != PLATFORM_ROLE:
            app["community_id"] = self.community(k)
        return json.dumps({"sub": self.user(role, k), "role": "authenticated", "app_metadata": app},
                          sort_keys=True)

    @staticmethod
    def extra_row_id(*parts: object) -> str:
        """The id of a fixture row a construct adds (deterministic, like every generated id)."""
        return fixed_id("extra", *parts)

    def table(self, name: str) -> ir.Table:
        return self.tables[name]

    def row_id(self, table: ir.Table, k: int) -> str:
        if table.tenant_column == "id" and table.tenancy == Tenancy.COMMUNITY:
            return self.community(k)
        if table.tenant_column == "id" and table.tenancy == Tenancy.ORGANIZATION:
            return self.organization(k)
        return fixed_id(table.name, k)

    # -- rows ----------------------------------------------------------------------------

    def values(self, table: ir.Table, k: int, fresh: bool = False) -> dict[str, str]:
        """Column → SQL literal for a row of `table` belonging to community (or user) k."""
        values = {"id": quote_text(fixed_id(table.name, k, "new") if fresh else self.row_id(table, k))}
        # A client's new row leaves guarded and stamped columns to their defaults.
        kept = self._guarded_columns(table) if fresh else set()
        for column in table.columns:
            if column.name in values or column.generated is not None or column.name in kept:
                continue
            if column.name == table.tenant_column:
                values[column.name] = quote_text(self._tenant_value(table, k))
            elif column.example is None and column.name in table.storage_path_columns:
                values[column.name] = self._path(table, column, k, values)
            elif (chosen := self._construct_value(table, column, k)) is not None:
                values[column.name] = chosen
            elif column.references:
                values[column.name] = quote_text(self._reference(column.references, k))
            elif column.example is not None or (column.not_null and column.default is None):
                values[column.name] = self.samples.value(column, table.name, k, fresh)
        return values

    def _construct_value(self, table: ir.Table, column: ir.Column, k: int) -> str | None:
        return next((value for construct in CONSTRUCTS
                     if (value := construct.row_value(table, column, k, self)) is not None), None)

    def _path(self, table: ir.Table, column: ir.Column, k: int, values: dict[str, str]) -> str:
        """A storage path in the row's community (X-09): under the folder of the entity row
        the row refers to when a bucket says so, else under the row itself."""
        folder, owner = table.name, values["id"]
        store = self.bucket_stores.get((table.name, column.name))
        if store is not None:
            reference = next((c for c in table.columns if c.references == store.entity), None)
            folder = store.entity
            owner = quote_text(self._reference(store.entity, k)) if reference else values["id"]
        path = f"{self.community(k)}/{folder}/{owner.strip(chr(39))}/sample.bin"
        return f"array[{quote_text(path)}]" if column.type.endswith("[]") else quote_text(path)

    def _tenant_value(self, table: ir.Table, k: int) -> str:
        return {"community": self.community, "organization": self.organization}.get(
            table.tenancy, lambda k: self.user("resident", k))(k)

    def _reference(self, target: str, k: int) -> str:
        if target == "auth.users":
            return self.user("admin", k)
        return self.row_id(self.tables[target], k)

    @staticmethod
    def insert(table: ir.Table, values: dict[str, str]) -> str:
        columns = ", ".join(ident(c) for c in values)
        return f"insert into public.{ident(table.name)} ({columns}) values ({', '.join(values.values())})"

    # -- probes --------------------------------------------------------------------------

    def table_probes(self, table: ir.Table) -> list[Probe]:
        if table.tenancy == Tenancy.GLOBAL:
            return self._global_probes(table)
        probes = [self._anon_probe(table)]
        own_id, other_id = self.row_id(table, 1), self.row_id(table, 2)
        reader = self.member_role(table, "select")
        select = f"select 1 from public.{ident(table.name)} where id = "
        if reader:
            claims = self.claims_for(table, reader, 1)
            probes += [
                Probe(f"{table.name}: {reader} of the owner reads its row", "authenticated", claims,
                      select + quote_text(own_id), "rows:1"),
                Probe(f"{table.name}: {reader} reads no row of another tenant", "authenticated", claims,
                      select + quote_text(other_id), "rows:0"),
            ]
        refused = self._refused_role(table, "select")
        if refused:
            probes.append(Probe(f"{table.name}: {refused} may not read it", "authenticated",
                                self.claims_for(table, refused, 1), select + quote_text(own_id), "rows:0"))
        probes += self._write_probes(table)
        return probes

    def _write_probes(self, table: ir.Table) -> list[Probe]:
        probes = []
        writer = self.member_role(table, "insert")
        if writer:
            claims = self.claims_for(table, writer, 1)
            probes += [
                Probe(f"{table.name}: {writer} may insert into its tenant", "authenticated", claims,
                      self.insert(table, self.values(table, 1, fresh=True)), "not error:42501"),
                Probe(f"{table.name}: {writer} may not insert into another tenant", "authenticated", claims,
                      self.insert(table, self.values(table, 2, fresh=True)), "error:42501"),
            ]
        refused = self._refused_role(table, "insert")
        if refused:
            probes.append(Probe(f"{table.name}: {refused} may not insert", "authenticated",
                                self.claims_for(table, refused, 1),
                                self.insert(table, self.values(table, 1, fresh=True)), "error:42501"))
        update = f"update public.{ident(table.name)} set updated_at = now() where id = "
        # Append-only tables have no update policy; their own probes below cover them.
        updater = None if table.immutable else self.member_role(table, "update")
        if updater and table.audit:
            claims = self.claims_for(table, updater, 1)
            probes += [
                Probe(f"{table.name}: {updater} may update its tenant's row", "authenticated", claims,
                      update + quote_text(self.row_id(table, 1)), "rows:1"),
                Probe(f"{table.name}: {updater} updates no row of another tenant", "authenticated", claims,
                      update + quote_text(self.row_id(table, 2)), "rows:0"),
            ]
        refused = None if table.immutable else self._refused_role(table, "update")
        if refused and table.audit:
            probes.append(Probe(f"{table.name}: {refused} may not update", "authenticated",
                                self.claims_for(table, refused, 1), update + quote_text(self.row_id(table, 1)),
                                "rows:0|error:42501"))
        if not self.rules.get((table.name, "delete")):
            probes.append(Probe(f"{table.name}: clients never hard-delete", "authenticated",
                                self.claims_for(table, "admin", 1),
                                f"delete from public.{ident(table.name)} where id = "
                                + quote_text(self.row_id(table, 1)), "error:42501"))
        probes += self._construct_probes(table)
        return probes

    def _construct_probes(self, table: ir.Table) -> list[Probe]:
        """What each construct on the table must refuse, then what a role may not do inside its own
        tenant with any table: write a row hidden."""
        probes = [probe for construct in CONSTRUCTS for probe in construct.probes(table, self)]
        writer = self.member_role(table, "insert")
        updater = None if table.immutable else self.member_role(table, "update")
        if table.soft_delete:
            hidden = "deleted_at = now()"
            if writer:
                values = {**self.values(table, 1, fresh=True), "deleted_at": "now()"}
                refused = "not rows:1" if table.name in self.checked_inserts else "error:42501"
                probes.append(Probe(f"{table.name}: {writer} may not insert a row already deleted", "authenticated",
                                    self.claims_for(table, writer, 1), self.insert(table, values), refused))
            if updater:
                probes.append(Probe(
                    f"{table.name}: {updater} deletes only through soft_delete_record()", "authenticated",
                    self.claims_for(table, updater, 1),
                    f"update public.{ident(table.name)} set {hidden} where id = {quote_text(self.row_id(table, 1))}",
                    "error:42501"))
        return probes

    def other_value(self, table: ir.Table, column: ir.Column, default: str, role: str,
                    fresh: bool = False) -> str | None:
        """A valid value of the column that differs from its default and, unless the row is
        `fresh` (a new row, which starts from the default), from the fixture row's."""
        fixture = None if fresh else self.values(table, 1).get(column.name)
        values = self.enums.get(column.type)
        if values:
            return next((literal(v) for v in values if literal(v) not in (default, fixture)), None)
        if column.references == "auth.users":
            users = (quote_text(self.user(other, 1)) for other in ROLES if other != role)
            return next(user for user in users if user != fixture)
        if column.references:
            # A new row may point at the referenced table's fixture row; changing the fixture
            # row's reference would need another row of that table.
            reference = quote_text(self._reference(column.references, 1))
            return reference if reference not in (default, fixture) else None
        if column.type == "boolean":
            return "true" if default == "false" else "false"
        if column.type in ("integer", "bigint", "smallint"):
            return "7"
        if column.type == "timestamptz":
            return "'2001-02-03 04:05+00'"
        if column.type == "text":
            # The guard refuses it before any check of the value runs.
            return quote_text(f"other-{column.name}")
        return None

    def _global_probes(self, table: ir.Table) -> list[Probe]:
        claims = self.claims("resident", 1)
        select = f"select 1 from public.{ident(table.name)} where id = "
        return [
            self._anon_probe(table),
            Probe(f"{table.name}: every signed-in user reads the catalogue", "authenticated", claims,
                  select + quote_text(self.row_id(table, 1)), "rows:1"),
            Probe(f"{table.name}: only service_role writes it", "authenticated", self.claims("admin", 1),
                  self.insert(table, self.values(table, 1, fresh=True)), "error:42501"),
        ]

    def _anon_probe(self, table: ir.Table) -> Probe:
        return Probe(f"{table.name}: anon reaches nothing", "anon", json.dumps({"role": "anon"}),
                     f"select 1 from public.{ident(table.name)}", "error:42501")

    def claims_for(self, table: ir.Table, role: str, k: int) -> str:
        if table.tenancy == Tenancy.USER:
            return json.dumps({"sub": self.user("resident", k), "role": "authenticated",
                               "app_metadata": {"community_id": self.community(k), "role": "resident"}},
                              sort_keys=True)
        return self.claims(role, k)

    def member_role(self, table: ir.Table, command: str, excluding: tuple[str, ...] = ()) -> str | None:
        """A community role that a rule of the command allows without conditions; for an
        update, one that may also read every row (PostgreSQL checks the select policy too)."""
        allowed = [role for role in self._unconditional_roles(table, command) if role not in excluding]
        if command == "update":
            allowed = [role for role in allowed if role in self._unconditional_roles(table, "select")]
        return allowed[0] if allowed else None

    def _unconditional_roles(self, table: ir.Table, command: str) -> list[str]:
        allowed: list[str] = []
        for roles, conditional in self.rules.get((table.name, command), []):
            if conditional:
                continue
            named = ["resident", *ROLES] if MEMBER in roles else [r for r in roles if r != PLATFORM_ROLE]
            allowed += [role for role in named if role not in allowed]
        return allowed

    def _refused_role(self, table: ir.Table, command: str) -> str | None:
        """A community role that no rule of the command names (and `member` is not there)."""
        named: set[str] = set()
        for roles, _conditional in self.rules.get((table.name, command), []):
            if MEMBER in roles:
                return None
            named |= set(roles)
        if table.tenancy == Tenancy.USER:
            return None
        return next((role for role in ROLES if role not in named), None)

    # -- files ---------------------------------------------------------------------------

    def fixtures(self, plan: Plan) -> list[str]:
        statements = []
        for migration in plan.migrations:
            for obj in migration.objects:
                if isinstance(obj, ir.Table):
                    for k in COMMUNITIES:
                        statements += [s for construct in CONSTRUCTS for s in construct.fixtures(obj, k, self)]
                        statements.append(self.insert(obj, self.values(obj, k)))
        return statements

    def users(self) -> list[tuple[str, str]]:
        people = [(self.user(role, k), f"{role}{k}@tests.upoe") for role in (*ROLES, PLATFORM_ROLE)
                  for k in COMMUNITIES]
        return sorted(people)


def traced(description: str, requirements: Iterable[str]) -> str:
    """The description led by the requirement IDs, sorted: `[FIN-03, FIN-04] description` (as it is
    when there are none)."""
    ids = sorted(set(requirements))
    return f"[{', '.join(ids)}] {description}" if ids else description


def _access_rules(model: ir.Model) -> dict[tuple[str, str], list[tuple[tuple[str, ...], bool]]]:
    """(table, command) → [(roles, conditional)], read from the resolved tables' intent."""
    rules: dict[tuple[str, str], list[tuple[tuple[str, ...], bool]]] = {}
    for table in model.of_type(ir.Table):
        for command, entries in table.access:
            rules[(table.name, command)] = [(rule.roles, rule.conditional) for rule in entries]
    return rules


def render_tests(model: ir.Model, plan: Plan, environment: jinja2.Environment) -> dict[str, str]:
    builder = ProbeBuilder(model)
    fixtures = builder.fixtures(plan)
    users = builder.users()
    template = environment.get_template("tests/domain.test.sql.j2")
    files = {}
    for migration in plan.migrations:
        tables = [o for o in migration.objects if isinstance(o, ir.Table)]
        if not tables:
            continue
        probes = [replace(probe, description=traced(probe.description, table.requirements))
                  for table in tables for probe in builder.table_probes(table)]
        rls = [(table.name, traced(f"{table.name} has row level security", table.requirements)) for table in tables]
        files[f"{TESTS_DIR}/{migration.number:04d}_{migration.domain.name}.test.sql"] = template.render(
            domain=migration.domain, users=users, fixtures=fixtures, probes=probes, rls_checks=rls,
            plan_count=len(probes) + len(rls))
    return files
