declare
    v_name text := pg_catalog.format('%s', p_table);
    v_base text := (select c.relname from pg_catalog.pg_class c where c.oid = p_table);
begin
    execute pg_catalog.format('alter table %s enable row level security', v_name);
    execute pg_catalog.format('revoke delete, truncate on table %s from anon, authenticated', v_name);
    execute pg_catalog.format('revoke all on table %s from anon', v_name);
    execute pg_catalog.format(
        'create policy %I on %s as permissive for select to authenticated '
        'using (community_id = (select public.get_current_community_id()) and deleted_at is null)',
        v_base || '_select', v_name);
    execute pg_catalog.format(
        'create policy %I on %s as permissive for insert to authenticated '
        'with check (community_id = (select public.get_current_community_id()))',
        v_base || '_insert', v_name);
    execute pg_catalog.format(
        'create policy %I on %s as permissive for update to authenticated '
        'using (community_id = (select public.get_current_community_id()) and deleted_at is null) '
        'with check (community_id = (select public.get_current_community_id()))',
        v_base || '_update', v_name);
end;
