begin
    -- current_user too: an invoker helper sees rows through the policies of whoever runs it.
    -- chr(1) ends the key: claims are JSON, where a raw control character cannot appear.
    return pg_catalog.statement_timestamp()::text
        || '|' || current_user
        || '|' || coalesce(pg_catalog.current_setting('request.jwt.claims', true), '')
        || '|' || coalesce(pg_catalog.current_setting('request.jwt.claim', true), '')
        || '|' || coalesce(pg_catalog.current_setting('request.jwt.claim.sub', true), '')
        || pg_catalog.chr(1);
end;
