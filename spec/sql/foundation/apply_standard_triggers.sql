declare
    v_name text := pg_catalog.format('%s', p_table);
begin
    execute pg_catalog.format(
        'create trigger set_audit_fields before insert or update on %s '
        'for each row execute function public.set_audit_fields()', v_name);
    if p_immutable then
        execute pg_catalog.format(
            'create trigger prevent_mutation before update or delete on %s '
            'for each row execute function public.prevent_mutation()', v_name);
        execute pg_catalog.format(
            'create trigger prevent_truncate before truncate on %s '
            'for each statement execute function public.prevent_mutation()', v_name);
    end if;
end;
