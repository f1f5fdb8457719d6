declare
    v_item public.moderation_queue_items;
begin
    select * into v_item from public.moderation_queue_items q
    where q.id = p_item and q.community_id = public.get_current_community_id() and q.deleted_at is null
    for update;
    if not found then
        raise exception using errcode = 'P0001',
            message = pg_catalog.format('moderation_item_not_found: %s', p_item),
            hint = 'moderate items of your current community';
    end if;
    if v_item.status not in ('pending', 'in_review') then
        raise exception using errcode = 'P0001',
            message = pg_catalog.format('invalid_transition: %s -> %s', v_item.status, p_decision),
            hint = 'the item was already decided';
    end if;
    update public.moderation_queue_items q
    set status = p_decision, decision_notes = p_notes, decided_at = pg_catalog.now(),
        claimed_by = coalesce(q.claimed_by, auth.uid()), claimed_at = coalesce(q.claimed_at, pg_catalog.now())
    where q.id = p_item
    returning * into v_item;
    if v_item.item_type = 'listing' then
        update public.listings l
        set status = case p_decision when 'approved' then 'active' else 'rejected' end::public.listing_status
        where l.id = v_item.item_id and l.community_id = v_item.community_id and l.status = 'pending_review';
    end if;
    return next v_item;
end;
