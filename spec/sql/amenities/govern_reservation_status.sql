declare
    -- Security invoker: current_user is the writer (the platform, or an API caller).
    v_api_caller boolean := current_user in ('authenticated', 'anon');
    v_staff boolean := public.has_any_role(array['admin', 'manager']);
    v_amenity public.amenities;
begin
    select * into v_amenity from public.amenities a where a.id = new.amenity_id and a.community_id = new.community_id;
    if tg_op = 'INSERT' then
        if not found then
            -- A missing, foreign or deleted amenity: the foreign key or the booking check answers.
            return new;
        end if;
        if not v_amenity.requires_approval and new.status = 'pending' then
            new.status := 'confirmed';
        elsif v_amenity.requires_approval and new.status = 'confirmed' then
            if v_api_caller and not v_staff then
                raise exception using errcode = 'P0001',
                    message = pg_catalog.format('invalid_transition: null -> %s', new.status),
                    hint = 'reservations of an amenity that requires approval start pending; staff confirm them';
            end if;
            new.approved_at := pg_catalog.now();
            new.approved_by := auth.uid();
        end if;
        return new;
    end if;
    if v_api_caller and not v_staff
            and (pg_catalog.to_jsonb(new) - array['status', 'cancellation_reason', 'updated_at'])
                <> (pg_catalog.to_jsonb(old) - array['status', 'cancellation_reason', 'updated_at']) then
        raise exception using errcode = '42501',
            message = pg_catalog.format('not_authorized: residents may only cancel reservation %s', new.id),
            hint = 'set status to cancelled (and a cancellation_reason); staff change the rest';
    end if;
    if new.status in ('cancelled', 'rejected') and old.status in ('pending', 'confirmed') then
        -- A release is served to the waitlist (promote_waitlist) in line with the amenity's
        -- bookings and other releases, under their per-amenity lock: two releases at once would
        -- otherwise wait for each other, each promoting into the range the other still holds.
        perform pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtextextended('public.reservations:' || new.amenity_id::text, 0));
    end if;
    if new.status is distinct from old.status then
        if new.status = 'confirmed' then
            new.approved_at := pg_catalog.now();
            new.approved_by := auth.uid();
        elsif new.status = 'no_show' and (v_staff or not v_api_caller)
                and pg_catalog.now() < pg_catalog.upper(old.reserved_range) then
            -- (Anyone else marking a no-show is refused by the update policy: 42501.)
            raise exception using errcode = 'P0001',
                message = pg_catalog.format('reservation_not_ended: %s ends at %s', new.id,
                                            pg_catalog.upper(old.reserved_range)),
                hint = 'a reservation is marked a no-show after it ends';
        elsif new.status = 'cancelled' then
            -- Judged on the range booked, whatever the cancelling update writes.
            new.is_late_cancellation := pg_catalog.now() > pg_catalog.lower(old.reserved_range)
                - pg_catalog.make_interval(hours => coalesce(v_amenity.cancellation_cutoff_hours, 24));
        end if;
    end if;
    return new;
end;
