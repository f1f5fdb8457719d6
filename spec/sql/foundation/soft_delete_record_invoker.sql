declare
    v_visible boolean;
begin
    -- FOR UPDATE applies the caller's select and update policies: only a row the caller
    -- could update under RLS gets this far.
    execute pg_catalog.format('select true from %s where id = $1 for update', p_table)
        into v_visible using p_id;
    if v_visible is null then
        raise exception using errcode = '42501',
            message = pg_catalog.format('not_authorized: no row %s in %s that you may update', p_id, p_table);
    end if;
    perform private.soft_delete_record(p_table, p_id);
end;
