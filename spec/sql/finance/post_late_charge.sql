declare
    v_charge public.transactions;
    v_application uuid;
begin
    select * into v_charge from public.transactions t where t.id = p_charge;
    insert into public.interest_applications (community_id, charge_transaction_id, period_start)
    values (v_charge.community_id, p_charge, p_period_start)
    on conflict (community_id, charge_transaction_id, period_start) where deleted_at is null do nothing
    returning id into v_application;
    if v_application is null then
        return false;
    end if;
    update public.interest_applications set transaction_id = private.record_charge(
        v_charge.unit_id, p_amount, p_as_of, p_description, p_account, p_transaction_type, v_charge.fee_kind, p_as_of)
    where id = v_application;
    return true;
end;
