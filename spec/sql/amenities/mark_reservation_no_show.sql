declare
    v_status public.reservation_status;
begin
    perform private.assert_tenant_row('public.reservations'::regclass, p_reservation);
    select r.status into v_status from public.reservations r where r.id = p_reservation for update;
    if v_status is distinct from 'confirmed' then
        -- Setting the status it has would change nothing: a no-show is marked once.
        raise exception using errcode = 'P0001',
            message = pg_catalog.format('invalid_transition: %s -> no_show', v_status),
            hint = 'only a confirmed reservation is marked a no-show';
    end if;
    -- The change is judged (ended) and priced (no_show_fee) by the reservation's triggers.
    update public.reservations set status = 'no_show' where id = p_reservation;
end;
