declare
    v_verdict record;
begin
    -- Only an active row changing what it books is weighed: a status change alone (a
    -- confirmation, a cancellation) keeps the booking it had.
    if new.status not in ('pending', 'confirmed') or new.deleted_at is not null
            or tg_op = 'UPDATE' and old.status in ('pending', 'confirmed') and old.deleted_at is null
               and new.amenity_id = old.amenity_id and new.unit_id = old.unit_id
               and new.reserved_range = old.reserved_range and new.guest_count = old.guest_count then
        return new;
    end if;
    if new.community_id is distinct from public.get_current_community_id() and not private.is_trusted_caller() then
        -- A row for another community: row-level security refuses it (42501), unweighed.
        return new;
    end if;
    if not exists (select from public.amenities a where a.id = new.amenity_id and a.community_id = new.community_id)
            or not exists (select from public.units u where u.id = new.unit_id and u.community_id = new.community_id) then
        -- A missing or foreign amenity or unit: the foreign key answers (23503).
        return new;
    end if;
    -- Bookings of one amenity are counted one at a time: the lock is held until commit, so the
    -- next booking's quota, counted after it, sees this one. It is check_reservation_booking's
    -- per-amenity lock (taken again at no cost), here for a change of unit alone, which that
    -- trigger does not weigh.
    perform pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtextextended('public.reservations:' || new.amenity_id::text, 0));
    select * into v_verdict from private.validate_reservation(new);
    if not v_verdict.ok then
        raise exception using errcode = 'P0001',
            message = pg_catalog.format('%s: unit %s, amenity %s, %s', v_verdict.reason, new.unit_id, new.amenity_id,
                                        new.reserved_range),
            hint = case v_verdict.reason
                       when 'quota_exceeded' then 'the unit has booked this amenity as often as its rules allow in the period'
                       when 'advance_window' then 'the amenity''s rules say how soon and how far ahead it may be booked'
                       when 'duration_limit' then 'the amenity''s rules say how short or long a booking may be'
                       when 'guest_limit' then 'the amenity''s rules limit the guests of one booking'
                       when 'unit_type_not_allowed' then 'the amenity''s rules name the kinds of unit that may book it'
                       when 'unit_delinquent' then 'units with an open block_amenities delinquency action cannot book'
                       else 'the amenity takes no reservations' end;
    end if;
    return new;
end;
