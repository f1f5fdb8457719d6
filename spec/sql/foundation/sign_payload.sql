declare
    v_key bytea;
    v_version integer;
begin
    select k.key_version, k.key into v_version, v_key
    from private.signing_key(p_community, null, true) as k;
    if v_key is null then
        raise exception using errcode = 'P0001',
            message = pg_catalog.format('signing_key_unavailable: community %s has no signing key', p_community);
    end if;
    return query
    select pg_catalog.encode(extensions.hmac(pg_catalog.convert_to(p_payload, 'UTF8'), v_key, 'sha256'), 'hex'),
           v_version;
end;
