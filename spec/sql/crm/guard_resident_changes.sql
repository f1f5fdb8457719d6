begin
    if tg_op = 'UPDATE'
            and (new.kyc_status, new.kyc_verified_at, new.kyc_verified_by, new.onboarding_status,
                 new.invited_at, new.registered_at, new.verified_at, new.activated_at,
                 new.suspended_at, new.verified_by, new.status)
                is distinct from
                (old.kyc_status, old.kyc_verified_at, old.kyc_verified_by, old.onboarding_status,
                 old.invited_at, old.registered_at, old.verified_at, old.activated_at,
                 old.suspended_at, old.verified_by, old.status)
            -- Staff (super_admin included) or the platform: service_role, or no JWT (jobs).
            and not (public.has_any_role(array['admin', 'manager'])
                     or coalesce((select auth.role()) = 'service_role', false)
                     or (select auth.jwt()) is null) then
        raise exception using errcode = '42501',
            message = 'not_authorized: only staff change the KYC, onboarding and status fields of a resident';
    end if;
    if new.kyc_status = 'verified' and (tg_op = 'INSERT' or old.kyc_status is distinct from 'verified') then
        new.kyc_verified_at := pg_catalog.now();
        new.kyc_verified_by := auth.uid();
    end if;
    return new;
end;
