begin
    raise exception using
        errcode = 'P0001',
        message = pg_catalog.format('immutable_table: %s.%s is append-only; %s is not allowed',
                                    tg_table_schema, tg_table_name, pg_catalog.lower(tg_op)),
        hint = 'write a new row (e.g. a reversal) instead of changing or removing one';
end;
