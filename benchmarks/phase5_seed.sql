-- Realistic volume for benchmarks/phase5_speed.py, written straight into the real spec tables.
-- psql variables: communities, units (per community), amenities (per community), reservations
-- (per amenity) and posts (per community). Run as the superuser with triggers off (foreign keys,
-- booking checks and counters included), so every row is made consistent by construction:
--   * each unit has one resident with a login and an owner occupancy;
--   * each amenity is exclusive, open 08:00-22:00 every day, with a fee of 200 per booking and
--     three booking rules (at most 2 bookings per unit and week, at most 4 hours, delinquent units
--     blocked); its reservations, over 2025-2026, are 2 hours long, at most one a day (10:00,
--     14:00 or 18:00 local), so none overlap (the exclusion constraint, which stays on, checks it);
--     each unit books an amenity a few times in two years, far below its weekly quota; every tenth
--     is cancelled and the rest stay confirmed (no completion job has run: the most rows the
--     partial booking indexes can hold). The history was booked while the amenities were free:
--     no charge transactions, as charge_reservation leaves a free amenity's reservation;
--   * five channels a community: three for all residents, one for owners only, one for staff
--     only; posts spread over them and over two years, published; in community 1 each post has
--     (n % 3) comments and (n % 4) likes, and its comment_count, reaction_count and
--     reaction_counts say so (elsewhere no comments or reactions, counts 0).
-- 200 communities x 20 amenities x 250 reservations = 1,000,000 reservations; 200 x 5,000 posts =
-- 1,000,000 posts. Ids are md5 of what they are. Communities interleave, as when they all write.
set session_replication_role = replica;

insert into public.organizations (id, name) values (md5('org')::uuid, 'bench');
insert into public.communities (id, organization_id, name, slug)
select md5('c' || c)::uuid, md5('org')::uuid, 'Community ' || c, 'c' || c
from generate_series(1, :communities) c;
-- The insert trigger that seeds each chart of accounts is off: seed them here (fees post to amenity_income).
select count(private.seed_chart_of_accounts(md5('c' || c)::uuid)) from generate_series(1, :communities) c;

insert into public.units (id, community_id, unit_number, unit_type, coefficient)
select md5(c || '-' || u || '-unit')::uuid, md5('c' || c)::uuid, 'U' || u, 'departamento', 100.0 / :units
from generate_series(1, :communities) c, generate_series(1, :units) u;

insert into auth.users (id, email)
select md5(c || '-' || u || '-user')::uuid, 'r' || c || '.' || u || '@bench.test'
from generate_series(1, :communities) c, generate_series(1, :units) u;

insert into public.residents (id, community_id, user_id, first_name, last_name, onboarding_status)
select md5(c || '-' || u || '-resident')::uuid, md5('c' || c)::uuid, md5(c || '-' || u || '-user')::uuid,
       'Resident', 'R' || u, 'active'
from generate_series(1, :communities) c, generate_series(1, :units) u;

insert into public.occupancies (community_id, resident_id, unit_id, occupancy_type, start_date)
select md5('c' || c)::uuid, md5(c || '-' || u || '-resident')::uuid, md5(c || '-' || u || '-unit')::uuid,
       'owner', date '2020-01-01'
from generate_series(1, :communities) c, generate_series(1, :units) u;

insert into public.amenities (id, community_id, name, amenity_type, capacity, booking_mode, fee_amount)
select md5(c || '-' || a || '-amenity')::uuid, md5('c' || c)::uuid, 'Amenity ' || a,
       (array['event_hall', 'grill_area', 'court', 'rooftop', 'business_center'])[1 + a % 5]::public.amenity_type,
       20, 'exclusive', 200
from generate_series(1, :communities) c, generate_series(1, :amenities) a;

insert into public.amenity_schedules (community_id, amenity_id, day_of_week, open_time, close_time)
select md5('c' || c)::uuid, md5(c || '-' || a || '-amenity')::uuid, d, time '08:00', time '22:00'
from generate_series(1, :communities) c, generate_series(1, :amenities) a, generate_series(1, 7) d;

insert into public.amenity_booking_rules (community_id, amenity_id, rule_type, int_value, period)
select md5('c' || c)::uuid, md5(c || '-' || a || '-amenity')::uuid, rule.rule_type::public.booking_rule_type,
       rule.int_value, rule.period
from generate_series(1, :communities) c, generate_series(1, :amenities) a,
     (values ('max_per_unit_per_period', 2, 'week'), ('max_duration_minutes', 240, null),
             ('block_delinquent', null, null)) rule (rule_type, int_value, period);

-- Reservation n of an amenity: day floor(n * 730 / reservations) of 2025-2026 (distinct days),
-- 2 hours from 10:00, 14:00 or 18:00 local; the unit spreads the amenity's bookings over units.
insert into public.reservations (community_id, amenity_id, unit_id, resident_id, reserved_range, guest_count,
                                 status, is_exclusive, cancelled_at, created_at, updated_at)
select md5('c' || c)::uuid, md5(c || '-' || a || '-amenity')::uuid, md5(c || '-' || v.u || '-unit')::uuid,
       md5(c || '-' || v.u || '-resident')::uuid,
       tstzrange(v.starts, v.starts + interval '2 hours', '[)'), 1 + n % 8,
       case when n % 10 = 9 then 'cancelled' else 'confirmed' end::public.reservation_status, true,
       case when n % 10 = 9 then v.starts - interval '3 days' end,
       v.starts - interval '10 days', v.starts - interval '10 days'
from generate_series(0, :reservations - 1) n, generate_series(1, :amenities) a, generate_series(1, :communities) c,
     lateral (select 1 + (n * 37 + a * 7) % :units as u,
                     ((date '2025-01-01' + n * 730 / :reservations) + time '10:00' + (n % 3) * interval '4 hours')
                         at time zone 'America/Mexico_City' as starts) v
order by n, a, c;

insert into public.channels (id, community_id, name, channel_category, visibility)
select md5(c || '-' || k || '-channel')::uuid, md5('c' || c)::uuid, 'Channel ' || k,
       (array['general', 'events', 'pets', 'maintenance', 'security'])[k]::public.channel_category,
       (array['all_residents', 'all_residents', 'all_residents', 'owners_only', 'staff_only'])[k]::public.channel_visibility
from generate_series(1, :communities) c, generate_series(1, 5) k;

insert into public.posts (id, community_id, channel_id, author_id, body, comment_count, reaction_count,
                          reaction_counts, created_at, updated_at)
select md5(c || '-' || n || '-post')::uuid, md5('c' || c)::uuid, md5(c || '-' || (1 + n % 5) || '-channel')::uuid,
       md5(c || '-' || (1 + n % :units) || '-user')::uuid, 'Post ' || n || ' of community ' || c,
       case when c = 1 then n % 3 else 0 end, case when c = 1 then n % 4 else 0 end,
       case when c = 1 and n % 4 > 0 then jsonb_build_object('like', n % 4) else '{}' end,
       v.at, v.at
from generate_series(1, :posts) n, generate_series(1, :communities) c,
     lateral (select timestamptz '2025-01-01' + n * (interval '730 days' / :posts) as at) v
order by n, c;

insert into public.post_comments (community_id, post_id, channel_id, author_id, body, depth, created_at, updated_at)
select md5('c1')::uuid, md5('1-' || n || '-post')::uuid, md5('1-' || (1 + n % 5) || '-channel')::uuid,
       md5('1-' || (1 + (n + k) % :units) || '-user')::uuid, 'Comment ' || k,
       1, v.at + k * interval '1 minute', v.at + k * interval '1 minute'
from generate_series(1, :posts) n, generate_series(1, 2) k,
     lateral (select timestamptz '2025-01-01' + n * (interval '730 days' / :posts) as at) v
where k <= n % 3;

insert into public.post_reactions (community_id, post_id, user_id, reaction_type, created_at, updated_at)
select md5('c1')::uuid, md5('1-' || n || '-post')::uuid, md5('1-' || k || '-user')::uuid, 'like', v.at, v.at
from generate_series(1, :posts) n, generate_series(1, 3) k,
     lateral (select timestamptz '2025-01-01' + n * (interval '730 days' / :posts) as at) v
where k <= n % 4;

-- The bookings the insert scenario makes: week k after the history, one at a time.
create sequence public.bench_slot;
grant usage on sequence public.bench_slot to authenticated;

set session_replication_role = origin;
vacuum (analyze);
