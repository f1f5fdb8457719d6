declare
    v_opened integer;
begin
    perform private.assert_current_community(p_community, 'evaluate_delinquency');
    -- Each unit's overdue debt as of the date: its open charges past due; a rule it meets opens
    -- an action unless one of that rule is open already.
    insert into public.delinquency_actions (community_id, rule_id, unit_id, action, oldest_charge_id)
    select p_community, r.id, o.unit_id, r.action, o.oldest_charge
    from (
        select u.id as unit_id, c.oldest_charge, c.oldest_due, c.overdue
        from public.units u
        cross join lateral (
            select (array_agg(oc.transaction_id order by oc.due_date, oc.transaction_id))[1] as oldest_charge,
                   min(oc.due_date) as oldest_due, sum(oc.open_amount) as overdue
            from private.open_charges(u.id) oc where oc.due_date < p_as_of
        ) as c
        where u.community_id = p_community and u.deleted_at is null and c.overdue > 0
    ) as o
    join public.delinquency_rules r
      on r.community_id = p_community and r.is_active and r.deleted_at is null
     and p_as_of - o.oldest_due >= r.days_overdue and o.overdue >= r.min_amount
    on conflict (community_id, rule_id, unit_id) where resolved_at is null and deleted_at is null do nothing;
    get diagnostics v_opened = row_count;
    -- An episode ends when the unit's overdue debt is gone.
    update public.delinquency_actions a set resolved_at = pg_catalog.now()
    where a.community_id = p_community and a.resolved_at is null and a.deleted_at is null
      and not exists (select from private.open_charges(a.unit_id) oc where oc.due_date < p_as_of);
    return v_opened;
end;
