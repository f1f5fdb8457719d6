declare
    v_reservation public.reservations;
    v_retained numeric := pg_catalog.round(coalesce(p_retained_amount, 0), 2);
    v_settlement uuid;
begin
    perform private.assert_tenant_row('public.reservations'::regclass, p_reservation);
    select * into v_reservation from public.reservations r where r.id = p_reservation for update;
    if v_reservation.deposit_status not in ('held', 'inspection_pending') then
        raise exception using errcode = 'P0001',
            message = pg_catalog.format('deposit_not_held: reservation %s, deposit %s', p_reservation,
                                        v_reservation.deposit_status);
    end if;
    if pg_catalog.now() < pg_catalog.upper(v_reservation.reserved_range) then
        raise exception using errcode = 'P0001',
            message = pg_catalog.format('reservation_not_ended: %s ends at %s', p_reservation,
                                        pg_catalog.upper(v_reservation.reserved_range)),
            hint = 'a deposit is settled after the event';
    end if;
    v_settlement := private.settle_deposit(v_reservation.deposit_transaction_id, v_retained, p_reason,
                                           public.get_system_account('amenity_income', v_reservation.community_id));
    update public.reservations
    set deposit_status = case when v_retained = 0 then 'refunded'
                              when v_retained < private.payment_amount(v_reservation.deposit_transaction_id)
                                  then 'partially_retained'
                              else 'retained' end::public.deposit_status
    where id = p_reservation;
    return v_settlement;
end;
