declare
    v_amenity public.amenities;
    v_zone text;
    v_opening pg_catalog.tstzmultirange;
begin
    select * into v_amenity from public.amenities a where a.id = p_amenity and a.deleted_at is null;
    if not found or v_amenity.status <> 'available' or v_amenity.booking_mode = 'not_bookable' then
        return query select false, 'amenity_unavailable'::text;
        return;
    end if;
    if exists (select from public.amenity_closures c
               where c.community_id = v_amenity.community_id and c.amenity_id = p_amenity
                 and c.period && p_range and c.deleted_at is null) then
        return query select false, 'amenity_closed'::text;
        return;
    end if;
    if exists (select from public.amenity_schedules s where s.amenity_id = p_amenity and s.deleted_at is null) then
        v_zone := coalesce((select c.timezone from public.communities c where c.id = v_amenity.community_id),
                           'America/Mexico_City');
        -- The opening windows of every local day the range touches (from the day before, in case
        -- the range starts just after local midnight), merged where they meet: the range must lie
        -- inside them, so a booking may run through two windows that follow on from each other.
        select pg_catalog.range_agg(pg_catalog.tstzrange((d.day + s.open_time) at time zone v_zone,
                                                         (d.day + s.close_time) at time zone v_zone, '[)'))
        into v_opening
        from pg_catalog.generate_series(((pg_catalog.lower(p_range) at time zone v_zone)::date - 1)::timestamp,
                                        ((pg_catalog.upper(p_range) at time zone v_zone)::date)::timestamp,
                                        interval '1 day') as d(day)
        join public.amenity_schedules s
          on s.amenity_id = p_amenity and s.deleted_at is null
         and s.day_of_week = extract(isodow from d.day)::integer;
        if v_opening is null or not v_opening @> p_range then
            return query select false, 'outside_schedule'::text;
            return;
        end if;
    end if;
    return query select true, 'ok'::text;
end;
