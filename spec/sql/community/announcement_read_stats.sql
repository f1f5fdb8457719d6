select ar.announcement_id,
       pg_catalog.count(*)::integer as recipients,
       pg_catalog.count(ar.read_at)::integer as read_count,
       pg_catalog.count(ar.acknowledged_at)::integer as ack_count,
       pg_catalog.round(100.0 * pg_catalog.count(ar.read_at) / pg_catalog.count(*), 2) as read_pct
from public.announcement_recipients ar
where ar.deleted_at is null
  and (select public.has_any_role(array['admin', 'manager']))
group by ar.announcement_id
