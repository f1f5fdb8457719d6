declare
    v_expired integer;
begin
    update public.amenity_waitlist_entries w
    set status = 'expired'
    where w.status = 'waiting' and w.deleted_at is null
      and pg_catalog.lower(w.desired_range) <= coalesce(p_as_of, pg_catalog.now())
      and (private.is_trusted_caller() or w.community_id = public.get_current_community_id());
    get diagnostics v_expired = row_count;
    return v_expired;
end;
