declare
    -- Microseconds from clock_timestamp(), so ids made in one transaction still ascend
    -- (now() is frozen for the whole transaction).
    v_micros bigint := (extract(epoch from pg_catalog.clock_timestamp()) * 1000000)::bigint;
begin
    -- A random (v4) UUID already carries the RFC 9562 variant bits; its first 8 bytes are
    -- replaced by 48 bits of Unix milliseconds, the version nibble 7 and 12 bits of
    -- sub-millisecond time (RFC 9562 §6.2 method 3), which keep ids made within one
    -- millisecond in order and primary-key pages full.
    return pg_catalog.encode(
        overlay(pg_catalog.uuid_send(pg_catalog.gen_random_uuid())
            placing substring(pg_catalog.int8send(v_micros / 1000) from 3)
                 || pg_catalog.int2send((28672 | ((v_micros % 1000) * 4096 / 1000))::smallint)
            from 1 for 8),
        'hex')::uuid;
end;
