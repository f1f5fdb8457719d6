"""The pages of the site, from the model and the plan."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import jinja2

from ... import ir
from ...graph import MigrationPlan, Plan
from ...requirement_tags import RequirementTag
from ...vocabulary import COMMANDS
from ..pgtap import TESTS_DIR
from ..sql import MIGRATIONS_DIR, TEMPLATES
from .access import AccessReader
from .erd import domain_erd
from .navigation import navigation_files
from .pages import (
    ANON,
    DOCS_DIR,
    SERVICE_ROLE,
    TEMPLATE_NAMES,
    BucketDoc,
    ColumnDoc,
    DomainSummary,
    EnumDoc,
    FunctionDoc,
    IndexDoc,
    Link,
    Pattern,
    PolicyDoc,
    Reference,
    RoleDoc,
    TableDoc,
    TraceRow,
    TypeDoc,
    ViewDoc,
    _display_type,
    anchor,
    page_of,
    requirement_anchor,
    role_page,
)
from .roles import role_pages

# -- the site -------------------------------------------------------------------------------------

_TENANCY = {
    "community": "community: each row belongs to one community ({column}); users reach the rows of their "
                 "current community (JWT app_metadata)",
    "organization": "organization: each row belongs to an organization ({column}); users reach the rows of "
                    "the organization their current community belongs to",
    "user": "user: each row belongs to one user ({column}); users reach only their own rows",
    "global": "global: a catalogue every signed-in user reads; only service_role writes it",
}

_CARRIER_KINDS = ("tables", "columns", "enums", "types", "functions", "views", "buckets")
# The requirement IDs leading a generated pgTAP assertion's description: '[FIN-03, FIN-04] …'.
_TRACED_ASSERTION = re.compile(r"'\[([A-Z]+-[0-9]+(?:, [A-Z]+-[0-9]+)*)\] ")


class _Site:
    def __init__(self, model: ir.Model, plan: Plan, environment: jinja2.Environment, pgtap: Mapping[str, str],
                 tags: Sequence[RequirementTag], docs_dir: Path | None,
                 created_in: Mapping[str, str] | None) -> None:
        for name in TEMPLATE_NAMES:
            # Escaping HTML is the environment's job: it must see these names as HTML.
            setting = environment.autoescape
            if not (setting(name) if callable(setting) else setting):
                raise RuntimeError(f"the Jinja environment does not autoescape {name}")
        self.model = model
        self.environment = environment
        self._by_table: dict[type, dict[str | None, list[ir.DbObject]]] = {}
        self.migrations = list(plan.migrations)
        # The migration file creating each object: the per-domain file, unless releases say otherwise.
        self.file_of = dict(created_in) if created_in is not None else {
            obj.key: m.file_name for m in self.migrations for obj in m.objects}
        self.domains = [m.domain for m in self.migrations]
        self.tables = {t.name: t for t in model.of_type(ir.Table)}
        self.roles = self._roles()
        self.href_of = {name: f"{page_of(t.domain)}#{anchor('table', name)}" for name, t in self.tables.items()}
        self.access = AccessReader.of(model)
        self.pgtap, self.tags, self.docs_dir = pgtap, tags, docs_dir

    # -- shared pieces --------------------------------------------------------------------------

    def _roles(self) -> tuple[str, ...]:
        """The access matrix's columns: anon, the application roles, service_role."""
        return (ANON, *(r for r in self.model.application_roles if r not in (ANON, SERVICE_ROLE)), SERVICE_ROLE)

    def nav(self, current: str | None) -> tuple[Link, ...]:
        """The domains, then the role pages (`current`: the page's domain or role)."""
        roles = (Link(role, role_page(role), role == current, "Roles") for role in self.roles[1:-1])
        return (*(Link(d.title, page_of(d.name), d.name == current) for d in self.domains), *roles)

    @staticmethod
    def requirement_links(requirements: Iterable[str]) -> tuple[Link, ...]:
        return tuple(Link(r, f"index.html#{requirement_anchor(r)}") for r in requirements)

    def objects_of(self, domain: str, kind: type[ir.ObjectT]) -> list[ir.ObjectT]:
        return [o for o in self.model.of_type(kind) if o.domain == domain]

    def of_table(self, kind: type[ir.ObjectT], table: str) -> list[ir.ObjectT]:
        by_table = self._by_table.setdefault(kind, {})
        if not by_table:
            for obj in self.model.of_type(kind):
                by_table.setdefault(getattr(obj, "table", None), []).append(obj)
        return list(by_table.get(table, ()))

    def sql(self, obj: ir.DbObject) -> str:
        return self.environment.get_template(TEMPLATES[type(obj)]).render(obj=obj).strip("\n")

    def table_link(self, name: str, here: str) -> Link:
        href = self.href_of.get(name)
        if href is None:
            return Link(name)
        page, _, fragment = href.partition("#")
        return Link(name, f"#{fragment}" if page == page_of(here) else href)

    @staticmethod
    def test_file(migration: MigrationPlan) -> str:
        """The pgTAP file render_tests writes for the domain (only domains with tables get one)."""
        if not any(isinstance(o, ir.Table) for o in migration.objects):
            return ""
        return f"{migration.number:04d}_{migration.domain.name}.test.sql"

    def files_creating(self, migration: MigrationPlan) -> str:
        """The migration file(s) creating a domain's objects: its own file, or after releases the
        released and pending files that brought them."""
        return ", ".join(sorted({self.file_of[obj.key] for obj in migration.objects}))

    # -- the overview ---------------------------------------------------------------------------

    def index(self) -> str:
        summaries = tuple(
            DomainSummary(m.number, Link(m.domain.name, page_of(m.domain.name)), m.domain.title, m.domain.phase,
                          m.domain.description.strip(), len(self.objects_of(m.domain.name, ir.Table)),
                          self.files_creating(m))
            for m in self.migrations)
        roles = tuple(RoleDoc(role, text.strip(), Link(d.title, page_of(d.name)), Link(role, role_page(role)))
                      for d in self.domains for role, text in d.roles)
        return self.environment.get_template("docs/index.html").render(
            nav=self.nav(None), domains=summaries, roles=roles, trace=self.traceability(),
            table_count=len(self.tables))

    def traceability(self) -> tuple[TraceRow, ...]:
        """Each requirement a domain declares, with the objects whose `requirements` name it
        (in spec order, wherever they are declared), the migration files creating them, the
        generated pgTAP files whose assertions name it and the hand-written tests tagged with it."""
        carriers: dict[str, dict[str, list[Link]]] = {}
        migrations: dict[str, set[str]] = {}
        file_of = self.file_of

        def carry(obj: ir.DbObject, requirements: Iterable[str], kind: str, text: str, fragment: str) -> None:
            link = Link(text, f"{page_of(obj.domain)}#{fragment}")
            for requirement in requirements:
                found = carriers.setdefault(requirement, {}).setdefault(kind, [])
                if link not in found:  # a function's public wrapper repeats its private body
                    found.append(link)
                migrations.setdefault(requirement, set()).add(file_of[obj.key])

        for obj in self.model.objects:
            if isinstance(obj, ir.Table):
                carry(obj, obj.requirements, "tables", obj.name, anchor("table", obj.name))
                for column in obj.columns:
                    carry(obj, column.requirements, "columns", f"{obj.name}.{column.name}",
                          anchor("column", obj.name, column.name))
            elif isinstance(obj, ir.Bucket):
                carry(obj, obj.requirements, "buckets", obj.name, anchor("bucket", obj.name))
            elif isinstance(obj, ir.Enum | ir.DomainType | ir.Function | ir.View):
                kind = {ir.Enum: "enums", ir.DomainType: "types", ir.Function: "functions", ir.View: "views"}
                carry(obj, obj.requirements, kind[type(obj)], obj.name, anchor(kind[type(obj)][:-1], obj.name))
        probes = self.traced_assertions()
        rows = []
        for migration in self.migrations:
            domain = migration.domain
            for requirement, title in domain.requirements:
                found = carriers.get(requirement, {})
                rows.append(TraceRow(
                    requirement_anchor(requirement), requirement, title, Link(domain.name, page_of(domain.name)),
                    tuple((kind, tuple(found[kind])) for kind in _CARRIER_KINDS if kind in found),
                    tuple(Link(name, f"../{MIGRATIONS_DIR}/{name}")
                          for name in sorted(migrations.get(requirement, ()))),
                    tuple(Link(f"{name} ({count} assertion{'s' if count > 1 else ''})", f"../{TESTS_DIR}/{name}")
                          for name, count in sorted(probes.get(requirement, {}).items())),
                    tuple(self.test_link(tag) for tag in self.tags if tag.requirement == requirement)))
        return tuple(rows)

    def traced_assertions(self) -> dict[str, dict[str, int]]:
        """requirement → generated pgTAP file → how many of its assertions name the requirement."""
        counts: dict[str, dict[str, int]] = {}
        for path, text in self.pgtap.items():
            name = path.rsplit("/", 1)[-1]
            for ids in _TRACED_ASSERTION.findall(text):
                for requirement in ids.split(", "):
                    in_file = counts.setdefault(requirement, {})
                    in_file[name] = in_file.get(name, 0) + 1
        return counts

    def test_link(self, tag: RequirementTag) -> Link:
        """A tagged test, linked from the docs folder when the site knows where it is written."""
        text = f"{tag.file}::{tag.test}" if tag.test else tag.file
        if self.docs_dir is None:
            return Link(text)
        return Link(text, Path(os.path.relpath(Path(tag.file).resolve(), self.docs_dir.resolve())).as_posix())

    # -- a domain's page ------------------------------------------------------------------------

    def domain_page(self, migration: MigrationPlan) -> str:
        domain = migration.domain
        tables = self.objects_of(domain.name, ir.Table)
        return self.environment.get_template("docs/domain.html").render(
            nav=self.nav(domain.name), domain=domain, number=migration.number, migration=self.files_creating(migration),
            test_file=self.test_file(migration),
            requirements=tuple((Link(r, f"index.html#{requirement_anchor(r)}"), title)
                               for r, title in domain.requirements),
            erd=domain_erd(self.model, domain),
            roles=self.roles,
            tables=tuple(self.table_doc(t) for t in tables),
            enums=tuple(EnumDoc(anchor("enum", e.name), e.name, e.values, e.description.strip(),
                                self.requirement_links(e.requirements))
                        for e in self.objects_of(domain.name, ir.Enum)),
            types=tuple(TypeDoc(anchor("type", t.name), t.name, t.base_type, t.check or "", t.description.strip(),
                                self.requirement_links(t.requirements))
                        for t in self.objects_of(domain.name, ir.DomainType)),
            functions=self.function_docs(domain.name),
            views=tuple(ViewDoc(anchor("view", v.name), f"{v.schema}.{v.name}", v.description.strip(),
                                self.requirement_links(v.requirements), v.column_comments, self.sql(v))
                        for v in self.objects_of(domain.name, ir.View)),
            buckets=tuple(self.bucket_doc(b) for b in self.objects_of(domain.name, ir.Bucket)))

    def table_doc(self, table: ir.Table) -> TableDoc:
        tenancy = _TENANCY[table.tenancy].format(column=table.tenant_column)
        if table.tenant_column == "id":
            tenancy = f"{table.tenancy}: the table is the tenant key itself (its id)"
        policies = sorted(self.of_table(ir.Policy, table.name),
                          key=lambda p: (COMMANDS.index(p.command) if p.command in COMMANDS else 9, p.name))
        return TableDoc(
            anchor("table", table.name), table.name, table.description.strip(),
            self.requirement_links(table.requirements), tenancy, self.patterns(table),
            tuple(self.column_doc(table, c) for c in table.columns),
            tuple((c.name, c.expression or "") for c in table.checks),
            tuple(IndexDoc(i.name, f"using {i.using} ({', '.join(i.elements)})", "unique" if i.unique else "",
                           i.where or "") for i in self.of_table(ir.Index, table.name)),
            self.access.rows(table, self.roles),
            tuple(PolicyDoc(anchor("policy", table.name, p.command), p.command, p.name, self.sql(p)) for p in policies),
            *self.references(table))

    def references(self, table: ir.Table) -> tuple[tuple[Reference, ...], tuple[Reference, ...]]:
        """The table's foreign keys (what it references) and those of other tables onto it
        (what references it), each named by its columns without the tenant key they share."""
        out, into = [], []
        for key in self.model.of_type(ir.ForeignKey):
            if key.table == table.name:
                parent = key.ref_table if key.ref_schema == "public" else f"{key.ref_schema}.{key.ref_table}"
                out.append(Reference(self.key_columns(key), self.table_link(parent, table.domain), key.on_delete))
            if key.ref_schema == "public" and key.ref_table == table.name:
                into.append(Reference(self.key_columns(key), self.table_link(key.table, table.domain), key.on_delete))
        return tuple(out), tuple(sorted(into, key=lambda r: (r.table.text, r.columns)))

    def key_columns(self, key: ir.ForeignKey) -> str:
        tenant = self.tables[key.table].tenant_column
        columns = [c for c in key.columns if c != tenant] or list(key.columns)
        return ", ".join(columns)

    def column_doc(self, table: ir.Table, column: ir.Column) -> ColumnDoc:
        default = column.default or ""
        if column.generated is not None:
            default = f"generated always as ({column.generated}) stored"
        references = self.table_link(column.references, table.domain) if column.references else None
        return ColumnDoc(anchor("column", table.name, column.name), column.name, _display_type(column.type),
                         "not null" if column.not_null else "null", default, references,
                         (column.description or "").strip(), self.requirement_links(column.requirements))

    def patterns(self, table: ir.Table) -> tuple[Pattern, ...]:
        found = []
        if table.audit:
            found.append(Pattern("audit", "created_at, updated_at and created_by are set by the set_audit_fields "
                                          "trigger; clients cannot forge them"))
        if table.soft_delete:
            found.append(Pattern("soft delete", "deleted_at marks deleted rows; reads and updates see only active "
                                                "rows; clients delete through soft_delete_record(table, id)"))
        found += [Pattern(b.name, b.summary, b.details) for b in table.behaviours]
        triggers = sorted(self.triggers(table))
        if triggers:
            found.append(Pattern("triggers", "PostgreSQL runs the triggers of one event in name order",
                                 tuple(triggers)))
        return tuple(found)

    def triggers(self, table: ir.Table) -> list[str]:
        """Every trigger on the table: declared ones and those of its behaviour constructs
        (named as templates/sql/ names them)."""
        found = [f"{t.name}: {t.timing} {' or '.join(t.events)} for each {t.level}, {t.function}()"
                 + (f" when ({t.when})" if t.when else "") for t in self.of_table(ir.Trigger, table.name)]
        found += [generated.summary for generated in self.of_table(ir.GeneratedTrigger, table.name)]
        return found

    def function_docs(self, domain: str) -> tuple[FunctionDoc, ...]:
        """One entry per spec function: its callable face (the public wrapper of a
        security-definer body, else the function itself) and the body that does the work."""
        faces: dict[str, list[ir.Function]] = {}
        for function in self.objects_of(domain, ir.Function):
            faces.setdefault(function.name, []).append(function)
        docs = []
        for name, functions in faces.items():
            public = next((f for f in functions if f.schema == "public"), None)
            body = next((f for f in functions if f.security_definer), functions[0])
            face = public or functions[0]
            arguments = ", ".join(f"{a.name} {_display_type(a.type)}" + (f" default {a.default}" if a.default else "")
                                  for a in face.args)
            if body.security_definer and public is not None and public is not body:
                security = (f"security definer: the body runs as its owner in private.{name}, called through "
                            f"the security-invoker wrapper public.{name}")
            elif body.security_definer:
                security = "security definer, in schema private (not exposed through the API)"
            elif face.schema == "private":
                security = "security invoker, in schema private (a helper of other functions)"
            else:
                security = "security invoker"
            execute = ", ".join(face.execute_roles) or "no API role (triggers and other functions only)"
            if face.callers:
                execute += (f"; through the API only {', '.join(face.callers)} and the platform (others get "
                            "42501); other functions and triggers call the private body")
            docs.append(FunctionDoc(
                anchor("function", name), f"{face.schema}.{name}({arguments})", _display_type(face.returns),
                security, execute, f"{body.language}, {body.volatility}", face.description.strip(),
                self.requirement_links(face.requirements), body.body.strip("\n")))
        return tuple(docs)

    def bucket_doc(self, bucket: ir.Bucket) -> BucketDoc:
        return BucketDoc(anchor("bucket", bucket.name), bucket.name, bucket.description.strip(),
                         tuple((fact.name, fact.summary) for fact in bucket.facts), self.sql(bucket))

    # -- every file -----------------------------------------------------------------------------

    def files(self) -> dict[str, str]:
        files = {f"{DOCS_DIR}/index.html": self.index(),
                 f"{DOCS_DIR}/style.css": self.environment.get_template("docs/style.css").render()}
        for migration in self.migrations:
            files[f"{DOCS_DIR}/{page_of(migration.domain.name)}"] = self.domain_page(migration)
        template = self.environment.get_template("docs/role.html")
        for page in role_pages(self.model, self.domains, self.access, self.roles[1:-1]):
            files[f"{DOCS_DIR}/{role_page(page.name)}"] = template.render(nav=self.nav(page.name), role=page)
        files.update(navigation_files(self.model, self.domains, self.environment, self.nav(None)))
        return files


def render_docs(model: ir.Model, plan: Plan, environment: jinja2.Environment, pgtap: Mapping[str, str] | None = None,
                tags: Sequence[RequirementTag] = (), docs_dir: Path | None = None,
                created_in: Mapping[str, str] | None = None) -> dict[str, str]:
    """docs/index.html, docs/style.css, docs/<domain>.html and docs/role-<role>.html, keyed by path
    under the output root. `pgtap`: the generated pgTAP files (by path), whose assertions trace
    requirements; `tags`: the hand-written tests tagged with requirements, linked from `docs_dir`
    (where the site is written) when it is given; `created_in`: the migration file creating each
    object (by key) when releases replace the per-domain files."""
    return _Site(model, plan, environment, pgtap or {}, tags, docs_dir, created_in).files()
