declare
    v_line public.bank_statement_lines;
    v_rule public.reconciliation_rules;
    v_transaction uuid;
    v_matched integer := 0;
begin
    perform private.assert_tenant_row('public.bank_statement_imports'::regclass, p_import);
    for v_line in
        select * from public.bank_statement_lines l
        where l.import_id = p_import and l.reconciliation_status = 'unmatched' and l.deleted_at is null
          and l.amount > 0
        order by l.posted_on, l.id
        for update
    loop
        v_rule := null;
        -- Same amount and reference within the tolerance: the payment the line is.
        select t.id into v_transaction from public.transactions t
        where t.community_id = v_line.community_id and t.transaction_type = 'payment'
          and v_line.reference is not null and t.reference = v_line.reference
          and pg_catalog.abs(t.transaction_date - v_line.posted_on) <= p_date_tolerance_days
          and private.payment_amount(t.id) = v_line.amount
          and not exists (select from public.reconciliation_matches m
                          where m.transaction_id = t.id and m.deleted_at is null)
          and not exists (select from public.transactions r where r.reverses_transaction_id = t.id)
        order by pg_catalog.abs(t.transaction_date - v_line.posted_on), t.id
        limit 1;
        if v_transaction is null then
            -- Else the first rule that names the line's unit, and that unit's payment of the amount.
            for v_rule in
                select * from public.reconciliation_rules r
                where r.community_id = v_line.community_id and r.is_active and r.deleted_at is null
                  and (case r.match_field when 'reference' then v_line.reference else v_line.description end) ~* r.pattern
                order by r.priority, r.id
            loop
                select t.id into v_transaction from public.transactions t
                where t.community_id = v_line.community_id and t.transaction_type = 'payment'
                  and t.unit_id = v_rule.unit_id
                  and pg_catalog.abs(t.transaction_date - v_line.posted_on) <= p_date_tolerance_days
                  and private.payment_amount(t.id) = v_line.amount
                  and not exists (select from public.reconciliation_matches m
                                  where m.transaction_id = t.id and m.deleted_at is null)
                  and not exists (select from public.transactions r where r.reverses_transaction_id = t.id)
                order by pg_catalog.abs(t.transaction_date - v_line.posted_on), t.id
                limit 1;
                exit when v_transaction is not null;
            end loop;
        end if;
        continue when v_transaction is null;
        insert into public.reconciliation_matches (community_id, statement_line_id, transaction_id, match_type, rule_id)
        values (v_line.community_id, v_line.id, v_transaction,
                case when v_rule.id is null then 'auto' else 'pattern' end::public.match_type, v_rule.id);
        update public.bank_statement_lines set reconciliation_status = 'matched' where id = v_line.id;
        v_matched := v_matched + 1;
    end loop;
    return v_matched;
end;
