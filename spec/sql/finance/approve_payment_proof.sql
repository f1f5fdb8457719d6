declare
    v_proof public.payment_proofs := private.pending_proof(p_proof, 'approved');
    v_payment uuid;
begin
    v_payment := private.record_payment(v_proof.unit_id, v_proof.amount, v_proof.method, null,
                                        v_proof.bank_reference, v_proof.paid_at);
    update public.payment_proofs set status = 'approved', payment_transaction_id = v_payment where id = p_proof;
    return v_payment;
end;
