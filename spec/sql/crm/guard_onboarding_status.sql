begin
    -- Only the onboarding status: every other guarded column of residents is kept by the
    -- generated guarded_columns trigger, which fires after the workflow's own trigger.
    if new.onboarding_status is distinct from old.onboarding_status
            and current_user in ('authenticated', 'anon')
            and not public.has_any_role(array['admin', 'manager']) then
        raise exception using errcode = '42501',
            message = 'not_authorized: only admin, manager may change onboarding_status of residents';
    end if;
    return new;
end;
