declare
    v_deposit public.transactions;
    v_held numeric;
    v_retained numeric := pg_catalog.round(coalesce(p_retained_amount, 0), 2);
    v_transaction uuid;
begin
    perform private.assert_tenant_row('public.transactions'::regclass, p_deposit_transaction);
    -- Locked: two settlements of one deposit queue, and the second finds it settled.
    select * into v_deposit from public.transactions t where t.id = p_deposit_transaction for update;
    if v_deposit.transaction_type is distinct from 'deposit' then
        raise exception using errcode = 'P0001', message = pg_catalog.format('not_a_deposit: %s', p_deposit_transaction);
    end if;
    if exists (select from public.transactions t where t.community_id = v_deposit.community_id
               and t.transaction_type = 'refund' and t.reference = p_deposit_transaction::text) then
        raise exception using errcode = 'P0001', message = pg_catalog.format('already_settled: %s', p_deposit_transaction);
    end if;
    v_held := private.payment_amount(p_deposit_transaction);
    if v_retained < 0 or v_retained > v_held then
        raise exception using errcode = 'P0001', message = pg_catalog.format('invalid_amount: %s', p_retained_amount),
            hint = pg_catalog.format('retain between 0 and the deposit, %s', v_held);
    end if;
    insert into public.transactions (community_id, transaction_type, transaction_date, unit_id, description, reference)
    values (v_deposit.community_id, 'refund', public.community_today(v_deposit.community_id), v_deposit.unit_id,
            p_reason, p_deposit_transaction::text)
    returning id into v_transaction;
    insert into public.ledger_entries (community_id, transaction_id, account_id, unit_id, amount)
    values (v_deposit.community_id, v_transaction,
            public.get_system_account('security_deposits', v_deposit.community_id), v_deposit.unit_id, v_held);
    if v_retained > 0 then
        insert into public.ledger_entries (community_id, transaction_id, account_id, unit_id, amount)
        values (v_deposit.community_id, v_transaction, p_income_account, v_deposit.unit_id, -v_retained);
    end if;
    if v_held > v_retained then
        insert into public.ledger_entries (community_id, transaction_id, account_id, unit_id, amount)
        values (v_deposit.community_id, v_transaction,
                public.get_system_account('operating_bank', v_deposit.community_id), v_deposit.unit_id,
                -(v_held - v_retained));
    end if;
    return v_transaction;
end;
