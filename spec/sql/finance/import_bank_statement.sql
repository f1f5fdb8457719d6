declare
    v_account public.bank_accounts;
    v_import uuid;
    v_line jsonb;
    v_rows integer;
    v_new integer := 0;
    v_total integer := 0;
begin
    perform private.assert_tenant_row('public.bank_accounts'::regclass, p_bank_account);
    select * into v_account from public.bank_accounts b where b.id = p_bank_account and b.deleted_at is null;
    if pg_catalog.jsonb_typeof(p_lines) is distinct from 'array' then
        raise exception using errcode = '22023', message = 'invalid_lines: p_lines is a JSON array of lines',
            hint = 'pass [{"posted_on": "2026-01-05", "amount": 1500, "description": "...", "reference": "..."}]';
    end if;
    insert into public.bank_statement_imports (community_id, bank_account_id, source)
    values (v_account.community_id, p_bank_account, p_source)
    returning id into v_import;
    for v_line in select * from pg_catalog.jsonb_array_elements(p_lines) loop
        v_total := v_total + 1;
        insert into public.bank_statement_lines (community_id, import_id, bank_account_id, posted_on, amount,
                                                 description, reference, line_hash)
        values (v_account.community_id, v_import, p_bank_account, (v_line ->> 'posted_on')::date,
                (v_line ->> 'amount')::numeric, v_line ->> 'description', v_line ->> 'reference',
                pg_catalog.md5(pg_catalog.concat_ws('|', v_line ->> 'posted_on', ((v_line ->> 'amount')::numeric)::text,
                                                    v_line ->> 'description', v_line ->> 'reference')))
        on conflict (community_id, bank_account_id, line_hash) where deleted_at is null do nothing;
        get diagnostics v_rows = row_count;
        v_new := v_new + v_rows;
    end loop;
    update public.bank_statement_imports set line_count = v_new, duplicate_count = v_total - v_new,
        period_start = (select min(l.posted_on) from public.bank_statement_lines l where l.import_id = v_import),
        period_end = (select max(l.posted_on) from public.bank_statement_lines l where l.import_id = v_import)
    where id = v_import;
    return v_import;
end;
