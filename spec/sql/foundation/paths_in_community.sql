declare
    v_prefix text := p_community::text || '/';
    v_path text;
begin
    -- A loop in PL/pgSQL: a SQL body (unnest and bool_and) costs twice as much per written
    -- row, and check constraints run on every one. A null element proves nothing, as before.
    foreach v_path in array coalesce(p_paths, '{}') loop
        if not pg_catalog.starts_with(v_path, v_prefix) then
            return false;
        end if;
    end loop;
    return true;
end;
