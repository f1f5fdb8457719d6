declare
    v_community uuid := private.unit_community(p_unit);
    v_amount numeric := private.billed_amount(p_amount);
    v_transaction uuid;
begin
    insert into public.transactions (community_id, transaction_type, transaction_date, unit_id, description,
                                     payment_method)
    values (v_community, 'deposit', public.community_today(v_community), p_unit, p_description, p_method)
    returning id into v_transaction;
    insert into public.ledger_entries (community_id, transaction_id, account_id, unit_id, amount)
    values (v_community, v_transaction, public.get_system_account('operating_bank', v_community), p_unit, v_amount),
           (v_community, v_transaction, public.get_system_account('security_deposits', v_community), p_unit,
            -v_amount);
    return v_transaction;
end;
