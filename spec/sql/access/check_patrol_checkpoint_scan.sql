declare
    v_route uuid;
    v_serial text;
begin
    new.nfc_serial_read := pg_catalog.upper(pg_catalog.regexp_replace(new.nfc_serial_read, '[:\s-]', '', 'g'));
    -- Security definer, to see soft-deleted rows the caller's policies hide; so it checks
    -- only for the platform and for the roles that may append scans, in their own community.
    -- Anyone else's row is refused by RLS afterwards (42501), and learns nothing from here.
    if not private.is_trusted_caller()
        and (new.community_id is distinct from public.get_current_community_id()
             or not public.has_any_role(array['admin', 'manager', 'guard'])) then
        return new;
    end if;
    select p.route_id into v_route
    from public.patrol_logs p
    where p.id = new.patrol_log_id and p.community_id = new.community_id;
    select c.nfc_serial into v_serial
    from public.patrol_checkpoints c
    where c.id = new.checkpoint_id and c.community_id = new.community_id;
    if v_route is null or v_serial is null then
        return new;  -- a missing or foreign reference is the foreign keys' to report (23503)
    end if;
    if not exists (
        select 1
        from public.patrol_route_checkpoints rc
        join public.patrol_checkpoints c on c.id = rc.checkpoint_id
        where rc.route_id = v_route
          and rc.checkpoint_id = new.checkpoint_id
          and rc.deleted_at is null
          and c.deleted_at is null
    ) then
        raise exception using errcode = 'P0001',
            message = pg_catalog.format('checkpoint_not_in_route: checkpoint %s is not on route %s',
                                        new.checkpoint_id, v_route);
    end if;
    if new.nfc_serial_read is distinct from v_serial then
        raise exception using errcode = 'P0001',
            message = pg_catalog.format('nfc_mismatch: read %s, checkpoint %s has %s',
                                        new.nfc_serial_read, new.checkpoint_id, v_serial);
    end if;
    return new;
end;
