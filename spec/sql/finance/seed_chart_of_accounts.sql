declare
    v_created integer := 0;
    v_rows integer;
    v_account record;
begin
    -- X-10: a function taking p_community acts only on the caller's current community, unless
    -- the caller acts for the platform (the insert trigger on communities runs as the platform).
    perform private.assert_current_community(p_community, 'seed_chart_of_accounts');
    -- Parents first, so a child finds its parent by code. A code or system key the community
    -- already has is kept as it is (idempotent).
    for v_account in
        select * from (values
            ('1000', 'Activo', 'asset', null, false, null),
            ('1100', 'Bancos', 'asset', '1000', true, 'operating_bank'),
            ('1110', 'Fondo de reserva (banco)', 'asset', '1000', true, 'reserve_fund'),
            ('1200', 'Cuotas por cobrar a condóminos', 'asset', '1000', true, 'accounts_receivable'),
            ('2000', 'Pasivo', 'liability', null, false, null),
            ('2100', 'Anticipos de condóminos', 'liability', '2000', true, 'resident_advances'),
            ('2200', 'Depósitos en garantía', 'liability', '2000', true, 'security_deposits'),
            ('3000', 'Patrimonio', 'equity', null, false, null),
            ('3100', 'Resultados acumulados', 'equity', '3000', true, null),
            ('4000', 'Ingresos', 'income', null, false, null),
            ('4100', 'Cuotas ordinarias', 'income', '4000', true, 'ordinary_fee_income'),
            ('4200', 'Cuotas extraordinarias', 'income', '4000', true, 'extraordinary_fee_income'),
            ('4300', 'Aportaciones al fondo de reserva', 'income', '4000', true, 'reserve_fund_income'),
            ('4400', 'Intereses moratorios', 'income', '4000', true, 'late_interest_income'),
            ('4500', 'Multas', 'income', '4000', true, 'fines_income'),
            ('4600', 'Uso de amenidades', 'income', '4000', true, 'amenity_income'),
            ('4700', 'Estacionamiento', 'income', '4000', true, 'parking_income'),
            ('4900', 'Otros ingresos', 'income', '4000', true, 'other_income'),
            ('5000', 'Egresos', 'expense', null, false, null),
            ('5900', 'Gastos generales', 'expense', '5000', true, 'general_expense')
        ) as chart (code, name, account_type, parent_code, is_postable, system_key)
    loop
        insert into public.accounts (community_id, code, name, account_type, parent_id, is_postable, system_key)
        select p_community, v_account.code, v_account.name, v_account.account_type::public.account_type,
               (select p.id from public.accounts p
                where p.community_id = p_community and p.code = v_account.parent_code and p.deleted_at is null),
               v_account.is_postable, v_account.system_key
        where not exists (
            select from public.accounts a
            where a.community_id = p_community and a.deleted_at is null
              and (a.code = v_account.code or a.system_key = v_account.system_key));
        get diagnostics v_rows = row_count;
        v_created := v_created + v_rows;
    end loop;
    return v_created;
end;
