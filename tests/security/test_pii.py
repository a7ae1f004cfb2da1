"""No unmasked identity or phone number where the rules say masked: every page a logged-in
applicant, reviewer and admin can open (and every htmx partial), after a run through the demo data,
the wizard, reviews and the outbox; and everything written to the log meanwhile. No SMS
verification code in clear either: not in a page (the message centre included), the log or an
outbox row.

Full numbers may appear only where the person has to read or type them whole: the applicant's own
forms (wizard), the reviewer's comparison screen, and the printable letters the applicant signs.
"""

from __future__ import annotations

import io
import logging
import re

from sqlalchemy import select

from domain.filing import sms
from domain.lifecycle.states import Action, FilingState
from domain.support import sealing
from domain.support.masking import PiiLogFilter
from extensions import db
from models import (
    OutboxMessage,
    Person,
    RegistrySubject,
    RegistryWebsite,
    SmsChallenge,
    Subject,
)
from runtime import notify
from runtime.policy import current_policy
from tests.helpers import transitions
from tests.helpers.access import client_as, url_for_rule

WHOLE_NUMBERS_ALLOWED = {"reviewer.review", "reviewer.decide", "materials.letter_template"}
WHOLE_NUMBERS_ALLOWED_PREFIXES = ("wizard.",)  # the applicant's own forms


def _secrets() -> set[str]:
    """Every certificate, identity and mobile number the database holds."""
    values = set()
    for column in (Subject.certificate_number, Person.id_number, Person.mobile,
                   RegistrySubject.certificate_number, RegistryWebsite.responsible_mobile,
                   SmsChallenge.mobile):  # fmt: skip
        values.update(v for v in db.session.scalars(select(column)) if v and len(v) >= 11)
    return values


def _sms_codes() -> set[str]:
    """The SMS verification codes the outbox holds (sealed) now."""
    key = current_policy().secret_key
    sealed = db.session.scalars(
        select(OutboxMessage.context).where(OutboxMessage.template == "sms_code")
    )
    return {sealing.unseal(c["sealed_code"], key) or "" for c in sealed if "sealed_code" in c} - {
        ""
    }


def _has_code(text: str, code: str) -> bool:
    """The 6 digits standing alone (not inside a longer number)."""
    return re.search(rf"(?<![0-9]){code}(?![0-9])", text) is not None


def test_no_unmasked_numbers_in_pages_or_logs(app, world, make_filing, capsys):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(PiiLogFilter())  # what create_app puts on every handler
    root = logging.getLogger()
    previous_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        # more of a real day: a filing at the bureau with its SMS sent, then everything sent out
        waiting = make_filing(FilingState.sms_pending)
        sms.verify_code(
            waiting, sms.open_challenges(waiting)[0].id, "000000", None, current_policy()
        )
        db.session.commit()
        codes = _sms_codes()  # sealed in the outbox until sent: no page, log or row shows them
        assert codes
        notify.dispatch_pending(*notify.default_senders(current_policy()), policy=current_policy())
        transitions.apply(db.session.merge(waiting), Action.sms_fail, None)
        db.session.commit()
        # and codes still waiting in the outbox, sealed, for the owner's message centre to show
        make_filing(FilingState.sms_pending, owner=world["users"]["owner"])
        waiting_codes = _sms_codes()
        assert waiting_codes
        codes |= waiting_codes
        numbers = _secrets()
        pages = leaks = 0
        leaking: list[tuple[str, str, str]] = []
        code_leaks: list[tuple[str, str]] = []
        whole_where_allowed: set[str] = set()  # the control: the crawl does see whole numbers
        for role in ("owner", "reviewer", "admin"):
            client = client_as(app, role, world["users"])
            for rule in app.url_map.iter_rules():
                if "GET" not in rule.methods or rule.endpoint in ("static", "auth.logout"):
                    continue
                allowed = rule.endpoint in WHOLE_NUMBERS_ALLOWED or rule.endpoint.startswith(
                    WHOLE_NUMBERS_ALLOWED_PREFIXES
                )
                for headers in ({}, {"HX-Request": "true"}):
                    response = client.get(url_for_rule(rule, world["values"]), headers=headers)
                    body = (
                        response.get_data(as_text=True)
                        if response.mimetype.startswith("text")
                        else ""
                    )
                    response.close()
                    assert response.status_code < 500, (rule.endpoint, response.status_code)
                    if response.status_code != 200:
                        continue
                    pages += 1
                    found = [n for n in numbers if n in body]
                    code_leaks.extend((role, rule.endpoint) for c in codes if _has_code(body, c))
                    if found and allowed:
                        whole_where_allowed.add(rule.endpoint)
                    if found and not allowed:
                        leaks += 1
                        leaking.append((role, rule.endpoint, found[0]))
            # the queue searched by a full certificate number: the results list stays masked
            for number in numbers:
                response = client.get(
                    "/review/", query_string={"q": number}, headers={"HX-Request": "true"}
                )
                assert response.status_code == 200 or role == "owner", (
                    number,
                    response.status_code,
                )
                if response.status_code == 200:
                    pages += 1
                    if number in response.get_data(as_text=True).split("</form>", 1)[-1]:
                        leaks += 1
                        leaking.append((role, "reviewer.queue?q=", number))
    finally:
        root.removeHandler(handler)
        root.setLevel(previous_level)
    log = stream.getvalue()
    in_log = sorted(n for n in numbers if n in log)
    masked_in_log = len(re.findall(r"\d{3}\*{4}\d{4}", log))
    with capsys.disabled():
        print(f"\nPII: {pages} pages and partials crawled as applicant, reviewer and admin, "
              f"{len(numbers)} numbers looked for: {leaks} unmasked where masked; log "
              f"{len(log.splitlines())} lines ({masked_in_log} masked numbers): {len(in_log)} unmasked")  # fmt: skip
    assert pages > 100 and len(numbers) > 20 and log.strip()
    assert "reviewer.review" in whole_where_allowed, whole_where_allowed
    assert leaking == [], leaking[:10]
    assert in_log == []
    assert code_leaks == [], code_leaks[:10]
    assert not [c for c in codes if _has_code(log, c)]
    rows = db.session.execute(select(OutboxMessage.context, OutboxMessage.last_error)).all()
    assert not [c for c in codes for row in rows if _has_code(f"{row[0]} {row[1]}", c)]
