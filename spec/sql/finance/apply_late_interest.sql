declare
    v_period date := pg_catalog.date_trunc('month', p_as_of)::date;
    v_interest_account uuid := public.get_system_account('late_interest_income', p_community);
    v_fines_account uuid := public.get_system_account('fines_income', p_community);
    v_charge record;
    v_rule public.interest_rules;
    v_amount numeric;
    v_posted integer := 0;
begin
    perform private.assert_current_community(p_community, 'apply_late_interest');
    for v_charge in
        select t.id, t.unit_id, t.due_date, t.fee_kind from public.transactions t
        where t.community_id = p_community and t.transaction_type = 'charge' and t.due_date < p_as_of
          and private.charge_open_amount(t.id) > 0
        order by t.due_date, t.id
    loop
        -- Interest: what the charge has earned by now minus what earlier periods posted.
        v_amount := private.calculate_late_interest(v_charge.id, p_as_of)
            - coalesce((select sum(e.amount) from public.interest_applications a
                        join public.ledger_entries e on e.community_id = a.community_id
                                                    and e.transaction_id = a.transaction_id and e.amount > 0
                        join public.transactions t on t.id = a.transaction_id and t.transaction_type = 'interest'
                        where a.community_id = p_community and a.charge_transaction_id = v_charge.id
                          and a.deleted_at is null), 0);
        if v_amount > 0 and private.post_late_charge(v_charge.id, v_period, v_amount, p_as_of, 'interest',
                                                      v_interest_account, 'Intereses moratorios') then
            v_posted := v_posted + 1;
        end if;
        -- Penalties: once per charge, recorded under the charge's due date.
        for v_rule in
            select * from public.interest_rules r
            where r.community_id = p_community and r.is_active and r.deleted_at is null
              and r.rule_type in ('flat_penalty', 'percentage_penalty') and r.effective_from <= p_as_of
              and (r.applies_to_fee_kinds is null or v_charge.fee_kind = any (r.applies_to_fee_kinds))
              and v_charge.due_date + r.grace_days < p_as_of
            order by r.effective_from desc, r.created_at desc
            limit 1
        loop
            v_amount := pg_catalog.round(case v_rule.rule_type when 'flat_penalty' then v_rule.flat_amount
                                         else private.charge_open_amount(v_charge.id) * v_rule.rate / 100 end, 2);
            if v_amount > 0 and private.post_late_charge(v_charge.id, v_charge.due_date, v_amount, p_as_of, 'penalty',
                                                          v_fines_account, 'Penalización') then
                v_posted := v_posted + 1;
            end if;
        end loop;
    end loop;
    return v_posted;
end;
