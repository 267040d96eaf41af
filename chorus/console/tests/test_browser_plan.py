"""End to end in headless Chromium: a marketer adds goals on the plan page (HTMX form, refused in
place first) and sees one on track and one behind, with its progress bar."""

from datetime import timedelta

import pytest
from django.utils import timezone

from chorus.advocates.models import Advocate
from chorus.programs.models import Goal
from chorus.testing import factories
from chorus.testing.browser import console_page

pytestmark = pytest.mark.browser


@pytest.fixture
def setup(transactional_db, live_server):
    owner = factories.make_user("marketer")
    program = factories.make_program(factories.make_workspace(owner, name="Acme"), name="Acme", slug="acme-plan")
    for index in range(10):  # 10 advocates joined over the last 10 days
        advocate = factories.make_advocate(program, email=f"a{index}@example.com", name=f"Advocate {index}")
        Advocate.objects.filter(pk=advocate.pk).update(joined_at=timezone.now() - timedelta(days=index))
    return live_server.url, program


def add_goal(page, name: str, target: str, start, deadline) -> None:
    page.select_option("#new-goal select[name=kind]", "operational")
    page.fill("#new-goal input[name=name]", name)
    page.select_option("#new-goal select[name=metric]", "advocates_joined")
    page.fill("#new-goal input[name=target]", target)
    page.fill("#new-goal input[name=start_date]", start.isoformat())
    page.fill("#new-goal input[name=deadline]", deadline.isoformat())
    page.click("#new-goal button[type=submit]")


def test_marketer_adds_goals_and_sees_their_status(browser, setup):
    base, program = setup
    today = timezone.localdate()
    start, deadline = today - timedelta(days=49), today + timedelta(days=50)  # 50 of 100 days gone
    page = console_page(browser, base, "marketer")
    page.goto(f"{base}/console/programs/{program.slug}/")
    page.click("nav.console-tabs >> text=Plan")
    page.wait_for_url(f"{base}/console/programs/{program.slug}/plan/")

    add_goal(page, "Twenty advocates", "20", start, start - timedelta(days=1))  # deadline before the start
    page.wait_for_selector("#new-goal >> text=The deadline comes after the start date.")
    assert page.url.endswith("/plan/") and Goal.objects.count() == 0

    page.fill("#new-goal input[name=deadline]", deadline.isoformat())
    page.click("#new-goal button[type=submit]")
    page.wait_for_selector("text=Goal “Twenty advocates” added.")
    goal = Goal.objects.get()
    card = f"#goal-{goal.pk}"
    assert page.inner_text(f"{card} .status") == "On track"  # 10 in 50 days → 20 by the deadline
    assert page.get_attribute(f"{card} progress", "value") == "50"

    add_goal(page, "Forty advocates", "40", start, deadline)
    page.wait_for_selector("text=Goal “Forty advocates” added.")
    stretch = Goal.objects.get(name="Forty advocates")
    assert page.inner_text(f"#goal-{stretch.pk} .status") == "Behind"  # projected 20 < 32
    assert "Needed per week from now" in page.inner_text(f"#goal-{stretch.pk}")
