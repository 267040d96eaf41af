"""The starter asks (I6): varied, ready, in all five languages, installed once, editable."""

import pytest
from django.utils import translation

from chorus.campaigns.models import Ask
from chorus.campaigns.services.asks import asks_for_advocate, save_ask
from chorus.campaigns.services.completions import submit_completion
from chorus.campaigns.starter import install_starter_asks
from chorus.testing import factories

pytestmark = pytest.mark.django_db

LANGUAGES = {"en", "ar", "de", "ja", "pl"}


def test_new_program_has_ten_ready_asks_of_varied_types_in_five_languages(program):
    asks = list(program.asks.all())
    published = [ask for ask in asks if ask.status == "published"]
    assert len(published) >= 10
    assert len({ask.type for ask in published}) >= 10
    assert {ask.type for ask in asks} >= {"refer_friend", "survey", "review", "social_follow", "social_share",
                                          "social_mention", "blog_comment", "ugc", "forum_answer", "beta",
                                          "feedback", "quiz", "news"}
    for ask in asks:
        assert set(ask.titles) == LANGUAGES, ask.type
        assert not ask.bodies or set(ask.bodies) == LANGUAGES, ask.type
    survey = program.asks.get(type="survey")
    assert all(set(q["label"]) == LANGUAGES for q in survey.config["questions"])
    with translation.override("ja"):
        assert program.asks.get(type="review").localized_title() == "レビューを書く"
    install_starter_asks(program)
    assert program.asks.count() == len(asks)


def test_starter_asks_work_and_can_be_edited(program):
    advocate = factories.make_advocate(program, email="sam@example.com")
    cards = asks_for_advocate(advocate)
    assert len(cards) >= 10 and "refer_friend" not in {card.ask.type for card in cards}
    quiz = program.asks.get(type="quiz")
    assert submit_completion(quiz, advocate, {"answer": "hub"}).completion.status == "approved"
    survey = program.asks.get(type="survey")
    done = submit_completion(survey, advocate, {"role": "sales", "uses": ["reports"], "nps": "10"}).completion
    assert done.data == {"answers": {"role": "sales", "uses": ["reports"], "nps": 10}}
    save_ask(program, {"points": 999}, ask=survey)
    survey.refresh_from_db()
    assert survey.points == 999 and survey.titles["de"] == "Erzählen Sie uns von sich"


def test_without_the_starter_pack_there_are_no_asks(workspace):
    assert not Ask.objects.filter(program=factories.make_program(workspace, starter_pack=False)).exists()
