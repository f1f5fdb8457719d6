declare
    v_read_at timestamptz;
begin
    -- Only the caller's own recipient row of their current community; the first read stays.
    update public.announcement_recipients ar
    set read_at = coalesce(ar.read_at, pg_catalog.now())
    where ar.announcement_id = p_announcement
      and ar.community_id = public.get_current_community_id()
      and ar.resident_id = public.get_current_resident_id()
      and ar.deleted_at is null
    returning ar.read_at into v_read_at;
    if not found then
        raise exception using errcode = '42501',
            message = pg_catalog.format('not_authorized: you did not receive announcement %s', p_announcement),
            hint = 'only its recipients mark an announcement read';
    end if;
    return v_read_at;
end;
