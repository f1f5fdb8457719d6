declare
    -- Security invoker: current_user is the writer (the platform, or an API caller).
    v_api_caller boolean := current_user in ('authenticated', 'anon');
    v_accepted public.listing_type[];
begin
    if pg_catalog.cardinality(new.tags) > 10 then
        raise exception using errcode = 'P0001',
            message = pg_catalog.format('tag_limit: %s distinct tags, at most 10', pg_catalog.cardinality(new.tags)),
            hint = 'keep the 10 tags that describe the listing best';
    end if;
    if new.category_id is not null then
        select c.listing_types into v_accepted from public.listing_categories c
        where c.id = new.category_id and c.community_id = new.community_id;
        -- A missing or foreign category is left to the foreign key (23503).
        if found and not new.listing_type = any (v_accepted) then
            raise exception using errcode = 'P0001',
                message = pg_catalog.format('category_type_mismatch: category %s takes no %s listings',
                                            new.category_id, new.listing_type),
                hint = pg_catalog.format('this category accepts %s', v_accepted);
        end if;
    end if;
    if tg_op = 'UPDATE' and new.status is distinct from old.status and old.status = 'pending_review'
            and v_api_caller and not public.has_any_role(array['admin', 'manager']) then
        raise exception using errcode = '42501',
            message = pg_catalog.format('not_authorized: only moderation by staff publishes or rejects listing %s',
                                        new.id),
            hint = 'a listing waiting for review is published or rejected by a moderator';
    end if;
    if tg_op = 'UPDATE' and old.status = 'active' and new.status = 'active'
            and v_api_caller and not public.has_any_role(array['admin', 'manager'])
            and (new.listing_type, new.category_id, new.tags, new.title, new.description, new.price, new.currency,
                 new.price_type, new.item_condition)
                is distinct from (old.listing_type, old.category_id, old.tags, old.title, old.description, old.price,
                                  old.currency, old.price_type, old.item_condition) then
        -- What the community reads changed: a moderator sees it again before it is shown.
        new.status := 'pending_review';
    end if;
    return new;
end;
