begin
    -- Only the caller's own active occupancies in their current community, as get_current_unit_ids
    -- reads them: a suspended resident holds no occupancy type.
    return (
        select coalesce(pg_catalog.array_agg(distinct o.occupancy_type), '{}')
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
