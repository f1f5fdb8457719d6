    -- A type whose count falls to zero leaves the object, so it lists only the reactions present.
    select case
        when coalesce((p_counts ->> p_type)::integer, 0) + p_delta > 0
            then p_counts
                || pg_catalog.jsonb_build_object(p_type, coalesce((p_counts ->> p_type)::integer, 0) + p_delta)
        else p_counts - p_type
    end
