begin
    -- X-10: a function taking p_community acts only on the caller's current community,
    -- unless the caller is the platform (service_role, super_admin, jobs without a JWT).
    if p_community is not null
        and p_community is distinct from public.get_current_community_id()
        and not private.is_trusted_caller() then
        raise exception using errcode = '42501',
            message = 'not_authorized: settings are read only for your current community';
    end if;
    return coalesce(
        (
            select c.settings #> pg_catalog.string_to_array(p_key, '.')
            from public.communities c
            where c.id = coalesce(p_community, public.get_current_community_id())
        ),
        p_default
    );
end;
