declare
    v_published integer;
begin
    -- The status change writes each one's recipients (materialise_announcement_recipients).
    update public.announcements a
    set status = 'published'
    where a.status = 'scheduled' and a.publish_at <= p_as_of and a.deleted_at is null;
    get diagnostics v_published = row_count;
    return v_published;
end;
