"""The authenticity step through an identity platform (Alibaba Cloud ID Verification, Tencent
Cloud FaceID), the app talking to a local stand-in of the platform's API through the official SDK:
the phone page begins the session and links to the platform's page, the person comes back and the
app reads the verdict (or the computer's page does while it waits); passed marks the website
verified, failed keeps the platform's reason and lets the person try again."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from domain.lifecycle.states import Action, Role
from extensions import db
from models import AuditEvent
from tests.helpers import transitions
from tests.helpers.identity_platforms import (
    aliyun_describe,
    aliyun_init,
    identity_platform,
    tencent_detect_auth,
    tencent_detect_info,
)
from tests.helpers.wizard import walk_to_confirm

# per platform: (start action and answer, result action, answers for pending / passed / failed)
FLOWS = {
    "aliyun": ("InitFaceVerify", aliyun_init, "DescribeFaceVerify",
               aliyun_describe("424", message="身份认证记录不存在"), aliyun_describe("200", "T", "200"),
               aliyun_describe("200", "F", "204")),
    "tencent": ("DetectAuth", tencent_detect_auth, "GetDetectInfoEnhanced",
                tencent_detect_info(None), tencent_detect_info(0, "成功"),
                tencent_detect_info(1005, "人脸比对不通过")),
}  # fmt: skip


@pytest.fixture(scope="module", params=sorted(FLOWS))
def platform(request):
    with identity_platform() as stand_in:
        stand_in.name = request.param
        yield stand_in


@pytest.fixture
def app_config(platform):
    return {"IDENTITY_VERIFIER": platform.name, "IDENTITY_ENDPOINT": platform.endpoint,
            "IDENTITY_ACCESS_KEY_ID": "key-id", "IDENTITY_ACCESS_KEY_SECRET": "secret",
            "IDENTITY_SCENE_ID": 1000000006, "IDENTITY_RULE_ID": "7"}  # fmt: skip


@pytest.fixture
def flow(platform):
    start, start_answer, result, pending, passed, failed = FLOWS[platform.name]
    platform.calls.clear()
    platform.answers = {start: start_answer("SESSION-1", platform.endpoint), result: pending}
    return {"start": start, "result": result, "pending": pending, "passed": passed,
            "failed": failed}  # fmt: skip


@pytest.fixture
def pending_filing(client, applicant, make_user):
    filing = walk_to_confirm(client, applicant)
    client.post(f"/filings/{filing.id}/submit", data={"version": filing.version, "commitment": "y"})
    db.session.refresh(filing)
    transitions.apply(filing, Action.initial_approve, make_user(Role.reviewer))
    db.session.commit()
    return filing


def open_phone(client, filing):
    """The QR code's link, opened on the person's phone (another device, no login)."""
    website = filing.websites[0]
    html = client.post(f"/filings/{filing.id}/websites/{website.id}/authenticity").get_data(
        as_text=True
    )
    path = re.search(r'href="http://localhost(/verify/[^"]+)"', html).group(1)
    phone = client.application.test_client()
    page = phone.get(path).get_data(as_text=True)
    assert "开始人脸核验" in page and 'type="file"' not in page  # no photo: the platform judges
    return phone, path


def begin(phone, path, platform) -> str:
    """The person starts; the page links to the platform's own page, which they complete."""
    page = phone.post(f"{path}/start").get_data(as_text=True)
    go_to = re.search(r'id="go-verify" href="([^"]+)"', page).group(1)
    assert go_to == f"{platform.endpoint}/h5?session=SESSION-1"
    return go_to


def test_a_person_verified_by_the_platform_marks_the_website_verified(
    client, pending_filing, platform, flow
):
    phone, path = open_phone(client, pending_filing)
    begin(phone, path, platform)
    start_call = platform.calls[0]
    assert start_call.action == flow["start"]
    assert "王" not in path  # the name and ID number travel to the platform only
    assert f"http://localhost{path}/return" in start_call.params.values()  # where they come back
    website = pending_filing.websites[0]
    db.session.refresh(website)
    assert website.identity_check["verdict"] == "pending"
    assert website.identity_check["reference"] == "SESSION-1"

    waiting = phone.get(f"{path}/return")  # back too early: the platform has no verdict yet
    assert waiting.status_code == 200 and "核验结果尚未返回" in waiting.get_data(as_text=True)
    platform.answers[flow["result"]] = flow["passed"]
    done = phone.get(f"{path}/return")
    assert done.status_code == 200 and "核验完成" in done.get_data(as_text=True)
    db.session.refresh(website)
    assert website.authenticity_verified_at is not None
    assert website.identity_check["verifier"] == platform.name
    assert website.identity_check["verdict"] == "passed"
    assert phone.get(path).status_code == 404  # the link is spent
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "authenticity_verified")
    )
    assert [e.data["verifier"] for e in events] == [platform.name]
    desktop = client.get(f"/filings/{pending_filing.id}/websites/{website.id}/authenticity")
    assert desktop.status_code == 286 and "已完成核验" in desktop.get_data(as_text=True)


def test_a_failed_verification_keeps_the_platform_reason_and_may_be_tried_again(
    client, pending_filing, platform, flow
):
    phone, path = open_phone(client, pending_filing)
    begin(phone, path, platform)
    platform.answers[flow["result"]] = flow["failed"]
    refused = phone.get(f"{path}/return")
    assert refused.status_code == 422 and "人脸核验未通过" in refused.get_data(as_text=True)
    website = pending_filing.websites[0]
    db.session.refresh(website)
    assert website.authenticity_verified_at is None
    assert website.identity_check["verdict"] == "failed" and website.identity_check["reason"]
    assert "开始人脸核验" in phone.get(path).get_data(as_text=True)  # the link still works
    begin(phone, path, platform)
    db.session.refresh(website)
    assert website.identity_check["verdict"] == "pending"


def test_the_computer_page_reads_the_verdict_when_the_person_does_not_come_back(
    client, pending_filing, platform, flow
):
    phone, path = open_phone(client, pending_filing)
    begin(phone, path, platform)
    website = pending_filing.websites[0]
    status = f"/filings/{pending_filing.id}/websites/{website.id}/authenticity"
    assert client.get(status).status_code in (200, 204)  # still waiting
    platform.answers[flow["result"]] = flow["passed"]
    assert client.get(status).status_code == 286
    db.session.refresh(website)
    assert website.authenticity_verified_at is not None
