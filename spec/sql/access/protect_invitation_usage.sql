begin
    -- Granted access logs count uses through a security-definer trigger, which runs as the
    -- function owner; an API user (current_user authenticated) may not rewrite the count.
    if new.uses_count is distinct from old.uses_count and current_user = 'authenticated' then
        raise exception using errcode = '42501',
            message = 'not_authorized: uses_count is kept by granted access logs';
    end if;
    return new;
end;
