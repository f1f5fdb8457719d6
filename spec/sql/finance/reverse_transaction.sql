declare
    v_original public.transactions;
    v_transaction uuid;
begin
    perform private.assert_tenant_row('public.transactions'::regclass, p_transaction);
    -- Locked, so two reversals of one transaction queue and the second sees the first.
    select * into v_original from public.transactions t where t.id = p_transaction for update;
    if v_original.transaction_type = 'reversal' then
        raise exception using errcode = 'P0001', message = pg_catalog.format('cannot_reverse_reversal: %s', p_transaction),
            hint = 'record the original event again instead';
    end if;
    if exists (select from public.transactions r where r.reverses_transaction_id = p_transaction) then
        raise exception using errcode = 'P0001', message = pg_catalog.format('already_reversed: %s', p_transaction);
    end if;
    insert into public.transactions (community_id, transaction_type, transaction_date, unit_id, fee_kind,
                                     description, reference, reverses_transaction_id)
    values (v_original.community_id, 'reversal', public.community_today(v_original.community_id), v_original.unit_id,
            v_original.fee_kind, p_reason, v_original.reference, p_transaction)
    returning id into v_transaction;
    insert into public.ledger_entries (community_id, transaction_id, account_id, unit_id, amount, memo)
    select e.community_id, v_transaction, e.account_id, e.unit_id, -e.amount, 'reversal'
    from public.ledger_entries e where e.transaction_id = p_transaction;
    -- A reversed payment settles nothing any more.
    update public.payment_allocations set deleted_at = pg_catalog.now()
    where payment_transaction_id = p_transaction and deleted_at is null;
    return v_transaction;
end;
