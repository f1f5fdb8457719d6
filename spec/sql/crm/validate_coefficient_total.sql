begin
    -- X-10: a function taking p_community acts only on the caller's current community,
    -- unless the caller acts for the platform.
    if p_community is distinct from public.get_current_community_id()
            and not private.is_trusted_caller() then
        raise exception using errcode = '42501',
            message = 'not_authorized: validate_coefficient_total reads only your current community';
    end if;
    return query
    select t.total, 100 - t.total, t.total = 100
    from (
        select coalesce(sum(u.coefficient), 0)::numeric as total
        from public.units u
        where u.community_id = p_community
          and u.status = 'active'
          and u.deleted_at is null
    ) as t;
end;
