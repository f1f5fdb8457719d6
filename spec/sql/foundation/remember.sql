begin
    perform pg_catalog.set_config('upoe.memo.' || p_name, private.memo_key() || coalesce(p_value, ''), true);
    return p_value;
end;
