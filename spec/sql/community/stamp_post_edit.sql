begin
    new.edited_at := pg_catalog.now();
    return new;
end;
