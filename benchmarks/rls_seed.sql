-- Realistic volume for benchmarks/rls_speed.py, written straight into the real spec tables.
-- psql variables: rows (access_logs rows) and communities. Run as the superuser: triggers
-- (foreign keys included) are off while loading, so every value below is made consistent by
-- construction instead: each row's unit, resident, access point and guard belong to its
-- community. Communities interleave row by row, as they do when they all write at once.
set session_replication_role = replica;

insert into public.organizations (id, name) values ('00000000-0000-7000-8000-000000000001', 'bench');

insert into public.communities (id, organization_id, name, slug)
select ('00000000-0000-7000-8001-' || lpad(to_hex(c), 12, '0'))::uuid,
       '00000000-0000-7000-8000-000000000001', 'Community ' || c, 'c' || c
from generate_series(1, :communities) c;

-- 100 units, 150 residents (each with a login and one active occupancy), 4 access points and
-- 5 guards (each with a login) per community; ids encode (community, ordinal) so the log rows
-- below can point at them without lookups.
insert into public.units (id, community_id, unit_number, unit_type, coefficient)
select ('00000000-0000-7000-8002-' || lpad(to_hex(c * 1000 + u), 12, '0'))::uuid,
       ('00000000-0000-7000-8001-' || lpad(to_hex(c), 12, '0'))::uuid,
       'U' || u, 'departamento', 1
from generate_series(1, :communities) c, generate_series(1, 100) u;

insert into auth.users (id, email)
select ('00000000-0000-7000-8003-' || lpad(to_hex(c * 1000 + r), 12, '0'))::uuid, 'r' || c || '.' || r || '@bench.test'
from generate_series(1, :communities) c, generate_series(1, 150) r
union all
select ('00000000-0000-7000-8006-' || lpad(to_hex(c * 1000 + g), 12, '0'))::uuid, 'g' || c || '.' || g || '@bench.test'
from generate_series(1, :communities) c, generate_series(1, 5) g
union all
select ('00000000-0000-7000-8009-' || lpad(to_hex(c), 12, '0'))::uuid, 'a' || c || '@bench.test'
from generate_series(1, :communities) c;

insert into public.residents (id, community_id, user_id, first_name, last_name, onboarding_status)
select ('00000000-0000-7000-8004-' || lpad(to_hex(c * 1000 + r), 12, '0'))::uuid,
       ('00000000-0000-7000-8001-' || lpad(to_hex(c), 12, '0'))::uuid,
       ('00000000-0000-7000-8003-' || lpad(to_hex(c * 1000 + r), 12, '0'))::uuid,
       'Resident', 'R' || r, 'active'
from generate_series(1, :communities) c, generate_series(1, 150) r;

insert into public.occupancies (community_id, resident_id, unit_id, occupancy_type, start_date)
select ('00000000-0000-7000-8001-' || lpad(to_hex(c), 12, '0'))::uuid,
       ('00000000-0000-7000-8004-' || lpad(to_hex(c * 1000 + r), 12, '0'))::uuid,
       ('00000000-0000-7000-8002-' || lpad(to_hex(c * 1000 + 1 + (r - 1) % 100), 12, '0'))::uuid,
       'owner', date '2020-01-01'
from generate_series(1, :communities) c, generate_series(1, 150) r;

insert into public.access_points (id, community_id, name, access_point_type)
select ('00000000-0000-7000-8005-' || lpad(to_hex(c * 1000 + p), 12, '0'))::uuid,
       ('00000000-0000-7000-8001-' || lpad(to_hex(c), 12, '0'))::uuid,
       'Gate ' || p, 'pedestrian_gate'
from generate_series(1, :communities) c, generate_series(1, 4) p;

insert into public.guards (id, community_id, user_id, full_name)
select ('00000000-0000-7000-8007-' || lpad(to_hex(c * 1000 + g), 12, '0'))::uuid,
       ('00000000-0000-7000-8001-' || lpad(to_hex(c), 12, '0'))::uuid,
       ('00000000-0000-7000-8006-' || lpad(to_hex(c * 1000 + g), 12, '0'))::uuid,
       'Guard ' || g
from generate_series(1, :communities) c, generate_series(1, 5) g;

-- A year of history, oldest first; 70 % of attempts name a unit, half name a resident.
insert into public.access_logs (community_id, access_point_id, direction, method, result, person_type,
                                unit_id, resident_id, guard_id, plate_normalized, logged_at,
                                created_at, updated_at)
select ('00000000-0000-7000-8001-' || lpad(to_hex(c), 12, '0'))::uuid,
       ('00000000-0000-7000-8005-' || lpad(to_hex(c * 1000 + 1 + n % 4), 12, '0'))::uuid,
       case when n % 2 = 0 then 'entry' else 'exit' end::public.access_direction,
       'pin', 'granted', 'resident',
       case when random() < 0.7 then ('00000000-0000-7000-8002-'
           || lpad(to_hex(c * 1000 + 1 + (random() * 99)::int), 12, '0'))::uuid end,
       case when random() < 0.5 then ('00000000-0000-7000-8004-'
           || lpad(to_hex(c * 1000 + 1 + (random() * 149)::int), 12, '0'))::uuid end,
       ('00000000-0000-7000-8007-' || lpad(to_hex(c * 1000 + 1 + n % 5), 12, '0'))::uuid,
       case when n % 3 = 0 then 'ABC' || (n % 1000) end,
       at, at, at
from generate_series(1, :rows) n,
     lateral (select 1 + n % :communities as c,
                     timestamptz '2026-01-01' + (n * (interval '365 days' / :rows)) as at) v;

set session_replication_role = origin;
vacuum (analyze) ;
