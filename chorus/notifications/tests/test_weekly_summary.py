"""The weekly summary email to marketers, through a real SMTP server."""

from datetime import UTC, date, datetime

import pytest
from django.core.management import call_command
from django.urls import reverse

from chorus.campaigns.models import Ask, Completion
from chorus.notifications import weekly_summary
from chorus.notifications.models import WeeklySummary, WeeklySummaryPreference
from chorus.referrals.services.conversions import ConversionInput, record_conversions
from chorus.testing import factories

# Monday 16 Nov 2026: the last full week is Mon 9 – Sun 15 Nov; the week before is 2 – 8 Nov.
TODAY = date(2026, 11, 16)


def _buy(program, advocate, customer: str, day: int, amount: int):
    when = datetime(2026, 11, day, 12, tzinfo=UTC)
    results = record_conversions(program, [
        ConversionInput(type="signup", customer_external_id=customer, referral_code=advocate.link.code,
                        occurred_at=when),
        ConversionInput(type="purchase", customer_external_id=customer, amount=amount, order_id=f"o-{customer}",
                        occurred_at=when),
    ])
    assert not any(isinstance(result, Exception) for result in results), results


@pytest.fixture
def week(program, advocate):
    # Last week: two referred signups and purchases, 30.00 + 12.50 = 42.50 (4250).
    _buy(program, advocate, "f1", 10, 3000)
    _buy(program, advocate, "f2", 15, 1250)
    # The week before: one, 10.00 (1000). Revenue +325 %, signups +100 %.
    _buy(program, advocate, "f3", 3, 1000)
    # Outside both weeks: not counted.
    _buy(program, advocate, "f4", 16, 9999)
    ask = Ask.objects.filter(program=program).order_by("pk").first()
    Completion.objects.create(ask=ask, advocate=advocate)  # waiting for review
    return program


def test_last_full_week_is_the_monday_to_sunday_before_today():
    assert weekly_summary.last_full_week(date(2026, 11, 16)) == (date(2026, 11, 9), date(2026, 11, 15))
    assert weekly_summary.last_full_week(date(2026, 11, 22)) == (date(2026, 11, 9), date(2026, 11, 15))
    assert weekly_summary.last_full_week(date(2026, 11, 23)) == (date(2026, 11, 16), date(2026, 11, 22))


def test_every_member_gets_last_weeks_numbers_once(week, owner, teammate, smtp_server):
    WeeklySummaryPreference.objects.create(program=week, user=teammate, language="de")

    assert weekly_summary.send_weekly_summaries(TODAY) == 2
    assert weekly_summary.send_weekly_summaries(TODAY) == 0  # a second sweep sends nothing

    english = smtp_server.messages_to(owner.email)
    assert len(english) == 1
    assert english[0]["Subject"].strip() == "Acme Customers: your week in numbers (2026-11-09 – 2026-11-15)"
    text = english[0].get_body(("plain",)).get_content()
    assert "Referred signups: 2 (+100.0 %)" in text
    assert "Referred revenue: 42.50 USD (+325.0 %)" in text
    assert "1 completion to review" in text
    assert "1. Jane Doe: 42.50 USD · 2 signups" in text  # top advocates of the week
    assert "/console/programs/acme/" in text

    german = smtp_server.messages_to(teammate.email)
    assert len(german) == 1
    assert "Ihre Woche in Zahlen" in german[0].get_body(("plain",)).get_content()
    assert set(WeeklySummary.objects.values_list("user_id", "week_start")) == {
        (owner.pk, date(2026, 11, 9)), (teammate.pk, date(2026, 11, 9))}


def test_members_who_turned_it_off_get_nothing(week, owner, teammate, smtp_server):
    weekly_summary.set_preference(week, teammate, is_subscribed=False)
    assert weekly_summary.send_weekly_summaries(TODAY) == 1
    assert smtp_server.messages_to(teammate.email) == []
    assert len(smtp_server.messages_to(owner.email)) == 1


def test_a_failed_send_is_tried_again_by_the_next_sweep(week, owner, settings, smtp_server):
    settings.EMAIL_PORT = 1  # nothing listens there
    assert weekly_summary.send_weekly_summaries(TODAY) == 0
    assert not WeeklySummary.objects.exists()  # the claim was released
    settings.EMAIL_PORT = smtp_server.port
    assert weekly_summary.send_weekly_summaries(TODAY) == 1
    assert len(smtp_server.messages_to(owner.email)) == 1


def test_inactive_programs_and_other_workspaces_are_left_alone(week, outsider, smtp_server):
    week.is_active = False
    week.save(update_fields=["is_active"])
    assert weekly_summary.send_weekly_summaries(TODAY) == 1  # only the outsider's own program
    assert smtp_server.messages_to("owner@example.com") == []
    (message,) = smtp_server.messages_to(outsider.email)
    assert "Other program" in message["Subject"]


def test_the_maintenance_sweep_sends_them(week, owner, smtp_server, capsys):
    call_command("maintenance")
    assert "weekly summary email(s)" in capsys.readouterr().out
    assert WeeklySummary.objects.filter(user=owner, program=week).count() == 1


def test_console_page_saves_the_members_own_choice(client, week, teammate):
    client.force_login(teammate)
    url = reverse("console:weekly_summary", kwargs={"slug": week.slug})
    page = client.get(url)
    assert page.status_code == 200
    assert "Last week" in page.content.decode()
    response = client.post(url, {"language": "ja"})  # checkbox unticked: off
    assert response.status_code == 302
    preference = WeeklySummaryPreference.objects.get(program=week, user=teammate)
    assert (preference.is_subscribed, preference.language) == (False, "ja")


def test_console_page_refuses_an_unknown_language_and_keeps_the_old_choice(client, week, owner):
    client.force_login(owner)
    url = reverse("console:weekly_summary", kwargs={"slug": week.slug})
    response = client.post(url, {"is_subscribed": "on", "language": "xx"})
    assert response.status_code == 422
    assert "Select a valid choice" in response.content.decode()
    assert not WeeklySummaryPreference.objects.exists()


def test_outsiders_do_not_see_the_page(client, week, outsider):
    client.force_login(outsider)
    assert client.get(reverse("console:weekly_summary", kwargs={"slug": week.slug})).status_code == 404


def test_members_without_email_are_skipped(week, owner, smtp_server):
    owner.email = ""
    owner.save(update_fields=["email"])
    factories.add_member(week.workspace, factories.make_user("marketer"))
    assert weekly_summary.send_weekly_summaries(TODAY) == 1
    assert len(smtp_server.messages_to("marketer@example.com")) == 1
