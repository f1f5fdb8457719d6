begin
    -- Only the caller's own occupancies in their current community; a suspended resident
    -- keeps their row but no longer acts for their units.
    return (
        select coalesce(pg_catalog.array_agg(distinct o.unit_id), '{}')
        from public.residents r
        join public.occupancies o on o.community_id = r.community_id and o.resident_id = r.id
        where r.user_id = auth.uid()
          and r.community_id = public.get_current_community_id()
          and r.deleted_at is null
          and r.onboarding_status <> 'suspended'
          and o.deleted_at is null
          and public.is_occupancy_active(o.end_date, o.community_id)
    );
end;
