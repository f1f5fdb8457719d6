begin
    -- chr(1) ends the key: claims are JSON, where a raw control character cannot appear.
    return pg_catalog.statement_timestamp()::text
        || '|' || coalesce(pg_catalog.current_setting('request.jwt.claims', true), '')
        || '|' || coalesce(pg_catalog.current_setting('request.jwt.claim', true), '')
        || '|' || coalesce(pg_catalog.current_setting('request.jwt.claim.sub', true), '')
        || pg_catalog.chr(1);
end;
