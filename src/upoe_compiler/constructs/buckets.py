"""Storage buckets (`buckets:` in a domain file): a private bucket whose objects belong to rows
of a table. Reading an object needs the row storing its path to be visible; uploading needs an
`upload` rule, read on the entity row of the folder. Template: sql/bucket.sql.j2."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from pydantic import Field

from .. import ir
from ..conditions import all_of, any_of, render
from ..pgnames import fit_identifier, ident, literal
from ..spec_base import Name, RequirementId, Rule, SpecModel
from ..vocabulary import MEMBER, PATTERN_FUNCTIONS, PLATFORM_ROLE, Command
from .base import DomainConstruct, register

if TYPE_CHECKING:
    from ..construct_checks import BucketCheck
    from ..resolve.model import Resolver
    from ..validated import SpecFile


class BucketSpec(SpecModel):
    """A private Storage bucket whose objects belong to rows of `table`.

    Paths are `{community_id}/{entity}/{entity id}/{file}`; reading an object needs the row
    that stores its path to be visible. Uploading follows `upload`: rules like access rules,
    read on the entity row of the folder (`own: id` = an entity the caller owns).
    """

    description: str
    table: Name
    path_column: Name
    entity: Name
    upload: list[Rule] = Field(min_length=1)
    requirements: list[RequirementId] = []
    file_size_limit: int | None = Field(default=None, ge=1)
    allowed_mime_types: list[str] = []


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
        bucket = item.spec
        for key, target in (("table", bucket.table), ("entity", bucket.entity)):
            item.known(item.value_at(key), target, item.catalog.tables, "UPOE255", "table",
                       "name a table declared in some spec file")
        table = item.catalog.table(bucket.table)
        if table is not None:
            item.known(item.value_at("path_column"), bucket.path_column, item.columns_of(bucket.table), "UPOE255",
                       f"column of {bucket.table}")
        if table is None or item.catalog.table(bucket.entity) is None:
            return
        # Upload rules name roles that may write the rows storing the paths, and own through the
        # entity table of the folders.
        writers = {role for command in (Command.INSERT, Command.UPDATE)
                   for roles in item.rule_roles(bucket.table, command) for role in roles}
        for index, rule in enumerate(bucket.upload):
            for role_index, role in enumerate(rule.roles):
                if role not in writers and MEMBER not in writers:
                    item.error("UPOE255", f"'{role}' may upload into bucket '{item.name}' but may not write "
                               f"{bucket.table}, whose rows store the paths",
                               item.value_at("upload", index, "roles", role_index),
                               f"upload only for roles of the insert or update rules of {bucket.table}")
            if rule.own is not None:
                item.own(bucket.entity, item.value_at("upload", index, "own"), rule.own)
            if rule.where is not None:
                item.fragment(rule.where, item.value_at("upload", index, "where"))
            if rule.check is not None:
                item.error("UPOE255", "an upload rule takes no `check`", item.key_at("upload", index, "check"),
                           "write the condition on the entity row under `where`")

    def expand_item(self, resolver: Resolver, file: SpecFile, name: str, spec: Any) -> ir.DbObject:
        """Objects follow their rows: a file is readable when the row storing its path is
        visible under that table's own policies, and uploadable, in the caller's community,
        into the folder of an entity row that an `upload` rule lets the caller write for."""
        bucket: BucketSpec = spec
        community = f"(select {resolver.function_ref(PATTERN_FUNCTIONS['community'])}())::text"
        folder = "(storage.foldername(name))"
        in_bucket = f"bucket_id = {literal(name)}\nand {folder}[1] = {community}"
        stored = (f"exists (\n    select 1 from public.{ident(bucket.table)} owner_row\n"
                  f"    where owner_row.{ident(bucket.path_column)} = storage.objects.name\n)")
        # Inside the subqueries, unqualified names would read the row tables first: qualify them.
        allowed = any_of(*(all_of(
            f"(select {resolver.function_ref(PATTERN_FUNCTIONS['platform'])}())" if PLATFORM_ROLE in rule.roles
            else resolver.role_check(rule.roles),
            resolver.ownership_condition(bucket.entity, rule.own, alias="entity_row") if rule.own else None,
            f"({rule.where})" if rule.where else None) for rule in bucket.upload))
        object_folder = "(storage.foldername(storage.objects.name))"
        entity_row = render(all_of(f"entity_row.id::text = {object_folder}[3]", allowed)).replace("\n", "\n    ")
        entity = (f"{folder}[2] = {literal(bucket.entity)}\nand exists (\n"
                  f"    select 1 from public.{ident(bucket.entity)} entity_row\n"
                  f"    where {entity_row}\n)")
        prefix = name.replace("-", "_")
        policies = (
            (fit_identifier(f"{prefix}_objects_select"), "select", f"{in_bucket}\nand {stored}"),
            (fit_identifier(f"{prefix}_objects_insert"), "insert", f"{in_bucket}\nand {entity}"),
        )
        deps = tuple(sorted({f"table:public.{bucket.table}", f"table:public.{bucket.entity}",
                             *resolver.refs(" ".join(condition for _, _, condition in policies))}))
        upload = tuple(ir.AccessRule(tuple(rule.roles), rule.own, rule.where, means=rule.means)
                       for rule in bucket.upload)
        return ir.Bucket(
            f"bucket:{name}", file.spec.domain, deps, file.at("buckets", name), follows_dependencies=True,
            name=name, description=bucket.description, file_size_limit=bucket.file_size_limit,
            allowed_mime_types=tuple(bucket.allowed_mime_types), policies=policies, table=bucket.table,
            path_column=bucket.path_column, entity=bucket.entity, upload=upload,
            facts=tuple(self.describe_item(bucket, upload)), requirements=tuple(bucket.requirements))

    @staticmethod
    def describe_item(bucket: BucketSpec, upload: tuple[ir.AccessRule, ...]) -> Iterable[ir.Behaviour]:
        yield ir.Behaviour("visibility", "private")
        yield ir.Behaviour("file size limit", _size(bucket.file_size_limit))
        yield ir.Behaviour("allowed types", ", ".join(bucket.allowed_mime_types) or "any")
        yield ir.Behaviour("readable when", f"the path is stored in {bucket.table}.{bucket.path_column} "
                                            f"of a row the caller can see")
        yield ir.Behaviour("uploads go to", f"{{community_id}}/{bucket.entity}/{{{bucket.entity} id}}/…")
        yield ir.Behaviour("who uploads", "; ".join(_upload_rule(rule, bucket.entity) for rule in upload))


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
