begin
    return query
    update public.moderation_queue_items q
    set status = 'in_review', claimed_by = auth.uid(), claimed_at = pg_catalog.now()
    where q.id = (select i.id from public.moderation_queue_items i
                  where i.community_id = public.get_current_community_id() and i.status = 'pending'
                    and i.deleted_at is null
                  order by i.priority desc, i.created_at, i.id
                  limit 1
                  -- An item another moderator is taking is skipped, not waited for.
                  for update skip locked)
    returning q.*;
end;
