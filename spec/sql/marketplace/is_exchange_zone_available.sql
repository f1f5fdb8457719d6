declare
    v_zone public.exchange_zones;
    v_timezone text;
    v_opening pg_catalog.tstzmultirange;
begin
    select * into v_zone from public.exchange_zones z where z.id = p_zone and z.deleted_at is null;
    if not found or not v_zone.is_active then
        return false;
    end if;
    if not exists (select from public.exchange_zone_hours h where h.zone_id = p_zone and h.deleted_at is null) then
        return true;
    end if;
    v_timezone := coalesce((select c.timezone from public.communities c where c.id = v_zone.community_id),
                           'America/Mexico_City');
    -- The windows of every local day the range touches (from the day before, in case the range
    -- starts just after local midnight), merged where they meet.
    select pg_catalog.range_agg(pg_catalog.tstzrange((d.day + h.open_time) at time zone v_timezone,
                                                     (d.day + h.close_time) at time zone v_timezone, '[)'))
    into v_opening
    from pg_catalog.generate_series(((pg_catalog.lower(p_range) at time zone v_timezone)::date - 1)::timestamp,
                                    ((pg_catalog.upper(p_range) at time zone v_timezone)::date)::timestamp,
                                    interval '1 day') as d(day)
    join public.exchange_zone_hours h
      on h.zone_id = p_zone and h.deleted_at is null and h.day_of_week = extract(isodow from d.day)::integer;
    return v_opening is not null and v_opening @> p_range;
end;
