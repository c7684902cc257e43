"""openapi.yaml run against the local API by schemathesis: what it generates, valid or not, from
every kind of caller the route is for.

Every answer must be one the description promises: no 5xx, a status the operation lists, a JSON
body that matches its schema, and every error in the French shape `{code, message, details}`
(never the gateway's or a library's English). Hypothesis is derandomised, so a failure is found
again by running the test again; the size (`EXAMPLES` per operation) keeps it to about a minute.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

OPENAPI = Path(__file__).resolve().parents[2] / "openapi.yaml"
EXAMPLES = int(os.environ.get("AMI_SCHEMATHESIS_EXAMPLES", "12"))
ENGLISH = re.compile(r"\b(the|is|not|found|unauthorized|forbidden|missing|invalid|error|field)\b", re.IGNORECASE)


def french_error(response: Any) -> None:
    """An error answer is `{code, message, details}`, the message a French sentence."""
    body = response.json()
    assert isinstance(body, dict) and set(body) == {"code", "message", "details"}, body
    assert re.fullmatch(r"[a-z][a-z0-9_]*", body["code"]), body
    assert body["message"].strip() and not ENGLISH.search(body["message"]), body


@pytest.fixture(scope="module")
def callers(ami: Any, instructor: Any) -> dict[str, dict[str, str]]:
    bailleur = ami.register_bailleur()
    return {
        "public": {},
        "bailleurs": {"Authorization": f"Bearer {bailleur.token}"},
        "instruction": {"Authorization": f"Bearer {instructor.token}"},
        "_dossier": {"id": ami.new_dossier(bailleur)},  # a real brouillon, so that not every id is unknown
    }


OPERATIONS = [op.ok() for op in schemathesis.openapi.from_path(OPENAPI).get_all_operations()]


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: f"{op.method.upper()} {op.path}")
def test_every_answer_is_one_the_description_promises(operation: Any, runtime: Any, callers: Any) -> None:
    headers = callers[operation.tags[0] if operation.tags else "public"]
    checks = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]

    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(case=st.one_of(operation.as_strategy(mode) for mode in GenerationMode), real_id=st.booleans())
    def run(case: Any, real_id: bool) -> None:
        if real_id and case.path_parameters and "dossier_id" in case.path_parameters:
            case.path_parameters["dossier_id"] = callers["_dossier"]["id"]
        response = case.call(base_url=runtime.api_url, headers=headers, timeout=30)
        case.validate_response(response, checks=checks)
        if response.status_code >= 400:
            french_error(response)

    run()
