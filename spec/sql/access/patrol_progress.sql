declare
    v_route uuid;
begin
    select p.route_id into v_route
    from public.patrol_logs p
    where p.id = p_patrol_log and p.deleted_at is null;
    if not found then
        raise exception using errcode = '42501',
            message = pg_catalog.format('not_authorized: no patrol log %s that you may see', p_patrol_log);
    end if;
    return query
    with route as (
        select rc.checkpoint_id, min(rc.sequence_order) as first_order
        from public.patrol_route_checkpoints rc
        where rc.route_id = v_route and rc.deleted_at is null
        group by rc.checkpoint_id
    ), seen as (
        select distinct s.checkpoint_id
        from public.patrol_checkpoint_scans s
        where s.patrol_log_id = p_patrol_log
    )
    select pg_catalog.count(*)::integer,
           pg_catalog.count(seen.checkpoint_id)::integer,
           coalesce(pg_catalog.array_agg(route.checkpoint_id order by route.first_order)
                        filter (where seen.checkpoint_id is null), '{}'::uuid[]),
           case when pg_catalog.count(*) = 0 then 0::numeric
                else pg_catalog.round(100.0 * pg_catalog.count(seen.checkpoint_id) / pg_catalog.count(*), 2)
           end
    from route
    left join seen on seen.checkpoint_id = route.checkpoint_id;
end;
