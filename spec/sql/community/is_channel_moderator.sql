begin
    return exists (
        select 1
        from public.channel_moderators m
        where m.channel_id = p_channel
          and m.user_id = auth.uid()
          and m.community_id = public.get_current_community_id()
          and m.deleted_at is null
    );
end;
