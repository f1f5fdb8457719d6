declare
    v_reservation public.reservations;
    v_amenity public.amenities;
    v_fee numeric;
    v_what text;
    v_charge uuid;
    v_deposit uuid;
begin
    perform private.assert_tenant_row('public.reservations'::regclass, p_reservation);
    -- Locked, so two calls for one reservation queue and the second finds it charged.
    select * into v_reservation from public.reservations r where r.id = p_reservation for update;
    if v_reservation.status is distinct from 'confirmed' then
        raise exception using errcode = 'P0001',
            message = pg_catalog.format('reservation_not_confirmed: %s is %s', p_reservation, v_reservation.status),
            hint = 'a reservation is charged when it is confirmed';
    end if;
    if v_reservation.charge_transaction_id is not null or v_reservation.deposit_transaction_id is not null then
        return;
    end if;
    select * into v_amenity from public.amenities a where a.id = v_reservation.amenity_id;
    v_fee := case v_amenity.fee_unit
                 when 'per_hour' then v_amenity.fee_amount
                     * extract(epoch from pg_catalog.upper(v_reservation.reserved_range)
                                          - pg_catalog.lower(v_reservation.reserved_range)) / 3600
                 else v_amenity.fee_amount end;
    if v_fee <= 0 and v_amenity.deposit_amount <= 0 then
        return;
    end if;
    v_what := pg_catalog.format('%s, %s', v_amenity.name, v_reservation.reserved_range);
    if v_fee > 0 then
        v_charge := private.record_charge(
            v_reservation.unit_id, v_fee,
            (pg_catalog.lower(v_reservation.reserved_range)
             at time zone coalesce((select c.timezone from public.communities c where c.id = v_reservation.community_id),
                                   'America/Mexico_City'))::date,
            'Reserva: ' || v_what, public.get_system_account('amenity_income', v_reservation.community_id),
            'charge', 'other');
    end if;
    if v_amenity.deposit_amount > 0 then
        v_deposit := private.record_deposit(v_reservation.unit_id, v_amenity.deposit_amount, 'other',
                                            'Depósito de reserva: ' || v_what);
    end if;
    update public.reservations
    set charge_transaction_id = v_charge, deposit_transaction_id = v_deposit,
        deposit_status = case when v_deposit is null then deposit_status else 'held' end
    where id = p_reservation;
end;
