declare
    v_media integer;
begin
    if new.deleted_at is not null or (tg_op = 'UPDATE' and old.deleted_at is null and new.post_id = old.post_id) then
        return new;
    end if;
    -- Security definer: counts the post's media whoever added them. The post's row is locked, so
    -- two uploads at once are counted one after the other.
    perform 1 from public.posts p where p.id = new.post_id and p.community_id = new.community_id for update;
    select pg_catalog.count(*) into v_media
    from public.post_media m
    where m.post_id = new.post_id and m.community_id = new.community_id and m.deleted_at is null;
    if v_media >= 10 then
        raise exception using errcode = 'P0001',
            message = pg_catalog.format('media_limit: post %s already has %s photos or videos', new.post_id, v_media),
            hint = 'a post holds at most 10 photos or videos; remove one first';
    end if;
    return new;
end;
