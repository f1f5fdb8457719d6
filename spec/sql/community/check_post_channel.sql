declare
    -- Security definer: current_user is the owner here, so the writer's kind is read from the role
    -- the session acts as, not from current_user.
    v_api_caller boolean := pg_catalog.current_setting('role', true) in ('authenticated', 'anon');
    v_channel public.channels;
    v_moderates boolean;
begin
    if not v_api_caller or public.has_any_role(array['admin', 'manager']) then
        return new;
    end if;
    if tg_op = 'UPDATE' then
        if new.channel_id is distinct from old.channel_id then
            raise exception using errcode = '42501',
                message = pg_catalog.format('not_authorized: post %s stays in its channel', new.id),
                hint = 'post it anew in the other channel';
        end if;
        return new;
    end if;
    select * into v_channel from public.channels c
    where c.id = new.channel_id and c.community_id = new.community_id and c.deleted_at is null;
    if not found then
        -- A missing or foreign channel: the foreign key answers.
        return new;
    end if;
    v_moderates := public.is_channel_moderator(new.channel_id);
    if v_channel.is_archived
            or v_channel.visibility = 'staff_only'
            or (v_channel.visibility = 'owners_only' and not 'owner' = any (public.get_current_occupancy_types())) then
        raise exception using errcode = '42501',
            message = pg_catalog.format('not_authorized: channel %s is not open to you', new.channel_id),
            hint = 'post in a channel you can read and that is not archived';
    end if;
    if v_channel.posting_policy = 'moderators_only' and not v_moderates then
        raise exception using errcode = '42501',
            message = pg_catalog.format('not_authorized: only moderators post in channel %s', new.channel_id),
            hint = 'ask one of the channel''s moderators to post it';
    end if;
    if exists (select 1 from public.channel_bans b
               where b.channel_id = new.channel_id and b.community_id = new.community_id
                 and b.user_id = auth.uid() and b.deleted_at is null and b.banned_until > pg_catalog.now()) then
        raise exception using errcode = '42501',
            message = pg_catalog.format('not_authorized: you are banned from channel %s', new.channel_id),
            hint = 'you may post again once the ban ends (banned_until)';
    end if;
    if v_channel.requires_post_approval and not v_moderates then
        -- Held for a moderator, whatever status the author asked for.
        new.status := 'pending_review';
    end if;
    return new;
end;
