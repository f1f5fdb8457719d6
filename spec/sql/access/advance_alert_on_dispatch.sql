begin
    update public.emergency_alerts a
    set status = 'dispatched'
    where a.id = new.alert_id
      and a.community_id = new.community_id
      and a.status = 'acknowledged';
    return new;
end;
