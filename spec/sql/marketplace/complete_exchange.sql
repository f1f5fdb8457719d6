begin
    update public.listings l set status = 'sold'
    where l.id = new.listing_id and l.community_id = new.community_id and l.listing_type = 'sale'
      and l.status in ('active', 'reserved');
    return null;
end;
