"""Console: choose candidates (also from ?customers=), preview, send, follow stages, resend;
channels with links and targets; scoped access."""

from datetime import timedelta

import pytest
from django.utils import timezone

from chorus.advocates.models import Advocate
from chorus.invitations.channels import create_channel
from chorus.invitations.models import Channel, Invitation
from chorus.notifications import consent
from chorus.testing import factories

from .conftest import make_customer

pytestmark = pytest.mark.django_db


def test_the_page_lists_candidates_and_preselects_customers_from_the_query(owner_client, program, ana, advocate):
    bob = make_customer(program, "bob@example.com", "Bob Stone")
    make_customer(program, "jane@example.com", "Jane Doe")  # an advocate already: not a candidate

    page = owner_client.get(f"/console/programs/acme/invitations/?customers={ana.pk},{bob.pk},abc")

    assert page.status_code == 200
    body = page.content.decode()
    assert [customer.pk for customer in page.context["selected"]] == [ana.pk, bob.pk]
    assert list(page.context["candidates"].object_list) == []  # both chosen, Jane is an advocate
    assert f'name="customers" value="{ana.pk}" checked' in body
    search = owner_client.get("/console/programs/acme/invitations/?q=stone")
    assert [customer.email for customer in search.context["candidates"].object_list] == ["bob@example.com"]


def test_preview_shows_the_email_in_the_recipients_language(owner_client, program, ana):
    page = owner_client.get(f"/console/programs/acme/invitations/preview/?customer={ana.pk}", headers={"HX-Request": "true"})

    assert page.status_code == 200
    body = page.content.decode()
    assert 'lang="pl" dir="ltr"' in body
    assert "Ana, dołącz do programu ambasadorów Acme Customers" in body
    assert "Dołącz teraz" in body
    layla = make_customer(program, "layla@example.com", "Layla Haddad", language="ar")
    arabic = owner_client.get(f"/console/programs/acme/invitations/preview/?customer={layla.pk}").content.decode()
    assert 'lang="ar" dir="rtl"' in arabic and "انضم الآن" in arabic


def test_sending_from_the_console_reports_every_outcome(owner_client, program, ana, advocate, smtp_server,
                                                       django_capture_on_commit_callbacks):
    channel = create_channel(program, name="CSM outreach")
    jane = make_customer(program, "jane@example.com", "Jane Doe")
    suppressed = make_customer(program, "gone@example.com", "Gus Gone")
    consent.suppress(program, "gone@example.com", reason="bounce", source="api")

    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post("/console/programs/acme/invitations/", {
            "customers": [ana.pk, jane.pk, suppressed.pk], "channel": channel.pk}, follow=True)

    assert response.status_code == 200
    messages = [str(message) for message in response.context["messages"]]
    assert messages == ["1 invitation sent.", "Not sent, the address is suppressed: gone@example.com",
                        "Already advocates, not invited: jane@example.com"]
    smtp_server.wait_for(1)
    assert [m["X-Envelope-To"] for m in smtp_server.messages] == ["ana@example.pl"]
    assert {(i.email, i.status, i.channel_id) for i in Invitation.objects.all()} == {
        ("ana@example.pl", "sent", channel.pk), ("gone@example.com", "suppressed", channel.pk)}
    body = response.content.decode()
    assert "Not sent: suppressed" in body
    assert Advocate.objects.count() == 1

    with django_capture_on_commit_callbacks(execute=True):  # the same people again: nobody is emailed twice
        again = owner_client.post("/console/programs/acme/invitations/", {"customers": [ana.pk]}, follow=True)
    assert [str(m) for m in again.context["messages"]] == [
        "Invited before, not invited again (use Resend): ana@example.pl"]
    assert len(smtp_server.wait_for(2, timeout=0.5)) == 1


def test_bad_input_changes_nothing(owner_client, program, ana, outsider):
    from chorus.programs.models import Program

    other = make_customer(Program.objects.get(slug="other-program"), "x@example.com")
    assert owner_client.post("/console/programs/acme/invitations/", {"customers": []}).status_code == 422
    assert owner_client.post("/console/programs/acme/invitations/", {"customers": ["x"]}).status_code == 422
    response = owner_client.post("/console/programs/acme/invitations/", {"customers": [ana.pk, other.pk]})
    assert response.status_code == 422
    assert "Some of the chosen customers are not in this program." in response.content.decode()
    assert Invitation.objects.count() == 0


def test_resend_rules(owner_client, program, ana, smtp_server, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post("/console/programs/acme/invitations/", {"customers": [ana.pk]}, follow=True)
    invitation = Invitation.objects.get()
    first_token = invitation.token_hash

    refused = owner_client.post(f"/console/programs/acme/invitations/{invitation.pk}/resend/", follow=True)
    assert [str(m) for m in refused.context["messages"]] == [
        "ana@example.pl was invited less than a day ago. Resend tomorrow at the earliest."]

    Invitation.objects.update(last_sent_at=timezone.now() - timedelta(hours=25))
    with django_capture_on_commit_callbacks(execute=True):
        sent = owner_client.post(f"/console/programs/acme/invitations/{invitation.pk}/resend/", follow=True)
    assert [str(m) for m in sent.context["messages"]] == ["Invitation sent again to ana@example.pl."]
    invitation.refresh_from_db()
    assert invitation.send_count == 2 and invitation.token_hash != first_token
    assert len(smtp_server.wait_for(2)) == 2

    Invitation.objects.update(last_sent_at=timezone.now() - timedelta(hours=25), send_count=3)
    capped = owner_client.post(f"/console/programs/acme/invitations/{invitation.pk}/resend/", follow=True)
    assert [str(m) for m in capped.context["messages"]] == [
        "ana@example.pl was already invited 3 times; that is enough."]


def test_stage_filter(owner_client, program, ana, django_capture_on_commit_callbacks):
    bob = make_customer(program, "bob@example.com", "Bob Stone")
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post("/console/programs/acme/invitations/", {"customers": [ana.pk, bob.pk]})
    Invitation.objects.filter(email="bob@example.com").update(clicked_at=timezone.now())

    clicked = owner_client.get("/console/programs/acme/invitations/?stage=clicked")
    assert [invitation.email for invitation, _resend in clicked.context["invitation_rows"]] == ["bob@example.com"]
    sent = owner_client.get("/console/programs/acme/invitations/?stage=sent")
    assert [invitation.email for invitation, _resend in sent.context["invitation_rows"]] == ["ana@example.pl"]


def test_channels_page_creates_a_channel_with_a_target_and_shows_its_link(owner_client, program):
    response = owner_client.post("/console/programs/acme/channels/", {
        "name": "LinkedIn post", "slug": "", "target_joined": 20, "target_period": "quarter"})
    assert response.status_code == 302
    channel = Channel.objects.get()
    assert (channel.slug, channel.target_joined, channel.target_period) == ("linkedin-post", 20, "quarter")

    page = owner_client.get("/console/programs/acme/channels/").content.decode()
    assert 'value="http://127.0.0.1:8000/p/acme/join/via/linkedin-post/"' in page
    assert "0 of 20 joined (0 %)" in page

    duplicate = owner_client.post("/console/programs/acme/channels/", {
        "name": "LinkedIn again", "slug": "linkedin-post", "target_joined": 0, "target_period": "month"})
    assert duplicate.status_code == 422
    assert "Another channel of this program already uses this slug." in duplicate.content.decode()
    assert Channel.objects.count() == 1

    edit = owner_client.post(f"/console/programs/acme/channels/{channel.pk}/", {
        "name": "LinkedIn", "slug": "linkedin", "target_joined": 5, "target_period": "month"})
    assert edit.status_code == 302
    channel.refresh_from_db()
    assert (channel.name, channel.slug, channel.target_joined, channel.is_active) == ("LinkedIn", "linkedin", 5, False)


def test_outsiders_get_404_and_teammates_only_read(client, outsider, teammate, program, ana):
    channel = create_channel(program, name="CSM outreach")
    client.force_login(outsider)
    for url in ["/console/programs/acme/invitations/", "/console/programs/acme/channels/",
                f"/console/programs/acme/channels/{channel.pk}/",
                f"/console/programs/acme/invitations/preview/?customer={ana.pk}"]:
        assert client.get(url).status_code == 404
    assert client.post("/console/programs/acme/invitations/", {"customers": [ana.pk]}).status_code == 404
    assert client.post("/console/programs/acme/channels/", {"name": "X", "target_joined": 0,
                                                            "target_period": "month"}).status_code == 404

    client.force_login(teammate)
    assert client.get("/console/programs/acme/invitations/").status_code == 200
    assert client.post("/console/programs/acme/invitations/", {"customers": [ana.pk]}).status_code == 404
    assert Invitation.objects.count() == 0 and Channel.objects.count() == 1


def test_another_programs_customer_cannot_be_previewed(owner_client, program, workspace):
    beta = factories.make_program(workspace, slug="beta")
    stranger = make_customer(beta, "s@example.com")
    assert owner_client.get(f"/console/programs/acme/invitations/preview/?customer={stranger.pk}").status_code == 404
