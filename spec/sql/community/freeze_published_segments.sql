declare
    v_status public.announcement_status;
begin
    select a.status into v_status
    from public.announcements a
    where a.id = new.announcement_id and a.community_id = new.community_id;
    -- A missing or foreign announcement is left to the foreign key.
    if v_status in ('published', 'archived')
       or (tg_op = 'UPDATE' and old.announcement_id is distinct from new.announcement_id and exists (
               select 1 from public.announcements a
               where a.id = old.announcement_id and a.status in ('published', 'archived'))) then
        raise exception using errcode = 'P0001',
            message = pg_catalog.format('published_immutable: announcement %s is already published', new.announcement_id),
            hint = 'segments change only while the announcement is a draft or scheduled';
    end if;
    return new;
end;
