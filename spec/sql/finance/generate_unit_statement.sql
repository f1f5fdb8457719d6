declare
    v_community uuid := private.unit_community(p_unit);
    v_accounts uuid[] := array[public.get_system_account('accounts_receivable', v_community),
                               public.get_system_account('resident_advances', v_community)];
    v_opening numeric;
    v_charges numeric;
    v_payments numeric;
    v_movement numeric;
    v_statement uuid;
begin
    if p_period_end < p_period_start then
        raise exception using errcode = '23514', message = 'a statement period ends on or after its start';
    end if;
    -- One generation of a unit's statement at a time, so revisions never collide.
    perform from public.units u where u.id = p_unit for update;
    select coalesce(sum(e.amount) filter (where t.transaction_date < p_period_start), 0),
           coalesce(sum(e.amount) filter (where t.transaction_date between p_period_start and p_period_end
                                           and t.transaction_type in ('charge', 'interest', 'penalty')
                                           and e.amount > 0), 0),
           coalesce(-sum(e.amount) filter (where t.transaction_date between p_period_start and p_period_end
                                            and t.transaction_type = 'payment'), 0),
           coalesce(sum(e.amount) filter (where t.transaction_date between p_period_start and p_period_end), 0)
    into v_opening, v_charges, v_payments, v_movement
    from public.ledger_entries e
    join public.transactions t on t.id = e.transaction_id
    where e.unit_id = p_unit and e.account_id = any (v_accounts);
    insert into public.unit_statements (community_id, unit_id, statement_type, period_start, period_end, revision,
                                        opening_balance, charges_total, payments_total, closing_balance)
    values (v_community, p_unit, p_statement_type, p_period_start, p_period_end,
            coalesce((select max(s.revision) from public.unit_statements s
                      where s.unit_id = p_unit and s.statement_type = p_statement_type
                        and s.period_start = p_period_start and s.period_end = p_period_end), 0) + 1,
            v_opening, v_charges, v_payments, v_opening + v_movement)
    returning id into v_statement;
    return v_statement;
end;
