from datetime import UTC, datetime

import pytest

from chorus.advocates.models import Customer
from chorus.core.emails import normalize_email


def make_customer(program, email="", external_id="", name="", **fields):
    fields.setdefault("first_seen_at", datetime(2025, 1, 1, tzinfo=UTC))
    return Customer.objects.create(program=program, email=email, email_normalized=normalize_email(email) if email else "",
                                   external_id=external_id, name=name, **fields)


@pytest.fixture
def customer(program):
    return make_customer(program, email="ana@example.com", external_id="cus_ana", name="Ana Silva", language="de")


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client
