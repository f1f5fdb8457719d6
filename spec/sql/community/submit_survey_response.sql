declare
    v_survey public.surveys;
    v_resident uuid;
    v_response uuid;
    v_answer jsonb;
    v_question public.survey_questions;
    v_option_ids uuid[];
    v_missing uuid;
begin
    select * into v_survey from public.surveys s
    where s.id = p_survey and s.community_id = public.get_current_community_id() and s.deleted_at is null;
    if not found or v_survey.status <> 'open'
       or pg_catalog.now() < v_survey.opens_at or pg_catalog.now() >= v_survey.closes_at then
        raise exception using errcode = 'P0001',
            message = pg_catalog.format('survey_closed: survey %s takes no responses now', p_survey),
            hint = 'respond to an open survey between its opens_at and closes_at';
    end if;
    v_resident := public.get_current_resident_id();
    if v_resident is null or p_unit is null or not p_unit = any (public.get_current_unit_ids()) then
        raise exception using errcode = '42501',
            message = pg_catalog.format('not_authorized: you do not occupy unit %s', p_unit),
            hint = 'respond for a unit you occupy now';
    end if;
    -- unique (survey_id, unit_id): the unit's second response fails with 23505.
    insert into public.survey_responses (community_id, survey_id, unit_id, respondent_id)
    values (v_survey.community_id, p_survey, p_unit, v_resident)
    returning id into v_response;

    for v_answer in select a.value from pg_catalog.jsonb_array_elements(coalesce(p_answers, '[]')) a loop
        select * into v_question from public.survey_questions q
        where q.id = (v_answer ->> 'question_id')::uuid and q.survey_id = p_survey and q.deleted_at is null;
        if not found then
            raise exception using errcode = 'P0001',
                message = pg_catalog.format('question_not_in_survey: %s', v_answer ->> 'question_id'),
                hint = 'answer the questions of this survey';
        end if;
        if v_question.question_type in ('single_choice', 'multiple_choice') then
            v_option_ids := case
                when v_answer ? 'option_ids' then
                    array(select pg_catalog.jsonb_array_elements_text(v_answer -> 'option_ids')::uuid)
                else array_remove(array[(v_answer ->> 'option_id')::uuid], null) end;
            if v_question.question_type = 'single_choice' and pg_catalog.cardinality(v_option_ids) > 1 then
                raise exception using errcode = 'P0001',
                    message = pg_catalog.format('too_many_options: question %s takes one option', v_question.id),
                    hint = 'choose one option of a single-choice question';
            end if;
            if exists (select 1 from pg_catalog.unnest(v_option_ids) chosen(id)
                       where not exists (select 1 from public.survey_options o
                                         where o.id = chosen.id and o.question_id = v_question.id
                                           and o.deleted_at is null)) then
                raise exception using errcode = 'P0001',
                    message = pg_catalog.format('option_not_in_question: question %s', v_question.id),
                    hint = 'choose options of the question answered';
            end if;
            insert into public.survey_answers (community_id, response_id, question_id, option_id)
            select v_survey.community_id, v_response, v_question.id, chosen.id
            from (select distinct c.id from pg_catalog.unnest(v_option_ids) c(id)) chosen;
        elsif v_question.question_type = 'rating' then
            if (v_answer ->> 'rating') is null
               or (v_answer ->> 'rating')::integer not between v_question.min_rating and v_question.max_rating then
                raise exception using errcode = 'P0001',
                    message = pg_catalog.format('rating_out_of_range: question %s takes %s to %s', v_question.id,
                                                v_question.min_rating, v_question.max_rating),
                    hint = 'give a rating within the question''s range';
            end if;
            insert into public.survey_answers (community_id, response_id, question_id, rating)
            values (v_survey.community_id, v_response, v_question.id, (v_answer ->> 'rating')::integer);
        elsif pg_catalog.btrim(coalesce(v_answer ->> 'text', '')) <> '' then
            insert into public.survey_answers (community_id, response_id, question_id, text_value)
            values (v_survey.community_id, v_response, v_question.id, v_answer ->> 'text');
        end if;
    end loop;

    select q.id into v_missing from public.survey_questions q
    where q.survey_id = p_survey and q.deleted_at is null and q.is_required
      and not exists (select 1 from public.survey_answers a where a.response_id = v_response and a.question_id = q.id)
    order by q.sort_order, q.id
    limit 1;
    if found then
        raise exception using errcode = 'P0001',
            message = pg_catalog.format('answer_required: question %s', v_missing),
            hint = 'answer every required question';
    end if;
    return v_response;
end;
