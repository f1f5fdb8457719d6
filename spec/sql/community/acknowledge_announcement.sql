declare
    v_recipient uuid;
    v_acknowledged_at timestamptz;
begin
    select ar.id into v_recipient
    from public.announcement_recipients ar
    where ar.announcement_id = p_announcement
      and ar.community_id = public.get_current_community_id()
      and ar.resident_id = public.get_current_resident_id()
      and ar.deleted_at is null;
    if not found then
        raise exception using errcode = '42501',
            message = pg_catalog.format('not_authorized: you did not receive announcement %s', p_announcement),
            hint = 'only its recipients acknowledge an announcement';
    end if;
    if not exists (select 1 from public.announcements a where a.id = p_announcement and a.requires_acknowledgement) then
        raise exception using errcode = 'P0001',
            message = pg_catalog.format('acknowledgement_not_required: announcement %s', p_announcement),
            hint = 'mark it read with mark_announcement_read';
    end if;
    -- The first acknowledgement (and read) stays.
    update public.announcement_recipients ar
    set acknowledged_at = coalesce(ar.acknowledged_at, pg_catalog.now()),
        read_at = coalesce(ar.read_at, pg_catalog.now())
    where ar.id = v_recipient
    returning ar.acknowledged_at into v_acknowledged_at;
    return v_acknowledged_at;
end;
