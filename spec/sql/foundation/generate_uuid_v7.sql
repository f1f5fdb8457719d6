declare
    -- Microseconds since the epoch from clock_timestamp(), so ids made in one
    -- transaction still ascend (now() is frozen for the whole transaction).
    v_micros bigint := (extract(epoch from pg_catalog.clock_timestamp()) * 1000000)::bigint;
    v_millis bigint := v_micros / 1000;
    -- RFC 9562 §6.2 method 3: the sub-millisecond fraction in the 12 rand_a bits keeps
    -- ids ordered inside one millisecond, which keeps primary-key pages full.
    v_fraction integer := ((v_micros % 1000) * 4096 / 1000)::integer;
    v_bytes bytea := extensions.gen_random_bytes(16);
begin
    v_bytes := pg_catalog.set_byte(v_bytes, 0, ((v_millis >> 40) & 255)::integer);
    v_bytes := pg_catalog.set_byte(v_bytes, 1, ((v_millis >> 32) & 255)::integer);
    v_bytes := pg_catalog.set_byte(v_bytes, 2, ((v_millis >> 24) & 255)::integer);
    v_bytes := pg_catalog.set_byte(v_bytes, 3, ((v_millis >> 16) & 255)::integer);
    v_bytes := pg_catalog.set_byte(v_bytes, 4, ((v_millis >> 8) & 255)::integer);
    v_bytes := pg_catalog.set_byte(v_bytes, 5, (v_millis & 255)::integer);
    v_bytes := pg_catalog.set_byte(v_bytes, 6, 112 | (v_fraction >> 8));
    v_bytes := pg_catalog.set_byte(v_bytes, 7, v_fraction & 255);
    v_bytes := pg_catalog.set_byte(v_bytes, 8, 128 | (pg_catalog.get_byte(v_bytes, 8) & 63));
    return pg_catalog.encode(v_bytes, 'hex')::uuid;
end;
