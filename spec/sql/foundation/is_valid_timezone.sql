begin
    -- Asking the server to use the zone is the cheapest complete test of its name.
    perform pg_catalog.timezone(p_timezone, pg_catalog.now());
    return p_timezone is not null;
exception
    when invalid_parameter_value then
        return false;
end;
