begin
    if exists (select 1 from public.survey_questions q
               where q.id = new.question_id and q.community_id = new.community_id
                 and q.question_type not in ('single_choice', 'multiple_choice')) then
        raise exception using errcode = 'P0001',
            message = pg_catalog.format('options_not_allowed: question %s takes no options', new.question_id),
            hint = 'only single- and multiple-choice questions have options';
    end if;
    return new;
end;
