select t.id, t.label from public.things t where t.label <> 'café'
