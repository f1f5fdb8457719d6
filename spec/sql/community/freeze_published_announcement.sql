begin
    raise exception using errcode = 'P0001',
        message = pg_catalog.format('published_immutable: announcement %s is %s', old.id, old.status),
        hint = 'publish a new announcement to correct what residents were told';
end;
