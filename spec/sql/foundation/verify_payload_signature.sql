declare
    v_key bytea;
begin
    if p_payload is null or p_signature is null or p_key_version is null then
        return false;
    end if;
    select k.key into v_key
    from private.signing_key(p_community, p_key_version) as k;
    if v_key is null then
        return false;
    end if;
    return pg_catalog.encode(extensions.hmac(pg_catalog.convert_to(p_payload, 'UTF8'), v_key, 'sha256'), 'hex')
        = pg_catalog.lower(p_signature);
end;
