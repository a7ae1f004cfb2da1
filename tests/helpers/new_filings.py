"""The new filings (DOMAIN.md A8) for the tests: a 首次备案 and a 新增网站 walked through the wizard,
and through every stage to approval."""

from __future__ import annotations

from domain.filing.filings import account_ips
from domain.lifecycle.states import Action
from domain.operator import ip_pool
from extensions import db
from models import Filing
from tests.helpers.wizard import QINGHE_USCC, SUBJECT_FORM, filing_id_from, website_block

# The demo's 首次备案: a certificate and a domain on neither the registry nor this app's records.
NEW_USCC = "91330106MA28XY5Q78"
NEW_DOMAIN = "xinhe-tech.cn"
# The demo's 新增网站: 杭州青禾 (filed, 浙ICP备2021000001号 with -1 and -2) and a domain it has not filed.
NEW_SITE_DOMAIN = "qinghe-shop.cn"
TYPED_SUBJECT = {
    **SUBJECT_FORM,
    "kind": "enterprise",
    "name": "杭州新禾科技有限公司",
    "certificate_type": "uscc",
    "certificate_number": NEW_USCC,
    "province": "33",
    "investor": "王小明",
}
# The stages of A8 after submission, as tests.helpers.orders.walk takes them (all but the SMS).
NEW_FILING_PATH = (
    (Action.initial_approve, "reviewer"), (Action.submit_materials, "owner"),
    (Action.re_approve, "reviewer"), (Action.submit_to_bureau, "reviewer"),
    (Action.sms_verify, None), (Action.bureau_approve, "reviewer"),
)  # fmt: skip


def start(client, user, cert: str, domain: str) -> Filing:
    """The type step: certificate and domain in, a new filing's draft out."""
    if not account_ips(user):
        ip_pool.assign_free(user, 2)
        db.session.commit()
    response = client.post(
        "/filings/new",
        data={"certificate_type": "uscc", "certificate_number": cert, "domain": domain},
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    return db.session.get(Filing, filing_id_from(response.headers["Location"]))


def new_block(filing, index: int, name: str, domains: str, **changes) -> dict:
    """A typed website block (A8): an access block with its name and domains."""
    return website_block(filing, index, name=name, domains=domains, **changes)


def walk_first_filing(
    client, user, cert: str = NEW_USCC, domain: str = NEW_DOMAIN, mobile: str | None = None
) -> Filing:
    """A 首次备案 filled in through the wizard up to the confirm step (no password step); another
    subject's person needs a `mobile` of their own (R-P-4)."""
    filing = start(client, user, cert, domain)
    base = f"/filings/{filing.id}"
    response = client.post(f"{base}/product", data={"ips": account_ips(user)})
    assert response.headers["Location"].endswith(f"{base}/subject")
    typed = {**TYPED_SUBJECT, "certificate_number": cert}
    if mobile is not None:
        typed["person_mobile"] = mobile
    response = client.post(f"{base}/subject", data=typed)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    db.session.refresh(filing)
    response = client.post(f"{base}/websites", data=new_block(filing, 0, "新禾科技官网", domain))
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    db.session.refresh(filing)
    return filing


def walk_new_website(client, user, domain: str = NEW_SITE_DOMAIN) -> Filing:
    """A 新增网站 of 杭州青禾 filled in through the wizard up to the confirm step."""
    filing = start(client, user, QINGHE_USCC, domain)
    base = f"/filings/{filing.id}"
    assert client.post(f"{base}/product", data={"ips": account_ips(user)}).status_code == 302
    assert client.post(f"{base}/password", data={"password": "Qinghe2021"}).status_code == 302
    response = client.post(f"{base}/subject", data=SUBJECT_FORM)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    db.session.refresh(filing)
    response = client.post(f"{base}/websites", data=new_block(filing, 0, "青禾商城", domain))
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    db.session.refresh(filing)
    return filing


def submit(client, filing) -> None:
    response = client.post(
        f"/filings/{filing.id}/submit", data={"version": filing.version, "commitment": "y"}
    )
    assert response.status_code == 302
    db.session.refresh(filing)
