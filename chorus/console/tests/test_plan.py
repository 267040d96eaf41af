"""The plan page: goals with progress, stages, outcome types and personas; who may change them."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from chorus.advocates.models import Advocate
from chorus.core.models import AuditEvent
from chorus.programs.goals import save_goal
from chorus.programs.models import Goal, GoalStage, Persona
from chorus.testing import factories


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def joined_goal(program, today):
    """20 advocates wanted over 100 days, 50 of them gone, 10 joined: projected 20 → on track."""
    for index in range(10):
        advocate = factories.make_advocate(program, email=f"j{index}@example.com", name=f"Joined {index}")
        Advocate.objects.filter(pk=advocate.pk).update(joined_at=timezone.now() - timedelta(days=index))
    return save_goal(program, kind="operational", name="Twenty advocates", metric="advocates_joined", target=20,
                     start_date=today - timedelta(days=49), deadline=today + timedelta(days=50))


def url(name, program, **kwargs):
    return reverse(f"console:{name}", kwargs={"slug": program.slug, **kwargs})


def goal_post(today, **fields):
    return {"kind": "strategic", "name": "Referred revenue up 20%", "metric": "referred_revenue", "target": "2400000",
            "start_date": today.replace(month=1, day=1).isoformat(), "deadline": today.replace(month=12, day=31).isoformat(),
            "notes": "From 2.0M last year", **fields}


def test_plan_page_shows_progress(owner_client, program, joined_goal):
    response = owner_client.get(url("plan", program))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Twenty advocates" in page and "On track" in page
    assert '<progress max="100" value="50"' in page  # 10 of 20
    assert "10 of 20" in page and 'aria-current="page">Plan<' in page
    assert "Add a goal" in page


def test_editor_creates_a_goal(owner_client, program, today):
    response = owner_client.post(url("plan", program), goal_post(today))
    assert response.status_code == 302 and response.url == url("plan", program)
    goal = Goal.objects.get()
    assert (goal.kind, goal.metric, goal.target, goal.notes) == ("strategic", "referred_revenue", 2400000,
                                                                 "From 2.0M last year")
    assert AuditEvent.objects.filter(action="goal.saved", target_id=str(goal.pk)).count() == 1
    page = owner_client.get(url("plan", program)).content.decode()
    assert "Referred revenue up 20%" in page and "24,000.00 USD" in page


def test_htmx_create_answers_with_a_redirect(owner_client, program, today):
    response = owner_client.post(url("plan", program), goal_post(today), HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and response["HX-Redirect"] == url("plan", program)
    assert Goal.objects.count() == 1


@pytest.mark.parametrize(("fields", "message"), [
    ({"deadline": "2020-01-01", "start_date": "2020-02-01"}, "The deadline comes after the start date."),
    ({"target": "10.5"}, "Money targets are whole numbers in minor units (for example cents)."),
    ({"metric": "nope"}, "Select a valid choice. nope is not one of the available choices."),
])
def test_bad_input_shows_the_message_and_writes_nothing(owner_client, program, today, fields, message):
    response = owner_client.post(url("plan", program), goal_post(today, **fields))
    assert response.status_code == 422
    assert message in response.content.decode()
    assert Goal.objects.count() == 0
    htmx = owner_client.post(url("plan", program), goal_post(today, **fields), HTTP_HX_REQUEST="true")
    assert htmx.status_code == 200 and message in htmx.content.decode() and 'id="new-goal"' in htmx.content.decode()
    assert "<html" not in htmx.content.decode() and Goal.objects.count() == 0


def test_viewer_sees_but_cannot_change(client, teammate, program, joined_goal, today):
    client.force_login(teammate)
    page = client.get(url("plan", program)).content.decode()
    assert "Twenty advocates" in page and "Add a goal" not in page and "Save outcome types" not in page
    assert client.post(url("plan", program), goal_post(today)).status_code == 404
    assert client.post(url("goal_edit", program, goal_id=joined_goal.pk), goal_post(today)).status_code == 404
    assert client.post(url("goal_delete", program, goal_id=joined_goal.pk)).status_code == 404
    assert client.post(url("stage_add", program, goal_id=joined_goal.pk),
                       {"date": today.isoformat(), "target": "5"}).status_code == 404
    assert client.post(url("plan_outcomes", program), {"outcome_types": ["reviews"]}).status_code == 404
    assert client.post(url("personas", program), {"name": "Champions"}).status_code == 404
    joined_goal.refresh_from_db()
    assert (Goal.objects.count(), joined_goal.name, GoalStage.objects.count(), Persona.objects.count()) == (
        1, "Twenty advocates", 0, 0)
    program.refresh_from_db()
    assert program.outcome_types == []


def test_outsider_gets_404(client, outsider, program, joined_goal, today):
    client.force_login(outsider)
    assert client.get(url("plan", program)).status_code == 404
    assert client.get(url("goal_edit", program, goal_id=joined_goal.pk)).status_code == 404
    assert client.get(url("personas", program)).status_code == 404
    assert client.post(url("plan", program), goal_post(today)).status_code == 404
    assert client.post(url("goal_delete", program, goal_id=joined_goal.pk)).status_code == 404
    assert Goal.objects.count() == 1


def test_goal_of_another_program_is_404(owner_client, workspace, program, today):
    other = factories.make_program(workspace)
    goal = save_goal(other, kind="operational", name="Other", metric="advocates_joined", target=5,
                     start_date=today, deadline=today + timedelta(days=30))
    assert owner_client.get(url("goal_edit", program, goal_id=goal.pk)).status_code == 404
    assert owner_client.post(url("goal_delete", program, goal_id=goal.pk)).status_code == 404
    assert Goal.objects.filter(pk=goal.pk).exists()


def test_edit_stages_and_delete(owner_client, program, joined_goal, today):
    edit = url("goal_edit", program, goal_id=joined_goal.pk)
    assert "Twenty advocates" in owner_client.get(edit).content.decode()
    stage_date = (today + timedelta(days=10)).isoformat()
    response = owner_client.post(url("stage_add", program, goal_id=joined_goal.pk), {"date": stage_date, "target": "12"})
    assert response.status_code == 302 and response.url == edit
    stage = GoalStage.objects.get()
    refused = owner_client.post(url("stage_add", program, goal_id=joined_goal.pk),
                                {"date": (today + timedelta(days=20)).isoformat(), "target": "11"})
    assert refused.status_code == 422
    assert "Each stage&#x27;s target is above the previous stage&#x27;s" in refused.content.decode()
    assert GoalStage.objects.count() == 1
    page = owner_client.get(url("plan", program)).content.decode()
    assert "Next stage" in page and "not met yet" in page  # 10 of 12
    owner_client.post(url("stage_delete", program, goal_id=joined_goal.pk, stage_id=stage.pk))
    assert GoalStage.objects.count() == 0

    changed = goal_post(today, kind="operational", name="Fifteen advocates", metric="advocates_joined", target="15",
                        start_date=joined_goal.start_date.isoformat(), deadline=joined_goal.deadline.isoformat())
    assert owner_client.post(edit, changed).status_code == 302
    joined_goal.refresh_from_db()
    assert (joined_goal.name, joined_goal.target) == ("Fifteen advocates", 15)
    bad = owner_client.post(edit, {**changed, "name": "Broken", "deadline": "2000-01-01"})
    assert bad.status_code == 422 and "The deadline comes after the start date." in bad.content.decode()
    joined_goal.refresh_from_db()
    assert joined_goal.name == "Fifteen advocates"

    assert owner_client.post(url("goal_delete", program, goal_id=joined_goal.pk)).status_code == 302
    assert Goal.objects.count() == 0


def test_strategic_goal_with_goals_under_it_is_kept(owner_client, program, today):
    parent = save_goal(program, kind="strategic", name="Revenue", metric="referred_revenue", target=100,
                       start_date=today, deadline=today + timedelta(days=300))
    child = save_goal(program, kind="operational", name="Fifty advocates", metric="advocates_joined", target=50,
              start_date=today, deadline=today + timedelta(days=100), parent=parent)
    response = owner_client.post(url("goal_delete", program, goal_id=parent.pk), follow=True)
    assert "Goals sit under “Revenue”: delete them or move them first." in response.content.decode()
    assert Goal.objects.count() == 2
    page = owner_client.get(url("plan", program)).content.decode()
    assert page.index(f'id="goal-{parent.pk}"') < page.index('class="goal-children"') < page.index(f'id="goal-{child.pk}"')


def test_outcome_types(owner_client, program):
    response = owner_client.post(url("plan_outcomes", program), {"outcome_types": ["reviews", "referrals"]})
    assert response.status_code == 302
    program.refresh_from_db()
    assert program.outcome_types == ["referrals", "reviews"]
    page = owner_client.get(url("plan", program)).content.decode()
    assert '<li class="chip">Referrals</li>' in page and '<li class="chip">Reviews</li>' in page
    refused = owner_client.post(url("plan_outcomes", program), {"outcome_types": ["podcasts"]})
    assert refused.status_code == 422 and "Select a valid choice." in refused.content.decode()
    program.refresh_from_db()
    assert program.outcome_types == ["referrals", "reviews"]


def test_personas(owner_client, program):
    factories.make_advocate(program, email="ann@example.com", name="Ann Berg", language="de")
    factories.make_advocate(program, email="ben@example.com", name="Ben Ode", language="en")
    response = owner_client.post(url("personas", program), {"name": "German speakers", "languages": "de",
                                                            "description": "For the DACH launch"})
    assert response.status_code == 302
    persona = Persona.objects.get()
    page = owner_client.get(url("personas", program)).content.decode()
    assert "German speakers" in page and '<td class="number persona-count">1</td>' in page and "Ann Berg" in page
    assert "Ben Ode" not in page

    refused = owner_client.post(url("personas", program), {"name": "German speakers"})
    assert refused.status_code == 422 and "A persona named “German speakers” exists already." in refused.content.decode()
    refused = owner_client.post(url("personas", program), {"name": "Bad", "attribute_key": "industry"})
    assert refused.status_code == 422 and "Give both the attribute and its value." in refused.content.decode()
    assert Persona.objects.count() == 1

    edit = url("persona_edit", program, persona_id=persona.pk)
    assert "1 active advocate matches now." in owner_client.get(edit).content.decode()
    assert owner_client.post(edit, {"name": "Everyone German or English", "languages": "de, en"}).status_code == 302
    persona.refresh_from_db()
    assert persona.languages == ["de", "en"]
    assert "2 active advocates match now." in owner_client.get(edit).content.decode()
    assert owner_client.post(url("persona_delete", program, persona_id=persona.pk)).status_code == 302
    assert Persona.objects.count() == 0
