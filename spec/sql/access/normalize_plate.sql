begin
    new.plate_normalized := nullif(
        pg_catalog.upper(pg_catalog.regexp_replace(new.plate_normalized, '[^A-Za-z0-9]', '', 'g')), '');
    return new;
end;
