"""A schema-driven run over the whole OpenAPI document: schemathesis generates requests for
every registered operation (valid and invalid ones) from the document itself and sends them
through the real WSGI application with an admin key, against the real test database.

No generated request may end in a server error, and successful answers must match the
document's response schemas. The operations are read from the document at run time, so
endpoints added later are covered without touching this file."""

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import response_schema_conformance

from chorus.testing import factories

EXAMPLES = int(os.environ.get("CHORUS_SCHEMATHESIS_EXAMPLES", "12"))


@pytest.fixture
def seeded(program, advocate):
    """A program with something in it, so generated small ids sometimes name real rows."""
    for index in range(3):
        factories.make_advocate(program, email=f"friend{index}@example.com")
    key, raw = factories.make_api_key(program, scopes=["admin"])
    return raw


@pytest.fixture
def connections_kept_open():
    """Calling the WSGI application directly fires request_started/finished, which would close
    the test's database connection (and its transaction); Django's own test client does the same."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _fuzz(operation, mode, headers) -> None:
    """Send EXAMPLES generated requests (the document's own examples first) and check each answer."""

    @given(case=operation.as_strategy(generation_mode=mode, headers=headers))
    @hypothesis_settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                         phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    def run(case):
        response = case.call(headers=headers)
        checks = [not_a_server_error]
        if mode == GenerationMode.POSITIVE and response.status_code < 300:
            checks.append(response_schema_conformance)
        case.validate_response(response, checks=checks)

    run()


def _operations(schema):
    for result in schema.get_all_operations():
        yield result.ok()


@pytest.mark.django_db(transaction=False)
def test_no_generated_request_gets_a_server_error(seeded, settings, connections_kept_open):
    from config.wsgi import application

    settings.CHORUS_API_RATE_LIMIT_PER_MINUTE = 10**9
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
    headers = {"Authorization": f"Bearer {seeded}"}
    problems = []
    operations = list(_operations(schema))
    assert len(operations) > 40
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            try:
                _fuzz(operation, mode, headers)
            except Unsatisfiable:
                pass  # e.g. no invalid value exists for a free-form string path parameter
            except Exception as error:  # collect every operation's failure, then report them all
                problems.append(f"{operation.label} ({mode.value}): {str(error)[:1500]}")
    assert not problems, "\n\n".join(problems)
