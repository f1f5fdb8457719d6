declare
    v_amenity public.amenities;
    v_changed boolean := tg_op = 'INSERT' or new.status is distinct from old.status;
begin
    if not v_changed then
        return null;
    end if;
    if new.status = 'confirmed' then
        perform private.charge_reservation(new.id);
        return null;
    end if;
    if tg_op = 'INSERT' then
        -- A row born cancelled or a no-show (the platform's history) was never charged.
        return null;
    end if;
    if new.status = 'cancelled' then
        if new.charge_transaction_id is not null and not new.is_late_cancellation then
            perform private.reverse_transaction(new.charge_transaction_id, 'Reserva cancelada a tiempo');
        end if;
        if new.deposit_status in ('held', 'inspection_pending') then
            perform private.settle_deposit(new.deposit_transaction_id, 0, 'Reserva cancelada',
                                           public.get_system_account('amenity_income', new.community_id));
            update public.reservations set deposit_status = 'refunded' where id = new.id;
        end if;
    elsif new.status = 'no_show' then
        select * into v_amenity from public.amenities a where a.id = new.amenity_id;
        if v_amenity.no_show_fee > 0 then
            perform private.record_charge(new.unit_id, v_amenity.no_show_fee, public.community_today(new.community_id),
                                          pg_catalog.format('No presentado: %s, %s', v_amenity.name,
                                                            new.reserved_range),
                                          public.get_system_account('fines_income', new.community_id), 'penalty');
        end if;
    end if;
    return null;
end;
