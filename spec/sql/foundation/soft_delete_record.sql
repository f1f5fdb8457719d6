begin
    perform private.assert_tenant_row(p_table, p_id);
    execute pg_catalog.format(
        'update %s set deleted_at = pg_catalog.now() where id = $1 and deleted_at is null', p_table)
        using p_id;
end;
