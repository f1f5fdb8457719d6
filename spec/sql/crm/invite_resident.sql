declare
    v_community uuid := public.get_current_community_id();
    v_email text := pg_catalog.lower(pg_catalog.btrim(p_email));
    v_resident uuid;
    v_today date;
begin
    if not public.has_any_role(array['admin', 'manager']) then
        raise exception using errcode = '42501',
            message = 'not_authorized: only staff invite residents';
    end if;
    if v_community is null then
        raise exception using errcode = '42501',
            message = 'not_authorized: no current community to invite into';
    end if;
    -- Invoker: the staff member's own policies apply to every read and write below.
    select r.id into v_resident
    from public.residents r
    where r.community_id = v_community
      and pg_catalog.lower(r.email) = v_email
      and r.deleted_at is null
    order by r.created_at
    limit 1;
    if v_resident is null then
        insert into public.residents (community_id, email, onboarding_status)
        values (v_community, v_email::public.email_address, 'invited')
        returning id into v_resident;
    end if;
    select (pg_catalog.now() at time zone c.timezone)::date into v_today
    from public.communities c
    where c.id = v_community;
    -- A unit of another community fails the composite key with 23503.
    insert into public.occupancies (community_id, resident_id, unit_id, occupancy_type, start_date)
    values (v_community, v_resident, p_unit, p_occupancy_type, v_today);
    return v_resident;
end;
