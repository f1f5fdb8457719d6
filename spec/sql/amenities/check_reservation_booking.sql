declare
    v_amenity public.amenities;
    v_verdict record;
    v_busiest integer;
begin
    -- Only an active row changing what it books is weighed again: a status change alone (a
    -- confirmation, a cancellation) keeps the booking it had.
    if new.status not in ('pending', 'confirmed') or new.deleted_at is not null
            or tg_op = 'UPDATE' and old.status in ('pending', 'confirmed') and old.deleted_at is null
               and new.amenity_id = old.amenity_id and new.reserved_range = old.reserved_range
               and new.guest_count = old.guest_count then
        return new;
    end if;
    if new.community_id is distinct from public.get_current_community_id() and not private.is_trusted_caller() then
        -- A row for another community: row-level security refuses it (42501), unweighed.
        return new;
    end if;
    select * into v_amenity from public.amenities a where a.id = new.amenity_id and a.community_id = new.community_id;
    if not found then
        -- A missing or foreign amenity: the foreign key answers (23503).
        return new;
    end if;
    new.is_exclusive := v_amenity.booking_mode = 'exclusive';
    select * into v_verdict from public.is_amenity_open(new.amenity_id, new.reserved_range);
    if not v_verdict.ok then
        raise exception using errcode = 'P0001',
            message = pg_catalog.format('%s: amenity %s for %s', v_verdict.reason, new.amenity_id, new.reserved_range),
            hint = case v_verdict.reason
                       when 'outside_schedule' then 'a reservation lies entirely inside the amenity''s opening hours'
                       when 'amenity_closed' then 'the amenity is closed for part of that range'
                       else 'the amenity takes no reservations now' end;
    end if;
    if new.guest_count > v_amenity.capacity then
        raise exception using errcode = 'P0001',
            message = pg_catalog.format('capacity_exceeded: %s guests, capacity %s', new.guest_count, v_amenity.capacity);
    end if;
    -- Bookings of one amenity are weighed one at a time: the lock is held until commit, so the
    -- next booking's count, taken after it, sees this one; and two overlapping bookings of an
    -- exclusive amenity meet the exclusion constraint one after the other (23P01), never in the
    -- deadlock two in-flight index entries of an exclusion constraint can wait each other into.
    perform pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtextextended('public.reservations:' || new.amenity_id::text, 0));
    if v_amenity.booking_mode <> 'shared' then
        -- An exclusive amenity's overlaps are the exclusion constraint's to refuse (23P01).
        return new;
    end if;
    -- The busiest instant of the range is the start of the range or of an overlapping booking.
    with overlapping as (
        select r.reserved_range, r.guest_count
        from public.reservations r
        where r.community_id = new.community_id and r.amenity_id = new.amenity_id and r.id <> new.id
          and r.status in ('pending', 'confirmed') and r.deleted_at is null
          and r.reserved_range && new.reserved_range
    ), instants as (
        select pg_catalog.lower(new.reserved_range) as at
        union
        select pg_catalog.lower(o.reserved_range) from overlapping o
        where pg_catalog.lower(o.reserved_range) > pg_catalog.lower(new.reserved_range)
    )
    select coalesce(max((select sum(o.guest_count) from overlapping o where o.reserved_range @> i.at)), 0)
    into v_busiest
    from instants i;
    if v_busiest + new.guest_count > v_amenity.capacity then
        raise exception using errcode = 'P0001',
            message = pg_catalog.format('capacity_exceeded: %s guests booked and %s more, capacity %s',
                                        v_busiest, new.guest_count, v_amenity.capacity),
            hint = 'a shared amenity holds overlapping reservations up to its capacity';
    end if;
    return new;
end;
