"""The demo's plan: outcome types, a strategic goal with operational goals and stages under it,
statuses spread over the page, and personas that match someone."""

from chorus.demo.seed import seed_demo
from chorus.programs.goals import plan
from chorus.programs.personas import personas


def test_demo_plan(db):
    demo = seed_demo(base_url="http://127.0.0.1:8123")
    assert demo.program.outcome_types == ["referrals", "reviews", "social_shares", "case_studies", "testimonials"]
    assert demo.team_program.outcome_types == ["referrals", "references"]
    rows = plan(demo.program)
    assert [(row.goal.kind, row.goal.metric) for row in rows] == [
        ("strategic", "referred_revenue"), ("operational", "referred_signups"), ("operational", "advocates_joined")]
    assert rows[1].goal.parent == rows[0].goal and rows[1].goal.stages.count() == 3
    # revenue is stretched 20 % above its pace, signups set 10 % under it, advocates 60 % above it
    assert [row.status for row in rows] == ["at_risk", "on_track", "behind"]
    assert rows[0].advocates is not None and rows[1].advocates is not None
    counts = {row.persona.name: row.count for row in personas(demo.program)}
    assert set(counts) == {"Champions", "German-speaking customers", "Promoters", "Company accounts"}
    assert all(count > 0 for count in counts.values()), counts
