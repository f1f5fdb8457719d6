declare
    v_status public.announcement_status;
    v_recipients integer;
begin
    select a.status into v_status
    from public.announcements a
    where a.id = p_announcement and a.community_id = public.get_current_community_id() and a.deleted_at is null
    for update;
    if not found then
        raise exception using errcode = 'P0001',
            message = pg_catalog.format('announcement_not_found: %s', p_announcement),
            hint = 'publish announcements of your current community';
    end if;
    if v_status not in ('draft', 'scheduled') then
        raise exception using errcode = 'P0001',
            message = pg_catalog.format('invalid_transition: %s -> published', v_status),
            hint = 'the announcement was already published';
    end if;
    -- The status change writes the recipients (materialise_announcement_recipients).
    update public.announcements a set status = 'published' where a.id = p_announcement;
    select pg_catalog.count(*)::integer into v_recipients
    from public.announcement_recipients ar
    where ar.announcement_id = p_announcement and ar.deleted_at is null;
    return v_recipients;
end;
