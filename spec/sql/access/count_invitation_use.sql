begin
    if new.result <> 'granted' or new.invitation_id is null then
        return new;
    end if;
    -- Security definer (guards may not update invitations): act only within the caller's community.
    if not private.is_trusted_caller()
        and new.community_id is distinct from public.get_current_community_id() then
        raise exception using errcode = '42501',
            message = 'not_authorized: access log of another community';
    end if;
    update public.invitations i
    set uses_count = i.uses_count + 1,
        status = case
            when i.status = 'active' and i.max_uses is not null and i.uses_count + 1 >= i.max_uses
                then 'used'::public.invitation_status
            else i.status
        end
    where i.id = new.invitation_id
      and i.community_id = new.community_id;
    return new;
end;
