"""The demo's channels, invitations in every state and link joins."""

import random
from datetime import UTC, datetime

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

    csm, linkedin, banner = seed_invitations(program, owner, random.Random(1), now)

    stages = [invitation.stage for invitation in Invitation.objects.filter(program=program)]
    assert {stage: stages.count(stage) for stage in set(stages)} == {"joined": 7, "clicked": 6, "sent": 7,
                                                                    "suppressed": 1}
    assert Advocate.objects.filter(program=program, status="active").count() == 7 + 7 + 5
    assert Enrolment.objects.filter(channel=linkedin, invitation__isnull=True).count() == 7
    rows = {row.channel.name if row.channel else None: row for row in channel_funnels(program)}
    assert (rows["CSM outreach"].invited, rows["CSM outreach"].clicked, rows["CSM outreach"].joined,
            rows["CSM outreach"].not_sent) == (10, 7, 4, 1)
    assert (rows["LinkedIn post"].link_visits, rows["LinkedIn post"].joined) == (46, 9)
    assert channel_progress(csm, now=now)[0].joined == 4
    assert channel_progress(banner, now=now)[0].target == 15
    assert program.customers.count() == 21 + 8
