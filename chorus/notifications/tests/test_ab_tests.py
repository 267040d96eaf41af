"""Subject-line A/B tests: the z-test maths, the winner rule and the whole flow by tasks."""

import re

import pytest

from chorus.core.errors import Conflict, InvalidInput
from chorus.notifications import campaigns
from chorus.notifications.models import Campaign, EmailTemplate, OutboundEmail
from chorus.notifications.stats import two_proportion_z_test
from chorus.notifications.tasks import decide_campaign_task, start_campaign_task
from chorus.testing import factories


def test_two_proportion_z_test_known_values():
    result = two_proportion_z_test(50, 1000, 80, 1000)
    assert round(result.z, 4) == 2.7211
    assert round(result.p_value, 4) == 0.0065
    assert round(result.confidence, 4) == 0.9935
    assert two_proportion_z_test(0, 0, 3, 10).p_value == 1.0
    assert two_proportion_z_test(0, 10, 0, 10).p_value == 1.0


def _row(variant, sent, clicked):
    return {"variant": variant, "subject": f"S{variant}", "sent": sent, "clicked": clicked, "rate": clicked / sent}


def test_significant_challenger_wins():
    decision = campaigns.choose_winner([_row(0, 1000, 50), _row(1, 1000, 80), _row(2, 1000, 60)])
    assert (decision["winner"], decision["challenger"], decision["significant"]) == (1, 1, True)
    assert decision["p_value"] == pytest.approx(0.006507, abs=1e-6)


def test_not_significant_keeps_the_default():
    decision = campaigns.choose_winner([_row(0, 200, 10), _row(1, 200, 14)])
    assert (decision["winner"], decision["significant"]) == (0, False)
    assert decision["p_value"] == pytest.approx(0.399703, abs=1e-6)


def test_invalid_campaign_changes_nothing(program):
    template = EmailTemplate.objects.get(program=program, key="news")
    with pytest.raises(InvalidInput) as error:
        campaigns.create_campaign(program, name="", template_id=template.pk,
                                  subject_variants=[{"en": "Hi {{ nme }}"}, {"de": "Nur Deutsch"}])
    assert set(error.value.field_errors) == {"name", "subject_0_en", "subject_1"}
    assert Campaign.objects.count() == 0


def test_ab_flow_test_share_then_winner_to_the_rest(client, program, smtp_server, django_capture_on_commit_callbacks):
    for index in range(20):
        factories.make_advocate(program, email=f"person{index}@example.com", name=f"Person {index}")
    template = EmailTemplate.objects.get(program=program, key="news")
    campaign = campaigns.create_campaign(
        program, name="March news", template_id=template.pk, test_share_percent=50, wait_hours=4,
        subject_variants=[{"en": "News from {{ program }}"}, {"en": "{{ first_name }}, 2 new rewards are waiting"}])

    with django_capture_on_commit_callbacks(execute=True):
        start_campaign_task.enqueue(campaign.pk)
        start_campaign_task.enqueue(campaign.pk)  # delivered twice: no harm
    test_messages = smtp_server.wait_for(10)
    assert len(smtp_server.wait_for(11, timeout=0.5)) == 10
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.TESTING
    by_variant = {0: [], 1: []}
    for email in OutboundEmail.objects.filter(campaign=campaign).order_by("pk"):
        by_variant[email.variant].append(email)
    assert [len(by_variant[0]), len(by_variant[1])] == [5, 5]
    assert sorted(message["Subject"] for message in test_messages if "waiting" not in message["Subject"]) == [
        "News from Acme Customers"] * 5
    assert {message["Subject"] for message in test_messages if "waiting" in message["Subject"]} == {
        f"{email.name.split()[0]}, 2 new rewards are waiting" for email in by_variant[1]}
    # every variant-1 recipient clicks, nobody from variant 0
    for message in test_messages:
        if "waiting" in message["Subject"]:
            html = message.get_body(preferencelist=("html",)).get_content()
            link = re.search(r'href="http://127.0.0.1:8000(/e/c/[^"]+)"', html).group(1)
            assert client.get(link).status_code == 302
    decide_campaign_task.enqueue(campaign.pk)  # the waiting period is not over: nothing happens
    assert Campaign.objects.get(pk=campaign.pk).status == Campaign.Status.TESTING

    with django_capture_on_commit_callbacks(execute=True):
        decided = campaigns.decide_campaign(campaign.pk, on_demand=True)
    assert decided.winner == 1
    assert decided.decision["significant"] is True
    assert decided.decision["p_value"] == pytest.approx(0.001565, abs=1e-6)
    rest = smtp_server.wait_for(20)[10:]
    assert len(rest) == 10
    assert all(message["Subject"].endswith(", 2 new rewards are waiting") for message in rest)
    assert decided.status == Campaign.Status.DONE
    assert OutboundEmail.objects.filter(campaign=campaign).count() == 20
    with pytest.raises(Conflict):
        campaigns.decide_campaign(campaign.pk, on_demand=True)
