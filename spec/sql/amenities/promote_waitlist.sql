declare
    v_entry public.amenity_waitlist_entries;
    v_reservation uuid;
    v_promoted integer := 0;
begin
    perform private.assert_tenant_row('public.amenities'::regclass, p_amenity);
    for v_entry in
        select * from public.amenity_waitlist_entries w
        where w.amenity_id = p_amenity and w.status = 'waiting' and w.deleted_at is null
          and w.desired_range && p_range and pg_catalog.lower(w.desired_range) > pg_catalog.now()
        order by w.created_at, w.id
        for update
    loop
        begin
            -- Booked as the platform: the reservation's triggers still weigh it (opening hours,
            -- double booking, capacity, booking rules) and start it pending or confirmed.
            insert into public.reservations (community_id, amenity_id, unit_id, resident_id, reserved_range,
                                             guest_count)
            values (v_entry.community_id, v_entry.amenity_id, v_entry.unit_id, v_entry.resident_id,
                    v_entry.desired_range, v_entry.guest_count)
            returning id into v_reservation;
        exception when exclusion_violation or raise_exception or check_violation then
            -- It does not fit (yet): the entry keeps its place in the line.
            continue;
        end;
        update public.amenity_waitlist_entries
        set status = 'promoted', promoted_reservation_id = v_reservation
        where id = v_entry.id;
        v_promoted := v_promoted + 1;
    end loop;
    return v_promoted;
end;
