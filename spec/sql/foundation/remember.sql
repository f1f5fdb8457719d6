begin
    perform pg_catalog.set_config('upoe.memo.' || p_name, coalesce(p_value, ''), true);
    perform pg_catalog.set_config('upoe.memo.' || p_name || '.for', private.memo_key(), true);
    return p_value;
end;
