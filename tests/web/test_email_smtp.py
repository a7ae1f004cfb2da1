"""E-mail through a real SMTP server (aiosmtpd on 127.0.0.1, STARTTLS and login required): the
messages arrive as text and HTML, with the provider's name, the link to the filing, the deadline
from the settings, and for a rejection the reasons under the fields' labels."""

from __future__ import annotations

import pytest

from domain.lifecycle.states import Action, FilingState, Role
from extensions import db
from tests.helpers import transitions
from tests.helpers.platforms import smtp_server


@pytest.fixture
def smtp(tmp_path):
    with smtp_server(tmp_path) as server:
        yield server


@pytest.fixture
def app_config(smtp):
    return {
        "SMTP_HOST": smtp.host,
        "SMTP_PORT": smtp.port,
        "SMTP_USER": smtp.user,
        "SMTP_PASSWORD": smtp.password,
        "SMTP_SENDER": "备案台 <noreply@beian.example.cn>",
        "SMTP_STARTTLS": True,
        "SMTP_CA_FILE": str(smtp.ca_file),
        "PUBLIC_URL": "https://beian.example.cn",
        "INITIAL_REVIEW_WORKDAYS": 3,
    }


def _parts(message):
    return (
        message.get_body(("plain",)).get_content(),
        message.get_body(("html",)).get_content(),
    )


def _send(app):
    result = app.test_cli_runner().invoke(args=["outbox", "send"])
    assert result.exit_code == 0, result.output
    return result.output


def test_a_rejection_arrives_with_its_reasons_under_the_fields_labels(
    app, make_filing, make_user, smtp
):
    reviewer = make_user(Role.reviewer)
    filing = make_filing(FilingState.submitted, reviewer=reviewer)
    reasons = [
        {"field": "subject.name", "code": "other", "reason": "与营业执照不一致"},
        {"field": "websites[0].domains", "code": "other", "reason": "域名证书持有者不符"},
        {"field": "", "code": "other", "reason": "请补充说明"},
    ]
    transitions.apply(
        filing, Action.initial_reject, reviewer, note="详见各项", data={"reasons": reasons}
    )
    db.session.commit()
    assert "3 sent, 0 failed" in _send(app)  # two e-mails, and the SMS through the log gateway

    assert [rcpts for _from, rcpts in smtp.envelopes] == [[filing.account.email]] * 2
    submitted, rejected = smtp.received
    assert rejected["Subject"] == f"【测试云】备案 #{filing.id} 需要修改"
    assert rejected["From"] == "备案台 <noreply@beian.example.cn>"
    text, html = _parts(rejected)
    assert "主体名称：与营业执照不一致" in text
    assert "青禾科技官网 · 域名：域名证书持有者不符" in text
    assert "- 请补充说明" in text and "详见各项" in text
    assert f"https://beian.example.cn/filings/{filing.id}" in text
    assert "<strong>主体名称</strong>：与营业执照不一致" in html
    assert f'href="https://beian.example.cn/filings/{filing.id}"' in html
    assert "测试云" in text and "测试云" in html

    text, html = _parts(submitted)
    assert "3 个工作日内完成初审" in text and "3 个工作日内完成初审" in html
    assert "1 个工作日" not in text


def test_the_submitted_message_follows_the_setting_changed_in_the_console(
    app, make_filing, make_user, login, client, smtp
):
    login(make_user(Role.admin))
    response = client.post("/admin/settings", data={"INITIAL_REVIEW_WORKDAYS": "5"})
    assert response.status_code == 302
    make_filing(FilingState.submitted)
    _send(app)
    (message,) = smtp.received
    text, _html = _parts(message)
    assert "5 个工作日内完成初审" in text
