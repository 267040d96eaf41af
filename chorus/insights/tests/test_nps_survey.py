"""The NPS email and its survey page: eleven buttons, GET never records, POST records once."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from chorus.insights import surveys
from chorus.insights.models import NpsResponse, NpsSend
from chorus.insights.nps import submit_survey
from chorus.notifications.models import OutboundEmail

BASE = "http://127.0.0.1:8000"


def _send(program, capture, **fields):
    with capture(execute=True):
        return surveys.send_survey(program, name="Q3", **fields)


def _path(url: str) -> str:
    return url.removeprefix(BASE)


def test_nothing_is_emailed_before_the_commit_or_when_it_rolls_back(program, customer,
                                                                    django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        survey = surveys.send_survey(program, customer_ids=[customer.pk])
    assert OutboundEmail.objects.count() == 0
    assert len(callbacks) == 1
    callbacks[0]()
    assert OutboundEmail.objects.get().tracking_key == f"nps:{survey.sends.get().pk}"


def test_the_email_has_eleven_score_buttons_that_open_the_survey_with_the_score_chosen(
        client, program, customer, smtp_server, django_capture_on_commit_callbacks):
    survey = _send(program, django_capture_on_commit_callbacks, customer_ids=[customer.pk])

    [message] = smtp_server.wait_for(1)
    send = NpsSend.objects.get(survey=survey)
    assert message["To"] == "Ana Silva <ana@example.com>"
    assert message["Subject"] == "Ana, eine kurze Frage von Acme Customers"  # the customer's language
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text = message.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")
    assert "wie wahrscheinlich ist es, dass Sie Acme Customers einem Freund oder Kollegen empfehlen?" in text
    buttons = re.findall(r"^(\d+): (\S+)$", text, re.M)
    assert [label for label, _url in buttons] == [str(n) for n in range(11)]
    html = message.get_body(preferencelist=("html",)).get_content()
    for score, (_label, tracked) in enumerate(buttons):
        assert tracked in html
        followed = client.get(_path(tracked))
        assert followed.status_code == 302
        assert followed["Location"] == surveys.survey_url(send, score)
    assert OutboundEmail.objects.get().category == "nps"
    assert NpsResponse.objects.count() == 0  # following every link answered nothing


def test_opening_the_link_shows_the_score_chosen_and_records_nothing(client, program, customer,
                                                                     django_capture_on_commit_callbacks):
    survey = _send(program, django_capture_on_commit_callbacks, customer_ids=[customer.pk])
    send = survey.sends.get()

    page = client.get(_path(surveys.survey_url(send, 9)), HTTP_ACCEPT_LANGUAGE="en")

    assert page.status_code == 200
    body = page.content.decode()
    assert 'name="score" value="9" required checked' in body
    assert 'name="score" value="8" required>' in body
    assert "csrfmiddlewaretoken" in body
    assert client.head(_path(surveys.survey_url(send, 3))).status_code == 200
    assert NpsResponse.objects.count() == 0


def test_submitting_the_form_records_the_answer_with_its_comment(client, program, customer,
                                                                 django_capture_on_commit_callbacks):
    send = _send(program, django_capture_on_commit_callbacks, customer_ids=[customer.pk]).sends.get()

    page = client.post(_path(surveys.survey_url(send)), {"score": "10", "comment": "  Great support team.  "})

    assert page.status_code == 200
    assert 'name="score"' not in page.content.decode()  # the thank-you page, not the form again
    [response] = NpsResponse.objects.all()
    assert (response.score, response.category, response.comment, response.source) == (
        10, "promoter", "Great support team.", "email")
    assert (response.send, response.customer, response.email_normalized) == (send, customer, "ana@example.com")


def test_a_bad_score_is_refused_and_records_nothing(client, program, customer, django_capture_on_commit_callbacks):
    send = _send(program, django_capture_on_commit_callbacks, customer_ids=[customer.pk]).sends.get()

    for bad in ("11", "-1", "", "ten", "9.5"):
        page = client.post(_path(surveys.survey_url(send)), {"score": bad, "comment": "x"})
        assert page.status_code == 422
    assert NpsResponse.objects.count() == 0


def test_the_form_needs_its_csrf_token(program, customer, django_capture_on_commit_callbacks):
    from django.test import Client

    send = _send(program, django_capture_on_commit_callbacks, customer_ids=[customer.pk]).sends.get()
    strict = Client(enforce_csrf_checks=True)

    assert strict.post(_path(surveys.survey_url(send)), {"score": "5"}).status_code == 403
    assert NpsResponse.objects.count() == 0


def test_a_second_answer_within_24_hours_corrects_the_first_and_later_is_refused(
        program, customer, django_capture_on_commit_callbacks):
    send = _send(program, django_capture_on_commit_callbacks, customer_ids=[customer.pk]).sends.get()
    first, created = submit_survey(send, score=6, comment="Slow")
    assert created

    corrected, created = submit_survey(send, score=8, comment="Actually fine", now=timezone.now() + timedelta(hours=23))
    assert not created and corrected.pk == first.pk
    assert (corrected.score, corrected.category, corrected.comment) == (8, "passive", "Actually fine")

    with pytest.raises(Exception) as refused:
        submit_survey(send, score=2, now=first.created_at + timedelta(hours=25))
    assert refused.value.status_code == 409
    assert NpsResponse.objects.get().score == 8
    assert NpsResponse.objects.count() == 1


def test_a_forged_foreign_or_expired_token_is_a_404(client, program, customer, outsider,
                                                    django_capture_on_commit_callbacks):
    send = _send(program, django_capture_on_commit_callbacks, customer_ids=[customer.pk]).sends.get()
    token = surveys.make_token(send)
    assert token == surveys.make_token(send)  # the same link every time

    assert client.get(f"/p/{program.slug}/nps/{token[:-2]}xx/").status_code == 404
    assert client.get(f"/p/other-program/nps/{token}/").status_code == 404
    assert client.post(f"/p/other-program/nps/{token}/", {"score": "10"}).status_code == 404
    assert client.get(f"/p/{program.slug}/nps/{send.pk + 1}:{token.split(':')[1]}/").status_code == 404
    NpsSend.objects.filter(pk=send.pk).update(sent_at=timezone.now() - timedelta(days=91))
    assert client.post(f"/p/{program.slug}/nps/{token}/", {"score": "10"}).status_code == 404
    assert NpsResponse.objects.count() == 0


def test_the_survey_page_is_right_to_left_in_arabic(client, program, django_capture_on_commit_callbacks):
    from .conftest import make_customer

    layla = make_customer(program, email="layla@example.com", name="Layla", language="ar")
    send = _send(program, django_capture_on_commit_callbacks, customer_ids=[layla.pk]).sends.get()

    page = client.get(_path(surveys.survey_url(send, 7)))

    body = page.content.decode()
    assert '<html lang="ar" dir="rtl">' in body


def test_one_email_per_address_and_nobody_chosen_is_refused(program, customer, advocate,
                                                             django_capture_on_commit_callbacks):
    from chorus.testing.factories import make_advocate

    make_advocate(program, email="ana@example.com", name="Ana S.")  # the same person, enrolled
    survey = _send(program, django_capture_on_commit_callbacks, all_customers=True, all_advocates=True)

    assert sorted(survey.sends.values_list("email_normalized", flat=True)) == ["ana@example.com", "jane@example.com"]
    assert OutboundEmail.objects.count() == 2
    with django_capture_on_commit_callbacks(execute=True):
        assert surveys.email_pending_sends(survey.pk) == 0  # the task delivered twice emails nobody twice
    assert OutboundEmail.objects.count() == 2
    assert not survey.sends.filter(emailed_at__isnull=True).exists()
    with pytest.raises(Exception) as refused:
        surveys.send_survey(program, customer_ids=[])
    assert refused.value.status_code == 422
    assert survey.__class__.objects.count() == 1
