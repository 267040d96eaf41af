"""The invitee's side: the email arrives, one button press joins and logs in on the asks page;
the token works once, expires, and can be renewed; nobody gets a second advocate."""

from datetime import timedelta

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext

from chorus.advocates.models import Advocate
from chorus.core.errors import Gone
from chorus.hub.views.invitations import JOINS_PER_IP
from chorus.invitations.channels import create_channel
from chorus.invitations.models import Enrolment, Invitation
from chorus.invitations.services import accept_invitation, invite_customers, renew_invitation
from chorus.notifications.models import OutboundEmail
from chorus.testing import factories

from .conftest import follow_to_invitation, make_customer, tracked_link

pytestmark = pytest.mark.django_db


def _invite(program, customers, capture, **kwargs):
    with capture(execute=True):
        return invite_customers(program, customers, **kwargs)


def _logged_in(client, program):
    return client.session.get(f"chorus.hub.{program.pk}")


def test_the_invitation_email_arrives_in_the_customers_language_with_the_join_link(
        program, ana, smtp_server, visitor, django_capture_on_commit_callbacks):
    result = _invite(program, [ana], django_capture_on_commit_callbacks)

    [invitation] = result.invited
    [message] = smtp_server.wait_for(1)
    assert message["To"] == "Ana Nowak <ana@example.pl>"
    assert message["Subject"].strip() == "Ana, dołącz do programu ambasadorów Acme Customers"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert "Cześć Ana," in text
    outbound = OutboundEmail.objects.get(pk=invitation.outbound_email_id)
    assert (outbound.status, outbound.category, outbound.template_key) == ("sent", "invitation", "invitation")
    [join_url] = outbound.links
    assert join_url.startswith("http://127.0.0.1:8000/p/acme/welcome/")

    path = follow_to_invitation(visitor, tracked_link(smtp_server, "ana@example.pl"))
    assert "http://127.0.0.1:8000" + path == join_url
    page = visitor.get(path)
    assert page.status_code == 200
    assert page["Referrer-Policy"] == "no-referrer"
    with translation.override("pl"):
        assert gettext("Join and open my hub") in page.content.decode()
    invitation.refresh_from_db()
    outbound.refresh_from_db()
    assert invitation.clicked_at is not None and invitation.stage == "clicked"
    assert outbound.first_clicked_at is not None
    assert Advocate.objects.count() == 0  # opening the link alone joins nobody


def test_one_button_press_joins_and_lands_logged_in_on_the_asks_page(
        program, ana, smtp_server, visitor, django_capture_on_commit_callbacks):
    channel = create_channel(program, name="CSM outreach")
    _invite(program, [ana], django_capture_on_commit_callbacks, channel=channel)
    smtp_server.wait_for(1)
    path = follow_to_invitation(visitor, tracked_link(smtp_server, "ana@example.pl"))

    response = visitor.post(path)

    assert response.status_code == 302
    assert response["Location"] == "/hub/acme/asks/"
    advocate = Advocate.objects.get()
    assert (advocate.email, advocate.name, advocate.language, advocate.external_id, advocate.account.name,
            advocate.status) == ("ana@example.pl", "Ana Nowak", "pl", "cus_ana", "Globex", "active")
    assert advocate.joined_at is not None
    assert _logged_in(visitor, program) == advocate.pk
    invitation = Invitation.objects.get()
    assert (invitation.advocate, invitation.stage) == (advocate, "joined")
    enrolment = Enrolment.objects.get()
    assert (enrolment.advocate, enrolment.channel, enrolment.invitation) == (advocate, channel, invitation)
    asks = visitor.get("/hub/acme/asks/")
    assert asks.status_code == 200
    assert 'lang="pl"' in asks.content.decode()


def test_the_token_works_once(program, ana, visitor, django_capture_on_commit_callbacks):
    raw = _invite_with_known_token(program, ana, django_capture_on_commit_callbacks)
    assert visitor.post(f"/p/acme/welcome/{raw}/").status_code == 302
    assert visitor.get(f"/p/acme/welcome/{raw}/")["Location"] == "/hub/acme/asks/"  # the invitee, logged in

    other = visitor.__class__()
    again = other.post(f"/p/acme/welcome/{raw}/")
    assert again.status_code == 410
    body = again.content.decode()
    assert "This invitation was already used. Log in with your email address instead." in body
    assert 'href="/hub/acme/login/"' in body
    assert other.get(f"/p/acme/welcome/{raw}/").status_code == 410
    assert Advocate.objects.count() == 1
    assert _logged_in(other, program) is None


def _invite_with_known_token(program, customer, capture) -> str:
    """Invite, keeping the raw token the email carries (read from the queued email's link)."""
    result = _invite(program, [customer], capture)
    outbound = OutboundEmail.objects.get(pk=result.invited[0].outbound_email_id)
    return outbound.context["link"].rstrip("/").rsplit("/", 1)[1]


def test_an_expired_link_offers_a_new_one(program, ana, visitor, smtp_server, django_capture_on_commit_callbacks):
    raw = _invite_with_known_token(program, ana, django_capture_on_commit_callbacks)
    Invitation.objects.update(expires_at=timezone.now() - timedelta(seconds=1),
                              last_sent_at=timezone.now() - timedelta(days=31))

    page = visitor.get(f"/p/acme/welcome/{raw}/")
    assert page.status_code == 410
    assert f'action="/p/acme/welcome/{raw}/renew/"' in page.content.decode()
    assert visitor.post(f"/p/acme/welcome/{raw}/").status_code == 410
    assert Advocate.objects.count() == 0

    smtp_server.wait_for(1)
    with django_capture_on_commit_callbacks(execute=True):
        renewed = visitor.post(f"/p/acme/welcome/{raw}/renew/")
    assert renewed.status_code == 200
    smtp_server.wait_for(2)
    assert len(smtp_server.messages_to("ana@example.pl")) == 2
    assert visitor.get(f"/p/acme/welcome/{raw}/").status_code == 404  # replaced by the new link
    path = follow_to_invitation(visitor, tracked_link(smtp_server, "ana@example.pl"))
    assert visitor.post(path)["Location"] == "/hub/acme/asks/"
    assert Invitation.objects.get().send_count == 2

    with django_capture_on_commit_callbacks(execute=True):  # a joined invitation is never renewed
        visitor.post(f"/p/acme/welcome/{raw}/renew/")
    assert len(smtp_server.wait_for(3, timeout=0.5)) == 2


def test_renewals_are_spaced_and_capped(program, ana, visitor, smtp_server, django_capture_on_commit_callbacks):
    raw = _invite_with_known_token(program, ana, django_capture_on_commit_callbacks)
    assert renew_invitation(program, raw) is False  # just sent: not again within ten minutes
    Invitation.objects.update(last_sent_at=timezone.now() - timedelta(minutes=11), send_count=6)
    assert renew_invitation(program, raw) is False  # six emails are enough
    Invitation.objects.update(send_count=5)
    assert renew_invitation(program, raw) is True
    assert renew_invitation(program, "unknown") is False


def test_an_unknown_token_is_a_clear_404(program, visitor):
    response = visitor.get("/p/acme/welcome/not-a-token/")
    assert response.status_code == 404
    assert "This invitation link is not valid." in response.content.decode()
    assert visitor.post("/p/acme/welcome/not-a-token/").status_code == 404


def test_joining_when_already_an_advocate_logs_in_without_a_duplicate(
        program, ana, visitor, django_capture_on_commit_callbacks):
    raw = _invite_with_known_token(program, ana, django_capture_on_commit_callbacks)
    existing = factories.make_advocate(program, email="ANA@example.pl", name="Ana N.", status="pending")

    response = visitor.post(f"/p/acme/welcome/{raw}/")

    assert response.status_code == 302
    assert Advocate.objects.count() == 1
    existing.refresh_from_db()
    assert existing.status == "active" and existing.name == "Ana N."
    assert _logged_in(visitor, program) == existing.pk
    assert Invitation.objects.get().advocate == existing


def test_a_disabled_advocate_cannot_join_through_an_invitation(program, ana, visitor, django_capture_on_commit_callbacks):
    raw = _invite_with_known_token(program, ana, django_capture_on_commit_callbacks)
    factories.make_advocate(program, email="ana@example.pl", status="disabled")

    response = visitor.post(f"/p/acme/welcome/{raw}/")

    assert response.status_code == 410
    assert _logged_in(visitor, program) is None
    assert Invitation.objects.get().joined_at is None


def test_joining_is_rate_limited_per_address(program, visitor):
    for _attempt in range(JOINS_PER_IP):
        visitor.post("/p/acme/welcome/nope/")
    response = visitor.post("/p/acme/welcome/nope/")
    assert response.status_code == 429
    assert response["Retry-After"]


def test_the_invitation_page_speaks_arabic_right_to_left(program, visitor, django_capture_on_commit_callbacks):
    layla = make_customer(program, "layla@example.com", "Layla Haddad", language="ar")
    raw = _invite_with_known_token(program, layla, django_capture_on_commit_callbacks)

    page = visitor.get(f"/p/acme/welcome/{raw}/").content.decode()

    assert '<html lang="ar" dir="rtl">' in page
    with translation.override("ar"):
        assert gettext("Join and open my hub") in page
    assert '<bdi dir="ltr">layla@example.com</bdi>' in page


def test_another_programs_token_does_not_work_here(program, workspace, ana, visitor, django_capture_on_commit_callbacks):
    raw = _invite_with_known_token(program, ana, django_capture_on_commit_callbacks)
    factories.make_program(workspace, slug="beta")

    assert visitor.get(f"/p/beta/welcome/{raw}/").status_code == 404
    assert visitor.post(f"/p/beta/welcome/{raw}/").status_code == 404
    assert Advocate.objects.count() == 0


def test_accepting_twice_in_a_row_makes_one_advocate(program, ana, django_capture_on_commit_callbacks):
    raw = _invite_with_known_token(program, ana, django_capture_on_commit_callbacks)
    first = accept_invitation(program, raw)
    with pytest.raises(Gone):
        accept_invitation(program, raw)
    assert list(Advocate.objects.all()) == [first]
