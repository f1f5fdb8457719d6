declare
    -- Security definer: current_user is the owner, so the platform is told apart by its claims.
    v_api_caller boolean := not private.is_trusted_caller();
    v_listing public.listings;
begin
    if tg_op = 'INSERT' then
        if v_api_caller and not public.has_any_role(array['resident']) then
            -- The insert policy would say so too, but only after this trigger's own checks.
            raise exception using errcode = '42501',
                message = 'not_authorized: buyers (residents) propose exchange appointments';
        end if;
        select * into v_listing from public.listings l
        where l.id = new.listing_id and l.community_id = new.community_id and l.deleted_at is null;
        if not found then
            -- A missing or foreign listing is left to the foreign key (23503).
            return new;
        end if;
        if v_listing.status not in ('active', 'reserved') then
            raise exception using errcode = 'P0001',
                message = pg_catalog.format('listing_unavailable: listing %s is %s', new.listing_id, v_listing.status),
                hint = 'appointments are made for active or reserved listings';
        end if;
        new.seller_resident_id := v_listing.seller_resident_id;
        if v_api_caller and new.buyer_resident_id = new.seller_resident_id then
            raise exception using errcode = '23514',
                message = pg_catalog.format('buyer_is_seller: resident %s sells listing %s', new.buyer_resident_id,
                                            new.listing_id),
                hint = 'an appointment is made by a buyer other than the seller';
        end if;
    elsif v_api_caller and not public.has_any_role(array['admin', 'manager']) then
        if (pg_catalog.to_jsonb(new) - array['status', 'updated_at'])
                <> (pg_catalog.to_jsonb(old) - array['status', 'updated_at']) then
            raise exception using errcode = '42501',
                message = pg_catalog.format('not_authorized: the parties change only the status of appointment %s',
                                            new.id),
                hint = 'cancel it and propose another time or zone';
        end if;
        if new.status = 'confirmed' and old.status <> 'confirmed'
                and new.seller_resident_id is distinct from public.get_current_resident_id() then
            raise exception using errcode = '42501',
                message = pg_catalog.format('not_authorized: only the seller confirms appointment %s', new.id),
                hint = 'the seller confirms the time and place the buyer proposed';
        end if;
    end if;
    if (tg_op = 'INSERT' or new.zone_id <> old.zone_id or new.scheduled_range <> old.scheduled_range)
            and exists (select from public.exchange_zones z
                        where z.id = new.zone_id and z.community_id = new.community_id and z.is_active)
            and not public.is_exchange_zone_available(new.zone_id, new.scheduled_range) then
        raise exception using errcode = 'P0001',
            message = pg_catalog.format('zone_unavailable: zone %s is closed during %s', new.zone_id,
                                        new.scheduled_range),
            hint = 'choose a time inside the zone''s hours';
    end if;
    return new;
end;
