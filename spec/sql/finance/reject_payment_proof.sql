begin
    perform private.pending_proof(p_proof, 'rejected');
    update public.payment_proofs set status = 'rejected', rejection_reason = p_reason where id = p_proof;
end;
