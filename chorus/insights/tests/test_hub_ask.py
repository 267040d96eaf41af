"""NPS as a hub ask: a survey ask whose scale question is marked "nps" records an NPS response."""

import pytest

from chorus.campaigns.services.asks import save_ask
from chorus.campaigns.services.completions import submit_completion
from chorus.core.errors import InvalidInput
from chorus.insights.models import NpsResponse

QUESTIONS = [
    {"key": "likely", "kind": "scale", "label": {"en": "How likely are you to recommend us?"}, "nps": True},
    {"key": "why", "kind": "text", "label": {"en": "Why?"}, "required": False, "nps_comment": True},
]


def _ask(program, questions=QUESTIONS, moderation="review"):
    return save_ask(program, {"type": "survey", "title": "Quick NPS", "points": 20, "moderation": moderation,
                              "config": {"questions": questions}})


def test_the_answer_becomes_an_nps_response_once_whatever_the_moderation(program, advocate):
    ask = _ask(program)

    submitted = submit_completion(ask, advocate, {"likely": "9", "why": "Friendly people"})

    [response] = NpsResponse.objects.all()
    assert (response.score, response.category, response.comment, response.source) == (
        9, "promoter", "Friendly people", "hub")
    assert (response.advocate, response.completion, response.email_normalized) == (
        advocate, submitted.completion, "jane@example.com")


def test_a_survey_without_an_nps_question_records_no_nps(program, advocate):
    ask = _ask(program, [{**QUESTIONS[0], "nps": False}])

    submit_completion(ask, advocate, {"likely": "9"})

    assert NpsResponse.objects.count() == 0


def test_a_bad_answer_records_nothing_and_only_one_nps_question_is_allowed(program, advocate):
    ask = _ask(program)
    with pytest.raises(InvalidInput):
        submit_completion(ask, advocate, {"likely": "11"})
    assert NpsResponse.objects.count() == 0

    with pytest.raises(InvalidInput):
        _ask(program, [QUESTIONS[0], {**QUESTIONS[0], "key": "again"}])
