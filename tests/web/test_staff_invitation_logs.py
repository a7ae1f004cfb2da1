"""An invitation's one-time password reaches the invited person's e-mail and the admin's screen,
never a log line: not when the invitation is made, not when the e-mail is sent."""

from __future__ import annotations

import logging
import re

import pytest

from adapters.console import LogEmailSender, LogSmsGateway
from domain.lifecycle.states import Role
from runtime import notify
from runtime.policy import current_policy


@pytest.fixture
def admin(app, client, make_user, login):
    user = make_user(Role.admin)
    login(user)
    return user


def test_the_one_time_password_of_an_invitation_is_in_no_log_line(client, admin, caplog):
    caplog.set_level(logging.DEBUG)
    page = client.post(
        "/admin/staff",
        data={"email": "zhao@provider.cn", "display_name": "赵审核", "role": "reviewer"},
        follow_redirects=True,
    ).get_data(as_text=True)
    password = re.search(r"一次性密码：(\S+)（只显示这一次）", page).group(1)
    notify.dispatch_pending(LogSmsGateway(), LogEmailSender(), policy=current_policy())
    assert "zhao@provider.cn" in caplog.text  # the e-mail went out (to the log, as in development)
    assert password not in caplog.text


def test_inviting_an_existing_address_tells_the_admin_in_english_too(client, admin):
    client.get("/lang/en")
    response = client.post("/admin/staff", data={"email": admin.email, "role": "reviewer"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "cannot be invited again" in page
    assert "is already registered; please log in" not in page  # the sign-up words
