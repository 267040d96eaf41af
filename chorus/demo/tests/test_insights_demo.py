"""The demo's NPS history, nominations and candidates."""

from datetime import timedelta

from django.utils import timezone

from chorus.demo.seed import seed_demo
from chorus.insights import reports
from chorus.insights.candidates import candidates
from chorus.insights.models import Nomination, NpsResponse
from chorus.notifications.models import OutboundEmail


def test_demo_has_nps_answers_nominations_and_interesting_candidates(db):
    demo = seed_demo(base_url="http://127.0.0.1:8123")
    responses = NpsResponse.objects.filter(program=demo.program)

    assert responses.count() > 50
    assert responses.filter(responded_at__lt=timezone.now() - timedelta(days=60)).exists()
    assert not responses.filter(responded_at__lt=timezone.now() - timedelta(days=90)).exists()
    assert set(responses.values_list("category", flat=True)) == {"promoter", "passive", "detractor"}
    commented = responses.exclude(comment="")
    assert any("ä" in c or "ü" in c for c in commented.values_list("comment", flat=True))  # German
    assert any(any("\u0600" <= ch <= "\u06ff" for ch in c) for c in commented.values_list("comment", flat=True))
    assert reports.summary(demo.program).nps > 0
    assert Nomination.objects.filter(program=demo.program).count() == 6
    assert OutboundEmail.objects.filter(template_key="nps_survey").count() == 0  # history, not sends
    ranked = candidates(demo.program)
    assert ranked[0].score.total > ranked[-1].score.total
    assert any(c.nominations for c in ranked)
