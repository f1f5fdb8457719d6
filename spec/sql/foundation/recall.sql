declare
    -- One setting holds the key it was kept under, then the value.
    v_kept text := pg_catalog.current_setting('upoe.memo.' || p_name, true);
    v_key text;
begin
    if v_kept is null or v_kept = '' then
        return null;
    end if;
    -- The statement's start and the raw claims settings name the moment and the caller: a
    -- value never outlives the statement that looked it up, nor serves another caller.
    v_key := private.memo_key();
    if pg_catalog.starts_with(v_kept, v_key) then
        return pg_catalog.substr(v_kept, pg_catalog.length(v_key) + 1);
    end if;
    return null;
end;
