declare
    v_photos integer;
begin
    if tg_op = 'UPDATE' and new.listing_id = old.listing_id then
        return new;
    end if;
    -- Locking the listing makes photos added at once wait for each other's count.
    perform from public.listings l where l.id = new.listing_id and l.community_id = new.community_id
    for no key update;
    if not found then
        -- A missing or foreign listing is left to the foreign key (23503).
        return new;
    end if;
    select pg_catalog.count(*) into v_photos from public.listing_media m
    where m.community_id = new.community_id and m.listing_id = new.listing_id and m.deleted_at is null
      and m.id <> new.id;
    if v_photos >= 8 then
        raise exception using errcode = 'P0001',
            message = pg_catalog.format('media_limit: listing %s already has 8 photos', new.listing_id),
            hint = 'remove a photo before adding another';
    end if;
    return new;
end;
