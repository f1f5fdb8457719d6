"""Storage buckets (`buckets:` in a domain file): a private bucket whose objects belong to rows
of one table or of several (`files:`). Reading an object needs the row storing its path to be
visible; uploading needs an `upload` rule of the table filed under the folder's entity, read on
the entity row of the folder. Template: sql/bucket.sql.j2."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from pydantic import Field

from .. import ir
from ..conditions import Condition, all_of, any_of, render
from ..pgnames import fit_identifier, ident, literal, parse_type
from ..spec_base import Name, RequirementId, Rule, SpecModel
from ..vocabulary import MEMBER, PATTERN_FUNCTIONS, PLATFORM_ROLE, Command
from .base import DomainConstruct, register

if TYPE_CHECKING:
    from ..construct_checks import BucketCheck
    from ..resolve.model import Resolver
    from ..validated import SpecFile

# The keys of a bucket of one table, written on the bucket itself instead of under `files:`.
ONE_TABLE_KEYS = ("table", "path_column", "entity", "upload")
SpecPath = tuple[str | int, ...]
# What an upload rule may say; an access rule's other keys (`check`, …) mean nothing for a folder.
UPLOAD_RULE_KEYS = {"roles", "own", "where", "means"}


class BucketFilesSpec(SpecModel):
    """The files of one table in a bucket: `path_column` of `table` stores their paths, which lie
    in the folders of `entity` rows (`{community_id}/{entity}/{entity id}/{file}`). Uploading into
    those folders follows `upload`: rules like access rules, read on the entity row of the folder
    (`own: id` = an entity the caller owns)."""

    table: Name
    path_column: Name
    entity: Name
    upload: list[Rule] = Field(min_length=1)


class BucketSpec(SpecModel):
    """A private Storage bucket whose objects belong to rows of tables.

    A bucket of one table names it on the bucket (`table`, `path_column`, `entity`, `upload`, as
    under `files:`); a bucket holding the files of several tables lists them under `files:`, the
    entity segment of a path saying whose folders it lies in. Reading an object needs the row that
    stores its path to be visible.
    """

    description: str
    table: Name | None = None
    path_column: Name | None = None
    entity: Name | None = None
    upload: list[Rule] | None = Field(default=None, min_length=1)
    files: list[BucketFilesSpec] | None = Field(default=None, min_length=1)
    requirements: list[RequirementId] = []
    file_size_limit: int | None = Field(default=None, ge=1)
    allowed_mime_types: list[str] = []

    def stores(self) -> list[tuple[SpecPath, BucketFilesSpec]]:
        """Each table's files, with where the spec writes them: the entries of `files:`, or the
        bucket's own keys (none while one of them is missing)."""
        if self.files is not None:
            return [(("files", index), files) for index, files in enumerate(self.files)]
        if self.table is None or self.path_column is None or self.entity is None or self.upload is None:
            return []
        return [((), BucketFilesSpec.model_construct(table=self.table, path_column=self.path_column,
                                                      entity=self.entity, upload=self.upload))]


@register
class Buckets(DomainConstruct):
    key = "buckets"
    model = dict[Name, BucketSpec]
    default: Any = {}
    template = "sql/bucket.sql.j2"
    ir_types = (ir.Bucket,)
    untested_because = ("Storage policies need Storage's schema and objects; tests/db/test_constructs.py reads "
                        "and uploads objects as residents of two communities")

    def check_item(self, item: BucketCheck) -> None:
        bucket: BucketSpec = item.spec
        inline = [key for key in ONE_TABLE_KEYS if getattr(bucket, key) is not None]
        if bucket.files is not None and inline:
            item.error("UPOE255", f"bucket '{item.name}' lists its tables under `files` and names `{inline[0]}` "
                       "on the bucket as well", item.key_at(inline[0]),
                       "move the bucket's table into `files:`, or name one table on the bucket and drop `files:`")
            return
        if bucket.files is None:
            missing = [key for key in ONE_TABLE_KEYS if key not in inline] if inline else ["files"]
            for key in missing:
                item.error("UPOE202", f"missing required key '{key}'", item.key_at(),
                           "a bucket names its table's `table`, `path_column`, `entity` and `upload`, or lists "
                           "several tables under `files:`, each with those four keys")
            if missing:
                return
        declared: set[tuple[str, str]] = set()
        for path, files in bucket.stores():
            self.check_files(item, path, files)
            if (files.table, files.path_column) in declared:
                item.error("UPOE255", f"{files.table}.{files.path_column} is listed twice in bucket '{item.name}'",
                           item.value_at(*path, "path_column"), "list each table's path column once under `files:`")
            declared.add((files.table, files.path_column))

    @staticmethod
    def check_files(item: BucketCheck, path: SpecPath, files: BucketFilesSpec) -> None:
        for key, target in (("table", files.table), ("entity", files.entity)):
            item.known(item.value_at(*path, key), target, item.catalog.tables, "UPOE255", "table",
                       "name a table declared in some spec file")
        table = item.catalog.table(files.table)
        if table is not None and item.known(item.value_at(*path, "path_column"), files.path_column,
                                            item.columns_of(files.table), "UPOE255", f"column of {files.table}"):
            column = item.catalog.tables[files.table][1].columns.get(files.path_column)
            parsed = parse_type(column.type) if column is not None else None
            if parsed is not None and parsed.array_depth:
                # The policies compare the column with one object's name.
                item.error("UPOE255", f"{files.table}.{files.path_column} is {column.type}: a bucket's path column "
                           "holds one path", item.value_at(*path, "path_column"),
                           "name a text column, or keep several files as rows of a table of their own")
        if table is None or item.catalog.table(files.entity) is None:
            return
        # Upload rules name roles that may write the rows storing the paths, and own through the
        # entity table of the folders.
        writers = {role for command in (Command.INSERT, Command.UPDATE)
                   for roles in item.rule_roles(files.table, command) for role in roles}
        for index, rule in enumerate(files.upload):
            for role_index, role in enumerate(rule.roles):
                if role not in writers and MEMBER not in writers:
                    item.error("UPOE255", f"'{role}' may upload into bucket '{item.name}' but may not write "
                               f"{files.table}, whose rows store the paths",
                               item.value_at(*path, "upload", index, "roles", role_index),
                               f"upload only for roles of the insert or update rules of {files.table}")
            if rule.own is not None:
                item.own(files.entity, item.value_at(*path, "upload", index, "own"), rule.own)
            if rule.where is not None:
                item.fragment(rule.where, item.value_at(*path, "upload", index, "where"))
            # The policies read roles, `own` and `where` only: any other key of an access rule would be ignored.
            for key in sorted(rule.model_fields_set - UPLOAD_RULE_KEYS):
                item.error("UPOE255", f"an upload rule takes no `{key}`", item.key_at(*path, "upload", index, key),
                           "write the condition on the entity row under `where`")

    def expand_item(self, resolver: Resolver, file: SpecFile, name: str, spec: Any) -> ir.DbObject:
        """Objects follow their rows: a file is readable when a row storing its path is visible
        under that table's own policies, and uploadable, in the caller's community, into the
        folder of an entity row that an `upload` rule of a table filed under that entity lets
        the caller write for. With several entities, the path's entity segment picks the tables
        whose rows may store it, so one table's rows never open another's folders."""
        bucket: BucketSpec = spec
        stores = tuple(ir.BucketStore(files.table, files.path_column, files.entity,
                                      tuple(ir.AccessRule(tuple(rule.roles), rule.own, rule.where, means=rule.means)
                                            for rule in files.upload))
                       for _, files in bucket.stores())
        by_entity: dict[str, list[ir.BucketStore]] = {}
        for store in stores:
            by_entity.setdefault(store.entity, []).append(store)
        community = f"(select {resolver.function_ref(PATTERN_FUNCTIONS['community'])}())::text"
        folder = "(storage.foldername(name))"
        in_bucket = (f"bucket_id = {literal(name)}", f"{folder}[1] = {community}")
        several = len(by_entity) > 1
        readable = any_of(*(all_of(f"{folder}[2] = {literal(entity)}" if several else None,
                                   any_of(*(_stored(store) for store in group)))
                            for entity, group in by_entity.items()))
        uploadable = any_of(*(all_of(f"{folder}[2] = {literal(entity)}",
                                     _entity_row(resolver, entity, [rule for store in group for rule in store.upload]))
                              for entity, group in by_entity.items()))
        prefix = name.replace("-", "_")
        policies = (
            (fit_identifier(f"{prefix}_objects_select"), "select", render(all_of(*in_bucket, readable))),
            (fit_identifier(f"{prefix}_objects_insert"), "insert", render(all_of(*in_bucket, uploadable))),
        )
        tables = {f"table:public.{table}" for store in stores for table in (store.table, store.entity)}
        deps = tuple(sorted({*tables, *resolver.refs(" ".join(condition for _, _, condition in policies))}))
        return ir.Bucket(
            f"bucket:{name}", file.spec.domain, deps, file.at("buckets", name), follows_dependencies=True,
            name=name, description=bucket.description, file_size_limit=bucket.file_size_limit,
            allowed_mime_types=tuple(bucket.allowed_mime_types), policies=policies, stores=stores,
            facts=tuple(self.describe_item(bucket, stores)), requirements=tuple(bucket.requirements))

    @staticmethod
    def describe_item(bucket: BucketSpec, stores: tuple[ir.BucketStore, ...]) -> Iterable[ir.Behaviour]:
        yield ir.Behaviour("visibility", "private")
        yield ir.Behaviour("file size limit", _size(bucket.file_size_limit))
        yield ir.Behaviour("allowed types", ", ".join(bucket.allowed_mime_types) or "any")
        entities = list(dict.fromkeys(store.entity for store in stores))
        yield ir.Behaviour("readable when", "; ".join(
            (f"in {entity} folders, " if len(entities) > 1 else "") + "the path is stored in "
            + " or ".join(f"{store.table}.{store.path_column}" for store in stores if store.entity == entity)
            + " of a row the caller can see" for entity in entities))
        yield ir.Behaviour("uploads go to", ", ".join(f"{{community_id}}/{entity}/{{{entity} id}}/…"
                                                      for entity in entities))
        yield ir.Behaviour("who uploads", "; ".join(
            (f"into {store.entity} folders: " if len(entities) > 1 else "")
            + "; ".join(_upload_rule(rule, store.entity) for rule in store.upload) for store in stores))


def _stored(store: ir.BucketStore) -> str:
    """Some row of the store's table holds the object's path."""
    return (f"exists (\n    select 1 from public.{ident(store.table)} owner_row\n"
            f"    where owner_row.{ident(store.path_column)} = storage.objects.name\n)")


def _entity_row(resolver: Resolver, entity: str, upload: list[ir.AccessRule]) -> str:
    """The folder's entity row exists and an upload rule holds for it; the id is compared as text,
    so a path whose segment is no uuid matches nothing instead of raising."""
    # Inside the subquery, unqualified names would read the entity row first: qualify them.
    allowed: Condition = any_of(*dict.fromkeys(all_of(
        f"(select {resolver.function_ref(PATTERN_FUNCTIONS['platform'])}())" if PLATFORM_ROLE in rule.roles
        else resolver.role_check(list(rule.roles)),
        resolver.ownership_condition(entity, rule.own, alias="entity_row") if rule.own else None,
        f"({rule.where})" if rule.where else None) for rule in upload))
    condition = render(all_of("entity_row.id::text = (storage.foldername(storage.objects.name))[3]", allowed))
    return (f"exists (\n    select 1 from public.{ident(entity)} entity_row\n"
            f"    where {condition.replace(chr(10), chr(10) + '    ')}\n)")


def _upload_rule(rule: ir.AccessRule, entity: str) -> str:
    """One upload rule in words: its roles, and the entity rows it holds for."""
    narrowed = [f"own {rule.own} of the {entity} row" if rule.own else "",
                f"where {rule.where}" if rule.where else ""]
    return " ".join([", ".join(rule.roles), *filter(None, narrowed)])


def _size(limit: int | None) -> str:
    if limit is None:
        return "none"
    for unit, factor in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if limit >= factor and limit % factor == 0:
            return f"{limit // factor} {unit}"
    return f"{limit} bytes"
