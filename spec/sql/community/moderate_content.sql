declare
    -- Security invoker: current_user is the writer (the platform, or an API caller).
    v_api_caller boolean := current_user in ('authenticated', 'anon');
    v_new jsonb := pg_catalog.to_jsonb(new);
    v_old jsonb := case when tg_op = 'UPDATE' then pg_catalog.to_jsonb(old) end;
    v_status_changed boolean;
    v_moderation_changed boolean;
begin
    -- A new row may not arrive pinned or with a moderation reason; an update may change status,
    -- is_pinned and moderation_reason only for a moderator (columns a table lacks read as null).
    v_status_changed := tg_op = 'UPDATE' and (v_new -> 'status') is distinct from (v_old -> 'status');
    v_moderation_changed := v_status_changed
        or coalesce((v_new ->> 'is_pinned')::boolean, false)
            is distinct from coalesce((v_old ->> 'is_pinned')::boolean, false)
        or nullif(v_new -> 'moderation_reason', 'null'::jsonb)
            is distinct from nullif(v_old -> 'moderation_reason', 'null'::jsonb);
    if v_moderation_changed and v_api_caller
            and not public.has_any_role(array['admin', 'manager'])
            and not public.is_channel_moderator(new.channel_id) then
        raise exception using errcode = '42501',
            message = pg_catalog.format('not_authorized: only the moderators of channel %s and staff moderate %s',
                                        new.channel_id, tg_table_name),
            hint = 'authors edit the body; status, is_pinned and moderation_reason are the moderators''';
    end if;
    if tg_op = 'UPDATE' and v_api_caller and new.body is distinct from old.body
            and old.author_id is distinct from auth.uid() then
        raise exception using errcode = '42501',
            message = pg_catalog.format('not_authorized: only its author edits the body of %s %s',
                                        tg_table_name, new.id),
            hint = 'moderators hide or remove what they object to (status, moderation_reason)';
    end if;
    if v_status_changed and tg_table_name = 'posts' then
        -- Through jsonb, as comments have no moderation stamps.
        new := pg_catalog.jsonb_populate_record(new, pg_catalog.jsonb_build_object(
            'moderated_at', pg_catalog.now(), 'moderated_by', auth.uid()));
    end if;
    return new;
end;
