"""The account password rule (ASVS 6.2): length 8-128 of any characters, no composition rules,
not on the list of common and breached passwords, not the e-mail or the service's name."""

from __future__ import annotations

import pytest

from domain.accounts.accounts import check_password_strength
from domain.support.common_passwords import common_passwords

PASSPHRASE = "correct horse battery staple on the shelf"  # 41 characters, no digit


@pytest.mark.parametrize(
    "password",
    ["Password1", "qwerty123", "PASSWORD123", "iloveyou", "12345678", "1qaz2wsx", "woaini1314"],
)
def test_common_and_breached_passwords_are_refused_whatever_their_case(password):
    assert check_password_strength(password) == "过于常见（在常用或已泄露的密码列表中），请换一个"


@pytest.mark.parametrize(
    "password",
    [PASSPHRASE, "lanternmorningriver", "Qinghe2026", "我的备案密码是一句很长的话", "x" * 64, "y" * 128,
     "with spaces  and\ttabs"],
)  # fmt: skip
def test_long_passwords_of_any_characters_pass_without_composition_rules(password):
    assert len(PASSPHRASE) == 41
    assert check_password_strength(password) is None


def test_the_length_is_eight_to_a_hundred_and_twenty_eight():
    assert check_password_strength("Zk3#vQ9") == "至少 8 位"
    assert check_password_strength("Zk3#vQ9m") is None
    assert check_password_strength("z" * 129) == "最多 128 位"


def test_the_email_its_name_and_the_services_name_are_refused():
    email = "wang.xiaoming@example.cn"
    assert check_password_strength("Wang.Xiaoming@example.cn", email) == "不能与邮箱相同"
    assert check_password_strength("wang.xiaoming", email) == "不能与邮箱相同"
    assert check_password_strength("BeianDesk", email) == "不能使用本系统的名称"


def test_the_list_holds_tens_of_thousands_of_passwords_of_eight_or_more():
    listed = common_passwords()
    assert len(listed) > 10_000 and min(map(len, listed)) >= 8
    assert all(word == word.lower() for word in listed)
