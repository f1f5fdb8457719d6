begin
    -- Only the caller's own row of their current community: nothing here depends on arguments.
    return (
        select r.id
        from public.residents r
        where r.user_id = auth.uid()
          and r.community_id = public.get_current_community_id()
          and r.deleted_at is null
        limit 1
    );
end;
