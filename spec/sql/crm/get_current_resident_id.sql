declare
    -- Looked up once per statement, however many rows ask (column defaults, row triggers).
    v_known text := private.recall('resident_id');
begin
    if v_known is not null then
        return nullif(v_known, '')::uuid;
    end if;
    -- Only the caller's own row of their current community: nothing here depends on arguments.
    return private.remember('resident_id', (
        select r.id::text
        from public.residents r
        where r.user_id = auth.uid()
          and r.community_id = public.get_current_community_id()
          and r.deleted_at is null
        limit 1
    ))::uuid;
end;
