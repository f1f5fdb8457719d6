-- Invoker: the vehicles policies decide what the caller finds (guards and staff: all).
select v.id, v.unit_id, v.resident_id, v.status
from public.vehicles v
where v.community_id = (select public.get_current_community_id())
  and v.plate_normalized = pg_catalog.upper(pg_catalog.regexp_replace(p_plate, '[^A-Za-z0-9]', '', 'g'))
  and v.deleted_at is null
