begin
    perform private.assert_tenant_row(p_table, p_id);
    -- Defence in depth: the public wrapper has already locked the row as the caller
    -- (select ... for update); a direct call of this body must pass the same policies.
    if not private.is_trusted_caller()
        and not (private.caller_passes_policies(p_table, p_id, 'select')
                 and private.caller_passes_policies(p_table, p_id, 'update')) then
        raise exception using errcode = '42501',
            message = pg_catalog.format('not_authorized: no row %s in %s that you may update', p_id, p_table);
    end if;
    execute pg_catalog.format(
        'update %s set deleted_at = pg_catalog.now() where id = $1 and deleted_at is null', p_table)
        using p_id;
end;
