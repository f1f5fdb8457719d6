begin
    if not (public.has_any_role(array['admin']) or private.is_trusted_caller()) then
        raise exception using errcode = '42501',
            message = 'not_authorized: only an admin restores soft-deleted records';
    end if;
    perform private.assert_tenant_row(p_table, p_id);
    execute pg_catalog.format('update %s set deleted_at = null where id = $1', p_table) using p_id;
end;
