begin
    if tg_op = 'UPDATE' and old.status = 'pending_review' then
        return null;
    end if;
    if not exists (select from public.moderation_queue_items q
                   where q.community_id = new.community_id and q.item_type = 'listing' and q.item_id = new.id
                     and q.status in ('pending', 'in_review') and q.deleted_at is null) then
        insert into public.moderation_queue_items (community_id, item_type, item_id, reason)
        values (new.community_id, 'listing', new.id,
                case when tg_op = 'UPDATE' and old.status = 'active' then 'edited_listing'
                     else 'new_listing' end::public.moderation_reason);
    end if;
    return null;
end;
