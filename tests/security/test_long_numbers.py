"""Numbers too long for Python: int() refuses a string of more than 4 300 digits with a
ValueError, so wherever a number is read from a request such a value was a server error. Every page
and form, as each role that may use it, with a 5 000-digit number in every path argument, every
query argument and every form field the hostile crawl knows of (tests/security/
test_hostile_crawl.py; its values stay under werkzeug's spool size, which a number this long in all
96 fields at once would pass, so the fields go in two halves here)."""

from __future__ import annotations

import pytest

from domain.lifecycle.states import FilingState
from extensions import db
from models import Filing
from tests.helpers.access import ROLES, allowed_roles, client_as, url_for_rule
from tests.helpers.crawl import CRAWL_CONFIG, FIELD_NAMES, FLAGS, SKIP, string_arguments

pytestmark = pytest.mark.slow  # a crawl of every route as every role, as the hostile crawl

LONG = "9" * 5000


@pytest.fixture
def app_config() -> dict:
    return dict(CRAWL_CONFIG)


HALVES = (FIELD_NAMES[: len(FIELD_NAMES) // 2], FIELD_NAMES[len(FIELD_NAMES) // 2 :])


def _urls(rule, values: dict) -> list[str]:
    """The rule's URL with the world's ids, then with each argument in turn the long number."""
    values = {**{a: "1" for a in rule.arguments}, **values}
    urls = [url_for_rule(rule, values)]
    numeric = [a for a in rule.arguments if a not in string_arguments(rule)]
    for argument in [*numeric, *string_arguments(rule)]:
        urls.append(url_for_rule(rule, {**values, argument: LONG}))
    return urls


def test_a_five_thousand_digit_number_anywhere_causes_no_server_error(app, world, make_filing):
    owner = world["users"]["owner"]
    draft = make_filing(FilingState.draft, owner=owner)
    db.session.commit()
    failures: list[tuple] = []
    requests = 0
    rules = sorted(
        (r for r in app.url_map.iter_rules() if r.endpoint not in SKIP), key=lambda r: r.rule
    )
    for rule in rules:
        try:
            allowed = allowed_roles(rule.endpoint)
        except AssertionError:
            allowed = set(ROLES)
        for role in sorted(allowed):
            client = client_as(app, role, world["users"])
            filing_ids = [world["values"]["filing_id"]]
            if "filing_id" in rule.arguments:
                filing_ids.append(draft.id)
            for filing_id in filing_ids:
                values = {**world["values"], "filing_id": filing_id}
                for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                    for url in _urls(rule, values):
                        version = db.session.get(Filing, filing_id).version
                        db.session.rollback()
                        if method == "GET":
                            bodies = [None]
                        else:  # the long number in each half of the fields, then in the version
                            bodies = [dict.fromkeys(half, LONG) for half in HALVES]
                            bodies.append({"version": LONG, **dict.fromkeys(FLAGS, "1")})
                            bodies.append({"version": str(version), "days": LONG, "skip": LONG})
                        for body in bodies:
                            requests += 1
                            if body is None:
                                response = client.get(
                                    url, query_string=dict.fromkeys(FIELD_NAMES, LONG)
                                )
                            else:
                                response = client.open(url, method=method, data=body)
                            if response.status_code >= 500:
                                failures.append((rule.endpoint, method, role, url[:60]))
                            response.close()
    print(f"\nlong numbers: {len(rules)} routes, {requests} requests with a 5 000-digit number, "
          f"{len(failures)} server errors")  # fmt: skip
    assert failures == [], failures[:30]
