declare
    v_sum integer := 0;
    v_weights constant integer[] := array[3, 7, 1];
begin
    if p_clabe is null or p_clabe !~ '^[0-9]{18}$' then
        return false;
    end if;
    for i in 1..17 loop
        v_sum := v_sum + (pg_catalog.substr(p_clabe, i, 1)::integer * v_weights[((i - 1) % 3) + 1]) % 10;
    end loop;
    return pg_catalog.substr(p_clabe, 18, 1)::integer = (10 - v_sum % 10) % 10;
end;
