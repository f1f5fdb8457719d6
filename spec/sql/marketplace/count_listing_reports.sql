declare
    v_status public.listing_status;
    v_reporters integer;
begin
    -- Locking the listing makes reports made at once count one after the other.
    select l.status into v_status from public.listings l
    where l.id = new.listing_id and l.community_id = new.community_id
    for no key update;
    if v_status is distinct from 'active' then
        return null;
    end if;
    select pg_catalog.count(distinct r.reporter_id) into v_reporters from public.listing_reports r
    where r.community_id = new.community_id and r.listing_id = new.listing_id and r.deleted_at is null;
    if v_reporters >= (public.get_community_setting('marketplace.report_threshold', '3'::jsonb,
                                                    new.community_id))::integer then
        -- Queued first, so the listing's own queueing finds the item and adds none.
        insert into public.moderation_queue_items (community_id, item_type, item_id, reason, priority)
        values (new.community_id, 'listing', new.listing_id, 'reported', 1);
        update public.listings l set status = 'pending_review'
        where l.id = new.listing_id and l.community_id = new.community_id;
    end if;
    return null;
end;
