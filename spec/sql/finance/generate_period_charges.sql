declare
    v_schedule public.fee_schedules;
    v_fee public.fee_structures;
    v_unit record;
    v_run uuid;
    v_created integer := 0;
begin
    perform private.assert_tenant_row('public.fee_schedules'::regclass, p_schedule);
    select * into v_schedule from public.fee_schedules s where s.id = p_schedule and s.deleted_at is null;
    select * into v_fee from public.fee_structures f where f.id = v_schedule.fee_structure_id and f.deleted_at is null;
    if not v_schedule.is_active or v_fee.id is null
            or p_period_start < v_fee.effective_from
            or p_period_start > coalesce(v_fee.effective_to, p_period_start) then
        return 0;
    end if;
    for v_unit in
        select u.id, private.calculate_fee_amount(v_fee.id, u.id) as amount
        from public.units u
        where u.community_id = v_schedule.community_id and u.status = 'active' and u.deleted_at is null
          and (v_fee.applies_to_unit_types is null or u.unit_type = any (v_fee.applies_to_unit_types))
        order by u.unit_number
    loop
        continue when v_unit.amount = 0;
        -- The run row first: a second run of the same period, even one racing this one, finds
        -- it taken and charges nothing.
        insert into public.fee_schedule_runs (community_id, schedule_id, period_start, unit_id)
        values (v_schedule.community_id, p_schedule, p_period_start, v_unit.id)
        on conflict (community_id, schedule_id, period_start, unit_id) where deleted_at is null do nothing
        returning id into v_run;
        continue when v_run is null;
        update public.fee_schedule_runs set transaction_id = private.record_charge(
            v_unit.id, v_unit.amount, p_period_start + (v_schedule.due_day - 1), v_fee.name, v_fee.income_account_id,
            'charge', v_fee.fee_kind, p_period_start)
        where id = v_run;
        v_created := v_created + 1;
    end loop;
    return v_created;
end;
