declare
    v_community uuid := private.unit_community(p_unit);
    v_amount numeric := private.billed_amount(p_amount);
    v_transaction uuid;
begin
    if p_transaction_type not in ('charge', 'interest', 'penalty') then
        raise exception using errcode = 'P0001',
            message = pg_catalog.format('invalid_transaction_type: %s', p_transaction_type),
            hint = 'record_charge posts charges, interest and penalties';
    end if;
    insert into public.transactions (community_id, transaction_type, transaction_date, unit_id, fee_kind,
                                     description, due_date)
    values (v_community, p_transaction_type, coalesce(p_transaction_date, public.community_today(v_community)),
            p_unit, p_fee_kind, p_description, p_due_date)
    returning id into v_transaction;
    insert into public.ledger_entries (community_id, transaction_id, account_id, unit_id, amount)
    values (v_community, v_transaction, public.get_system_account('accounts_receivable', v_community), p_unit, v_amount),
           (v_community, v_transaction, p_income_account, p_unit, -v_amount);
    return v_transaction;
end;
