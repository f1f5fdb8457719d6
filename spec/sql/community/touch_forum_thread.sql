begin
    update public.forum_threads t
    set last_activity_at = new.created_at
    where t.id = new.thread_id and t.community_id = new.community_id and t.last_activity_at < new.created_at;
    return null;
end;
