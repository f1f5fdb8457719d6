begin
    if not (public.has_any_role(array['admin']) or private.is_trusted_caller()) then
        raise exception using errcode = '42501',
            message = 'not_authorized: only an admin restores soft-deleted records';
    end if;
    perform private.assert_tenant_row(p_table, p_id);
    -- Defence in depth: the admin must be able to see and update the row once it is restored.
    if not private.is_trusted_caller()
        and not (private.caller_passes_policies(p_table, p_id, 'select', true)
                 and private.caller_passes_policies(p_table, p_id, 'update', true)) then
        raise exception using errcode = '42501',
            message = pg_catalog.format('not_authorized: no row %s in %s that you may restore', p_id, p_table);
    end if;
    execute pg_catalog.format('update %s set deleted_at = null where id = $1', p_table) using p_id;
end;
