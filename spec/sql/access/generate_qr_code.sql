declare
    v_invitation public.invitations%rowtype;
    v_id uuid := public.generate_uuid_v7();
    v_payload text;
    v_signature text;
    v_version integer;
begin
    select i.* into v_invitation
    from public.invitations i
    where i.id = p_invitation and i.deleted_at is null;
    if not found
        or (not private.is_trusted_caller()
            and (v_invitation.community_id is distinct from public.get_current_community_id()
                 or not (public.has_any_role(array['admin', 'manager'])
                         or (public.has_any_role(array['resident'])
                             and v_invitation.unit_id = any (public.get_current_unit_ids()))))) then
        raise exception using errcode = '42501',
            message = pg_catalog.format(
                'not_authorized: only staff and the occupants of its unit issue QR codes for invitation %s',
                p_invitation);
    end if;
    -- No code for an invitation that can admit nobody any more: not active, past its end, or
    -- with no use left (verify_and_burn_qr would deny every such code).
    if v_invitation.status <> 'active'
        or (v_invitation.valid_until is not null and v_invitation.valid_until <= pg_catalog.now())
        or (v_invitation.max_uses is not null and v_invitation.uses_count >= v_invitation.max_uses) then
        raise exception using errcode = 'P0001',
            message = pg_catalog.format('invitation_not_active: invitation %s is %s', p_invitation,
                                        case when v_invitation.status <> 'active' then v_invitation.status::text
                                             when v_invitation.max_uses is not null
                                                  and v_invitation.uses_count >= v_invitation.max_uses then 'used'
                                             else 'expired' end);
    end if;
    v_payload := pg_catalog.format('upoe-qr:1:%s:%s', v_id, pg_catalog.encode(extensions.gen_random_bytes(12), 'hex'));
    select s.signature, s.key_version into v_signature, v_version
    from private.sign_payload(v_invitation.community_id, v_payload) as s;
    insert into public.qr_codes (id, community_id, invitation_id, payload, signature, key_version, expires_at)
    values (v_id, v_invitation.community_id, v_invitation.id, v_payload, v_signature, v_version,
            v_invitation.valid_until);
    return query select v_id, v_payload, v_signature, v_version, v_invitation.valid_until;
end;
