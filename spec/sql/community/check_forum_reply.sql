begin
    if tg_op = 'UPDATE' and new.thread_id is not distinct from old.thread_id then
        return new;
    end if;
    if exists (select 1 from public.forum_threads t
               where t.id = new.thread_id and t.community_id = new.community_id and t.is_locked) then
        raise exception using errcode = 'P0001',
            message = pg_catalog.format('thread_locked: thread %s takes no replies', new.thread_id),
            hint = 'staff locked the thread; open a new one';
    end if;
    return new;
end;
