"""Invited advocates hear about an invite-only event by email (real SMTP), once, in their
language, with a link to the invitation in their hub; the demo can invite quietly."""

import pytest

from chorus.campaigns import events
from chorus.testing.factories import make_advocate

from .test_events import make_event

pytestmark = pytest.mark.django_db


def test_new_invitees_get_one_email_each_in_their_language(program, advocate, owner, smtp_server, settings,
                                                          django_capture_on_commit_callbacks):
    settings.CHORUS_BASE_URL = "https://advocates.example.com"
    dinner = make_event(program, title="Founders' dinner", titles={"de": "Gründer-Dinner"})
    german = make_advocate(program, email="lena@example.de", name="Lena Weber", language="de")
    with django_capture_on_commit_callbacks(execute=True):
        events.invite(dinner, [advocate, german], user=owner)
    messages = {message["X-Envelope-To"]: message for message in smtp_server.wait_for(2)}
    assert messages[advocate.email]["Subject"] == "Jane, you are invited: Founders' dinner"
    assert messages["lena@example.de"]["Subject"] == "Lena, Sie sind eingeladen: Gründer-Dinner"
    assert messages[advocate.email]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    body = smtp_server.body(messages[advocate.email])
    assert "You are invited to Founders' dinner" in body and "https://advocates.example.com/e/c/" in body

    with django_capture_on_commit_callbacks(execute=True):
        again = events.invite(dinner, [advocate, german], user=owner)  # already invited: no second email
    assert (again.invited, again.already_invited) == ([], 2)
    assert len(smtp_server.wait_for(3, timeout=1)) == 2


def test_inviting_quietly_sends_nothing(program, advocate, owner, smtp_server, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        result = events.invite(make_event(program), [advocate], user=owner, notify=False)
    assert len(result.invited) == 1
    assert smtp_server.wait_for(1, timeout=1) == []
