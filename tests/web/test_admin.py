"""The admin console: province rules edited in place, staff accounts, the IP pool; all audited."""

from __future__ import annotations

import io
import json
import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from demo.seed import REGISTRY_CSV
from domain import audit as audit_log
from domain.lifecycle.states import Action, FilingState, Role
from domain.lifecycle.workdays import SHANGHAI, add_workdays
from domain.rulebook import rule_tables
from domain.rulebook.rules import check_domain_suffix
from extensions import db
from models import (
    AuditEvent,
    CalendarDay,
    DenyWord,
    OutboxMessage,
    ProviderIP,
    ProvinceRule,
    RegistrySubject,
    User,
)
from runtime.policy import current_policy
from tests.helpers import transitions
from tests.helpers.wizard import multipart


@pytest.fixture
def admin(app, client, make_user, login):
    user = make_user(Role.admin)
    login(user)
    return user


def test_console_is_for_admins_only(client, make_user, login):
    login(make_user(Role.reviewer))
    for path in ("/admin/provinces", "/admin/staff", "/admin/ips", "/admin/audit"):
        assert client.get(path).status_code == 403


def test_province_rule_edited_in_place_and_audited(client, admin):
    row = client.get("/admin/provinces/33", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert row.lstrip().startswith('<tr id="province-33" class="editing">')
    response = client.post(
        "/admin/provinces/33",
        data={
            "sms_required": "on",
            "mail_required": "on",
            "min_age": "18",
            "bureau_review_workdays": "25",
            "notes": "试点",
        },
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200 and response.get_data(as_text=True).lstrip().startswith(
        '<tr id="province-33">'
    )
    rule = db.session.get(ProvinceRule, "33")
    assert (rule.mail_required, rule.bureau_review_workdays, rule.notes) == (True, 25, "试点")
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "province_rule_changed")
    )
    assert event.actor_id == admin.id and event.data["changes"]["bureau_review_workdays"] == [
        30,
        25,
    ]
    page = client.get("/admin/audit").get_data(as_text=True)  # before -> after, by label
    assert "管局审核工作日：30 → 25" in page and "bureau_review_workdays" not in page


def test_province_rule_out_of_range_is_refused(client, admin):
    response = client.post(
        "/admin/provinces/33", data={"min_age": "18", "bureau_review_workdays": "400"}
    )
    assert response.status_code == 422 and "1–90" in response.get_data(as_text=True)
    assert db.session.get(ProvinceRule, "33").bureau_review_workdays == 30


def test_invite_a_reviewer_who_logs_in_with_the_one_time_password(client, admin):
    page = client.post(
        "/admin/staff",
        data={"email": "li@provider.cn", "display_name": "李审核", "role": "reviewer"},
        follow_redirects=True,
    ).get_data(as_text=True)
    password = re.search(r"一次性密码：(\S+)（只显示这一次）", page).group(1)
    user = db.session.scalar(select(User).where(User.email == "li@provider.cn"))
    assert user.role is Role.reviewer and password not in user.password_hash
    client.post("/auth/logout")
    response = client.post("/auth/login", data={"email": "li@provider.cn", "password": password})
    assert response.headers["Location"].endswith("/review/")


def test_an_invitation_answers_with_a_redirect_so_a_reload_invites_no_one_again(client, admin):
    posted = client.post(
        "/admin/staff",
        data={"email": "zhou@provider.cn", "display_name": "周审核", "role": "reviewer"},
    )
    assert posted.status_code == 302 and posted.headers["Location"].endswith("/admin/staff")
    page = client.get("/admin/staff").get_data(as_text=True)
    assert "zhou@provider.cn 的一次性密码" in page
    reloaded = client.get("/admin/staff").get_data(as_text=True)  # the browser's reload: a GET
    assert "一次性密码：" not in reloaded and "该邮箱已有账号" not in reloaded


def test_duplicate_invite_is_refused_in_words_for_staff(client, admin):
    response = client.post("/admin/staff", data={"email": admin.email, "role": "reviewer"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "该邮箱已有账号，不能再次邀请" in page
    assert "请直接登录" not in page  # the sign-up message is for the person, not the admin


def test_an_invitation_sends_an_email_with_the_login_address_and_one_time_password(client, admin):
    from adapters.console import LogEmailSender, LogSmsGateway
    from runtime import notify
    from runtime.policy import current_policy

    page = client.post(
        "/admin/staff",
        data={"email": "wang@provider.cn", "display_name": "王审核", "role": "reviewer"},
        follow_redirects=True,
    ).get_data(as_text=True)
    password = re.search(r"一次性密码：(\S+)（只显示这一次）", page).group(1)
    mail = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.recipient == "wang@provider.cn")
    ).one()
    assert mail.template == "staff_invited" and password not in str(mail.context)  # sealed
    text = notify.render(mail, current_policy(), reveal_code=True).text
    assert password in text and "/auth/login" in text and "审核员" in text
    notify.dispatch_pending(LogSmsGateway(), LogEmailSender(), policy=current_policy())
    db.session.refresh(mail)
    assert mail.status == "sent" and not any("sealed" in key for key in mail.context)


def test_disable_and_reset_but_not_oneself(client, admin, make_user):
    reviewer = make_user(Role.reviewer)
    client.post(f"/admin/users/{reviewer.id}/disable")
    db.session.refresh(reviewer)
    assert reviewer.is_enabled is False
    page = client.post(f"/admin/users/{reviewer.id}/reset", follow_redirects=True).get_data(
        as_text=True
    )
    assert "一次性密码" in page
    client.post(f"/admin/users/{admin.id}/disable")
    db.session.refresh(admin)
    assert admin.is_enabled is True
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"account_disabled", "password_reset"} <= actions


def test_a_reload_of_the_reset_answer_does_not_reset_again(client, admin, make_user):
    reviewer = make_user(Role.reviewer)
    staff_page = client.get("/admin/staff").get_data(as_text=True)
    seen = re.search(
        rf'users/{reviewer.id}/reset".*?name="seen_version" value="(\d+)"', staff_page, re.S
    ).group(1)
    first = client.post(f"/admin/users/{reviewer.id}/reset", data={"seen_version": seen})
    assert first.status_code == 302  # POST/redirect/GET: a reload reloads the GET
    assert "一次性密码" in client.get(first.headers["Location"]).get_data(as_text=True)
    db.session.refresh(reviewer)
    hash_after_first = reviewer.password_hash
    again = client.post(
        f"/admin/users/{reviewer.id}/reset", data={"seen_version": seen}, follow_redirects=True
    )  # the browser's "reload" of the answer: the same form once more
    db.session.refresh(reviewer)
    assert reviewer.password_hash == hash_after_first  # the password just shown still works
    assert "刚才已重置" in again.get_data(as_text=True)


def test_ip_pool_add_import_assign_release(client, admin, make_user):
    response = client.post(
        "/admin/ips", data={"addresses": "121.41.200.1\n10.0.0.1\n121.41.200.1\nnot-an-ip"}
    )
    page = response.get_data(as_text=True)
    assert "已添加 1 个 IP" in page and "10.0.0.1" in page and "已在 IP 池中" in page
    csv = io.BytesIO(b"address\n121.41.200.2\n121.41.200.3\n")
    client.post(
        "/admin/ips",
        data={"addresses": "", "csv": (csv, "ips.csv")},
        content_type="multipart/form-data",
    )
    assert (
        db.session.scalar(select(ProviderIP).where(ProviderIP.address == "121.41.200.3"))
        is not None
    )
    applicant = make_user(Role.applicant)
    ip = db.session.scalar(select(ProviderIP).where(ProviderIP.address == "121.41.200.1"))
    client.post(f"/admin/ips/{ip.id}/assign", data={"email": applicant.email})
    db.session.refresh(ip)
    assert ip.account_id == applicant.id and ip.assigned_at is not None
    reviewer = make_user(Role.reviewer)
    page = client.post(
        f"/admin/ips/{ip.id}/assign", data={"email": reviewer.email}, follow_redirects=True
    ).get_data(as_text=True)
    assert "IP 只能分配给申请人账号" in page
    client.post(f"/admin/ips/{ip.id}/assign", data={"email": "", "release": "1"})  # 释放
    db.session.refresh(ip)
    assert ip.account_id is None


def test_a_mistyped_ip_is_deleted_but_not_one_assigned_or_in_use(client, admin, make_user):
    client.post("/admin/ips", data={"addresses": "121.41.200.11\n121.41.200.12"})
    mistyped, assigned = (
        db.session.scalar(select(ProviderIP).where(ProviderIP.address == address))
        for address in ("121.41.200.11", "121.41.200.12")
    )
    applicant = make_user(Role.applicant)
    client.post(f"/admin/ips/{assigned.id}/assign", data={"email": applicant.email})
    page = client.get("/admin/ips").get_data(as_text=True)
    assert f"/admin/ips/{mistyped.id}/remove" in page
    assert f"/admin/ips/{assigned.id}/remove" not in page  # released first
    refused = client.post(f"/admin/ips/{assigned.id}/remove", follow_redirects=True)
    assert "请先释放再删除" in refused.get_data(as_text=True)
    done = client.post(f"/admin/ips/{mistyped.id}/remove", follow_redirects=True)
    assert "已从 IP 池删除 121.41.200.11" in done.get_data(as_text=True)
    addresses = set(db.session.scalars(select(ProviderIP.address)))
    assert "121.41.200.11" not in addresses and "121.41.200.12" in addresses
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "ip_removed"))


def test_suffix_table_change_reaches_the_precheck(client, admin):
    client.post("/admin/tables/suffixes", data={"suffix": ".io", "approved": "1"})
    tables = rule_tables.load()
    assert check_domain_suffix("qinghe.io", tables.approved_suffixes, tables.never_suffixes) is None
    client.post("/admin/tables/suffixes/remove", data={"suffix": "io"})
    tables = rule_tables.load()
    assert (
        check_domain_suffix("qinghe.io", tables.approved_suffixes, tables.never_suffixes)
        is not None
    )


def test_deny_word_added_and_removed(client, admin):
    client.post("/admin/tables/deny-words", data={"list_name": "sensitive", "word": "彩票"})
    word = db.session.scalar(
        select(DenyWord).where(DenyWord.word == "彩票", DenyWord.list_name == "sensitive")
    )
    assert word is not None
    client.post("/admin/tables/deny-words/remove", data={"word_id": str(word.id)})
    assert db.session.get(DenyWord, word.id) is None
    page = client.post(
        "/admin/tables/deny-words",
        data={"list_name": "sensitive", "word": " "},
        follow_redirects=True,
    )
    assert "词语不能为空" in page.get_data(as_text=True)


def test_calendar_override_moves_deadlines(client, admin):
    client.post(
        "/admin/tables/calendar",
        data={"day": "2027-01-01", "is_workday": "0", "note": "元旦"},
    )
    overrides = {d.day: d.is_workday for d in db.session.scalars(select(CalendarDay))}
    due = add_workdays(datetime(2026, 12, 31, 10, 0, tzinfo=SHANGHAI), 1, overrides)
    assert due == datetime(2027, 1, 4, 10, 0, tzinfo=SHANGHAI)
    page = client.post(
        "/admin/tables/calendar",
        data={"day": "2027-13-01", "is_workday": "0"},
        follow_redirects=True,
    )
    assert "日期格式应为 YYYY-MM-DD" in page.get_data(as_text=True)


def _csv_upload(client, text: str, url="/admin/registry"):
    body, content_type = multipart({}, "csv", text.encode("utf-8"), "registry.csv")
    return client.post(url, data=body, content_type=content_type)


def test_registry_import_previews_then_imports(client, admin, app):
    text = REGISTRY_CSV.read_text(encoding="utf-8")
    response = _csv_upload(client, text)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "新增主体 17、网站 21" in page
    assert db.session.scalar(select(RegistrySubject)) is None  # the preview wrote nothing
    token = re.search(r'action="/admin/registry/([0-9a-f]{32})"', page).group(1)
    client.post(f"/admin/registry/{token}")
    assert len(db.session.scalars(select(RegistrySubject)).all()) == 17
    assert (
        db.session.scalar(select(AuditEvent).where(AuditEvent.action == "registry_imported"))
        is not None
    )
    audit_page = client.get("/admin/audit").get_data(as_text=True)
    assert "主体：新增 17、更新 0；网站：新增 21、更新 0、未变化 0" in audit_page
    client.get("/lang/en")
    english = client.get("/admin/audit").get_data(as_text=True)
    assert "Subjects: 17 new, 0 updated; websites: 21 new, 0 updated, 0 unchanged" in english
    client.get("/lang/zh_Hans_CN")
    again = _csv_upload(client, text).get_data(as_text=True)
    # the preview hashes no password: data unchanged, passwords compared at confirm
    assert "新增主体 0、网站 0；更新主体 0、网站 0；未变化网站 21" in again
    assert "备案密码不在预览中比较" in again


def test_registry_import_with_a_bad_row_names_the_line_and_imports_nothing(client, admin):
    lines = REGISTRY_CSV.read_text(encoding="utf-8").splitlines()
    lines[3] = lines[3].replace(",33,", ",99,").replace(",31,", ",99,")
    response = _csv_upload(client, "\n".join(lines) + "\n")
    assert response.status_code == 422 and "第 4 行" in response.get_data(as_text=True)
    assert db.session.scalar(select(RegistrySubject)) is None


def test_report_counts_decisions_times_and_reasons(client, admin, make_filing, make_user):
    reviewer = make_user(Role.reviewer)
    filing = make_filing(FilingState.submitted, reviewer=reviewer)
    reasons = [{"field": "subject.name", "code": "website_name", "reason": "x"}]
    transitions.apply(filing, Action.initial_reject, reviewer, note="改", data={"reasons": reasons})
    db.session.commit()
    page = client.get("/admin/report").get_data(as_text=True)
    assert "<svg" in page and reviewer.display_name in page
    assert "网站名称不符合命名规范 · 1" in page
    by_stage = page.split("按阶段")[1].split("</table>")[0]  # the per-stage table has columns
    assert "<th>待初审</th>" in by_stage and "<td>1</td>" in by_stage
    csv_text = client.get("/admin/report.csv").get_data(as_text=True)
    assert csv_text.startswith("\ufeff类别,项目,指标,数值\r\n")  # the page's words, not keys
    assert "驳回原因排行,网站名称不符合命名规范,次数,1" in csv_text
    assert "各阶段停留时间（中位数，小时）与超时,待初审,中位数（小时）," in csv_text
    assert f"按阶段,{reviewer.display_name},待初审,1" in csv_text
    assert f"审核员处理量,{reviewer.display_name},驳回数,1" in csv_text
    client.get("/lang/en")
    english = client.get("/admin/report.csv").get_data(as_text=True)
    assert english.startswith("\ufeffSection,Item,Measure,Value\r\n")
    assert "submitted" not in english and "website_name" not in english


def test_the_report_counts_the_days_asked_for(client, admin, make_filing, make_user):
    reviewer = make_user(Role.reviewer)
    filing = make_filing(FilingState.submitted, reviewer=reviewer)
    reasons = [{"field": "subject.name", "code": "website_name", "reason": "x"}]
    transitions.apply(filing, Action.initial_reject, reviewer, note="改", data={"reasons": reasons})
    db.session.commit()
    today = datetime.now(SHANGHAI).date()
    yesterday = (today - timedelta(days=1)).isoformat()
    today_only = client.get(f"/admin/report?first={today}&last={today}").get_data(as_text=True)
    assert "网站名称不符合命名规范 · 1" in today_only
    before = client.get(f"/admin/report?first={yesterday}&last={yesterday}")
    assert "网站名称不符合命名规范" not in before.get_data(as_text=True)
    csv_text = client.get(f"/admin/report.csv?last={yesterday}").get_data(as_text=True)
    assert "网站名称不符合命名规范" not in csv_text
    backwards = client.get(f"/admin/report?first={today}&last={yesterday}")
    assert backwards.status_code == 422
    assert "结束日期不能早于开始日期" in backwards.get_data(as_text=True)
    assert client.get("/admin/report?first=2026-13-40").status_code == 422  # named, not a 500


def test_settings_change_the_running_app_and_are_audited(app, client, admin):
    response = client.post(
        "/admin/settings", data={"PROVIDER_NAME": "青禾云", "CLAIM_TIMEOUT_MINUTES": "45"}
    )
    assert response.status_code == 302
    assert "青禾云" in client.get("/admin/").get_data(as_text=True)
    assert current_policy().claim_timeout_minutes == 45  # this process, without app.config
    app.config["PROVIDER_NAME"] = (
        "别的名字"  # another host's stale config: refreshed from the database
    )
    assert "青禾云" in client.get("/admin/").get_data(as_text=True)
    bad = client.post("/admin/settings", data={"INITIAL_REVIEW_WORKDAYS": "99"})
    assert bad.status_code == 422 and "1–10" in bad.get_data(as_text=True)
    assert current_policy().initial_review_workdays == 1  # a refused save changes nothing
    assert (
        db.session.scalar(select(AuditEvent).where(AuditEvent.action == "setting_changed"))
        is not None
    )


def test_the_audit_log_leaves_out_the_looks_at_personal_data_unless_asked(
    client, admin, make_filing
):
    filing = make_filing(FilingState.submitted)
    for _ in range(3):
        audit_log.record("material_viewed", admin, filing=filing, internal=True)
    audit_log.record("review_viewed", admin, filing=filing, internal=True)
    db.session.commit()

    def rows(query: str) -> list[str]:
        page = client.get(f"/admin/audit?filing={filing.id}{query}").get_data(as_text=True)
        return re.findall(r"<tr><td>.*?</tr>", page.split("<tbody>")[1], re.S)

    default = rows("")
    assert default and not any("查看资料图片" in r or "查看审核页面" in r for r in default)
    assert any("提交" in r for r in default)  # the filing's real events are on page 1
    with_views = rows("&views=1")
    assert sum("查看资料图片" in r for r in with_views) == 3
    assert len(with_views) == len(default) + 4
    asked = rows("&action=material_viewed")
    assert len(asked) == 3 and all("查看资料图片" in r for r in asked)
    page = client.get(f"/admin/audit?filing={filing.id}").get_data(as_text=True)
    assert re.search(r'<input type="checkbox" name="views" value="1"\s*>\s*包括查看记录', page)
    assert 'name="views" value="1" checked' in client.get(
        f"/admin/audit?filing={filing.id}&views=1"
    ).get_data(as_text=True)


def test_the_audit_log_searches_the_actor_e_mail_literally(client, admin, make_user):
    other = make_user(Role.reviewer, email="wang_li@example.cn")
    audit_log.record("suffix_set", admin, note="by the admin")
    audit_log.record("suffix_set", other, note="by wang_li")
    db.session.commit()

    def notes(actor: str) -> str:
        return client.get("/admin/audit", query_string={"actor": actor}).get_data(as_text=True)

    assert "by wang_li" in notes("_") and "by the admin" not in notes("_")  # not a wildcard
    assert "by wang_li" in notes("WANG_") and "by the admin" not in notes("%")


def test_the_audit_logs_action_choices_are_sorted_by_their_label(client, admin, make_filing):
    make_filing(FilingState.approved)
    page = client.get("/admin/audit").get_data(as_text=True)
    select_html = page.split('name="action"')[1].split("</select>")[0]
    labels = re.findall(r'<option value="[^"]+"[^>]*>([^<]*)</option>', select_html)
    assert len(labels) > 5 and labels == sorted(labels)


def test_a_refused_setting_names_its_field_in_the_page_language(client, admin):
    client.get("/lang/en")
    page = client.post("/admin/settings", data={"CLAIM_TIMEOUT_MINUTES": "1"}).get_data(
        as_text=True
    )
    assert "Claim timeout (minutes) must be a whole number from 5 to 480" in page
    assert "领取超时" not in page


def test_a_refused_save_changes_no_setting_in_this_process(app, client, admin):
    """Reproduced before the redesign: the settings overlay wrote app.config before the commit,
    so a failed save still changed this process's deadlines until a restart."""
    app.config["SETTINGS_REFRESH_SECONDS"] = 300  # the policy is cached as in production
    before = current_policy()
    refused = client.post(
        "/admin/settings", data={"CLAIM_TIMEOUT_MINUTES": "45", "INITIAL_REVIEW_WORKDAYS": "99"}
    )
    assert refused.status_code == 422
    assert current_policy() == before and app.config["CLAIM_TIMEOUT_MINUTES"] == 30
    saved = client.post("/admin/settings", data={"CLAIM_TIMEOUT_MINUTES": "45"})
    assert saved.status_code == 302
    assert current_policy().claim_timeout_minutes == 45  # dropped from the cache after the commit
    assert app.config["CLAIM_TIMEOUT_MINUTES"] == 30  # the configuration itself is never written


def test_a_reset_password_is_shown_once_in_the_answer_never_in_the_session(
    app, client, admin, make_user
):
    reviewer = make_user(Role.reviewer)
    posted = client.post(f"/admin/users/{reviewer.id}/reset")
    assert posted.status_code == 302 and posted.headers["Location"].endswith("/admin/staff")
    with client.session_transaction() as session:  # sealed for the next page, never in clear
        carried = json.dumps(dict(session), default=str)
    cookie = client.get_cookie(app.config.get("SESSION_COOKIE_NAME", "session"))
    response = client.get("/admin/staff")
    page = response.get_data(as_text=True)
    shown = re.search(r"一次性密码：(\S+?)（只显示这一次）", page)
    assert response.status_code == 200 and shown and response.headers["Cache-Control"] == "no-store"
    assert shown.group(1) not in carried
    assert cookie is None or shown.group(1) not in _session_payload(app, cookie.value)
    assert shown.group(1) not in client.get("/admin/staff").get_data(as_text=True)  # once


def _session_payload(app, cookie: str) -> str:
    serializer = app.session_interface.get_signing_serializer(app)
    return json.dumps(serializer.loads(cookie), default=str)
