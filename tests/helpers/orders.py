"""Records held here and the orders on them, for the tests: the demo applicant's 青禾 filing walked
to approval, the registry's record of its website, a spare IP of the account."""

from __future__ import annotations

from sqlalchemy import select

from domain.filing.filings import account_ips
from domain.lifecycle.states import Action, FilingState, Role
from domain.operator import ip_pool
from extensions import db
from models import RegistryWebsite
from tests.helpers import transitions
from tests.helpers.wizard import walk_to_confirm

S = FilingState
SUBJECT = "浙ICP备2021000001号"
WEBSITE = "浙ICP备2021000001号-1"
ACCESS_PATH = (
    (Action.initial_approve, "reviewer"), (Action.submit_materials, "owner"),
    (Action.re_approve, "reviewer"), (Action.submit_to_bureau, "reviewer"),
    (Action.sms_verify, None), (Action.bureau_approve, "reviewer"),
)  # fmt: skip
ORDER_PATH = (
    (Action.review_approve, "reviewer"), (Action.submit_to_bureau_no_sms, "reviewer"),
    (Action.bureau_approve, "reviewer"),
)  # fmt: skip


def walk(filing, path, owner, reviewer):
    for action, who in path:
        actor = {"reviewer": reviewer, "owner": owner, None: None}[who]
        transitions.apply(filing, action, actor)
    db.session.commit()


def hold_approved(client, applicant, make_user):
    """The demo applicant's 青禾 filing, approved: its website is a record held here."""
    filing = walk_to_confirm(client, applicant)
    assert client.post(f"/filings/{filing.id}/submit", data={"version": filing.version, "commitment": "y"}).status_code == 302  # fmt: skip
    reviewer = make_user(Role.reviewer)
    walk(filing, ACCESS_PATH, applicant, reviewer)
    assert filing.state is S.approved
    return filing, reviewer


def registry_website() -> RegistryWebsite:
    return db.session.scalar(
        select(RegistryWebsite).where(RegistryWebsite.website_number == WEBSITE)
    )


def new_ip(applicant, filing) -> str:
    taken = {ip.address for ip in filing.websites[0].ips}
    spare = [a for a in account_ips(applicant) if a not in taken]
    if not spare:
        ip_pool.assign_free(applicant, 1)
        db.session.commit()
        spare = [a for a in account_ips(applicant) if a not in taken]
    return spare[0]
