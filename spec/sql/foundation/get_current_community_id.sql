begin
    -- app_metadata only: user_metadata is editable by the user and grants nothing.
    -- PL/pgSQL keeps its plan for the session; a SQL function with a SET clause is planned
    -- again in every statement that calls it.
    return nullif(auth.jwt() -> 'app_metadata' ->> 'community_id', '')::uuid;
end;
