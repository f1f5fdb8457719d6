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
        v_transaction := case when v_line.reference is not null then private.unmatched_payment(
            v_line.community_id, null, v_line.reference, v_line.amount, v_line.posted_on, p_date_tolerance_days) end;
        if v_transaction is null then
            -- Else the first rule that names the line's unit, and that unit's payment of the amount.
            for v_rule in
                select * from public.reconciliation_rules r
                where r.community_id = v_line.community_id and r.is_active and r.deleted_at is null
                  and (case r.match_field when 'reference' then v_line.reference else v_line.description end) ~* r.pattern
                order by r.priority, r.id
            loop
                v_transaction := private.unmatched_payment(v_line.community_id, v_rule.unit_id, null, v_line.amount,
                                                           v_line.posted_on, p_date_tolerance_days);
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
