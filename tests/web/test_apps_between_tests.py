"""The tests' app, kept from one test to the next (tests/helpers/app.py TestApps): what one test
changes in it must not reach the next one."""

from __future__ import annotations

import dataclasses

import runtime
from tests.helpers.app import TestApps


def test_a_kept_app_comes_back_with_its_settings_and_fresh_adapters(database_url, tmp_path):
    apps = TestApps()
    first = apps.get(database_url, tmp_path / "one", {})
    first.config["PROVIDER_NAME"] = "changed by a test"
    first.config["SMS_TEMPLATES"] = {"changed": "yes"}
    first.extensions["beian_gate"] = object()  # what an app keeps while it serves
    with first.app_context():
        first.extensions[runtime.EXTENSION_KEY] = dataclasses.replace(runtime.current(), ocr=None)
        replaced = runtime.current()

    again = apps.get(database_url, tmp_path / "two", {})

    assert again is first  # kept: no second build of its routes
    assert again.config["PROVIDER_NAME"] == "测试云"
    assert again.config["SMS_TEMPLATES"] != {"changed": "yes"}
    assert again.config["UPLOAD_FOLDER"] == str(tmp_path / "two" / "uploads")
    assert "beian_gate" not in again.extensions
    with again.app_context():
        assert runtime.current() is not replaced
        assert str(tmp_path / "two") in str(runtime.current().storage.folder)


def test_other_settings_get_an_app_of_their_own_and_the_oldest_is_let_go(database_url, tmp_path):
    apps = TestApps(size=2)
    plain = apps.get(database_url, tmp_path, {})
    proxied = apps.get(database_url, tmp_path, {"BEHIND_PROXY": True})
    assert proxied is not plain
    apps.get(database_url, tmp_path, {"DEMO_MODE": True})  # a third: the oldest (plain) goes
    assert apps.get(database_url, tmp_path, {"BEHIND_PROXY": True}) is proxied
    assert apps.get(database_url, tmp_path, {}) is not plain
