declare
    v_community uuid;
begin
    if private.is_trusted_caller() then
        return;
    end if;
    if not exists (
        select 1 from pg_catalog.pg_attribute a
        where a.attrelid = p_table and a.attname = 'community_id' and not a.attisdropped
    ) then
        raise exception using errcode = '42501',
            message = pg_catalog.format('not_authorized: %s is not a community table', p_table);
    end if;
    execute pg_catalog.format('select community_id from %s where id = $1', p_table)
        into v_community using p_id;
    if v_community is null or v_community is distinct from public.get_current_community_id() then
        raise exception using errcode = '42501',
            message = pg_catalog.format('not_authorized: no row %s in %s of your community', p_id, p_table);
    end if;
end;
