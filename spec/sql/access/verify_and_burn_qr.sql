declare
    v_community uuid;
    v_direction public.access_direction;
    v_code public.qr_codes%rowtype;
    v_invitation public.invitations%rowtype;
    v_ok boolean;
    v_reason text;
begin
    select ap.community_id, ap.direction into v_community, v_direction
    from public.access_points ap
    where ap.id = p_access_point and ap.deleted_at is null;
    if v_community is null
        or (not private.is_trusted_caller()
            and (v_community is distinct from public.get_current_community_id()
                 or not (public.has_any_role(array['admin', 'manager'])
                         or (public.has_any_role(array['guard'])
                             and public.is_on_duty_guard(p_access_point, pg_catalog.now()))))) then
        raise exception using errcode = '42501',
            message = pg_catalog.format(
                'not_authorized: only the on-duty guard of access point %s, staff or the platform verify QR codes',
                p_access_point);
    end if;

    -- The row lock makes concurrent verifications of one code queue up: the second one
    -- reads the code as the first one left it (burned), so a single-use code is granted once.
    select q.* into v_code
    from public.qr_codes q
    where q.community_id = v_community and q.payload = p_payload and q.deleted_at is null
    for update;
    if not found
        or not private.verify_payload_signature(v_community, p_payload, p_signature, v_code.key_version) then
        return query select 'denied'::text, 'invalid_signature'::text;
        return;
    end if;
    if v_code.status = 'burned' then
        return query select 'denied'::text, 'already_burned'::text;
        return;
    end if;
    if v_code.status = 'revoked' then
        return query select 'denied'::text, 'revoked'::text;
        return;
    end if;
    if v_code.status = 'expired' or (v_code.expires_at is not null and v_code.expires_at <= pg_catalog.now()) then
        if v_code.status = 'active' then
            update public.qr_codes q set status = 'expired' where q.id = v_code.id;
        end if;
        return query select 'denied'::text, 'expired'::text;
        return;
    end if;

    -- Uses belong to the invitation, not to one of its codes: lock the invitation before deciding,
    -- so that verifications of different codes of one invitation queue up too. The one that waited
    -- reads the invitation as the first one left it (its use counted, `used` at max_uses) and is
    -- denied already_used.
    select i.* into v_invitation
    from public.invitations i
    where i.id = v_code.invitation_id and i.deleted_at is null
    for update;
    if not found then
        return query select 'denied'::text, 'revoked'::text;
        return;
    end if;
    select v.ok, v.reason into v_ok, v_reason
    from public.validate_invitation(v_invitation.id, pg_catalog.now()) as v;
    if not v_ok then
        return query select 'denied'::text, case v_reason when 'cancelled' then 'revoked' else v_reason end;
        return;
    end if;

    -- A code of a single-use invitation validates once: burn it where and by whom it was used.
    if v_invitation.invitation_type = 'single_use' or v_invitation.max_uses = 1 then
        update public.qr_codes q
        set status = 'burned',
            burned_at_access_point_id = p_access_point,
            burned_by_guard_id = public.get_current_guard_id()
        where q.id = v_code.id;
    end if;

    -- The admission is logged here, once, and that log is its use: the access_logs trigger
    -- (count_invitation_use) adds it to uses_count in this transaction, while the invitation is
    -- still locked. The gate's client must not log this entry again.
    insert into public.access_logs (community_id, access_point_id, direction, method, result, person_type,
                                    unit_id, invitation_id, guard_id)
    values (v_community, p_access_point,
            case when v_direction = 'both' then 'entry'::public.access_direction else v_direction end,
            'qr_code', 'granted', 'visitor', v_invitation.unit_id, v_invitation.id,
            public.get_current_guard_id());
    return query select 'granted'::text, 'ok'::text;
end;
