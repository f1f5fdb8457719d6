declare
    v_command "char";
    v_permissive text;
    v_restrictive text;
    v_source text;
    v_passes boolean;
begin
    v_command := case pg_catalog.lower(p_command)
        when 'select' then 'r' when 'update' then 'w' when 'delete' then 'd' end;
    if v_command is null then
        raise exception using errcode = '22023',
            message = pg_catalog.format('caller_passes_policies: %s is not select, update or delete', p_command);
    end if;
    -- Fail closed: a table without RLS, or a command `authenticated` may not run at all.
    if not exists (select 1 from pg_catalog.pg_class c where c.oid = p_table and c.relrowsecurity)
        or not (case when v_command = 'd'
                     then pg_catalog.has_table_privilege('authenticated', p_table, 'delete')
                     else pg_catalog.has_any_column_privilege('authenticated', p_table, p_command) end) then
        return false;
    end if;
    -- The policies PostgreSQL would apply to `authenticated` for this command: permissive ones
    -- OR'd, restrictive ones AND'd; a policy without USING adds nothing; no permissive one
    -- denies. Deparsed under search_path '', so every name in them is qualified.
    select pg_catalog.string_agg('(' || pg_catalog.pg_get_expr(p.polqual, p.polrelid) || ')', ' or ')
               filter (where p.polpermissive),
           pg_catalog.string_agg('(' || pg_catalog.pg_get_expr(p.polqual, p.polrelid) || ')', ' and ')
               filter (where not p.polpermissive)
    into v_permissive, v_restrictive
    from pg_catalog.pg_policy p
    where p.polrelid = p_table
      and p.polcmd in (v_command, '*')
      and p.polqual is not null
      and exists (
          select 1 from pg_catalog.unnest(p.polroles) as r(oid)
          where r.oid = 0 or pg_catalog.pg_has_role('authenticated', r.oid, 'member')
      );
    if v_permissive is null then
        return false;
    end if;
    if p_restored then
        -- The row as restore_record would leave it: deleted_at null, every other column as stored.
        select pg_catalog.format('(select %s from %s where id = $1) as %I',
                   pg_catalog.string_agg(
                       case when a.attname = 'deleted_at'
                            then 'null::timestamptz as deleted_at'
                            else pg_catalog.quote_ident(a.attname) end, ', ' order by a.attnum),
                   p_table, c.relname)
        into v_source
        from pg_catalog.pg_attribute a
        join pg_catalog.pg_class c on c.oid = a.attrelid
        where a.attrelid = p_table and a.attnum > 0 and not a.attisdropped
        group by c.relname;
    else
        v_source := p_table::text;
    end if;
    -- The expressions read the caller's JWT (auth.*(), get_current_community_id(), has_any_role()),
    -- so they judge the caller even when evaluated inside a security-definer function.
    execute pg_catalog.format('select exists (select 1 from %s where id = $1 and (%s) and (%s))',
                              v_source, v_permissive, coalesce(v_restrictive, 'true'))
        into v_passes using p_id;
    return v_passes;
end;
