begin
    insert into public.announcement_recipients (community_id, announcement_id, resident_id, unit_id)
    select distinct on (r.id) new.community_id, new.id, r.id, u.id
    from public.occupancies o
    join public.residents r on r.community_id = o.community_id and r.id = o.resident_id
    join public.units u on u.community_id = o.community_id and u.id = o.unit_id
    left join auth.users au on au.id = r.user_id
    where o.community_id = new.community_id
      and o.deleted_at is null
      and public.is_occupancy_active(o.end_date, o.community_id)
      and r.deleted_at is null and r.status = 'active' and r.onboarding_status = 'active'
      and u.deleted_at is null and u.status = 'active'
      -- Every segment type of the announcement has a value this occupancy matches.
      and not exists (
          select 1
          from public.announcement_segments s
          where s.announcement_id = new.id and s.community_id = new.community_id and s.deleted_at is null
          group by s.segment_type
          having not pg_catalog.bool_or(case s.segment_type
              when 'all_residents' then true
              when 'building' then u.building = s.value
              when 'unit_type' then u.unit_type::text = s.value
              when 'occupancy_type' then o.occupancy_type::text = s.value
              when 'unit' then s.value in (u.id::text, u.unit_number)
              when 'role' then au.raw_app_meta_data ->> 'role' = s.value
                           and au.raw_app_meta_data ->> 'community_id' = new.community_id::text
          end)
      )
    -- Published once (the state machine): each resident is written once, with their first unit.
    order by r.id, u.unit_number, u.id;
    return null;
end;
