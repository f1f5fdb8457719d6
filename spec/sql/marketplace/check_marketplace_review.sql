declare
    v_seller uuid;
    v_appointment uuid;
begin
    if private.is_trusted_caller()
            or (tg_op = 'UPDATE' and new.listing_id = old.listing_id
                and new.reviewer_resident_id = old.reviewer_resident_id) then
        return new;
    end if;
    if tg_op = 'INSERT' and not public.has_any_role(array['resident']) then
        -- The insert policy would say so too, but only after this trigger's own checks.
        raise exception using errcode = '42501', message = 'not_authorized: buyers (residents) write reviews';
    end if;
    select l.seller_resident_id into v_seller from public.listings l
    where l.id = new.listing_id and l.community_id = new.community_id;
    if not found then
        -- A missing or foreign listing is left to the foreign key (23503).
        return new;
    end if;
    select a.id into v_appointment from public.exchange_appointments a
    where a.community_id = new.community_id and a.listing_id = new.listing_id and a.status = 'completed'
      and a.buyer_resident_id = new.reviewer_resident_id and a.seller_resident_id = v_seller
      and a.deleted_at is null
    order by a.completed_at desc
    limit 1;
    if new.reviewer_resident_id = v_seller then
        raise exception using errcode = '23514',
            message = pg_catalog.format('reviewer_is_seller: resident %s sells listing %s', v_seller, new.listing_id),
            hint = 'buyers review sellers';
    end if;
    if v_appointment is null then
        raise exception using errcode = 'P0001',
            message = pg_catalog.format('no_completed_exchange: no completed exchange of listing %s by this reviewer',
                                        new.listing_id),
            hint = 'a buyer reviews the seller after their exchange is completed';
    end if;
    new.seller_resident_id := v_seller;
    new.appointment_id := v_appointment;
    return new;
end;
