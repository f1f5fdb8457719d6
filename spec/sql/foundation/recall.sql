begin
    -- The statement's start and the raw claims settings name the moment and the caller: a
    -- value never outlives the statement that looked it up, nor serves another caller.
    if pg_catalog.current_setting('upoe.memo.' || p_name || '.for', true) = private.memo_key() then
        return pg_catalog.current_setting('upoe.memo.' || p_name, true);
    end if;
    return null;
end;
