declare
    -- The parent is the post of a post reaction, the comment of a comment reaction.
    v_key text := case tg_table_name when 'post_reactions' then 'post_id' else 'comment_id' end;
    v_old_parent uuid := case when tg_op <> 'INSERT' and old.deleted_at is null
                              then (pg_catalog.to_jsonb(old) ->> v_key)::uuid end;
    v_new_parent uuid := case when tg_op <> 'DELETE' and new.deleted_at is null
                              then (pg_catalog.to_jsonb(new) ->> v_key)::uuid end;
    v_old_type text := case when tg_op <> 'INSERT' then old.reaction_type::text end;
    v_new_type text := case when tg_op <> 'DELETE' then new.reaction_type::text end;
    v_step record;
begin
    if v_old_parent is not distinct from v_new_parent and v_old_type is not distinct from v_new_type then
        return null;
    end if;
    -- Stepped in place, never recounted: an update of the parent row waits for a concurrent
    -- writer and then applies its step to the committed value, so the counts stay exact.
    for v_step in
        select s.parent, s.reaction_type, s.delta
        from (values (v_old_parent, v_old_type, -1), (v_new_parent, v_new_type, 1)) s(parent, reaction_type, delta)
        where s.parent is not null
    loop
        if tg_table_name = 'post_reactions' then
            update public.posts p
            set reaction_counts = private.step_reaction_type(p.reaction_counts, v_step.reaction_type, v_step.delta)
            where p.id = v_step.parent;
        else
            update public.post_comments c
            set reaction_counts = private.step_reaction_type(c.reaction_counts, v_step.reaction_type, v_step.delta)
            where c.id = v_step.parent;
        end if;
    end loop;
    return null;
end;
