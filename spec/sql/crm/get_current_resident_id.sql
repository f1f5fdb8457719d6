-- Only the caller's own row of their current community: nothing here depends on arguments.
select r.id
from public.residents r
where r.user_id = (select auth.uid())
  and r.community_id = public.get_current_community_id()
  and r.deleted_at is null
limit 1
