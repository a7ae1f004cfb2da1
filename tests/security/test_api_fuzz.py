"""A fuzz run of the JSON API with hypothesis: random A2-shaped documents (the valid example with
any part replaced, removed or added), arbitrary JSON and bytes that are not JSON at all. Goal: 0
server errors; every answer is 200 or 400 with a JSON body."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.slow

VALID = json.loads((Path(__file__).parent.parent / "data" / "application_ok.json").read_text())
SETTINGS = settings(max_examples=250, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])  # fmt: skip

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=40)
    | st.sampled_from(["", "33", "uscc", "resident_id", "enterprise", "qinghe.cn", "91330106MA2B3C4D5E",
                       "13800138000", "1.2.3.4", "::1", "xn--", "备案", "\x00", "𝔘𝔫𝔦"]),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=12,
)  # fmt: skip


def _paths(document, prefix=()):
    """Every path to a value inside the document."""
    yield prefix
    if isinstance(document, dict):
        for key, value in document.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(document, list):
        for index, value in enumerate(document):
            yield from _paths(value, (*prefix, index))


PATHS = [path for path in _paths(VALID) if path]


@st.composite
def a2_shaped(draw):
    """The valid application with a few parts replaced by anything, deleted, or keys added."""
    document = copy.deepcopy(VALID)
    for _ in range(draw(st.integers(1, 4))):
        path = draw(st.sampled_from(PATHS))
        parent = document
        try:
            for step in path[:-1]:
                parent = parent[step]
            operation = draw(st.sampled_from(["replace", "delete", "add"]))
            if operation == "replace":
                parent[path[-1]] = draw(json_values)
            elif operation == "delete" and isinstance(parent, dict):
                parent.pop(path[-1], None)
            elif isinstance(parent, dict):
                parent[draw(st.text(max_size=10))] = draw(json_values)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier change removed this path
    return document


@pytest.fixture
def app_config() -> dict:
    """Hundreds of requests from one client: the rate limit is tested in test_api_rate_limit.py."""
    return {"API_PRECHECK_LIMIT": "100000 per minute", "API_FILING_TYPE_LIMIT": "100000 per minute"}


class Tally:
    def __init__(self):
        self.sent = self.server_errors = 0
        self.statuses: dict[int, int] = {}

    def post(self, client, path, body: bytes, content_type="application/json"):
        response = client.post(path, data=body, content_type=content_type)
        self.sent += 1
        self.statuses[response.status_code] = self.statuses.get(response.status_code, 0) + 1
        if response.status_code >= 500:
            self.server_errors += 1
        else:
            assert response.status_code in (200, 400), response.status_code
            assert isinstance(response.get_json(), dict)


def test_precheck_api_fuzz(app, client, capsys):
    tally = Tally()

    @SETTINGS
    @given(a2_shaped())
    def a2_documents(document):
        tally.post(client, "/api/v1/precheck", json.dumps(document, ensure_ascii=False).encode())

    @SETTINGS
    @given(json_values)
    def any_json(value):
        tally.post(client, "/api/v1/precheck", json.dumps(value).encode())

    @SETTINGS
    @given(
        st.binary(max_size=200),
        st.sampled_from(["application/json", "text/plain", "application/x-www-form-urlencoded"]),
    )
    def not_json(body, content_type):
        tally.post(client, "/api/v1/precheck", body, content_type)

    @SETTINGS
    @given(
        json_values
        | st.fixed_dictionaries(
            {
                "certificate_type": json_values,
                "certificate_number": json_values,
                "domain": json_values,
            }
        )
    )
    def filing_type(value):
        tally.post(client, "/api/v1/filing-type", json.dumps(value).encode())

    for run in (a2_documents, any_json, not_json, filing_type):
        run()
    with capsys.disabled():
        print(f"\nfuzz: {tally.sent} requests to the pre-check and filing-type APIs, "
              f"{tally.server_errors} server errors (answers: {dict(sorted(tally.statuses.items()))})")  # fmt: skip
    assert tally.server_errors == 0
    # both answers were reached (how many shaped documents stay valid varies with the constants
    # Hypothesis harvests from the modules loaded: 20 of 250 alone, 7 in the whole suite)
    assert tally.statuses.get(200, 0) > 0 and tally.statuses.get(400, 0) > 100
    valid = client.post("/api/v1/precheck", data=json.dumps(VALID), content_type="application/json")
    assert valid.status_code == 200
