declare
    -- One read of the claims, whatever the number of roles asked about.
    v_role text := public.get_current_user_role();
begin
    return coalesce(v_role = 'super_admin' or v_role = any (p_roles), false);
end;
