"""The model-wide part of resolve: every name the spec declares, how objects refer to each
other, and the objects that are not tables (platform, enums, types, functions, views,
buckets)."""

from __future__ import annotations

from dataclasses import dataclass, field

from .. import ir
from ..constructs import DOMAIN_CONSTRUCTS, ownership
from ..errors import DiagnosticSink
from ..patterns import tenant_column
from ..pgnames import fit_identifier, ident, literal, parse_type, text_array
from ..spec import FunctionSpec, TableSpec, ViewSpec
from ..spec_base import MembershipSpec
from ..validated import SpecFile, ValidatedSpec
from ..vocabulary import API_ROLES, ENABLED_EXTENSIONS, MEMBER, PATTERN_FUNCTIONS, PLATFORM_DOMAIN, Tenancy
from .names import CALL, QUALIFIED_NAME, SETOF, TABLE_RETURNS, WORD
from .table import TableExpansion


@dataclass
class Resolver:
    spec: ValidatedSpec
    sink: DiagnosticSink
    objects: list[ir.DbObject] = field(default_factory=list)
    tables: dict[str, tuple[SpecFile, TableSpec]] = field(default_factory=dict)
    functions: dict[str, tuple[SpecFile, FunctionSpec]] = field(default_factory=dict)
    types: dict[str, str] = field(default_factory=dict)
    tenant_parents: set[str] = field(default_factory=set)
    views: set[str] = field(default_factory=set)

    def run(self) -> ir.Model:
        catalog = self.spec.catalog
        self.tables, self.functions = catalog.tables, catalog.functions
        self.types, self.views = catalog.type_keys, catalog.views
        self._require_pattern_functions()
        # Every table expands through these functions: without them the rest would only fail again.
        self.sink.raise_if_failed()
        self.tenant_parents = self._find_tenant_parents()
        self._platform()
        for file in self.spec.files:
            self._domain(file)
        self._report_name_clashes()
        domains = tuple(
            ir.DomainInfo(f.spec.domain, f.spec.title, f.spec.description, f.spec.phase,
                          tuple(f.spec.requirements.items()), f"{f.spec_dir.name}/{f.loaded.path.name}",
                          tuple(f.spec.roles.items()),
                          tuple((a.drop, a.reason) for a in f.spec.acknowledge if a.drop)
                          + tuple((f"narrow {a.narrow}", a.reason) for a in f.spec.acknowledge if a.narrow),
                          tuple((a.widen, a.reason) for a in f.spec.acknowledge if a.widen))
            for f in self.spec.files
        )
        return ir.Model(domains, tuple(self.objects))

    def _report_name_clashes(self) -> None:
        """Two objects of one name (a declared index and the index a pattern adds, say) would
        leave one of them out of the migration: a located error instead."""
        seen: dict[str, ir.DbObject] = {}
        for obj in self.objects:
            first = seen.setdefault(obj.key, obj)
            if first is not obj:
                name = obj.key.split(":", 1)[1]
                self.sink.error("UPOE241", f"{name} would be created twice ({type(first).__name__} and "
                                f"{type(obj).__name__})", first.position or obj.position,
                                "give the declared one another `name:`")

    # -- prerequisites -------------------------------------------------------------------

    def _require_pattern_functions(self) -> None:
        needed: dict[str, tuple[SpecFile, str]] = {}
        for name, (file, table) in self.tables.items():
            needed.setdefault(PATTERN_FUNCTIONS["uuid"], (file, name))
            needed.setdefault(PATTERN_FUNCTIONS["platform"], (file, name))
            needed.setdefault(PATTERN_FUNCTIONS["roles"], (file, name))
            if table.audit:
                needed.setdefault(PATTERN_FUNCTIONS["audit"], (file, name))
            if table.immutable:
                needed.setdefault(PATTERN_FUNCTIONS["immutable"], (file, name))
            if table.tenancy.kind in (Tenancy.COMMUNITY, Tenancy.ORGANIZATION):
                needed.setdefault(PATTERN_FUNCTIONS["community"], (file, name))
            if any(c.endswith("_paths") for c in table.columns):
                needed.setdefault(PATTERN_FUNCTIONS["paths"], (file, name))
        # One error per table that first needs them, not one per function: a spec folder without
        # the foundation domain misses them all at once.
        missing: dict[tuple[str, str], tuple[SpecFile, list[str]]] = {}
        for function_name, (file, table_name) in sorted(needed.items()):
            if function_name not in self.functions:
                missing.setdefault((file.spec.domain, table_name), (file, []))[1].append(function_name)
        for (_domain, table_name), (file, names) in sorted(missing.items()):
            listed = ", ".join(f"'{name}'" for name in names)
            self.sink.error(
                "UPOE240",
                f"table '{table_name}' needs function{'s' if len(names) > 1 else ''} {listed}, "
                "which no domain declares",
                file.at("tables", table_name),
                "declare the foundation functions (see spec/foundation.yaml) in the spec",
            )

    def _find_tenant_parents(self) -> set[str]:
        """Community tables referenced by other community tables need unique (community_id, id)."""
        parents = set()
        for _name, (_file, table) in self.tables.items():
            for column in table.columns.values():
                if column.references and self.composite_reference(table, column.references):
                    parents.add(column.references)
        return parents

    def composite_reference(self, table: TableSpec, reference: str) -> bool:
        if reference not in self.tables or table.tenancy.kind != Tenancy.COMMUNITY:
            return False
        parent = self.tables[reference][1]
        return (tenant_column(table) == "community_id" and parent.tenancy.kind == Tenancy.COMMUNITY
                and tenant_column(parent) == "community_id")

    # -- platform ------------------------------------------------------------------------

    def _platform(self) -> None:
        self.objects += [
            # Supabase's own roles rely on PUBLIC's usage of `extensions`: leave it as it is.
            ir.Schema("schema:extensions", PLATFORM_DOMAIN, (), None, name="extensions",
                      description="Extensions live outside the API schemas.",
                      api_roles=API_ROLES, private=False),
            ir.Schema("schema:private", PLATFORM_DOMAIN, (), None, name="private",
                      description="Security-definer bodies; not exposed through the API.",
                      api_roles=("authenticated", "service_role"), private=True),
            *(ir.Extension(f"extension:{name}", PLATFORM_DOMAIN, ("schema:extensions",), None,
                           name=name, schema="extensions") for name in ENABLED_EXTENSIONS),
        ]

    # -- one domain ----------------------------------------------------------------------

    def _domain(self, file: SpecFile) -> None:
        domain = file.spec.domain
        for name, enum in file.spec.enums.items():
            self.objects.append(ir.Enum(
                f"enum:public.{name}", domain, (), file.at("enums", name),
                schema="public", name=name, values=tuple(enum.labels), description=enum.description,
                renamed_values=tuple((v.value, v.renamed_from) for v in enum.values if v.renamed_from),
                requirements=tuple(enum.requirements)))
        for name, domain_type in file.spec.types.items():
            check = domain_type.check
            self.objects.append(ir.DomainType(
                f"type:public.{name}", domain, self.refs(check or "", exclude=name),
                file.at("types", name), schema="public", name=name,
                base_type=parse_type(domain_type.type).sql,  # type: ignore[union-attr]
                check=check, description=domain_type.description,
                requirements=tuple(domain_type.requirements),
                example=None if domain_type.example is None else literal(domain_type.example)))
        for name, function in file.spec.functions.items():
            self._function(file, name, function)
        for name, table in file.spec.tables.items():
            TableExpansion(self, file, name, table).run()
        for name, view in file.spec.views.items():
            self._view(file, name, view)
        for construct in DOMAIN_CONSTRUCTS:
            for name, item in getattr(file.spec, construct.key or "").items():
                self.objects.append(construct.expand_item(self, file, name, item))

    def _view(self, file: SpecFile, name: str, view: ViewSpec) -> None:
        query = read_body(file, view.query, view.query_file) or ""
        deps = {*self.refs(query, exclude=name), *self._table_words(query)}
        self.objects.append(ir.View(
            f"view:public.{name}", file.spec.domain, tuple(sorted(deps)), file.at("views", name),
            schema="public", name=name, query=query, description=view.description,
            requirements=tuple(view.requirements), column_comments=tuple(view.columns.items()),
            grants=(("authenticated", ("select",)), ("service_role", ("select",))), revoke_from=API_ROLES))

    def _table_words(self, text: str) -> set[str]:
        """Tables and views a query names, qualified or not."""
        words = set(WORD.findall(text))
        return ({f"table:public.{w}" for w in words & set(self.tables)}
                | {f"view:public.{w}" for w in words & self.views})

    def _function(self, file: SpecFile, name: str, function: FunctionSpec) -> None:
        body = read_body(file, function.body, function.body_file) or ""
        args = tuple(ir.Argument(a.name, self._qualify_row_or_type(a.type), a.default) for a in function.args)
        type_refs = self._type_keys([a.type for a in function.args] + [function.returns])
        position = file.at("functions", name)
        definer = function.security == "definer"
        body_schema = "private" if definer or not function.exposed else "public"
        deps = {*self.refs(body, exclude=name), *type_refs, "schema:extensions", f"schema:{body_schema}",
                *(self._dependency_key(d) for d in function.depends_on)}
        common = dict(args=args, returns=self.qualify_returns(function.returns), volatility=function.volatility,
                      execute_roles=tuple(function.execute), description=function.description,
                      requirements=tuple(function.requirements))
        self.objects.append(ir.Function(
            f"function:{body_schema}.{name}", file.spec.domain, tuple(sorted(deps - {"schema:public"})),
            position, schema=body_schema, name=name, language=function.language,
            security_definer=definer, body=body, **common,
            native=(function.native.server_version_num, function.native.body.strip("\n") + "\n")
            if function.native else None))
        for fires in function.fires_on:
            trigger = fit_identifier(f"{fires.timing}_{'_'.join(fires.events)}_{name}")
            self.objects.append(ir.Trigger(
                f"trigger:public.{fires.table}.{trigger}", file.spec.domain,
                (f"table:public.{fires.table}", self.function_key(name)), file.at("functions", name, "fires_on"),
                follows_dependencies=True, schema="public", table=fires.table, name=trigger, timing=fires.timing,
                events=tuple(fires.events), level="row", function=self.function_ref(name), when=fires.when))
        if self.function_home(name) == body_schema:
            return
        wrapper = read_body(file, function.invoker_body, function.invoker_body_file)
        if wrapper is not None:
            language = function.language
        elif function.callers is not None:
            language, wrapper = "plpgsql", _role_checked_body(name, function, self._callers_check(function.callers))
        else:
            language, wrapper = _forwarding_body(name, function)
        wrapper_deps = {f"function:private.{name}", *self.refs(wrapper, exclude=name), *type_refs}
        self.objects.append(ir.Function(
            f"function:public.{name}", file.spec.domain, tuple(sorted(wrapper_deps)), position,
            schema="public", name=name, language=language, security_definer=False, body=wrapper,
            callers=tuple(function.callers or ()), **common))

    def _callers_check(self, roles: list[str]) -> str:
        """SQL true when the caller may call a role-checked function: the platform, or one of `roles`."""
        trusted = f"(select {self.function_ref('is_trusted_caller')}())"
        return f"{trusted} or {self.role_check(roles) or 'true'}"

    def role_check(self, roles: list[str]) -> str | None:
        """Whether the caller holds one of the roles; None when any member of the tenant may."""
        if MEMBER in roles:
            return None
        return f"(select {self.function_ref(PATTERN_FUNCTIONS['roles'])}({text_array(roles)}))"

    def function_home(self, name: str) -> str:
        """The schema other objects call a spec function in."""
        function = self.functions[name][1]
        hidden = not function.exposed or (function.security == "definer" and
                                                  function.returns == "trigger")
        return "private" if hidden else "public"

    def function_key(self, name: str, private: bool | None = None) -> str:
        if private is None:
            return f"function:{self.function_home(name)}.{name}"
        return f"function:{'private' if private else 'public'}.{name}"

    def function_ref(self, name: str) -> str:
        """The qualified name other objects call a spec function by."""
        return f"{self.function_home(name)}.{name}"

    def ownership_condition(self, table_name: str, column: str, alias: str | None = None) -> str:
        """SQL true when `column` of a row of `table_name` holds something the caller owns."""
        return ownership.condition(self, table_name, column, alias=alias)

    def membership_condition(self, table_name: str, member: MembershipSpec) -> str:
        """SQL true when a row of `table_name` belongs to a group the caller is a member of."""
        return ownership.membership(self, table_name, member)

    def tenant_column_of(self, table_name: str) -> str | None:
        return tenant_column(self.tables[table_name][1])

    def _dependency_key(self, name: str) -> str:
        return self.function_key(name) if name in self.functions else f"table:public.{name}"

    def qualify_type(self, text: str) -> str:
        """The SQL spelling of a spec type: schema-qualified when the spec declares it."""
        parsed = parse_type(text)
        if parsed is None:
            return text
        return f"public.{parsed.sql}" if parsed.base in self.types else parsed.sql

    def qualify_returns(self, text: str) -> str:
        """A function's return type with spec types and table row types schema-qualified:
        `uuid`, `public.record_status`, `setof public.units`, `table (total numeric, …)`."""
        setof = SETOF.match(text)
        if setof:
            return f"setof {self._qualify_row_or_type(setof.group(1))}"
        columns = TABLE_RETURNS.match(text)
        if columns:
            qualified = []
            for column in _split_top_level(columns.group(1)):
                name, _, type_text = column.strip().partition(" ")
                qualified.append(f"{name} {self.qualify_type(type_text.strip())}")
            return f"table ({', '.join(qualified)})"
        return self._qualify_row_or_type(text)

    def _qualify_row_or_type(self, text: str) -> str:
        name = text.strip()
        if name in self.tables or name in self.views:
            return f"public.{name}"
        return self.qualify_type(name)

    def _type_keys(self, type_texts: list[str]) -> list[str]:
        """Keys of the enums, domain types, tables and views named in type texts."""
        keys = []
        for text in type_texts:
            for word in WORD.findall(text):
                if word in self.types:
                    keys.append(self.types[word])
                elif word in self.tables:
                    keys.append(f"table:public.{word}")
                elif word in self.views:
                    keys.append(f"view:public.{word}")
        return sorted(set(keys))

    def refs(self, text: str, exclude: str | None = None) -> tuple[str, ...]:
        """Keys of the spec objects an SQL text mentions (qualified names, calls, types)."""
        keys: set[str] = set()
        for schema, name in QUALIFIED_NAME.findall(text):
            if name == exclude:
                continue
            if name in self.functions:
                keys.add(self.function_key(name, private=schema == "private"))
            elif name in self.tables:
                keys.add(f"table:public.{name}")
            elif name in self.types:
                keys.add(self.types[name])
            elif name in self.views:
                keys.add(f"view:public.{name}")
        for name in CALL.findall(text):
            if name in self.functions and name != exclude:
                keys.add(self.function_key(name))
        for name in WORD.findall(text):
            if name in self.types and name != exclude:
                keys.add(self.types[name])
        return tuple(sorted(keys))


def _split_top_level(text: str) -> list[str]:
    """Split on commas outside parentheses: `a numeric(15,4), b text` → two parts."""
    parts, depth, current = [], 0, []
    for char in text:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "," and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return [p for p in parts if p.strip()]


def read_body(file: SpecFile, inline: str | None, relative: str | None) -> str | None:
    if inline is not None:
        return inline.strip("\n") + "\n"
    if relative is None:
        return None
    return (file.spec_dir / relative).read_text(encoding="utf-8").strip("\n") + "\n"


def _role_checked_body(name: str, function: FunctionSpec, allowed: str) -> str:
    """The PL/pgSQL public face of a role-checked function: the caller's role first (42501 when
    not among `callers`), then the private body."""
    call = f"private.{name}({', '.join(ident(a.name) for a in function.args)})"
    returns = function.returns.lower()
    if returns.startswith(("setof", "table")):
        forward = f"    return query select * from {call};\n"
    elif returns == "void":
        forward = f"    perform {call};\n"
    else:
        forward = f"    return {call};\n"
    roles = ", ".join(function.callers or ())
    return (f"begin\n    if not ({allowed}) then\n        raise exception using\n            errcode = '42501',\n"
            f"            message = 'not_authorized: only {roles} may call {name}',\n"
            f"            hint = 'ask one of them, or the platform, to do it';\n    end if;\n{forward}end;\n")


def _forwarding_body(name: str, function: FunctionSpec) -> tuple[str, str]:
    """The language and body of a public wrapper that only calls its private twin. A value is
    forwarded in PL/pgSQL, which keeps its plan for the session: a SQL function with a SET
    clause is planned again on every call, and policies call these once per statement."""
    call = f"private.{name}({', '.join(ident(a.name) for a in function.args)})"
    returns = function.returns.lower()
    if returns.startswith(("setof", "table")):
        return "sql", f"select * from {call};\n"
    if returns == "void":
        return "sql", f"select {call};\n"
    return "plpgsql", f"begin\n    return {call};\nend;\n"
