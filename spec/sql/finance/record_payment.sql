declare
    v_community uuid := private.unit_community(p_unit);
    v_amount numeric := private.billed_amount(p_amount);
    v_receivable uuid := public.get_system_account('accounts_receivable', v_community);
    v_bank uuid;
    v_transaction uuid;
    v_left numeric;
    v_charge record;
    v_part numeric;
begin
    -- One payment of a unit at a time: two payments never allocate the same open amount.
    perform from public.units u where u.id = p_unit for update;
    if p_bank_account is null then
        v_bank := public.get_system_account('operating_bank', v_community);
    else
        select b.account_id into v_bank from public.bank_accounts b
        where b.id = p_bank_account and b.community_id = v_community and b.deleted_at is null;
        if v_bank is null then
            raise exception using errcode = 'P0001',
                message = pg_catalog.format('bank_account_not_found: %s', p_bank_account),
                hint = 'name a bank account of the unit''s community, or null for the operating bank';
        end if;
    end if;
    insert into public.transactions (community_id, transaction_type, transaction_date, unit_id, description,
                                     reference, payment_method)
    values (v_community, 'payment', private.community_date(coalesce(p_paid_at, pg_catalog.now()), v_community),
            p_unit, 'Payment', p_reference, p_method)
    returning id into v_transaction;
    insert into public.ledger_entries (community_id, transaction_id, account_id, unit_id, amount)
    values (v_community, v_transaction, v_bank, p_unit, v_amount);
    -- Oldest charge first; what is left over is an advance in the unit's favour.
    v_left := v_amount;
    for v_charge in
        select c.transaction_id, c.open_amount from private.open_charges(p_unit) c
        order by c.due_date nulls last, c.transaction_date, c.transaction_id
    loop
        exit when v_left <= 0;
        v_part := least(v_left, v_charge.open_amount);
        insert into public.payment_allocations (community_id, payment_transaction_id, charge_transaction_id,
                                                unit_id, amount)
        values (v_community, v_transaction, v_charge.transaction_id, p_unit, v_part);
        v_left := v_left - v_part;
    end loop;
    if v_amount > v_left then
        insert into public.ledger_entries (community_id, transaction_id, account_id, unit_id, amount)
        values (v_community, v_transaction, v_receivable, p_unit, -(v_amount - v_left));
    end if;
    if v_left > 0 then
        insert into public.ledger_entries (community_id, transaction_id, account_id, unit_id, amount)
        values (v_community, v_transaction, public.get_system_account('resident_advances', v_community), p_unit,
                -v_left);
    end if;
    return v_transaction;
end;
