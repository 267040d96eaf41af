"""Exclusive access (E5): invitations with unique codes, RSVP with capacity, check-in by code."""

import threading
from datetime import timedelta

import pytest
from django.db import close_old_connections, connection
from django.utils import timezone

from chorus.campaigns import events
from chorus.campaigns.models import Event, Invitation
from chorus.core.codes import normalize_access_code
from chorus.core.errors import Conflict, InvalidInput, NotFound
from chorus.rewards import points
from chorus.rewards.models import LedgerEntry
from chorus.testing.factories import make_advocate, make_program

pytestmark = pytest.mark.django_db


def make_event(program, **fields) -> Event:
    values = {"title": "Customer dinner", "starts_at": timezone.now() + timedelta(days=7), "points": 250,
              "location": "Berlin"}
    values.update(fields)
    return events.create_event(program, **values)


def test_invitations_get_unique_codes_and_invite_is_idempotent(program, advocate, owner):
    event = make_event(program)
    others = [make_advocate(program) for _ in range(30)]
    result = events.invite(event, [advocate, *others], user=owner)
    assert (len(result.invited), result.already_invited, result.skipped) == (31, 0, 0)
    codes = list(Invitation.objects.filter(event=event).values_list("code", flat=True))
    assert len(set(codes)) == 31
    assert all(len(code) == 9 and code[4] == "-" for code in codes)
    code = Invitation.objects.get(event=event, advocate=advocate).code
    again = events.invite(event, [advocate.pk, others[0].pk], user=owner)
    assert (len(again.invited), again.already_invited, again.skipped) == (0, 2, 0)
    assert Invitation.objects.get(event=event, advocate=advocate).code == code
    assert Invitation.objects.filter(event=event).count() == 31


def test_invite_skips_other_programs_and_disabled_advocates(program, advocate, workspace):
    other = make_advocate(make_program(workspace))
    disabled = make_advocate(program)
    disabled.status = "disabled"
    disabled.save()
    result = events.invite(make_event(program), [advocate, other, disabled])
    assert ([i.advocate_id for i in result.invited], result.skipped) == ([advocate.pk], 2)


def test_segments(program, advocate):
    german = make_advocate(program, language="de")
    event = make_event(program)
    events.invite(event, events.segment_advocates(program, "language", "de"))
    assert list(event.invitations.values_list("advocate_id", flat=True)) == [german.pk]
    points.credit(advocate, 600, source=german)
    insider = program.levels.get(rank=1)
    assert list(events.segment_advocates(program, "level", str(insider.pk))) == [advocate]
    with pytest.raises(InvalidInput):
        events.segment_advocates(program, "level", "999999")


def test_rsvp_is_idempotent_and_capacity_refuses_a_clear_no(program, advocate):
    event = make_event(program, capacity=1)
    second = make_advocate(program)
    events.invite(event, [advocate, second])
    first = events.rsvp(advocate, True, event=event.pk)
    answered_at = first.rsvp_at
    assert events.rsvp(advocate, True, event=event).rsvp_at == answered_at  # same answer: nothing changes
    assert events.rsvp((advocate, event.pk), True).rsvp_at == answered_at  # as the event_rsvp ask calls it
    with pytest.raises(Conflict) as full:
        events.rsvp(second, True, event=event)
    assert full.value.message == "Sorry, this event is full: all 1 seats are taken."
    assert Invitation.objects.get(advocate=second).rsvp == "none"
    events.rsvp(advocate, False, event=event)  # a seat is freed
    assert events.rsvp(second, True, event=event).rsvp == "yes"
    assert events.seats_left(event) == 0


def test_rsvp_of_an_uninvited_advocate_is_not_found(program, advocate):
    with pytest.raises(NotFound):
        events.rsvp(advocate, True, event=make_event(program))


def test_rsvp_to_a_past_event_is_refused(program, advocate):
    event = make_event(program, starts_at=timezone.now() - timedelta(days=2))
    invitation = events.invite(event, [advocate]).invited[0]
    with pytest.raises(Conflict, match="over"):
        events.rsvp(invitation, True)
    invitation.refresh_from_db()
    assert invitation.rsvp == "none"


def test_check_in_by_code_credits_points_once(program, advocate, owner):
    event = make_event(program, points=250)
    invitation = events.invite(event, [advocate]).invited[0]
    typed = invitation.code.lower().replace("-", " ")
    result = events.check_in(event, typed, user=owner)
    assert (result.invitation.pk, result.points_credited) == (invitation.pk, 250)
    invitation.refresh_from_db()
    assert invitation.checked_in_at is not None and invitation.checked_in_by == owner
    with pytest.raises(Conflict) as twice:
        events.check_in(event, invitation.code, user=owner)
    assert "Jane Doe is already checked in" in twice.value.message
    assert points.balance(advocate) == 250
    entry = LedgerEntry.objects.get(advocate=advocate)
    assert (entry.source_type, entry.source_id, entry.amount) == ("campaigns.invitation", str(invitation.pk), 250)


def test_wrong_codes_say_why_and_change_nothing(program, advocate, workspace):
    dinner, meetup = make_event(program), make_event(program, title="Meetup")
    for_meetup = events.invite(meetup, [advocate]).invited[0]
    with pytest.raises(NotFound) as unknown:
        events.check_in(dinner, "ZZZZ-ZZZZ")
    assert unknown.value.message == "No invitation has the code “ZZZZ-ZZZZ”. Check it and try again."
    with pytest.raises(Conflict) as wrong:
        events.check_in(dinner, for_meetup.code)
    assert wrong.value.message == "This code is for “Meetup”, not this event."
    other_program = make_program(workspace)
    foreign = events.invite(make_event(other_program), [make_advocate(other_program)]).invited[0]
    with pytest.raises(NotFound):  # another program's code is unknown here, not "wrong event"
        events.check_in(dinner, foreign.code)
    assert not Invitation.objects.filter(checked_in_at__isnull=False).exists()
    assert not LedgerEntry.objects.exists()


def test_event_validation(program):
    with pytest.raises(InvalidInput) as refused:
        events.create_event(program, title="", starts_at=None, capacity=0, online_url="ftp://x")
    assert set(refused.value.field_errors) == {"title", "starts_at", "capacity", "online_url"}
    club = events.create_event(program, kind="club", title="Power users", titles={"de": "Power-User", "ar": ""})
    assert club.titles == {"de": "Power-User"} and club.starts_at is None


def test_normalize_access_code():
    assert normalize_access_code(" k7qm 2xpa ") == "K7QM-2XPA"
    assert normalize_access_code("K7QM-2XPA") == "K7QM-2XPA"


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="row locks need PostgreSQL")
def test_two_advocates_rsvp_for_the_last_seat_at_once(transactional_db, program):
    event = make_event(program, capacity=1)
    first, second = make_advocate(program), make_advocate(program)
    invitations = events.invite(event, [first, second]).invited
    barrier = threading.Barrier(2)
    outcomes = []

    def answer(invitation):
        try:
            barrier.wait()
            events.rsvp(invitation, True)
            outcomes.append("yes")
        except Conflict as error:
            outcomes.append(error.code)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=answer, args=(invitation,)) for invitation in invitations]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["event_full", "yes"]
    assert Invitation.objects.filter(event=event, rsvp="yes").count() == 1
