declare
    -- Column defaults and the guard-column trigger ask once per written row: the answer is
    -- kept for the rest of the statement, for these claims only (see private.memo_key).
    v_key text := private.memo_key();
    v_kept text := pg_catalog.current_setting('upoe.memo.guard_id', true);
    v_id uuid;
begin
    if pg_catalog.starts_with(v_kept, v_key) then
        return nullif(pg_catalog.substr(v_kept, pg_catalog.length(v_key) + 1), '')::uuid;
    end if;
    v_id := (
        select g.id
        from public.guards g
        where g.user_id = auth.uid()
          and g.community_id = public.get_current_community_id()
          and g.status = 'active'
          and g.deleted_at is null
        limit 1
    );
    perform pg_catalog.set_config('upoe.memo.guard_id', v_key || coalesce(v_id::text, ''), true);
    return v_id;
end;
