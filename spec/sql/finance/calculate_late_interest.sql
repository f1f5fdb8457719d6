declare
    v_charge public.transactions;
    v_rule public.interest_rules;
    v_days integer;
    v_annual numeric;
begin
    perform private.assert_tenant_row('public.transactions'::regclass, p_charge);
    select * into v_charge from public.transactions t where t.id = p_charge;
    select * into v_rule from public.interest_rules r
    where r.community_id = v_charge.community_id and r.is_active and r.deleted_at is null
      and r.rule_type in ('simple_annual', 'simple_monthly') and r.effective_from <= p_as_of
      and (r.applies_to_fee_kinds is null or v_charge.fee_kind = any (r.applies_to_fee_kinds))
    order by r.effective_from desc, r.created_at desc
    limit 1;
    v_days := p_as_of - (v_charge.due_date + coalesce(v_rule.grace_days, 0));
    if v_rule.id is null or v_charge.due_date is null or v_days <= 0 then
        return 0;
    end if;
    v_annual := case v_rule.rule_type when 'simple_monthly' then v_rule.rate * 12 else v_rule.rate end;
    v_annual := least(v_annual, coalesce(v_rule.max_annual_rate, v_annual));
    return pg_catalog.round(private.charge_open_amount(p_charge) * v_annual / 100 * v_days / 365, 2);
end;
