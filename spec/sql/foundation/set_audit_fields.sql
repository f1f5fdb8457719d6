begin
    if tg_op = 'INSERT' then
        new.created_at := pg_catalog.now();
        new.updated_at := new.created_at;
        new.created_by := auth.uid();
    else
        -- Whatever the client sent, the original creation facts stand.
        new.created_at := old.created_at;
        new.created_by := old.created_by;
        new.updated_at := pg_catalog.now();
    end if;
    return new;
end;
