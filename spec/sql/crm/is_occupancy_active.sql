begin
    -- "Today" is the community's calendar day (X-08), never the session's current_date.
    return p_end_date is null
        or p_end_date >= (
            select (pg_catalog.now() at time zone c.timezone)::date
            from public.communities c
            where c.id = p_community
        );
end;
