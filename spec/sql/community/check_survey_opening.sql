declare
    v_question uuid;
begin
    select q.id into v_question
    from public.survey_questions q
    where q.survey_id = new.id and q.community_id = new.community_id and q.deleted_at is null
      and q.question_type in ('single_choice', 'multiple_choice')
      and (select pg_catalog.count(*) from public.survey_options o
           where o.question_id = q.id and o.deleted_at is null) < 2
    order by q.sort_order, q.id
    limit 1;
    if found then
        raise exception using errcode = 'P0001',
            message = pg_catalog.format('question_without_options: question %s has fewer than two options', v_question),
            hint = 'give every choice question at least two options before opening the survey';
    end if;
    return new;
end;
