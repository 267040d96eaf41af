import pytest

from chorus.testing import factories


@pytest.fixture
def rule(program):
    return factories.make_rule(program, name="500 points per customer")


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client
