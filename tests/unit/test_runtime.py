"""The runtime's tables from a setting's value to the adapter class: today's names, the values the
settings took before (still accepted), a provider's own "module:Class", and a clear refusal."""

from __future__ import annotations

import pytest

from adapters.bureau import SimulatedBureau
from adapters.console import LogSmsGateway
from adapters.sms_aliyun import AliyunSmsGateway
from adapters.sms_tencent import TencentSmsGateway
from domain.rulebook.registry import LocalRegistry
from runtime import BUREAUS, REGISTRIES, SMS_GATEWAYS, resolve, storage_for


def test_each_setting_value_names_its_adapter():
    assert resolve("log", SMS_GATEWAYS) is LogSmsGateway
    assert resolve("aliyun", SMS_GATEWAYS) is AliyunSmsGateway
    assert resolve("tencent", SMS_GATEWAYS) is TencentSmsGateway
    assert resolve("simulated", BUREAUS) is SimulatedBureau
    assert resolve("local", REGISTRIES) is LocalRegistry


def test_the_former_values_still_work():
    assert resolve("domain.support.notify:LogSmsGateway", SMS_GATEWAYS) is LogSmsGateway
    assert resolve("domain.support.sms_aliyun:AliyunSmsGateway", SMS_GATEWAYS) is AliyunSmsGateway
    assert resolve("domain.filing.bureau:SimulatedBureau", BUREAUS) is SimulatedBureau
    assert resolve("domain.rulebook.registry:LocalRegistry", REGISTRIES) is LocalRegistry


def test_a_providers_own_class_and_unknown_values():
    assert resolve("adapters.bureau:SimulatedBureau", BUREAUS) is SimulatedBureau
    with pytest.raises(ValueError, match="log, aliyun, tencent"):
        resolve("twilio", SMS_GATEWAYS)
    with pytest.raises(AttributeError):
        resolve("adapters.bureau:NoSuchBureau", BUREAUS)
    with pytest.raises(ValueError, match="local, s3"):
        storage_for({"STORAGE_BACKEND": "ftp", "UPLOAD_FOLDER": "/tmp"})
