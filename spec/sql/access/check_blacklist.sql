declare
    v_community uuid := coalesce(p_community, public.get_current_community_id());
    v_name text := pg_catalog.lower(pg_catalog.btrim(p_name));
    v_document text := pg_catalog.upper(pg_catalog.regexp_replace(p_document, '\s', '', 'g'));
    v_plate text := pg_catalog.upper(pg_catalog.regexp_replace(p_plate, '[^A-Za-z0-9]', '', 'g'));
begin
    -- Another community only for the platform (service_role, a super admin, a job), as
    -- private.is_trusted_caller() decides for security-definer functions.
    if v_community is null
        or (v_community is distinct from public.get_current_community_id()
            and not (coalesce((select auth.role()) = 'service_role', false)
                     or public.is_super_admin()
                     or (select auth.jwt()) is null)) then
        raise exception using errcode = '42501',
            message = 'not_authorized: blacklist lookups act on your current community';
    end if;
    return query
    select b.*
    from public.blacklist_entries b
    where b.community_id = v_community
      and b.deleted_at is null
      and b.status = 'active'
      and (b.expires_at is null or b.expires_at > pg_catalog.now())
      and (
          (v_name <> '' and pg_catalog.lower(pg_catalog.btrim(b.person_name)) = v_name)
          or (v_document <> ''
              and pg_catalog.upper(pg_catalog.regexp_replace(b.id_document_number, '\s', '', 'g')) = v_document)
          or (v_plate <> '' and b.plate_normalized = v_plate)
      )
    order by b.created_at;
end;
