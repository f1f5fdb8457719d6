declare
    v_parent public.post_comments;
begin
    if tg_op = 'UPDATE' and new.post_id is not distinct from old.post_id
            and new.parent_comment_id is not distinct from old.parent_comment_id then
        return new;
    end if;
    -- Security definer: a moderator may have hidden the parent or the post from the writer; the
    -- thread is placed whatever the writer sees, and only within the row's community.
    new.channel_id := (select p.channel_id from public.posts p
                       where p.id = new.post_id and p.community_id = new.community_id);
    if new.parent_comment_id is null then
        new.depth := 1;
        return new;
    end if;
    select * into v_parent from public.post_comments c
    where c.id = new.parent_comment_id and c.community_id = new.community_id;
    if not found then
        -- A missing or foreign parent: the foreign key answers.
        return new;
    end if;
    if v_parent.post_id <> new.post_id then
        raise exception using errcode = 'P0001',
            message = pg_catalog.format('parent_mismatch: comment %s belongs to post %s, not %s',
                                        v_parent.id, v_parent.post_id, new.post_id),
            hint = 'reply to a comment of the same post';
    end if;
    if v_parent.depth >= 3 then
        raise exception using errcode = 'P0001',
            message = pg_catalog.format('max_depth: comment %s is at depth %s; replies go 3 deep at most',
                                        v_parent.id, v_parent.depth),
            hint = 'reply to its parent instead';
    end if;
    new.depth := v_parent.depth + 1;
    return new;
end;
