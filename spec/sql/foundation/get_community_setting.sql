select coalesce(
    (
        select c.settings #> pg_catalog.string_to_array(p_key, '.')
        from public.communities c
        where c.id = coalesce(p_community, public.get_current_community_id())
    ),
    p_default
)
