"""Helpers for the applicant-side tests: the demo registry and a filing walked through the wizard."""

from __future__ import annotations

import io
import re

from PIL import Image
from sqlalchemy import select

from demo.seed import seed_demo
from domain.filing import mobiles
from domain.filing.filings import account_ips
from domain.operator import ip_pool
from domain.rulebook.provinces import FULL_NAMES
from domain.support import sealing
from extensions import db
from models import Filing, OutboxMessage
from runtime.policy import current_policy
from tests.helpers import snapshots

QINGHE_USCC = "913301069755TH2H1L"
SUBJECT_FORM = {
    "certificate_address": "浙江省杭州市西湖区文三路 1 号",
    "mailing_address": "浙江省杭州市西湖区文三路 1 号 5 楼",
    "person_name": "王小明",
    "person_id_type": "resident_id",
    "person_id_number": "330106199003071236",
    "person_mobile": "13800138000",
    "person_email": "wangxm@qinghe.cn",
}


# A mobile registered in the province, for provinces that ask for local mobiles (R-PH-2).
LOCAL_MOBILES = {"32": "13912345678"}  # 江苏省常州市 by libphonenumber's geocoder


def subject_form(province: str) -> dict:
    """SUBJECT_FORM with addresses in the subject's province (R-P-12) and a local mobile where the
    province asks for one."""
    if province == "33":
        return dict(SUBJECT_FORM)
    full_name = FULL_NAMES[province]
    return {
        **SUBJECT_FORM,
        "certificate_address": f"{full_name}测试路 1 号",
        "mailing_address": f"{full_name}测试路 1 号 5 楼",
        "person_mobile": LOCAL_MOBILES.get(province, SUBJECT_FORM["person_mobile"]),
    }


def load_demo() -> None:
    """The demo data set (demo/seed.py), committed; replayed from its first load where the database
    is as it was then (tests/helpers/snapshots.py)."""
    snapshots.seeded("demo", seed_demo)


def filing_id_from(location: str) -> int:
    return int(re.search(r"/filings/(\d+)", location).group(1))


def qinghe_to_subject(client, applicant) -> Filing:
    """杭州青禾's access order opened and filled in up to its subject step (the subject's mobile
    saved: a code sent where mobile codes are on)."""
    response = client.post(
        "/filings/new",
        data={"certificate_type": "uscc", "certificate_number": QINGHE_USCC, "domain": "qinghe.cn"},
    )
    filing = db.session.get(Filing, filing_id_from(response.headers["Location"]))
    base = f"/filings/{filing.id}"
    assert client.post(f"{base}/product", data={"ips": account_ips(applicant)}).status_code == 302
    assert client.post(f"{base}/password", data={"password": "Qinghe2021"}).status_code == 302
    assert client.post(f"{base}/subject", data=SUBJECT_FORM).status_code == 302
    db.session.refresh(filing)
    return filing


def website_block(filing, index: int, **changes) -> dict:
    website = filing.websites[index]
    data = {
        f"websites-{index}-website_id": str(website.id),
        f"websites-{index}-ips": filing.product_ips[0],
        f"websites-{index}-service_types": "website",
        f"websites-{index}-content_types": "organization_portal",
        f"websites-{index}-languages": "zh-Hans",
        f"websites-{index}-person_mode": "same",
        f"websites-{index}-pre_approvals-0-category": "",
        f"websites-{index}-person_id_type": "resident_id",
    }
    data.update({f"websites-{index}-{k}": v for k, v in changes.items()})
    return data


def walk_to_confirm(
    client, user, domain="qinghe.cn", cert=QINGHE_USCC, password="Qinghe2021", mobile=None
):
    """A logged-in user's filing, filled in through the wizard up to the confirm step; filings of
    several subjects need a `mobile` each (R-P-4: a mobile serves one subject)."""
    if not account_ips(user):
        ip_pool.assign_free(user, 2)
        db.session.commit()
    response = client.post(
        "/filings/new",
        data={"certificate_type": "uscc", "certificate_number": cert, "domain": domain},
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    filing = db.session.get(Filing, filing_id_from(response.headers["Location"]))
    base = f"/filings/{filing.id}"
    assert client.post(f"{base}/product", data={"ips": account_ips(user)}).status_code == 302
    assert client.post(f"{base}/password", data={"password": password}).status_code == 302
    typed = subject_form(filing.province)
    if mobile is not None:
        typed["person_mobile"] = mobile
    response = client.post(f"{base}/subject", data=typed)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    db.session.refresh(filing)
    response = client.post(f"{base}/websites", data=website_block(filing, 0))
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    db.session.refresh(filing)
    verify_mobiles(client, filing)
    return filing


def mobile_code_sent(filing, mobile: str) -> str | None:
    """The code of the newest mobile-code SMS to `mobile` for the filing, as the phone got it."""
    message = db.session.scalars(
        select(OutboxMessage)
        .where(
            OutboxMessage.filing_id == filing.id,
            OutboxMessage.template == "mobile_code",
            OutboxMessage.recipient == mobile,
        )
        .order_by(OutboxMessage.id.desc())
    ).first()
    if message is None:
        return None
    return sealing.unseal(message.context["sealed_code"], current_policy().secret_key)


def verify_mobiles(client, filing) -> None:
    """Where VERIFY_MOBILES is on: type the code each responsible person's phone got, as the
    applicant does on the wizard's mobile panel (R-PH-3)."""
    if not current_policy().verify_mobiles:
        return
    done = mobiles.verified(filing)  # on another order of the subject: not asked again
    for _field, mobile in mobiles.mobiles_to_verify(filing):
        if mobile in done:
            continue
        code = mobile_code_sent(filing, mobile)
        assert code is not None, f"no code was sent to {mobile}"
        response = client.post(
            f"/filings/{filing.id}/mobiles/verify",
            data={"mobile": mobile, "code": code, "back": "confirm"},
        )
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    db.session.expire_all()
    assert not mobiles.problems(filing, current_policy())


def image_bytes(fmt: str = "PNG", size=(800, 600), color=(200, 30, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, fmt)
    return buffer.getvalue()


def upload_material(
    client, filing, kind: str, data: bytes, name: str = "photo.png", website_id=None, htmx=True
):
    """The applicant's upload of one material through the materials page (as htmx sends it, or as
    the page's plain form posts it)."""
    body, content_type = multipart(
        {"kind": kind, "website_id": str(website_id or "")}, "file", data, name
    )
    return client.post(
        f"/filings/{filing.id}/materials",
        data=body,
        content_type=content_type,
        headers={"HX-Request": "true"} if htmx else {},
    )


def multipart(fields: dict[str, str], file_field: str, data: bytes, name: str) -> tuple[bytes, str]:
    """A multipart body built in memory (werkzeug's test builder spools big bodies to a temp file
    that it never closes, which the strict warning filter would report)."""
    boundary = "----beian-test-boundary"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
        for key, value in fields.items()
    ]
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="{file_field}"; filename="{name}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    body = b"".join(parts) + head + data + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"
