-- app_metadata only: user_metadata is editable by the user and grants nothing.
select nullif((select auth.jwt()) -> 'app_metadata' ->> 'community_id', '')::uuid
