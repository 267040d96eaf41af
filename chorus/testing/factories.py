"""Plain factory functions for tests and the demo: real rows through real services."""

import itertools

from django.contrib.auth import get_user_model

from chorus.advocates.services import upsert_advocate
from chorus.programs.models import Membership
from chorus.programs.services import create_api_key, create_program, create_workspace
from chorus.rewards.models import RewardRule, Side

_counter = itertools.count(1)
DEFAULT_PASSWORD = "correct-horse-battery"


def make_user(username: str | None = None, password: str = DEFAULT_PASSWORD):
    username = username or f"user{next(_counter)}"
    return get_user_model().objects.create_user(username=username, email=f"{username}@example.com", password=password)


def make_workspace(owner=None, name: str = "Acme"):
    return create_workspace(name, owner or make_user())


def add_member(workspace, user, role=Membership.Role.MARKETER):
    return Membership.objects.create(workspace=workspace, user=user, role=role)


def make_program(workspace=None, **fields):
    workspace = workspace or make_workspace()
    n = next(_counter)
    defaults = {
        "name": f"Program {n}", "slug": f"program-{n}", "default_destination": "https://shop.example.com/",
        "allowed_destinations": ["https://shop.example.com/"], "hold_days": 30, "currency": "USD",
        "friend_offer": "20% off your first order",
    }
    defaults.update(fields)
    return create_program(workspace, **defaults)


def make_advocate(program, email: str | None = None, **fields):
    email = email or f"advocate{next(_counter)}@example.com"
    advocate, _created = upsert_advocate(program, email=email, name=fields.pop("name", "Jane Doe"), **fields)
    return advocate


def make_rule(program, **fields) -> RewardRule:
    defaults = {"name": "Referral reward", "side": Side.ADVOCATE, "event": RewardRule.Event.FIRST_PURCHASE,
                "kind": RewardRule.Kind.POINTS, "amount": 500}
    defaults.update(fields)
    return RewardRule.objects.create(program=program, **defaults)


def make_standard_rules(program) -> list[RewardRule]:
    """The double-sided setup most programs use."""
    return [
        make_rule(program, name="Advocate: 500 points per new customer", event=RewardRule.Event.FIRST_PURCHASE,
                  kind=RewardRule.Kind.POINTS, amount=500),
        make_rule(program, name="Advocate: 10% of each purchase", event=RewardRule.Event.PURCHASE,
                  kind=RewardRule.Kind.PERCENT, percent_basis_points=1000, max_purchases=3, amount=0),
        make_rule(program, name="Friend: welcome discount", side=Side.FRIEND, event=RewardRule.Event.SIGNUP,
                  kind=RewardRule.Kind.COUPON, amount=2000),
    ]


def make_api_key(program, scopes=None):
    return create_api_key(program, name="test key", scopes=scopes)
