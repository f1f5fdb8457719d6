declare
    -- A question names its survey, an option its question: the row's, and on an update its old one's.
    v_parent_column text := case tg_table_name when 'survey_questions' then 'survey_id' else 'question_id' end;
    v_parents uuid[] := array[(pg_catalog.to_jsonb(new) ->> v_parent_column)::uuid];
begin
    if tg_op = 'UPDATE' then
        v_parents := v_parents || (pg_catalog.to_jsonb(old) ->> v_parent_column)::uuid;
    end if;
    if exists (select 1 from public.surveys s
               where s.status <> 'draft'
                 and s.id = any (case v_parent_column when 'survey_id' then v_parents
                                 else array(select q.survey_id from public.survey_questions q
                                            where q.id = any (v_parents)) end)) then
        raise exception using errcode = 'P0001',
            message = 'survey_not_draft: the questions and options of an open or closed survey stay as they were answered',
            hint = 'change questions and options while the survey is a draft';
    end if;
    return new;
end;
