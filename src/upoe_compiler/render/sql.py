"""Migrations: one file per domain, objects in plan order, one template per IR type."""

from __future__ import annotations

import jinja2

from .. import ir
from ..constructs import CONSTRUCTS
from ..graph import Plan

# The template of each IR type: the core's here, each construct's from its module.
TEMPLATES: dict[type[ir.DbObject], str] = {
    ir.Schema: "sql/schema.sql.j2",
    ir.Extension: "sql/extension.sql.j2",
    ir.Enum: "sql/enum.sql.j2",
    ir.DomainType: "sql/domain_type.sql.j2",
    ir.Function: "sql/function.sql.j2",
    ir.Table: "sql/table.sql.j2",
    ir.ForeignKey: "sql/foreign_key.sql.j2",
    ir.Index: "sql/index.sql.j2",
    ir.Trigger: "sql/trigger.sql.j2",
    ir.Policy: "sql/policy.sql.j2",
    ir.Bucket: "sql/bucket.sql.j2",
    ir.View: "sql/view.sql.j2",
    **{kind: construct.template for construct in CONSTRUCTS if construct.template for kind in construct.ir_types},
}

# What undoes an object of a construct's own IR type, in a migration after a release.
DROP_TEMPLATES: dict[type[ir.DbObject], str] = {
    kind: construct.drop_template for construct in CONSTRUCTS if construct.drop_template
    for kind in construct.ir_types
}

MIGRATIONS_DIR = "supabase/migrations"


def render_object(environment: jinja2.Environment, obj: ir.DbObject, **context: object) -> str:
    """The SQL of one object, by its kind's template (`context`: what a migration between
    releases adds, such as `verb` or `online`)."""
    return environment.get_template(TEMPLATES[type(obj)]).render(obj=obj, **context).strip("\n")


def render_migrations(plan: Plan, environment: jinja2.Environment) -> dict[str, str]:
    sources = {d.domain.name: d.domain.source_file for d in plan.migrations}
    files = {}
    for migration in plan.migrations:
        statements = [render_object(environment, obj) for obj in migration.objects]
        domains = {migration.domain.name} | {o.domain for o in migration.objects if o.domain in sources}
        files[f"{MIGRATIONS_DIR}/{migration.file_name}"] = environment.get_template(
            "sql/migration.sql.j2"
        ).render(
            domain=migration.domain,
            sources=sorted(sources[d] for d in domains),
            statements=statements,
        )
    return files
