declare
    v_community uuid := private.unit_community(p_unit);
    v_amount numeric := pg_catalog.round(p_amount, 2);
    v_transaction uuid;
begin
    if v_amount is null or v_amount = 0 then
        raise exception using errcode = 'P0001', message = pg_catalog.format('invalid_amount: %s', p_amount),
            hint = 'an adjustment raises (positive) or lowers (negative) the debt';
    end if;
    if p_reason is null or pg_catalog.btrim(p_reason) = '' then
        raise exception using errcode = '23514', message = 'an adjustment needs a reason';
    end if;
    insert into public.transactions (community_id, transaction_type, transaction_date, unit_id, description)
    values (v_community, 'adjustment', public.community_today(v_community), p_unit, p_reason)
    returning id into v_transaction;
    insert into public.ledger_entries (community_id, transaction_id, account_id, unit_id, amount)
    values (v_community, v_transaction, public.get_system_account('accounts_receivable', v_community), p_unit, v_amount),
           (v_community, v_transaction, public.get_system_account('other_income', v_community), p_unit, -v_amount);
    return v_transaction;
end;
