declare
    v_invitation public.invitations%rowtype;
    v_timezone text;
    v_local timestamp;
begin
    select i.* into v_invitation
    from public.invitations i
    where i.id = p_invitation and i.deleted_at is null;
    if not found then
        raise exception using errcode = '42501',
            message = pg_catalog.format('not_authorized: no invitation %s that you may see', p_invitation);
    end if;
    if v_invitation.status = 'cancelled' then
        return query select false, 'cancelled'::text;
        return;
    end if;
    if v_invitation.status = 'used'
        or (v_invitation.max_uses is not null and v_invitation.uses_count >= v_invitation.max_uses) then
        return query select false, 'already_used'::text;
        return;
    end if;
    if v_invitation.status = 'expired'
        or (v_invitation.valid_until is not null and p_at >= v_invitation.valid_until) then
        return query select false, 'expired'::text;
        return;
    end if;
    if p_at < v_invitation.valid_from then
        return query select false, 'not_yet_valid'::text;
        return;
    end if;
    if v_invitation.invitation_type = 'recurring' then
        -- Schedules are community wall-clock times (X-08), ISO weekdays 1 = Monday.
        select c.timezone into v_timezone from public.communities c where c.id = v_invitation.community_id;
        v_local := p_at at time zone coalesce(v_timezone, 'America/Mexico_City');
        if pg_catalog.date_part('isodow', v_local)::smallint <> all (v_invitation.recurrence_days)
            or v_local::time < v_invitation.recurrence_start_time
            or v_local::time >= v_invitation.recurrence_end_time then
            return query select false, 'outside_schedule'::text;
            return;
        end if;
    end if;
    return query select true, 'ok'::text;
end;
