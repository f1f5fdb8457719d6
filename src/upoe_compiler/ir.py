"""The resolved model: plain database objects with every pattern already expanded.

Templates and docs see only these types. Each object has a `key` that is unique in the
whole model, the `domain` whose spec declared it, the keys it `depends_on`, and the
position in the spec that explains it (for diagnostics of later stages; never part of equality).
`Model.pg_objects()` breaks the model into PostgreSQL objects under typed identities
(`Identity`): what a differ compares. Construct modules may declare IR types of their own.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from enum import StrEnum
from functools import cached_property
from typing import Any, TypeVar

from .errors import SourcePosition
from .pgnames import fit_identifier
from .vocabulary import MEMBER, Tenancy


@dataclass(frozen=True)
class DbObject:
    key: str
    domain: str
    depends_on: tuple[str, ...]
    # Where the spec explains the object, for diagnostics; never part of what the object is, so
    # a comment line added to a spec changes no object's equality.
    position: SourcePosition | None = field(compare=False)
    # Objects placed in the latest migration among their dependencies (foreign keys,
    # policies) instead of fixing their own domain's place in the order.
    follows_dependencies: bool = field(default=False, kw_only=True)

    # Rank among objects whose order the graph leaves open: shapes the reading order.
    RANK = 50


@dataclass(frozen=True)
class Schema(DbObject):
    name: str
    description: str
    api_roles: tuple[str, ...]
    private: bool
    RANK = 0


@dataclass(frozen=True)
class Extension(DbObject):
    name: str
    schema: str
    RANK = 1


@dataclass(frozen=True)
class Enum(DbObject):
    schema: str
    name: str
    values: tuple[str, ...]
    description: str
    requirements: tuple[str, ...]
    # (value, its label in the last release): values the next migration renames.
    renamed_values: tuple[tuple[str, str], ...] = ()
    RANK = 2


@dataclass(frozen=True)
class DomainType(DbObject):
    schema: str
    name: str
    base_type: str
    check: str | None
    description: str
    requirements: tuple[str, ...]
    example: str | None = None  # an SQL literal of a valid value
    RANK = 3


@dataclass(frozen=True)
class Argument:
    name: str
    type: str
    default: str | None


@dataclass(frozen=True)
class Function(DbObject):
    schema: str
    name: str
    args: tuple[Argument, ...]
    returns: str
    language: str
    volatility: str
    security_definer: bool
    body: str
    execute_roles: tuple[str, ...]
    description: str
    requirements: tuple[str, ...]
    # Empty: every name in the body must be schema-qualified, so no caller can shadow one.
    search_path: str = ""
    # (server_version_num, body): from that server version on, the migration swaps the body
    # for this one (the server's built-in equivalent).
    native: tuple[int, str] | None = None
    # The application roles its public face lets call it (empty: whoever may execute it).
    callers: tuple[str, ...] = ()
    RANK = 4

    @property
    def signature_types(self) -> str:
        return ", ".join(a.type for a in self.args)


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    not_null: bool
    default: str | None
    generated: str | None
    description: str | None
    requirements: tuple[str, ...] = ()
    references: str | None = None
    example: str | None = None  # an SQL literal of a valid value
    renamed_from: str | None = None  # its name in the last release
    using: str | None = None  # how the next migration casts its old values to a new type
    backfill: str | None = None  # the value the next migration gives rows without one


@dataclass(frozen=True)
class NamedConstraint:
    """A constraint written inside its table: a check (`expression`), a unique key
    (`columns`) or an exclusion (`columns` as `column with operator`, `using`, `where`)."""

    name: str
    expression: str | None = None
    columns: tuple[str, ...] = ()
    using: str | None = None
    where: str | None = None


@dataclass(frozen=True)
class Membership:
    """A rule's group membership: the row's `via` column is the `key` of a row of `table` the
    caller owns through `own`, among the rows meeting `where`."""

    table: str
    key: str
    via: str = "id"
    own: str = "user_id"
    where: str | None = None


@dataclass(frozen=True)
class AccessRule:
    """One rule of the access intent: roles, and the rows it narrows to (`own`, `where`);
    for an update, `check` is what the updated row must hold when the spec says so."""

    roles: tuple[str, ...]
    own: str | None = None
    where: str | None = None
    check: str | None = None
    # The spec's words for what `where` and `check` demand (docs only).
    means: str | None = None
    member: Membership | None = None

    @property
    def conditional(self) -> bool:
        return self.own is not None or self.where is not None or self.member is not None


@dataclass(frozen=True)
class Behaviour:
    """What a construct does to a table, in words: a docs entry (`name`, one-line `summary`,
    `details` one per line)."""

    name: str
    summary: str
    details: tuple[str, ...] = ()


@dataclass(frozen=True)
class ValidityWindow:
    """Rows count from `starts` (always, when None) until `ends` (null: forever)."""

    ends: str
    starts: str | None
    inclusive: bool


@dataclass(frozen=True)
class ConditionalRequirement:
    """While `column` equals `value`, the `require`d columns are set and `check` holds; enforced by
    the check constraint `constraint` of the table."""

    column: str
    value: str
    require: tuple[str, ...]
    check: str | None
    constraint: str


@dataclass(frozen=True)
class Table(DbObject):
    """A table with what is written beside it: constraints, RLS switch, grants, comments."""

    schema: str
    name: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]
    checks: tuple[NamedConstraint, ...]
    unique_constraints: tuple[NamedConstraint, ...]
    exclusions: tuple[NamedConstraint, ...]
    revoke_from: tuple[str, ...]
    grants: tuple[tuple[str, tuple[str, ...]], ...]
    description: str
    requirements: tuple[str, ...]
    tenancy: Tenancy
    tenant_column: str | None
    soft_delete: bool
    audit: bool
    immutable: bool
    row_level_security: bool = True
    renamed_from: str | None = None  # its name in the last release
    # The access intent, for generated tests, docs and lint: per command, its rules.
    access: tuple[tuple[str, tuple[AccessRule, ...]], ...] = ()
    # Clients sync it incrementally: (tenant, updated_at) is indexed.
    synced: bool = False
    # Facts the constructs derived, so consumers never recompute them from names or SQL.
    validity: ValidityWindow | None = None
    storage_path_columns: tuple[str, ...] = ()
    conditions: tuple[ConditionalRequirement, ...] = ()
    # What each construct does to the table, in words, in construct order.
    behaviours: tuple[Behaviour, ...] = ()
    RANK = 5

    def rules(self, command: str) -> tuple[AccessRule, ...]:
        return dict(self.access).get(command, ())

    @property
    def primary_key_name(self) -> str:
        return fit_identifier(f"{self.name}_pkey")

    @property
    def comment(self) -> str:
        return with_requirements(self.description, self.requirements)


@dataclass(frozen=True)
class View(DbObject):
    schema: str
    name: str
    query: str
    description: str
    requirements: tuple[str, ...]
    column_comments: tuple[tuple[str, str], ...]
    grants: tuple[tuple[str, tuple[str, ...]], ...]
    revoke_from: tuple[str, ...]
    # The caller's privileges and RLS apply to what the view reads, never its owner's.
    security_invoker: bool = True
    RANK = 10

    @property
    def comment(self) -> str:
        return with_requirements(self.description, self.requirements)


@dataclass(frozen=True)
class ForeignKey(DbObject):
    schema: str
    table: str
    name: str
    columns: tuple[str, ...]
    ref_schema: str
    ref_table: str
    ref_columns: tuple[str, ...]
    on_delete: str
    set_null_columns: tuple[str, ...]
    RANK = 7


@dataclass(frozen=True)
class Index(DbObject):
    schema: str
    table: str
    name: str
    elements: tuple[str, ...]
    using: str
    unique: bool
    where: str | None
    RANK = 8


@dataclass(frozen=True)
class Trigger(DbObject):
    schema: str
    table: str
    name: str
    timing: str
    events: tuple[str, ...]
    level: str
    function: str
    when: str | None = None
    RANK = 9


@dataclass(frozen=True)
class Policy(DbObject):
    schema: str
    table: str
    name: str
    command: str
    roles: tuple[str, ...]
    using: str | None
    with_check: str | None
    # The access rules of the spec this policy compiles, as typed data.
    rules: tuple[AccessRule, ...] = ()
    RANK = 11


@dataclass(frozen=True)
class GeneratedTrigger(DbObject):
    """A trigger function the compiler writes, in `schema` (private), and the trigger that calls
    it on `table_schema.table`. Every behaviour construct's trigger is one, so docs, lint and
    tests find them all in one place."""

    schema: str
    table: str
    function_name: str = field(kw_only=True)
    trigger_name: str = field(kw_only=True)
    timing: str = field(default="before", kw_only=True)
    events: tuple[str, ...] = field(default=("insert", "update"), kw_only=True)
    level: str = field(default="row", kw_only=True)
    # Definer only where the writer of a row may lack a right the trigger needs (counters).
    security: str = field(default="invoker", kw_only=True)
    search_path: str = field(default="", kw_only=True)
    table_schema: str = field(default="public", kw_only=True)
    requirements: tuple[str, ...] = field(default=(), kw_only=True)  # those of the table it serves
    # A constraint trigger checked at commit (`deferrable initially deferred`; after, for each row),
    # for rules over several rows of one transaction, such as balanced ledger entries.
    deferred: bool = field(default=False, kw_only=True)
    RANK = 9

    def __post_init__(self) -> None:
        if self.deferred and (self.timing != "after" or self.level != "row"):
            raise ValueError(f"{self.key}: a deferred constraint trigger runs after, for each row")

    @property
    def function(self) -> str:
        return f"{self.schema}.{self.function_name}"

    @property
    def summary(self) -> str:
        """The trigger in one line, as the docs list it."""
        deferred = ", deferred to commit" if self.deferred else ""
        return (f"{self.trigger_name}: {self.timing} {' or '.join(self.events)} for each {self.level}{deferred}, "
                f"{self.function}()")


@dataclass(frozen=True)
class StateMachine(GeneratedTrigger):
    """A status column's allowed transitions, enforced and stamped by a generated trigger."""

    column: str
    transitions: tuple[tuple[str, str], ...]
    on_entry: tuple[tuple[str, tuple[tuple[str, str], ...]], ...]  # state → (column, value) pairs
    # The states API callers may create rows in (empty for stamps without a workflow).
    initial: tuple[str, ...] = ()

    @property
    def moves(self) -> tuple[str, ...]:
        return tuple(f"{source}>{target}" for source, target in self.transitions)


@dataclass(frozen=True)
class GuardGroup:
    """Columns only `roles` (none: only the platform) may set: other API callers insert
    them as `defaults` (SQL of the column defaults, `null` when none) and never change them."""

    columns: tuple[str, ...]
    defaults: tuple[str, ...]
    roles: tuple[str, ...]
    role_check: str | None  # SQL true for the roles; None when no role may
    message: str


@dataclass(frozen=True)
class ColumnGuard(GeneratedTrigger):
    """Columns of a table that API callers may set only with certain roles: guarded columns,
    the stamps of workflows, who-did-it columns."""

    groups: tuple[GuardGroup, ...]


@dataclass(frozen=True)
class Normalizer(GeneratedTrigger):
    """Columns whose written values a trigger replaces by a normal form."""

    assignments: tuple[tuple[str, str], ...]  # (column, expression of new values)


@dataclass(frozen=True)
class Counter(GeneratedTrigger):
    """A parent's column kept equal to the number of its active, matching child rows by a
    security-definer trigger on the child table (`table`; the caller may not update the parent)."""

    parent_table: str
    parent_column: str
    via: str
    counted_old: str  # whether the old child row counted, as SQL
    counted_new: str


@dataclass(frozen=True)
class BucketStore:
    """One table of a bucket: its `path_column` stores the paths of objects under `entity` folders."""

    table: str
    path_column: str
    entity: str
    upload: tuple[AccessRule, ...] = ()  # who may upload into an entity's folder


@dataclass(frozen=True)
class Bucket(DbObject):
    """A private Storage bucket and its policies on storage.objects."""

    name: str
    description: str
    file_size_limit: int | None
    allowed_mime_types: tuple[str, ...]
    policies: tuple[tuple[str, str, str], ...]  # (name, command, condition)
    stores: tuple[BucketStore, ...] = ()  # the tables whose rows store its objects' paths
    facts: tuple[Behaviour, ...] = ()  # what the bucket does, in words, for the docs
    requirements: tuple[str, ...] = ()
    RANK = 11

    @staticmethod
    def upgrade_written(data: dict[str, Any]) -> dict[str, Any]:
        """A manifest (a release's model snapshot) written when a bucket had one table names that
        table's fields on the bucket itself: they read as its one store."""
        legacy = ("table", "path_column", "entity", "upload")
        if "stores" in data or "table" not in data:
            return data
        store = {key: data[key] for key in legacy if key in data}
        return {**{key: value for key, value in data.items() if key not in legacy}, "stores": [store]}


def current_acknowledgements(before: Model, after: Model, kind: str) -> dict[str, str]:
    """The acknowledgements (`acknowledged` or `widenings`) of `after`'s domains that count for
    the next release: one the last release already carried was for that release, so a change made
    later is never acknowledged in advance."""
    released = {item for domain in before.domains for item in getattr(domain, kind)}
    return dict(item for domain in after.domains for item in getattr(domain, kind) if item not in released)


def stale_acknowledgements(before: Model, after: Model) -> list[str]:
    """Acknowledgements, casts (`using:`) and backfills the last release already carried: they no
    longer count and may go."""
    released = {(kind, item) for domain in before.domains for kind in ("acknowledged", "widenings")
                for item in getattr(domain, kind)}
    stale = {f"{domain.source_file}: {text}" for domain in after.domains
             for kind in ("acknowledged", "widenings") for text, reason in getattr(domain, kind)
             if (kind, (text, reason)) in released}
    files = {domain.name: domain.source_file for domain in after.domains}
    stale |= {f"{files.get(table.domain, table.domain)}: {hint} of {table.name}.{column.name}"
              for table, column, hint in released_column_hints(before, after)}
    return sorted(stale)


def released_column_hints(before: Model, after: Model) -> list[tuple[Table, Column, str]]:
    """The `using:` and `backfill:` of `after`'s columns that the last release already carried
    (same column, same text): they were for that release and no longer count."""
    old = {(table.name, column.name): column for table in before.of_type(Table) for column in table.columns}
    found = []
    for table in after.of_type(Table):
        for column in table.columns:
            was = old.get((table.name, column.name)) or old.get((table.name, column.renamed_from or ""))
            for hint in ("using", "backfill"):
                text = getattr(column, hint)
                if was is not None and text is not None and text == getattr(was, hint):
                    found.append((table, column, hint))
    return found


def with_requirements(description: str, requirements: tuple[str, ...]) -> str:
    if not requirements:
        return description.strip()
    return f"{description.strip()} Requirements: {', '.join(requirements)}."


@dataclass(frozen=True)
class DomainInfo:
    name: str
    title: str
    description: str
    phase: int
    requirements: tuple[tuple[str, str], ...]
    source_file: str
    roles: tuple[tuple[str, str], ...] = ()  # application roles this domain introduces, with their meaning
    # (`table t` | `column t.c` | `narrow column t.c`, reason): data the next release may drop
    # or values a type change may lose.
    acknowledged: tuple[tuple[str, str], ...] = ()
    # (`role command subject`, reason): access the next release may widen.
    widenings: tuple[tuple[str, str], ...] = ()


ObjectT = TypeVar("ObjectT", bound=DbObject)


@dataclass(frozen=True)
class Model:
    domains: tuple[DomainInfo, ...]
    objects: tuple[DbObject, ...]

    @cached_property
    def application_roles(self) -> tuple[str, ...]:
        """The app_metadata roles: as the domains declare them (by phase), then any a rule names
        without a declaration (`member` is no role but every user of the tenant)."""
        domains = sorted(self.domains, key=lambda domain: (domain.phase, domain.name))
        declared = [role for domain in domains for role, _ in domain.roles]
        named = [role for table in self.of_type(Table) for _, rules in table.access
                 for rule in rules for role in rule.roles if role != MEMBER]
        return tuple(dict.fromkeys([*declared, *named]))

    def pg_objects(self) -> dict[Identity, PgObject]:
        """Every PostgreSQL object the model creates, by identity: what a differ compares."""
        found: dict[Identity, PgObject] = {}
        for obj in self.objects:
            for pg_object in pg_objects(obj):
                if pg_object.identity in found:
                    raise ValueError(f"{pg_object.identity} is created by both {found[pg_object.identity].source} "
                                     f"and {obj.key}")
                found[pg_object.identity] = pg_object
        return found

    def of_type(self, kind: type[ObjectT]) -> list[ObjectT]:
        """The objects of a type or of its subtypes, in model order."""
        return [o for o in self._by_type.get(kind, ()) if isinstance(o, kind)]

    @cached_property
    def _by_type(self) -> dict[type, list[DbObject]]:
        """Objects by each IR type they are: the stages ask for one kind at a time, many times."""
        index: dict[type, list[DbObject]] = {}
        for obj in self.objects:
            for kind in type(obj).__mro__:
                if issubclass(kind, DbObject):
                    index.setdefault(kind, []).append(obj)
        return index


# -- PostgreSQL objects, one per identity: what a differ compares ------------------------------


class ObjectKind(StrEnum):
    SCHEMA = "schema"
    EXTENSION = "extension"
    TYPE = "type"
    FUNCTION = "function"
    TABLE = "table"
    COLUMN = "column"
    CONSTRAINT = "constraint"
    INDEX = "index"
    ROW_LEVEL_SECURITY = "row level security"
    POLICY = "policy"
    TRIGGER = "trigger"
    VIEW = "view"
    GRANT = "grant"
    COMMENT = "comment"
    BUCKET = "bucket"
    OTHER = "other"


@dataclass(frozen=True, order=True)
class Identity:
    """What makes a PostgreSQL object the same object from one build to the next: its kind,
    schema and name, and for objects inside another (columns, constraints, triggers, policies,
    grants, comments) the object they belong to. A function's name carries its argument types."""

    kind: ObjectKind
    schema: str
    name: str
    parent: str = ""

    def __str__(self) -> str:
        inside = f"{self.parent}." if self.parent else ""
        return f"{self.kind} {self.schema}.{inside}{self.name}" if self.schema else f"{self.kind} {inside}{self.name}"


@dataclass(frozen=True)
class PgObject:
    """One PostgreSQL object: its identity and its definition (an IR value compared by content),
    and the IR object it was compiled from."""

    identity: Identity
    definition: object
    source: str  # the key of the IR object


@dataclass(frozen=True)
class ModelChanges:
    """What differs between two models, object by object: the ground a migration differ plans on."""

    added: tuple[Identity, ...]
    removed: tuple[Identity, ...]
    changed: tuple[Identity, ...]

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.changed)


def compare(before: Model, after: Model) -> ModelChanges:
    """The PostgreSQL objects `after` adds, removes and defines differently than `before`; where a
    spec wrote an object never counts."""
    return compare_objects(before.pg_objects(), after.pg_objects())


def compare_objects(old: dict[Identity, PgObject], new: dict[Identity, PgObject]) -> ModelChanges:
    """`compare` over objects already broken out by identity."""
    return ModelChanges(
        added=tuple(sorted(new.keys() - old.keys())),
        removed=tuple(sorted(old.keys() - new.keys())),
        changed=tuple(sorted(identity for identity in old.keys() & new.keys()
                             if old[identity].definition != new[identity].definition)))


def _owned(obj: DbObject, kind: ObjectKind, schema: str, name: str, definition: object,
           parent: str = "") -> PgObject:
    return PgObject(Identity(kind, schema, name, parent), definition, obj.key)


def _comment(obj: DbObject, schema: str, target: str, text: str) -> PgObject:
    """The comment on `target` (`table units`, `column units.code`, `function f(uuid)`)."""
    return PgObject(Identity(ObjectKind.COMMENT, schema, target), text, obj.key)


def _grants(obj: DbObject, schema: str, target: str, grants: tuple[tuple[str, tuple[str, ...]], ...],
            revoked: tuple[str, ...]) -> list[PgObject]:
    held = dict(grants)
    return [_owned(obj, ObjectKind.GRANT, schema, role, held.get(role, ()), target)
            for role in dict.fromkeys([*revoked, *held])]


def pg_objects(obj: DbObject) -> list[PgObject]:
    """The PostgreSQL objects one IR object creates, each with its identity. An IR type not
    listed here (one a construct module adds) is one object under its key."""
    if isinstance(obj, Schema):
        return [_owned(obj, ObjectKind.SCHEMA, "", obj.name, (obj.api_roles, obj.private)),
                _comment(obj, "", f"schema {obj.name}", obj.description)]
    if isinstance(obj, Extension):
        return [_owned(obj, ObjectKind.EXTENSION, obj.schema, obj.name, obj.name)]
    if isinstance(obj, Enum | DomainType):
        definition = obj.values if isinstance(obj, Enum) else (obj.base_type, obj.check)
        return [_owned(obj, ObjectKind.TYPE, obj.schema, obj.name, definition),
                _comment(obj, obj.schema, f"type {obj.name}", with_requirements(obj.description, obj.requirements))]
    if isinstance(obj, Function):
        name = f"{obj.name}({obj.signature_types})"
        body = (obj.args, obj.returns, obj.language, obj.volatility, obj.security_definer, obj.search_path, obj.body,
                obj.native)
        return [_owned(obj, ObjectKind.FUNCTION, obj.schema, name, body),
                *_grants(obj, obj.schema, name, tuple((role, ("execute",)) for role in obj.execute_roles),
                         ("public", "anon", "authenticated", "service_role")),
                _comment(obj, obj.schema, f"function {name}", with_requirements(obj.description, obj.requirements))]
    if isinstance(obj, Table):
        return _table_objects(obj)
    if isinstance(obj, View):
        return [_owned(obj, ObjectKind.VIEW, obj.schema, obj.name, (obj.query.strip(), obj.security_invoker)),
                *_grants(obj, obj.schema, obj.name, obj.grants, obj.revoke_from),
                _comment(obj, obj.schema, f"view {obj.name}", obj.comment),
                *(_comment(obj, obj.schema, f"column {obj.name}.{column}", text)
                  for column, text in obj.column_comments)]
    if isinstance(obj, ForeignKey):
        return [_owned(obj, ObjectKind.CONSTRAINT, obj.schema, obj.name,
                       (obj.columns, obj.ref_schema, obj.ref_table, obj.ref_columns, obj.on_delete,
                        obj.set_null_columns), obj.table)]
    if isinstance(obj, Index):
        return [_owned(obj, ObjectKind.INDEX, obj.schema, obj.name,
                       (obj.table, obj.elements, obj.using, obj.unique, obj.where))]
    if isinstance(obj, Trigger):
        return [_owned(obj, ObjectKind.TRIGGER, obj.schema, obj.name,
                       (obj.timing, obj.events, obj.level, obj.function, obj.when), obj.table)]
    if isinstance(obj, Policy):
        return [_owned(obj, ObjectKind.POLICY, obj.schema, obj.name,
                       (obj.command, obj.roles, obj.using, obj.with_check), obj.table)]
    if isinstance(obj, GeneratedTrigger):
        # The function's definition is everything the template reads from the object.
        definition = tuple((f.name, getattr(obj, f.name)) for f in fields(obj)
                           if f.name not in ("key", "domain", "depends_on", "position", "follows_dependencies"))
        return [_owned(obj, ObjectKind.FUNCTION, obj.schema, f"{obj.function_name}()", definition),
                _owned(obj, ObjectKind.TRIGGER, obj.table_schema, obj.trigger_name,
                       (obj.timing, obj.events, obj.level, obj.function), obj.table)]
    if isinstance(obj, Bucket):
        return [_owned(obj, ObjectKind.BUCKET, "storage", obj.name,
                       (obj.file_size_limit, obj.allowed_mime_types)),
                *(_owned(obj, ObjectKind.POLICY, "storage", name, (command, condition), "objects")
                  for name, command, condition in obj.policies)]
    definition = tuple((f.name, getattr(obj, f.name)) for f in fields(obj) if f.compare)
    return [_owned(obj, ObjectKind.OTHER, "", obj.key, definition)]


def _table_objects(table: Table) -> list[PgObject]:
    schema, name = table.schema, table.name
    found = [_owned(table, ObjectKind.TABLE, schema, name, table.primary_key),
             _owned(table, ObjectKind.ROW_LEVEL_SECURITY, schema, name, table.row_level_security),
             _owned(table, ObjectKind.CONSTRAINT, schema, table.primary_key_name, ("primary key", table.primary_key),
                    name),
             *_grants(table, schema, name, table.grants, table.revoke_from),
             _comment(table, schema, f"table {name}", table.comment)]
    for column in table.columns:
        found.append(_owned(table, ObjectKind.COLUMN, schema, column.name,
                            (column.type, column.not_null, column.default, column.generated), name))
        if column.description:
            found.append(_comment(table, schema, f"column {name}.{column.name}",
                                  with_requirements(column.description, column.requirements)))
    for constraint in (*table.checks, *table.unique_constraints, *table.exclusions):
        found.append(_owned(table, ObjectKind.CONSTRAINT, schema, constraint.name, constraint, name))
    return found


# IR types declared outside this module, by construct modules (see constructs/base.py).
DECLARED_ELSEWHERE: set[type[DbObject]] = set()


def object_types() -> list[type[DbObject]]:
    """Every concrete IR type: the dataclasses of this module deriving from DbObject that no other
    class here derives from, and those construct modules declare."""
    here = [value for value in globals().values()
            if isinstance(value, type) and issubclass(value, DbObject)] + sorted(DECLARED_ELSEWHERE, key=str)
    bases = {base for kind in here for base in kind.__mro__[1:]}
    return sorted({kind for kind in here if kind not in bases}, key=lambda kind: kind.__name__)
