"""Goals (P1): saving them with their stages, and how each one is doing.

Progress of a goal on day `today` (all dates are calendar days in the current time zone):
  * the measured window is start_date .. min(today, deadline), both included; `elapsed` is its
    length in days and `total` = deadline − start_date + 1;
  * current = the metric's value over that window (`catalogue.value`);
  * cumulative metrics (counts, money — values that add up over time) are projected linearly:
    current per day = current ÷ elapsed, projected at deadline = current ÷ elapsed × total;
    expected today = target × elapsed ÷ total, or, with stages, the line through
    (start − 1 day, 0), each stage (date, target) and (deadline, target) at today;
    needed per week = (target − current) ÷ (days after today until the deadline) × 7;
  * other metrics (rates, averages) are compared as they stand: projected = current;
  * status: not_started before the start date; achieved once a cumulative higher-is-better
    goal reaches its target, or when any goal ends with its target met; ended_missed when the
    deadline passed without it; otherwise on_track when the projection meets the target,
    at_risk when it is within AT_RISK_MARGIN of it, behind when further off (or unmeasurable).
  * Goals on referred signups or revenue also say how many active advocates it would take
    (`virality.advocates_needed` with the last three months' rates); revenue is turned into
    customers at the goal's revenue per referred signup so far.
"""

import math
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chorus.analytics import catalogue, virality
from chorus.core.errors import Conflict, InvalidInput
from chorus.core.models import audit

from .models import Goal, GoalStage, Program

AT_RISK_MARGIN = Decimal("0.2")  # within 20 % of the target: at risk, not yet behind
MAX_GOAL_DAYS = 366 * 5
STATUS_LABELS = {
    "achieved": gettext_lazy("Achieved"),
    "on_track": gettext_lazy("On track"),
    "at_risk": gettext_lazy("At risk"),
    "behind": gettext_lazy("Behind"),
    "not_started": gettext_lazy("Not started"),
    "ended_missed": gettext_lazy("Ended, missed"),
}
STATUSES = tuple(STATUS_LABELS)
WHOLE_UNITS = ("count", "money", "days")
SIGNUP_METRICS = ("referred_signups", "referred_revenue")


# --- saving ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class StageInput:
    date: date
    target: Decimal


def _number(value, field: str) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        number = None
    if number is None or not number.is_finite() or number < 0 or number >= Decimal("1e14"):
        raise InvalidInput(_("The target must be a number of at least 0."), field_errors={field: [_("Give a number of at least 0.")]})
    return number


def _check_target(metric, target, field: str = "target") -> Decimal:
    target = _number(target, field)
    if metric.unit in WHOLE_UNITS and target != target.to_integral_value():
        message = (_("Money targets are whole numbers in minor units (for example cents).") if metric.unit == "money"
                   else _("This metric counts whole numbers: give a whole target."))
        raise InvalidInput(message, field_errors={field: [message]})
    if metric.unit == "percent" and target > 100:
        raise InvalidInput(_("A percentage target is at most 100."), field_errors={field: [_("At most 100.")]})
    if target == target.to_integral_value():
        target = target.quantize(Decimal(1))
    return target


def _check_parent(program: Program, kind: str, parent: Goal | None, goal: Goal | None) -> None:
    if goal is not None and kind != Goal.Kind.STRATEGIC and goal.children.exists():
        message = _("Goals sit under “%(name)s”: it stays strategic until they are moved.") % {"name": goal.name}
        raise InvalidInput(message, field_errors={"kind": [message]})
    if parent is None:
        return
    if parent.program_id != program.pk:
        raise InvalidInput(_("No goal with this id in this program."), field_errors={"parent": [_("Unknown goal.")]})
    if kind != Goal.Kind.OPERATIONAL or parent.kind != Goal.Kind.STRATEGIC:
        message = _("Only an operational goal can sit under a strategic goal.")
        raise InvalidInput(message, field_errors={"parent": [message]})
    if goal is not None and (parent.pk == goal.pk or goal.children.exists()):
        message = _("A goal with goals under it cannot sit under another goal.")
        raise InvalidInput(message, field_errors={"parent": [message]})


def check_stages(metric, start: date, deadline: date, target: Decimal, stages: list[StageInput]) -> list[StageInput]:
    """Stages sorted by date; dates strictly between start and deadline, one per date; for
    cumulative higher-is-better metrics each target above the one before and at most the goal's."""
    checked = sorted((StageInput(stage.date, _check_target(metric, stage.target, "stages")) for stage in stages),
                     key=lambda stage: stage.date)
    for index, stage in enumerate(checked):
        if not start < stage.date < deadline:
            message = _("Stage dates fall after the start date and before the deadline (%(date)s).") % {"date": stage.date}
            raise InvalidInput(message, field_errors={"stages": [message]})
        if index and checked[index - 1].date == stage.date:
            message = _("Two stages share the date %(date)s.") % {"date": stage.date}
            raise InvalidInput(message, field_errors={"stages": [message]})
        if metric.cumulative and metric.higher_is_better:
            previous = checked[index - 1].target if index else Decimal(0)
            if stage.target <= previous or stage.target > target:
                message = _("Each stage's target is above the previous stage's and at most the goal's target "
                            "(%(target)s on %(date)s).") % {"target": stage.target, "date": stage.date}
                raise InvalidInput(message, field_errors={"stages": [message]})
    return checked


def _goal_fields(program: Program, fields: dict, goal: Goal | None) -> dict:
    current = {name: getattr(goal, name) for name in ("kind", "name", "metric", "target", "start_date", "deadline",
                                                      "parent", "notes")} if goal else {"notes": "", "parent": None}
    merged = {**current, **fields}
    missing = [name for name in ("kind", "name", "metric", "target", "start_date", "deadline")
               if merged.get(name) in (None, "")]
    if missing:
        raise InvalidInput(_("Fill in: %(names)s.") % {"names": ", ".join(missing)},
                           field_errors={name: [_("Required.")] for name in missing})
    if merged["kind"] not in Goal.Kind.values:
        raise InvalidInput(_("A goal is strategic or operational."), field_errors={"kind": [_("Choose a kind.")]})
    merged["name"] = str(merged["name"]).strip()[:160]
    metric = catalogue.get(merged["metric"])
    merged["target"] = _check_target(metric, merged["target"])
    if merged["deadline"] <= merged["start_date"]:
        message = _("The deadline comes after the start date.")
        raise InvalidInput(message, field_errors={"deadline": [message]})
    if (merged["deadline"] - merged["start_date"]).days > MAX_GOAL_DAYS:
        message = _("A goal runs for at most five years.")
        raise InvalidInput(message, field_errors={"deadline": [message]})
    _check_parent(program, merged["kind"], merged["parent"], goal)
    return merged


def save_goal(program: Program, goal: Goal | None = None, *, stages: list[StageInput] | None = None, user=None,
              **fields) -> Goal:
    """Create (goal=None) or change a goal; `stages`, when given, replace the goal's stages.
    Fields: kind, name, metric, target, start_date, deadline, parent (Goal or None), notes."""
    merged = _goal_fields(program, fields, goal)
    metric = catalogue.get(merged["metric"])
    if stages is None and goal is not None:
        stages = [StageInput(stage.date, stage.target) for stage in goal.stages.all()]
    checked = check_stages(metric, merged["start_date"], merged["deadline"], merged["target"], stages or [])
    with transaction.atomic():
        if goal is None:
            goal = Goal(program=program)
        for name, value in merged.items():
            setattr(goal, name, value)
        goal.save()
        goal.stages.all().delete()
        GoalStage.objects.bulk_create([GoalStage(goal=goal, date=stage.date, target=stage.target) for stage in checked])
        audit(action="goal.saved", target=goal, actor=user, workspace=program.workspace, metric=goal.metric,
              target_value=str(goal.target))
    return goal


def add_stage(goal: Goal, *, date: date, target, user=None) -> GoalStage:
    if goal.stages.filter(date=date).exists():
        message = _("Two stages share the date %(date)s.") % {"date": date}
        raise Conflict(message, field_errors={"date": [message]})
    stages = [StageInput(stage.date, stage.target) for stage in goal.stages.all()] + [StageInput(date, target)]
    save_goal(goal.program, goal, stages=stages, user=user)
    return goal.stages.get(date=date)


def delete_stage(stage: GoalStage, *, user=None) -> None:
    goal = stage.goal
    with transaction.atomic():
        stage.delete()
        audit(action="goal.stage_deleted", target=goal, actor=user, workspace=goal.program.workspace,
              date=stage.date.isoformat())


def delete_goal(goal: Goal, *, user=None) -> None:
    if goal.children.exists():
        raise Conflict(_("Goals sit under “%(name)s”: delete them or move them first.") % {"name": goal.name},
                       code="has_children")
    with transaction.atomic():
        audit(action="goal.deleted", target=goal, actor=user, workspace=goal.program.workspace, name=goal.name)
        goal.delete()


def save_outcome_types(program: Program, outcome_types: list[str], *, user=None) -> Program:
    from .models import OutcomeType

    unknown = sorted(set(outcome_types) - set(OutcomeType.values))
    if unknown:
        raise InvalidInput(_("Unknown outcome types: %(names)s.") % {"names": ", ".join(unknown)},
                           field_errors={"outcome_types": [_("Choose from the list.")]})
    program.outcome_types = [value for value in OutcomeType.values if value in outcome_types]
    with transaction.atomic():
        program.save(update_fields=["outcome_types", "updated_at"])
        audit(action="program.outcome_types", target=program, actor=user, workspace=program.workspace,
              outcome_types=program.outcome_types)
    return program


# --- progress -------------------------------------------------------------------------------------

@dataclass
class AdvocatesAnswer:
    """What `virality.advocates_needed` says for the rest of a signups/revenue goal."""

    customers_needed: int
    needed: int
    current: int
    missing: int


@dataclass
class GoalProgress:
    goal: Goal
    metric: catalogue.Metric
    current: float | int | None
    target: Decimal
    percent_done: float | None
    expected: float | None  # where the goal should be today (linear, or along the stages)
    projected: float | None  # at the deadline, at the current rate
    status: str
    needed_per_week: float | None
    current_per_week: float | None
    next_stage: GoalStage | None
    next_stage_met: bool | None
    advocates: AdvocatesAnswer | None
    today: date

    @property
    def bar_value(self) -> float:
        """For a <progress max=100>: percent done, kept between 0 and 100."""
        return max(0.0, min(100.0, self.percent_done or 0.0))

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def days_left(self) -> int:
        return max((self.goal.deadline - self.today).days, 0)


def _meets(metric, value, target) -> bool:
    if value is None:
        return False
    return value >= target if metric.higher_is_better else value <= target


def _stage_line(goal: Goal, stages: list[GoalStage], day: date) -> float:
    """The cumulative target on `day`: straight lines from (start − 1, 0) through the stages to the deadline."""
    points = [(goal.start_date - timedelta(days=1), 0.0)]
    points += [(stage.date, float(stage.target)) for stage in stages]
    points.append((goal.deadline, float(goal.target)))
    for (first_day, first), (last_day, last) in zip(points, points[1:], strict=False):
        if day <= last_day:
            share = (day - first_day).days / (last_day - first_day).days
            return first + (last - first) * share
    return float(goal.target)


def _status(goal: Goal, metric, current, projected, today: date) -> str:
    target = float(goal.target)
    if today < goal.start_date:
        return "not_started"
    if metric.cumulative and metric.higher_is_better and _meets(metric, current, target):
        return "achieved"
    if today > goal.deadline:
        return "achieved" if _meets(metric, current, target) else "ended_missed"
    if projected is None:
        return "behind"
    if _meets(metric, projected, target):
        return "on_track"
    margin = float(AT_RISK_MARGIN)
    close = projected >= target * (1 - margin) if metric.higher_is_better else projected <= target * (1 + margin)
    return "at_risk" if close else "behind"


def _advocates_answer(goal: Goal, current, today: date) -> AdvocatesAnswer | None:
    """How many active advocates the rest of a referred signups/revenue goal takes, if it can be said."""
    if goal.metric not in SIGNUP_METRICS or today >= goal.deadline or current is None:
        return None
    remaining = float(goal.target) - current
    if remaining <= 0:
        return None
    if goal.metric == "referred_revenue":
        start, end = goal.start_date, min(today, goal.deadline)
        signups = catalogue.value(goal.program, "referred_signups", start, end) if today >= start else 0
        if not signups or current <= 0:
            return None
        remaining = remaining / (current / signups)  # customers at the revenue per signup so far
    trailing = virality.trailing_rates(goal.program, today)
    try:
        answer = virality.advocates_needed(goal=math.ceil(remaining), deadline=goal.deadline, today=today,
                                           invites_per_advocate=trailing.invites_per_advocate,
                                           conversion_rate=trailing.conversion_rate,
                                           current_advocates=trailing.advocates)
    except InvalidInput:
        return None  # no invites or conversions yet to go by
    return AdvocatesAnswer(customers_needed=answer.goal, needed=answer.needed, current=answer.current_advocates,
                           missing=answer.missing)


def _next_stage(stages: list[GoalStage], metric, current, today: date) -> tuple[GoalStage | None, bool | None]:
    stage = next((stage for stage in stages if stage.date >= today), None)
    return stage, (None if stage is None else _meets(metric, current, float(stage.target)))


def goal_progress(goal: Goal, today: date | None = None) -> GoalProgress:
    today = today or timezone.localdate()
    metric = catalogue.get(goal.metric)
    stages = list(goal.stages.all())
    started = today >= goal.start_date
    end = min(today, goal.deadline)
    current = catalogue.value(goal.program, goal.metric, goal.start_date, end) if started else None
    target = float(goal.target)
    total = (goal.deadline - goal.start_date).days + 1
    elapsed = (end - goal.start_date).days + 1 if started else 0
    expected = projected = needed_per_week = current_per_week = None
    if metric.cumulative:
        current = current if current is not None or not started else 0
        expected = _stage_line(goal, stages, end) if started else 0.0
        if started:
            current_per_week = current / elapsed * 7
            projected = current / elapsed * total
        days_after = (goal.deadline - max(today, goal.start_date - timedelta(days=1))).days
        if days_after > 0 and today <= goal.deadline:
            needed_per_week = max(target - (current or 0), 0) / days_after * 7
    else:
        expected = target if started else None
        projected = current
    percent = None
    if current is not None and target:
        percent = current / target * 100 if metric.higher_is_better else (100.0 if current <= target else target / current * 100)
    next_stage, next_met = _next_stage(stages, metric, current, today)
    return GoalProgress(
        goal=goal, metric=metric, current=current, target=goal.target, percent_done=percent, expected=expected,
        projected=projected, status=_status(goal, metric, current, projected, today),
        needed_per_week=needed_per_week, current_per_week=current_per_week, next_stage=next_stage,
        next_stage_met=next_met, advocates=_advocates_answer(goal, current, today) if started else None, today=today,
    )


def plan(program: Program, today: date | None = None) -> list[GoalProgress]:
    """Every goal of the program with its progress: strategic goals first, each followed by the
    operational goals under it, then the operational goals under none; by deadline within each."""
    goals = list(Goal.objects.filter(program=program).select_related("program", "parent")
                 .prefetch_related("stages").order_by("deadline", "pk"))
    ordered = []
    for goal in goals:
        if goal.kind == Goal.Kind.STRATEGIC:
            ordered.append(goal)
            ordered += [child for child in goals if child.parent_id == goal.pk]
    ordered += [goal for goal in goals if goal not in ordered]
    return [goal_progress(goal, today) for goal in ordered]
