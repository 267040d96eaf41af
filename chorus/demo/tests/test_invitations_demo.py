"""The demo's channels, invitations in every state and link joins."""

import random
from datetime import UTC, datetime, timedelta

import pytest

from chorus.advocates.models import Advocate
from chorus.demo.invitations import seed_invitations
from chorus.invitations.channels import channel_funnels, channel_progress
from chorus.invitations.models import Enrolment, Invitation
from chorus.testing import factories

pytestmark = pytest.mark.django_db


def test_seed_invitations(owner, workspace):
    program = factories.make_program(workspace)
    now = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)
    star = factories.make_advocate(program, email="star@example.com")
    recent = [factories.make_advocate(program) for _index in range(25)]
    for days, advocate in enumerate(recent):  # the history's newest advocates joined in the last weeks
        Advocate.objects.filter(pk=advocate.pk).update(joined_at=now - timedelta(days=days))

    csm, linkedin, banner = seed_invitations(program, owner, random.Random(1), now, star=star)

    stages = [invitation.stage for invitation in Invitation.objects.filter(program=program)]
    assert {stage: stages.count(stage) for stage in set(stages)} == {"joined": 7, "clicked": 6, "sent": 7,
                                                                    "suppressed": 1}
    assert Advocate.objects.filter(program=program).count() == 26  # the joins re-use seeded advocates
    assert Enrolment.objects.count() == 7 + 7 + 5
    assert not Enrolment.objects.filter(advocate=star).exists()
    assert Enrolment.objects.filter(channel=linkedin, invitation__isnull=True).count() == 7
    rows = {row.channel.name if row.channel else None: row for row in channel_funnels(program)}
    assert (rows["CSM outreach"].invited, rows["CSM outreach"].clicked, rows["CSM outreach"].joined,
            rows["CSM outreach"].not_sent) == (10, 7, 4, 1)
    assert (rows["LinkedIn post"].link_visits, rows["LinkedIn post"].joined) == (46, 9)
    assert list(Enrolment.objects.filter(channel=csm).order_by("-advocate__joined_at").values_list(
        "advocate", flat=True)) == [advocate.pk for advocate in recent[:4]]
    assert channel_progress(csm, now=now)[0].joined == 4
    assert channel_progress(banner, now=now)[0].target == 15
    assert program.customers.count() == 21 + 8  # 7 of them for the advocates who joined
