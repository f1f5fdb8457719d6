select count(*) from public.communities c where c.name <> 'Peñalolén'
