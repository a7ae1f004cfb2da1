"""The outbox as operators expect: exponential backoff, a dead letter after the last try (or at
once on a permanent refusal) with its last error, the admin's retry, the long-running worker, and
the SMS gateways picked by configuration, against a local stand-in for the platform."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

import cli
from adapters.sms_aliyun import AliyunSmsGateway
from domain.lifecycle.states import FilingState, OrderKind, Role
from domain.support import outbox, sealing
from extensions import db
from models import AuditEvent, OutboxMessage, utcnow
from runtime import notify
from runtime.policy import current_policy
from tests.helpers.platforms import sms_platform

TEMPLATES = {"sms_code": "SMS_275300001", "filing_rejected": "SMS_275300002",
             "filing_approved": "SMS_275300003"}  # fmt: skip


@pytest.fixture
def platform():
    with sms_platform() as stand_in:
        stand_in.answer = {"Code": "OK", "Message": "OK", "RequestId": "r", "BizId": "b"}
        yield stand_in


@pytest.fixture
def app_config(platform):
    return {
        "SMS_GATEWAY": "domain.support.sms_aliyun:AliyunSmsGateway",
        "SMS_TEMPLATES": TEMPLATES,
        "SMS_SIGN_NAME": "测试云",
        "SMS_ACCESS_KEY_ID": "LTAI-test",
        "SMS_ACCESS_KEY_SECRET": "secret",
        "SMS_ENDPOINT": platform.endpoint,
        "OUTBOX_MAX_ATTEMPTS": 4,
        "OUTBOX_BACKOFF_SECONDS": 60,
        "OUTBOX_BACKOFF_MAX_SECONDS": 180,
    }


class Down:
    def __init__(self):
        self.tries = 0

    def send(self, *args):
        self.tries += 1
        raise ConnectionError("smtp.example.cn: connection refused")


class Recording:
    def __init__(self):
        self.sent = []

    def send(self, *args):
        self.sent.append(args)


def _code_message(filing, code="482913"):
    message = outbox.enqueue(
        filing, "sms", "13800138000", "sms_code",
        sealed_code=sealing.seal(code, current_policy().secret_key), hours=24,
    )  # fmt: skip
    db.session.commit()
    return message


def test_the_configured_gateway_is_the_platform_adapter(app):
    sms, _email = notify.default_senders(current_policy())
    assert isinstance(sms, AliyunSmsGateway)


def test_backoff_doubles_after_each_failed_try_up_to_the_cap(app):
    policy = current_policy()
    assert [notify.backoff(n, policy).total_seconds() for n in (1, 2, 3, 4)] == [60, 120, 180, 180]


def test_a_failed_message_waits_for_its_backoff_then_becomes_a_dead_letter(app, make_filing):
    filing = make_filing(FilingState.submitted)  # one e-mail: filing_submitted
    (row,) = db.session.scalars(select(OutboxMessage)).all()
    policy, email, now = current_policy(), Down(), utcnow()

    assert notify.dispatch_pending(Recording(), email, policy=policy, now=now) == (0, 0)
    assert (row.status, row.attempts, row.next_attempt_at) == (
        "pending",
        1,
        now + timedelta(seconds=60),
    )
    assert "connection refused" in row.last_error
    # not due yet: nobody tries it
    assert notify.dispatch_pending(
        Recording(), email, policy=policy, now=now + timedelta(seconds=59)
    ) == (0, 0)
    assert email.tries == 1
    assert notify.next_due(now) == row.next_attempt_at

    for waited in (60, 60 + 120, 60 + 120 + 180):  # tries 2, 3 and the last (4)
        sent, failed = notify.dispatch_pending(
            Recording(), email, policy=policy, now=now + timedelta(seconds=waited)
        )
    assert (sent, failed) == (0, 1) and email.tries == 4
    db.session.refresh(row)
    assert row.status == "failed" and row.attempts == 4 and row.next_attempt_at is None
    assert "ConnectionError: smtp.example.cn: connection refused" == row.last_error
    assert notify.next_due(now) is None
    assert filing.id == row.filing_id


def test_the_platform_throttling_is_retried_and_an_invalid_number_fails_at_once(
    app, make_filing, platform
):
    filing = make_filing()
    message = _code_message(filing)
    policy, now = current_policy(), utcnow()
    platform.answer = {"Code": "isv.BUSINESS_LIMIT_CONTROL", "Message": "触发分钟级流控Permits:1",
                       "RequestId": "r"}  # fmt: skip
    assert notify.dispatch_pending(*notify.default_senders(policy), policy=policy, now=now) == (
        0,
        0,
    )
    assert message.status == "pending" and message.next_attempt_at == now + timedelta(seconds=60)
    assert message.last_error.startswith("SendError: isv.BUSINESS_LIMIT_CONTROL")

    platform.answer = {
        "Code": "isv.MOBILE_NUMBER_ILLEGAL",
        "Message": "非法手机号",
        "RequestId": "r",
    }
    later = now + timedelta(seconds=61)
    assert notify.dispatch_pending(*notify.default_senders(policy), policy=policy, now=later) == (
        0,
        1,
    )
    assert message.status == "failed" and message.attempts == 2
    assert "isv.MOBILE_NUMBER_ILLEGAL" in message.last_error
    sent = [request.query for request in platform.received]
    assert [query["TemplateCode"] for query in sent] == ["SMS_275300001"] * 2
    assert all('"482913"' in query["TemplateParam"] for query in sent)  # the platform gets it
    assert "482913" not in message.last_error and "482913" not in str(message.context)


def test_a_template_that_is_not_approved_is_a_dead_letter_the_admin_sees_and_retries(
    app, make_filing, platform, make_user, login, client
):
    filing = make_filing(FilingState.approved)  # e-mail and SMS "filing_approved"
    policy = current_policy()
    platform.answer = {"Code": "isv.SMS_TEMPLATE_ILLEGAL", "Message": "该账号下找不到对应模板",
                       "RequestId": "r"}  # fmt: skip
    notify.dispatch_pending(*notify.default_senders(policy), policy=policy)
    dead = db.session.scalar(
        select(OutboxMessage).where(
            OutboxMessage.channel == "sms", OutboxMessage.filing_id == filing.id
        )
    )
    assert dead.status == "failed" and dead.attempts == 1
    assert platform.received[-1].query["TemplateCode"] == "SMS_275300003"
    assert platform.received[-1].query["SignName"] == "测试云"

    login(make_user(Role.admin))
    page = client.get("/admin/outbox", query_string={"status": "failed"}).get_data(as_text=True)
    assert "isv.SMS_TEMPLATE_ILLEGAL" in page and "该账号下找不到对应模板" in page
    assert f"/admin/outbox/{dead.id}/retry" in page and "发送失败" in page

    response = client.post(f"/admin/outbox/{dead.id}/retry", data={"status": "failed"})
    assert response.status_code == 302
    db.session.refresh(dead)
    assert dead.status == "pending" and dead.attempts == 0 and dead.next_attempt_at is None
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "outbox_retry"))

    # a message that is not a dead letter is not "retried"
    response = client.post(f"/admin/outbox/{dead.id}/retry", follow_redirects=True)
    assert "只有发送失败的消息可以重试" in response.get_data(as_text=True)
    assert client.post("/admin/outbox/999999/retry").status_code == 404

    platform.answer = {"Code": "OK", "Message": "OK", "RequestId": "r", "BizId": "b"}
    assert notify.dispatch_pending(*notify.default_senders(policy), policy=policy) == (1, 0)


def test_only_an_admin_may_retry(app, make_filing, make_user, login, client):
    make_filing(FilingState.submitted)
    row = db.session.scalar(select(OutboxMessage))
    row.status, row.last_error = "failed", "x"
    db.session.commit()
    for role in (Role.applicant, Role.reviewer):
        login(make_user(role))
        assert client.post(f"/admin/outbox/{row.id}/retry").status_code == 403
    db.session.refresh(row)
    assert row.status == "failed"


def test_the_worker_delivers_what_is_due_and_stops(app, make_filing, platform):
    filing = make_filing(FilingState.approved)
    _code_message(filing, "771204")
    result = app.test_cli_runner().invoke(args=["outbox", "work", "--rounds", "2"])
    assert result.exit_code == 0, result.output
    assert "outbox worker stopped" in result.output
    statuses = db.session.scalars(select(OutboxMessage.status)).all()
    assert statuses and set(statuses) == {"sent"}
    assert {r.query["TemplateCode"] for r in platform.received} == {
        "SMS_275300001",
        "SMS_275300003",
    }
    assert "771204" not in result.output


def test_the_cron_one_shot_still_sends(app, make_filing, platform):
    make_filing(FilingState.approved)
    result = app.test_cli_runner().invoke(args=["outbox", "send"])
    assert "sent" in result.output and len(platform.received) == 1


def test_every_notification_template_renders_as_sms_and_as_email(app, make_filing):
    filing = make_filing(FilingState.submitted)
    policy = current_policy()
    names = sorted(
        path.stem
        for path in (Path(app.root_path) / "templates" / "notifications").glob("*.txt")
        if path.stem != "email"
    )
    assert len(names) >= 11
    for name in names:
        for channel in ("sms", "email"):
            message = outbox.enqueue(
                filing, channel, "13800138000" if channel == "sms" else "a@example.cn", name,
                filing_id=filing.id, state=filing.state.value, days_left=9, hours=24,
                sealed_code=sealing.seal("482913", policy.secret_key),
                order=OrderKind.change_access.label,  # what an order on records adds (A7)
                website="青禾科技官网", website_number="浙ICP备2021000001号-1", days=7,
                deadline="2026-12-20", problems="缺少备案号链接",  # a duty's notice (A9)
            )  # fmt: skip
            db.session.flush()
            rendered = notify.render(message, policy)
            assert rendered.subject.startswith("【测试云】"), (name, rendered.subject)
            assert rendered.text and "None" not in rendered.text and "{{" not in rendered.text
            assert "482913" not in rendered.text + rendered.html  # masked unless asked
            if channel == "email":
                assert f"/filings/{filing.id}" in rendered.text and "</html>" in rendered.html
    revealed = notify.render(message, policy, reveal_code=True)
    # the templates that carry a sealed code: the SMS code, a reset link, a one-time password
    assert ("482913" in revealed.text) == (
        message.template in ("sms_code", "password_reset", "staff_invited")
    )


def test_the_worker_stops_on_sigterm_after_the_round_in_hand(app, make_filing, platform):
    make_filing(FilingState.approved)
    app.config["OUTBOX_WORK_SECONDS"] = 0.2
    timer = threading.Timer(1.5, os.kill, (os.getpid(), signal.SIGTERM))
    timer.start()
    try:
        result = app.test_cli_runner().invoke(args=["outbox", "work"])  # no --rounds: till stopped
    finally:
        timer.cancel()
    assert result.exit_code == 0, result.output
    total = len(db.session.scalars(select(OutboxMessage.id)).all())
    assert f"outbox worker stopped: {total} sent, 0 failed for good" in result.output
    assert signal.getsignal(signal.SIGTERM) is not None  # the previous handler is back


def test_the_signature_set_in_the_console_is_the_one_sent(
    app, make_filing, platform, make_user, login, client
):
    login(make_user(Role.admin))
    assert client.post("/admin/settings", data={"SMS_SIGN_NAME": "备案台"}).status_code == 302
    too_long = client.post("/admin/settings", data={"SMS_SIGN_NAME": "签" * 13})
    assert too_long.status_code == 422 and "短信签名" in too_long.get_data(as_text=True)
    make_filing(FilingState.approved)
    result = app.test_cli_runner().invoke(args=["outbox", "send"])
    assert result.exit_code == 0
    assert [r.query["SignName"] for r in platform.received] == ["备案台"]


def test_the_worker_lowers_its_cpu_priority_below_the_web_workers(app, monkeypatch, tmp_path):
    lowered: list[int] = []
    monkeypatch.setattr(os, "nice", lowered.append)  # not this test process's own priority
    group = tmp_path / "autogroup"  # not this test's session's either
    monkeypatch.setattr(cli, "AUTOGROUP", group)
    monkeypatch.setattr(os, "getsid", lambda _pid: os.getpid() + 1)  # of another's session
    app.config["OUTBOX_WORK_NICENESS"] = 10
    result = app.test_cli_runner().invoke(args=["outbox", "work", "--rounds", "1"])
    assert result.exit_code == 0, result.output
    assert lowered == [10] and not group.exists()  # the session's share is not its own to lower
    monkeypatch.setattr(os, "getsid", lambda _pid: os.getpid())  # leading its session (systemd)
    app.test_cli_runner().invoke(args=["outbox", "work", "--rounds", "1"])
    assert lowered == [10, 10] and group.read_text() == "10\n"
    app.config["OUTBOX_WORK_NICENESS"] = 0
    group.unlink()
    app.test_cli_runner().invoke(args=["outbox", "work", "--rounds", "1"])
    assert lowered == [10, 10] and not group.exists()  # 0: left as started


@pytest.mark.skipif(not Path("/proc/self/autogroup").exists(), reason="a kernel without autogroups")
def test_a_worker_leading_its_session_lowers_the_sessions_share_of_the_cores():
    """Linux shares the cores between sessions first: the worker in a session of its own (as
    systemd starts it) lowers that session's nice value, not only its own."""
    code = "import cli; cli.lower_cpu_priority(7); print(open('/proc/self/autogroup').read())"
    answer = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=Path(cli.__file__).parent, start_new_session=True, timeout=60)  # fmt: skip
    assert answer.returncode == 0, answer.stderr
    assert answer.stdout.split()[-2:] == ["nice", "7"]
