"""Channels: the shareable link records visits and joins; targets per month or quarter and the
progress against them (period boundaries); the funnel per channel."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest

from chorus.advocates.models import Advocate
from chorus.invitations.channels import (
    Period,
    channel_funnels,
    channel_progress,
    create_channel,
    period_containing,
)
from chorus.invitations.models import ChannelVisit, Enrolment, Invitation
from chorus.invitations.services import accept_invitation, invite_customers
from chorus.notifications import consent
from chorus.notifications.models import OutboundEmail
from chorus.testing import factories

from .conftest import make_customer

pytestmark = pytest.mark.django_db
LOGIN_LINK = re.compile(r"http://127\.0\.0\.1:8000(/hub/acme/login/[A-Za-z0-9_-]+/)")


@pytest.mark.parametrize(("kind", "day", "start", "end"), [
    ("month", date(2026, 1, 1), date(2026, 1, 1), date(2026, 2, 1)),
    ("month", date(2026, 1, 31), date(2026, 1, 1), date(2026, 2, 1)),
    ("month", date(2026, 12, 31), date(2026, 12, 1), date(2027, 1, 1)),
    ("quarter", date(2026, 3, 31), date(2026, 1, 1), date(2026, 4, 1)),
    ("quarter", date(2026, 4, 1), date(2026, 4, 1), date(2026, 7, 1)),
    ("quarter", date(2026, 11, 22), date(2026, 10, 1), date(2027, 1, 1)),
])
def test_periods(kind, day, start, end):
    assert period_containing(kind, day) == Period(kind=kind, start=start, end=end)


def test_previous_periods_cross_the_year():
    assert period_containing("month", date(2026, 1, 15)).previous() == Period("month", date(2025, 12, 1), date(2026, 1, 1))
    assert period_containing("quarter", date(2026, 2, 1)).previous() == Period("quarter", date(2025, 10, 1),
                                                                               date(2026, 1, 1))


def _joined_advocate(program, channel, joined_at: datetime, status="active") -> Advocate:
    advocate = factories.make_advocate(program, status=status)
    Advocate.objects.filter(pk=advocate.pk).update(joined_at=joined_at)
    Enrolment.objects.create(advocate=advocate, channel=channel)
    return advocate


def test_progress_counts_joins_inside_the_period_only(program):
    monthly = create_channel(program, name="In-app banner", target_joined=4, target_period="month")
    quarterly = create_channel(program, name="LinkedIn post", target_joined=3, target_period="quarter")
    for moment in [datetime(2026, 3, 31, 23, 59, 59, tzinfo=UTC), datetime(2026, 4, 1, 0, 0, tzinfo=UTC),
                   datetime(2026, 4, 30, 23, 59, 59, tzinfo=UTC), datetime(2026, 5, 1, tzinfo=UTC)]:
        _joined_advocate(program, monthly, moment)
        _joined_advocate(program, quarterly, moment)
    _joined_advocate(program, monthly, datetime(2026, 4, 10, tzinfo=UTC), status="pending")  # not confirmed
    now = datetime(2026, 4, 15, 12, 0, tzinfo=UTC)

    april, march = channel_progress(monthly, now=now, periods=2)
    assert (april.period.start, april.joined, april.target, april.percent, april.remaining) == (
        date(2026, 4, 1), 2, 4, 50, 2)
    assert (march.period.start, march.joined) == (date(2026, 3, 1), 1)
    q2, q1 = channel_progress(quarterly, now=now, periods=2)
    assert (q2.joined, q2.target, q2.percent, q2.reached, q2.remaining) == (3, 3, 100, True, 0)
    assert (str(q2.period.label), q1.joined) == ("Q2 2026", 1)


def test_the_channel_link_records_visits_and_joins(program, client, smtp_server, django_capture_on_commit_callbacks):
    channel = create_channel(program, name="LinkedIn post", target_joined=10)
    client.defaults.update(REMOTE_ADDR="203.0.113.5", HTTP_USER_AGENT="Mozilla/5.0 Firefox/120")

    page = client.get("/p/acme/join/via/linkedin-post/")
    assert page.status_code == 200
    assert 'name="email"' in page.content.decode()
    client.get("/p/acme/join/via/linkedin-post/")  # the same visitor the same day counts once
    assert ChannelVisit.objects.filter(channel=channel).count() == 1

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/p/acme/join/via/linkedin-post/", {"name": "Kai Berg", "email": "kai@example.com",
                                                                    "language": "de"})
    assert response.status_code == 200
    advocate = Advocate.objects.get(email="kai@example.com")
    assert (advocate.status, advocate.enrolment.channel) == ("pending", channel)
    assert channel_progress(channel)[0].joined == 0  # counted once the email is confirmed

    smtp_server.wait_for(1)
    path = LOGIN_LINK.search(smtp_server.body(smtp_server.messages[-1])).group(1)
    client.post(path)
    assert channel_progress(channel)[0].joined == 1
    [row] = channel_funnels(program)
    assert (row.link_visits, row.link_signups, row.joined_from_link, row.joined) == (1, 1, 1, 1)


def test_an_existing_advocate_joining_through_a_link_is_not_counted(program, advocate, client,
                                                                    django_capture_on_commit_callbacks):
    channel = create_channel(program, name="LinkedIn post")
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/p/acme/join/via/linkedin-post/", {"name": "J", "email": "jane@example.com", "language": "en"})
    assert Enrolment.objects.count() == 0 and Advocate.objects.count() == 1
    assert channel_progress(channel)[0].joined == 0


def test_an_inactive_or_unknown_channel_leads_to_the_ordinary_join_page(program, client):
    channel = create_channel(program, name="Old banner")
    channel.is_active = False
    channel.save()
    for slug in ["old-banner", "nope"]:
        response = client.get(f"/p/acme/join/via/{slug}/")
        assert (response.status_code, response["Location"]) == (302, "/p/acme/join/")
    assert ChannelVisit.objects.count() == 0


def test_funnel_counts_per_channel(program, django_capture_on_commit_callbacks):
    csm = create_channel(program, name="CSM outreach")
    banner = create_channel(program, name="In-app banner")
    people = [make_customer(program, f"p{n}@example.com", f"Person {n}") for n in range(5)]
    consent.suppress(program, "p4@example.com", reason="complaint", source="api")
    with django_capture_on_commit_callbacks(execute=True):
        invite_customers(program, people[:3], channel=csm)
        invite_customers(program, people[3:], channel=None)
    first, second, _third = Invitation.objects.filter(channel=csm).order_by("pk")
    Invitation.objects.filter(pk=second.pk).update(clicked_at=datetime.now(UTC))
    raw = OutboundEmail.objects.get(pk=first.outbound_email_id).context["link"].rstrip("/").rsplit("/", 1)[1]
    accept_invitation(program, raw)

    rows = {row.channel.name if row.channel else None: row for row in channel_funnels(program)}
    assert set(rows) == {"CSM outreach", "In-app banner", None}
    assert (rows["CSM outreach"].invited, rows["CSM outreach"].clicked, rows["CSM outreach"].joined_from_invitations,
            rows["CSM outreach"].not_sent) == (3, 2, 1, 0)
    assert (rows[None].invited, rows[None].not_sent, rows[None].joined) == (1, 1, 0)
    assert (rows["In-app banner"].invited, rows["In-app banner"].joined) == (0, 0)
    assert channel_progress(csm)[0].joined == 1 and channel_progress(banner)[0].joined == 0


def test_channel_input_is_checked(program):
    from chorus.core.errors import InvalidInput

    with pytest.raises(InvalidInput) as error:
        create_channel(program, name=" ", slug="Bad Slug!", target_joined=-1, target_period="week")
    assert set(error.value.field_errors) == {"name", "slug", "target_joined", "target_period"}
    assert program.invitation_channels.count() == 0


def test_joined_at_the_very_end_of_a_month(program):
    channel = create_channel(program, name="CSM outreach", target_joined=1)
    _joined_advocate(program, channel, datetime(2026, 4, 30, 23, 59, 59, tzinfo=UTC) + timedelta(seconds=1))
    assert channel_progress(channel, now=datetime(2026, 4, 30, tzinfo=UTC))[0].joined == 0
    assert channel_progress(channel, now=datetime(2026, 5, 1, tzinfo=UTC))[0].joined == 1
