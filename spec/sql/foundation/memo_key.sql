begin
    return pg_catalog.statement_timestamp()::text
        || '|' || coalesce(pg_catalog.current_setting('request.jwt.claims', true), '')
        || '|' || coalesce(pg_catalog.current_setting('request.jwt.claim', true), '')
        || '|' || coalesce(pg_catalog.current_setting('request.jwt.claim.sub', true), '');
end;
