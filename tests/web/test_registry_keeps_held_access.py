"""A registry import never drops this provider's code from a website held here unseen, and an access
order for a website held here is refused whatever the registry says (the app's own records count)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from demo.seed import REGISTRY_CSV
from domain.filing import filings
from domain.lifecycle.states import Action, FilingState, Role
from domain.lifecycle.workdays import shanghai_today
from domain.rulebook.filing_type import verify_filing_type
from extensions import db
from models import AuditEvent, Filing, RegistryWebsite, utcnow
from tests.helpers import transitions
from tests.helpers.app import PASSWORD
from tests.helpers.wizard import QINGHE_USCC, multipart, walk_to_confirm

WEBSITE = "浙ICP备2021000001号-1"
CODE = "BEIANDESK"
ACCESS_PATH = (
    (Action.initial_approve, "reviewer"), (Action.submit_materials, "owner"),
    (Action.re_approve, "reviewer"), (Action.submit_to_bureau, "reviewer"),
    (Action.sms_verify, None), (Action.bureau_approve, "reviewer"),
)  # fmt: skip


@pytest.fixture
def held(client, applicant, make_user):
    """The demo applicant's 青禾 filing, approved: its website is held here, the registry lists us."""
    filing = walk_to_confirm(client, applicant)
    response = client.post(
        f"/filings/{filing.id}/submit", data={"version": filing.version, "commitment": "y"}
    )
    assert response.status_code == 302
    reviewer = make_user(Role.reviewer)
    for action, who in ACCESS_PATH:
        actor = {"reviewer": reviewer, "owner": applicant, None: None}[who]
        transitions.apply(filing, action, actor)
    db.session.commit()
    assert filing.state is FilingState.approved and CODE in registry_website().provider_codes
    return filing


def registry_website() -> RegistryWebsite:
    return db.session.scalar(
        select(RegistryWebsite).where(RegistryWebsite.website_number == WEBSITE)
    )


def _upload(client, text: str):
    body, content_type = multipart({}, "csv", text.encode("utf-8"), "registry.csv")
    return client.post("/admin/registry", data=body, content_type=content_type)


def _admin_client(app, make_user):
    """A second browser, logged in as an admin (the first one is the applicant's)."""
    admin = make_user(Role.admin)
    other = app.test_client()
    response = other.post("/auth/login", data={"email": admin.email, "password": PASSWORD})
    assert response.status_code == 302
    return other


def test_the_cli_import_keeps_our_code_on_a_held_website_until_confirmed_by_number(
    app, held, tmp_path
):
    csv_file = tmp_path / "registry.csv"
    csv_file.write_text(REGISTRY_CSV.read_text(encoding="utf-8"), encoding="utf-8")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["registry", "import", str(csv_file)])
    assert result.exit_code == 0, result.output
    assert f"--drop-provider {WEBSITE}" in result.output
    db.session.expire_all()
    assert CODE in registry_website().provider_codes  # kept: nobody confirmed
    result = runner.invoke(args=["registry", "import", str(csv_file), "--drop-provider", WEBSITE])
    assert result.exit_code == 0 and "removed (confirmed)" in result.output
    db.session.expire_all()
    assert CODE not in registry_website().provider_codes


def test_the_admin_preview_names_the_held_website_and_only_a_ticked_one_loses_our_code(
    app, held, make_user
):
    client = _admin_client(app, make_user)
    text = REGISTRY_CSV.read_text(encoding="utf-8")
    page = _upload(client, text).get_data(as_text=True)
    assert 'id="held-drops"' in page and f'name="drop" value="{WEBSITE}"' in page
    assert "青禾科技官网" in page
    # old -> new by label, not by column name
    assert "接入服务商" in page and "ALIYUN; BEIANDESK" in page
    assert "access_providers" not in page.split('id="preview"')[1]
    token = re.search(r'action="/admin/registry/([0-9a-f]{32})"', page).group(1)
    client.post(f"/admin/registry/{token}")  # confirmed the import, not the website
    db.session.expire_all()
    assert CODE in registry_website().provider_codes
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "registry_imported")
    ).first()
    assert "保留本服务商代码" in event.note and WEBSITE in event.note
    page = _upload(client, text).get_data(as_text=True)
    token = re.search(r'action="/admin/registry/([0-9a-f]{32})"', page).group(1)
    client.post(f"/admin/registry/{token}", data={"drop": WEBSITE})
    db.session.expire_all()
    assert CODE not in registry_website().provider_codes


def _drop_our_code() -> None:
    record = registry_website()
    record.access_providers = "ALIYUN"
    db.session.commit()


def test_a_held_website_is_refused_at_the_type_step_whatever_the_registry_says(
    app, client, applicant, held
):
    _drop_our_code()
    verdict = verify_filing_type("uscc", QINGHE_USCC, "qinghe.cn", CODE, shanghai_today())
    assert verdict.type is None and verdict.refusal == "already_accessed"
    page = client.post("/filings/new", data={
        "certificate_type": "uscc", "certificate_number": QINGHE_USCC, "domain": "www.qinghe.cn",
    }).get_data(as_text=True)  # fmt: skip
    assert "已接入本服务商" in page
    assert db.session.scalar(
        select(Filing).where(Filing.account_id == applicant.id, Filing.state == FilingState.draft)
    ) is None  # fmt: skip
    api = app.test_client().post("/api/v1/filing-type", json={
        "cert_type": "uscc", "cert_number": QINGHE_USCC, "domain": "qinghe.cn",
    })  # fmt: skip
    assert api.get_json()["refusal"] == "already_accessed"
    result = app.test_cli_runner().invoke(args=[
        "filing", "type", "--cert-type", "uscc", "--cert-number", QINGHE_USCC,
        "--domain", "qinghe.cn",
    ])  # fmt: skip
    assert result.exit_code == 1 and "already_accessed" in result.output


def test_a_duplicate_draft_of_a_held_website_is_stopped_by_the_precheck_and_shown_to_reviewers(
    app, client, applicant, held, make_user
):
    _drop_our_code()
    for website in held.websites:  # as if the draft had been started before the approval
        website.superseded_at = utcnow()
    db.session.commit()
    duplicate = walk_to_confirm(client, applicant)
    for website in held.websites:
        website.superseded_at = None
    db.session.commit()
    problems = filings.submission_problems(duplicate, shanghai_today(), CODE).breaches
    assert [p.rule for p in problems] == ["already_accessed"]
    client.post(
        f"/filings/{duplicate.id}/submit", data={"version": duplicate.version, "commitment": "y"}
    )
    db.session.refresh(duplicate)
    assert duplicate.state is FilingState.draft
    page = client.get(f"/filings/{duplicate.id}/confirm").get_data(as_text=True)
    assert "已在本服务商接入，不能重复接入" in page
    transitions.apply(duplicate, Action.submit, applicant)  # as if sent before the fix
    db.session.commit()
    reviewer = app.test_client()
    user = make_user(Role.reviewer)
    reviewer.post("/auth/login", data={"email": user.email, "password": PASSWORD})
    page = reviewer.get(f"/review/filings/{duplicate.id}").get_data(as_text=True)
    assert "已在本服务商接入，不能重复接入" in page


def test_the_import_page_describes_the_columns_itself(app, make_user):
    client = _admin_client(app, make_user)
    page = client.get("/admin/registry").get_data(as_text=True)
    assert "DOMAIN.md" not in page
    for column in ("subject_number", "domains", "access_providers", "change_in_progress"):
        assert f"<code>{column}</code>" in page
    assert "域名@到期日" in page


def test_the_preview_says_its_counts_assume_the_confirmation_and_the_result_what_was_kept(
    app, held, make_user
):
    client = _admin_client(app, make_user)
    page = _upload(client, REGISTRY_CSV.read_text(encoding="utf-8")).get_data(as_text=True)
    assert 'id="counts-assume"' in page and "假定" in page.split('id="counts-assume"')[1]
    assert 'id="reimport-note"' in page and "重新导入工信部导出" in page
    token = re.search(r'action="/admin/registry/([0-9a-f]{32})"', page).group(1)
    result = client.post(f"/admin/registry/{token}", follow_redirects=True)
    told = result.get_data(as_text=True)
    assert "未勾选“确认移除”，保留本服务商代码，未更新" in told and WEBSITE in told
