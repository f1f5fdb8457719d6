begin
    new.nfc_serial := pg_catalog.upper(pg_catalog.regexp_replace(new.nfc_serial, '[:\s-]', '', 'g'));
    return new;
end;
