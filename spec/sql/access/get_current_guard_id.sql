begin
    return (
        select g.id
        from public.guards g
        where g.user_id = auth.uid()
          and g.community_id = public.get_current_community_id()
          and g.status = 'active'
          and g.deleted_at is null
        limit 1
    );
end;
