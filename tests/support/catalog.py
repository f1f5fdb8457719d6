"""The catalog of the schemas upoe writes, one normalised line per fact, for comparing a migrated
database with a fresh apply: column order is ignored, everything else a migration could get wrong
is not."""

from __future__ import annotations

from tests.support.pgcluster import PgCluster

# One normalised line per catalog fact of the schemas upoe writes; column order is ignored.
CATALOG = """
with ours as (select oid, nspname from pg_namespace where nspname in ('public', 'private'))
select 'column ' || c.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
       || ' ' || a.attnotnull || ' ' || coalesce(pg_get_expr(d.adbin, d.adrelid), '')
       || ' ' || coalesce(col_description(c.oid, a.attnum), '')
from pg_attribute a join pg_class c on c.oid = a.attrelid join ours n on n.oid = c.relnamespace
left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
where a.attnum > 0 and not a.attisdropped and c.relkind in ('r', 'v')
union all
select 'relation ' || c.relname || ' ' || c.relkind::text || ' rls=' || c.relrowsecurity || ' acl='
       || coalesce(array_to_string(array(select unnest(c.relacl)::text order by 1), ','), '')
       || ' ' || coalesce(obj_description(c.oid, 'pg_class'), '')
from pg_class c join ours n on n.oid = c.relnamespace where c.relkind in ('r', 'v')
union all
select 'constraint ' || conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(o.oid)
from pg_constraint o join ours n on n.oid = o.connamespace
union all
select 'index ' || pg_get_indexdef(i.indexrelid)
from pg_index i join pg_class c on c.oid = i.indexrelid join ours n on n.oid = c.relnamespace
union all
select 'policy ' || tablename || ' ' || policyname || ' ' || cmd || ' ' || roles::text || ' '
       || coalesce(qual, '') || ' ' || coalesce(with_check, '')
from pg_policies where schemaname in ('public', 'private', 'storage')
union all
select 'function ' || p.oid::regprocedure || ' ' || pg_get_function_result(p.oid) || ' ' || p.prosrc
       || ' ' || p.provolatile::text || ' ' || p.prosecdef || ' ' || coalesce(p.proconfig::text, '')
       || ' acl=' || coalesce(array_to_string(array(select unnest(p.proacl)::text order by 1), ','), '')
       || ' ' || coalesce(obj_description(p.oid, 'pg_proc'), '')
from pg_proc p join ours n on n.oid = p.pronamespace
union all
select 'trigger ' || pg_get_triggerdef(t.oid)
from pg_trigger t join pg_class c on c.oid = t.tgrelid join ours n on n.oid = c.relnamespace
where not t.tgisinternal
union all
select 'enum ' || t.typname || ' ' || array_to_string(array(select e.enumlabel from pg_enum e
                                                         where e.enumtypid = t.oid order by e.enumsortorder), ',')
from pg_type t join ours n on n.oid = t.typnamespace where t.typtype = 'e'
union all
select 'bucket ' || id || ' ' || public::text || ' ' || coalesce(file_size_limit::text, '') || ' '
       || coalesce(allowed_mime_types::text, '')
from storage.buckets
union all
select 'publication ' || pubname || ' ' || schemaname || '.' || tablename from pg_publication_tables
order by 1
"""


def catalog(cluster: PgCluster, database: str) -> list[str]:
    with cluster.connect(database) as conn:
        return [row[0] for row in conn.execute(CATALOG).fetchall()]
