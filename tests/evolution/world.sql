-- The rows every evolution case starts from, as `postgres` (the platform): one organization
-- with one community. Cases refer to them by these ids.
insert into public.organizations (id, name)
values ('00000000-0000-4000-8000-0000000000a1', 'Org One');
insert into public.communities (id, organization_id, name, slug)
values ('00000000-0000-4000-8000-0000000000c1', '00000000-0000-4000-8000-0000000000a1', 'Community One', 'one');
