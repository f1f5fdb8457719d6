declare
    v_released integer;
begin
    update public.moderation_queue_items q
    set status = 'pending', claimed_by = null, claimed_at = null
    where q.status = 'in_review' and q.claimed_at < p_as_of - interval '15 minutes' and q.deleted_at is null;
    get diagnostics v_released = row_count;
    return v_released;
end;
