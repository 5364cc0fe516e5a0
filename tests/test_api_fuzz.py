"""The sync API fuzzed from its own OpenAPI description (schemathesis): no input, however
malformed, gets a server error; every answer is a readable 4xx or what the schema says."""

from __future__ import annotations

import itertools
from collections import Counter

import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode

from tests.test_sync import token  # noqa: F401 - the fixture: an enrolled kiosk's token

# Per operation, as the schema allows and as it does not (negative), each case sent twice:
# with the token it was generated with and with the kiosk's real one.
EXAMPLES = 60


def test_the_sync_api_never_answers_with_a_server_error(app: Flask, token: str) -> None:  # noqa: F811
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    statuses: Counter[int] = Counter()
    operations = [result.ok() for result in schema.get_all_operations()]
    for operation, mode in itertools.product(operations, GenerationMode):

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        )
        def fuzz(case: schemathesis.Case) -> None:
            # As generated, and with the kiosk's real token so that bodies reach the handlers.
            for headers in ({}, {"Authorization": f"Bearer {token}"}):
                response = case.call(headers=headers)
                statuses[response.status_code] += 1
                assert response.status_code < 500, (
                    case.operation.label,
                    response.status_code,
                    case.body,
                    response.text[:300],
                )

        fuzz()
    print(
        f"fuzzed operations={len(operations)} requests={sum(statuses.values())} "
        f"server_errors={sum(n for code, n in statuses.items() if code >= 500)} "
        f"statuses={dict(sorted(statuses.items()))}"
    )
    assert len(operations) == 3 and statuses[200] > 0 and sum(statuses.values()) > 6 * EXAMPLES
