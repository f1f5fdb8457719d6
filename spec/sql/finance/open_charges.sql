select c.id, c.due_date, c.transaction_date, c.open_amount
from (
    select t.id, t.due_date, t.transaction_date, private.charge_open_amount(t.id) as open_amount
    from public.transactions t
    where t.community_id = (select u.community_id from public.units u where u.id = p_unit)
      and t.unit_id = p_unit
      and t.transaction_type in ('charge', 'interest', 'penalty')
) as c
where c.open_amount > 0
