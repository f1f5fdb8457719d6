declare
    v_expired integer;
begin
    update public.listings l set status = 'expired'
    where l.status = 'active' and l.expires_at <= p_as_of and l.deleted_at is null;
    get diagnostics v_expired = row_count;
    return v_expired;
end;
