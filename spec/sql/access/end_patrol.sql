declare
    v_current public.patrol_status;
    v_missed uuid[];
    v_status public.patrol_status;
begin
    select progress.missed into v_missed from public.patrol_progress(p_patrol_log) as progress;
    select p.status into v_current from public.patrol_logs p where p.id = p_patrol_log;
    if v_current <> 'in_progress' then
        raise exception using errcode = 'P0001',
            message = pg_catalog.format('patrol_not_in_progress: patrol %s is %s', p_patrol_log, v_current);
    end if;
    v_status := case when pg_catalog.cardinality(v_missed) = 0 then 'completed' else 'incomplete' end;
    update public.patrol_logs p set status = v_status where p.id = p_patrol_log;
    if not found then
        raise exception using errcode = '42501',
            message = pg_catalog.format('not_authorized: you may not end patrol %s', p_patrol_log);
    end if;
    return v_status;
end;
