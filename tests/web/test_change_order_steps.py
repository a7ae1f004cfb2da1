"""The step bar of a change of website shows the steps that order passes: a change of the name
alone (no person, no domain changed) has no materials, no 复核 and no SMS step."""

from __future__ import annotations

import re

from sqlalchemy import select

from domain.lifecycle.states import OrderKind
from extensions import db
from models import Filing
from tests.helpers.orders import SUBJECT, WEBSITE


def test_a_change_of_the_website_name_shows_only_the_steps_it_passes(client, applicant, held):
    client.post(
        "/records/open", data={"kind": "change_website", "subject": SUBJECT, "website": WEBSITE}
    )
    order = db.session.scalar(
        select(Filing).where(Filing.kind == OrderKind.change_website).order_by(Filing.id.desc())
    )
    submitted = client.post(
        f"/records/orders/{order.id}/edit",
        data={"action": "submit", "version": order.version, "commitment": "y", "name": "青禾科技",
              "domains": "\n".join(d.domain for d in order.websites[0].domains),
              "service_types": "website", "languages": "zh-Hans", "person_mode": "subject",
              "content_types": list(order.websites[0].content_types or [])},
    )  # fmt: skip
    assert submitted.status_code == 302, submitted.get_data(as_text=True)[:2000]
    page = client.get(f"/filings/{order.id}").get_data(as_text=True)
    bar = page.split('<ol class="lifecycle"')[1].split("</ol>")[0]
    labels = re.findall(r'<span class="step-label">([^<]+)</span>', bar)
    assert labels == ["填写", "审核", "提交管局", "管局审核", "完成"]
