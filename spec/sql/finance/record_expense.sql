declare
    v_category public.expense_categories;
    v_amount numeric := private.billed_amount(p_amount);
    v_bank uuid;
    v_transaction uuid;
begin
    perform private.assert_tenant_row('public.expense_categories'::regclass, p_expense_category);
    select * into v_category from public.expense_categories c where c.id = p_expense_category and c.deleted_at is null;
    if p_bank_account is null then
        v_bank := public.get_system_account('operating_bank', v_category.community_id);
    else
        select b.account_id into v_bank from public.bank_accounts b
        where b.id = p_bank_account and b.community_id = v_category.community_id and b.deleted_at is null;
        if v_bank is null then
            raise exception using errcode = 'P0001',
                message = pg_catalog.format('bank_account_not_found: %s', p_bank_account);
        end if;
    end if;
    insert into public.transactions (community_id, transaction_type, transaction_date, description)
    values (v_category.community_id, 'expense', coalesce(p_paid_on, public.community_today(v_category.community_id)),
            p_description)
    returning id into v_transaction;
    insert into public.ledger_entries (community_id, transaction_id, account_id, amount, memo)
    values (v_category.community_id, v_transaction, v_category.account_id, v_amount, v_category.name),
           (v_category.community_id, v_transaction, v_bank, -v_amount, v_category.name);
    return v_transaction;
end;
