"""Plan API: goals with their live progress, and personas with their live counts.

GET needs the `read` scope, changes `write`. Conventions as in `chorus/advocates/api.py`."""

from datetime import date
from typing import Literal

from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from pydantic import ConfigDict, Field

from chorus.advocates.api import ERRORS
from chorus.core.errors import InvalidInput, NotFound
from chorus.core.idempotency import idempotent
from chorus.core.schema_types import Text

from . import goals as goal_services
from . import personas as persona_services
from .models import Goal

router = Router(tags=["plan"])
WRITE_ERRORS = {**ERRORS, 409: ERRORS[404]}
Kind = Literal["strategic", "operational"]


class StageIn(Schema):
    model_config = ConfigDict(extra="forbid")

    date: date
    target: float = Field(ge=0, le=1e13)


class GoalPatch(Schema):
    """Change only the fields you send; `stages`, when sent, replace all stages."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"target": 250000, "deadline": "2027-06-30", "stages": [{"date": "2027-03-31", "target": 100000}]},
    ]})

    kind: Kind | None = None
    name: Text(160) | None = None
    metric: Text(60) | None = Field(None, description="A key of the metric catalogue, e.g. referred_revenue.")
    target: float | None = Field(None, ge=0, le=1e13, description="Minor units for money, 0–100 for percentages.")
    start_date: date | None = None
    deadline: date | None = None
    parent_id: int | None = Field(None, description="A strategic goal of this program (operational goals only).")
    notes: Text(4000) | None = None
    stages: list[StageIn] | None = Field(None, max_length=50)


class GoalIn(GoalPatch):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"kind": "strategic", "name": "Referred revenue 2027", "metric": "referred_revenue", "target": 5000000,
         "start_date": "2027-01-01", "deadline": "2027-12-31", "notes": "20 % more than 2026",
         "stages": [{"date": "2027-06-30", "target": 2000000}]},
    ]})

    kind: Kind
    name: Text(160)
    metric: Text(60)
    target: float = Field(ge=0, le=1e13)
    start_date: date
    deadline: date


class StageOut(Schema):
    date: date
    target: float


class ProgressOut(Schema):
    current: float | None
    percent_done: float | None
    expected: float | None
    projected: float | None
    status: str
    needed_per_week: float | None
    current_per_week: float | None
    next_stage: StageOut | None
    next_stage_met: bool | None
    advocates_needed: int | None
    advocates_missing: int | None


class GoalOut(Schema):
    id: int
    kind: str
    name: str
    metric: str
    metric_label: str
    unit: str
    target: float
    start_date: date
    deadline: date
    parent_id: int | None
    notes: str
    stages: list[StageOut]
    progress: ProgressOut


class GoalListOut(Schema):
    items: list[GoalOut]


class PersonaIn(Schema):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"name": "Engaged German promoters", "description": "Speak German, referred twice, active this quarter",
         "languages": ["de"], "min_referrals": 2, "active_within_days": 90, "nps_promoter": True},
    ]})

    name: Text(120)
    description: Text(4000) = ""
    languages: list[Text(8)] = Field(default_factory=list, max_length=20)
    min_level_id: int | None = None
    account: Literal["", "with_account", "without_account"] = ""
    customer_plan: Text(100) = ""
    attribute_key: Text(60) = ""
    attribute_value: Text(200) = ""
    min_referrals: int | None = Field(None, ge=0, le=10**9)
    active_within_days: int | None = Field(None, ge=1, le=3650)
    min_points_earned: int | None = Field(None, ge=0, le=10**9)
    nps_promoter: bool = False


class AdvocateSampleOut(Schema):
    id: int
    name: str
    email: str


class PersonaOut(Schema):
    id: int
    name: str
    description: str
    languages: list[str]
    min_level_id: int | None
    account: str
    customer_plan: str
    attribute_key: str
    attribute_value: str
    min_referrals: int | None
    active_within_days: int | None
    min_points_earned: int | None
    nps_promoter: bool
    count: int
    sample: list[AdvocateSampleOut]


class PersonaListOut(Schema):
    items: list[PersonaOut]


def _number(value, unit: str):
    return None if value is None else (round(float(value)) if unit in ("count", "money") else round(float(value), 4))


def goal_out(progress: goal_services.GoalProgress) -> dict:
    goal, unit = progress.goal, progress.metric.unit
    stage = progress.next_stage
    return {
        "id": goal.pk, "kind": goal.kind, "name": goal.name, "metric": goal.metric,
        "metric_label": str(progress.metric.label), "unit": unit, "target": float(goal.target),
        "start_date": goal.start_date, "deadline": goal.deadline, "parent_id": goal.parent_id, "notes": goal.notes,
        "stages": [{"date": row.date, "target": float(row.target)} for row in goal.stages.all()],
        "progress": {
            "current": _number(progress.current, unit), "percent_done": _number(progress.percent_done, "percent"),
            "expected": _number(progress.expected, unit), "projected": _number(progress.projected, unit),
            "status": progress.status, "needed_per_week": _number(progress.needed_per_week, "ratio"),
            "current_per_week": _number(progress.current_per_week, "ratio"),
            "next_stage": {"date": stage.date, "target": float(stage.target)} if stage else None,
            "next_stage_met": progress.next_stage_met,
            "advocates_needed": progress.advocates.needed if progress.advocates else None,
            "advocates_missing": progress.advocates.missing if progress.advocates else None,
        },
    }


def get_goal_for_program(program, goal_id: int) -> Goal:
    goal = Goal.objects.select_related("program__workspace").filter(program=program, pk=goal_id).first()
    if goal is None:
        raise NotFound(_("No goal with this id in this program."))
    return goal


def _goal_fields(program, payload: GoalPatch) -> dict:
    fields = payload.model_dump(exclude_unset=True)
    nulls = sorted(name for name, value in fields.items() if value is None and name not in ("parent_id", "stages"))
    if nulls:
        raise InvalidInput(_("These fields may not be null: %(names)s.") % {"names": ", ".join(nulls)},
                           field_errors={name: [_("May not be null.")] for name in nulls})
    if "parent_id" in fields:
        parent_id = fields.pop("parent_id")
        fields["parent"] = None if parent_id is None else Goal.objects.filter(program=program, pk=parent_id).first()
        if parent_id is not None and fields["parent"] is None:
            raise InvalidInput(_("No goal with this id in this program."), field_errors={"parent_id": [_("Unknown goal.")]})
    stages = fields.pop("stages", None)
    if stages is not None:
        fields["stages"] = [goal_services.StageInput(row["date"], row["target"]) for row in stages]
    return fields


@router.get("/goals", response={200: GoalListOut, **ERRORS}, summary="Goals with their progress")
def list_goals(request):
    """Every goal of the program, strategic goals each followed by their operational goals,
    with progress measured today (status: achieved, on_track, at_risk, behind, not_started, ended_missed)."""
    return {"items": [goal_out(progress) for progress in goal_services.plan(request.auth.program)]}


@router.post("/goals", response={201: GoalOut, **WRITE_ERRORS}, summary="Add a goal")
@idempotent
def create_goal(request, payload: GoalIn):
    """A strategic or operational goal on a metric of the catalogue (see `/analytics/metrics` and the
    console's glossary), with optional stages; the answer carries its progress measured today.
    Send an `Idempotency-Key` header to retry safely."""
    program = request.auth.program
    goal = goal_services.save_goal(program, **_goal_fields(program, payload))
    return Status(201, GoalOut(**goal_out(goal_services.goal_progress(goal))))


@router.get("/goals/{int:goal_id}", response={200: GoalOut, **ERRORS}, summary="A goal with its progress")
def get_goal(request, goal_id: int):
    """The goal, its stages and its progress today: current value, expected value, projection at the
    deadline, status and what it would take."""
    return goal_out(goal_services.goal_progress(get_goal_for_program(request.auth.program, goal_id)))


@router.patch("/goals/{int:goal_id}", response={200: GoalOut, **WRITE_ERRORS}, summary="Change a goal")
def update_goal(request, goal_id: int, payload: GoalPatch):
    """Change only the fields sent; `stages`, when sent, replace all of the goal's stages."""
    program = request.auth.program
    goal = goal_services.save_goal(program, get_goal_for_program(program, goal_id), **_goal_fields(program, payload))
    return goal_out(goal_services.goal_progress(goal))


@router.delete("/goals/{int:goal_id}", response={204: None, **WRITE_ERRORS}, summary="Delete a goal")
def delete_goal(request, goal_id: int):
    """409 while operational goals sit under it."""
    goal_services.delete_goal(get_goal_for_program(request.auth.program, goal_id))
    return Status(204, None)


def persona_out(summary: persona_services.PersonaSummary) -> dict:
    persona = summary.persona
    return {**{name: getattr(persona, name) for name in persona_services.FIELDS if name != "min_level"},
            "id": persona.pk, "min_level_id": persona.min_level_id, "count": summary.count,
            "sample": [{"id": row.pk, "name": row.name, "email": row.email} for row in summary.sample]}


@router.get("/personas", response={200: PersonaListOut, **ERRORS}, summary="Personas with their live counts")
def list_personas(request):
    """Each persona with how many active advocates match it now and a sample of five."""
    return {"items": [persona_out(row) for row in persona_services.personas(request.auth.program)]}


@router.post("/personas", response={201: PersonaOut, **WRITE_ERRORS}, summary="Add a persona")
@idempotent
def create_persona(request, payload: PersonaIn):
    """A named segment of advocates by attributes (language, level, account, plan, a customer
    attribute) and behaviour (referrals, recent activity, points, NPS); the answer has the live count.
    Send an `Idempotency-Key` header to retry safely."""
    program = request.auth.program
    fields = payload.model_dump()
    level_id = fields.pop("min_level_id")
    fields["min_level"] = None if level_id is None else program.levels.filter(pk=level_id).first()
    if level_id is not None and fields["min_level"] is None:
        raise InvalidInput(_("No level with this id in this program."), field_errors={"min_level_id": [_("Unknown level.")]})
    persona = persona_services.save_persona(program, **fields)
    return Status(201, PersonaOut(**persona_out(persona_services.summary(persona))))

