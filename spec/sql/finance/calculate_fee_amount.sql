declare
    v_fee public.fee_structures;
    v_unit public.units;
begin
    perform private.assert_tenant_row('public.fee_structures'::regclass, p_fee_structure);
    select * into v_fee from public.fee_structures f where f.id = p_fee_structure and f.deleted_at is null;
    select * into v_unit from public.units u where u.id = p_unit and u.community_id = v_fee.community_id;
    if v_fee.id is null or v_unit.id is null then
        raise exception using errcode = 'P0001',
            message = pg_catalog.format('fee_not_applicable: %s to %s', p_fee_structure, p_unit),
            hint = 'name a fee structure and a unit of one community';
    end if;
    return pg_catalog.round(case v_fee.calculation
        when 'fixed' then v_fee.fixed_amount
        when 'coefficient' then v_fee.total_amount * v_unit.coefficient / 100
        when 'by_rooms' then v_fee.per_room_amount * v_unit.room_count
        else coalesce(v_fee.base_amount, 0) + coalesce(v_fee.total_amount, 0) * v_unit.coefficient / 100
             + coalesce(v_fee.per_room_amount, 0) * v_unit.room_count
    end, 2);
end;
