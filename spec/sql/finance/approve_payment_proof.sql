declare
    v_proof public.payment_proofs;
    v_payment uuid;
begin
    perform private.assert_tenant_row('public.payment_proofs'::regclass, p_proof);
    -- Locked: two approvals of one proof queue, and the second finds it decided.
    select * into v_proof from public.payment_proofs p where p.id = p_proof and p.deleted_at is null for update;
    if v_proof.status <> 'pending' then
        raise exception using errcode = 'P0001',
            message = pg_catalog.format('invalid_transition: %s -> approved', v_proof.status),
            hint = 'only pending proofs are decided';
    end if;
    v_payment := private.record_payment(v_proof.unit_id, v_proof.amount, v_proof.method, null,
                                        v_proof.bank_reference, v_proof.paid_at);
    update public.payment_proofs set status = 'approved', payment_transaction_id = v_payment where id = p_proof;
    return v_payment;
end;
