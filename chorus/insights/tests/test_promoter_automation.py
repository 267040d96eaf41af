"""Becoming a promoter fires the "promoter" automation once: the thank-you email really arrives."""

from datetime import timedelta

from django.utils import timezone

from chorus.insights import surveys
from chorus.insights.nps import record_api_response, submit_survey
from chorus.notifications.models import Automation, EmailTemplate, OutboundEmail


def _automation(program):
    return Automation.objects.create(program=program, trigger=Automation.Trigger.PROMOTER,
                                     template=EmailTemplate.objects.get(program=program, key="promoter_thanks"))


def test_a_promoter_answer_sends_the_thank_you_email_once(client, program, customer, smtp_server,
                                                          django_capture_on_commit_callbacks):
    _automation(program)
    with django_capture_on_commit_callbacks(execute=True):
        send = surveys.send_survey(program, customer_ids=[customer.pk]).sends.get()
    smtp_server.wait_for(1)
    url = surveys.survey_url(send).removeprefix("http://127.0.0.1:8000")

    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, {"score": "10", "comment": "Love it"}).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, {"score": "9", "comment": "Love it, mostly"}).status_code == 200  # a correction
    with django_capture_on_commit_callbacks(execute=True):  # a later promoter answer: still a promoter, no news
        record_api_response(program, score=10, customer_external_id="cus_ana",
                            responded_at=timezone.now() + timedelta(minutes=1))

    messages = smtp_server.wait_for(3, timeout=1)
    assert len(messages) == 2  # the survey, then one thank-you
    thanks = messages[1]
    assert thanks["To"] == "Ana Silva <ana@example.com>"
    assert thanks["Subject"] == "Vielen Dank, Ana!"
    assert OutboundEmail.objects.filter(template_key="promoter_thanks").count() == 1


def test_a_detractor_who_becomes_a_promoter_fires_and_a_passive_does_not(program, customer,
                                                                         django_capture_on_commit_callbacks):
    _automation(program)
    with django_capture_on_commit_callbacks(execute=True):
        send = surveys.send_survey(program, customer_ids=[customer.pk]).sends.get()
        first, _created = submit_survey(send, score=7)
    assert first.promoter_fired_at is None
    assert OutboundEmail.objects.filter(template_key="promoter_thanks").count() == 0

    with django_capture_on_commit_callbacks(execute=True):
        corrected, _created = submit_survey(send, score=9)

    assert corrected.promoter_fired_at is not None
    assert OutboundEmail.objects.filter(template_key="promoter_thanks").count() == 1
