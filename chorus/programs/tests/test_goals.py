"""Goal progress, projection and status, worked out by hand on fixed days; stage validation."""

from datetime import date
from decimal import Decimal

import pytest

from chorus.core.errors import Conflict, InvalidInput
from chorus.programs import goals
from chorus.programs.goals import StageInput, goal_progress, plan, save_goal
from chorus.programs.models import Goal, GoalStage

from .plan_fixture import joined_dataset, referral_dataset, share_metric

FEB_19 = date(2026, 2, 19)


def joined_goal(program, target=50, stages=None, **fields):
    # 1 Jan .. 10 Apr 2026: 31 + 28 + 31 + 10 = 100 days
    values = {"kind": "operational", "name": "Advocates in the program", "metric": "advocates_joined",
              "target": target, "start_date": date(2026, 1, 1), "deadline": date(2026, 4, 10), **fields}
    return save_goal(program, stages=stages, **values)


def test_cumulative_progress_by_hand(program):
    joined_dataset(program)
    progress = goal_progress(joined_goal(program, target=50), today=FEB_19)
    # window 1 Jan .. 19 Feb = 31 + 19 = 50 days of 100; 21 joined in it (not 31 Dec, not 20 Feb)
    assert progress.current == 21
    assert progress.percent_done == pytest.approx(42.0)  # 21 / 50
    assert progress.expected == pytest.approx(25.0)  # 50 × 50 / 100
    assert progress.projected == pytest.approx(42.0)  # 21 / 50 days × 100 days
    assert progress.current_per_week == pytest.approx(2.94)  # 21 / 50 × 7
    assert progress.needed_per_week == pytest.approx(4.06)  # (50 − 21) / 50 days left (20 Feb .. 10 Apr) × 7
    assert progress.status == "at_risk"  # 42 < 50 but ≥ 40 (80 % of 50)
    assert progress.next_stage is None and progress.next_stage_met is None
    assert progress.advocates is None  # not a signups/revenue goal


@pytest.mark.parametrize(("target", "today", "status"), [
    (40, FEB_19, "on_track"),  # projected 42 ≥ 40
    (60, FEB_19, "behind"),  # projected 42 < 48 (80 % of 60)
    (20, FEB_19, "achieved"),  # 21 ≥ 20 already
    (50, date(2026, 4, 11), "ended_missed"),  # 22 (20 Feb counts now) < 50 after the deadline
    (22, date(2026, 4, 11), "achieved"),
    (50, date(2025, 12, 31), "not_started"),
])
def test_status_by_hand(program, target, today, status):
    joined_dataset(program)
    assert goal_progress(joined_goal(program, target=target), today=today).status == status


def test_before_the_start_nothing_is_measured(program):
    joined_dataset(program)
    progress = goal_progress(joined_goal(program), today=date(2025, 12, 31))
    assert (progress.current, progress.projected, progress.current_per_week) == (None, None, None)
    assert progress.needed_per_week == pytest.approx(3.5)  # 50 over all 100 days × 7


def test_expected_follows_the_stages(program):
    joined_dataset(program)
    goal = joined_goal(program, stages=[StageInput(date(2026, 3, 1), Decimal(30)),
                                        StageInput(date(2026, 1, 31), Decimal(10))])
    progress = goal_progress(goal, today=FEB_19)
    # line (31 Dec, 0) → (31 Jan, 10) → (1 Mar, 30) → (10 Apr, 50); 19 Feb is 19 of the 29 days
    # from 31 Jan to 1 Mar: 10 + 20 × 19 / 29
    assert progress.expected == pytest.approx(10 + 20 * 19 / 29)
    assert (progress.next_stage.date, progress.next_stage.target, progress.next_stage_met) == (
        date(2026, 3, 1), Decimal(30), False)
    assert goal_progress(goal, today=date(2026, 1, 31)).expected == pytest.approx(10.0)
    assert goal_progress(goal, today=date(2026, 1, 20)).next_stage_met is True  # 20 joined by 20 Jan ≥ 10


def test_advocates_needed_for_signups_and_revenue(program):
    referral_dataset(program)
    today = date(2026, 6, 15)
    signups = save_goal(program, kind="operational", name="10 referred customers", metric="referred_signups",
                        target=10, start_date=date(2026, 3, 1), deadline=date(2026, 8, 14))
    progress = goal_progress(signups, today=today)
    # 3 signups in 1 Mar .. 15 Jun (107 days of 167): projected 3 / 107 × 167 = 4.68 → behind (< 8)
    assert progress.current == 3
    assert progress.projected == pytest.approx(3 / 107 * 167)
    assert progress.status == "behind"
    assert progress.needed_per_week == pytest.approx(7 / 60 * 7)  # 7 more in the 60 days to 14 Aug
    # trailing Mar–May: 12 invites / 3 advocate-months = 4 per advocate, 3 / 12 = 25 % convert;
    # 60 days = 2 months → 2 × 4 × 0.25 = 2 customers per advocate; 7 more → ceil(7 / 2) = 4 advocates
    assert (progress.advocates.customers_needed, progress.advocates.needed, progress.advocates.current,
            progress.advocates.missing) == (7, 4, 1, 3)

    revenue = save_goal(program, kind="strategic", name="Referred revenue", metric="referred_revenue",
                        target=50000, start_date=date(2026, 3, 1), deadline=date(2026, 8, 14))
    progress = goal_progress(revenue, today=today)
    # 15000 so far at 5000 per signup: 35000 more = 7 customers → the same 4 advocates
    assert progress.current == 15000
    assert (progress.advocates.customers_needed, progress.advocates.needed) == (7, 4)


def test_rate_metrics_are_compared_as_they_stand(program):
    with share_metric():
        goal = save_goal(program, kind="operational", name="Half redeem", metric="test_share", target="50.5",
                         start_date=date(2026, 1, 1), deadline=date(2026, 6, 30))
        progress = goal_progress(goal, today=FEB_19)
        assert (progress.current, progress.projected, progress.expected) == (40.0, 40.0, 50.5)
        assert progress.needed_per_week is None and progress.current_per_week is None
        assert progress.status == "behind"  # 40 < 40.4 (80 % of 50.5)
        assert progress.percent_done == pytest.approx(40 / 50.5 * 100)


def test_rate_metric_statuses(program):
    with share_metric():
        goal = save_goal(program, kind="operational", name="Half redeem", metric="test_share", target=50,
                         start_date=date(2026, 1, 1), deadline=date(2026, 6, 30))
        share_metric.value = 40.0  # 80 % of 50: at risk
        assert goal_progress(goal, today=FEB_19).status == "at_risk"
        share_metric.value = 39.9
        assert goal_progress(goal, today=FEB_19).status == "behind"
        share_metric.value = 50.0
        assert goal_progress(goal, today=FEB_19).status == "on_track"  # met, but it can still move
        assert goal_progress(goal, today=date(2026, 7, 1)).status == "achieved"
        share_metric.value = None  # nothing to divide by
        assert goal_progress(goal, today=FEB_19).status == "behind"
        assert goal_progress(goal, today=date(2026, 7, 1)).status == "ended_missed"


def test_plan_orders_strategic_then_their_operational_goals(program):
    later = save_goal(program, kind="strategic", name="Revenue", metric="referred_revenue", target=100000,
                      start_date=date(2026, 1, 1), deadline=date(2026, 12, 31))
    loose = joined_goal(program, name="Loose")
    child = joined_goal(program, name="Under revenue", parent=later, deadline=date(2026, 5, 1))
    earlier = save_goal(program, kind="strategic", name="Signups", metric="referred_signups", target=10,
                        start_date=date(2026, 1, 1), deadline=date(2026, 3, 31))
    assert [row.goal for row in plan(program, today=FEB_19)] == [earlier, later, child, loose]


# --- validation -----------------------------------------------------------------------------------

def stage_error(program, stages, **fields):
    with pytest.raises(InvalidInput) as caught:
        joined_goal(program, stages=[StageInput(day, Decimal(target)) for day, target in stages], **fields)
    return caught.value


@pytest.mark.parametrize(("stages", "message"), [
    ([(date(2026, 1, 1), 10)], "Stage dates fall after the start date and before the deadline (2026-01-01)."),
    ([(date(2026, 4, 10), 10)], "Stage dates fall after the start date and before the deadline (2026-04-10)."),
    ([(date(2027, 1, 1), 10)], "Stage dates fall after the start date and before the deadline (2027-01-01)."),
    ([(date(2026, 2, 1), 10), (date(2026, 2, 1), 20)], "Two stages share the date 2026-02-01."),
    ([(date(2026, 2, 1), 20), (date(2026, 3, 1), 20)],
     "Each stage's target is above the previous stage's and at most the goal's target (20 on 2026-03-01)."),
    ([(date(2026, 2, 1), 60)],
     "Each stage's target is above the previous stage's and at most the goal's target (60 on 2026-02-01)."),
    ([(date(2026, 2, 1), "2.5")], "This metric counts whole numbers: give a whole target."),
])
def test_stage_validation(program, stages, message):
    assert stage_error(program, stages).message == message
    assert (Goal.objects.count(), GoalStage.objects.count()) == (0, 0)


def test_rate_stages_may_go_down(program):
    with share_metric():
        goal = save_goal(program, kind="operational", name="Unsubscribes", metric="test_share", target=5,
                         start_date=date(2026, 1, 1), deadline=date(2026, 6, 30),
                         stages=[StageInput(date(2026, 2, 1), Decimal(8)), StageInput(date(2026, 4, 1), Decimal(6))])
        assert [stage.target for stage in goal.stages.all()] == [Decimal(8), Decimal(6)]


@pytest.mark.parametrize(("fields", "field", "message"), [
    ({"metric": "nope"}, "metric", "Unknown metric “nope”."),
    ({"deadline": date(2026, 1, 1)}, "deadline", "The deadline comes after the start date."),
    ({"target": -1}, "target", "The target must be a number of at least 0."),
    ({"target": "lots"}, "target", "The target must be a number of at least 0."),
    ({"metric": "referred_revenue", "target": "10.5"}, "target",
     "Money targets are whole numbers in minor units (for example cents)."),
    ({"kind": "tactical"}, "kind", "A goal is strategic or operational."),
    ({"name": ""}, "name", "Fill in: name."),
])
def test_goal_validation(program, fields, field, message):
    with pytest.raises(InvalidInput) as caught:
        joined_goal(program, **fields)
    assert caught.value.message == message and field in caught.value.field_errors
    assert Goal.objects.count() == 0


def test_parent_rules(program, workspace):
    strategic = save_goal(program, kind="strategic", name="Revenue", metric="referred_revenue", target=100,
                          start_date=date(2026, 1, 1), deadline=date(2026, 12, 31))
    operational = joined_goal(program, parent=strategic)
    with pytest.raises(InvalidInput, match="Only an operational goal can sit under a strategic goal."):
        joined_goal(program, parent=operational)
    with pytest.raises(InvalidInput, match="Only an operational goal can sit under a strategic goal."):
        joined_goal(program, kind="strategic", parent=strategic)
    from chorus.testing import factories

    other = factories.make_program(workspace)
    with pytest.raises(InvalidInput, match="No goal with this id in this program."):
        joined_goal(other, parent=strategic)
    with pytest.raises(InvalidInput, match="Goals sit under “Revenue”: it stays strategic until they are moved."):
        save_goal(program, strategic, kind="operational")
    with pytest.raises(Conflict, match="Goals sit under “Revenue”: delete them or move them first."):
        goals.delete_goal(strategic)
    goals.delete_goal(operational)
    goals.delete_goal(strategic)
    assert Goal.objects.count() == 0


def test_add_and_delete_stage(program):
    goal = joined_goal(program)
    stage = goals.add_stage(goal, date=date(2026, 2, 1), target=10)
    with pytest.raises(Conflict, match="Two stages share the date 2026-02-01."):
        goals.add_stage(goal, date=date(2026, 2, 1), target=12)
    with pytest.raises(InvalidInput):
        goals.add_stage(goal, date=date(2026, 3, 1), target=5)  # below the stage before
    assert list(goal.stages.values_list("date", "target")) == [(date(2026, 2, 1), Decimal(10))]
    goals.delete_stage(stage)
    assert goal.stages.count() == 0


def test_deleting_the_program_deletes_its_goals(program):
    parent = save_goal(program, kind="strategic", name="Revenue", metric="referred_revenue", target=100,
                       start_date=date(2026, 1, 1), deadline=date(2026, 12, 31))
    joined_goal(program, parent=parent, stages=[StageInput(date(2026, 2, 1), Decimal(5))])
    program.delete()
    assert (Goal.objects.count(), GoalStage.objects.count()) == (0, 0)
