select gc.id as certification_id,
       gc.guard_id,
       gc.community_id,
       gc.certification_type,
       gc.expires_on,
       case
           when gc.expires_on is null then 'valid'
           when gc.expires_on < today.local_date then 'expired'
           when gc.expires_on <= today.local_date + 30 then 'expiring'
           else 'valid'
       end as state
from public.guard_certifications gc
join public.communities c on c.id = gc.community_id
cross join lateral (select (pg_catalog.now() at time zone c.timezone)::date as local_date) as today
where gc.deleted_at is null
