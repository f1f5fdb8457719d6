select exists (
    select 1
    from public.guard_assignments a
    where a.access_point_id = p_access_point
      and a.guard_id = (select public.get_current_guard_id())
      and a.community_id = (select public.get_current_community_id())
      and a.period @> p_at
      and a.deleted_at is null
)
