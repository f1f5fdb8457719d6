declare
    v_survey public.surveys;
begin
    select * into v_survey from public.surveys s
    where s.id = p_survey and s.community_id = public.get_current_community_id() and s.deleted_at is null
      and s.status in ('open', 'closed');
    if not found then
        raise exception using errcode = 'P0001',
            message = pg_catalog.format('survey_not_found: %s', p_survey),
            hint = 'ask for an open or closed survey of your current community';
    end if;
    if not public.has_any_role(array['admin', 'manager'])
       and not (v_survey.results_visibility = 'always'
                or (v_survey.results_visibility = 'after_close' and v_survey.status = 'closed')) then
        raise exception using errcode = '42501',
            message = pg_catalog.format('not_authorized: results of survey %s are shown %s', p_survey,
                                        pg_catalog.replace(v_survey.results_visibility, '_', ' ')),
            hint = 'staff read the results at any time';
    end if;
    return query
    select q.id, o.id, o.label,
           (select pg_catalog.count(*)::integer from public.survey_answers a
            where a.question_id = q.id and a.option_id = o.id and a.deleted_at is null)
    from public.survey_questions q
    join public.survey_options o on o.question_id = q.id and o.deleted_at is null
    where q.survey_id = p_survey and q.deleted_at is null
    order by q.sort_order, q.id, o.sort_order, o.id;
end;
