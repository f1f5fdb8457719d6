declare
    v_prefix text := 'upoe_signing_key:' || p_community::text || ':v';
    v_version integer := p_key_version;
    v_secret text;
begin
    if p_community is null
        or (p_community is distinct from public.get_current_community_id() and not private.is_trusted_caller()) then
        raise exception using errcode = '42501',
            message = 'not_authorized: signing keys are used only for your current community';
    end if;
    -- Vault is read here, at run time (PL/pgSQL binds it on first use), so the migration
    -- applies where supabase_vault is missing (X-12).
    if v_version is null then
        if p_create then
            -- Two first signers of a community must not both create version 1.
            perform pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtextextended(v_prefix, 0));
        end if;
        select pg_catalog.max(pg_catalog.substr(s.name, pg_catalog.length(v_prefix) + 1)::integer)
        into v_version
        from vault.decrypted_secrets s
        where pg_catalog.starts_with(s.name, v_prefix)
          and pg_catalog.substr(s.name, pg_catalog.length(v_prefix) + 1) ~ '^[1-9][0-9]{0,8}$';
        if v_version is null then
            if not p_create then
                return;
            end if;
            v_version := 1;
            perform vault.create_secret(
                pg_catalog.encode(extensions.gen_random_bytes(32), 'hex'),
                v_prefix || '1',
                'HMAC-SHA256 signing key of community ' || p_community::text || ' (QR codes, pickup codes)');
        end if;
    end if;
    select s.decrypted_secret into v_secret
    from vault.decrypted_secrets s
    where s.name = v_prefix || v_version::text;
    if v_secret is null or v_secret = '' then
        return;
    end if;
    key_version := v_version;
    key := pg_catalog.convert_to(v_secret, 'UTF8');
    return next;
end;
