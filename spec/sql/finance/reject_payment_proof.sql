declare
    v_proof public.payment_proofs;
begin
    perform private.assert_tenant_row('public.payment_proofs'::regclass, p_proof);
    select * into v_proof from public.payment_proofs p where p.id = p_proof and p.deleted_at is null for update;
    if v_proof.status <> 'pending' then
        raise exception using errcode = 'P0001',
            message = pg_catalog.format('invalid_transition: %s -> rejected', v_proof.status),
            hint = 'only pending proofs are decided';
    end if;
    update public.payment_proofs set status = 'rejected', rejection_reason = p_reason where id = p_proof;
end;
