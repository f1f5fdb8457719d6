declare
    -- What is weighed, read once from the row as it would be written.
    p_amenity uuid := p_reservation.amenity_id;
    p_unit uuid := p_reservation.unit_id;
    p_range tstzrange := p_reservation.reserved_range;
    p_guest_count integer := p_reservation.guest_count;
    v_amenity public.amenities;
    v_community uuid;
    v_rule public.amenity_booking_rules;
    v_zone text;
    v_start timestamptz := pg_catalog.lower(p_range);
    v_minutes numeric := extract(epoch from pg_catalog.upper(p_range)
                                            - pg_catalog.lower(p_range)) / 60;
    v_period_start timestamp;
    v_booked integer;
begin
    -- An amenity of the unit's community only.
    select a.* into v_amenity from public.amenities a join public.units u on u.community_id = a.community_id
    where a.id = p_amenity and u.id = p_unit and a.deleted_at is null;
    v_community := v_amenity.community_id;
    if not found or v_amenity.booking_mode = 'not_bookable' then
        return query select false, 'amenity_unavailable'::text;
        return;
    end if;
    if v_amenity.no_show_limit is not null
            and (select pg_catalog.count(*) from public.reservations r
                 where r.community_id = v_community and r.unit_id = p_unit and r.amenity_id = p_amenity
                   and r.status = 'no_show' and r.deleted_at is null
                   and pg_catalog.upper(r.reserved_range)
                       > pg_catalog.now() - pg_catalog.make_interval(days => v_amenity.no_show_window_days))
                >= v_amenity.no_show_limit then
        return query select false, 'no_show_limit'::text;
        return;
    end if;
    v_zone := coalesce((select c.timezone from public.communities c where c.id = v_community),
                       'America/Mexico_City');
    -- Cheapest first; the quota, which counts, last.
    for v_rule in
        select * from public.amenity_booking_rules r
        where r.community_id = v_community and r.amenity_id = p_amenity
          and r.is_active and r.deleted_at is null
        order by r.rule_type = 'max_per_unit_per_period', r.rule_type
    loop
        case v_rule.rule_type
            when 'allowed_unit_types' then
                if not exists (select from public.units u
                               where u.id = p_unit and u.unit_type = any (v_rule.unit_types)) then
                    return query select false, 'unit_type_not_allowed'::text;
                    return;
                end if;
            when 'block_delinquent' then
                if private.is_unit_delinquent(p_unit, 'block_amenities') then
                    return query select false, 'unit_delinquent'::text;
                    return;
                end if;
            when 'min_advance_hours' then
                if v_start < pg_catalog.now() + pg_catalog.make_interval(hours => v_rule.int_value) then
                    return query select false, 'advance_window'::text;
                    return;
                end if;
            when 'max_advance_days' then
                if v_start > pg_catalog.now() + pg_catalog.make_interval(days => v_rule.int_value) then
                    return query select false, 'advance_window'::text;
                    return;
                end if;
            when 'min_duration_minutes' then
                if v_minutes < v_rule.int_value then
                    return query select false, 'duration_limit'::text;
                    return;
                end if;
            when 'max_duration_minutes' then
                if v_minutes > v_rule.int_value then
                    return query select false, 'duration_limit'::text;
                    return;
                end if;
            when 'max_guests' then
                if p_guest_count > v_rule.int_value then
                    return query select false, 'guest_limit'::text;
                    return;
                end if;
            when 'max_per_unit_per_period' then
                -- The period of the start, in the community's local time (weeks start on Monday).
                v_period_start := pg_catalog.date_trunc(v_rule.period, v_start at time zone v_zone);
                select pg_catalog.count(*) into v_booked
                from public.reservations r
                where r.community_id = v_community and r.unit_id = p_unit
                  and r.amenity_id = p_amenity and r.id is distinct from p_reservation.id
                  and r.status in ('pending', 'confirmed') and r.deleted_at is null
                  and pg_catalog.lower(r.reserved_range) >= v_period_start at time zone v_zone
                  and pg_catalog.lower(r.reserved_range)
                      < (v_period_start + pg_catalog.concat('1 ', v_rule.period)::interval) at time zone v_zone;
                if v_booked >= v_rule.int_value then
                    return query select false, 'quota_exceeded'::text;
                    return;
                end if;
        end case;
    end loop;
    return query select true, 'ok'::text;
end;
